import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Notice, NOTICE_LINGER } from "./notice.svelte";

describe("Notice", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("clears a success after a while", () => {
    const notice = new Notice();
    notice.show("Go live: Keynote");
    expect(notice.current).toEqual({ text: "Go live: Keynote", kind: "ok" });
    vi.advanceTimersByTime(NOTICE_LINGER.ok - 1);
    expect(notice.current).not.toBeNull();
    vi.advanceTimersByTime(1);
    expect(notice.current).toBeNull();
  });

  it("keeps an error longer", () => {
    const notice = new Notice();
    notice.show("No such session.", "error");
    vi.advanceTimersByTime(NOTICE_LINGER.ok);
    expect(notice.current?.kind).toBe("error");
    vi.advanceTimersByTime(NOTICE_LINGER.error - NOTICE_LINGER.ok);
    expect(notice.current).toBeNull();
  });

  it("a new line restarts the clock; clear() ends it at once", () => {
    const notice = new Notice();
    notice.show("first");
    vi.advanceTimersByTime(NOTICE_LINGER.ok - 10);
    notice.show("second");
    vi.advanceTimersByTime(NOTICE_LINGER.ok - 10);
    expect(notice.current?.text).toBe("second");
    notice.clear();
    expect(notice.current).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
  });
});
