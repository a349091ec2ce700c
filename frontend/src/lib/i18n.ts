// Every user-visible string goes through t() (or tn() for a count); the French and Dutch texts
// come from locale/<lang>/LC_MESSAGES/djangojs.po (scripts/i18n.mjs turns them into catalog.gen.ts).
import { catalogues } from "./catalog.gen";
import { locale } from "./locale.svelte";

export const LANGUAGES = [
  { code: "en", name: "English" },
  { code: "fr", name: "Français" },
  { code: "nl", name: "Nederlands" },
] as const;
export type Language = (typeof LANGUAGES)[number]["code"];
/** The switch's choice, read by Django (pages and the live socket) as well. */
export const LANGUAGE_COOKIE = "django_language";

type Params = Record<string, string | number>;

function fill(template: string, params: Params, lang: string): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) => {
    if (!(name in params)) return match;
    const value = params[name];
    return typeof value === "number" ? formatNumber(value, lang) : value;
  });
}

function translate(text: string, params: Params, lang: string): string {
  const entry = catalogues[lang]?.[text];
  return fill(typeof entry === "string" ? entry : text, params, lang);
}

/** `text` in the page's language with `{name}` filled in; side by side with a second language on
 * a bilingual projector. */
export function t(text: string, params: Params = {}): string {
  const first = translate(text, params, locale.lang);
  if (!locale.alongside || locale.alongside === locale.lang) return first;
  const second = translate(text, params, locale.alongside);
  return second === first ? first : `${first} / ${second}`;
}

/** A text that depends on a count: `one` or `other` (English), the language's plural form else;
 * `{count}` is the count, formatted for the language. */
export function tn(one: string, other: string, count: number, params: Params = {}): string {
  const forms = (lang: string) => {
    const entry = catalogues[lang]?.[one];
    const rule = new Intl.PluralRules(lang).select(count);
    const texts = Array.isArray(entry) ? entry : [one, other];
    return fill(rule === "one" ? texts[0] : texts[texts.length - 1], { count, ...params }, lang);
  };
  const first = forms(locale.lang);
  if (!locale.alongside || locale.alongside === locale.lang) return first;
  const second = forms(locale.alongside);
  return second === first ? first : `${first} / ${second}`;
}

/** Marks a text for translation where it is defined (a table of labels); t() translates it where shown. */
export function N_(text: string): string {
  return text;
}

export function language(): string {
  return locale.lang;
}

/** Shows the page in `lang` (and a second language beside it on a bilingual projector). */
export function setLanguage(lang: string, alongside: string | null = null): void {
  locale.lang = lang;
  locale.alongside = alongside;
  if (typeof document !== "undefined") document.documentElement.lang = lang;
}

/** The switch: this device keeps the choice (the same cookie Django's pages and socket read). */
export function chooseLanguage(lang: Language): void {
  document.cookie = `${LANGUAGE_COOKIE}=${lang}; path=/; max-age=${365 * 24 * 3600}; samesite=lax`;
  locale.chosen = lang;
  setLanguage(lang);
}

interface ProjectorEvent {
  languages?: string[];
  projector?: { mode: "off" | "side_by_side" | "alternating"; interval: number };
}

/**
 * The stage and the screen: the event's first language, or its first two side by side or taking
 * turns every `interval` seconds; a language chosen with the switch wins. Returns the cleanup.
 */
export function followProjector(event: ProjectorEvent): () => void {
  const [first, second] = event.languages ?? [];
  if (locale.chosen || !first) return () => {};
  const mode = second ? (event.projector?.mode ?? "off") : "off";
  if (mode === "side_by_side") {
    setLanguage(first, second);
    return () => {};
  }
  setLanguage(first);
  if (mode !== "alternating") return () => {};
  const timer = setInterval(
    () => setLanguage(locale.lang === first ? second : first),
    Math.max(3, event.projector?.interval ?? 10) * 1000,
  );
  return () => clearInterval(timer);
}

export function formatNumber(value: number, lang: string = locale.lang): string {
  return new Intl.NumberFormat(lang).format(value);
}
