import { describe, expect, it } from "vitest";
import {
  answerSave,
  AUDIT_LIMIT,
  canVote,
  highlighted,
  mergeTargets,
  moderationButtons,
  optimisticVote,
  queue,
  questionLength,
  questionSessions,
  sessionForRefusedQuestion,
  questionsOf,
  reduceQuestions,
  settledVote,
  sortQuestions,
  tabCounts,
  tabOf,
  tabQuestions,
  voteCaughtUp,
  withVote,
} from "./qa";
import { ev, liveState, question, session } from "./fixtures";
import type { AuditEntry, LiveState, Question, Role } from "./types";

function state(questions: Question[] | undefined, role: Role = "attendee", extra: Partial<LiveState> = {}): LiveState {
  return liveState({ role, ...(questions ? { questions } : {}), ...extra });
}

function entry(id: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return { id, question: 1, action: "approve", actor: "Mia", detail: {}, created_at: "2022-11-21T10:00:00+01:00", ...overrides };
}

const ids = (list: Question[] | undefined) => (list ?? []).map((q) => q.id);

describe("question.submitted", () => {
  it("inserts a new pending question", () => {
    const before = state([question(1)], "moderator");
    const submitted = question(2, { state: "pending", flagged: true, flagged_words: ["idiot"] });
    const after = reduceQuestions(before, ev("question.submitted", submitted, "moderators"));
    expect(after).not.toBe(before);
    expect(after.questions).toEqual([question(1), submitted]);
    expect(before.questions).toHaveLength(1);
    expect(after.questions![0]).toBe(before.questions![0]);
  });

  it("creates the list when the snapshot had none", () => {
    const after = reduceQuestions(state(undefined), ev("question.submitted", question(5, { state: "pending", mine: true }), "p:u1"));
    expect(ids(after.questions)).toEqual([5]);
  });

  it("marks it mine when it arrives on the participant's stream", () => {
    const after = reduceQuestions(state([]), ev("question.submitted", question(2, { state: "pending" }), "p:u1"));
    expect(after.questions![0].mine).toBe(true);
  });

  it("merges when the same question arrives on a second stream", () => {
    const before = state([], "moderator");
    const viaModerators = reduceQuestions(before, ev("question.submitted", question(2, { state: "pending", flagged: false }), "moderators"));
    const viaOwn = reduceQuestions(viaModerators, ev("question.submitted", question(2, { state: "pending", mine: true }), "p:u1"));
    expect(viaOwn.questions).toEqual([question(2, { state: "pending", flagged: false, mine: true })]);
  });
});

