// The Svelte apps' catalogue, kept as gettext files beside Django's (locale/<lang>/LC_MESSAGES/
// djangojs.po) so that translators use one format and one tool for both.
//
//   node scripts/i18n.mjs extract   every t()/tn() of src/ into the .po files (new strings empty,
//                                   gone ones dropped, translations kept): run after adding strings
//   node scripts/i18n.mjs catalog   the .po files as src/lib/catalog.gen.ts (run by every build)
import { readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { join, relative, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import gettextParser from "gettext-parser";
import { parse } from "svelte/compiler";
import ts from "typescript";

const FRONTEND = join(dirname(fileURLToPath(import.meta.url)), "..");
const ROOT = join(FRONTEND, "..");
const SOURCES = join(FRONTEND, "src");
export const LANGUAGES = ["fr", "nl"];
const PLURAL_FORMS = { fr: "nplurals=2; plural=(n > 1);", nl: "nplurals=2; plural=(n != 1);" };
const catalogPath = (lang) => join(ROOT, "locale", lang, "LC_MESSAGES", "djangojs.po");

function sourceFiles(dir = SOURCES) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    if (/\.(test|gen)\.ts$/.test(entry.name) || entry.name === "fakes.ts" || entry.name === "fixtures.ts") return [];
    return /\.(svelte|ts)$/.test(entry.name) ? [path] : [];
  });
}

/** A string literal's value (a template literal without ${} counts), else null. */
function literal(node) {
  if (!node) return null;
  if (node.type === "Literal" && typeof node.value === "string") return node.value;
  if (node.type === "TemplateLiteral" && node.expressions.length === 0) return node.quasis[0].value.cooked;
  return null;
}

/** The literals an argument may be: `a ? "x" : "y"` and `map[key] ?? "z"` give theirs. */
function literalTexts(node) {
  const value = literal(node);
  if (value !== null) return [value];
  if (node?.type === "ConditionalExpression") return [...literalTexts(node.consequent), ...literalTexts(node.alternate)];
  if (node?.type === "LogicalExpression") return literalTexts(node.right);
  return [];
}

function walk(node, visit, parent = null) {
  if (!node || typeof node !== "object") return;
  if (Array.isArray(node)) return node.forEach((child) => walk(child, visit, parent));
  if (typeof node.type === "string") visit(node, parent);
  const next = typeof node.type === "string" ? node : parent;
  for (const [key, value] of Object.entries(node)) {
    if (key !== "parent" && key !== "metadata" && value && typeof value === "object") walk(value, visit, next);
  }
}

const USER_ATTRIBUTES = new Set(["aria-label", "title", "placeholder", "alt", "aria-description", "aria-roledescription"]);
const WORDS = /\p{L}{2,}/u;

/**
 * What one source file says to people: its t()/tn() calls, the calls whose text is not a literal
 * (the extractor cannot see them), and markup text or labelling attributes written outside t().
 */
