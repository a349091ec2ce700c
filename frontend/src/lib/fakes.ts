// Stand-ins for the browser's socket and network, driven by hand in the live client's tests.

/** A WebSocket stand-in the test drives by hand: open(), receive(), serverClose(). */
export class FakeSocket {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: any[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  onopen: ((event: any) => void) | null = null;
  onmessage: ((event: any) => void) | null = null;
  onclose: ((event: any) => void) | null = null;
  onerror: ((event: any) => void) | null = null;

  constructor(public url: string) {
    FakeSocket.instances.push(this);
  }

  send(text: string): void {
    if (this.readyState !== 1) throw new Error("InvalidStateError");
    this.sent.push(JSON.parse(text));
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
    // Like a browser, a client-side close still reports a close event (the client must ignore it).
    this.onclose?.({ code: 1005, reason: "" });
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  receive(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === "string" ? frame : JSON.stringify(frame) });
  }

  receiveRaw(data: unknown): void {
    this.onmessage?.({ data });
  }

  serverClose(code: number, reason = ""): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

/** navigator.onLine and its events. */
export class FakeNetwork {
  isOnline = true;
  listeners = new Set<(online: boolean) => void>();
  online = () => this.isOnline;
  subscribe = (onChange: (online: boolean) => void) => {
    this.listeners.add(onChange);
    return () => this.listeners.delete(onChange);
  };
  set(online: boolean): void {
    this.isOnline = online;
    for (const listener of this.listeners) listener(online);
  }
}
