// Browser proof of warraq's default theme: the built example archive, served on
// 127.0.0.1 by a small static server in this file, checked in headless Chromium
// (Debian's /usr/bin/chromium, driven by playwright-core) with axe-core.
//
//   cargo run -- build && (cd tests/browser && npm ci) && node tests/browser/run.mjs
//
// `cargo test` runs it too (tests/browser.rs), on a fresh build of the site.
// Environment: WARRAQ_SITE (built site, default public/), WARRAQ_SCREENSHOTS (default
// target/screenshots/), CHROMIUM (default /usr/bin/chromium).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const siteDir = path.resolve(process.env.WARRAQ_SITE ?? path.join(repo, "public"));
const shotsDir = path.resolve(
  process.env.WARRAQ_SCREENSHOTS ?? path.join(repo, "target/screenshots"),
);
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

// Pages of the example archive (the repository root is the site).
const PAGES = {
  seed: "/articles/كيف-يقنع-ترامب-حلفاءه-اللاتينيين-بمواجهة-موسكو-عسكريا-فى-كاراكاس/",
  guide: "/articles/كيف-تكتب-مقالا/",
  english: "/articles/writing-in-english/",
  // The guide's English version (`translation_of`), and the guide's series' second part.
  translation: "/articles/how-to-write/",
  reference: "/articles/مرجع-الترويسة/",
  series: "/series/دليل-وراق/",
  author: "/authors/فريق-وراق/",
  home: "/",
  tag: "/tags/فنزويلا/",
};

const PHONE = { width: 390, height: 844 };
const SMALL_PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 900 };

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".xml": "application/xml; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".webp": "image/webp",
};

/** Serves `root` on 127.0.0.1 on a free port, like a static host: `/x/` → `x/index.html`. */
async function serve(root) {
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, "http://127.0.0.1");
      let file = path.join(root, decodeURIComponent(url.pathname));
      if (!file.startsWith(root + path.sep) && file !== root) throw new Error("outside");
      const stat = await fs.stat(file).catch(() => null);
      if (stat?.isDirectory()) {
        if (!url.pathname.endsWith("/")) {
          res.writeHead(301, { location: url.pathname + "/" }).end();
          return;
        }
        file = path.join(file, "index.html");
      }
      const body = await fs.readFile(file);
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      const body = await fs.readFile(path.join(root, "404.html")).catch(() => "not found");
      res.writeHead(404, { "content-type": TYPES[".html"] }).end(body);
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

let server;
let origin;
let browser;
const requests = [];

