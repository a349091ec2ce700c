import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CommandFeedback, Notice, NOTICE_LINGER } from "./notice.svelte";

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

describe("CommandFeedback", () => {
  /** A command the test settles by hand. */
  function pending<T>() {
    let settle!: { resolve: (value: T) => void; reject: (error: Error) => void };
    const promise = new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
    return { promise, ...settle };
  }

  it("keeps an item busy while its command runs; a second click on it does nothing", async () => {
    const feedback = new CommandFeedback();
    const first = pending<{ ended: null }>();
    const command = vi.fn(() => first.promise);
    const running = feedback.run(3, command, () => "Go live: Keynote");
    expect(feedback.busy[3]).toBe(true);
    expect(await feedback.run(3, command)).toBe(false);
    expect(command).toHaveBeenCalledTimes(1);
    first.resolve({ ended: null });
    expect(await running).toBe(true);
    expect(feedback.busy[3]).toBe(false);
    expect(feedback.notice.current).toEqual({ text: "Go live: Keynote", kind: "ok" });
  });

  it("other items stay free meanwhile", () => {
    const feedback = new CommandFeedback();
    void feedback.run(3, () => new Promise(() => {}));
    expect(feedback.busy[4]).toBeFalsy();
  });

  it("says the refusal, with a sentence when the server gave none", async () => {
    const feedback = new CommandFeedback();
    expect(await feedback.run(1, () => Promise.reject(new Error("This session has ended.")), () => "never")).toBe(false);
    expect(feedback.notice.current).toEqual({ text: "This session has ended.", kind: "error" });
    await feedback.run(1, () => Promise.reject(new Error("")));
    expect(feedback.notice.current?.text).toBe("The command failed.");
    expect(feedback.busy[1]).toBe(false);
  });

  it("a new command's line replaces the last one; without `done` a success says nothing", async () => {
    const feedback = new CommandFeedback();
    feedback.notice.show("Draft saved.");
    await feedback.run(2, () => Promise.resolve({}));
    expect(feedback.notice.current).toBeNull();
  });
});