describe("question.updated", () => {
  it("merges into the held copy instead of replacing it", () => {
    const held = question(1, { voted: true, mine: true, flagged: true, flagged_words: ["x"], original_text: "old", similar: [] });
    const before = state([held]);
    const after = reduceQuestions(before, ev("question.updated", question(1, { text: "Edited?", edited: true })));
    expect(after.questions![0]).toEqual({ ...held, text: "Edited?", edited: true });
  });

  it("upserts an unknown question", () => {
    const before = state([question(1)]);
    const after = reduceQuestions(before, ev("question.updated", question(2)));
    expect(ids(after.questions)).toEqual([1, 2]);
  });

  it("sets mine when it arrives on a p: stream", () => {
    const before = state([question(1, { state: "pending" })]);
    const after = reduceQuestions(before, ev("question.updated", question(1, { state: "rejected" }), "p:u1"));
    expect(after.questions![0]).toMatchObject({ state: "rejected", mine: true });
  });

  it("keeps mine once known, even if a copy says otherwise", () => {
    const before = state([question(1, { mine: true })]);
    const after = reduceQuestions(before, ev("question.updated", question(1, { mine: false, highlighted: true })));
    expect(after.questions![0]).toMatchObject({ mine: true, highlighted: true });
  });

  it("gives the same result whichever stream's copy of one change comes first (moderator)", () => {
    const before = state([question(1, { state: "pending", flagged: true, flagged_words: ["x"] })], "moderator");
    const publicCopy = ev("question.updated", question(1, { state: "approved" }), "public", 7);
    const moderatorCopy = ev("question.updated", question(1, { state: "approved", flagged: true, flagged_words: ["x"], similar: [] }), "moderators", 3);
    const a = reduceQuestions(reduceQuestions(before, publicCopy), moderatorCopy);
    const b = reduceQuestions(reduceQuestions(before, moderatorCopy), publicCopy);
    expect(a.questions).toEqual(b.questions);
    expect(a.questions![0]).toEqual(question(1, { state: "approved", flagged: true, flagged_words: ["x"], similar: [] }));
  });

  it("gives the same result whichever stream's copy of one change comes first (author)", () => {
    const before = state([question(1, { state: "approved", voted: false, mine: true, votes: 2 })]);
    const publicCopy = ev("question.updated", question(1, { state: "answered", votes: 2, answered_at: "2022-11-21T11:00:00+01:00" }));
    const ownCopy = ev("question.updated", question(1, { state: "answered", votes: 2, answered_at: "2022-11-21T11:00:00+01:00" }), "p:u1");
    const a = reduceQuestions(reduceQuestions(before, publicCopy), ownCopy);
    const b = reduceQuestions(reduceQuestions(before, ownCopy), publicCopy);
    expect(a.questions).toEqual(b.questions);
    expect(a.questions![0]).toMatchObject({ state: "answered", voted: false, mine: true });
  });

  it("returns the same object when the second copy changes nothing", () => {
    const before = state([question(1, { similar: [{ id: 2, text: "Q?", votes: 1 }] })], "moderator");
    const once = reduceQuestions(before, ev("question.updated", question(1, { highlighted: true, similar: [{ id: 2, text: "Q?", votes: 1 }] }), "moderators"));
    expect(once).not.toBe(before);
    expect(reduceQuestions(once, ev("question.updated", question(1, { highlighted: true }), "public"))).toBe(once);
    expect(reduceQuestions(once, ev("question.updated", question(1, { highlighted: true, similar: [{ id: 2, text: "Q?", votes: 1 }] })))).toBe(once);
  });

  it("ignores unreadable payloads", () => {
    const before = state([question(1)]);
    expect(reduceQuestions(before, ev("question.updated", null))).toBe(before);
    expect(reduceQuestions(before, ev("question.updated", { id: "1" }))).toBe(before);
    expect(reduceQuestions(before, ev("question.submitted", []))).toBe(before);
  });
});

describe("question.removed", () => {
  it("removes another participant's question from an attendee's list", () => {
    const before = state([question(1), question(2)]);
    const after = reduceQuestions(before, ev("question.removed", { id: 1, session: 1 }));
    expect(ids(after.questions)).toEqual([2]);
  });

  it("removes it for speakers and screens", () => {
    for (const role of ["speaker", "screen"] as const) {
      const after = reduceQuestions(state([question(1)], role), ev("question.removed", { id: 1, session: 1 }));
      expect(after.questions).toEqual([]);
    }
  });

  it("keeps the author's own question (its state comes on the p: stream)", () => {
    const before = state([question(1, { mine: true })]);
    expect(reduceQuestions(before, ev("question.removed", { id: 1, session: 1 }))).toBe(before);
  });

  it("keeps own questions whichever of removed and the p: update comes first", () => {
    const before = state([question(1, { mine: true })]);
    const removed = ev("question.removed", { id: 1, session: 1 });
    const rejected = ev("question.updated", question(1, { state: "rejected" }), "p:u1");
    const a = reduceQuestions(reduceQuestions(before, removed), rejected);
    const b = reduceQuestions(reduceQuestions(before, rejected), removed);
    expect(a.questions).toEqual([question(1, { state: "rejected", mine: true })]);
    expect(b.questions).toEqual(a.questions);
  });

  it("keeps everything for moderators", () => {
    const before = state([question(1, { state: "rejected" })], "moderator");
    expect(reduceQuestions(before, ev("question.removed", { id: 1, session: 1 }))).toBe(before);
  });

  it("does nothing for an unknown question or a bad payload", () => {
    const before = state([question(1)]);
    expect(reduceQuestions(before, ev("question.removed", { id: 9, session: 1 }))).toBe(before);
    expect(reduceQuestions(before, ev("question.removed", { session: 1 }))).toBe(before);
    expect(reduceQuestions(state(undefined), ev("question.removed", { id: 1, session: 1 }))).toEqual(state(undefined));
  });
});

