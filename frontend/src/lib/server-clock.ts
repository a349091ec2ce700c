// The server's clock as this device knows it: every snapshot carries the server's time, and the
// offset measured when it arrives lets each device count a countdown on the same second.
import { type Readable, writable } from "svelte/store";

/**
 * How far the server's clock is ahead of this device's (ms), from a snapshot's `server_time`
 * read at `receivedAt` (this device's clock when it arrived). Add it to `Date.now()`.
 */
export function clockOffset(serverTime: string | null | undefined, receivedAt: number): number {
  const server = serverTime ? Date.parse(serverTime) : NaN;
  return Number.isNaN(server) ? 0 : server - receivedAt;
}

const offset = writable(0);

/** The page's offset to the server's clock (0 until its first snapshot). */
export const serverOffset: Readable<number> = { subscribe: offset.subscribe };

/** A snapshot with `serverTime` arrived at `receivedAt`: measure again. */
export function measureServerClock(serverTime: string | null | undefined, receivedAt: number): void {
  if (serverTime) offset.set(clockOffset(serverTime, receivedAt));
}
