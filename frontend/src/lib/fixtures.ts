// Test data for the reducers' and views' tests: a session, a question, a page's live state, a
// pushed event, each with only what a test changes spelled out.
import type { LiveState, PushedEvent, Question, Role, Session } from "./types";

export function session(id: number, overrides: Partial<Session> = {}): Session {
  return {
    id,
    title: `Session ${id}`,
    description: "",
    kind: "talk",
    room: "",
    room_slug: null,
    starts_at: `2022-11-21T${String(8 + id).padStart(2, "0")}:00:00+01:00`,
    ends_at: `2022-11-21T${String(9 + id).padStart(2, "0")}:00:00+01:00`,
    status: "scheduled",
    status_changed_at: null,
    started_at: null,
    ended_at: null,
    stream_url: null,
    order: id,
    speakers: [],
    timer: null,
    ...overrides,
  };
}

export function question(id: number, overrides: Partial<Question> = {}): Question {
  return {
    id,
    session: 1,
    text: `Question ${id}?`,
    author: null,
    state: "approved",
    votes: 0,
    highlighted: false,
    edited: false,
    created_at: `2022-11-21T10:${String(id).padStart(2, "0")}:00+01:00`,
    answered_at: null,
    merged_into: null,
    answer: null,
    ...overrides,
  };
}

/** An attendee's (or another role's) state of the Summit; `current` is the event's current session. */
export function liveState({
  role = "attendee",
  current = null,
  sessions = [session(1)],
  ...rest
}: Partial<LiveState> & { role?: Role; current?: number | null } = {}): LiveState {
  return {
    event: {
      code: "SFH2022",
      name: "Summit",
      organiser: "",
      venue: "",
      city: "",
      timezone: "Europe/Brussels",
      starts_on: "2022-11-21",
      ends_on: "2022-11-22",
      online: true,
      stream_delay: 20,
      current_session: current,
      languages: ["en"],
      projector: { mode: "off", interval: 10 },
      moderation: { auto_approve: false, require_names: false, allow_self_votes: false },
    },
    sessions,
    rooms: [],
    you: { role, participant: role === "attendee" ? { id: "u1", name: null, mode: "online" } : null },
    presence: { room: 0, online: 0 },
    reactions: {},
    ...rest,
  };
}

export function ev(type: string, data: unknown, stream = "public", seq = 1): PushedEvent {
  return { type, stream, seq, data };
}
