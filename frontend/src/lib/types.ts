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
