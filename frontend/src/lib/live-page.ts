// How every page starts: one live client from the page's bootstrap, its state and connection as
// stores that outlive a change of client (an attendee who joins afresh), what a socket closed
// for good means to the page, and the teardown with the page.
import { onDestroy } from "svelte";
import { derived, type Readable, writable } from "svelte/store";
import { type Bootstrap, socketUrl } from "./bootstrap";
import { language } from "./i18n";
import { t } from "./i18n";
import { type ConnectionState, LiveClient, type LiveOptions, REFUSALS, type RefusedCommand } from "./live";
import { idbQueue, loadLastState, saveLastState } from "./offline";
import { reduceLive } from "./reducers";
import { measureServerClock } from "./server-clock";
import type { LiveState } from "./types";

/**
 * Who the socket is for: a staff role link's key (else the login cookie), an attendee's token;
 * and the slug of the room it follows (counted in that room's presence).
 */
export type Credentials = { key?: string | null; token?: string | null; room?: string | null };

export interface LivePageOptions {
  /** The server refused the socket for good (one of `REFUSALS`; never for the page's own stop). */
  onClosed?: (code: number) => void;
  /** Stand-ins for the browser's socket, clock and network (tests). */
  client?: Partial<Omit<LiveOptions<LiveState>, "url" | "reduce" | "initial">>;
}

export class LivePage {
  /** What the server last sent; null until a socket was opened. */
  readonly live: Readable<LiveState | null>;
  /** What the page shows: the live state, else the state embedded in the page. */
  readonly view: Readable<LiveState>;
  readonly connection: Readable<ConnectionState>;
  /** Snapshot or replay received: commands go out at once. */
  readonly synced: Readable<boolean>;
  /** Commands kept on this device until the server answers them (see `connect`'s `keep`). */
  readonly unsent: Readable<number>;
  /** Kept commands of an earlier page the server refused: shown so that nothing typed is lost. */
  readonly refusedKept: Readable<RefusedCommand[]>;

  readonly #boot: Bootstrap;
  readonly #options: LivePageOptions;
  readonly #live = writable<LiveState | null>(null);
  readonly #connection = writable<ConnectionState>({ status: "connecting" });
  readonly #synced = writable(false);
  readonly #unsent = writable(0);
  readonly #refusedKept = writable<RefusedCommand[]>([]);
  #client: LiveClient<LiveState> | null = null;
  #unsubscribers: (() => void)[] = [];

  constructor(boot: Bootstrap, options: LivePageOptions = {}) {
    this.#boot = boot;
    this.#options = options;
    this.live = { subscribe: this.#live.subscribe };
    this.view = derived(this.#live, (live) => live ?? boot.initial);
    this.connection = { subscribe: this.#connection.subscribe };
    this.synced = { subscribe: this.#synced.subscribe };
    this.unsent = { subscribe: this.#unsent.subscribe };
    this.refusedKept = { subscribe: this.#refusedKept.subscribe };
  }

  /** The person read (or asked again) a refused kept command. */
  dismissRefused(ref: string): void {
    this.#client?.dismissRefused(ref);
  }

  /**
   * Opens the page's socket, or opens it afresh with other credentials. With `keep` (a name for
   * this participant of this event), commands wait in IndexedDB until answered, and the state is
   * kept on the device: a reload or a closed tab loses neither, and a page opened offline shows it.
   */
  connect(credentials: Credentials, { keep }: { keep?: string } = {}): void {
    this.#drop();
    const offline = typeof navigator !== "undefined" && navigator.onLine === false;
    const client = new LiveClient<LiveState>({
      ...this.#options.client,
      // The page's language, for the socket's messages (the switch's cookie outranks it).
      url: socketUrl(this.#boot.socket, { ...credentials, lang: language() }),
      reduce: reduceLive,
      initial: (keep && offline ? loadLastState<LiveState>(keep) : null) ?? this.#boot.initial,
      ...(keep ? { queue: this.#options.client?.queue ?? idbQueue(keep) } : {}),
    });
    this.#client = client;
    const now = this.#options.client?.now ?? Date.now;
    let serverTime: string | undefined;
    this.#unsubscribers.push(
      client.state.subscribe((value) => {
        // A new snapshot (each carries the server's time): the clock's offset is measured now,
        // as it arrives, not when some countdown is first drawn.
        if (value?.server_time !== serverTime) {
          serverTime = value?.server_time;
          measureServerClock(serverTime, now());
        }
        this.#live.set(value);
      }),
      client.synced.subscribe((value) => this.#synced.set(value)),
      client.unsent.subscribe((value) => this.#unsent.set(value)),
      client.refusedKept.subscribe((value) => this.#refusedKept.set(value)),
      client.connection.subscribe((value) => {
        this.#connection.set(value);
        if (value.status === "closed" && REFUSALS.has(value.code)) this.#options.onClosed?.(value.code);
      }),
    );
    if (keep) this.#keepState(client, keep);
    client.start();
  }

  /** The state as the server last sent it, written at most once a second and as the page goes. */
  #keepState(client: LiveClient<LiveState>, keep: string): void {
    let latest: LiveState | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const write = () => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      if (latest) saveLastState(keep, latest);
    };
    const unsubscribe = client.state.subscribe((value) => {
      if (!value || value === this.#boot.initial) return;
      latest = value;
      timer ??= setTimeout(write, 1000);
    });
    window.addEventListener("pagehide", write);
    this.#unsubscribers.push(unsubscribe, () => {
      write();
      window.removeEventListener("pagehide", write);
    });
  }

  /** Sends a command (see LiveClient.send); refused with a plain Error before the socket was opened. */
  send<T = unknown>(type: string, data: Record<string, unknown> = {}, options: { transient?: boolean } = {}): Promise<T> {
    if (!this.#client) return Promise.reject(new Error(t("Not connected yet.")));
    return this.#client.send<T>(type, data, options);
  }

  /** Closes the socket for good (the page goes away). */
  stop(): void {
    this.#drop();
  }

  #drop(): void {
    // Unsubscribed first: the old client's own "closed" is not the page's news.
    this.#unsubscribers.splice(0).forEach((unsubscribe) => unsubscribe());
    this.#client?.stop();
    this.#client = null;
  }
}

/**
 * The live connection of the page being set up, stopped with it. Staff pages connect at once
 * (`credentials`); the attendee page connects once it has joined.
 */
export function livePage(boot: Bootstrap, { credentials, ...options }: LivePageOptions & { credentials?: Credentials } = {}): LivePage {
  const page = new LivePage(boot, options);
  if (credentials) page.connect(credentials);
  onDestroy(() => page.stop());
  return page;
}
