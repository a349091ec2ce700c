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

/** The `data` of a snapshot: everything this client may see. */
export interface LiveState {
  event: EventInfo;
  sessions: Session[];
  you: { role: Role; participant: Participant | null };
  presence: Presence;
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
