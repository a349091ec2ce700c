import type { LiveState, Mode, Role, Room } from "./types";

/** What the Django template embeds for the page (see web/views.py). */
export interface Bootstrap {
  page: "attend" | "moderate" | "stage" | "screen" | "overlay";
  code: string;
  socket: string;
  join: string;
  initial: LiveState;
  mode?: Mode;
  role?: Role;
  key?: string | null;
  join_url?: string;
  /** A room's own stage or screen: the room it shows. */
  room?: Room;
  /** The attend page opened from a room's QR code (`?room=`): the slug of the room to follow. */
  follow?: string | null;
  /** The event's look, set by its organisers: a colour (#rrggbb) and the logo's address. */
  look?: { colour?: string; logo?: string };
}

export function readBootstrap(): Bootstrap {
  const element = document.getElementById("livehub-bootstrap");
  if (!element?.textContent) throw new Error("The page has no LiveHub bootstrap data.");
  return JSON.parse(element.textContent) as Bootstrap;
}

/** The socket's absolute URL on this host, with credentials in the query. */
export function socketUrl(path: string, params: Record<string, string | null | undefined> = {}): string {
  const url = new URL(path, window.location.href);
  url.protocol = window.location.protocol === "https:" ? "wss:" : "ws:";
  for (const [name, value] of Object.entries(params)) {
    if (value) url.searchParams.set(name, value);
  }
  return url.toString();
}
