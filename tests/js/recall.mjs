// Searches a built site with its real Pagefind bundle (pagefind.js and its WebAssembly,
// run in Node) after normalizing each query with the site's own search-normalize.js,
// exactly as the search page does, and prints what each query found as JSON.
// Usage: node tests/js/recall.mjs PUBLIC_DIR QUERIES.json
//   QUERIES.json: ["query", ...]
//   prints: [{query, normalized, count, all, results: [{url, title, excerpt}], bytes, ms,
//             files}]: `bytes` and `ms` are what showing the first five results
//             downloaded and took (from a cold start: WebAssembly included)
import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [publicDir, queriesFile] = process.argv.slice(2);
const queries = JSON.parse(readFileSync(queriesFile, "utf8"));

// Node's fetch has no file: URLs; serve the bundle from disk and count what is read.
let fetched = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (input) => {
  const url = new URL(typeof input === "string" ? input : input.url);
  if (url.protocol !== "file:") return realFetch(input);
  const bytes = await readFile(fileURLToPath(url));
  fetched.push({ path: decodeURIComponent(url.pathname), bytes: bytes.length });
  return new Response(bytes, { status: 200 });
};

const text = await import(pathToFileURL(join(publicDir, "search-normalize.js")).href);
const out = [];
for (const query of queries) {
  // A fresh engine per query, so each one's downloads are counted from nothing.
  const pagefind = await import(
    pathToFileURL(join(publicDir, "pagefind/pagefind.js")).href + `?q=${out.length}`
  );
  fetched = [];
  fetched.push({ path: "/pagefind/pagefind.js", bytes: readFileSync(join(publicDir, "pagefind/pagefind.js")).length });
  await pagefind.options({ baseUrl: "/", noWorker: true });
  const started = performance.now();
  const normalized = text.normalizeQuery(query);
  const search = await pagefind.search(normalized);
  const results = [];
  for (const r of search.results.slice(0, 5)) {
    const data = await r.data();
    const from =
      text.tokenCount(data.meta.title ?? "") + text.tokenCount(data.meta.subtitle ?? "");
    results.push({
      url: data.raw_url,
      title: data.meta.title,
      excerpt: text.excerpt(data.content, r.words, { from }),
    });
  }
  // What showing the first five results took and downloaded.
  const ms = Math.round(performance.now() - started);
  const files = fetched;
  fetched = [];
  // Every result's URL, beyond the five shown.
  const all = [];
  for (const r of search.results) all.push((await r.data()).raw_url);
  out.push({
    query,
    normalized,
    count: search.results.length,
    all,
    results,
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    ms,
    files,
  });
  await pagefind.destroy();
}
console.log(JSON.stringify(out, null, 1));
