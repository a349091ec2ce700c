// Payloads of the wire contract as the pages use them: generated from the server's schema
// (docs/protocol.schema.json → protocol.gen.ts), only named and narrowed here.
import type { ErrorBody, EventFrame, Poll, PollAnswer, Protocol, Question, Session, Snapshot } from "./protocol.gen";

export type {
  AuditEntry,
  EventInfo,
  Participant,
  Poll,
  PollAnswer,
  PollOption,
  PollResponse,
  PollResults,
  Presence,
  Question,
  Room,
  Session,
  SimilarQuestion,
  Speaker,
  Swing,
  Note,
  Timer,
} from "./protocol.gen";

export type SessionStatus = Session["status"];
export type SessionKind = Session["kind"];
export type Role = Snapshot["you"]["role"];
export type Mode = NonNullable<Snapshot["you"]["participant"]>["mode"];
export type QuestionState = Question["state"];
export type ModerationAction = Protocol["commands"]["question.moderate"]["action"];
export type PollKind = Poll["kind"];
export type PollState = Poll["state"];
export type StancePhase = NonNullable<Poll["phase"]>;
export type AnswerState = PollAnswer["state"];
/** Counts by option id (choice, stance), by value (rating) or by word (word cloud). */
export type PollCounts = Record<string, number>;

/** The `data` of a snapshot: everything this client may see. The page's first state (before the
 * socket's snapshot) has the programme only. */
export type LiveState = Omit<Snapshot, "questions" | "polls" | "results" | "server_time"> &
  Partial<Pick<Snapshot, "questions" | "polls" | "results" | "server_time">> & { [key: string]: unknown };

/** A command's `data`, by type. */
export type CommandData<T extends keyof Protocol["commands"]> = Protocol["commands"][T];
/** An event's `data`, by type (the union of its copies on each stream). */
export type EventData<T extends keyof Protocol["events"]> = Protocol["events"][T];

/** A pushed event of a stream; reducers narrow `data` by `type` (see `EventData`). */
export interface PushedEvent {
  type: EventFrame["type"] | (string & {});
  stream: string;
  seq: number;
  data: any;
}

/** An error frame's body; the client adds codes of its own (`closed`: the socket is gone). */
export type CommandErrorBody = Omit<ErrorBody, "code"> & { code: ErrorBody["code"] | (string & {}) };
