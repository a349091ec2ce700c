// The one socket client every page uses: keeps the live state in sync with the server
// (snapshot, pushed events, replay after a reconnect) and carries commands with `ref`s
// that survive reconnects. Wire contract: docs/protocol.md.
import { writable, type Readable, type Writable } from "svelte/store";
import type { CommandQueue } from "./offline";
import type { CommandErrorBody, PushedEvent } from "./types";
import { isObject } from "./values";

export type ConnectionState =
  | { status: "connecting" }
  | { status: "connected" } // snapshot or synced received
  | { status: "reconnecting"; attempt: number; retryAt: number } // retryAt: epoch ms of the next try
  | { status: "offline" } // the browser says offline: wait for "online"
  | { status: "closed"; code: number; reason: string }; // terminal (a refusal: CloseCode), or stop()

/** A command refused by the server (an `error` frame), or abandoned because the client closed. */
export class CommandError extends Error {
  readonly code: string;
  readonly fields: Record<string, string>;
  /** Seconds to wait before retrying (`rate_limited` only), else null. */
  readonly retryAfter: number | null;

  constructor(body: CommandErrorBody) {
    super(body.message);
    this.name = "CommandError";
    this.code = body.code;
    this.fields = body.fields ?? {};
    this.retryAfter = typeof body.retry_after === "number" ? body.retry_after : null;
  }
}

/** A kept command the server refused: its type and data as typed, and the server's reason. */
export interface RefusedCommand {
  ref: string;
  type: string;
  data: Record<string, unknown>;
  code: string;
  message: string;
}

function refusedCommand(item: { ref: string; frame: string }, error: CommandError): RefusedCommand {
  const frame = JSON.parse(item.frame) as { type: string; data?: Record<string, unknown> };
  return { ref: item.ref, type: frame.type, data: frame.data ?? {}, code: error.code, message: error.message };
}

export interface OnlineEvents {
  online: () => boolean;
  subscribe(onChange: (online: boolean) => void): () => void;
}

export interface LiveOptions<S> {
  /** Full ws(s) URL including ?token= or ?key= (never since/epoch: the client adds them). */
  url: string;
  /** Applies one pushed event; returns a NEW state object (or the same one if nothing changed). */
  reduce: (state: S, event: PushedEvent) => S;
  /** State embedded in the page for the first paint, shown until the snapshot arrives. */
  initial?: S | null;
  WebSocketImpl?: { new (url: string): WebSocket };
  random?: () => number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  onlineEvents?: OnlineEvents;
  /** Keeps each command until it is answered, so that it is sent after a reload (same `ref`). */
  queue?: CommandQueue;
}

/** The server's frame limit (docs/protocol.md, Limits): 64 KiB of UTF-8. */
export const MAX_FRAME_BYTES = 64 * 1024;

/** The server's close codes (docs/protocol.md, Close codes). */
export const CloseCode = {
  /** Reconnect at once and replay with `since` (lost sync, a slow client, a restart). */
  ReconnectNow: 4000,
  /** No, unknown or revoked credentials. */
  Unauthorised: 4401,
  /** Signed in, but without a role on this event. */
  NoRole: 4403,
  /** No such event (or socket path). */
  NotFound: 4404,
} as const;

/** Close codes after which reconnecting cannot help: the client stops, its state `closed` with the code. */
export const REFUSALS: ReadonlySet<number> = new Set([CloseCode.Unauthorised, CloseCode.NoRole, CloseCode.NotFound]);
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 30_000;
const OPEN = 1; // WebSocket.OPEN, spelled out so fakes without the static constants work
/** Kept commands older than this are dropped unsent: the server remembers a `ref` for a day
 * (LIVEHUB_RECEIPT_HOURS), and one sent later could be applied twice. */
export const QUEUE_MAX_AGE_MS = 12 * 3600_000;

interface Command {
  /** The frame's text, made once: every (re)send of the command is the same frame. */
  frame: string;
  resolve: (value: any) => void;
  reject: (error: CommandError) => void;
  /** Sent on the current socket: not sent again until that socket is gone. */
  sent: boolean;
  /** Times it was sent again after `unavailable`. */
  retries: number;
  /** Of the moment (a reaction): never kept for later, dropped with the socket it went out on. */
  transient?: boolean;
}

/** `unavailable` (the database did not answer) is retried with the same ref, which is safe,
 * this many times, half a second then one then two later, before the user is told. */
const UNAVAILABLE_RETRIES = 3;

