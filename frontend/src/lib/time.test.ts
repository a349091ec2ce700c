import { afterEach, describe, expect, it } from "vitest";
import { session } from "./fixtures";
import { setLanguage } from "./i18n";
import { clock, duration, instant, sessionClock, startsWhen } from "./time";

describe("instant", () => {
  it("compares times as instants, not as strings", () => {
    expect(instant("2022-11-21T10:00:00+02:00")).toBeLessThan(instant("2022-11-21T09:30:00+01:00"));
  });

  it("puts a missing or unreadable time at the end, or where the caller says", () => {
    expect(instant(null)).toBe(Number.POSITIVE_INFINITY);
    expect(instant("soon")).toBe(Number.POSITIVE_INFINITY);
    expect(instant(undefined, Number.NEGATIVE_INFINITY)).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe("clock", () => {
  it("is the event's local time, whatever the viewer's", () => {
    expect(clock("2022-11-21T08:15:00Z", "Europe/Brussels")).toBe("09:15");
    expect(clock(null, "Europe/Brussels")).toBe("");
  });
});

describe("startsWhen", () => {
  afterEach(() => setLanguage("en"));
  // Thursday 21 November 2024, 23:30 in Brussels (22:30 UTC): the clock is stopped here.
  const now = Date.parse("2024-11-21T22:30:00Z");

  it("is the time alone for a session later today in the event's zone", () => {
    expect(startsWhen("2024-11-21T22:45:00Z", "Europe/Brussels", now)).toBe("23:45");
  });

  it("says the day for a session on another day in the event's zone, though UTC has the same date", () => {
    // 23:15 UTC on the 21st is 00:15 on Friday the 22nd in Brussels.
    expect(startsWhen("2024-11-21T23:15:00Z", "Europe/Brussels", now)).toBe("Fri, Nov 22 at 00:15");
  });

  it("says the day in the page's language", () => {
    setLanguage("fr");
    expect(startsWhen("2024-11-22T08:00:00Z", "Europe/Brussels", now)).toBe("ven. 22 nov. à 09:00");
    setLanguage("nl");
    expect(startsWhen("2024-11-22T08:00:00Z", "Europe/Brussels", now)).toBe("vr 22 nov om 09:00");
  });
});

describe("duration", () => {
  it("is m:ss, or h:mm:ss from an hour on, never negative", () => {
    expect(duration(65_000)).toBe("1:05");
    expect(duration(3_725_000)).toBe("1:02:05");
    expect(duration(-5)).toBe("0:00");
  });
});

describe("sessionClock", () => {
  it("counts from the start to now, or to the end of an ended session", () => {
    const started = session(1, { status: "live", started_at: "2022-11-21T09:00:00+01:00" });
    const now = Date.parse("2022-11-21T09:10:00+01:00");
    expect(sessionClock(started, now)).toEqual({ elapsed: 600_000, remaining: 3_000_000, planned: 3_600_000 });
    const ended = { ...started, status: "ended" as const, ended_at: "2022-11-21T09:05:00+01:00" };
    expect(sessionClock(ended, now).elapsed).toBe(300_000);
  });
});
