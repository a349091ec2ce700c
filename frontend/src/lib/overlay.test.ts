import { describe, expect, it } from "vitest";
import { liveState, question, session } from "./fixtures";
import { currentSession } from "./programme";
import { OVERLAY_WORDS, overlayBars, overlayContent } from "./overlay";
import type { LiveState, Poll, PollResults } from "./types";

const poll = (overrides: Partial<Poll> = {}): Poll => ({
  id: 7, session: 1, kind: "single", prompt: "Who pays?", options: [{ id: 1, label: "Payers" }, { id: 2, label: "Patients" }],
  state: "closed", results_visible: true, on_screen: true, max_choices: null, scale: null, stance_pair: null, phase: null,
  opened_at: "2022-11-21T13:50:00+01:00", closed_at: null, grace_until: null, auto_open: false, order: 0, ...overrides,
});

const results = (counts: Record<string, number>, extra: Partial<PollResults> = {}): PollResults => {
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  return { poll: 7, total, counts, split: { room: { total, counts }, online: { total: 0, counts: {} } }, ...extra };
};

const live = (overrides = {}) => liveState({ sessions: [session(1, { status: "live" })], current: 1, ...overrides });
const content = (state: LiveState) => overlayContent(state, currentSession(state)?.id ?? null);

describe("overlayContent", () => {
  it("shows nothing without a highlighted question or a poll's visible results", () => {
    expect(content(live({ questions: [question(1)] }))).toEqual({ kind: "none" });
    // On screen, results hidden or not in yet: still nothing.
    expect(content(live({ polls: [poll({ results_visible: false })], results: {} }))).toEqual({ kind: "none" });
    expect(content(live({ polls: [poll()], results: {} }))).toEqual({ kind: "none" });
  });

  it("shows the highlighted question of the session on now", () => {
    const highlighted = question(2, { highlighted: true, author: "Ana" });
    const shown = content(live({ questions: [question(1), highlighted, question(3, { session: 2, highlighted: true })] }));
    expect(shown).toEqual({ kind: "question", question: highlighted });
  });

  it("shows the given session's question: a room's overlay follows its room", () => {
    const inRoom = question(3, { session: 2, highlighted: true });
    const state = live({ sessions: [session(1, { status: "live" }), session(2, { status: "live" })], questions: [question(2, { highlighted: true }), inRoom] });
    expect(overlayContent(state, 2)).toEqual({ kind: "question", question: inRoom });
  });

  it("prefers the on-screen poll once its results are visible; open text stays on the screen", () => {
    const counted = results({ 1: 3, 2: 1 });
    const state = live({ questions: [question(2, { highlighted: true })], polls: [poll()], results: { "7": counted } });
    expect(content(state)).toEqual({ kind: "poll", poll: poll(), results: counted });
    const text = live({ questions: [question(2, { highlighted: true })], polls: [poll({ kind: "text", options: [] })], results: { "7": results({}) } });
    expect(content(text).kind).toBe("question");
  });
});

describe("overlayBars", () => {
  it("gives each option its count and whole percent", () => {
    expect(overlayBars(poll(), results({ 1: 2, 2: 1 }))).toEqual([
      { key: "1", label: "Payers", count: 2, percent: 67 },
      { key: "2", label: "Patients", count: 1, percent: 33 },
    ]);
    expect(overlayBars(poll(), results({}))).toEqual([
      { key: "1", label: "Payers", count: 0, percent: 0 },
      { key: "2", label: "Patients", count: 0, percent: 0 },
    ]);
  });

  it("gives a rating one bar per value and a word cloud its top words", () => {
    const rating = overlayBars(poll({ kind: "rating", options: [], scale: 5 }), results({}, { total: 2, distribution: { 4: 1, 5: 1 } }));
    expect(rating.map((bar) => [bar.label, bar.percent])).toEqual([["1", 0], ["2", 0], ["3", 0], ["4", 50], ["5", 50]]);
    const words: [string, number][] = Array.from({ length: 8 }, (_, i) => [`word${i}`, 8 - i]);
    const cloud = overlayBars(poll({ kind: "wordcloud", options: [] }), results({}, { total: 10, words }));
    expect(cloud.map((bar) => bar.label)).toEqual(words.slice(0, OVERLAY_WORDS).map(([word]) => word));
  });
});
