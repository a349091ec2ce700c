// Live polls: pure state updates from the poll events, and the views the pages show.
// Like the other reducers (reducers.ts), reducePolls returns the same object when nothing changed.
import type { LiveState, Mode, Poll, PollKind, PollOption, PollResponse, PollResults, PushedEvent, StancePhase, Swing } from "./types";

import { LIMITS } from "./protocol.gen";
import { instant } from "./time";
import { isId, isObject, sameFields } from "./values";

export type { Poll, PollKind, PollOption, PollResponse, PollResults, Swing } from "./types";

// The server's limits, from the contract (protocol.gen.ts).
/** Prompt length after folding spaces, as the server counts it. */
export const PROMPT_MIN = LIMITS.poll_prompt.min;
export const PROMPT_MAX = LIMITS.poll_prompt.max;
/** How many options a choice poll has, and the length of each. */
export const OPTIONS_MIN = LIMITS.poll_options.min;
export const OPTIONS_MAX = LIMITS.poll_options.max;
export const OPTION_MAX = LIMITS.poll_option_label.max;
/** Word cloud answers: how many words, of how many letters. */
export const WORDS_MAX = LIMITS.poll_answer_words.max;
export const WORD_MAX = LIMITS.poll_answer_word.max;
/** Open-text answers: how many characters. */
export const ANSWER_MAX = LIMITS.poll_answer_text.max;

function isModerator(state: LiveState): boolean {
  return state.you.role === "moderator";
}

function without<T>(record: Record<string, T> | undefined, key: string): Record<string, T> | undefined {
  if (!record || !(key in record)) return record;
  const next = { ...record };
  delete next[key];
  return next;
}

/** Forgets a poll's results (and, when it leaves this client's view, the poll and its answer). */
function dropPoll(state: LiveState, id: number, { poll, response }: { poll: boolean; response: boolean }): LiveState {
  const key = String(id);
  const polls = poll && state.polls?.some((held) => held.id === id) ? state.polls.filter((held) => held.id !== id) : state.polls;
  const results = without(state.results, key);
  const responses = response ? without(state.responses, key) : state.responses;
  if (polls === state.polls && results === state.results && responses === state.responses) return state;
  return { ...state, polls, results, responses };
}

function upsertPoll(state: LiveState, incoming: Poll): LiveState {
  // A draft is the moderators' business; an audience copy of one means it left the audience's view.
  if (!isModerator(state) && incoming.state === "draft") return dropPoll(state, incoming.id, { poll: true, response: true });
  const list = state.polls ?? [];
  const index = list.findIndex((poll) => poll.id === incoming.id);
  const old = index >= 0 ? list[index] : null;
  const merged: Poll = { ...old, ...incoming };
  let next = state;
  if (!old || !sameFields(old, merged)) {
    const polls = old ? list.map((poll, i) => (i === index ? merged : poll)) : [...list, merged];
    next = { ...state, polls };
  }
  // Hidden again: the audience must not keep seeing them.
  if (!isModerator(state) && merged.results_visible === false) next = dropPoll(next, merged.id, { poll: false, response: false });
  return next;
}

/**
 * A moderator receives an open-text poll's public copy (approved answers only) just before the
 * moderators' copy: keep the answers still waiting for moderation in between, so they do not
 * flicker out of the moderation list.
 */
function keepModeratorAnswers(state: LiveState, incoming: PollResults, stream: string): PollResults {
  if (!isModerator(state) || stream !== "public" || !Array.isArray(incoming.answers)) return incoming;
  const held = state.results?.[String(incoming.poll)]?.answers;
  if (!held?.length) return incoming;
  const shown = new Set(incoming.answers.map((answer) => answer.id));
  const waiting = held.filter((answer) => answer.state !== "approved" && !shown.has(answer.id));
  if (!waiting.length) return incoming;
  return { ...incoming, answers: [...incoming.answers, ...waiting].sort((a, b) => a.id - b.id) };
}

function readResponse(data: Record<string, any>): PollResponse | null {
  const response: PollResponse = { poll: data.poll };
  if (Array.isArray(data.options)) response.options = data.options.filter(isId);
  if (typeof data.value === "number") response.value = data.value;
  if (typeof data.text === "string") response.text = data.text;
  if (data.review === "pending" || data.review === "approved" || data.review === "rejected") response.review = data.review;
  return Object.keys(response).length > 1 ? response : null;
}

