// What keeps the attend page usable without a network (docs/protocol.md, "Offline"): its queue
// of unsent commands in IndexedDB (it survives a reload or a closed tab), its last state in
// localStorage (shown when it opens offline), and the service worker that keeps the page itself.
import { createStore, del, entries, set, type UseStore } from "idb-keyval";
import { Workbox } from "workbox-window";

/** A command waiting for its reply, as it will be sent again: the same frame, the same `ref`. */
export interface QueuedCommand {
  ref: string;
  frame: string;
  /** When it was made (epoch ms): the server remembers a `ref` for a day, so older ones are dropped. */
  at: number;
}

/** Where a client keeps its commands until they are answered. */
export interface CommandQueue {
  load(): Promise<QueuedCommand[]>;
  save(command: QueuedCommand): Promise<void>;
  remove(ref: string): Promise<void>;
}

let store: UseStore | null = null;

/** The commands of one participant of one event (`scope`), kept in IndexedDB. */
export function idbQueue(scope: string): CommandQueue {
  const db = () => (store ??= createStore("livehub-queue", "commands"));
  const key = (ref: string) => `${scope} ${ref}`;
  return {
    async load() {
      const rows = await entries<string, QueuedCommand>(db());
      return rows.filter(([name]) => String(name).startsWith(`${scope} `)).map(([, command]) => command);
    },
    save: (command) => set(key(command.ref), command, db()),
    remove: (ref) => del(key(ref), db()),
  };
}

const stateKey = (scope: string) => `livehub:${scope}:state`;

/** The last state the page showed, for opening without a network (null: none kept). */
export function loadLastState<S>(scope: string): S | null {
  try {
    const raw = localStorage.getItem(stateKey(scope));
    return raw ? (JSON.parse(raw) as S) : null;
  } catch {
    return null;
  }
}

export function saveLastState(scope: string, state: unknown): void {
  try {
    localStorage.setItem(stateKey(scope), JSON.stringify(state));
  } catch {
    // Full or disabled storage: the page still opens offline, with the programme it embeds.
  }
}

/**
 * Registers the service worker (scope /e/) and has it keep this page and the assets it loaded,
 * which the first visit fetched before the worker was there. Resolves true once they are kept.
 */
export async function keepForOffline(): Promise<boolean> {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return false;
  try {
    const worker = new Workbox("/sw.js", { scope: "/e/" });
    await worker.register();
    await navigator.serviceWorker.ready;
    const assets = new Set<string>();
    for (const element of document.querySelectorAll<HTMLScriptElement | HTMLLinkElement>("script[src], link[rel=stylesheet], link[rel=modulepreload], link[rel=apple-touch-icon]")) {
      assets.add("src" in element && element.src ? element.src : (element as HTMLLinkElement).href);
    }
    for (const entry of performance.getEntriesByType("resource")) assets.add(entry.name);
    const static_ = [...assets].filter((url) => new URL(url).origin === location.origin && new URL(url).pathname.startsWith("/static/"));
    const reply = await worker.messageSW({ type: "KEEP_PAGE", page: location.href, assets: static_ });
    return Boolean((reply as { kept?: boolean } | undefined)?.kept);
  } catch (error) {
    console.warn("LiveHub: the page cannot be kept for offline use", error);
    return false;
  }
}
