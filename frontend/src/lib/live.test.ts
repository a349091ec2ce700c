import { get } from "svelte/store";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeNetwork, FakeSocket } from "./fakes";
import { CommandError, LiveClient, type LiveOptions, QUEUE_MAX_AGE_MS } from "./live";
import type { CommandQueue, QueuedCommand } from "./offline";
import type { PushedEvent } from "./types";

// --- fakes -----------------------------------------------------------------------------------

/** Manual timers and clock. */
class Clock {
  time = 1_000_000;
  private nextId = 1;
  timers = new Map<number, { fn: () => void; at: number; ms: number }>();

  now = () => this.time;
  setTimer = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.set(id, { fn, at: this.time + ms, ms });
    return id;
  };
  clearTimer = (handle: unknown) => {
    this.timers.delete(handle as number);
  };

  /** Delays of the pending timers. */
  pendingDelays(): number[] {
    return [...this.timers.values()].map((timer) => timer.ms);
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
    }
    this.time = until;
  }
}

// --- a tiny state and reducer --------------------------------------------------------------

interface TestState {
  items: Record<string, string>;
  log: string[];
  presence?: { room: number; online: number };
}

function reduce(state: TestState, event: PushedEvent): TestState {
  if (event.type === "item.set") {
    return { ...state, items: { ...state.items, [event.data.id]: event.data.value }, log: [...state.log, event.data.value] };
  }
  if (event.type === "boom") throw new Error("unreadable");
  return state;
}

const URL = "wss://example.test/ws/events/SFH2022/?token=abc";

function snapshot(seqs: Record<string, number>, data: Partial<TestState> = {}, epoch = "e1") {
  return { type: "snapshot", epoch, seqs, seq: seqs.public ?? 0, data: { items: {}, log: [], ...data } };
}

function item(stream: string, seq: number, id: string, value: string) {
  return { type: "item.set", stream, seq, data: { id, value } };
}

let clock: Clock;
let network: FakeNetwork;
let warn: ReturnType<typeof vi.spyOn>;
const clients: LiveClient<TestState>[] = [];

function makeClient(options: Partial<LiveOptions<TestState>> = {}) {
  const client = new LiveClient<TestState>({
    url: URL,
    reduce,
    WebSocketImpl: FakeSocket as any,
    random: () => 0.5,
    now: clock.now,
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
    onlineEvents: network,
    ...options,
  });
  clients.push(client);
  return client;
}

function last(): FakeSocket {
  return FakeSocket.instances[FakeSocket.instances.length - 1];
}

/** A started client whose first socket got a snapshot. */
function connected(seqs: Record<string, number> = { public: 5, "p:u1": 2 }, options: Partial<LiveOptions<TestState>> = {}) {
  const client = makeClient(options);
  client.start();
  const socket = last();
  socket.open();
  socket.receive(snapshot(seqs));
  return { client, socket };
}

function params(url: string): URLSearchParams {
  return new globalThis.URL(url).searchParams;
}

beforeEach(() => {
  FakeSocket.instances = [];
  clock = new Clock();
  network = new FakeNetwork();
  warn = vi.spyOn(console, "warn").mockImplementation(() => {});
});

afterEach(() => {
  // Settle leftovers so no rejection goes unhandled.
  for (const client of clients.splice(0)) {
    (client as any).commands?.forEach((command: any) => command.resolve(undefined));
    client.stop();
  }
  warn.mockRestore();
});

// --- tests -----------------------------------------------------------------------------------