export function scan(path, source = readFileSync(path, "utf8")) {
  const messages = [];
  const dynamic = [];
  const literals = [];
  const call = (name, args, line) => {
    if (name === "t" || name === "N_") {
      const ids = literalTexts(args[0]);
      if (ids.length === 0) dynamic.push(line);
      for (const id of ids) messages.push({ id, line });
    } else if (name === "tn") {
      const [one, other] = [literal(args[0]), literal(args[1])];
      if (one === null || other === null) dynamic.push(line);
      else messages.push({ id: one, plural: other, line });
    }
  };
  const lineOf = (offset) => source.slice(0, offset).split("\n").length;
  if (path.endsWith(".svelte")) {
    const ast = parse(source, { modern: true });
    walk([ast.instance, ast.module, ast.fragment], (node, parent) => {
      if (node.type === "CallExpression" && node.callee.type === "Identifier") {
        call(node.callee.name, node.arguments, lineOf(node.start));
      } else if (node.type === "Text" && parent?.type === "Fragment" && WORDS.test(node.data)) {
        literals.push({ line: lineOf(node.start), text: node.data.trim() });
      } else if (node.type === "Attribute" && USER_ATTRIBUTES.has(node.name) && Array.isArray(node.value)) {
        const text = node.value.filter((part) => part.type === "Text").map((part) => part.data).join("");
        if (WORDS.test(text)) literals.push({ line: lineOf(node.start), text: `${node.name}="${text}"` });
      }
    });
  } else {
    const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
        const estree = (arg) => {
          if (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) return { type: "Literal", value: arg.text };
          if (ts.isParenthesizedExpression(arg)) return estree(arg.expression);
          if (ts.isConditionalExpression(arg))
            return { type: "ConditionalExpression", consequent: estree(arg.whenTrue), alternate: estree(arg.whenFalse) };
          return {};
        };
        const args = node.arguments.map(estree);
        call(node.expression.text, args, file.getLineAndCharacterOfPosition(node.getStart()).line + 1);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return { messages, dynamic, literals };
}

/** Every message of the apps, in source order, with where each is used. */
export function extract() {
  const found = new Map();
  for (const path of sourceFiles()) {
    for (const message of scan(path).messages) {
      const where = `${relative(ROOT, path)}:${message.line}`;
      const known = found.get(message.id);
      if (known) known.references.push(where);
      else found.set(message.id, { ...message, references: [where] });
    }
  }
  return found;
}

function readCatalog(lang) {
  const path = catalogPath(lang);
  return existsSync(path) ? gettextParser.po.parse(readFileSync(path)) : null;
}

function writeCatalogs() {
  const messages = extract();
  for (const lang of LANGUAGES) {
    const old = readCatalog(lang)?.translations[""] ?? {};
    const translations = { "": { "": { msgid: "", msgstr: [""] } } };
    for (const [id, message] of messages) {
      const previous = old[id];
      const forms = message.plural ? 2 : 1;
      const msgstr = previous?.msgstr?.length === forms ? previous.msgstr : Array(forms).fill("");
      translations[""][id] = {
        msgid: id,
        ...(message.plural ? { msgid_plural: message.plural } : {}),
        msgstr,
        comments: { reference: message.references.join("\n"), ...(previous?.comments?.flag ? { flag: previous.comments.flag } : {}) },
      };
    }
    const catalog = {
      charset: "utf-8",
      headers: {
        "Project-Id-Version": "LiveHub",
        Language: lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": PLURAL_FORMS[lang],
      },
      translations,
    };
    writeFileSync(catalogPath(lang), gettextParser.po.compile(catalog, { foldLength: 0, sort: false }));
    const missing = [...messages.keys()].filter((id) => !translations[""][id].msgstr.every(Boolean));
    console.log(`${lang}: ${messages.size} messages, ${missing.length} to translate`);
  }
}

/** The .po files as one module: per language, msgid → text, or [one, other] for plurals. */
function writeModule() {
  const catalogues = {};
  for (const lang of LANGUAGES) {
    const catalog = readCatalog(lang);
    const entries = {};
    for (const [id, entry] of Object.entries(catalog?.translations[""] ?? {})) {
      const fuzzy = (entry.comments?.flag ?? "").includes("fuzzy");
      if (!id || fuzzy || !entry.msgstr.every(Boolean)) continue; // untranslated: English shows
      entries[id] = entry.msgid_plural ? entry.msgstr : entry.msgstr[0];
    }
    catalogues[lang] = entries;
  }
  const text =
    "// Generated by scripts/i18n.mjs from locale/*/LC_MESSAGES/djangojs.po; do not edit.\n" +
    `export const catalogues: Record<string, Record<string, string | string[]>> = ${JSON.stringify(catalogues, null, 1)};\n`;
  writeFileSync(join(SOURCES, "lib", "catalog.gen.ts"), text);
}

const command = process.argv[2];
if (command === "extract") writeCatalogs();
else if (command === "catalog") writeModule();
else if (import.meta.url === `file://${process.argv[1]}`) {
  console.error("usage: node scripts/i18n.mjs extract|catalog");
  process.exit(2);
}
