import { describe, expect, it } from "vitest";
import { formatLeft, notesOf, reduceNotes, timerLeft, timerState, timerTone } from "./backstage";
import { ev, liveState } from "./fixtures";
import { reduceLive } from "./reducers";
import { clockOffset } from "./server-clock";
import type { Note, Timer } from "./types";

const START = "2022-11-21T10:00:00+01:00";
const at = (iso: string) => Date.parse(iso);

function timer(overrides: Partial<Timer> = {}): Timer {
  return { seconds: 1800, started_at: START, paused_at: null, paused_seconds: 0, ...overrides };
}

function note(id: number, overrides: Partial<Note> = {}): Note {
  return { id, session: 1, text: `Note ${id}`, created_at: `2022-11-21T10:0${id}:00+01:00`, seen_at: null, ...overrides };
}

describe("clockOffset", () => {
  it("is how far the server's clock runs ahead of this device's", () => {
    expect(clockOffset("2022-11-21T10:00:05+01:00", at("2022-11-21T10:00:00+01:00"))).toBe(5000);
    expect(clockOffset("2022-11-21T09:59:58+01:00", at("2022-11-21T10:00:00+01:00"))).toBe(-2000);
  });

  it("is nothing without a readable server time (the page before its socket's snapshot)", () => {
    expect(clockOffset(undefined, 123)).toBe(0);
    expect(clockOffset("soon", 123)).toBe(0);
  });

  it("makes two devices with different clocks show the same second", () => {
    const server = at("2022-11-21T10:10:00+01:00");
    const slow = clockOffset("2022-11-21T10:10:00+01:00", server - 7000); // its clock is 7 s behind
    const fast = clockOffset("2022-11-21T10:10:00+01:00", server + 3000);
    const later = 42_500; // both read their own clock 42.5 s later
    expect(formatLeft(timerLeft(timer(), server - 7000 + later + slow))).toBe(
      formatLeft(timerLeft(timer(), server + 3000 + later + fast)),
    );
  });
});

describe("timerLeft", () => {
  it("is the whole length before the chair starts it", () => {
    expect(timerLeft(timer({ started_at: null }), at("2022-11-21T11:00:00+01:00"))).toBe(1_800_000);
  });

  it("counts down from the start on the server's clock", () => {
    expect(timerLeft(timer(), at("2022-11-21T10:10:00+01:00"))).toBe(1_200_000);
  });

  it("stands still while paused and does not count the pauses", () => {
    const paused = timer({ paused_at: "2022-11-21T10:10:00+01:00", paused_seconds: 60 });
    expect(timerLeft(paused, at("2022-11-21T10:20:00+01:00"))).toBe(1_260_000);
    const resumed = timer({ paused_seconds: 180 });
    expect(timerLeft(resumed, at("2022-11-21T10:13:00+01:00"))).toBe(1_200_000);
  });

  it("goes below zero over time", () => {
    expect(timerLeft(timer(), at("2022-11-21T10:31:30+01:00"))).toBe(-90_000);
  });
});

describe("timerTone", () => {
  it("is green, amber from 5 minutes left, red from 1 minute left and over time", () => {
    expect(timerTone(300_001)).toBe("green");
    expect(timerTone(300_000)).toBe("amber");
    expect(timerTone(60_001)).toBe("amber");
    expect(timerTone(60_000)).toBe("red");
    expect(timerTone(-5_000)).toBe("red");
  });
});

describe("formatLeft", () => {
  it("shows m:ss, rounded up while time is left", () => {
    expect(formatLeft(1_800_000)).toBe("30:00");
    expect(formatLeft(61_001)).toBe("1:02");
    expect(formatLeft(500)).toBe("0:01");
  });

  it("shows over time as +m:ss", () => {
    expect(formatLeft(0)).toBe("+0:00");
    expect(formatLeft(-90_000)).toBe("+1:30");
    expect(formatLeft(-3_725_000)).toBe("+62:05");
  });
});

describe("timerState", () => {
  it("tells not started, running and paused apart", () => {
    expect(timerState(null)).toBe("not started");
    expect(timerState(timer({ started_at: null }))).toBe("not started");
    expect(timerState(timer())).toBe("running");
    expect(timerState(timer({ paused_at: START }))).toBe("paused");
  });
});

describe("reduceNotes", () => {
  it("adds a posted note in order and replaces it when seen", () => {
    let state = liveState({ role: "speaker", notes: [note(2)] });
    state = reduceLive(state, ev("note.posted", note(1), "speakers"));
    expect(notesOf(state, 1).map((held) => held.id)).toEqual([1, 2]);
    state = reduceLive(state, ev("note.updated", note(1, { seen_at: "2022-11-21T10:05:00+01:00" }), "speakers", 2));
    expect(notesOf(state, 1).map((held) => [held.id, held.seen_at !== null])).toEqual([[1, true], [2, false]]);
  });

  it("keeps the state for other events and for broken data", () => {
    const state = liveState();
    expect(reduceNotes(state, ev("question.updated", { id: 1 }))).toBe(state);
    expect(reduceNotes(state, ev("note.posted", { text: "no id" }))).toBe(state);
  });

  it("lists only the notes of the session asked for", () => {
    const state = liveState({ notes: [note(1), note(2, { session: 2 })] });
    expect(notesOf(state, 2).map((held) => held.id)).toEqual([2]);
    expect(notesOf(state, null)).toEqual([]);
  });
});
