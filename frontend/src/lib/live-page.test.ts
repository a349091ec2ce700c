import { get } from "svelte/store";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Bootstrap } from "./bootstrap";
import { FakeNetwork, FakeSocket } from "./fakes";
import { ev, liveState, session } from "./fixtures";
import { CloseCode, CommandError } from "./live";
import { LivePage, type LivePageOptions } from "./live-page";
import { serverOffset } from "./server-clock";

const boot: Bootstrap = {
  page: "attend",
  code: "SFH2022",
  socket: "/ws/events/SFH2022/",
  join: "/api/events/SFH2022/join",
  initial: liveState({ sessions: [session(1)] }),
};

const pages: LivePage[] = [];

function makePage(options: LivePageOptions = {}): LivePage {
  const page = new LivePage(boot, {
    ...options,
    client: { WebSocketImpl: FakeSocket as any, onlineEvents: new FakeNetwork(), random: () => 0.5, ...options.client },
  });
  pages.push(page);
  return page;
}

function last(): FakeSocket {
  return FakeSocket.instances[FakeSocket.instances.length - 1];
}

/** The server's first frame: the snapshot of a state in which session 1 is live. */
function snapshot(socket: FakeSocket) {
  socket.open();
  socket.receive({ type: "snapshot", epoch: "e1", seqs: { public: 1 }, seq: 1, data: liveState({ sessions: [session(1, { status: "live" })] }) });
}

beforeEach(() => {
  FakeSocket.instances = [];
  vi.stubGlobal("window", { location: new URL("https://live.example/e/SFH2022/") });
  vi.spyOn(console, "warn").mockImplementation(() => {});
});

afterEach(() => {
  pages.splice(0).forEach((page) => page.stop());
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("LivePage", () => {
  it("measures the offset to the server's clock when each snapshot arrives, not later", () => {
    const clock = { now: Date.parse("2022-11-21T10:00:00+01:00") };
    const page = makePage({ client: { now: () => clock.now } });
    page.connect({ key: "role-key" });
    const socket = last();
    socket.open();
    // The server's clock is 4 s ahead of this device's.
    const frame = (serverTime: string) => ({
      type: "snapshot", epoch: "e1", seqs: { public: 1 }, seq: 1, data: liveState({ server_time: serverTime }),
    });
    socket.receive(frame("2022-11-21T10:00:04+01:00"));
    expect(get(serverOffset)).toBe(4000);
    clock.now += 600_000; // ten minutes on, an event: the offset stays
    socket.receive(ev("session.updated", session(1, { status: "live" }), "public", 2));
    expect(get(serverOffset)).toBe(4000);
    socket.receive(frame("2022-11-21T10:10:01+01:00")); // a fresh snapshot: measured again
    expect(get(serverOffset)).toBe(1000);
  });

  it("shows the page's embedded state until a socket brings the server's", () => {
    const page = makePage();
    expect(get(page.live)).toBeNull();
    expect(get(page.view)).toBe(boot.initial);
    page.connect({ key: "role-key" });
    expect(last().url).toBe("wss://live.example/ws/events/SFH2022/?key=role-key&lang=en");
    expect(get(page.view)).toBe(boot.initial);
    snapshot(last());
    expect(get(page.view).sessions[0].status).toBe("live");
    expect(get(page.connection)).toEqual({ status: "connected" });
    expect(get(page.synced)).toBe(true);
  });

  it("applies every kind of pushed event (reduceLive)", () => {
    const page = makePage();
    page.connect({ token: "t1" });
    snapshot(last());
    last().receive({ ...ev("session.updated", session(1, { status: "paused" })), seq: 2 });
    expect(get(page.view).sessions[0].status).toBe("paused");
  });

  it("refuses a command before the socket is opened, with a sentence", async () => {
    await expect(makePage().send("question.ask", {})).rejects.toThrow("Not connected yet.");
  });

  it("tells the page when the server refuses the socket for good, not when the page stops", () => {
    const onClosed = vi.fn();
    const page = makePage({ onClosed });
    page.connect({ token: "forgotten" });
    last().serverClose(CloseCode.Unauthorised, "Unknown token.");
    expect(onClosed).toHaveBeenCalledExactlyOnceWith(CloseCode.Unauthorised);
    expect(get(page.connection)).toMatchObject({ status: "closed", code: CloseCode.Unauthorised });

    const other = makePage({ onClosed: (code) => onClosed(code) });
    other.connect({ token: "t1" });
    other.stop();
    last().serverClose(CloseCode.ReconnectNow);
    expect(onClosed).toHaveBeenCalledTimes(1);
  });

  it("opens afresh with other credentials; the old client's news no longer counts", async () => {
    const onClosed = vi.fn();
    const page = makePage({ onClosed });
    page.connect({ token: "old" });
    const old = last();
    snapshot(old);
    const pending = page.send("question.vote", { question: 1, up: true });
    page.connect({ token: "new" });
    await expect(pending).rejects.toBeInstanceOf(CommandError);
    expect(old.closedWith).not.toBeNull();
    expect(last().url).toContain("token=new");
    expect(get(page.connection)).toEqual({ status: "connecting" });
    old.serverClose(CloseCode.Unauthorised);
    expect(onClosed).not.toHaveBeenCalled();
  });

  it("stop closes the socket and fails what waits", async () => {
    const page = makePage();
    page.connect({ token: "t1" });
    snapshot(last());
    const pending = page.send("question.vote", { question: 1, up: true });
    page.stop();
    await expect(pending).rejects.toMatchObject({ code: "closed" });
    expect(last().closedWith?.code).toBe(1000);
    await expect(page.send("question.vote", {})).rejects.toThrow("Not connected yet.");
  });
});
