// Searches a built site with its Pagefind bundle's own client (pagefind.js and its
// WebAssembly, run in Node) and prints, for each query, the words Pagefind's own
// excerpts mark: the highlight any site using Pagefind's stock UI or API shows.
// Usage: node tests/js/highlight.mjs PUBLIC_DIR QUERIES.json
//   QUERIES.json: ["query", ...] (each normalized as the site's search page does)
//   prints: [{query, normalized, results: [{url, marked: ["word", ...]}]}]
import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [publicDir, queriesFile] = process.argv.slice(2);
const queries = JSON.parse(readFileSync(queriesFile, "utf8"));

// Node's fetch has no file: URLs; serve the bundle from disk.
const realFetch = globalThis.fetch;
globalThis.fetch = async (input) => {
  const url = new URL(typeof input === "string" ? input : input.url);
  if (url.protocol !== "file:") return realFetch(input);
  return new Response(await readFile(fileURLToPath(url)), { status: 200 });
};

const text = await import(pathToFileURL(join(publicDir, "search-normalize.js")).href);
const pagefind = await import(pathToFileURL(join(publicDir, "pagefind/pagefind.js")).href);
await pagefind.options({ baseUrl: "/", noWorker: true });
const out = [];
for (const query of queries) {
  const normalized = text.normalizeQuery(query);
  const search = await pagefind.search(normalized);
  const results = [];
  for (const r of search.results) {
    const data = await r.data();
    const marked = [...data.excerpt.matchAll(/<mark>(.*?)<\/mark>/g)].map((m) => m[1]);
    results.push({ url: data.raw_url, marked });
  }
  out.push({ query, normalized, results });
}
console.log(JSON.stringify(out, null, 1));
