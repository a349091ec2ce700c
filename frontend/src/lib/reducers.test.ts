import { describe, expect, it } from "vitest";
import { ev, liveState, question, session } from "./fixtures";
import { reduceLive, reduceProgramme } from "./reducers";
import type { LiveState, Session } from "./types";

function state(sessions: Session[], current: number | null = null): LiveState {
  return liveState({ sessions, current });
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

  it("room.updated replaces that room's current session and leaves the other rooms alone", () => {
    const room = (id: number, current: number | null) => ({
      id, name: `Room ${id}`, slug: `room-${id}`, order: id, stream_url: null, current_session: current,
    });
    const before = liveState({ rooms: [room(1, 1), room(2, null)] });
    const after = reduceProgramme(before, ev("room.updated", room(2, 4)));
    expect(after.rooms.map((r) => r.current_session)).toEqual([1, 4]);
    expect(after.rooms[0]).toBe(before.rooms[0]);
    expect(reduceProgramme(before, ev("room.updated", "x"))).toBe(before);
  });

  it("room.updated adds a new room in the rooms' order, and room.removed drops one by its slug", () => {
    const room = (id: number, order: number) => ({
      id, name: `Room ${id}`, slug: `room-${id}`, order, stream_url: null, current_session: null,
    });
    const before = liveState({ rooms: [room(1, 1), room(2, 3)] });
    const added = reduceProgramme(before, ev("room.updated", room(3, 2)));
    expect(added.rooms.map((r) => r.id)).toEqual([1, 3, 2]);
    const removed = reduceProgramme(added, ev("room.removed", { slug: "room-1" }));
    expect(removed.rooms.map((r) => r.id)).toEqual([3, 2]);
    expect(reduceProgramme(removed, ev("room.removed", { slug: "room-1" }))).toBe(removed);
  });

  it("session.removed drops the session with its questions, notes and reactions, and nothing else", () => {
    const note = (id: number, sessionId: number) => ({
      id, session: sessionId, text: "5 minutes", created_at: "2022-11-21T10:00:00+01:00", seen_at: null,
    });
    const counts = { applause: { room: 1, online: 0 } };
    const before = liveState({
      sessions: [session(1), session(2)],
      questions: [question(1, { session: 1 }), question(2, { session: 2 })],
      notes: [note(1, 1), note(2, 2)],
      reactions: { 1: counts, 2: counts },
    });
    const after = reduceProgramme(before, ev("session.removed", { id: 2 }));
    expect(after.sessions.map((s) => s.id)).toEqual([1]);
    expect(after.questions?.map((q) => q.id)).toEqual([1]);
    expect((after.notes as { id: number }[]).map((n) => n.id)).toEqual([1]);
    expect(Object.keys(after.reactions)).toEqual(["1"]);
    expect(reduceProgramme(after, ev("session.removed", { id: 2 }))).toBe(after);
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

describe("reduceLive", () => {
  it("applies programme, question and poll events", () => {
    const before = liveState({ questions: [question(1)] });
    const live = reduceLive(before, ev("session.updated", session(1, { status: "live" })));
    expect(live.sessions[0].status).toBe("live");
    expect(live.questions).toBe(before.questions);
    const moderation = { auto_approve: true, require_names: true, allow_self_votes: true };
    const withEvent = reduceLive(live, ev("event.updated", { ...live.event, moderation }, "public", 2));
    expect(withEvent.event.moderation).toEqual(moderation);
    const voted = reduceLive(withEvent, ev("votes.updated", { counts: { "1": 3 } }, "public", 3));
    expect(voted.questions![0].votes).toBe(3);
    const results = { poll: 7, total: 1, counts: { 1: 1 } };
    const counted = reduceLive(voted, ev("poll.results", results, "public", 4));
    expect(counted.results?.["7"]).toEqual(results);
    expect(reduceLive(counted, ev("nothing.happened", {}))).toBe(counted);
  });
});
