import { describe, expect, it } from "vitest";
import {
  attendeePoll, barWidth, canAnswer, draftCommand, draftOf, draftProblems, emptyDraft, hasTranslations, onScreenPoll, openPollFor, type Poll, pollBilingual, pollForAttendee,
  pollIn, reducePolls, swingMoves, swingRows, withoutOption,
} from "./polls";
import type { LiveState, Swing } from "./types";

function base(role: "attendee" | "moderator" = "attendee", mode: "room" | "online" = "room"): LiveState {
  return {
    event: {} as LiveState["event"],
    sessions: [],
    rooms: [],
    you: { role, participant: role === "attendee" ? { id: 1, name: null, mode } : null },
    presence: { room: 0, online: 0 },
    reactions: {},
  } as LiveState;
}

const poll: Poll = {
  id: 7, session: 3, kind: "single", prompt: "Who pays?", options: [{ id: 1, label: "A" }, { id: 2, label: "B" }],
  state: "open", results_visible: true, on_screen: false, max_choices: null, scale: null, stance_pair: null, phase: null,
  opened_at: "2022-11-21T13:50:00+01:00", closed_at: null, grace_until: null, auto_open: false, order: 0,
};

const event = (type: string, data: unknown, stream = "public") => ({ type, stream, seq: 1, data });
const results = (total: number) => ({
  poll: 7, total, counts: { 1: total }, split: { room: { total, counts: { 1: total } }, online: { total: 0, counts: {} } },
});

describe("reducePolls", () => {
  it("upserts polls by id, merging", () => {
    let state = reducePolls(base(), event("poll.updated", poll));
    state = reducePolls(state, event("poll.updated", { ...poll, state: "closed" }));
    expect(state.polls).toHaveLength(1);
    expect(state.polls?.[0].state).toBe("closed");
  });

  it("replaces results and drops them for the audience when they are hidden again", () => {
    let state = reducePolls(base(), event("poll.updated", poll));
    state = reducePolls(state, event("poll.results", results(1)));
    expect(state.results?.["7"].total).toBe(1);
    state = reducePolls(state, event("poll.updated", { ...poll, results_visible: false }));
    expect(state.results?.["7"]).toBeUndefined();
  });

  it("lets moderators keep hidden results and drafts", () => {
    let state = reducePolls(base("moderator"), event("poll.results", results(2)));
    state = reducePolls(state, event("poll.updated", { ...poll, state: "draft", results_visible: false }));
    expect(state.results?.["7"].total).toBe(2);
    expect(state.polls?.[0].state).toBe("draft");
  });

  it("drops a deleted draft with its results, and ignores one it never held", () => {
    let state = reducePolls(base("moderator"), event("poll.updated", { ...poll, state: "draft" }, "moderators"));
    state = reducePolls(state, event("poll.results", results(0), "moderators"));
    const removed = reducePolls(state, event("poll.removed", { id: 7 }, "moderators"));
    expect(removed.polls).toEqual([]);
    expect(removed.results?.["7"]).toBeUndefined();
    expect(reducePolls(removed, event("poll.removed", { id: 7 }, "moderators"))).toBe(removed);
  });

  it("records the participant's own answer", () => {
    const state = reducePolls(base(), event("poll.response", { poll: 7, options: [1] }, "p:1"));
    expect(state.responses?.["7"].options).toEqual([1]);
  });

  it("follows how a moderator reviewed the participant's open-text answer", () => {
    let state = reducePolls(base(), event("poll.response", { poll: 7, text: "Who pays?", review: "pending" }, "p:1"));
    state = reducePolls(state, event("poll.response", { poll: 7, text: "Who pays?", review: "rejected" }, "p:1"));
    expect(state.responses?.["7"]).toEqual({ poll: 7, text: "Who pays?", review: "rejected" });
    state = reducePolls(state, event("poll.response", { poll: 7, text: "Who pays?", review: "shown?" }, "p:1"));
    expect(state.responses?.["7"]).toEqual({ poll: 7, text: "Who pays?" });
  });

  it("keeps open-text answers awaiting moderation when the public copy arrives first", () => {
    const pending = { ...results(0), answers: [{ id: 5, text: "Later", state: "pending" }] };
    let state = reducePolls(base("moderator"), event("poll.results", pending, "moderators"));
    state = reducePolls(state, event("poll.results", { ...results(0), answers: [] }, "public"));
    expect(state.results?.["7"].answers?.map((answer) => answer.id)).toEqual([5]);
  });

  it("returns the same object for other events and repeated results", () => {
    const state = reducePolls(base(), event("poll.results", results(1)));
    expect(reducePolls(state, event("question.updated", {}))).toBe(state);
    expect(reducePolls(state, event("poll.results", results(1)))).toBe(state);
  });
});

