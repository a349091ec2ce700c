import { N_, t } from "./i18n";
// Audience Q&A: pure state updates from the question events, and the views the pages show.
// Like the other reducers (reducers.ts), reduceQuestions returns the same object when nothing changed.
import { sortedSessions } from "./programme";
import { LIMITS, QUESTION_MODERATION } from "./protocol.gen";
import { instant } from "./time";
import { isId, isObject, sameFields } from "./values";
import type {
  AuditEntry,
  EventInfo,
  LiveState,
  ModerationAction,
  PushedEvent,
  Question,
  QuestionState,
  Session,
} from "./types";

/** Why a moderator rejected a question: a short word for the console, a sentence for its author. */
export const REJECTION_REASONS = {
  off_topic: { short: N_("Off topic"), author: N_("It is off topic for this session.") },
  duplicate: { short: N_("Duplicate"), author: N_("The same question was already asked: vote for that one.") },
  already_answered: { short: N_("Already answered"), author: N_("It has already been answered.") },
  inappropriate: { short: N_("Inappropriate"), author: N_("It does not follow the event's rules for questions.") },
} as const;
export type RejectionReason = keyof typeof REJECTION_REASONS;

/** The author's explanation of a rejection reason, or null for none (or one this client does not know). */
export function rejectionExplanation(reason: string | null | undefined): string | null {
  return reason && reason in REJECTION_REASONS ? REJECTION_REASONS[reason as RejectionReason].author : null;
}

/** How many moderation log entries a moderator keeps (the snapshot sends at most as many). */
export const AUDIT_LIMIT = LIMITS.audit_entries.max;
/** Question length after trimming, in characters (code points, as the server counts them). */
export const QUESTION_MIN = LIMITS.question_text.min;
export const QUESTION_MAX = LIMITS.question_text.max;
export const ANSWER_MAX = LIMITS.answer_text.max;

/** A question's text on one line, cut to `length` characters, for a notice. */
export function excerpt(text: string, length = 60): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}

/** Only a public question is answered in writing (the server refuses the others). */
export function answerable(question: Question): boolean {
  return question.state === "approved" || question.state === "answered";
}

/**
 * What saving a written-answer draft does, the same in the console and on the stage: nothing
 * (unchanged: the editor just closes), a refusal said at once (too long), or `question.answer`
 * with `text` (empty takes the answer back) and the line that says it went through.
 */
export type AnswerSave = { action: "close" } | { action: "refuse"; message: string } | { action: "send"; text: string; done: string };

export function answerSave(question: Question, draft: string): AnswerSave {
  const text = draft.trim();
  if (text === (question.answer?.text ?? "")) return { action: "close" };
  if (questionLength(text) > ANSWER_MAX) return { action: "refuse", message: t("An answer has at most {max} characters.", { max: ANSWER_MAX }) };
  const done = text
    ? t("Answered in writing: “{text}”", { text: excerpt(question.text) })
    : t("Written answer taken back: “{text}”", { text: excerpt(question.text) });
  return { action: "send", text, done };
}

/** The participant's own stream: what arrives there is about their own question. */
function isOwnStream(stream: string): boolean {
  return stream.startsWith("p:");
}

/**
 * Inserts or updates a question by id, merging into the copy already held so that per-viewer
 * (voted, mine) and moderator fields survive a copy that lacks them (the same change comes on
 * several streams, each with the fields of its audience).
 */
function upsertQuestion(state: LiveState, incoming: Question, mine: boolean): LiveState {
  const list = state.questions ?? [];
  const index = list.findIndex((question) => question.id === incoming.id);
  const old = index >= 0 ? list[index] : null;
  const merged: Question = { ...old, ...incoming };
  if (mine || old?.mine) merged.mine = true;
  if (old && sameFields(old, merged)) return state;
  const questions = old ? list.map((question, i) => (i === index ? merged : question)) : [...list, merged];
  return { ...state, questions };
}

function patchQuestions(state: LiveState, patch: (question: Question) => Question): LiveState {
  const list = state.questions;
  if (!list) return state;
  let changed = false;
  const questions = list.map((question) => {
    const next = patch(question);
    if (next !== question) changed = true;
    return next;
  });
  return changed ? { ...state, questions } : state;
}