export function reducePolls(state: LiveState, event: PushedEvent): LiveState {
  const data = event.data;
  switch (event.type) {
    case "poll.updated":
      if (!isObject(data) || !isId(data.id)) return state;
      return upsertPoll(state, data as Poll);
    case "poll.removed":
      // A draft an organiser deleted: it goes with the results held for it.
      if (!isObject(data) || !isId(data.id)) return state;
      return dropPoll(state, data.id, { poll: true, response: true });
    case "poll.results": {
      if (!isObject(data) || !isId(data.poll)) return state;
      const key = String(data.poll);
      const incoming = keepModeratorAnswers(state, data as PollResults, event.stream);
      const old = state.results?.[key];
      if (old && sameFields(old, incoming)) return state;
      return { ...state, results: { ...state.results, [key]: incoming } };
    }
    case "poll.response": {
      if (!isObject(data) || !isId(data.poll)) return state;
      const key = String(data.poll);
      const response = readResponse(data);
      const old = state.responses?.[key];
      if (!response) return state;
      if (old && sameFields(old, response)) return state;
      return { ...state, responses: { ...state.responses, [key]: response } };
    }
    default:
      return state;
  }
}

// --- views -------------------------------------------------------------------------------------

/** A poll never opened or closed sorts after the others when the newest comes first. */
function since(value: string | null | undefined): number {
  return instant(value, Number.NEGATIVE_INFINITY);
}

function byOrder(a: Poll, b: Poll): number {
  return (a.order ?? 0) - (b.order ?? 0) || a.id - b.id;
}

/** The most recently opened of `polls` (null when there are none). */
function lastOpened(polls: Poll[]): Poll | null {
  return [...polls].sort((a, b) => since(b.opened_at) - since(a.opened_at) || byOrder(a, b))[0] ?? null;
}

/** The held polls of one session (null: the polls of the whole event), in their order. */
export function pollsOf(state: LiveState, sessionId: number | null): Poll[] {
  return (state.polls ?? []).filter((poll) => poll.session === sessionId).sort(byOrder);
}

/** Milliseconds of answering left to online participants after a close (0 when none). */
export function graceLeft(poll: Poll, now: number): number {
  if (poll.state !== "closed" || !poll.grace_until) return 0;
  return Math.max(0, since(poll.grace_until) - now);
}

/** Whether a participant in this mode may (still) answer: open, or in the grace window when online. */
export function canAnswer(poll: Poll, mode: Mode | null | undefined, now: number): boolean {
  if (poll.state === "open") return true;
  return mode === "online" && graceLeft(poll, now) > 0;
}

/**
 * The poll to answer in a session: its open poll (the last opened if several), else, for an
 * online participant, the last closed one still inside its grace window.
 */
export function openPollFor(state: LiveState, sessionId: number | null, now: number = Date.now()): Poll | null {
  const polls = pollsOf(state, sessionId);
  const open = polls.filter((poll) => poll.state === "open");
  if (open.length) return lastOpened(open);
  if (state.you.participant?.mode !== "online") return null;
  const grace = polls.filter((poll) => graceLeft(poll, now) > 0);
  return grace.sort((a, b) => since(b.closed_at) - since(a.closed_at) || byOrder(b, a))[0] ?? null;
}

/** The session's last closed poll, when its results are visible (and held): what it came to. */
export function lastResultsFor(state: LiveState, sessionId: number | null): Poll | null {
  const closed = pollsOf(state, sessionId)
    .filter((poll) => poll.state === "closed")
    .sort((a, b) => since(b.closed_at) - since(a.closed_at) || byOrder(b, a));
  const last = closed[0];
  return last && last.results_visible && pollResults(state, last.id) ? last : null;
}

/** What an attendee sees of a session's polls: the one to answer, else the last results shown. */
export function attendeePoll(state: LiveState, sessionId: number | null, now: number = Date.now()): Poll | null {
  return openPollFor(state, sessionId, now) ?? lastResultsFor(state, sessionId);
}

/** The poll to show an attendee: the current session's, else one of the whole event, else any open one. */
export function pollForAttendee(state: LiveState, currentId: number | null, now: number = Date.now()): Poll | null {
  const mine = attendeePoll(state, currentId, now) ?? (currentId !== null ? attendeePoll(state, null, now) : null);
  if (mine) return mine;
  // A moderator may open a poll of a session that is not live (yet): the audience still gets it.
  const open = (state.polls ?? []).filter((poll) => poll.state === "open");
  return lastOpened(open);
}

