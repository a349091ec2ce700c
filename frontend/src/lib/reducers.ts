// Pure state updates for the programme (event, sessions, own participant) from pushed events.
// Reducers return a new object when something changed and the same object otherwise, so the
// live client can skip store updates for events a page does not care about.
import type { LiveState, PushedEvent, Session } from "./types";

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function time(value: string | null | undefined): number {
  // Compare instants, not strings: offsets may differ between sessions.
  const parsed = value ? Date.parse(value) : NaN;
  return Number.isNaN(parsed) ? Number.POSITIVE_INFINITY : parsed;
}

function compareSessions(a: Session, b: Session): number {
  return (a.order ?? 0) - (b.order ?? 0) || time(a.starts_at) - time(b.starts_at) || a.id - b.id;
}

/** The sessions in agenda order (by `order`, then start time); a new array, the input untouched. */
export function sortedSessions(sessions: readonly Session[]): Session[] {
  return [...sessions].sort(compareSessions);
}

export function reduceProgramme(state: LiveState, event: PushedEvent): LiveState {
  const data = event.data;
  switch (event.type) {
    case "session.updated": {
      if (!isObject(data) || typeof data.id !== "number") return state;
      const session = data as Session;
      const others = state.sessions.filter((existing) => existing.id !== session.id);
      return { ...state, sessions: sortedSessions([...others, session]) };
    }
    case "event.updated":
      if (!isObject(data)) return state;
      return { ...state, event: data as LiveState["event"] };
    case "participant.updated":
      if (!isObject(data) || typeof data.id !== "string") return state;
      return { ...state, you: { ...state.you, participant: data as LiveState["you"]["participant"] } };
    default:
      return state;
  }
}

/** The session the moderators made current (`event.current_session`), if we know it; no fallback. */
export function chosenSession(state: LiveState): Session | null {
  const id = state.event.current_session;
  if (id === null || id === undefined) return null;
  return state.sessions.find((session) => session.id === id) ?? null;
}

/**
 * What is on now, for the audience, stage and screen: the event's current session if it names
 * one we know, else the first live session, else the first paused one (in agenda order), else
 * null (between sessions). The moderation console tells the two apart (`chosenSession`).
 */
export function currentSession(state: LiveState): Session | null {
  const chosen = chosenSession(state);
  if (chosen) return chosen;
  const sessions = sortedSessions(state.sessions);
  return (
    sessions.find((session) => session.status === "live") ??
    sessions.find((session) => session.status === "paused") ??
    null
  );
}

/**
 * The session that going live with `session` would end: the other session of its room that is
 * live or paused (sessions without a room share one), as the server decides it.
 */
export function runningInRoom(sessions: readonly Session[], session: Session): Session | null {
  return (
    sessions.find(
      (other) => other.id !== session.id && other.room === session.room && (other.status === "live" || other.status === "paused"),
    ) ?? null
  );
}
