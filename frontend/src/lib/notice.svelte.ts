// A console's feedback line ("Approved: …", "Go live: Keynote"): it gives way to the next action's
// and clears itself after a while, an error later than a success, so an old line never lingers.
import { t } from "./i18n";

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

/**
 * A console's commands on its items (sessions, questions, polls by id): while one is under way its
 * item is busy (its buttons wait, a second click does nothing), and the notice says how it went.
 */
export class CommandFeedback {
  busy = $state.raw<Readonly<Record<number, boolean>>>({});
  readonly notice = new Notice();

  /**
   * Runs `command` for item `id` unless one runs for it already. The notice shows `done(reply)`
   * (nothing when it gives null) or the refusal. Resolves true when the command went through.
   */
  async run<T>(id: number, command: () => Promise<T>, done: (reply: T) => string | null = () => null): Promise<boolean> {
    if (this.busy[id]) return false;
    this.busy = { ...this.busy, [id]: true };
    this.notice.clear();
    try {
      const text = done(await command());
      if (text) this.notice.show(text);
      return true;
    } catch (error) {
      this.notice.show((error as Error).message || t("The command failed."), "error");
      return false;
    } finally {
      this.busy = { ...this.busy, [id]: false };
    }
  }
}