/** The session's poll on the projector (one at most; never a draft). */
export function onScreenPoll(state: LiveState, sessionId: number | null): Poll | null {
  return pollsOf(state, sessionId).find((poll) => poll.on_screen && poll.state !== "draft") ?? null;
}

export function pollResults(state: LiveState, pollId: number): PollResults | null {
  return state.results?.[String(pollId)] ?? null;
}

export function pollResponse(state: LiveState, pollId: number): PollResponse | null {
  return state.responses?.[String(pollId)] ?? null;
}

export function pollById(state: LiveState, pollId: number | null | undefined): Poll | null {
  if (pollId === null || pollId === undefined) return null;
  return (state.polls ?? []).find((poll) => poll.id === pollId) ?? null;
}

/** A share in whole percent (0 when there is nothing to share). */
export function percent(count: number, total: number): number {
  return total > 0 ? Math.round((count / total) * 100) : 0;
}

/** How much of its track a bar fills, in %: its share of everyone who answered (half of them: half the track). */
export function barWidth(count: number, total: number): number {
  return total > 0 ? Math.min(100, (count / total) * 100) : 0;
}

/** The length of a prompt as the server counts it: code points after folding spaces. */
export function promptLength(text: string): number {
  return [...text.replace(/\s+/g, " ").trim()].length;
}

