// The programme as the pages see it: the sessions in agenda order, which one is on, which one a
// moderator's "Go live" would end.
import { instant } from "./time";
import type { LiveState, Session } from "./types";

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
