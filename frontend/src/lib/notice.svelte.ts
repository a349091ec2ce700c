// A console's feedback line ("Approved: …", "Go live: Keynote"): it gives way to the next action's
// and clears itself after a while, an error later than a success, so an old line never lingers.

export type NoticeKind = "ok" | "info" | "error";

/** How long a line stays, by kind (ms). */
export const NOTICE_LINGER: Record<NoticeKind, number> = { ok: 6000, info: 6000, error: 15000 };

export class Notice {
  current = $state<{ text: string; kind: NoticeKind } | null>(null);
  #timer: ReturnType<typeof setTimeout> | undefined;

  show(text: string, kind: NoticeKind = "ok"): void {
    this.clear();
    this.current = { text, kind };
    this.#timer = setTimeout(() => this.clear(), NOTICE_LINGER[kind]);
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.current = null;
  }
}
