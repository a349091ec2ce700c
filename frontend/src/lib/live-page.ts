// How every page starts: one live client from the page's bootstrap, its state and connection as
// stores that outlive a change of client (an attendee who joins afresh), what a socket closed
// for good means to the page, and the teardown with the page.
import { onDestroy } from "svelte";
import { derived, type Readable, writable } from "svelte/store";
import { type Bootstrap, socketUrl } from "./bootstrap";
import { language } from "./i18n";
import { t } from "./i18n";
import { type ConnectionState, LiveClient, type LiveOptions, REFUSALS } from "./live";
import { reduceLive } from "./reducers";
import { measureServerClock } from "./server-clock";
import type { LiveState } from "./types";

/** Who the socket is for: a staff role link's key (else the login cookie), an attendee's token. */
export type Credentials = { key?: string | null; token?: string | null };

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

  readonly #boot: Bootstrap;
  readonly #options: LivePageOptions;
  readonly #live = writable<LiveState | null>(null);
  readonly #connection = writable<ConnectionState>({ status: "connecting" });
  readonly #synced = writable(false);
  #client: LiveClient<LiveState> | null = null;
  #unsubscribers: (() => void)[] = [];

  constructor(boot: Bootstrap, options: LivePageOptions = {}) {
    this.#boot = boot;
    this.#options = options;
    this.live = { subscribe: this.#live.subscribe };
    this.view = derived(this.#live, (live) => live ?? boot.initial);
    this.connection = { subscribe: this.#connection.subscribe };
    this.synced = { subscribe: this.#synced.subscribe };
  }

  /** Opens the page's socket, or opens it afresh with other credentials. */
  connect(credentials: Credentials): void {
    this.#drop();
    const client = new LiveClient<LiveState>({
      ...this.#options.client,
      // The page's language, for the socket's messages (the switch's cookie outranks it).
      url: socketUrl(this.#boot.socket, { ...credentials, lang: language() }),
      reduce: reduceLive,
      initial: this.#boot.initial,
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
      client.connection.subscribe((value) => {
        this.#connection.set(value);
        if (value.status === "closed" && REFUSALS.has(value.code)) this.#options.onClosed?.(value.code);
      }),
    );
    client.start();
  }

  /** Sends a command (see LiveClient.send); refused with a plain Error before the socket was opened. */
  send<T = unknown>(type: string, data: Record<string, unknown> = {}): Promise<T> {
    if (!this.#client) return Promise.reject(new Error(t("Not connected yet.")));
    return this.#client.send<T>(type, data);
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