before(async () => {
  await fs.access(path.join(siteDir, "index.html")).catch(() => {
    throw new Error(`no built site in ${siteDir}: run \`cargo run -- build\` first`);
  });
  await fs.mkdir(shotsDir, { recursive: true });
  ({ server, origin } = await serve(siteDir));
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // The machine's network is closed: no background services, no sync, no updates.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** A page at `url` in a fresh context; every request it makes is recorded. */
async function open(url, { viewport = DESKTOP, colorScheme = "light", init = null, fonts = true } = {}) {
  const context = await browser.newContext({ viewport, colorScheme, deviceScaleFactor: 1 });
  if (init) await context.addInitScript(init);
  context.on("request", (r) => requests.push(r.url()));
  // Anything leaving the origin is recorded above, then refused, so a slip fails fast.
  await context.route("**/*", (route) =>
    route.request().url().startsWith(origin + "/") ? route.continue() : route.abort(),
  );
  // Without the web fonts, nothing moves when they arrive. (Registered last: the last
  // route registered is asked first.)
  if (!fonts) await context.route("**/*.woff2", (route) => route.abort());
  const page = await context.newPage();
  const response = await page.goto(origin + encodeURI(url), { waitUntil: "load" });
  assert.equal(response.status(), 200, `${url} answers 200`);
  if (fonts) await page.evaluate(() => document.fonts.ready);
  return { page, close: () => context.close() };
}

/**
 * Rectangles (viewport coordinates) of each of `words` inside the first text node of
 * `selector` that holds `phrase`, taken in order: each word is searched after the one
 * before. Each entry has the word's box and the boxes of its first and last characters.
 */
function wordRects(page, selector, phrase, words) {
  return page.evaluate(
    ([selector, phrase, words]) => {
      const root = document.querySelector(selector);
      if (!root) return null;
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.data.indexOf(phrase);
        if (at < 0) continue;
        const rect = (start, end) => {
          const range = document.createRange();
          range.setStart(node, start);
          range.setEnd(node, end);
          const r = range.getBoundingClientRect();
          return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
        };
        let cursor = at;
        return words.map((w) => {
          const i = node.data.indexOf(w, cursor);
          if (i < 0 || i + w.length > at + phrase.length) return null;
          cursor = i + w.length;
          // First and last characters (UTF-16 units: the texts here are in the BMP).
          return { all: rect(i, i + w.length), first: rect(i, i + 1), last: rect(i + w.length - 1, i + w.length) };
        });
      }
      return null;
    },
    [selector, phrase, words],
  );
}

const sameLine = (a, b) => Math.abs(a.top - b.top) < 4;

/**
 * Asserts that `words` of `phrase` (in logical order) are laid out one after the other
 * towards `dir`'s end: on one line, each is left (ltr) or right (rtl) of the one before;
 * across a line break, the later word is on a lower line. At least one pair must share a
 * line. Returns the words' rectangles.
 */
async function assertVisualOrder(page, selector, phrase, words, dir) {
  const rects = await wordRects(page, selector, phrase, words);
  assert.ok(rects, `«${phrase}» is in ${selector}`);
  rects.forEach((r, i) => assert.ok(r, `“${words[i]}” is in «${phrase}»`));
  let compared = 0;
  for (let i = 1; i < words.length; i++) {
    const [wa, a] = [words[i - 1], rects[i - 1].all];
    const [wb, b] = [words[i], rects[i].all];
    if (!sameLine(a, b)) {
      assert.ok(b.top > a.top, `“${wb}” follows “${wa}” of «${phrase}» on a lower line`);
      continue;
    }
    compared++;
    if (dir === "rtl") {
      assert.ok(a.left >= b.right - 1, `“${wa}” is right of “${wb}” (${a.left} ≥ ${b.right})`);
    } else {
      assert.ok(a.right <= b.left + 1, `“${wa}” is left of “${wb}” (${a.right} ≤ ${b.left})`);
    }
  }
  assert.ok(compared > 0, `some words of «${phrase}» share a line`);
  return rects;
}

async function computedDirection(page, selector) {
  return page.evaluate((s) => {
    const el = document.querySelector(s);
    return el && getComputedStyle(el).direction;
  }, selector);
}

test("pages have the direction of their language", async () => {
  const expected = { seed: "rtl", guide: "rtl", home: "rtl", tag: "rtl", english: "ltr" };
  for (const [name, dir] of Object.entries(expected)) {
    const { page, close } = await open(PAGES[name]);
    assert.equal(await computedDirection(page, "html"), dir, `${name}: <html> direction`);
    assert.equal(await computedDirection(page, "main"), dir, `${name}: <main> direction`);
    const lang = await page.evaluate(() => document.documentElement.lang);
    assert.equal(lang, dir === "rtl" ? "ar" : "en", `${name}: lang`);
    if (name === "seed" || name === "english") {
      assert.equal(await computedDirection(page, ".article .content"), dir, `${name}: text`);
    }
    await close();
  }
});

test("the self-hosted Naskh face is loaded and used for Arabic text", async () => {
  const { page, close } = await open(PAGES.seed);
  const fonts = await page.evaluate(() => ({
    family: getComputedStyle(document.querySelector(".article .content p")).fontFamily,
    loaded: [...document.fonts]
      .filter((f) => f.family.replace(/"/g, "") === "Warraq Naskh" && f.status === "loaded")
      .map((f) => f.weight),
  }));
  assert.match(fonts.family, /^"?Warraq Naskh"?,/);
  assert.ok(fonts.loaded.includes("400"), `regular weight loaded (${fonts.loaded})`);
  assert.ok(fonts.loaded.includes("700"), `bold weight loaded for the headings (${fonts.loaded})`);
  await close();
});

// The article's text column starts at the start edge of the page: on an rtl page its
// right edge is within 10% of the viewport's width from the viewport's right edge, and
// the space on its left is at least twice the space on its right (mirrored on ltr).
// On a phone the column fills the width, less the gutters.
test("the article's text column starts at the start edge", async () => {
  for (const [name, dir] of [["seed", "rtl"], ["english", "ltr"]]) {
    for (const viewport of [DESKTOP, PHONE]) {
      const { page, close } = await open(PAGES[name], { viewport });
      const box = await page.evaluate(() => {
        const r = document.querySelector(".article .content").getBoundingClientRect();
        const h1 = document.querySelector("h1").getBoundingClientRect();
        return { left: r.left, right: r.right, h1Left: h1.left, h1Right: h1.right, vw: innerWidth };
      });
      const gapRight = box.vw - box.right;
      const gapLeft = box.left;
      const [start, end] = dir === "rtl" ? [gapRight, gapLeft] : [gapLeft, gapRight];
      const label = `${name} ${viewport.width}px: start gap ${start}, end gap ${end}`;
      if (viewport === DESKTOP) {
        assert.ok(start <= box.vw * 0.1, label);
        assert.ok(end >= 2 * start, label);
        // The headline hangs from the same edge as the text.
        const h1Start = dir === "rtl" ? box.vw - box.h1Right : box.h1Left;
        assert.ok(Math.abs(h1Start - start) < 2, `${label}, h1 start gap ${h1Start}`);
      } else {
        assert.ok(start <= 32 && end <= 32, label);
      }
      await close();
    }
  }
});

// Characters per line: the column's width over the mean advance of the paragraph's
// characters, measured by setting its text on one line.
test("the text measure is comfortable", async () => {
  for (const [name, viewport] of [["seed", DESKTOP], ["english", DESKTOP], ["seed", PHONE]]) {
    const { page, close } = await open(PAGES[name], { viewport });
    const m = await page.evaluate(() => {
      const p = document.querySelector(".article .content p");
      const style = getComputedStyle(p);
      const probe = document.createElement("span");
      probe.style.whiteSpace = "nowrap";
      probe.textContent = p.textContent;
      p.after(probe);
      const advance = probe.getBoundingClientRect().width / p.textContent.length;
      probe.remove();
      return {
        perLine: p.clientWidth / advance,
        lineHeight: parseFloat(style.lineHeight) / parseFloat(style.fontSize),
        fontSize: parseFloat(style.fontSize),
      };
    });
    const label = `${name} ${viewport.width}px: ${m.perLine.toFixed(0)} characters per line, ${m.fontSize}px, line height ${m.lineHeight.toFixed(2)}`;
    console.log(`# measure: ${label}`);
    if (viewport === DESKTOP) assert.ok(m.perLine >= 60 && m.perLine <= 80, label);
    if (name === "seed") {
      assert.ok(m.lineHeight >= 1.75 && m.lineHeight <= 1.95, label);
      assert.ok(m.fontSize >= 18, label);
    }
    await close();
  }
});

test("mixed Arabic and Latin text keeps its visual order", async () => {
  const p = ".article .content";
  // Digits inside an Arabic sentence of the seed article.
  let { page, close } = await open(PAGES.seed);
  let r = await assertVisualOrder(page, p, "دوكى فى 14 يناير الماضى", ["دوكى", "فى", "14", "يناير", "الماضى"], "rtl");
  assert.ok(r[2].first.left < r[2].last.left, "the digits of 14 run left to right");
  assert.ok(r[0].first.left > r[0].last.left, "دوكى runs right to left");
  await close();

  // A Latin word inside an Arabic sentence.
  ({ page, close } = await open(PAGES.guide));
  r = await assertVisualOrder(page, p, "بصيغة Markdown، يوضع", ["بصيغة", "Markdown", "يوضع"], "rtl");
  assert.ok(r[1].first.left < r[1].last.left, "Markdown runs left to right");
  await close();

  // An Arabic word inside an English sentence, and an Arabic quotation on the English page.
  ({ page, close } = await open(PAGES.english));
  r = await assertVisualOrder(page, p, "topic ورّاق, beside", ["topic", "ورّاق", "beside"], "ltr");
  assert.ok(r[1].first.left > r[1].last.left, "ورّاق runs right to left");
  const quote = "انضمت فنلندا إلى حلف NATO بعد 2020";
  r = await assertVisualOrder(page, `${p} blockquote`, quote, ["انضمت", "فنلندا", "حلف", "NATO", "بعد", "2020"], "rtl");
  assert.ok(r[3].first.left < r[3].last.left, "NATO runs left to right");
  const align = await page.evaluate(() => {
    const q = document.querySelector(".article .content blockquote p");
    const range = document.createRange();
    range.selectNodeContents(q);
    return { text: range.getBoundingClientRect().right, box: q.getBoundingClientRect().right };
  });
  assert.ok(Math.abs(align.text - align.box) < 2, "the quotation is set from the right");
  await close();
});

test("code blocks are left-to-right islands", async () => {
  const { page, close } = await open(PAGES.guide);
  const dirs = await page.evaluate(() =>
    [...document.querySelectorAll(".content pre, .content code")].map((e) => {
      const s = getComputedStyle(e);
      return `${s.direction} ${s.unicodeBidi}`;
    }),
  );
  assert.ok(dirs.length > 3);
  for (const d of dirs) assert.equal(d, "ltr isolate");
  await close();
});

test("breadcrumbs and neighbour links follow the direction", async () => {
  for (const [name, dir] of [["guide", "rtl"], ["english", "ltr"]]) {
    const { page, close } = await open(PAGES[name]);
    const layout = await page.evaluate(() => {
      const box = (e) => e && { left: e.getBoundingClientRect().left, right: e.getBoundingClientRect().right, text: e.textContent };
      return {
        crumbs: [...document.querySelectorAll(".breadcrumbs li")].map(box),
        // The separator: a square's top border and one side border, turned 45°.
        chevron: (() => {
          const s = getComputedStyle(document.querySelector(".breadcrumbs li + li"), "::before");
          const [, sin] = s.transform.match(/-?[\d.]+/g).map(Number);
          return { side: parseFloat(s.borderLeftWidth) > 0 ? "left" : "right", sin };
        })(),
        prev: box(document.querySelector(".neighbours .prev")),
        next: box(document.querySelector(".neighbours .next")),
        nav: box(document.querySelector(".neighbours")),
      };
    });
    assert.ok(layout.crumbs.length >= 2);
    for (let i = 1; i < layout.crumbs.length; i++) {
      const [a, b] = [layout.crumbs[i - 1], layout.crumbs[i]];
      if (dir === "rtl") assert.ok(a.left > b.left, `${name}: crumb ${i} is left of crumb ${i - 1}`);
      else assert.ok(a.left < b.left, `${name}: crumb ${i} is right of crumb ${i - 1}`);
    }
    // The corner where the top and side borders meet points to the end: for rtl the
    // left border turned counter-clockwise (<), for ltr the right one clockwise (>).
    const chevron = dir === "rtl" ? { side: "left", turn: -1 } : { side: "right", turn: 1 };
    assert.equal(layout.chevron.side, chevron.side, `${name}: chevron side border`);
    assert.equal(Math.sign(layout.chevron.sin), chevron.turn, `${name}: chevron rotation`);
    // Newer (prev) sits at the start with an arrow pointing to the start; older at the end.
    const [toStart, toEnd] = dir === "rtl" ? ["→", "←"] : ["←", "→"];
    if (layout.prev) assert.ok(layout.prev.text.trim().startsWith(toStart), `${name}: prev arrow`);
    if (layout.next) assert.ok(layout.next.text.trim().endsWith(toEnd), `${name}: next arrow`);
    if (layout.prev && layout.next) {
      if (dir === "rtl") assert.ok(layout.prev.left > layout.next.left, `${name}: prev is right of next`);
      else assert.ok(layout.prev.left < layout.next.left, `${name}: prev is left of next`);
    }
    if (layout.next && !layout.prev) {
      // Alone, the older article's link still sits on the end side of the row.
      const mid = (layout.next.left + layout.next.right) / 2;
      const navMid = (layout.nav.left + layout.nav.right) / 2;
      if (dir === "rtl") assert.ok(mid < navMid, `${name}: next on the left half`);
      else assert.ok(mid > navMid, `${name}: next on the right half`);
    }
    await close();
  }
});

test("one h1 per page and headings in order", async () => {
  for (const name of Object.keys(PAGES)) {
    const { page, close } = await open(PAGES[name]);
    const levels = await page.evaluate(() =>
      [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].map((h) => Number(h.tagName[1])),
    );
    assert.equal(levels.filter((l) => l === 1).length, 1, `${name}: one h1`);
    assert.equal(levels[0], 1, `${name}: the h1 comes first`);
    for (let i = 1; i < levels.length; i++) {
      assert.ok(levels[i] <= levels[i - 1] + 1, `${name}: h${levels[i - 1]} → h${levels[i]}`);
    }
    const landmarks = await page.evaluate(() => ({
      main: document.querySelectorAll("main").length,
      banner: document.querySelectorAll("body > header").length,
      contentinfo: document.querySelectorAll("body > footer").length,
      skip: document.querySelector("a.skip-link")?.getAttribute("href"),
    }));
    assert.deepEqual(landmarks, { main: 1, banner: 1, contentinfo: 1, skip: "#main" }, name);
    await close();
  }
});

test("no page is wider than a 360px phone", async () => {
  for (const name of Object.keys(PAGES)) {
    const { page, close } = await open(PAGES[name], { viewport: SMALL_PHONE });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= SMALL_PHONE.width, `${name}: scroll width ${width}`);
    await close();
  }
});

test("article metadata: canonical, Open Graph, JSON-LD", async () => {
  for (const [name, lang] of [["seed", "ar"], ["english", "en"]]) {
    const { page, close } = await open(PAGES[name]);
    const meta = await page.evaluate(() => {
      const prop = (p) => document.querySelector(`meta[property="${p}"]`)?.content;
      return {
        h1: document.querySelector("h1").textContent,
        canonical: document.querySelector('link[rel="canonical"]').getAttribute("href"),
        ogTitle: prop("og:title"),
        ogUrl: prop("og:url"),
        ogLocale: prop("og:locale"),
        feeds: document.querySelectorAll('link[rel="alternate"][type="application/atom+xml"]').length,
        jsonLd: document.querySelector('script[type="application/ld+json"]').textContent,
      };
    });
    const ld = JSON.parse(meta.jsonLd);
    assert.equal(ld["@type"], "AnalysisNewsArticle", name);
    assert.equal(ld.headline, meta.h1, `${name}: headline`);
    assert.equal(ld.inLanguage, lang, `${name}: inLanguage`);
    assert.ok(ld.datePublished && ld.dateModified && ld.author?.[0]?.name && Array.isArray(ld.author), `${name}: dates and authors (an array of Person)`);
    assert.ok(!Object.values(ld).includes(null), `${name}: no null fields`);
    assert.equal(meta.ogTitle, meta.h1, `${name}: og:title`);
    assert.equal(meta.ogUrl, meta.canonical, `${name}: og:url is the canonical URL`);
    assert.equal(meta.ogLocale, lang, `${name}: og:locale`);
    assert.ok(meta.feeds >= 1, `${name}: feed link`);
    await close();
  }
});

test("dark mode and print styles apply", async () => {
  const luminance = (rgb) => {
    const [r, g, b] = rgb.match(/\d+/g).map(Number);
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  };
  for (const [scheme, dark] of [["light", false], ["dark", true]]) {
    const { page, close } = await open(PAGES.seed, { colorScheme: scheme });
    const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    assert.equal(luminance(bg) < 0.2, dark, `${scheme}: background ${bg}`);
    await close();
  }
  const { page, close } = await open(PAGES.guide, { colorScheme: "dark" });
  await page.emulateMedia({ media: "print" });
  const hidden = await page.evaluate(() =>
    [".site-header nav", ".breadcrumbs", ".toc", ".neighbours", ".search-form"].map(
      (s) => getComputedStyle(document.querySelector(s)).display,
    ),
  );
  assert.deepEqual(hidden, ["none", "none", "none", "none", "none"]);
  const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  assert.equal(bg, "rgb(255, 255, 255)", "print is black on white");
  await page.pdf({ path: path.join(shotsDir, "guide-print.pdf"), format: "A4" });
  await close();
});

test("photos: the lead photo is the largest paint, nothing shifts, srcset picks by width", async () => {
  for (const [viewport, width] of [[PHONE, 480], [DESKTOP, 800]]) {
    // The largest contentful paint, and every layout shift while the photos load,
    // observed from the start.
    const init = () => {
      window.__lcp = null;
      window.__shift = 0;
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) window.__lcp = e;
      }).observe({ type: "largest-contentful-paint", buffered: true });
      new PerformanceObserver((l) => {
        // A photo without its place reserved moves what follows it: shifts of what
        // comes before the first photo (the web font's swap in the header) are not the
        // photos'.
        const first = document.querySelector("figure, picture");
        for (const e of l.getEntries()) {
          if (e.hadRecentInput) continue;
          const after = e.sources.filter(
            (x) => x.node && first && first.compareDocumentPosition(x.node) & Node.DOCUMENT_POSITION_FOLLOWING,
          );
          if (!after.length) continue;
          window.__shift += e.value;
          window.__shifts = (window.__shifts ?? []).concat(
            after.map((x) => `${e.value.toFixed(4)} at ${Math.round(e.startTime)}ms ${x.node.nodeName}.${x.node.className ?? ""} "${(x.node.textContent ?? "").slice(0, 30)}" in ${x.node.parentElement?.className} ${JSON.stringify(x.previousRect)}→${JSON.stringify(x.currentRect)}`),
          );
        }
      }).observe({ type: "layout-shift", buffered: true });
    };
    // Without the web fonts, whose swap moves text wherever it is: what is measured
    // here is the photos'.
    const { page, close } = await open(PAGES.seed, { viewport, init, fonts: false });
    await page.waitForTimeout(300);
    for (let y = 0; y < 12; y++) {
      await page.mouse.wheel(0, 600);
      await page.waitForTimeout(60);
    }
    await page.waitForFunction(() =>
      [...document.images].every((i) => i.complete && i.naturalWidth > 0),
    );
    await page.waitForTimeout(200);
    const seen = await page.evaluate(() => {
      const lead = document.querySelector(".lead img");
      return {
        lcp: window.__lcp?.element === lead,
        lcpWhat: window.__lcp?.element?.outerHTML.slice(0, 80) + " " + window.__lcp?.size + " lead " + JSON.stringify(lead.getBoundingClientRect()),
        priority: lead.getAttribute("fetchpriority"),
        loading: lead.getAttribute("loading"),
        src: lead.currentSrc,
        shift: window.__shift,
        shifts: window.__shifts,
        lazy: [...document.querySelectorAll(".content picture img")].map((i) => i.getAttribute("loading")),
        caption: getComputedStyle(document.querySelector(".lead figcaption")).direction,
        credit: document.querySelector(".lead .credit")?.textContent,
      };
    });
    const label = `${viewport.width}px`;
    assert.ok(seen.lcp, `${label}: the lead photo is the largest contentful paint, not ${seen.lcpWhat}`);
    assert.equal(seen.priority, "high", `${label}: fetchpriority`);
    assert.equal(seen.loading, null, `${label}: the lead photo is not lazy`);
    assert.match(seen.src, new RegExp(`/photos/lead\\.${width}\\.[0-9a-f]+\\.webp$`), `${label}: srcset candidate`);
    assert.equal(seen.shift, 0, `${label}: cumulative layout shift: ${JSON.stringify(seen.shifts)}`);
    assert.deepEqual(seen.lazy, ["lazy", "lazy", "lazy"], `${label}: the body's photos load lazily`);
    assert.equal(seen.caption, "rtl", `${label}: the caption reads right to left`);
    assert.ok(seen.credit?.includes("Ian Hex"), `${label}: the credit is shown`);
    await close();
  }
  // What a shared link shows, and what search engines read.
  const { page, close } = await open(PAGES.seed);
  const meta = await page.evaluate(() => {
    const m = (p) => document.querySelector(`meta[property="${p}"], meta[name="${p}"]`)?.content;
    return {
      image: m("og:image"),
      width: m("og:image:width"),
      height: m("og:image:height"),
      alt: m("og:image:alt"),
      card: m("twitter:card"),
      ld: JSON.parse(document.querySelector('script[type="application/ld+json"]').textContent),
    };
  });
  assert.match(meta.image, /^https?:\/\/[^/]+\/photos\/lead\.card\.[0-9a-f]+\.jpg$/);
  assert.deepEqual([meta.width, meta.height], ["1200", "630"]);
  assert.ok(meta.alt.length > 0, "og:image:alt");
  assert.equal(meta.card, "summary_large_image");
  assert.equal(meta.ld.image.url, meta.image);
  assert.equal(meta.ld.image.width, 1200);
  assert.ok(meta.ld.author[0].url.startsWith("http"), "author with url");
  assert.ok(meta.ld.publisher.name && meta.ld.publisher.url, "publisher");
  assert.equal(meta.ld.mainEntityOfPage["@id"], meta.ld.url);
  // The card image is there, and is 1200×630.
  const size = await page.evaluate(async (src) => {
    const img = new Image();
    img.src = new URL(src).pathname;
    await img.decode();
    return [img.naturalWidth, img.naturalHeight];
  }, meta.image);
  assert.deepEqual(size, [1200, 630]);
  await close();
});