describe("votes.updated", () => {
  it("sets the count of each listed question that is held", () => {
    const before = state([question(1, { votes: 1, voted: true }), question(2, { votes: 5 }), question(3, { votes: 0 })]);
    const after = reduceQuestions(before, ev("votes.updated", { counts: { "1": 4, "3": 0, "99": 7 } }));
    expect(after.questions!.map((q) => q.votes)).toEqual([4, 5, 0]);
    expect(after.questions![0].voted).toBe(true);
    expect(after.questions![1]).toBe(before.questions![1]);
    expect(after.questions![2]).toBe(before.questions![2]);
    expect(ids(after.questions)).toEqual([1, 2, 3]);
  });

  it("returns the same object when no count changed", () => {
    const before = state([question(1, { votes: 2 })]);
    expect(reduceQuestions(before, ev("votes.updated", { counts: { "1": 2, "5": 3 } }))).toBe(before);
    expect(reduceQuestions(before, ev("votes.updated", { counts: null }))).toBe(before);
    expect(reduceQuestions(before, ev("votes.updated", { counts: { "1": "3" } }))).toBe(before);
  });
});

describe("vote.updated", () => {
  it("sets voted of that question", () => {
    const before = state([question(1), question(2)]);
    const after = reduceQuestions(before, ev("vote.updated", { question: 2, voted: true }, "p:u1"));
    expect(after.questions![1].voted).toBe(true);
    expect(after.questions![0]).toBe(before.questions![0]);
    const undone = reduceQuestions(after, ev("vote.updated", { question: 2, voted: false }, "p:u1", 2));
    expect(undone.questions![1].voted).toBe(false);
  });

  it("returns the same object when nothing changes", () => {
    const before = state([question(1, { voted: true })]);
    expect(reduceQuestions(before, ev("vote.updated", { question: 1, voted: true }, "p:u1"))).toBe(before);
    expect(reduceQuestions(before, ev("vote.updated", { question: 9, voted: true }, "p:u1"))).toBe(before);
    expect(reduceQuestions(before, ev("vote.updated", { question: 1 }, "p:u1"))).toBe(before);
  });
});

describe("moderation.logged", () => {
  it("prepends the entry", () => {
    const before = state([], "moderator", { audit: [entry(1)] });
    const after = reduceQuestions(before, ev("moderation.logged", { entry: entry(2) }, "moderators"));
    expect(after.audit!.map((e) => e.id)).toEqual([2, 1]);
    expect(before.audit).toHaveLength(1);
  });

  it("keeps at most 100 entries", () => {
    const audit = Array.from({ length: AUDIT_LIMIT }, (_, i) => entry(AUDIT_LIMIT - i));
    const after = reduceQuestions(state([], "moderator", { audit }), ev("moderation.logged", { entry: entry(101) }, "moderators"));
    expect(after.audit).toHaveLength(100);
    expect(after.audit![0].id).toBe(101);
    expect(after.audit![99].id).toBe(2);
  });

  it("starts a log when there was none, and ignores a duplicate", () => {
    const after = reduceQuestions(state([], "moderator"), ev("moderation.logged", { entry: entry(1) }, "moderators"));
    expect(after.audit).toEqual([entry(1)]);
    expect(reduceQuestions(after, ev("moderation.logged", { entry: entry(1) }, "moderators", 2))).toBe(after);
    expect(reduceQuestions(after, ev("moderation.logged", {}, "moderators", 2))).toBe(after);
  });
});

describe("reduceQuestions", () => {
  it("returns the same object for other types", () => {
    const before = state([question(1)]);
    expect(reduceQuestions(before, ev("session.updated", session(1, { status: "live" })))).toBe(before);
    expect(reduceQuestions(before, ev("poll.updated", { id: 1 }))).toBe(before);
  });
});

