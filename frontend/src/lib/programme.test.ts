import { describe, expect, it } from "vitest";
import { liveState, question, session } from "./fixtures";
import {
  chosenSession,
  currentSession,
  livestream,
  parallelRooms,
  roomNext,
  roomSession,
  roomState,
  runningInRoom,
  sortedSessions,
} from "./programme";
import type { LiveState, Room, Session } from "./types";

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

describe("rooms", () => {
  function room(id: number, slug: string, overrides: Partial<Room> = {}): Room {
    return { id, name: slug.toUpperCase(), slug, order: id, stream_url: null, current_session: null, ...overrides };
  }
  const at = (slug: string, name: string) => ({ room_slug: slug, room: name });
  const sessions = [
    session(1, { ...at("a", "A"), status: "ended" }),
    session(2, { ...at("a", "A"), status: "live" }),
    session(3, { ...at("a", "A") }),
    session(4, { ...at("b", "B") }),
    session(5, { ...at("b", "B") }),
    session(6, { ...at("foyer", "Foyer"), kind: "break" }),
  ];
  const rooms = [room(3, "foyer"), room(2, "b"), room(1, "a")];

  it("lists the rooms holding more than breaks, in their order", () => {
    expect(parallelRooms(liveState({ sessions, rooms })).map((one) => one.slug)).toEqual(["a", "b"]);
    expect(parallelRooms(liveState({ sessions: [session(1)], rooms: [] }))).toEqual([]);
  });

  it("finds each room's session: its current one, else its live one, else none", () => {
    const state = liveState({ sessions, rooms: [room(1, "a"), room(2, "b", { current_session: 5 })] });
    expect(roomSession(state, "a")?.id).toBe(2);
    expect(roomSession(state, "b")?.id).toBe(5);
    expect(roomSession(liveState({ sessions, rooms }), "b")).toBeNull();
  });

  it("says what is next in a room: after the session on now, else by the clock", () => {
    const state = liveState({ sessions, rooms });
    expect(roomNext(state, "a", 0)?.id).toBe(3);
    // Nothing on in b: the first session that has not ended by the clock (session 4 ends at 13:00).
    expect(roomNext(state, "b", Date.parse("2022-11-21T12:30:00+01:00"))?.id).toBe(4);
    expect(roomNext(state, "b", Date.parse("2022-11-21T13:30:00+01:00"))?.id).toBe(5);
    expect(roomNext(state, "b", Date.parse("2022-11-22T00:00:00+01:00"))).toBeNull();
  });

  it("narrows the console to one room's sessions, questions and polls (and the event's polls)", () => {
    const state = liveState({
      sessions,
      rooms,
      questions: [question(1, { session: 2 }), question(2, { session: 4 })],
      polls: [{ id: 1, session: null }, { id: 2, session: 4 }, { id: 3, session: 3 }] as LiveState["polls"],
    });
    const b = roomState(state, "b");
    expect(b.sessions.map((one) => one.id)).toEqual([4, 5]);
    expect(b.questions?.map((one) => one.id)).toEqual([2]);
    expect(b.polls?.map((one) => one.id)).toEqual([1, 2]);
    expect(roomState(state, null)).toBe(state);
  });
});

describe("livestream", () => {
  const event = (stream_url: string | null) => ({ ...liveState().event, stream_url });
  const hall = { id: 1, name: "Hall", slug: "hall", order: 1, stream_url: "https://stream.example/hall", current_session: null };
  const foyer = { ...hall, id: 2, slug: "foyer", stream_url: null };

  it("is the followed room's own stream first", () => {
    expect(livestream(liveState({ event: event("https://stream.example/all") }), hall)).toBe("https://stream.example/hall");
  });

  it("is the event's stream for a room without one, or when no room is followed", () => {
    const state = liveState({ event: event("https://stream.example/all") });
    expect(livestream(state, foyer)).toBe("https://stream.example/all");
    expect(livestream(state, null)).toBe("https://stream.example/all");
  });

  it("is none when neither has one, or the server sent no stream_url", () => {
    expect(livestream(liveState({ event: event(null) }), foyer)).toBeNull();
    expect(livestream(liveState(), null)).toBeNull();
  });
});
