import { describe, expect, it } from "vitest";
import { medianApprovalWait, pollTurnout, questionsLastMinute, VoteRate, waitText } from "./analytics";
import { t } from "./i18n";
import type { AuditEntry, LiveState, Poll, Question } from "./types";

const NOW = Date.parse("2022-05-05T08:10:00Z");

function question(id: number, asked: string, votes = 0): Question {
  return { id, session: 1, text: "?", author: null, state: "approved", votes, highlighted: false, edited: false,
    created_at: asked, answered_at: null, merged_into: null, answer: null };
}

function approval(id: number, question: number | null, at: string, action = "approve"): AuditEntry {
  return { id, question, action, actor: "moderator", detail: {}, created_at: at };
}

describe("questions a minute", () => {
  it("counts the questions asked in the minute before now", () => {
    const questions = [
      question(1, "2022-05-05T08:08:59Z"),
      question(2, "2022-05-05T08:09:00Z"), // exactly a minute ago: out
      question(3, "2022-05-05T08:09:01Z"),
      question(4, "2022-05-05T08:09:59Z"),
    ];
    expect(questionsLastMinute(questions, NOW)).toBe(2);
  });
});

describe("votes a minute", () => {
  it("counts the rises of each total in the last minute, not the totals the console opened with", () => {
    const rate = new VoteRate();
    rate.observe([], NOW); // the page's first state, before the snapshot
    rate.observe([question(1, "2022-05-05T08:00:00Z", 10), question(3, "2022-05-05T08:09:00Z", 4)], NOW + 1000);
    expect(rate.perMinute(NOW + 1000)).toBe(0);
    rate.observe([question(1, "2022-05-05T08:00:00Z", 13), question(2, "2022-05-05T08:10:05Z", 2)], NOW + 10_000);
    rate.observe([question(1, "2022-05-05T08:00:00Z", 12), question(2, "2022-05-05T08:10:05Z", 2)], NOW + 20_000);
    expect(rate.perMinute(NOW + 20_000)).toBe(5); // +3 and a new question's 2; a vote taken back is not counted
    expect(rate.perMinute(NOW + 69_000)).toBe(5);
    expect(rate.perMinute(NOW + 70_000)).toBe(0);
  });
});

describe("poll turnout", () => {
  it("divides each open poll's answers by the attendees connected now", () => {
    const poll = (id: number, state: Poll["state"]) => ({ id, state, prompt: `Poll ${id}` }) as Poll;
    const state = {
      polls: [poll(1, "open"), poll(2, "closed"), poll(3, "open")],
      results: { "1": { poll: 1, total: 30, counts: {} }, "2": { poll: 2, total: 50, counts: {} } },
    } as unknown as LiveState;
    const rows = pollTurnout(state, { room: 25, online: 15 });
    expect(rows.map((row) => [row.poll.id, row.answers, row.present, row.percent])).toEqual([
      [1, 30, 40, 75],
      [3, 0, 40, 0],
    ]);
    expect(pollTurnout(state, { room: 0, online: 0 })[0].percent).toBeNull();
  });
});

describe("median time to approve", () => {
  it("takes each question's first approval in the log, of the questions the console holds", () => {
    const questions = [
      question(1, "2022-05-05T08:00:00Z"),
      question(2, "2022-05-05T08:00:00Z"),
      question(3, "2022-05-05T08:00:00Z"),
      question(4, "2022-05-05T08:00:00Z"),
    ];
    const audit = [
      approval(9, 1, "2022-05-05T08:09:00Z"), // restored later: the first approval counts
      approval(8, 3, "2022-05-05T08:04:00Z"),
      approval(7, 2, "2022-05-05T08:02:00Z"),
      approval(6, 1, "2022-05-05T08:01:00Z"),
      approval(5, 4, "2022-05-05T08:00:30Z", "reject"),
      approval(4, 99, "2022-05-05T08:00:10Z"), // a question the console no longer holds
      approval(3, null, "2022-05-05T08:00:10Z", "poll_open"),
    ];
    expect(medianApprovalWait(audit, questions)).toEqual({ seconds: 120, count: 3 });
    expect(medianApprovalWait(audit.slice(1, 3), questions)).toEqual({ seconds: 180, count: 2 });
    expect(medianApprovalWait([], questions)).toEqual({ seconds: null, count: 0 });
  });

  it("reads as minutes and seconds", () => {
    expect(waitText(125, t)).toBe("2 min 5 s");
    expect(waitText(45, t)).toBe("45 s");
  });
});