describe("questionsOf", () => {
  it("keeps the questions of one session", () => {
    const s = state([question(1), question(2, { session: 2 }), question(3, { state: "pending" })]);
    expect(ids(questionsOf(s, 1))).toEqual([1, 3]);
    expect(ids(questionsOf(s, 2))).toEqual([2]);
    expect(questionsOf(s, null)).toEqual([]);
    expect(questionsOf(state(undefined), 1)).toEqual([]);
  });
});

describe("sortQuestions", () => {
  const list = [
    question(1, { votes: 2 }),
    question(2, { votes: 5 }),
    question(3, { votes: 2, created_at: "2022-11-21T09:00:00+01:00" }),
    // Same instant as question 1 written in another offset: ties fall back to the id.
    question(4, { votes: 2, created_at: "2022-11-21T09:01:00+00:00" }),
  ];

  it("top: most votes first, ties the older first, without touching the input", () => {
    expect(ids(sortQuestions(list, "top"))).toEqual([2, 3, 1, 4]);
    expect(ids(list)).toEqual([1, 2, 3, 4]);
  });

  it("recent: newest first", () => {
    expect(ids(sortQuestions(list, "recent"))).toEqual([2, 4, 1, 3]);
  });
});

describe("queue", () => {
  it("pending only, flagged at the very top, each group oldest first", () => {
    const s = state(
      [
        question(1, { state: "pending" }),
        question(2, { state: "approved" }),
        question(3, { state: "pending", flagged: true }),
        question(4, { state: "pending", created_at: "2022-11-21T09:00:00+01:00" }),
        question(5, { state: "pending", flagged: true, created_at: "2022-11-21T09:30:00+01:00" }),
        question(6, { state: "pending", session: 2 }),
      ],
      "moderator",
    );
    expect(ids(queue(s))).toEqual([5, 3, 4, 1, 6]);
    expect(ids(queue(s, 2))).toEqual([6]);
    expect(queue(state(undefined, "moderator"))).toEqual([]);
  });
});

describe("highlighted", () => {
  it("is the session's highlighted approved question", () => {
    const s = state([question(1), question(2, { highlighted: true }), question(3, { highlighted: true, session: 2 })]);
    expect(highlighted(s, 1)?.id).toBe(2);
    expect(highlighted(s, 2)?.id).toBe(3);
  });

  it("ignores answered, pending and archived ones; null when none", () => {
    const s = state([
      question(1, { highlighted: true, state: "answered" }),
      question(2, { highlighted: true, state: "pending" }),
      question(3, { highlighted: true, state: "archived" }),
    ]);
    expect(highlighted(s, 1)).toBeNull();
    expect(highlighted(s, null)).toBeNull();
  });

  it("takes the most voted when several are highlighted", () => {
    const s = state([question(1, { highlighted: true, votes: 1 }), question(2, { highlighted: true, votes: 4 })]);
    expect(highlighted(s, 1)?.id).toBe(2);
  });
});

describe("moderation tabs", () => {
  const s = state(
    [
      question(1, { state: "pending" }),
      question(2, { state: "approved", votes: 1 }),
      question(3, { state: "approved", votes: 3 }),
      question(4, { state: "answered", answered_at: "2022-11-21T11:00:00+01:00" }),
      question(5, { state: "answered", answered_at: "2022-11-21T11:30:00+01:00" }),
      question(6, { state: "rejected" }),
      question(7, { state: "archived", session: 2 }),
    ],
    "moderator",
  );

  it("files rejected with archived", () => {
    expect(tabOf(question(1, { state: "rejected" }))).toBe("archived");
    expect(tabOf(question(1, { state: "pending" }))).toBe("queue");
  });

  it("lists and counts each tab", () => {
    expect(ids(tabQuestions(s, "queue"))).toEqual([1]);
    expect(ids(tabQuestions(s, "approved"))).toEqual([3, 2]);
    expect(ids(tabQuestions(s, "answered"))).toEqual([5, 4]);
    expect(ids(tabQuestions(s, "archived"))).toEqual([7, 6]);
    expect(ids(tabQuestions(s, "archived", 1))).toEqual([6]);
    expect(tabCounts(s)).toEqual({ queue: 1, approved: 2, answered: 2, archived: 2 });
    expect(tabCounts(s, 2)).toEqual({ queue: 0, approved: 0, answered: 0, archived: 1 });
  });
});