describe("views", () => {
  const now = Date.parse("2022-11-21T14:00:00+01:00");
  const closed: Poll = {
    ...poll, state: "closed", closed_at: "2022-11-21T13:59:50+01:00", grace_until: "2022-11-21T14:00:10+01:00",
  };

  it("keeps a closed poll answerable online during the stream delay only", () => {
    expect(canAnswer(closed, "online", now)).toBe(true);
    expect(canAnswer(closed, "room", now)).toBe(false);
    expect(canAnswer(closed, "online", now + 11_000)).toBe(false);
  });

  it("offers an online participant the poll in its grace window, and the room its results", () => {
    const online = reducePolls(base("attendee", "online"), event("poll.updated", closed));
    expect(openPollFor(online, 3, now)?.id).toBe(7);
    const room = reducePolls(reducePolls(base(), event("poll.updated", closed)), event("poll.results", results(3)));
    expect(openPollFor(room, 3, now)).toBeNull();
    expect(attendeePoll(room, 3, now)?.id).toBe(7);
  });

  it("offers an open poll of a session that is not current when nothing else is", () => {
    const state = reducePolls(base(), event("poll.updated", { ...poll, session: 9 }));
    expect(pollForAttendee(state, 3, now)?.id).toBe(7);
    expect(pollForAttendee(reducePolls(state, event("poll.updated", { ...poll, session: 9, state: "closed" })), 3, now)).toBeNull();
  });

  it("finds the on-screen poll of a session, never a draft", () => {
    let state = reducePolls(base("moderator"), event("poll.updated", { ...poll, on_screen: true }));
    expect(onScreenPoll(state, 3)?.id).toBe(7);
    expect(onScreenPoll(state, 4)).toBeNull();
    state = reducePolls(state, event("poll.updated", { ...poll, on_screen: true, state: "draft" }));
    expect(onScreenPoll(state, 3)).toBeNull();
  });
});

describe("swing", () => {
  const swing: Swing = {
    before: 10, after: 11, participants: 5, moved: 3,
    // Options 1/2/3 before and 4/5/6 after: agree / undecided / disagree.
    matrix: { 1: { 4: 1 }, 2: { 4: 2, 6: 1 }, 3: { 6: 1 } },
    before_counts: { 1: 1, 2: 3, 3: 1 },
    after_counts: { 4: 3, 6: 2 },
  };
  const before = [{ id: 1, label: "Agree" }, { id: 2, label: "Undecided" }, { id: 3, label: "Disagree" }];
  const after = [{ id: 4, label: "Agree" }, { id: 5, label: "Undecided" }, { id: 6, label: "Disagree" }];

  it("lines positions up before and after", () => {
    expect(swingRows(swing, before, after)).toEqual([
      { label: "Agree", before: 1, after: 3, beforePercent: 20, afterPercent: 60 },
      { label: "Undecided", before: 3, after: 0, beforePercent: 60, afterPercent: 0 },
      { label: "Disagree", before: 1, after: 2, beforePercent: 20, afterPercent: 40 },
    ]);
  });

  it("lists who moved, the largest move first, and not who stayed", () => {
    expect(swingMoves(swing, before, after)).toEqual([
      { from: "Undecided", to: "Agree", count: 2 },
      { from: "Undecided", to: "Disagree", count: 1 },
    ]);
  });
});

describe("the poll builder", () => {
  it("says what the server would refuse", () => {
    const draft = { ...emptyDraft(3), prompt: "Hi", options: ["Yes", "yes"] };
    expect(Object.keys(draftProblems(draft)).sort()).toEqual(["options", "prompt"]);
    expect(draftProblems({ ...draft, prompt: "Who should pay?", options: ["Yes", "No"] })).toEqual({});
    expect(draftProblems({ ...emptyDraft(3), kind: "stance", prompt: "Belgium as hub", options: ["A", "B"] }).options).toBeTruthy();
    expect(draftProblems({ ...emptyDraft(3), kind: "rating", prompt: "How was it?", options: [] })).toEqual({});
  });

  it("sends only the fields of the poll's kind", () => {
    const rating = draftCommand({ ...emptyDraft(null), kind: "rating", prompt: "  How   was it? ", scale: 10 });
    expect(rating).toEqual({ kind: "rating", prompt: "How was it?", session: null, auto_open: false, scale: 10 });
    const stance = draftCommand({ ...emptyDraft(4), kind: "stance", prompt: "Hub?", options: ["Agree ", "Undecided", "Disagree"], phase: "after", stance_pair: 9 });
    expect(stance).toMatchObject({ options: ["Agree", "Undecided", "Disagree"], phase: "after", stance_pair: 9 });
    expect(stance).not.toHaveProperty("scale");
  });

  it("sends null to clear an emptied limit or pair (an update keeps what is not sent)", () => {
    const multiple = draftOf({ ...poll, kind: "multiple", max_choices: 2, state: "draft" });
    expect(draftCommand({ ...multiple, max_choices: null })).toMatchObject({ max_choices: null });
    const after = draftOf({ ...poll, kind: "stance", phase: "after", stance_pair: 9, state: "draft" });
    expect(draftCommand({ ...after, stance_pair: null })).toMatchObject({ phase: "after", stance_pair: null });
  });

  it("round-trips an existing draft", () => {
    expect(draftCommand(draftOf({ ...poll, state: "draft" }))).toEqual({
      kind: "single", prompt: "Who pays?", session: 3, auto_open: false, options: ["A", "B"],
    });
  });
});

