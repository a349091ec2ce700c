import { afterEach, describe, expect, it, vi } from "vitest";
import { join, JoinError, joinRetryDelay } from "./participant";

function answer(status: number, body: unknown, headers: Record<string, string> = {}) {
  vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify(body), { status, headers })));
}

async function refusal(): Promise<JoinError> {
  return join("/api/events/SFH2022/join", "online").then(
    () => { throw new Error("joined"); },
    (error) => error,
  );
}

afterEach(() => vi.unstubAllGlobals());

describe("joining", () => {
  it("waits as long as a busy server asks, then up to as long again at random", async () => {
    for (const [status, code] of [[429, "rate_limited"], [503, "unavailable"]] as const) {
      answer(status, { error: { code, message: "Busy.", retry_after: 3 } }, { "Retry-After": "3" });
      const error = await refusal();
      expect(error).toMatchObject({ message: "Busy.", retryAfter: 3, final: false, busy: true });
      expect(joinRetryDelay(error, 0, () => 0)).toBe(3000);
      expect(joinRetryDelay(error, 5, () => 0)).toBe(3000); // no doubling: the server said when
      expect(joinRetryDelay(error, 0, () => 0.999)).toBe(5997); // spread over twice the wait
    }
  });

  it("stops trying where trying again cannot help (no such event, a refused request)", async () => {
    for (const status of [404, 422]) {
      answer(status, { error: { code: "not_found", message: "There is no event with the code 'X'." } });
      const error = await refusal();
      expect(error.final).toBe(true);
      expect(joinRetryDelay(error, 0)).toBeNull();
    }
  });

  it("keeps trying with backoff when the server or the network fails", async () => {
    answer(502, { error: { code: "internal", message: "Try again." } });
    expect(joinRetryDelay(await refusal(), 2)).toBe(4000);
    answer(503, { error: { code: "unavailable", message: "Try again." } }); // no Retry-After
    expect(joinRetryDelay(await refusal(), 2)).toBe(4000);
    vi.stubGlobal("fetch", vi.fn(async () => { throw new TypeError("offline"); }));
    expect(joinRetryDelay(await refusal(), 0)).toBe(1000);
  });
});