describe("moderationButtons", () => {
  const buttons = (overrides: Partial<Question>) => moderationButtons(question(1, overrides));

  it("offers what the server says it accepts for the question", () => {
    expect(buttons({ state: "approved", actions: ["highlight", "answer", "archive", "reject"] })).toEqual([
      "highlight",
      "answer",
      "archive",
      "reject",
    ]);
    expect(buttons({ state: "answered", highlighted: true, actions: ["unhighlight", "archive"] })).toEqual([
      "unhighlight",
      "archive",
    ]);
  });

  it("offers nothing the server refuses, however the question looks", () => {
    expect(buttons({ state: "archived", merged_into: 2, actions: [] })).toEqual([]);
    expect(buttons({ state: "approved", actions: ["answer"] })).toEqual(["answer"]);
    expect(buttons({ state: "pending" })).toEqual([]); // not a moderator's copy
  });

  it("offers a rejected question one way back and no filing in the tab it is in", () => {
    expect(buttons({ state: "rejected", actions: ["approve", "archive", "restore"] })).toEqual(["restore"]);
  });
});

describe("mergeTargets", () => {
  it("the other open questions of the same session, most voted first", () => {
    const source = question(1, { state: "pending" });
    const s = state(
      [
        source,
        question(2, { votes: 1 }),
        question(3, { state: "pending" }),
        question(4, { state: "answered", votes: 9 }),
        question(5, { state: "rejected" }),
        question(6, { state: "archived" }),
        question(7, { session: 2, votes: 20 }),
      ],
      "moderator",
    );
    expect(ids(mergeTargets(s, source))).toEqual([4, 2, 3]);
  });
});

describe("canVote", () => {
  const event = state([]).event;
  it("approved and answered questions only", () => {
    expect(canVote(question(1), event)).toBe(true);
    expect(canVote(question(1, { state: "answered" }), event)).toBe(true);
    expect(canVote(question(1, { state: "pending" }), event)).toBe(false);
    expect(canVote(question(1, { state: "rejected" }), event)).toBe(false);
    expect(canVote(question(1, { state: "archived" }), event)).toBe(false);
  });

  it("own questions only when the event allows self-votes", () => {
    expect(canVote(question(1, { mine: true }), event)).toBe(false);
    const allowing = { ...event, moderation: { ...event.moderation, allow_self_votes: true } };
    expect(canVote(question(1, { mine: true }), allowing)).toBe(true);
  });
});

describe("questionLength", () => {
  it("counts code points after trimming", () => {
    expect(questionLength("  abc \n")).toBe(3);
    expect(questionLength("😀😀")).toBe(2);
    expect(questionLength("")).toBe(0);
  });
});

describe("questionSessions", () => {
  const s = state([], "attendee", {
    sessions: [
      session(1, { status: "ended" }),
      session(2, { kind: "break" }),
      session(3, { status: "live" }),
      session(4),
      session(5, { status: "paused" }),
      session(6, { status: "ended" }),
    ],
  });

  it("the current session first, then open sessions, then ended ones to read; never a break", () => {
    expect(questionSessions(s, s.sessions[3]).map((x) => x.id)).toEqual([4, 3, 5, 1, 6]);
    expect(questionSessions(s, null).map((x) => x.id)).toEqual([3, 4, 5, 1, 6]);
    expect(questionSessions(s, s.sessions[0]).map((x) => x.id)).toEqual([1, 3, 4, 5, 6]);
    expect(questionSessions(s, s.sessions[1]).map((x) => x.id)).toEqual([3, 4, 5, 1, 6]);
  });

  it("every session of the programme but the breaks can be opened, ended ones included", () => {
    const ids = questionSessions(s, null).map((x) => x.id);
    expect(ids).toContain(1);
    expect(ids).toContain(6);
    expect(ids).not.toContain(2);
  });
});

