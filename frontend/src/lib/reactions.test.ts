import { describe, expect, it } from "vitest";
import { ev, liveState } from "./fixtures";
import { burst, BURST_MAX, burstSize, reactionCounts, type ReactionCounts, reduceReactions } from "./reactions";
import { reduceLive } from "./reducers";

const counts = (values: Partial<ReactionCounts> = {}): ReactionCounts => ({ applause: 0, like: 0, love: 0, laugh: 0, think: 0, ...values });

describe("reduceReactions", () => {
  it("replaces the totals of each session named and keeps the others", () => {
    const before = liveState({ reactions: { "1": { like: { room: 1, online: 0 } }, "2": { love: { room: 3, online: 4 } } } });
    const after = reduceReactions(before, ev("reactions.updated", { sessions: { "1": { applause: { room: 5, online: 2 } } } }));
    expect(after.reactions).toEqual({ "1": { applause: { room: 5, online: 2 } }, "2": { love: { room: 3, online: 4 } } });
    expect(after.reactions["2"]).toBe(before.reactions["2"]);
    expect(before.reactions["1"]).toEqual({ like: { room: 1, online: 0 } });
  });

  it("returns the same state for other events, unreadable payloads and unchanged totals", () => {
    const before = liveState({ reactions: { "1": { like: { room: 1, online: 0 } } } });
    expect(reduceReactions(before, ev("votes.updated", { counts: {} }))).toBe(before);
    expect(reduceReactions(before, ev("reactions.updated", null))).toBe(before);
    expect(reduceReactions(before, ev("reactions.updated", { sessions: { "1": { like: { room: "2" } } } }))).toBe(before);
    expect(reduceReactions(before, ev("reactions.updated", { sessions: { "1": { like: { room: 1, online: 0 } } } }))).toBe(before);
  });

  it("starts from a state without totals (the page's first paint) and runs in reduceLive", () => {
    const before = liveState();
    delete (before as Record<string, unknown>).reactions;
    const after = reduceLive(before, ev("reactions.updated", { sessions: { "3": { think: { room: 0, online: 2 } } } }));
    expect(after.reactions).toEqual({ "3": { think: { room: 0, online: 2 } } });
  });
});

describe("reactionCounts", () => {
  it("adds the room and online per kind, every kind present", () => {
    const state = liveState({ reactions: { "1": { applause: { room: 120, online: 31 }, laugh: { room: 4, online: 0 } } } });
    expect(reactionCounts(state, 1)).toEqual(counts({ applause: 151, laugh: 4 }));
    expect(reactionCounts(state, 2)).toEqual(counts());
    expect(reactionCounts(state, null)).toEqual(counts());
  });

  it("is null before the snapshot told the totals", () => {
    const state = liveState();
    delete (state as Record<string, unknown>).reactions;
    expect(reactionCounts(state, 1)).toBeNull();
  });
});

describe("the burst", () => {
  it("floats one emoji per reaction up to six, then fewer, never more than BURST_MAX", () => {
    expect([0, 1, 2, 6].map(burstSize)).toEqual([0, 1, 2, 6]);
    expect(burstSize(12)).toBeGreaterThan(6);
    expect(burstSize(12)).toBeLessThan(12);
    const sizes = [7, 20, 100, 2000, 1_000_000].map(burstSize);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    expect(burstSize(2000)).toBe(BURST_MAX);
    expect(burstSize(1_000_000)).toBe(BURST_MAX);
  });

  it("comes from the change of totals, shared between the kinds in proportion", () => {
    expect(burst(counts({ like: 2 }), counts({ like: 5 }))).toEqual(["like", "like", "like"]);
    const hall = burst(counts(), counts({ applause: 1500, laugh: 400, love: 100 }));
    expect(hall).toHaveLength(BURST_MAX);
    const of = (kind: string) => hall.filter((one) => one === kind).length;
    expect(of("applause")).toBeGreaterThan(of("laugh"));
    expect(of("laugh")).toBeGreaterThanOrEqual(of("love"));
    expect(of("love")).toBeGreaterThanOrEqual(1);
  });

  it("gives every kind that grew one emoji while there are enough", () => {
    const mixed = burst(counts(), counts({ applause: 96, like: 1, love: 1, laugh: 1, think: 1 }));
    expect(mixed).toHaveLength(BURST_MAX);
    expect(new Set(mixed).size).toBe(5);
    expect(burst(counts(), counts({ applause: 4, like: 1, love: 1 }))).toEqual(["applause", "applause", "applause", "applause", "like", "love"]);
    // Seven reactions float six emoji: the kinds keep one each, the largest gives way.
    expect(burst(counts(), counts({ applause: 5, like: 1, love: 1 }))).toEqual(["applause", "applause", "applause", "applause", "like", "love"]);
  });

  it("is empty for the first totals seen, no change, or totals that went down", () => {
    expect(burst(null, counts({ like: 40 }))).toEqual([]);
    expect(burst(counts({ like: 40 }), null)).toEqual([]);
    expect(burst(counts({ like: 40 }), counts({ like: 40 }))).toEqual([]);
    expect(burst(counts({ like: 40 }), counts())).toEqual([]);
  });
});