describe("the poll builder's translations", () => {
  const others = ["fr", "nl"];
  const draft = () => ({ ...emptyDraft(3, others), prompt: "Who should pay?", options: ["Insurers", "Industry", "Europe"] });

  it("has one translation per other language of the event, none for an event in one language", () => {
    expect(Object.keys(emptyDraft(3, others).translations)).toEqual(["fr", "nl"]);
    expect(emptyDraft(3).translations).toEqual({});
  });

  it("sends the translated texts, every label in its place, and drops an empty language", () => {
    const filled = draft();
    filled.translations.fr = { prompt: "  Qui   doit payer ? ", options: ["Les assureurs", "", "L'Europe "] };
    expect(draftCommand(filled).translations).toEqual({ fr: { prompt: "Qui doit payer ?", options: ["Les assureurs", "", "L'Europe"] } });
    filled.translations.nl = { prompt: "Wie betaalt?", options: ["", ""] };  // shorter than the options: padded
    expect(draftCommand(filled).translations).toMatchObject({ nl: { prompt: "Wie betaalt?", options: [] } });
  });

  it("sends an empty object to clear the translations of a draft", () => {
    expect(draftCommand(draft()).translations).toEqual({});
  });

  it("sends no option labels for a kind without options", () => {
    const rating = { ...draft(), kind: "rating" as const };
    rating.translations.fr = { prompt: "Notez", options: ["x", "y", "z"] };
    expect(draftCommand(rating).translations).toEqual({ fr: { prompt: "Notez", options: [] } });
  });

  it("takes a draft's translations back into the builder, and removes an option with its translations", () => {
    const held: Poll = { ...poll, state: "draft", translations: { nl: { prompt: "Wie betaalt?", options: ["", "Bee"] } } };
    const copy = draftOf(held, others);
    expect(copy.translations).toEqual({ fr: { prompt: "", options: ["", ""] }, nl: { prompt: "Wie betaalt?", options: ["", "Bee"] } });
    expect(hasTranslations(copy)).toBe(true);
    expect(hasTranslations(draftOf({ ...poll, state: "draft" }, others))).toBe(false);
    const fewer = withoutOption(copy, 0);
    expect(fewer.options).toEqual(["B"]);
    expect(fewer.translations.nl.options).toEqual(["Bee"]);
  });

  it("says what the server would refuse in a translation, by its field", () => {
    const wrong = draft();
    wrong.translations.fr = { prompt: "Q?", options: ["Industry", "", "x".repeat(121)] };
    expect(Object.keys(draftProblems(wrong)).sort()).toEqual(["translations.fr.options.0", "translations.fr.options.2", "translations.fr.prompt"]);
    wrong.translations.fr = { prompt: "", options: ["Les assureurs", "", ""] };
    expect(draftProblems(wrong)).toEqual({});
  });
});

describe("barWidth", () => {
  it("scales a bar to everyone who answered, not to the largest answer", () => {
    expect(barWidth(10, 20)).toBe(50);
    expect(barWidth(10, 10)).toBe(100);
    expect(barWidth(1, 3)).toBeCloseTo(33.33, 1);
    expect(barWidth(0, 0)).toBe(0);
  });
});

describe("a poll in the event's languages", () => {
  const translated: Poll = {
    ...poll,
    translations: { fr: { prompt: "Qui paie ?", options: ["", "Bé"] }, nl: { prompt: "", options: ["Aa", "Bee"] } },
  };

  it("shows each language its translation, text by text, with the same option ids", () => {
    const french = pollIn(translated, "fr");
    expect(french.prompt).toBe("Qui paie ?");
    expect(french.options).toEqual([{ id: 1, label: "A" }, { id: 2, label: "Bé" }]);
    const dutch = pollIn(translated, "nl");
    expect(dutch.prompt).toBe("Who pays?");
    expect(dutch.options.map((option) => option.label)).toEqual(["Aa", "Bee"]);
  });

  it("falls back to the original without a translation", () => {
    expect(pollIn(translated, "en")).toBe(translated);
    expect(pollIn(poll, "fr")).toBe(poll);
    expect(pollIn({ ...poll, translations: {} }, "nl").prompt).toBe("Who pays?");
  });

  it("puts both languages on a bilingual projector, each text once when they are the same", () => {
    const both = pollBilingual(translated, "en", "fr");
    expect(both.prompts).toEqual([{ lang: "en", text: "Who pays?" }, { lang: "fr", text: "Qui paie ?" }]);
    expect(both.poll.options.map((option) => option.label)).toEqual(["A", "B / Bé"]);
    const dutch = pollBilingual(translated, "en", "nl");
    expect(dutch.prompts).toEqual([{ lang: "en", text: "Who pays?" }]);
    expect(dutch.poll.options.map((option) => option.label)).toEqual(["A / Aa", "B / Bee"]);
  });

  it("shows one language when the projector has one (or takes turns)", () => {
    expect(pollBilingual(translated, "fr", null)).toEqual({ poll: pollIn(translated, "fr"), prompts: [{ lang: "fr", text: "Qui paie ?" }] });
    expect(pollBilingual(translated, "en", "en").prompts).toHaveLength(1);
  });
});