/** The page's path, decoded, and the direction of its `<html>` and its article. */
async function where(page) {
  return page.evaluate(() => ({
    path: decodeURIComponent(location.pathname),
    dir: document.documentElement.dir,
    article: document.querySelector("article.article")?.getAttribute("dir") ?? null,
    lang: document.documentElement.lang,
  }));
}

test("the language switch leads from each version to the other, each in its direction", async () => {
  const { page, close } = await open(PAGES.guide);
  assert.deepEqual(await where(page), { path: PAGES.guide, dir: "rtl", article: "rtl", lang: "ar" });
  // The Arabic version names its English one, in head and in the switch.
  const alternate = await page.getAttribute('link[rel="alternate"][hreflang="en"]', "href");
  assert.ok(alternate.endsWith(encodeURI(PAGES.translation)), alternate);
  await Promise.all([page.waitForNavigation(), page.click('nav.translations a[hreflang="en"]')]);
  assert.deepEqual(await where(page), { path: PAGES.translation, dir: "ltr", article: "ltr", lang: "en" });
  // The switch sits at the start of the line in each direction: left in English.
  const box = await page.locator("nav.translations").boundingBox();
  const main = await page.locator("article.article").boundingBox();
  assert.ok(box.x - main.x < 40, `the English switch starts at the left (${box.x} vs ${main.x})`);
  await Promise.all([page.waitForNavigation(), page.click('nav.translations a[hreflang="ar"]')]);
  assert.deepEqual(await where(page), { path: PAGES.guide, dir: "rtl", article: "rtl", lang: "ar" });
  const rbox = await page.locator("nav.translations").boundingBox();
  const rmain = await page.locator("article.article").boundingBox();
  assert.ok(
    rmain.x + rmain.width - (rbox.x + rbox.width) < 40,
    "the Arabic switch starts at the right",
  );
  await page.screenshot({ path: path.join(shotsDir, "translation-switch-ar.png") });
  await close();
});