export function reduceQuestions(state: LiveState, event: PushedEvent): LiveState {
  const data = event.data;
  switch (event.type) {
    case "question.submitted":
    case "question.updated":
      if (!isObject(data) || !isId(data.id)) return state;
      return upsertQuestion(state, data as Question, isOwnStream(event.stream));
    case "question.removed": {
      // Out of public view; moderators keep everything, an author keeps their own (their
      // p: stream brings its new state).
      if (!isObject(data) || !isId(data.id) || !state.questions) return state;
      if (state.you.role === "moderator") return state;
      const held = state.questions.find((question) => question.id === data.id);
      if (!held || held.mine) return state;
      return { ...state, questions: state.questions.filter((question) => question.id !== data.id) };
    }
    case "votes.updated": {
      if (!isObject(data) || !isObject(data.counts)) return state;
      const counts = data.counts as Record<string, unknown>;
      return patchQuestions(state, (question) => {
        const votes = counts[String(question.id)];
        return typeof votes === "number" && votes !== question.votes ? { ...question, votes } : question;
      });
    }
    case "vote.updated": {
      if (!isObject(data) || !isId(data.question) || typeof data.voted !== "boolean") return state;
      const voted = data.voted;
      return patchQuestions(state, (question) =>
        question.id === data.question && question.voted !== voted ? { ...question, voted } : question,
      );
    }
    case "moderation.logged": {
      if (!isObject(data) || !isObject(data.entry) || !isId(data.entry.id)) return state;
      const entry = data.entry as AuditEntry;
      const audit = state.audit ?? [];
      if (audit.some((existing) => existing.id === entry.id)) return state;
      return { ...state, audit: [entry, ...audit].slice(0, AUDIT_LIMIT) };
    }
    default:
      return state;
  }
}

// --- views -------------------------------------------------------------------------------------

function olderFirst(a: Question, b: Question): number {
  return instant(a.created_at) - instant(b.created_at) || a.id - b.id;
}

/** The held questions of one session (every state this client holds), in the order held. */
export function questionsOf(state: LiveState, sessionId: number | null | undefined): Question[] {
  if (sessionId === null || sessionId === undefined) return [];
  return (state.questions ?? []).filter((question) => question.session === sessionId);
}

export type QuestionOrder = "top" | "recent";

/** top: most votes first, ties the older first; recent: newest first. A new array. */
export function sortQuestions(list: readonly Question[], order: QuestionOrder): Question[] {
  const sorted = [...list];
  if (order === "top") sorted.sort((a, b) => b.votes - a.votes || olderFirst(a, b));
  else sorted.sort((a, b) => olderFirst(b, a));
  return sorted;
}

/**
 * The moderators' queue: pending questions, flagged ones at the very top, each group oldest
 * first (first come, first served). Optionally of one session only.
 */
export function queue(state: LiveState, sessionId: number | null = null): Question[] {
  return (state.questions ?? [])
    .filter((question) => question.state === "pending" && (sessionId === null || question.session === sessionId))
    .sort((a, b) => Number(Boolean(b.flagged)) - Number(Boolean(a.flagged)) || olderFirst(a, b));
}

/** The question on screen now: the session's highlighted approved question (the top one if several). */
export function highlighted(state: LiveState, sessionId: number | null | undefined): Question | null {
  const candidates = questionsOf(state, sessionId).filter((question) => question.highlighted && question.state === "approved");
  return sortQuestions(candidates, "top")[0] ?? null;
}

/** The moderation page's tabs; rejected questions are filed with the archived ones. */
export type ModerationTab = "queue" | "approved" | "answered" | "archived";

const tabOfState: Record<QuestionState, ModerationTab> = {
  pending: "queue",
  approved: "approved",
  answered: "answered",
  rejected: "archived",
  archived: "archived",
};

export function tabOf(question: Question): ModerationTab {
  return tabOfState[question.state] ?? "archived";
}

/**
 * The moderation buttons of a question: the actions the server accepts for it as it is (its
 * `actions`), but none that would leave it in its tab unchanged (archiving a rejected question),
 * and "Restore" rather than "Publish" for a rejected one (the same move).
 */
export function moderationButtons(question: Question): ModerationAction[] {
  const accepted = question.actions ?? [];
  return accepted.filter((action) => {
    const to = QUESTION_MODERATION[action].to;
    if (to === null) return true; // highlight, unhighlight: the same question, on the floor or off
    if (tabOfState[to] === tabOf(question)) return false;
    return !(action === "approve" && accepted.includes("restore"));
  });
}

/**
 * The questions of one moderation tab (optionally of one session): the queue as queue() orders
 * it, approved by votes, answered most recently answered first, archived newest first.
 */
export function tabQuestions(state: LiveState, tab: ModerationTab, sessionId: number | null = null): Question[] {
  if (tab === "queue") return queue(state, sessionId);
  const list = (state.questions ?? []).filter(
    (question) => tabOf(question) === tab && (sessionId === null || question.session === sessionId),
  );
  if (tab === "answered") {
    return list.sort((a, b) => instant(b.answered_at) - instant(a.answered_at) || olderFirst(b, a));
  }
  return sortQuestions(list, tab === "approved" ? "top" : "recent");
}

