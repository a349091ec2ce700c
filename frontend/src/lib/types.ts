// Payloads of the wire contract (docs/protocol.md) as the pages use them.

export type SessionStatus = "scheduled" | "live" | "paused" | "ended";
export type SessionKind = "talk" | "roundtable" | "debate" | "break";
export type Role = "attendee" | "moderator" | "speaker" | "screen";
export type Mode = "room" | "online";

export interface Speaker {
  id: number;
  name: string;
  affiliation: string;
}

export interface Session {
  id: number;
  title: string;
  description: string;
  kind: SessionKind;
  room: string;
  starts_at: string;
  ends_at: string;
  status: SessionStatus;
  status_changed_at: string | null;
  started_at: string | null;
  ended_at: string | null;
  stream_url: string | null;
  order: number;
  speakers: Speaker[];
}

export interface EventInfo {
  code: string;
  name: string;
  organiser: string;
  venue: string;
  city: string;
  timezone: string;
  starts_on: string;
  ends_on: string;
  online: boolean;
  current_session: number | null;
  moderation: { auto_approve: boolean; require_names: boolean; allow_self_votes: boolean };
  /** The livestream's latency in seconds: online participants may answer a closed poll this long. */
  stream_delay?: number;
}

export interface Participant {
  id: string;
  name: string | null;
  mode: Mode;
}

export interface Presence {
  room: number;
  online: number;
}

export type QuestionState = "pending" | "approved" | "rejected" | "answered" | "archived";

/** A duplicate hint for moderators: a question of the same session that reads alike. */
export interface SimilarQuestion {
  id: number;
  text: string;
  votes: number;
}

export interface Question {
  id: number;
  session: number;
  text: string;
  /** The author's name, or null when asked anonymously. */
  author: string | null;
  state: QuestionState;
  votes: number;
  highlighted: boolean;
  edited: boolean;
  created_at: string;
  answered_at: string | null;
  merged_into: number | null;
  // Per viewer: in the snapshot, possibly absent from pushed copies (kept when merging).
  /** This participant upvoted it. */
  voted?: boolean;
  /** This participant asked it. */
  mine?: boolean;
  /** Why a moderator rejected it (the author's and moderators' copies only). */
  rejection_reason?: string | null;
  // Moderator sockets only.
  flagged?: boolean;
  flagged_words?: string[];
  original_text?: string | null;
  similar?: SimilarQuestion[];
}

/** One line of the moderation log (moderators only). */
export interface AuditEntry {
  id: number;
  question: number | null;
  action: string;
  actor: string;
  detail: Record<string, unknown>;
  created_at: string;
}

export type PollKind = "single" | "multiple" | "rating" | "wordcloud" | "text" | "stance";
export type PollState = "draft" | "open" | "closed";
export type StancePhase = "before" | "after";

export interface PollOption {
  id: number;
  label: string;
}

export interface Poll {
  id: number;
  /** null: a poll of the whole event. */
  session: number | null;
  kind: PollKind;
  prompt: string;
  /** Empty for rating, word cloud and open text. */
  options: PollOption[];
  state: PollState;
  results_visible: boolean;
  on_screen: boolean;
  max_choices: number | null;
  /** Ratings only: answers are 1..scale (5 or 10). */
  scale: number | null;
  /** Stance polls: the other poll of the pair. */
  stance_pair: number | null;
  phase: StancePhase | null;
  opened_at: string | null;
  closed_at: string | null;
  /** After a close, online participants may still answer until then (the livestream's delay). */
  grace_until: string | null;
  auto_open: boolean;
  order: number;
}

/** Counts by option id (choice, stance), by value (rating) or by word (word cloud). */
export type PollCounts = Record<string, number>;

export type AnswerState = "pending" | "approved" | "rejected";

/** An open-text answer: moderators see every state, everyone else only approved ones. */
export interface PollAnswer {
  id: number;
  text: string;
  state: AnswerState;
}

/** How the positions moved between the two polls of a stance pair (on the after poll's results). */
export interface Swing {
  before: number;
  after: number;
  /** Participants who answered both polls. */
  participants: number;
  /** Of them, those who changed position. */
  moved: number;
  /** before option id → after option id → participants. */
  matrix: Record<string, Record<string, number>>;
  before_counts: PollCounts;
  after_counts: PollCounts;
}

export interface PollResults {
  poll: number;
  /** Participants who answered. */
  total: number;
  counts: PollCounts;
  split: { room: { total: number; counts: PollCounts }; online: { total: number; counts: PollCounts } };
  /** Ratings: the mean (2 decimals), null without answers. */
  mean?: number | null;
  /** Ratings: every value 1..scale → answers. */
  distribution?: PollCounts;
  /** Word clouds: the top 50 words by count, then alphabetically. */
  words?: [string, number][];
  /** Open text. */
  answers?: PollAnswer[];
  /** The after poll of a closed stance pair. */
  swing?: Swing;
}

/** A participant's own answer to a poll: exactly one of the fields, by kind. */
export interface PollResponse {
  options?: number[];
  value?: number;
  text?: string;
  /** Open text: whether a moderator showed the answer with the results. */
  review?: "pending" | "approved" | "rejected";
}

/** The `data` of a snapshot: everything this client may see. */
export interface LiveState {
  event: EventInfo;
  sessions: Session[];
  you: { role: Role; participant: Participant | null };
  presence: Presence;
  /** The questions this client may see (absent from snapshots of servers without Q&A). */
  questions?: Question[];
  /** Moderators only: the moderation log, newest first, at most 100 entries. */
  audit?: AuditEntry[];
  /** Polls: every poll but drafts (moderators: all). */
  polls?: Poll[];
  /** Results by poll id (moderators: all polls; others: polls whose results are visible). */
  results?: Record<string, PollResults>;
  /** Participants: their own answers by poll id. */
  responses?: Record<string, PollResponse>;
  [key: string]: unknown;
}

/** A pushed event of a stream. */
export interface PushedEvent {
  type: string;
  stream: string;
  seq: number;
  data: any;
}

export interface CommandErrorBody {
  code: string;
  message: string;
  fields?: Record<string, string>;
  retry_after?: number;
}
