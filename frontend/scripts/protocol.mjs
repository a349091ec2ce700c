// Writes src/lib/protocol.gen.ts from the server's contract (docs/protocol.schema.json): the
// TypeScript types of every command, event, frame and the snapshot, and the server's rules that
// the pages follow (limits, session transitions). Run by `npm run build`, `check` and `test`.
import { readFileSync, writeFileSync } from "node:fs";
import { compile } from "json-schema-to-typescript";

const source = new URL("../../docs/protocol.schema.json", import.meta.url);
const target = new URL("../src/lib/protocol.gen.ts", import.meta.url);
const schema = JSON.parse(readFileSync(source, "utf8"));

// json-schema-to-typescript reads a tuple from draft-04's array `items`, not 2020-12's `prefixItems`.
function tuples(node) {
  if (Array.isArray(node)) node.forEach(tuples);
  else if (node && typeof node === "object") {
    if (node.prefixItems) {
      node.items = node.prefixItems;
      delete node.prefixItems;
    }
    Object.values(node).forEach(tuples);
  }
}
tuples(schema);

const banner = "// Generated from docs/protocol.schema.json by scripts/protocol.mjs: do not edit.";
const types = await compile(schema, "Protocol", {
  bannerComment: banner,
  additionalProperties: false,
  strictIndexSignatures: false,
  format: false,
  unreachableDefinitions: true,
  maxItems: -1,
});

const constants = Object.entries(schema["x-constants"])
  .map(([name, value]) => `export const ${name.toUpperCase()} = ${JSON.stringify(value, null, 2)} as const;`)
  .join("\n\n");

const text = `${types}\n/** The server's rules, from the schema's x-constants. */\n${constants}\n`;
let old = "";
try {
  old = readFileSync(target, "utf8");
} catch {
  // first run
}
if (old !== text) writeFileSync(target, text);
