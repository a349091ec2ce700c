import { describe, expect, it } from "vitest";
import { liveState, session } from "./fixtures";
import { chosenSession, currentSession, runningInRoom, sortedSessions } from "./programme";
import type { LiveState, Session } from "./types";

function state(sessions: Session[], current: number | null = null): LiveState {
  return liveState({ sessions, current });
}

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
