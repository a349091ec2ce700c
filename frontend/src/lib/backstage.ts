// The speaker's channel: backstage notes from the moderators, and the chair's countdown, counted
// from the server's clock so that the stage, the console and the screen show the same second.
import { N_, t } from "./i18n";
import type { LiveState, Note, PushedEvent, Session, Timer } from "./types";
import { isObject } from "./values";

/** The notes moderators send most; the console offers them as one-click buttons. */
export const NOTE_PRESETS = [
  N_("5 minutes left"),
  N_("Time to wrap up"),
  N_("Take an online question"),
  N_("Please repeat the question for the livestream"),
];

/** `note.posted` and `note.updated`: the note replaces the one with its id, oldest first. */
export function reduceNotes(state: LiveState, event: PushedEvent): LiveState {
  if (event.type !== "note.posted" && event.type !== "note.updated") return state;
  const data = event.data;
  if (!isObject(data) || typeof data.id !== "number") return state;
  const note = data as Note;
  const others = ((state.notes as Note[] | undefined) ?? []).filter((held) => held.id !== note.id);
  const notes = [...others, note].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || a.id - b.id);
  return { ...state, notes };
}

/** The notes of a session, oldest first. */
export function notesOf(state: LiveState, session: number | null | undefined): Note[] {
  if (session === null || session === undefined) return [];
  return ((state.notes as Note[] | undefined) ?? []).filter((note) => note.session === session);
}

/** Time left on a countdown at the server's time `serverNow` (ms); negative: over time. */
export function timerLeft(timer: Timer, serverNow: number): number {
  const length = timer.seconds * 1000;
  if (!timer.started_at) return length;
  const at = timer.paused_at ? Date.parse(timer.paused_at) : serverNow;
  return length - (at - Date.parse(timer.started_at) - timer.paused_seconds * 1000);
}

export type TimerTone = "green" | "amber" | "red";

/** Green; amber from 5 minutes left; red from 1 minute left and over time. */
export function timerTone(left: number): TimerTone {
  if (left <= 60_000) return "red";
  if (left <= 300_000) return "amber";
  return "green";
}

/** "12:04", or "+1:30" over time; whole seconds, counting down as a wall clock does. */
export function formatLeft(left: number): string {
  // Rounded up while there is time left: "0:01" until the last second is gone, then "+0:00".
  const seconds = left > 0 ? Math.ceil(left / 1000) : Math.floor(-left / 1000);
  const text = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  return left > 0 ? text : `+${text}`;
}

export type TimerState = "not started" | "running" | "paused";

export function timerState(timer: Timer | null | undefined): TimerState {
  if (!timer?.started_at) return "not started";
  return timer.paused_at ? "paused" : "running";
}

/** What a countdown says beside its figures. */
export function timerLabel(session: Session, left: number): string {
  const state = timerState(session.timer);
  if (state === "paused") return t("Timer paused");
  if (state === "not started") return t("Timer not started");
  return left > 0 ? t("Time left") : t("Over time");
}
