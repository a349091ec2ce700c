// The page's language as reactive state: every t() in a template re-renders when it changes
// (the switch, the projector alternating between the event's languages).
function pageLanguage(): string {
  return typeof document === "undefined" ? "en" : document.documentElement.lang || "en";
}

/** The language chosen with the switch on this device (Django's language cookie), if any. */
function chosenLanguage(): string | null {
  if (typeof document === "undefined") return null;
  const match = /(?:^|;\s*)django_language=(\w+)/.exec(document.cookie);
  return match ? match[1] : null;
}

export const locale = $state<{ lang: string; alongside: string | null; chosen: string | null }>({
  lang: pageLanguage(),
  alongside: null,
  chosen: chosenLanguage(),
});
