// The livestream overlay (OBS's browser source): what its lower third shows, if anything.
import { onScreenPoll, percent, pollResults } from "./polls";
import { highlighted } from "./qa";
import type { LiveState, Poll, PollResults, Question } from "./types";

export type OverlayContent =
  | { kind: "poll"; poll: Poll; results: PollResults }
  | { kind: "question"; question: Question }
  | { kind: "none" };

/** A word cloud's bars: its most frequent words, as many as a lower third has room for. */
export const OVERLAY_WORDS = 5;

/**
 * The poll on screen once its results are visible (what the hall sees, the stream sees), else the
 * highlighted question of `session` (the one on now, the event's or a room's), else nothing: the
 * overlay is then fully transparent. Open-text answers are read on the screen, not in a lower third.
 */
export function overlayContent(state: LiveState, session: number | null): OverlayContent {
  const poll = onScreenPoll(state, session) ?? onScreenPoll(state, null);
  const results = poll && poll.results_visible && poll.kind !== "text" ? pollResults(state, poll.id) : null;
  if (poll && results) return { kind: "poll", poll, results };
  const question = highlighted(state, session);
  return question ? { kind: "question", question } : { kind: "none" };
}

export interface OverlayBar {
  key: string;
  label: string;
  count: number;
  /** Whole percent of the people who answered. */
  percent: number;
}

/** One bar per option (choice, stance), per value (rating) or per top word (word cloud). */
export function overlayBars(poll: Poll, results: PollResults): OverlayBar[] {
  const bar = (key: string, label: string, count: number) => ({ key, label, count, percent: percent(count, results.total) });
  if (poll.kind === "rating") {
    const counts = results.distribution ?? results.counts;
    return Array.from({ length: poll.scale ?? 5 }, (_, i) => bar(String(i + 1), String(i + 1), counts[String(i + 1)] ?? 0));
  }
  if (poll.kind === "wordcloud") {
    return (results.words ?? []).slice(0, OVERLAY_WORDS).map(([word, count]) => bar(word, word, count));
  }
  return poll.options.map((option) => bar(String(option.id), option.label, results.counts[String(option.id)] ?? 0));
}
