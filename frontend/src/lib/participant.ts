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

export class JoinError extends Error {}

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
  if (!response.ok) throw new JoinError(body?.error?.message ?? `Joining failed (${response.status}).`);
  return { participant: body.participant, token: body.token, mode: body.mode, name: body.name };
}
