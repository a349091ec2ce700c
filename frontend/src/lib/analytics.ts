// The console's live analytics, derived from the state the console already holds (no request,
// no frame of its own): presence, the questions with their times and votes, open polls' totals,
// and the moderation log's approvals.
import type { AuditEntry, LiveState, Poll, Presence, Question } from "./types";

const MINUTE = 60_000;

/** Questions asked in the minute before `now` (server time, ms). */
export function questionsLastMinute(questions: Question[], now: number): number {
  return questions.filter((question) => {
    const asked = Date.parse(question.created_at);
    return asked > now - MINUTE && asked <= now;
  }).length;
}

/**
 * Votes a minute: the console sees vote totals, not single votes, so it notes each total's rise
 * as it arrives and counts the rises of the last minute (a vote taken back is not counted).
 * It knows only what it saw: for its first minute it counts since it opened.
 */
export class VoteRate {
  #totals = new Map<number, number>();
  #rises: { at: number; votes: number }[] = [];
  #started: number | null = null;

  observe(questions: Question[], now: number): void {
    const started = (this.#started ??= now);
    for (const question of questions) {
      const before = this.#totals.get(question.id);
      this.#totals.set(question.id, question.votes);
      // A question first seen now (the snapshot's) brings votes given before the console
      // opened, unless it was asked since.
      const askedSince = Date.parse(question.created_at) >= started;
      const rise = before === undefined ? (askedSince ? question.votes : 0) : question.votes - before;
      if (rise > 0) this.#rises.push({ at: now, votes: rise });
    }
    this.#rises = this.#rises.filter((rise) => rise.at > now - MINUTE);
  }

  /** Votes in the last minute. */
  perMinute(now: number): number {
    return this.#rises.filter((rise) => rise.at > now - MINUTE).reduce((sum, rise) => sum + rise.votes, 0);
  }
}

export interface Turnout {
  poll: Poll;
  answers: number;
  present: number;
  /** Whole percent of those present who answered; null with nobody present. */
  percent: number | null;
}

/** Each open poll's answers over the attendees connected now. */
export function pollTurnout(state: LiveState, presence: Presence): Turnout[] {
  const present = presence.room + presence.online;
  return (state.polls ?? [])
    .filter((poll) => poll.state === "open")
    .map((poll) => {
      const answers = state.results?.[String(poll.id)]?.total ?? 0;
      return { poll, answers, present, percent: present ? Math.round((100 * answers) / present) : null };
    });
}

/**
 * The median wait from asking to a moderator's approval (seconds), over the approvals in the
 * console's moderation log (its latest entries) of questions it holds; null without any.
 */
export function medianApprovalWait(audit: AuditEntry[], questions: Question[]): { seconds: number | null; count: number } {
  const asked = new Map(questions.map((question) => [question.id, Date.parse(question.created_at)]));
  const firstApproval = new Map<number, number>();
  for (const entry of audit) {
    if (entry.action !== "approve" || entry.question === null || !asked.has(entry.question)) continue;
    const at = Date.parse(entry.created_at);
    firstApproval.set(entry.question, Math.min(at, firstApproval.get(entry.question) ?? at));
  }
  const waits = [...firstApproval].map(([id, at]) => (at - asked.get(id)!) / 1000).sort((a, b) => a - b);
  if (!waits.length) return { seconds: null, count: 0 };
  const middle = Math.floor(waits.length / 2);
  const median = waits.length % 2 ? waits[middle] : (waits[middle - 1] + waits[middle]) / 2;
  return { seconds: Math.round(median), count: waits.length };
}

/** "45 s", "2 min 5 s". */
export function waitText(seconds: number, t: (text: string, params?: Record<string, string | number>) => string): string {
  const minutes = Math.floor(seconds / 60);
  return minutes ? t("{minutes} min {seconds} s", { minutes, seconds: seconds % 60 }) : t("{seconds} s", { seconds });
}
