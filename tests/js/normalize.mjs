// Runs static/search-normalize.js on a table written by `cargo test` (tests/it/search.rs)
// and reports every input on which it disagrees with src/search/normalize.rs.
// Usage: node tests/js/normalize.mjs TABLE.json
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const { normalizeForSearch, words } = await import(
  pathToFileURL(join(here, "../../static/search-normalize.js")).href
);

const table = JSON.parse(readFileSync(process.argv[2], "utf8"));
let failures = 0;
for (const row of table) {
  const normalized = normalizeForSearch(row.input);
  const spans = words(row.input).map((w) => [w.start, w.end, w.normalized]);
  const same = normalized === row.normalized && JSON.stringify(spans) === JSON.stringify(row.words);
  if (!same) {
    failures++;
    console.log(`input:      ${JSON.stringify(row.input)}`);
    console.log(`rust:       ${JSON.stringify(row.normalized)} ${JSON.stringify(row.words)}`);
    console.log(`javascript: ${JSON.stringify(normalized)} ${JSON.stringify(spans)}`);
  }
}
console.log(`${table.length - failures}/${table.length} inputs normalize alike`);
process.exit(failures ? 1 : 0);
