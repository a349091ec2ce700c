/// <reference types="node" />
// Completeness of the French and Dutch catalogues, Django's (django.po) and the apps' (djangojs.po):
// every text translated, none fuzzy, every placeholder kept; and no text in the apps' markup
// that bypasses t().
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { po } from "gettext-parser";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain ES module of the build's scripts
import { scan } from "../../scripts/i18n.mjs";

const ROOT = join(__dirname, "..", "..", "..");
const CATALOGUES = ["fr", "nl"].flatMap((lang) =>
  ["django", "djangojs"].map((domain) => ({ lang, domain, path: join(ROOT, "locale", lang, "LC_MESSAGES", `${domain}.po`) })),
);
const PLACEHOLDER = /%\((\w+)\)[sd]|\{(\w+)\}/g;
const placeholders = (text: string) => [...text.matchAll(PLACEHOLDER)].map((match) => match[0]).sort();

type Entry = { msgid: string; msgid_plural?: string; msgstr: string[]; comments?: { flag?: string } };

describe.each(CATALOGUES)("$lang/$domain.po", ({ path }) => {
  const entries = Object.values(po.parse(readFileSync(path)).translations[""] as unknown as Record<string, Entry>).filter(
    (entry) => entry.msgid,
  );

  it("holds messages", () => expect(entries.length).toBeGreaterThan(50));

  it("translates every message", () => {
    expect(entries.filter((entry) => !entry.msgstr.length || !entry.msgstr.every(Boolean)).map((entry) => entry.msgid)).toEqual([]);
  });

  it("has no fuzzy translation", () => {
    expect(entries.filter((entry) => entry.comments?.flag?.includes("fuzzy")).map((entry) => entry.msgid)).toEqual([]);
  });

  it("keeps every placeholder, adding none", () => {
    const broken = entries.flatMap((entry) =>
      entry.msgstr
        .filter((text, form) => {
          const source = form > 0 && entry.msgid_plural ? entry.msgid_plural : entry.msgid;
          return placeholders(text).join() !== placeholders(source).join();
        })
        .map((text) => `${entry.msgid} → ${text}`),
    );
    expect(broken).toEqual([]);
  });
});

describe("the apps' sources", () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith(".svelte") ? [join(dir, entry.name)] : [],
    );

  it("show no text in markup or labelling attributes outside t()", () => {
    const literals = files(join(__dirname, "..")).flatMap((path) =>
      (scan(path).literals as { line: number; text: string }[]).map((item) => `${path}:${item.line} ${item.text}`),
    );
    expect(literals).toEqual([]);
  });

  it("are all in the catalogue (run `npm run messages` after adding a text)", () => {
    const catalogue = readFileSync(CATALOGUES[1].path, "utf8");
    const ids = files(join(__dirname, "..")).flatMap((path) => (scan(path).messages as { id: string }[]).map((m) => m.id));
    const missing = ids.filter((id) => !catalogue.includes(`msgid ${JSON.stringify(id)}`));
    expect(missing).toEqual([]);
  });
});
