// warraq search page: runs Pagefind (the bundle under /pagefind/, built with the site)
// on the query as src/search/normalize.rs normalizes it, and shows results as their authors wrote
// them. A plain ES module: no build step, no third party, works from any static host.

import { normalizeQuery, tokenCount, matchedForms, markWords, excerpt } from "./search-normalize.js";

const PAGE = 5;
// Where the site is served from (`/`, or `/archive/` under a path): this script is at
// its root. Site paths in the index (`/articles/x/`) are put under it.
const BASE = new URL("./", import.meta.url).pathname;
const sitePath = (p) => (p && p.startsWith("/") && !p.startsWith("//") ? BASE + p.slice(1) : p);
const root = document.getElementById("search");
const form = root.querySelector("form");
const input = form.elements.q;
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
const number = new Intl.NumberFormat(root.dataset.lang, { numberingSystem: root.dataset.digits });

let engine = null;
/** Pagefind, loaded on first use. */
async function pagefind() {
  if (!engine) {
    engine = import("./pagefind/pagefind.js").then(async (pf) => {
      // Searching is quick enough on the page's own thread; a worker would be one more
      // file to download.
      await pf.options({ baseUrl: BASE, noWorker: true });
      return pf;
    });
  }
  return engine;
}

let current = 0; // which search the page shows; older ones are dropped
let results = [];
let shown = 0;

function state() {
  const data = new FormData(form);
  const filters = {};
  for (const name of ["topic", "author", "year"]) {
    const v = data.get(name);
    if (v) filters[name] = v;
  }
  return { q: (data.get("q") || "").trim(), filters };
}

async function run({ push = false } = {}) {
  const id = ++current;
  const { q, filters } = state();
  const params = new URLSearchParams();
  if (q) params.set("q", q);
  for (const [k, v] of Object.entries(filters)) params.set(k, v);
  const qs = params.toString();
  const url = `${location.pathname}${qs ? `?${qs}` : ""}`;
  history[push ? "pushState" : "replaceState"](null, "", url);
  const query = normalizeQuery(q);
  if (!query && Object.keys(filters).length === 0) {
    list.replaceChildren();
    status.textContent = "";
    more.hidden = true;
    return;
  }
  status.textContent = root.dataset.searching;
  try {
    const pf = await pagefind();
    const found = await pf.search(query || null, { filters });
    if (id !== current) return;
    results = found.results;
    shown = 0;
    list.replaceChildren();
    status.textContent = results.length
      ? root.dataset.results.replace("{n}", number.format(results.length))
      : root.dataset.none;
    await showMore(id);
  } catch (e) {
    console.error(e);
    if (id === current) status.textContent = root.dataset.unavailable;
  }
}

async function showMore(id = current) {
  const batch = results.slice(shown, shown + PAGE);
  shown += batch.length;
  const items = await Promise.all(batch.map((r) => r.data().then((d) => item(d, r.words))));
  if (id !== current) return;
  list.append(...items);
  more.hidden = shown >= results.length;
}

/** One result: title, date, topic and excerpt, in the author's own spelling. */
function item(data, locations) {
  const meta = data.meta;
  const title = meta.title ?? data.raw_url;
  const subtitle = meta.subtitle ?? "";
  // The content's first tokens are the title's and the subtitle's.
  const from = tokenCount(title) + tokenCount(subtitle);
  const forms = matchedForms(data.content, locations);
  const li = document.createElement("li");
  li.className = "search-result";
  const h = document.createElement("h2");
  const a = document.createElement("a");
  a.href = sitePath(data.raw_url);
  a.innerHTML = markWords(title, forms);
  h.append(a);
  const p = document.createElement("p");
  p.className = "meta";
  const time = document.createElement("span");
  time.textContent = meta.date ?? "";
  p.append(time);
  if (meta.topic) {
    const t = document.createElement(meta.topic_url ? "a" : "span");
    if (meta.topic_url) t.href = sitePath(meta.topic_url);
    const bdi = document.createElement("bdi");
    bdi.textContent = meta.topic;
    t.append(bdi);
    p.append(" · ", t);
  }
  const ex = document.createElement("p");
  ex.className = "search-excerpt";
  ex.dir = "auto";
  ex.innerHTML = excerpt(data.content, locations, { from });
  li.append(h, p, ex);
  return li;
}

// Search as the reader types (after a pause) and when a filter changes.
let timer;
input.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(() => run(), 250);
});
form.addEventListener("change", (e) => {
  if (e.target !== input) run();
});
form.addEventListener("submit", (e) => {
  e.preventDefault();
  clearTimeout(timer);
  run({ push: true });
});
more.addEventListener("click", async () => {
  const first = list.children.length;
  await showMore();
  list.children[first]?.querySelector("a")?.focus();
});

// Keyboard: ↓ from the box to the results, ↑/↓ between them, Escape back to the box.
root.addEventListener("keydown", (e) => {
  const links = [...list.querySelectorAll("h2 a")];
  const at = links.indexOf(document.activeElement);
  if (e.key === "ArrowDown" && (document.activeElement === input || at >= 0)) {
    links[at + 1]?.focus();
    e.preventDefault();
  } else if (e.key === "ArrowUp" && at >= 0) {
    (at === 0 ? input : links[at - 1]).focus();
    e.preventDefault();
  } else if (e.key === "Escape" && at >= 0) {
    input.focus();
  }
});

// The query and filters come from the address (the header's search box sends `q`).
function restore() {
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") ?? "";
  for (const name of ["topic", "author", "year"]) {
    if (form.elements[name]) form.elements[name].value = params.get(name) ?? "";
  }
  const header = document.getElementById("search-q");
  if (header) header.value = input.value;
}
window.addEventListener("popstate", () => {
  restore();
  run();
});
restore();
input.focus();
run();
