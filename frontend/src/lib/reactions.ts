// Reactions: the totals the server coalesces (`reactions.updated`, the snapshot's `reactions`),
// and the burst the screen and the stage draw from the change of totals between two updates.
import { N_ } from "./i18n";
import { REACTION_KINDS } from "./protocol.gen";
import type { LiveState, PushedEvent } from "./types";
import { isObject, sameValue } from "./values";

export { REACTION_KINDS };
export type ReactionKind = (typeof REACTION_KINDS)[number];
/** A session's totals by kind, room and online added up. */
export type ReactionCounts = Record<ReactionKind, number>;
type ModeCounts = { room: number; online: number };
type SessionReactions = Record<string, Record<string, ModeCounts>>;

/** Each kind's name, for the buttons' accessible names and the totals' labels. */
export const REACTION_NAMES: Record<ReactionKind, string> = {
  applause: N_("Applause"),
  like: N_("Like"),
  love: N_("Love"),
  laugh: N_("Laugh"),
  think: N_("Thought-provoking"),
};

/** At most this many emoji float for one update, whatever the hall's number: a burst never
 * costs the projector more than a dozen DOM nodes an update. */
export const BURST_MAX = 12;

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function readSession(value: unknown): Record<string, ModeCounts> | null {
  if (!isObject(value)) return null;
  const kinds: Record<string, ModeCounts> = {};
  for (const [kind, counts] of Object.entries(value)) {
    if (!isObject(counts) || !isCount(counts.room) || !isCount(counts.online)) return null;
    kinds[kind] = { room: counts.room, online: counts.online };
  }
  return kinds;
}

/** `reactions.updated`: each session named replaces what the client held for it (absolute totals). */
export function reduceReactions(state: LiveState, event: PushedEvent): LiveState {
  if (event.type !== "reactions.updated" || !isObject(event.data) || !isObject(event.data.sessions)) return state;
  const held: SessionReactions = (state.reactions as SessionReactions | undefined) ?? {};
  let next: SessionReactions | null = null;
  for (const [session, value] of Object.entries(event.data.sessions)) {
    const kinds = readSession(value);
    if (!kinds || sameValue(held[session], kinds)) continue;
    next ??= { ...held };
    next[session] = kinds;
  }
  return next ? { ...state, reactions: next } : state;
}

/** A session's totals per kind (room and online added up), every kind present, 0 when none; null
 * before the snapshot told them (the page's first paint knows the programme only). */
export function reactionCounts(state: LiveState, session: number | null | undefined): ReactionCounts | null {
  const held = state.reactions as SessionReactions | undefined;
  if (!held) return null;
  const kinds = session == null ? undefined : held[String(session)];
  const counts = Object.fromEntries(REACTION_KINDS.map((kind) => [kind, 0])) as ReactionCounts;
  for (const kind of REACTION_KINDS) {
    const held = kinds?.[kind];
    if (held) counts[kind] = held.room + held.online;
  }
  return counts;
}

/** How many emoji float for `added` new reactions: one each up to 6, then slower, at most BURST_MAX. */
export function burstSize(added: number): number {
  if (added <= 0) return 0;
  if (added <= 6) return added;
  return Math.min(BURST_MAX, Math.round(6 + 1.5 * Math.log2(added / 6)));
}

/**
 * The emoji to float between two totals of one session: `burstSize` of the reactions added, shared
 * between the kinds in proportion (largest remainders; every kind that grew gets one while there
 * are enough). Nothing for the first totals seen (`before` null) or totals that went down (a purge).
 */
export function burst(before: ReactionCounts | null, after: ReactionCounts | null): ReactionKind[] {
  if (!before || !after) return [];
  const added = REACTION_KINDS.map((kind) => ({ kind, n: Math.max(0, after[kind] - before[kind]) })).filter((entry) => entry.n > 0);
  const total = added.reduce((sum, entry) => sum + entry.n, 0);
  const size = burstSize(total);
  if (!size) return [];
  added.sort((a, b) => b.n - a.n);
  const shares = added.map((entry) => ({ ...entry, take: Math.max(size >= added.length ? 1 : 0, Math.floor((entry.n / total) * size)) }));
  let left = size - shares.reduce((sum, entry) => sum + entry.take, 0);
  // The ones given to small kinds went over: the largest kinds give some back.
  for (let i = 0; left < 0 && i < shares.length; i++) {
    const back = Math.min(shares[i].take - 1, -left);
    shares[i].take -= back;
    left += back;
  }
  const byRemainder = [...shares].sort((a, b) => ((b.n / total) * size) % 1 - ((a.n / total) * size) % 1);
  for (let i = 0; left > 0; i = (i + 1) % byRemainder.length, left--) byRemainder[i].take += 1;
  return shares.flatMap((entry) => Array<ReactionKind>(entry.take).fill(entry.kind));
}