test("series navigation goes forward and back, and the series page lists the parts in order", async () => {
  const { page, close } = await open(PAGES.guide, { viewport: PHONE });
  assert.equal((await page.textContent(".series-part")).trim(), "الجزء 1 من 2");
  assert.equal(await page.locator(".series-prev").count(), 0, "part 1 has no previous part");
  await Promise.all([page.waitForNavigation(), page.click(".series-next")]);
  assert.equal((await where(page)).path, PAGES.reference);
  assert.equal((await page.textContent(".series-part")).trim(), "الجزء 2 من 2");
  assert.equal(await page.locator(".series-next").count(), 0, "the last part has no next part");
  // In a right-to-left page the "next" arrow of reading goes left: the link sits in the
  // page, visible and not overflowing at phone width.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(overflow <= 0, `no horizontal overflow (${overflow}px)`);
  await Promise.all([page.waitForNavigation(), page.click(".series-prev")]);
  assert.equal((await where(page)).path, PAGES.guide);
  await Promise.all([page.waitForNavigation(), page.click("nav.series p a")]);
  assert.equal((await where(page)).path, PAGES.series);
  const titles = await page.$$eval("ol.series-parts .card-title", (h) => h.map((e) => e.textContent.trim()));
  assert.deepEqual(titles, ["كيف تكتب مقالا في ورّاق", "مرجع الترويسة"]);
  await page.screenshot({ path: path.join(shotsDir, "series-phone-light.png"), fullPage: true });
  await close();
});

