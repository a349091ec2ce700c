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
  it("waits as long as the server asks when it is rate limited", async () => {
    answer(429, { error: { code: "rate_limited", message: "Too many joins.", retry_after: 12 } }, { "Retry-After": "12" });
    const error = await refusal();
    expect(error).toMatchObject({ message: "Too many joins.", retryAfter: 12, final: false });
    expect(joinRetryDelay(error, 0)).toBe(12_000);
    expect(joinRetryDelay(error, 5)).toBe(30_000); // the backoff is longer by then
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
    answer(503, { error: { code: "unavailable", message: "Try again." } });
    expect(joinRetryDelay(await refusal(), 2)).toBe(4000);
    vi.stubGlobal("fetch", vi.fn(async () => { throw new TypeError("offline"); }));
    expect(joinRetryDelay(await refusal(), 0)).toBe(1000);
  });
});