export function tabCounts(state: LiveState, sessionId: number | null = null): Record<ModerationTab, number> {
  const counts: Record<ModerationTab, number> = { queue: 0, approved: 0, answered: 0, archived: 0 };
  for (const question of state.questions ?? []) {
    if (sessionId === null || question.session === sessionId) counts[tabOf(question)] += 1;
  }
  return counts;
}

/** Whether this participant may upvote it (the server has the last word). */
export function canVote(question: Question, event: EventInfo): boolean {
  if (question.state !== "approved" && question.state !== "answered") return false;
  return !(question.mine && !event.moderation.allow_self_votes);
}

/** The length of a question as the server counts it: code points after trimming. */
export function questionLength(text: string): number {
  return [...text.trim()].length;
}

// --- which session an attendee asks in -----------------------------------------------------------

/** Whether attendees can ask in it (the server also takes questions in breaks; the page offers none). */
export function takesQuestions(session: Session): boolean {
  return session.kind !== "break" && session.status !== "ended";
}

/**
 * Sessions an attendee can open for their questions: the current session (unless it is a
 * break), then the scheduled, live or paused ones, then the ended ones (read only), each group
 * in agenda order. Breaks have no questions.
 */
export function questionSessions(state: LiveState, current: Session | null): Session[] {
  const others = sortedSessions(state.sessions).filter((session) => session.kind !== "break" && session.id !== current?.id);
  const listed = [...others.filter(takesQuestions), ...others.filter((session) => session.status === "ended")];
  return current && current.kind !== "break" ? [current, ...listed] : listed;
}

/**
 * Where a question refused by its own session (it ended meanwhile) can go in one tap: the
 * current session if it takes questions, else a live one, else a paused one. The event has no
 * general Q&A apart from its sessions; null when none is on.
 */
export function sessionForRefusedQuestion(state: LiveState, current: Session | null): Session | null {
  if (current && takesQuestions(current)) return current;
  const open = sortedSessions(state.sessions).filter(takesQuestions);
  return open.find((session) => session.status === "live") ?? open.find((session) => session.status === "paused") ?? null;
}

// --- optimistic votes ---------------------------------------------------------------------------

/**
 * What the page shows for a vote of its own before the events catch up. While the command is in
 * flight it holds the optimistic values; once the reply came (`settled`), it holds the reply's
 * values and the store's values at that moment (`base…`): each field shows the store again as
 * soon as the store changes it.
 */
export interface VoteOverlay {
  voted: boolean;
  votes: number;
  settled: boolean;
  baseVoted?: boolean;
  baseVotes?: number;
}

export function optimisticVote(question: Question): VoteOverlay {
  const voted = !question.voted;
  return { voted, votes: Math.max(0, question.votes + (voted ? 1 : -1)), settled: false };
}

export function settledVote(question: Question, reply: { voted: boolean; votes: number }): VoteOverlay {
  return {
    voted: reply.voted,
    votes: reply.votes,
    settled: true,
    baseVoted: Boolean(question.voted),
    baseVotes: question.votes,
  };
}

export function withVote(question: Question, overlay: VoteOverlay | undefined): Question {
  if (!overlay) return question;
  if (!overlay.settled) return { ...question, voted: overlay.voted, votes: overlay.votes };
  const voted = Boolean(question.voted) !== overlay.baseVoted ? Boolean(question.voted) : overlay.voted;
  const votes = question.votes !== overlay.baseVotes ? question.votes : overlay.votes;
  return voted === question.voted && votes === question.votes ? question : { ...question, voted, votes };
}

/** A settled overlay is done when the store shows the same as it would (changed or caught up). */
export function voteCaughtUp(question: Question, overlay: VoteOverlay): boolean {
  if (!overlay.settled) return false;
  const voted = Boolean(question.voted);
  const votedDone = voted !== overlay.baseVoted || voted === overlay.voted;
  const votesDone = question.votes !== overlay.baseVotes || question.votes === overlay.votes;
  return votedDone && votesDone;
}

/**
 * Where a question can be merged: the other questions of its session still in play (pending,
 * approved or answered), most voted first.
 */
export function mergeTargets(state: LiveState, source: Question): Question[] {
  const open = (state.questions ?? []).filter(
    (question) =>
      question.session === source.session &&
      question.id !== source.id &&
      (question.state === "pending" || question.state === "approved" || question.state === "answered"),
  );
  return sortQuestions(open, "top");
}