describe("sessionForRefusedQuestion", () => {
  it("offers the current session when it takes questions", () => {
    const s = state([], "attendee", { sessions: [session(1, { status: "ended" }), session(2, { status: "live" }), session(3)] });
    expect(sessionForRefusedQuestion(s, s.sessions[2])?.id).toBe(3);
  });

  it("else a live session, else a paused one, never an ended one or a break", () => {
    const ended = session(1, { status: "ended" });
    const live = state([], "attendee", {
      sessions: [ended, session(2, { status: "paused" }), session(3, { kind: "break", status: "live" }), session(4, { status: "live" })],
    });
    expect(sessionForRefusedQuestion(live, ended)?.id).toBe(4);
    const paused = state([], "attendee", { sessions: [ended, session(2, { status: "paused" }), session(3)] });
    expect(sessionForRefusedQuestion(paused, ended)?.id).toBe(2);
  });

  it("null when no session is on: the text then stays in the box", () => {
    const s = state([], "attendee", { sessions: [session(1, { status: "ended" }), session(2)] });
    expect(sessionForRefusedQuestion(s, s.sessions[0])).toBeNull();
    expect(sessionForRefusedQuestion(s, null)).toBeNull();
  });
});

describe("optimistic votes", () => {
  it("toggles voted and the count while in flight", () => {
    const q = question(1, { votes: 3, voted: false });
    const overlay = optimisticVote(q);
    expect(withVote(q, overlay)).toMatchObject({ voted: true, votes: 4 });
    const un = optimisticVote(question(1, { votes: 3, voted: true }));
    expect(withVote(question(1, { votes: 3, voted: true }), un)).toMatchObject({ voted: false, votes: 2 });
    expect(voteCaughtUp(q, overlay)).toBe(false);
  });

  it("shows the reply's values until the store changes each field", () => {
    const q = question(1, { votes: 3, voted: false });
    const overlay = settledVote(q, { voted: true, votes: 4 });
    expect(withVote(q, overlay)).toMatchObject({ voted: true, votes: 4 });
    expect(voteCaughtUp(q, overlay)).toBe(false);
    // vote.updated came first: voted from the store, the count still from the reply.
    const votedOnly = { ...q, voted: true };
    expect(withVote(votedOnly, overlay)).toMatchObject({ voted: true, votes: 4 });
    expect(voteCaughtUp(votedOnly, overlay)).toBe(false);
    // Then votes.updated, with someone else's vote in it: the store wins.
    const later = { ...votedOnly, votes: 6 };
    expect(withVote(later, overlay)).toBe(later);
    expect(voteCaughtUp(later, overlay)).toBe(true);
  });

  it("is caught up at once when the events came before the reply", () => {
    const q = question(1, { votes: 4, voted: true });
    const overlay = settledVote(q, { voted: true, votes: 4 });
    expect(withVote(q, overlay)).toBe(q);
    expect(voteCaughtUp(q, overlay)).toBe(true);
    expect(withVote(q, undefined)).toBe(q);
  });
});

describe("answerSave", () => {
  const asked = question(1, { text: "Who pays?" });
  const answered = { ...asked, answer: { text: "Europe.", by: "speaker" as const, at: "2022-11-21T10:30:00+01:00" } };

  it("sends a new or changed answer, trimmed, and an empty one to take it back", () => {
    expect(answerSave(asked, "  Europe.  ")).toEqual({ action: "send", text: "Europe.", done: "Answered in writing: “Who pays?”" });
    expect(answerSave(answered, "")).toMatchObject({ action: "send", text: "", done: "Written answer taken back: “Who pays?”" });
  });

  it("closes the editor on an unchanged draft and refuses one over the limit", () => {
    expect(answerSave(answered, " Europe. ")).toEqual({ action: "close" });
    expect(answerSave(asked, "")).toEqual({ action: "close" });
    expect(answerSave(asked, "x".repeat(2001)).action).toBe("refuse");
  });
});