describe("connecting and the snapshot", () => {
  it("shows the initial state until the snapshot, then the snapshot; connected and synced", () => {
    const initial: TestState = { items: { a: "embedded" }, log: [] };
    const client = makeClient({ initial });
    expect(get(client.state)).toBe(initial);
    client.start();
    expect(get(client.connection)).toEqual({ status: "connecting" });
    expect(get(client.synced)).toBe(false);
    expect(last().url).toBe(URL); // first connection: no since/epoch

    last().open();
    expect(get(client.connection)).toEqual({ status: "connecting" });
    last().receive(snapshot({ public: 3 }, { items: { a: "live" } }));
    expect(get(client.state)).toEqual({ items: { a: "live" }, log: [] });
    expect(get(client.connection)).toEqual({ status: "connected" });
    expect(get(client.synced)).toBe(true);
  });

  it("starts with null state without an initial one; start() twice opens one socket", () => {
    const client = makeClient();
    expect(get(client.state)).toBeNull();
    client.start();
    client.start();
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it("applies pushed events in order, immutably", () => {
    const { client, socket } = connected();
    const before = get(client.state)!;
    socket.receive(item("public", 6, "a", "one"));
    socket.receive(item("p:u1", 3, "b", "two"));
    const after = get(client.state)!;
    expect(after).not.toBe(before);
    expect(before.items).toEqual({});
    expect(after.items).toEqual({ a: "one", b: "two" });
  });

  it("does not notify subscribers when the reducer returns the same state", () => {
    const { client, socket } = connected();
    const seen: unknown[] = [];
    const unsubscribe = client.state.subscribe((value) => seen.push(value));
    socket.receive({ type: "other.thing", stream: "public", seq: 6, data: {} });
    expect(seen).toHaveLength(1);
    unsubscribe();
  });

  it("ignores duplicate events (seq <= last seen)", () => {
    const { client, socket } = connected();
    socket.receive(item("public", 5, "a", "old")); // in the snapshot already
    socket.receive(item("public", 6, "a", "new"));
    socket.receive(item("public", 6, "a", "again"));
    socket.receive(item("public", 4, "a", "older"));
    expect(get(client.state)!.log).toEqual(["new"]);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it("treats a stream missing from the snapshot as starting at 0", () => {
    const { client, socket } = connected({ public: 1 });
    socket.receive(item("moderators", 1, "m", "first"));
    expect(get(client.state)!.items.m).toBe("first");
  });

  it("ignores events before any snapshot", () => {
    const client = makeClient({ initial: { items: {}, log: [] } });
    client.start();
    last().open();
    last().receive(item("public", 1, "a", "early"));
    expect(get(client.state)!.log).toEqual([]);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it("sets presence from presence frames, when a state exists", () => {
    const bare = makeClient();
    bare.start();
    last().open();
    last().receive({ type: "presence", data: { room: 1, online: 2 } });
    expect(get(bare.state)).toBeNull();

    const { client, socket } = connected();
    socket.receive({ type: "presence", data: { room: 120, online: 310 } });
    expect(get(client.state)!.presence).toEqual({ room: 120, online: 310 });
  });

  it("a new snapshot replaces the state and the positions", () => {
    const { client, socket } = connected({ public: 5 });
    socket.receive(item("public", 6, "a", "one"));
    socket.receive(snapshot({ public: 50, moderators: 2 }, { items: { z: "fresh" } }, "e2"));
    expect(get(client.state)).toEqual({ items: { z: "fresh" }, log: [] });
    socket.receive(item("public", 51, "b", "after"));
    expect(get(client.state)!.items).toEqual({ z: "fresh", b: "after" });
    socket.serverClose(1006);
    clock.advance(1000);
    const p = params(last().url);
    expect(p.get("since")).toBe("public:51,moderators:2");
    expect(p.get("epoch")).toBe("e2");
  });
});

describe("gaps", () => {
  it("a gap closes the socket and reconnects at once with since, without applying the event", () => {
    const { client, socket } = connected({ public: 5, "p:u1": 2 });
    socket.receive(item("public", 6, "a", "one"));
    socket.receive(item("public", 8, "a", "skipped-ahead"));
    expect(get(client.state)!.log).toEqual(["one"]);
    expect(socket.closedWith).not.toBeNull();
    expect(FakeSocket.instances).toHaveLength(2);
    expect(clock.timers.size).toBe(0);
    const p = params(last().url);
    expect(p.get("token")).toBe("abc");
    expect(p.get("since")).toBe("public:6,p:u1:2");
    expect(p.get("epoch")).toBe("e1");
    expect(last().url).toContain("since=public%3A6%2Cp%3Au1%3A2&epoch=e1");
    expect(get(client.connection)).toEqual({ status: "connecting" });
    expect(get(client.synced)).toBe(false);
  });

  it("frames from the abandoned socket are ignored", () => {
    const { client, socket } = connected({ public: 5 });
    socket.receive(item("public", 7, "a", "gap"));
    socket.receive(item("public", 6, "a", "late"));
    socket.serverClose(1006);
    expect(get(client.state)!.log).toEqual([]);
    expect(FakeSocket.instances).toHaveLength(2);
    expect(clock.timers.size).toBe(0);
  });
});

describe("reconnecting", () => {
  it("backs off with jitter after an unexpected close, then reconnects with since and epoch", () => {
    let r = 0;
    const { client, socket } = connected({ public: 5, "p:u1": 2 }, { random: () => r });
    socket.receive(item("public", 6, "a", "one"));

    r = 0; // lowest factor: half the base
    socket.serverClose(1006);
    expect(clock.pendingDelays()).toEqual([250]);
    expect(get(client.connection)).toEqual({ status: "reconnecting", attempt: 1, retryAt: clock.time + 250 });
    expect(get(client.synced)).toBe(false);
    clock.advance(249);
    expect(FakeSocket.instances).toHaveLength(1);
    clock.advance(1);
    expect(FakeSocket.instances).toHaveLength(2);
    expect(get(client.connection)).toMatchObject({ status: "reconnecting", attempt: 1 });
    const p = params(last().url);
    expect(p.get("since")).toBe("public:6,p:u1:2");
    expect(p.get("epoch")).toBe("e1");

    // Failures before any sync grow the delay: 500 * 2^(n-1), capped at 30 s, times [0.5, 1).
    r = 0.999;
    const expected = [1000, 2000, 4000, 8000, 16000, 30000, 30000];
    for (const base of expected) {
      last().serverClose(1006);
      const [delay] = clock.pendingDelays();
      expect(delay).toBeGreaterThanOrEqual(base * 0.5);
      expect(delay).toBeLessThan(base);
      expect(delay).toBeGreaterThan(base * 0.99);
      clock.advance(delay);
    }
    expect(get(client.connection)).toMatchObject({ status: "reconnecting", attempt: 8 });
  });

  it("resets the attempt counter after a successful sync", () => {
    const { client, socket } = connected({ public: 5 });
    socket.serverClose(1006);
    clock.advance(500);
    last().serverClose(1006);
    expect(get(client.connection)).toMatchObject({ attempt: 2 });
    clock.advance(1000);
    last().open();
    last().receive({ type: "synced", epoch: "e1", seqs: { public: 5 }, seq: 5 });
    expect(get(client.connection)).toEqual({ status: "connected" });
    last().serverClose(1011);
    expect(get(client.connection)).toMatchObject({ status: "reconnecting", attempt: 1 });
    expect(clock.pendingDelays()[0]).toBeLessThan(500);
  });

  it("does not add since/epoch before the first snapshot; uses ? when the URL has no query", () => {
    const client = makeClient({ url: "ws://h/ws/events/X/" });
    client.start();
    last().serverClose(1006);
    clock.advance(500);
    expect(last().url).toBe("ws://h/ws/events/X/");
    last().open();
    last().receive(snapshot({ public: 2 }));
    last().serverClose(1006);
    clock.advance(500);
    expect(last().url).toBe("ws://h/ws/events/X/?since=public%3A2&epoch=e1");
  });

  it("4000 reconnects immediately, without backoff", () => {
    const { client, socket } = connected({ public: 5 });
    socket.serverClose(4000, "Reconnect and replay.");
    expect(FakeSocket.instances).toHaveLength(2);
    expect(clock.timers.size).toBe(0);
    expect(get(client.connection)).toEqual({ status: "connecting" });
    expect(params(last().url).get("since")).toBe("public:5");
  });

  it("a second 4000 before syncing falls back to the backoff", () => {
    const { socket } = connected({ public: 5 });
    socket.serverClose(4000);
    last().serverClose(4000);
    expect(FakeSocket.instances).toHaveLength(2);
    expect(clock.timers.size).toBe(1);
  });

  it.each([4401, 4403, 4404])("close %i is terminal: no reconnect, pending commands rejected", async (code) => {
    const { client, socket } = connected();
    const waiting = client.send("x.y", {});
    socket.serverClose(code, "Nope.");
    expect(get(client.connection)).toEqual({ status: "closed", code, reason: "Nope." });
    clock.advance(120_000);
    network.set(false);
    network.set(true);
    expect(FakeSocket.instances).toHaveLength(1);
    await expect(waiting).rejects.toMatchObject({ code: "closed" });
    await expect(client.send("x.y")).rejects.toBeInstanceOf(CommandError);
  });

  it("a terminal close before any snapshot is reported too", () => {
    const client = makeClient();
    client.start();
    last().serverClose(4401, "No credentials.");
    expect(get(client.connection)).toEqual({ status: "closed", code: 4401, reason: "No credentials." });
    expect(clock.timers.size).toBe(0);
  });

  it.each([4408, 1011, 1013, 1000, 1006])("close %i reconnects with backoff", (code) => {
    const { client, socket } = connected();
    socket.serverClose(code);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(get(client.connection)).toMatchObject({ status: "reconnecting", attempt: 1 });
    clock.advance(500);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it("applies replayed events in order, then synced marks connected", () => {
    const { client, socket } = connected({ public: 5, "p:u1": 2 });
    socket.serverClose(1006);
    clock.advance(500);
    const replay = last();
    replay.open();
    replay.receive(item("public", 6, "a", "r1"));
    replay.receive(item("public", 7, "a", "r2"));
    replay.receive(item("p:u1", 3, "b", "r3"));
    expect(get(client.synced)).toBe(false);
    expect(get(client.connection)).toMatchObject({ status: "reconnecting" });
    expect(get(client.state)!.log).toEqual(["r1", "r2", "r3"]);
    replay.receive({ type: "synced", epoch: "e1", seqs: { public: 7, "p:u1": 3 }, seq: 7 });
    expect(get(client.synced)).toBe(true);
    expect(get(client.connection)).toEqual({ status: "connected" });
    replay.receive(item("public", 7, "a", "dup"));
    replay.receive(item("public", 8, "a", "live"));
    expect(get(client.state)!.log).toEqual(["r1", "r2", "r3", "live"]);
  });

  it("takes positions from synced (an epoch-less synced keeps the epoch)", () => {
    const { socket } = connected({ public: 5 });
    socket.serverClose(1006);
    clock.advance(500);
    last().open();
    last().receive({ type: "synced", seqs: { public: 9 }, seq: 9 });
    last().serverClose(1006);
    clock.advance(500);
    expect(params(last().url).get("since")).toBe("public:9");
    expect(params(last().url).get("epoch")).toBe("e1");
  });
});

describe("commands", () => {
  it("send resolves on ok with its data; refs are unique with a per-client prefix", async () => {
    const { client, socket } = connected();
    const first = client.send("session.set_status", { session: 3, status: "live" });
    const second = client.send("session.set_current", { session: 3 });
    expect(client.pending()).toBe(2);
    expect(socket.sent).toHaveLength(2);
    const [a, b] = socket.sent;
    expect(a).toEqual({ type: "session.set_status", ref: a.ref, data: { session: 3, status: "live" } });
    expect(a.ref).toMatch(/^[a-z0-9]{12}-1$/);
    expect(b.ref).toBe(a.ref.replace(/-1$/, "-2"));
    const other = makeClient();
    other.start();
    last().open();
    last().receive(snapshot({ public: 1 }));
    void other.send("x");
    expect(last().sent[0].ref.split("-")[0]).not.toBe(a.ref.split("-")[0]);
    (other as any).commands.clear();

    socket.receive({ type: "ok", ref: a.ref, data: { session: 3, status: "live" } });
    socket.receive({ type: "ok", ref: b.ref, data: { current_session: 3 } });
    await expect(first).resolves.toEqual({ session: 3, status: "live" });
    await expect(second).resolves.toEqual({ current_session: 3 });
    expect(client.pending()).toBe(0);
  });

  it("defaults data to {}", () => {
    const { client, socket } = connected();
    void client.send("ping");
    expect(socket.sent[0].data).toEqual({});
    (client as any).commands.clear();
  });

  it("send rejects with CommandError on its error frame", async () => {
    const { client, socket } = connected();
    const invalid = client.send("session.set_status", { session: 3, status: "LIVE" });
    const limited = client.send("session.set_status", { session: 3, status: "live" });
    const [a, b] = socket.sent;
    socket.receive({
      type: "error",
      ref: a.ref,
      error: { code: "invalid", message: "The data is not valid.", fields: { status: "bad value" } },
    });
    socket.receive({ type: "error", ref: b.ref, error: { code: "rate_limited", message: "Slow down.", retry_after: 0.25 } });
    const error = await invalid.catch((e) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: "invalid", message: "The data is not valid.", fields: { status: "bad value" }, retryAfter: null });
    await expect(limited).rejects.toMatchObject({ code: "rate_limited", fields: {}, retryAfter: 0.25 });
    expect(client.pending()).toBe(0);
  });

  it("sends a command again with the same ref while the database is unavailable, then settles it", async () => {
    const { client, socket } = connected();
    const asked = client.send("question.ask", { session: 3, text: "Who pays?" });
    const ref = socket.sent[0].ref;
    for (const wait of [500, 1000, 2000]) {
      socket.receive({ type: "error", ref, error: { code: "unavailable", message: "Try again in a moment." } });
      expect(client.pending()).toBe(1);
      clock.advance(wait - 1);
      expect(socket.sent).toHaveLength(1 + [500, 1000, 2000].indexOf(wait));
      clock.advance(1);
      expect(socket.sent.at(-1)).toEqual(socket.sent[0]); // the same frame, the same ref
    }
    socket.receive({ type: "ok", ref, data: { question: 41, state: "pending" } });
    await expect(asked).resolves.toEqual({ question: 41, state: "pending" });

    const failing = client.send("question.ask", { session: 3, text: "Anyone?" });
    const second = socket.sent.at(-1).ref;
    for (let attempt = 0; attempt < 4; attempt += 1) {
      socket.receive({ type: "error", ref: second, error: { code: "unavailable", message: "Try again in a moment." } });
      clock.advance(2000);
    }
    await expect(failing).rejects.toMatchObject({ code: "unavailable" });
    expect(client.pending()).toBe(0);
  });

  it("refuses a command over the frame limit itself: the server's answer would carry no ref", async () => {
    const { client, socket } = connected();
    const huge = client.send("question.ask", { session: 3, text: "é".repeat(33_000) }); // > 64 KiB of UTF-8
    await expect(huge).rejects.toMatchObject({ code: "too_large" });
    expect(socket.sent).toHaveLength(0);
    expect(client.pending()).toBe(0);
    void client.send("question.ask", { session: 3, text: "é".repeat(32_000) }); // under the limit: sent
    expect(socket.sent).toHaveLength(1);
    (client as any).commands.clear();
  });

  it("resends a command unacknowledged at a drop with the same ref after reconnect; it resolves once", async () => {
    const { client, socket } = connected({ public: 5 });
    const done = vi.fn();
    const promise = client.send("participant.update", { name: "Ana" }).then(done);
    const ref = socket.sent[0].ref;
    socket.serverClose(1006);
    expect(client.pending()).toBe(1);
    clock.advance(500);
    const again = last();
    again.open();
    expect(again.sent).toHaveLength(0); // not before the sync
    again.receive({ type: "synced", epoch: "e1", seqs: { public: 5 }, seq: 5 });
    expect(again.sent).toEqual([{ type: "participant.update", ref, data: { name: "Ana" } }]);
    again.receive({ type: "ok", ref, data: { participant: { id: "u1" } } });
    again.receive({ type: "ok", ref, data: { participant: { id: "u1" } } }); // a stray duplicate
    await promise;
    expect(done).toHaveBeenCalledTimes(1);
    expect(done).toHaveBeenCalledWith({ participant: { id: "u1" } });
    expect(client.pending()).toBe(0);
  });

  it("resends after a gap-triggered reconnect and after a fresh snapshot too", () => {
    const { client, socket } = connected({ public: 5 });
    void client.send("a");
    const ref = socket.sent[0].ref;
    socket.receive(item("public", 9, "x", "gap"));
    last().open();
    last().receive(snapshot({ public: 9 }, {}, "e2"));
    expect(last().sent.map((frame) => frame.ref)).toEqual([ref]);
    (client as any).commands.clear();
  });

  it("queues commands while disconnected and sends them in order after synced", async () => {
    const { client, socket } = connected({ public: 5 });
    const early = client.send("one", { n: 1 });
    const earlyRef = socket.sent[0].ref;
    socket.serverClose(1006);
    const p2 = client.send("two", { n: 2 });
    const p3 = client.send("three", { n: 3 });
    expect(client.pending()).toBe(3);
    clock.advance(500);
    const next = last();
    next.open();
    const p4 = client.send("four", { n: 4 }); // open but not synced yet: still queued
    expect(next.sent).toHaveLength(0);
    next.receive({ type: "synced", epoch: "e1", seqs: { public: 5 }, seq: 5 });
    expect(next.sent.map((frame) => frame.type)).toEqual(["one", "two", "three", "four"]);
    expect(next.sent[0].ref).toBe(earlyRef);
    for (const frame of next.sent) next.receive({ type: "ok", ref: frame.ref, data: frame.data });
    await expect(Promise.all([early, p2, p3, p4])).resolves.toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    expect(client.pending()).toBe(0);
  });

  it("queues commands sent before start and before the first snapshot", async () => {
    const client = makeClient();
    const before = client.send("early");
    client.start();
    last().open();
    expect(last().sent).toHaveLength(0);
    last().receive(snapshot({ public: 0 }));
    expect(last().sent.map((frame) => frame.type)).toEqual(["early"]);
    last().receive({ type: "ok", ref: last().sent[0].ref, data: 1 });
    await expect(before).resolves.toBe(1);
  });

  it("does not send twice on the same socket", () => {
    const { client, socket } = connected();
    void client.send("a");
    socket.receive({ type: "synced", epoch: "e1", seqs: { public: 5 }, seq: 5 });
    expect(socket.sent).toHaveLength(1);
    (client as any).commands.clear();
  });

  it("ignores replies without a ref or with an unknown ref", () => {
    const { client, socket } = connected();
    void client.send("a");
    socket.receive({ type: "ok", ref: null, data: {} });
    socket.receive({ type: "ok", ref: "someone-else", data: {} });
    socket.receive({ type: "error", ref: null, error: { code: "bad_request", message: "x" } });
    expect(client.pending()).toBe(1);
    (client as any).commands.clear();
  });
});

describe("offline and online", () => {
  it("closes and shows offline when the browser goes offline; reconnects at once when online", () => {
    const { client, socket } = connected({ public: 5 });
    network.set(false);
    expect(socket.closedWith).not.toBeNull();
    expect(get(client.connection)).toEqual({ status: "offline" });
    expect(get(client.synced)).toBe(false);
    clock.advance(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
    network.set(true);
    expect(FakeSocket.instances).toHaveLength(2);
    expect(get(client.connection)).toEqual({ status: "connecting" });
    expect(params(last().url).get("since")).toBe("public:5");
  });

  it("going online skips a pending backoff", () => {
    const { socket } = connected({ public: 5 });
    socket.serverClose(1006);
    expect(clock.timers.size).toBe(1);
    network.set(false);
    expect(clock.timers.size).toBe(0);
    network.set(true);
    expect(FakeSocket.instances).toHaveLength(2);
    clock.advance(60_000);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it("starts offline without connecting when the browser is offline", () => {
    network.isOnline = false;
    const client = makeClient();
    client.start();
    expect(FakeSocket.instances).toHaveLength(0);
    expect(get(client.connection)).toEqual({ status: "offline" });
    network.set(true);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it("a close while the browser is offline waits for online instead of backing off", () => {
    const { client, socket } = connected();
    network.isOnline = false; // the offline event has not fired yet
    socket.serverClose(1006);
    expect(get(client.connection)).toEqual({ status: "offline" });
    expect(clock.timers.size).toBe(0);
  });

  it("an online event while connected does nothing", () => {
    const { client } = connected();
    network.set(true);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(get(client.connection)).toEqual({ status: "connected" });
  });
});

/** The IndexedDB queue's stand-in: a map, shared by the "pages" of one test. */
class MemoryQueue implements CommandQueue {
  rows = new Map<string, QueuedCommand>();
  load = async () => [...this.rows.values()];
  save = async (command: QueuedCommand) => void this.rows.set(command.ref, command);
  remove = async (ref: string) => void this.rows.delete(ref);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("the kept queue (a reload or a closed tab)", () => {
  it("keeps a command until it is answered, and a new page sends it once with its ref after the sync", async () => {
    const queue = new MemoryQueue();
    network.isOnline = false;
    const first = makeClient({ queue });
    first.start();
    void first.send("question.ask", { session: 1, text: "Offline?" }).catch(() => {});
    await settle();
    const [kept] = [...queue.rows.values()];
    expect(JSON.parse(kept.frame)).toMatchObject({ type: "question.ask", ref: kept.ref, data: { text: "Offline?" } });
    expect(get(first.unsent)).toBe(1);
    first.stop(); // the page is reloaded: its promise is gone, the row is not
    expect(queue.rows.size).toBe(1);

    network.isOnline = true;
    const second = makeClient({ queue });
    second.start();
    await settle();
    expect(get(second.unsent)).toBe(1);
    const socket = last();
    socket.open();
    expect(socket.sent).toEqual([]); // nothing before the sync
    socket.receive(snapshot({ public: 1 }));
    expect(socket.sent).toEqual([JSON.parse(kept.frame)]);
    socket.receive({ type: "ok", ref: kept.ref, data: { question: 7 } });
    await settle();
    expect(queue.rows.size).toBe(0);
    expect(get(second.unsent)).toBe(0);
    // A reconnect sends nothing again.
    socket.serverClose(4000);
    last().open();
    last().receive({ type: "synced", seqs: { public: 1 } });
    expect(last().sent).toEqual([]);
  });

  it("forgets a command refused by the server", async () => {
    const queue = new MemoryQueue();
    const { client, socket } = connected({ public: 1 }, { queue });
    const refused = client.send("question.ask", { session: 1, text: "Late" });
    await settle();
    expect(queue.rows.size).toBe(1);
    socket.receive({ type: "error", ref: socket.sent[0].ref, error: { code: "conflict", message: "Ended." } });
    await expect(refused).rejects.toThrow("Ended.");
    await settle();
    expect(queue.rows.size).toBe(0);
  });

  it("keeps what a reloaded page's refused command said, for the page to give it back", async () => {
    const queue = new MemoryQueue();
    await queue.save({ ref: "k-1", frame: '{"type":"question.ask","ref":"k-1","data":{"session":1,"text":"Who pays?"}}', at: clock.now() });
    const { client, socket } = connected({ public: 1 }, { queue });
    await settle();
    expect(socket.sent).toEqual([{ type: "question.ask", ref: "k-1", data: { session: 1, text: "Who pays?" } }]);
    socket.receive({ type: "error", ref: "k-1", error: { code: "conflict", message: "The session has ended." } });
    await settle();
    expect(get(client.refusedKept)).toEqual([
      { ref: "k-1", type: "question.ask", data: { session: 1, text: "Who pays?" }, code: "conflict", message: "The session has ended." },
    ]);
    expect(queue.rows.size).toBe(0);
    client.dismissRefused("k-1");
    expect(get(client.refusedKept)).toEqual([]);
  });

  it("drops kept commands too old for the server to recognise their ref", async () => {
    const queue = new MemoryQueue();
    await queue.save({ ref: "old-1", frame: '{"type":"question.ask","ref":"old-1","data":{}}', at: clock.now() - QUEUE_MAX_AGE_MS - 1 });
    const { socket } = connected({ public: 1 }, { queue });
    await settle();
    expect(socket.sent).toEqual([]);
    expect(queue.rows.size).toBe(0);
  });
});

describe("transient commands (reactions: of the moment)", () => {
  it("goes out at once, is never kept, and is refused `offline` without a synced socket", async () => {
    const queue = new MemoryQueue();
    const { client, socket } = connected({ public: 1 }, { queue });
    const sent = client.send("reaction.send", { session: 1, kind: "like" }, { transient: true });
    await settle();
    expect(queue.rows.size).toBe(0);
    expect(socket.sent).toMatchObject([{ type: "reaction.send", data: { kind: "like" } }]);
    socket.receive({ type: "ok", ref: socket.sent[0].ref, data: { counted: true } });
    await expect(sent).resolves.toEqual({ counted: true });

    network.set(false);
    await expect(client.send("reaction.send", { session: 1, kind: "love" }, { transient: true })).rejects.toMatchObject({ code: "offline" });
    await settle();
    expect(queue.rows.size).toBe(0);
    expect(get(client.unsent)).toBe(0);
  });

  it("is dropped, not sent again, when its socket goes before the reply", async () => {
    const { client, socket } = connected({ public: 1 });
    const reaction = client.send("reaction.send", { session: 1, kind: "laugh" }, { transient: true });
    const question = client.send("question.ask", { session: 1, text: "Kept?" });
    socket.serverClose(4000);
    await expect(reaction).rejects.toMatchObject({ code: "offline" });
    last().open();
    last().receive({ type: "synced", seqs: { public: 1 } });
    expect(last().sent.map((frame: any) => frame.type)).toEqual(["question.ask"]);
    last().receive({ type: "ok", ref: last().sent[0].ref, data: {} });
    await question;
  });
});

describe("stop", () => {
  it("closes for good: no reconnect, timers cleared, network events ignored", async () => {
    const { client, socket } = connected();
    const waiting = client.send("a");
    client.stop();
    expect(socket.closedWith).not.toBeNull();
    expect(get(client.connection)).toMatchObject({ status: "closed" });
    await expect(waiting).rejects.toMatchObject({ code: "closed" });
    network.set(false);
    network.set(true);
    clock.advance(120_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it("cancels a pending backoff timer", () => {
    const { client, socket } = connected();
    socket.serverClose(1006);
    expect(clock.timers.size).toBe(1);
    client.stop();
    expect(clock.timers.size).toBe(0);
    clock.advance(120_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it("start() after stop() reconnects with the positions held", () => {
    const { client } = connected({ public: 5 });
    client.stop();
    client.start();
    expect(FakeSocket.instances).toHaveLength(2);
    expect(params(last().url).get("since")).toBe("public:5");
  });
});

describe("malformed frames", () => {
  it("are ignored with a warning and never throw", () => {
    const { client, socket } = connected({ public: 5 });
    const before = get(client.state);
    const bad: unknown[] = [
      "not json",
      "[1,2]",
      "null",
      "42",
      { no: "type" },
      { type: 7 },
      { type: "item.set", stream: "public", seq: "6", data: { id: "a", value: "x" } },
      { type: "item.set", stream: "public", seq: -1, data: {} },
      { type: "item.set", seq: 6, data: {} },
      { type: "snapshot", epoch: "e9", seqs: { public: "x" }, data: {} },
      { type: "snapshot", epoch: "e9", seqs: { public: 1 } },
      { type: "snapshot", seqs: { public: 1 }, data: {} },
      { type: "synced", seqs: null },
      { type: "presence", data: 3 },
      { type: "ok" },
      { type: "error", ref: "zzz" },
      { type: "whatever" },
    ];
    for (const frame of bad) expect(() => socket.receive(frame)).not.toThrow();
    expect(() => socket.receiveRaw(new ArrayBuffer(4))).not.toThrow();
    expect(get(client.state)).toBe(before);
    expect(warn).toHaveBeenCalled();
    expect(FakeSocket.instances).toHaveLength(1);
    // Still in sync: the next good event applies.
    socket.receive(item("public", 6, "a", "good"));
    expect(get(client.state)!.log).toEqual(["good"]);
  });

  it("an event the reducer cannot apply is skipped, not looped on", () => {
    const { client, socket } = connected({ public: 5 });
    expect(() => socket.receive({ type: "boom", stream: "public", seq: 6, data: null })).not.toThrow();
    socket.receive(item("public", 7, "a", "next"));
    expect(get(client.state)!.log).toEqual(["next"]);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it("an error frame with a malformed body still rejects with a CommandError", async () => {
    const { client, socket } = connected();
    const promise = client.send("a");
    socket.receive({ type: "error", ref: socket.sent[0].ref, error: "oops" });
    await expect(promise).rejects.toMatchObject({ name: "CommandError", code: "internal" });
  });

  it("a WebSocket constructor that throws counts as a failed attempt", () => {
    const Throwing = class {
      constructor() {
        throw new SyntaxError("bad url");
      }
    };
    const client = makeClient({ WebSocketImpl: Throwing as any });
    expect(() => client.start()).not.toThrow();
    expect(get(client.connection)).toMatchObject({ status: "reconnecting", attempt: 1 });
  });
});