/** The words of a word cloud answer, as typed (the server normalises them). */
export function cloudWords(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

// --- the event's languages ----------------------------------------------------------------------

/**
 * `poll` with its prompt and option labels in `lang`: the translation where it has one (each text
 * on its own: an untranslated label stays the original), else the poll itself. Option ids stay.
 */
export function pollIn(poll: Poll, lang: string): Poll {
  const translation = poll.translations?.[lang];
  if (!translation) return poll;
  const labels = translation.options ?? [];
  return {
    ...poll,
    prompt: translation.prompt || poll.prompt,
    options: poll.options.map((option, index) => (labels[index] ? { ...option, label: labels[index] } : option)),
  };
}

/**
 * What a bilingual projector shows of a poll: the prompt in each language (once when they are the
 * same), and `poll` whose labels read "first / second" where they differ, as the projector's own
 * texts do (t()). Without a second language, the poll in `lang`.
 */
export function pollBilingual(poll: Poll, lang: string, alongside: string | null): { poll: Poll; prompts: { lang: string; text: string }[] } {
  const first = pollIn(poll, lang);
  if (!alongside || alongside === lang) return { poll: first, prompts: [{ lang, text: first.prompt }] };
  const second = pollIn(poll, alongside);
  const prompts = [{ lang, text: first.prompt }];
  if (second.prompt !== first.prompt) prompts.push({ lang: alongside, text: second.prompt });
  const options = first.options.map((option, index) => {
    const other = second.options[index]?.label;
    return other && other !== option.label ? { ...option, label: `${option.label} / ${other}` } : option;
  });
  return { poll: { ...first, options }, prompts };
}

// --- stance swing ------------------------------------------------------------------------------

/** A pair's options, by the order that matches positions across the two polls. */
function optionsFrom(counts: Record<string, number>, options: PollOption[] | undefined): PollOption[] {
  if (options?.length) return options;
  // Without the poll, the ids' order stands in for the option order (they are created in order).
  return Object.keys(counts)
    .map(Number)
    .sort((a, b) => a - b)
    .map((id) => ({ id, label: String(id) }));
}

export interface SwingRow {
  label: string;
  before: number;
  after: number;
  beforePercent: number;
  afterPercent: number;
}

export interface SwingMove {
  from: string;
  to: string;
  count: number;
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((total, n) => total + (typeof n === "number" ? n : 0), 0);
}

/** Before vs after, one row per position (labels of the after poll). */
export function swingRows(swing: Swing, beforeOptions?: PollOption[], afterOptions?: PollOption[]): SwingRow[] {
  const before = optionsFrom(swing.before_counts, beforeOptions);
  const after = optionsFrom(swing.after_counts, afterOptions);
  const beforeTotal = sum(swing.before_counts);
  const afterTotal = sum(swing.after_counts);
  return after.map((option, index) => {
    const beforeCount = before[index] ? (swing.before_counts[String(before[index].id)] ?? 0) : 0;
    const afterCount = swing.after_counts[String(option.id)] ?? 0;
    return {
      label: option.label,
      before: beforeCount,
      after: afterCount,
      beforePercent: percent(beforeCount, beforeTotal),
      afterPercent: percent(afterCount, afterTotal),
    };
  });
}

/** Who changed position, from the matrix: one line per move, the largest first. */
export function swingMoves(swing: Swing, beforeOptions?: PollOption[], afterOptions?: PollOption[]): SwingMove[] {
  const before = optionsFrom(swing.before_counts, beforeOptions);
  const after = optionsFrom(swing.after_counts, afterOptions);
  const moves: (SwingMove & { order: number })[] = [];
  for (const [fromId, row] of Object.entries(swing.matrix ?? {})) {
    const fromIndex = before.findIndex((option) => String(option.id) === fromId);
    for (const [toId, count] of Object.entries(row ?? {})) {
      const toIndex = after.findIndex((option) => String(option.id) === toId);
      if (!count || fromIndex < 0 || toIndex < 0 || fromIndex === toIndex) continue;
      moves.push({
        from: after[fromIndex]?.label ?? before[fromIndex].label,
        to: after[toIndex].label,
        count,
        order: fromIndex * 100 + toIndex,
      });
    }
  }
  return moves.sort((a, b) => b.count - a.count || a.order - b.order).map(({ from, to, count }) => ({ from, to, count }));
}

// --- the moderators' poll builder ----------------------------------------------------------------

/** Stance polls' positions: three, or a five-point scale. */
export const STANCE_THREE = ["Agree", "Undecided", "Disagree"];
export const STANCE_FIVE = ["Strongly agree", "Agree", "Undecided", "Disagree", "Strongly disagree"];

export interface PollDraft {
  kind: PollKind;
  prompt: string;
  session: number | null;
  options: string[];
  max_choices: number | null;
  scale: 5 | 10;
  phase: StancePhase;
  stance_pair: number | null;
  auto_open: boolean;
  /** By language, one for each of the event's other languages (none when it has one): "" shows the original. */
  translations: Record<string, TranslationDraft>;
}

export interface TranslationDraft {
  prompt: string;
  /** By the index of the option it translates. */
  options: string[];
}

/** `others`: the event's languages after its first, the poll's own. */
export function emptyDraft(session: number | null, others: readonly string[] = []): PollDraft {
  return {
    kind: "single", prompt: "", session, options: ["", ""], max_choices: null, scale: 5, phase: "before",
    stance_pair: null, auto_open: false,
    translations: Object.fromEntries(others.map((lang) => [lang, { prompt: "", options: [] }])),
  };
}

/** The builder's copy of an existing draft poll. */
export function draftOf(poll: Poll, others: readonly string[] = []): PollDraft {
  return {
    kind: poll.kind,
    prompt: poll.prompt,
    session: poll.session,
    options: poll.options.map((option) => option.label),
    max_choices: poll.max_choices,
    scale: poll.scale === 10 ? 10 : 5,
    phase: poll.phase ?? "before",
    stance_pair: poll.stance_pair,
    auto_open: poll.auto_open,
    translations: Object.fromEntries(others.map((lang) => {
      const held = poll.translations?.[lang];
      return [lang, { prompt: held?.prompt ?? "", options: poll.options.map((_, index) => held?.options?.[index] ?? "") }];
    })),
  };
}

/** The draft without option `index`, and without its translations. */
export function withoutOption(draft: PollDraft, index: number): PollDraft {
  const translations = Object.fromEntries(Object.entries(draft.translations).map(([lang, translation]) =>
    [lang, { ...translation, options: translation.options.filter((_, other) => other !== index) }]));
  return { ...draft, options: draft.options.filter((_, other) => other !== index), translations };
}

/** Whether a draft holds any translated text (the builder shows its translations open then). */
export function hasTranslations(draft: PollDraft): boolean {
  return Object.values(draft.translations).some((translation) => translation.prompt.trim() || translation.options.some((label) => label.trim()));
}

/** A translation's labels, one per option of the draft ("" for those left to the original). */
function translatedLabels(draft: PollDraft, translation: TranslationDraft): string[] {
  return hasOptions(draft.kind) ? draft.options.map((_, index) => (translation.options[index] ?? "").trim()) : [];
}

function hasOptions(kind: PollKind): boolean {
  return kind === "single" || kind === "multiple" || kind === "stance";
}

/** What the server would refuse, by field, so the builder says it before sending. */
export function draftProblems(draft: PollDraft): Record<string, string> {
  const problems: Record<string, string> = {};
  const length = promptLength(draft.prompt);
  if (length < PROMPT_MIN || length > PROMPT_MAX) problems.prompt = `Between ${PROMPT_MIN} and ${PROMPT_MAX} characters.`;
  if (hasOptions(draft.kind)) {
    const labels = draft.options.map((label) => label.trim());
    if (draft.kind === "stance" && labels.length !== 3 && labels.length !== 5) problems.options = "A stance poll has 3 or 5 positions.";
    else if (labels.length < OPTIONS_MIN || labels.length > OPTIONS_MAX) problems.options = `Between ${OPTIONS_MIN} and ${OPTIONS_MAX} options.`;
    else if (labels.some((label) => !label || [...label].length > OPTION_MAX)) problems.options = `Every option needs 1 to ${OPTION_MAX} characters.`;
    else if (new Set(labels.map((label) => label.toLowerCase())).size !== labels.length) problems.options = "Options must differ.";
  }
  if (draft.kind === "multiple" && draft.max_choices !== null && (draft.max_choices < 1 || draft.max_choices > draft.options.length)) {
    problems.max_choices = `Between 1 and ${draft.options.length}.`;
  }
  // Translations: the originals' limits; a label as shown (translated or not) differs from the others.
  for (const [lang, translation] of Object.entries(draft.translations)) {
    const prompt = promptLength(translation.prompt);
    if (prompt && (prompt < PROMPT_MIN || prompt > PROMPT_MAX)) problems[`translations.${lang}.prompt`] = `Between ${PROMPT_MIN} and ${PROMPT_MAX} characters.`;
    const labels = translatedLabels(draft, translation);
    const shown = labels.map((label, index) => (label || draft.options[index].trim()).toLowerCase());
    labels.forEach((label, index) => {
      const first = shown.indexOf(shown[index]);
      if ([...label].length > OPTION_MAX) problems[`translations.${lang}.options.${index}`] = `Every option needs 1 to ${OPTION_MAX} characters.`;
      // The translated one of the two is named (the originals differ already), as the server does.
      else if (first !== index) problems[`translations.${lang}.options.${label ? index : first}`] = "Options must differ.";
    });
  }
  return problems;
}

/** The fields of `poll.create` / `poll.update` for a draft (only those its kind uses). */
export function draftCommand(draft: PollDraft): Record<string, unknown> {
  const command: Record<string, unknown> = {
    kind: draft.kind,
    prompt: draft.prompt.replace(/\s+/g, " ").trim(),
    session: draft.session,
    auto_open: draft.auto_open,
  };
  if (hasOptions(draft.kind)) command.options = draft.options.map((label) => label.trim());
  // null clears (poll.update keeps what is not sent): an emptied "at most" or pair must be sent.
  if (draft.kind === "multiple") command.max_choices = draft.max_choices || null;
  if (draft.kind === "rating") command.scale = draft.scale;
  if (draft.kind === "stance") {
    command.phase = draft.phase;
    command.stance_pair = draft.stance_pair || null;
  }
  // Sent whole (an update replaces them all): an emptied translation goes.
  const languages = Object.entries(draft.translations);
  if (languages.length) {
    const translations: Record<string, { prompt: string; options: string[] }> = {};
    for (const [lang, translation] of languages) {
      const prompt = translation.prompt.replace(/\s+/g, " ").trim();
      const labels = translatedLabels(draft, translation);
      const options = labels.some(Boolean) ? labels : [];
      if (prompt || options.length) translations[lang] = { prompt, options };
    }
    command.translations = translations;
  }
  return command;
}

/** Stance polls of the other phase in the event: what a new stance poll may pair with. */
export function pairCandidates(state: LiveState, draft: PollDraft, self: number | null = null): Poll[] {
  return (state.polls ?? []).filter((poll) => poll.kind === "stance" && poll.phase !== draft.phase && poll.id !== self);
}
