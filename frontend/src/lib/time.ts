import { language, t } from "./i18n";
import type { EventInfo, Session } from "./types";

/**
 * An ISO time as epoch ms for comparing (offsets may differ between sessions); a missing or
 * unreadable one counts as `missing` (the end of time unless said otherwise).
 */
export function instant(value: string | null | undefined, missing = Number.POSITIVE_INFINITY): number {
  const parsed = value ? Date.parse(value) : NaN;
  return Number.isNaN(parsed) ? missing : parsed;
}

/** "09:15" in the event's own time zone, whatever the viewer's. */
export function clock(iso: string | null, timezone: string): string {
  if (!iso) return "";
  // 24-hour in every language, as printed programmes in Brussels are.
  const options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: timezone } as const;
  return new Intl.DateTimeFormat(language(), options).format(
    new Date(iso),
  );
}

/** The day (YYYY-MM-DD) `ms` falls on in `timezone`. */
function localDay(ms: number, timezone: string): string {
  return new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone: timezone }).format(ms);
}

/**
 * When a session starts, for "Next": "09:15" if that is today in the event's zone (`now`, epoch
 * ms), else with the day in the page's language: "Fri 15 Nov at 09:15".
 */
export function startsWhen(iso: string, timezone: string, now: number): string {
  const time = clock(iso, timezone);
  const start = Date.parse(iso);
  if (Number.isNaN(start) || localDay(start, timezone) === localDay(now, timezone)) return time;
  const options = { weekday: "short", day: "numeric", month: "short", timeZone: timezone } as const;
  const day = new Intl.DateTimeFormat(language(), options).format(start);
  return t("{day} at {time}", { day, time });
}

export function timeRange(session: Session, event: EventInfo): string {
  return `${clock(session.starts_at, event.timezone)}–${clock(session.ends_at, event.timezone)}`;
}

/** m:ss or h:mm:ss for a number of milliseconds (never negative). */
export function duration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

/** Elapsed and remaining time of a session against its planned length in the agenda. */
export function sessionClock(session: Session, now: number): { elapsed: number; remaining: number; planned: number } {
  const planned = Date.parse(session.ends_at) - Date.parse(session.starts_at);
  if (!session.started_at) return { elapsed: 0, remaining: planned, planned };
  const end = session.status === "ended" && session.ended_at ? Date.parse(session.ended_at) : now;
  const elapsed = Math.max(0, end - Date.parse(session.started_at));
  return { elapsed, remaining: planned - elapsed, planned };
}
