import { describe, expect, it } from "vitest";
import { chosenSession, currentSession, reduceProgramme, runningInRoom, sortedSessions } from "./reducers";
import type { LiveState, PushedEvent, Session } from "./types";

function session(id: number, overrides: Partial<Session> = {}): Session {
  return {
    id,
    title: `Session ${id}`,
    description: "",
    kind: "talk",
    room: "",
    starts_at: `2022-11-21T${String(8 + id).padStart(2, "0")}:00:00+01:00`,
    ends_at: `2022-11-21T${String(9 + id).padStart(2, "0")}:00:00+01:00`,
    status: "scheduled",
    status_changed_at: null,
    started_at: null,
    ended_at: null,
    stream_url: null,
    order: id,
    speakers: [],
    ...overrides,
  };
}

function state(sessions: Session[], current: number | null = null): LiveState {
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
      moderation: { auto_approve: true, require_names: false, allow_self_votes: false },
    },
    sessions,
    you: { role: "attendee", participant: { id: "u1", name: null, mode: "online" } },
    presence: { room: 0, online: 0 },
  };
}

function ev(type: string, data: unknown, seq = 1): PushedEvent {
  return { type, stream: "public", seq, data };
}

describe("reduceProgramme", () => {
  it("session.updated replaces the session with that id, immutably", () => {
    const before = state([session(1), session(2)]);
    const updated = session(2, { status: "live", title: "Renamed" });
    const after = reduceProgramme(before, ev("session.updated", updated));
    expect(after).not.toBe(before);
    expect(after.sessions.map((s) => s.id)).toEqual([1, 2]);
    expect(after.sessions[1]).toEqual(updated);
    expect(before.sessions[1].status).toBe("scheduled");
    expect(after.sessions[0]).toBe(before.sessions[0]);
    expect(after.event).toBe(before.event);
  });

  it("session.updated adds an unknown session in agenda order", () => {
    const before = state([session(1), session(3)]);
    const after = reduceProgramme(before, ev("session.updated", session(2)));
    expect(after.sessions.map((s) => s.id)).toEqual([1, 2, 3]);
  });

  it("session.updated re-sorts when the order changes", () => {
    const before = state([session(1), session(2), session(3)]);
    const after = reduceProgramme(before, ev("session.updated", session(1, { order: 10 })));
    expect(after.sessions.map((s) => s.id)).toEqual([2, 3, 1]);
  });

  it("event.updated replaces the event", () => {
    const before = state([session(1)]);
    const event = { ...before.event, current_session: 1 };
    const after = reduceProgramme(before, ev("event.updated", event));
    expect(after.event).toEqual(event);
    expect(before.event.current_session).toBeNull();
    expect(after.sessions).toBe(before.sessions);
  });

  it("participant.updated replaces you.participant and keeps the role", () => {
    const before = state([]);
    const participant = { id: "u1", name: "Ana", mode: "room" as const };
    const after = reduceProgramme(before, { type: "participant.updated", stream: "p:u1", seq: 1, data: participant });
    expect(after.you).toEqual({ role: "attendee", participant });
    expect(before.you.participant!.name).toBeNull();
  });

  it("returns the same object for unknown types and unreadable payloads", () => {
    const before = state([session(1)]);
    expect(reduceProgramme(before, ev("question.updated", { id: 1 }))).toBe(before);
    expect(reduceProgramme(before, ev("session.updated", null))).toBe(before);
    expect(reduceProgramme(before, ev("session.updated", { id: "1" }))).toBe(before);
    expect(reduceProgramme(before, ev("event.updated", "x"))).toBe(before);
    expect(reduceProgramme(before, ev("participant.updated", {}))).toBe(before);
  });
});

describe("sortedSessions", () => {
  it("sorts by order, then start time (as instants), without touching the input", () => {
    const a = session(1, { order: 2, starts_at: "2022-11-21T10:00:00+01:00" });
    const b = session(2, { order: 1, starts_at: "2022-11-21T12:00:00+01:00" });
    // Same order as a: 10:00+02:00 (08:00Z) is earlier than 10:00+01:00 (09:00Z), though not as a string.
    const c = session(3, { order: 2, starts_at: "2022-11-21T10:00:00+02:00" });
    const input = [a, b, c];
    expect(sortedSessions(input).map((s) => s.id)).toEqual([2, 3, 1]);
    expect(input.map((s) => s.id)).toEqual([1, 2, 3]);
  });
});

describe("currentSession", () => {
  it("is the event's current session when set", () => {
    const s = state([session(1, { status: "live" }), session(2)], 2);
    expect(currentSession(s)?.id).toBe(2);
  });

  it("else the first live session in agenda order", () => {
    const s = state([session(3, { status: "live" }), session(1, { status: "paused" }), session(2, { status: "live" })]);
    expect(currentSession(s)?.id).toBe(2);
  });

  it("else the first paused one", () => {
    const s = state([session(1, { status: "ended" }), session(3, { status: "paused" }), session(2, { status: "paused" })]);
    expect(currentSession(s)?.id).toBe(2);
  });

  it("ignores a current_session id that is not in the list", () => {
    const s = state([session(1, { status: "live" })], 99);
    expect(currentSession(s)?.id).toBe(1);
  });

  it("else null", () => {
    expect(currentSession(state([session(1), session(2, { status: "ended" })]))).toBeNull();
    expect(currentSession(state([]))).toBeNull();
  });
});

describe("chosenSession", () => {
  it("is the event's current session, live or not", () => {
    expect(chosenSession(state([session(1, { status: "live" }), session(2, { status: "ended" })], 2))?.id).toBe(2);
  });

  it("is null when none is set, even while one is live (the console must not pretend)", () => {
    expect(chosenSession(state([session(1, { status: "live" })]))).toBeNull();
    expect(chosenSession(state([session(1, { status: "live" })], 99))).toBeNull();
  });
});

describe("runningInRoom", () => {
  it("names the live or paused session of the same room, never the session itself", () => {
    const keynote = session(1, { room: "Room 1", status: "live" });
    const panel = session(2, { room: "Room 1" });
    const elsewhere = session(3, { room: "Room 2", status: "paused" });
    expect(runningInRoom([keynote, panel, elsewhere], panel)).toBe(keynote);
    expect(runningInRoom([keynote, panel, elsewhere], keynote)).toBeNull();
    expect(runningInRoom([keynote, panel, elsewhere], session(4, { room: "Room 2" }))).toBe(elsewhere);
    expect(runningInRoom([session(5, { status: "ended", room: "Room 1" })], panel)).toBeNull();
  });

  it("counts sessions without a room as one room", () => {
    const a = session(1, { status: "paused" });
    expect(runningInRoom([a], session(2))).toBe(a);
  });
});
