// The programme as the pages see it: the sessions in agenda order, which one is on, which one a
// moderator's "Go live" would end.
import { instant } from "./time";
import type { LiveState, Room, Session } from "./types";

function compareSessions(a: Session, b: Session): number {
  return (a.order ?? 0) - (b.order ?? 0) || instant(a.starts_at) - instant(b.starts_at) || a.id - b.id;
}

/** The sessions in agenda order (by `order`, then start time); a new array, the input untouched. */
export function sortedSessions(sessions: readonly Session[]): Session[] {
  return [...sessions].sort(compareSessions);
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

// --- rooms --------------------------------------------------------------------------------------

/**
 * The rooms an attendee chooses between, in their order: those holding something other than
 * breaks (a foyer that only hosts the coffee is no parallel room). Fewer than two: the event is
 * run as one room and the pages show no rooms.
 */
export function parallelRooms(state: LiveState): Room[] {
  const used = new Set(state.sessions.filter((session) => session.kind !== "break").map((session) => session.room_slug));
  return [...(state.rooms ?? [])].sort((a, b) => a.order - b.order || a.id - b.id).filter((room) => used.has(room.slug));
}

/** Where an online attendee watches: the followed room's own livestream, else the event's, else none. */
export function livestream(state: LiveState, room: Room | null): string | null {
  return room?.stream_url || state.event.stream_url || null;
}

/** The room with this slug, if the state knows it. */
export function roomOf(state: LiveState, slug: string | null | undefined): Room | null {
  return slug ? ((state.rooms ?? []).find((room) => room.slug === slug) ?? null) : null;
}

/** The room's sessions in agenda order. */
export function roomSessions(state: LiveState, slug: string): Session[] {
  return sortedSessions(state.sessions).filter((session) => session.room_slug === slug);
}

/** What is on in the room: its current session, else its live one, else its paused one, else null. */
export function roomSession(state: LiveState, slug: string): Session | null {
  const sessions = roomSessions(state, slug);
  const chosen = roomOf(state, slug)?.current_session;
  return (
    sessions.find((session) => session.id === chosen) ??
    sessions.find((session) => session.status === "live") ??
    sessions.find((session) => session.status === "paused") ??
    null
  );
}

/**
 * What comes next in the room, by start time: the first scheduled session after the one on now,
 * or, with none on, the first one that has not ended by the clock (`now`, epoch ms).
 */
export function roomNext(state: LiveState, slug: string, now: number): Session | null {
  const on = roomSession(state, slug);
  const later = roomSessions(state, slug)
    .filter((session) => session.status === "scheduled" && session.id !== on?.id)
    .filter((session) => (on ? instant(session.starts_at) >= instant(on.starts_at) : instant(session.ends_at) > now))
    .sort((a, b) => instant(a.starts_at) - instant(b.starts_at) || a.order - b.order);
  return later[0] ?? null;
}

/**
 * The console's view of one room: its sessions, their questions, and their polls with the
 * event's own (not tied to a session). `null`: the whole event, unchanged.
 */
export function roomState(state: LiveState, slug: string | null): LiveState {
  if (!slug) return state;
  const sessions = state.sessions.filter((session) => session.room_slug === slug);
  const ids = new Set(sessions.map((session) => session.id));
  return {
    ...state,
    sessions,
    questions: state.questions?.filter((question) => ids.has(question.session)),
    polls: state.polls?.filter((poll) => poll.session === null || ids.has(poll.session)),
  };
}
