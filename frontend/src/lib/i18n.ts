// Every user-visible string goes through t(), even while only English exists.
const messages: Record<string, string> = {};

export function t(text: string, params: Record<string, string | number> = {}): string {
  const template = messages[text] ?? text;
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    name in params ? String(params[name]) : match,
  );
}