test("axe-core finds no serious or critical violations", async () => {
  const report = [];
  for (const name of ["seed", "guide", "english", "home", "tag", "translation", "series", "author"]) {
    for (const colorScheme of ["light", "dark"]) {
      const { page, close } = await open(PAGES[name], { colorScheme });
      await page.addScriptTag({ path: axePath });
      const violations = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ["violations"] });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, target: v.nodes[0]?.target }));
      });
      for (const v of violations) {
        report.push(`${name}/${colorScheme}: ${v.impact} ${v.id} (${v.nodes} nodes, first ${v.target})`);
      }
      await close();
    }
  }
  console.log(report.length ? report.map((l) => `# axe: ${l}`).join("\n") : "# axe: no violations");
  const bad = report.filter((l) => / (serious|critical) /.test(l));
  assert.deepEqual(bad, []);
});

test("screenshots: seed article and tag page, phone and desktop, light and dark", async () => {
  for (const [name, url] of [
    ["article", PAGES.seed],
    ["tag", PAGES.tag],
    ["guide", PAGES.guide],
    ["english", PAGES.english],
    ["home", PAGES.home],
  ]) {
    for (const [size, viewport] of [["phone", PHONE], ["desktop", DESKTOP]]) {
      for (const colorScheme of ["light", "dark"]) {
        const { page, close } = await open(url, { viewport, colorScheme });
        const file = path.join(shotsDir, `${name}-${size}-${colorScheme}.png`);
        await page.screenshot({ path: file });
        if (name !== "tag" && name !== "home") {
          await page.screenshot({ path: file.replace(/\.png$/, "-full.png"), fullPage: true });
        }
        await close();
      }
    }
  }
  console.log(`# screenshots in ${shotsDir}`);
});

// Runs last: every request of every test above.
test("no request leaves the site's origin", () => {
  assert.ok(requests.length > 20, `requests recorded: ${requests.length}`);
  const foreign = requests.filter((u) => !u.startsWith(origin + "/"));
  assert.deepEqual([...new Set(foreign)], []);
  const fonts = requests.filter((u) => u.endsWith(".woff2"));
  assert.ok(fonts.length > 0, "the web fonts were requested from the site itself");
});