function isSeq(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function readSeqs(value: unknown): Record<string, number> | null {
  if (!isObject(value)) return null;
  const seqs: Record<string, number> = {};
  for (const [stream, seq] of Object.entries(value)) {
    if (!isSeq(seq)) return null;
    seqs[stream] = seq;
  }
  return seqs;
}

function defaultOnlineEvents(): OnlineEvents {
  if (typeof window === "undefined" || typeof navigator === "undefined") {
    return { online: () => true, subscribe: () => () => {} };
  }
  return {
    // onLine is only trustworthy when it says false; undefined counts as online.
    online: () => navigator.onLine !== false,
    subscribe(onChange) {
      const up = () => onChange(true);
      const down = () => onChange(false);
      window.addEventListener("online", up);
      window.addEventListener("offline", down);
      return () => {
        window.removeEventListener("online", up);
        window.removeEventListener("offline", down);
      };
    },
  };
}

/**
 * The per-client half of every `ref`. Refs are remembered per sender identity, which several
 * clients may share (one token in two tabs), so the prefix must be random, not just the counter.
 */
function refPrefix(random: () => number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = new Uint8Array(12);
  if (typeof globalThis.crypto?.getRandomValues === "function") globalThis.crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join("");
}

export class LiveClient<S extends { presence?: unknown }> {
  readonly state: Readable<S | null>;
  readonly connection: Readable<ConnectionState>;
  readonly synced: Readable<boolean>;
  /** Commands kept in the queue and not answered yet (they survive a reload). */
  readonly unsent: Readable<number>;
  /** Commands a previous page kept that the server refused once sent: what was typed, and why. */
  readonly refusedKept: Readable<RefusedCommand[]>;

  private readonly options: LiveOptions<S>;
  private readonly stateStore: Writable<S | null>;
  private readonly connectionStore: Writable<ConnectionState>;
  private readonly syncedStore: Writable<boolean>;
  private readonly unsentStore = writable(0);
  private readonly refusedKeptStore = writable<RefusedCommand[]>([]);
  /** The refs written to the queue and not answered yet. */
  private readonly kept = new Set<string>();
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private readonly onlineEvents: OnlineEvents;

  private current: S | null;
  private connectionValue: ConnectionState = { status: "connecting" };
  private socket: WebSocket | null = null;
  private isSynced = false;
  private running = false;
  private timer: unknown = null;
  private unsubscribeOnline: (() => void) | null = null;
  /** Consecutive connection attempts without reaching snapshot/synced. */
  private attempt = 0;
  private epoch: string | null = null;
  private seqs: Record<string, number> = {};
  // Map keeps insertion order: resends go out in the order the commands were made.
  private readonly commands = new Map<string, Command>();
  private readonly prefix: string;
  private counter = 0;

  constructor(options: LiveOptions<S>) {
    this.options = options;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((handle) => globalThis.clearTimeout(handle as any));
    this.onlineEvents = options.onlineEvents ?? defaultOnlineEvents();
    this.current = options.initial ?? null;
    this.stateStore = writable(this.current);
    this.connectionStore = writable<ConnectionState>({ status: "connecting" });
    this.syncedStore = writable(false);
    this.state = { subscribe: this.stateStore.subscribe };
    this.connection = { subscribe: this.connectionStore.subscribe };
    this.synced = { subscribe: this.syncedStore.subscribe };
    this.unsent = { subscribe: this.unsentStore.subscribe };
    this.refusedKept = { subscribe: this.refusedKeptStore.subscribe };
    this.prefix = refPrefix(this.random);
  }

  /** Connects (or waits for the network). Calling it again while running does nothing. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.unsubscribeOnline = this.onlineEvents.subscribe((online) => this.onOnlineChange(online));
    this.restore();
    if (this.onlineEvents.online()) this.connect();
    else this.goOffline();
  }

  /** Closes for good: no reconnect, timers cleared, unacknowledged commands rejected. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.unsubscribeOnline?.();
    this.unsubscribeOnline = null;
    this.cancelTimer();
    this.dropSocket();
    this.setConnection({ status: "closed", code: 1000, reason: "stopped" });
    this.rejectAll("The connection was closed.");
  }

  /** Skips the rest of a backoff wait (e.g. a "retry now" button). */
  retryNow(): void {
    if (!this.running || this.socket || !this.onlineEvents.online()) return;
    this.cancelTimer();
    this.connect();
  }

  /**
   * Sends a command; resolves with the `ok` frame's data, rejects with a CommandError.
   * While the socket is not synced the command waits and goes out after the next snapshot/synced.
   * A `transient` command (a reaction: of the moment) does not wait: without a synced socket, or
   * when the socket goes before the reply, it is refused with the code `offline`, and it is never
   * kept on the device.
   */
  send<T = any>(type: string, data: Record<string, unknown> = {}, { transient = false }: { transient?: boolean } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (!this.running && this.connectionValue.status === "closed") {
        reject(new CommandError({ code: "closed", message: "The connection is closed." }));
        return;
      }
      if (transient && !this.isSynced) {
        reject(new CommandError({ code: "offline", message: "Not connected: this was not sent." }));
        return;
      }
      this.counter += 1;
      const ref = `${this.prefix}-${this.counter}`;
      const frame = JSON.stringify({ type, ref, data });
      // The server answers an oversized frame without its ref (it did not read it): such a command
      // would never settle. Refuse it here, as the server would (a UTF-16 unit is at most 3 bytes).
      if (frame.length * 3 > MAX_FRAME_BYTES && new TextEncoder().encode(frame).length > MAX_FRAME_BYTES) {
        reject(new CommandError({ code: "too_large", message: "This is too long to send." }));
        return;
      }
      const command: Command = { frame, resolve, reject, sent: false, retries: 0, transient };
      this.commands.set(ref, command);
      if (!transient) this.keep(ref, frame);
      if (this.isSynced) this.transmit(command);
    });
  }

  /** Commands not acknowledged yet (sent and waiting, or queued). */
  pending(): number {
    return this.commands.size;
  }

  // --- connection ------------------------------------------------------------------------

  private setConnection(value: ConnectionState): void {
    this.connectionValue = value;
    this.connectionStore.set(value);
  }

  private setSynced(value: boolean): void {
    if (this.isSynced === value) return;
    this.isSynced = value;
    this.syncedStore.set(value);
  }

  /** The socket URL with the positions we hold, so the server can replay instead of snapshot. */
  private socketUrl(): string {
    const url = this.options.url;
    if (this.epoch === null) return url;
    const streams = Object.entries(this.seqs);
    if (streams.length === 0) return url;
    const since = streams.map(([stream, seq]) => `${stream}:${seq}`).join(",");
    const separator = url.includes("?") ? "&" : "?";
    return `${url}${separator}since=${encodeURIComponent(since)}&epoch=${encodeURIComponent(this.epoch)}`;
  }

  private connect(): void {
    this.cancelTimer();
    this.dropSocket();
    // A backoff retry keeps showing "reconnecting"; anything else is a plain "connecting".
    if (this.connectionValue.status !== "reconnecting") this.setConnection({ status: "connecting" });
    const Impl = this.options.WebSocketImpl ?? globalThis.WebSocket;
    let socket: WebSocket;
    try {
      socket = new Impl(this.socketUrl());
    } catch (error) {
      // A bad URL or a missing WebSocket: treat like a failed attempt rather than throwing.
      console.warn("LiveHub: could not open the socket", error);
      this.scheduleReconnect(false);
      return;
    }
    this.socket = socket;
    socket.onmessage = (event: MessageEvent) => {
      if (this.socket === socket) this.onMessage(event.data);
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.socket === socket) this.onClose(event.code, event.reason);
    };
    // Errors are always followed by a close event; that is where we act.
    socket.onerror = () => {};
  }

  /** Forgets the current socket and closes it; its late events are ignored. */
  private dropSocket(reason = "client closed"): void {
    const socket = this.socket;
    this.socket = null;
    this.setSynced(false);
    this.markUnsent();
    if (!socket) return;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
    try {
      socket.close(1000, reason);
    } catch {
      // Already closing or closed: nothing to do.
    }
  }

  private onClose(code: number, reason: string): void {
    this.socket = null;
    this.setSynced(false);
    this.markUnsent();
    if (!this.running) return;
    if (REFUSALS.has(code)) {
      this.running = false;
      this.unsubscribeOnline?.();
      this.unsubscribeOnline = null;
      this.setConnection({ status: "closed", code, reason: reason ?? "" });
      this.rejectAll(reason || "The connection was refused.");
      return;
    }
    if (!this.onlineEvents.online()) {
      this.goOffline();
      return;
    }
    this.scheduleReconnect(code === CloseCode.ReconnectNow);
  }

  /**
   * Immediate reconnects (4000, a gap) are only taken right after a synced connection, so a
   * server that keeps failing before the sync cannot make us spin: it gets the backoff instead.
   */
  private scheduleReconnect(immediate: boolean): void {
    this.cancelTimer();
    this.attempt += 1;
    if (immediate && this.attempt === 1) {
      this.connect();
      return;
    }
    const delay = this.backoffDelay(this.attempt);
    this.setConnection({ status: "reconnecting", attempt: this.attempt, retryAt: this.now() + delay });
    this.timer = this.setTimer(() => {
      this.timer = null;
      if (this.running) this.connect();
    }, delay);
  }

  /** 500 ms doubling up to 30 s, times a factor in [0.5, 1) so clients do not return in a herd. */
  private backoffDelay(attempt: number): number {
    const base = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
    const r = Math.min(Math.max(this.random(), 0), 0.999999);
    return Math.floor(base * (0.5 + r / 2)); // floor keeps it strictly below the base
  }

  private cancelTimer(): void {
    if (this.timer !== null) {
      this.clearTimer(this.timer);
      this.timer = null;
    }
  }

  private goOffline(): void {
    this.cancelTimer();
    this.dropSocket("offline");
    this.setConnection({ status: "offline" });
  }

  private onOnlineChange(online: boolean): void {
    if (!this.running) return;
    if (!online) {
      this.goOffline();
    } else if (!this.socket) {
      // The network is back: whatever the backoff said, try now.
      this.attempt = 0;
      this.connect();
    }
  }

  // --- frames ----------------------------------------------------------------------------

  private onMessage(raw: unknown): void {
    if (typeof raw !== "string") {
      console.warn("LiveHub: ignoring a non-text frame");
      return;
    }
    let frame: unknown;
    try {
      frame = JSON.parse(raw);
    } catch {
      console.warn("LiveHub: ignoring a frame that is not JSON", raw.slice(0, 200));
      return;
    }
    if (!isObject(frame) || typeof frame.type !== "string") {
      console.warn("LiveHub: ignoring a frame without a type", frame);
      return;
    }
    switch (frame.type) {
      case "snapshot":
        return this.onSnapshot(frame);
      case "synced":
        return this.onSyncedFrame(frame);
      case "ok":
        return this.onReply(frame, true);
      case "error":
        return this.onReply(frame, false);
      case "presence":
        return this.onPresence(frame);
      default:
        if (typeof frame.stream === "string" && isSeq(frame.seq) && frame.seq > 0) {
          return this.onEvent(frame as PushedEvent);
        }
        console.warn("LiveHub: ignoring an unknown frame", frame);
    }
  }

  private onSnapshot(frame: Record<string, any>): void {
    const seqs = readSeqs(frame.seqs);
    if (!seqs || typeof frame.epoch !== "string" || !isObject(frame.data)) {
      console.warn("LiveHub: ignoring a malformed snapshot", frame);
      return;
    }
    this.epoch = frame.epoch;
    this.seqs = seqs;
    this.setState(frame.data as S);
    this.onSynced();
  }

  private onSyncedFrame(frame: Record<string, any>): void {
    const seqs = readSeqs(frame.seqs);
    if (!seqs) {
      console.warn("LiveHub: ignoring a malformed synced frame", frame);
      return;
    }
    // The contract's short form of `synced` may omit the epoch: it is then unchanged.
    if (typeof frame.epoch === "string") this.epoch = frame.epoch;
    this.seqs = { ...this.seqs, ...seqs };
    this.onSynced();
  }

  /** The socket now holds everything: mark it connected and flush the unacknowledged commands. */
  private onSynced(): void {
    this.attempt = 0;
    this.setSynced(true);
    this.setConnection({ status: "connected" });
    for (const command of this.commands.values()) {
      if (!command.sent) this.transmit(command);
    }
  }

  private onEvent(event: PushedEvent): void {
    if (this.epoch === null || this.current === null) {
      // Nothing to apply it to before the first snapshot; the snapshot will contain it.
      console.warn("LiveHub: ignoring an event before the snapshot", event.type);
      return;
    }
    const last = this.seqs[event.stream] ?? 0;
    if (event.seq <= last) return; // Already applied (a replay overlapping live delivery).
    if (event.seq > last + 1) {
      // Missed events: applying this one would skip them. Replay from what we hold.
      console.warn(`LiveHub: gap in ${event.stream} (${last} → ${event.seq}), resyncing`);
      this.dropSocket("gap");
      this.scheduleReconnect(true);
      return;
    }
    this.seqs = { ...this.seqs, [event.stream]: event.seq };
    try {
      this.setState(this.options.reduce(this.current, event));
    } catch (error) {
      // A payload the reducer cannot read: skip it rather than loop on replays of it.
      console.warn("LiveHub: could not apply an event", event, error);
    }
  }

  private onPresence(frame: Record<string, any>): void {
    if (!isObject(frame.data)) {
      console.warn("LiveHub: ignoring a malformed presence frame", frame);
      return;
    }
    if (this.current === null) return;
    this.setState({ ...this.current, presence: frame.data });
  }

  private onReply(frame: Record<string, any>, ok: boolean): void {
    const ref = frame.ref;
    if (typeof ref !== "string") {
      // Replies to commands without a ref, or errors about unreadable frames: not ours to settle.
      if (!ok) console.warn("LiveHub: server error without a ref", frame.error);
      return;
    }
    const command = this.commands.get(ref);
    if (!command) return; // A late duplicate reply to a command already settled.
    const body = isObject(frame.error) ? frame.error : {};
    if (!ok && body.code === "unavailable" && command.retries < UNAVAILABLE_RETRIES) {
      command.retries += 1;
      command.sent = false; // a reconnect meanwhile sends it after the sync instead
      this.setTimer(() => {
        if (this.commands.get(ref) === command && !command.sent && this.isSynced) this.transmit(command);
      }, 500 * 2 ** (command.retries - 1));
      return;
    }
    this.commands.delete(ref);
    this.forget(ref);
    if (ok) {
      command.resolve(frame.data);
      return;
    }
    command.reject(
      new CommandError({
        code: typeof body.code === "string" ? body.code : "internal",
        message: typeof body.message === "string" ? body.message : "The command failed.",
        fields: isObject(body.fields) ? body.fields : undefined,
        retry_after: typeof body.retry_after === "number" ? body.retry_after : undefined,
      }),
    );
  }

  // --- helpers ---------------------------------------------------------------------------

  private setState(next: S): void {
    if (next === this.current) return;
    this.current = next;
    this.stateStore.set(next);
  }

  private transmit(command: Command): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return;
    try {
      socket.send(command.frame);
      command.sent = true;
    } catch (error) {
      // The socket is going away; its close will bring a resend after the next sync.
      console.warn("LiveHub: could not send a command", error);
    }
  }

  /** The socket is gone: replies to what it carried will never come, so resend after the sync
   * (transient commands are dropped instead: a reaction sent later is no longer one). */
  private markUnsent(): void {
    for (const [ref, command] of [...this.commands]) {
      command.sent = false;
      if (command.transient) {
        this.commands.delete(ref);
        command.reject(new CommandError({ code: "offline", message: "The connection was lost: this was not sent." }));
      }
    }
  }

  // --- the kept queue --------------------------------------------------------------------

  /** The commands a previous page left unanswered: sent after the sync, as they were made. */
  private restore(): void {
    const queue = this.options.queue;
    if (!queue) return;
    queue.load().then(
      (saved) => {
        if (!this.running) return;
        for (const item of [...saved].sort((a, b) => a.at - b.at)) {
          if (this.commands.has(item.ref)) continue;
          if (this.now() - item.at > QUEUE_MAX_AGE_MS) {
            void queue.remove(item.ref).catch(() => {});
            continue;
          }
          // Nobody waits for its reply any more: the page learns the outcome from the events, and
          // a refusal is kept for the page to show, so that what was typed is not lost.
          const command: Command = {
            frame: item.frame,
            resolve: () => {},
            reject: (error) => this.refusedKeptStore.update((refused) => [...refused, refusedCommand(item, error)]),
            sent: false,
            retries: 0,
          };
          this.commands.set(item.ref, command);
          this.kept.add(item.ref);
          if (this.isSynced) this.transmit(command);
        }
        this.unsentStore.set(this.kept.size);
      },
      (error) => console.warn("LiveHub: the kept commands could not be read", error),
    );
  }

  private keep(ref: string, frame: string): void {
    const queue = this.options.queue;
    if (!queue) return;
    queue.save({ ref, frame, at: this.now() }).then(
      () => {
        if (!this.commands.has(ref)) {
          void queue.remove(ref).catch(() => {}); // answered while it was being written
          return;
        }
        this.kept.add(ref);
        this.unsentStore.set(this.kept.size);
      },
      (error) => console.warn("LiveHub: a command could not be kept for later", error),
    );
  }

  /** The page showed a refused kept command and the person dealt with it. */
  dismissRefused(ref: string): void {
    this.refusedKeptStore.update((refused) => refused.filter((command) => command.ref !== ref));
  }

  private forget(ref: string): void {
    const queue = this.options.queue;
    if (!queue) return;
    this.kept.delete(ref);
    this.unsentStore.set(this.kept.size);
    void queue.remove(ref).catch((error) => console.warn("LiveHub: a sent command could not be forgotten", error));
  }

  private rejectAll(message: string): void {
    const commands = [...this.commands.values()];
    this.commands.clear();
    for (const command of commands) command.reject(new CommandError({ code: "closed", message }));
  }
}
