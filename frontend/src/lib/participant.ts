import type { Mode } from "./types";

/** The attendee's identity on this device, per event (the token is the only credential). */
export interface StoredParticipant {
  participant: string;
  token: string;
  mode: Mode;
  name: string | null;
}

const storageKey = (code: string) => `livehub:${code}:participant`;

export function loadParticipant(code: string): StoredParticipant | null {
  try {
    const raw = localStorage.getItem(storageKey(code));
    return raw ? (JSON.parse(raw) as StoredParticipant) : null;
  } catch {
    return null; // storage disabled or corrupt: join again
  }
}

export function saveParticipant(code: string, participant: StoredParticipant): void {
  try {
    localStorage.setItem(storageKey(code), JSON.stringify(participant));
  } catch {
    // Private mode without storage: the session still works until the tab closes.
  }
}

export function forgetParticipant(code: string): void {
  try {
    localStorage.removeItem(storageKey(code));
  } catch {
    /* nothing stored */
  }
}

const modeKey = (code: string) => `livehub:${code}:mode`;

/** Where this device said its person follows the event from (kept when the participant is not). */
export function loadMode(code: string): Mode | null {
  try {
    const mode = localStorage.getItem(modeKey(code));
    return mode === "room" || mode === "online" ? mode : null;
  } catch {
    return null;
  }
}

export function saveMode(code: string, mode: Mode): void {
  try {
    localStorage.setItem(modeKey(code), mode);
  } catch {
    // No storage: the page asks again next time.
  }
}

const roomKey = (code: string, who: string) => `livehub:${code}:${who}-room`;

/**
 * The room this device follows (`who`: "attendee" on the attend page, "console" for the
 * moderators' filter), or null: kept per device, never sent anywhere but the socket's `?room=`.
 */
export function loadRoom(code: string, who: "attendee" | "console"): string | null {
  try {
    return localStorage.getItem(roomKey(code, who)) || null;
  } catch {
    return null;
  }
}

export function saveRoom(code: string, who: "attendee" | "console", slug: string | null): void {
  try {
    if (slug) localStorage.setItem(roomKey(code, who), slug);
    else localStorage.removeItem(roomKey(code, who));
  } catch {
    // No storage: the choice lasts as long as the page.
  }
}

export class JoinError extends Error {
  /** Seconds the server asked us to wait (429 or 503 Retry-After), if any. */
  readonly retryAfter: number | null;
  /** Trying again cannot help (no such event, a refused request): stop retrying. */
  readonly final: boolean;
  /** The server is busy (many joining at once, 429/503): we are in line, not failing. */
  readonly busy: boolean;

  constructor(
    message: string,
    { retryAfter = null, final = false, busy = false }: { retryAfter?: number | null; final?: boolean; busy?: boolean } = {},
  ) {
    super(message);
    this.retryAfter = retryAfter;
    this.final = final;
    this.busy = busy;
  }
}

/** When to try joining again after `error` (the `attempt`-th failure), or null for never.
 * A busy server says when: we come back then, plus up to as long again at random, so that a
 * hall of phones turned away together do not all return in the same instant. Otherwise the
 * backoff doubles up to 30 s. */
export function joinRetryDelay(error: unknown, attempt: number, random: () => number = Math.random): number | null {
  if (error instanceof JoinError && error.final) return null;
  if (error instanceof JoinError && error.busy && error.retryAfter !== null) {
    const asked = error.retryAfter * 1000;
    return Math.round(asked + random() * Math.min(asked, 10_000));
  }
  const backoff = Math.min(30_000, 1000 * 2 ** attempt);
  const asked = error instanceof JoinError && error.retryAfter !== null ? error.retryAfter * 1000 : 0;
  return Math.max(backoff, asked);
}

/** POST /api/events/{code}/join: anonymous unless a name is given. */
export async function join(url: string, mode: Mode, name: string | null = null): Promise<StoredParticipant> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name, mode }),
    });
  } catch {
    throw new JoinError("Could not reach the server. Check your connection; we will keep trying.");
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const seconds = Number(response.headers.get("Retry-After") ?? body?.error?.retry_after);
    throw new JoinError(body?.error?.message ?? `Joining failed (${response.status}).`, {
      retryAfter: Number.isFinite(seconds) && seconds > 0 ? seconds : null,
      // 4xx but 408 and 429 say the request itself cannot succeed; 5xx may pass.
      final: response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429,
      busy: response.status === 429 || response.status === 503,
    });
  }
  return { participant: body.participant, token: body.token, mode: body.mode, name: body.name };
}
