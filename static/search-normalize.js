// warraq search: the text side of search, shared by the search page and the tests.
//
// normalizeForSearch() is src/search/normalize.rs ported line for line: the index was built from
// the same function's output, so a query finds every spelling that folds to its own.
// `cargo test` checks the two give the same output on a table of tricky inputs.
//
// Words keep their number and order: word i of the normalized text is word i of
// words(original). Pagefind reports matches as word positions, so excerpts are cut
// from the author's own text and never from the normalized one.

const TATWEEL = "\u0640";
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF\u00AD\u061C]/u;
const TASHKEEL = /[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED]/u;
const WORD_CHAR = /[\p{Alphabetic}\p{N}\p{M}\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF\u00AD\u061C]/u;
const LETTER_OR_DIGIT = /[\p{Alphabetic}\p{N}]/u;
const MARK = /\p{M}/u;

// Article combinations, longest first, then the single-letter proclitics.
const ARTICLES = ["وال", "بال", "كال", "فال", "لل", "ال"];
const PROCLITICS = ["و", "ف", "ب", "ل", "ك"];
const MIN_STEM = 3;

const FOLD = new Map([
  ["أ", "ا"], ["إ", "ا"], ["آ", "ا"], ["ٱ", "ا"],
  ["ى", "ي"], ["ة", "ه"], ["ؤ", "و"], ["ئ", "ي"],
  ["\u06CC", "ي"], ["\u06A9", "ك"],
]);

/** Characters that belong to a word (letters, digits, marks, invisible controls). */
export function isWordChar(c) {
  return WORD_CHAR.test(c);
}

/** Step 4 of normalizeWord for one character of the NFKD form; "" drops it. */
function foldChar(c) {
  if (TASHKEEL.test(c) || c === TATWEEL || INVISIBLE.test(c) || MARK.test(c)) return "";
  const cp = c.codePointAt(0);
  if (cp >= 0x0660 && cp <= 0x0669) return String.fromCharCode(48 + cp - 0x0660);
  if (cp >= 0x06f0 && cp <= 0x06f9) return String.fromCharCode(48 + cp - 0x06f0);
  const f = FOLD.get(c) ?? c;
  return LETTER_OR_DIGIT.test(f) ? f : "";
}

/** Repeated light clitic stripping, while at least three letters remain. */
export function stripClitics(word) {
  for (;;) {
    const n = cliticLength(word);
    if (n === 0) return word;
    word = word.slice(n);
  }
}

function cliticLength(word) {
  for (const a of ARTICLES) {
    if (word.startsWith(a) && [...word.slice(a.length)].length >= MIN_STEM) return a.length;
  }
  const first = String.fromCodePoint(word.codePointAt(0) ?? 0);
  if (PROCLITICS.includes(first) && [...word].length - 1 >= MIN_STEM) return first.length;
  return 0;
}

/** Removes the feminine plural ending ات when three letters remain. */
export function stripPlural(word) {
  if (word.endsWith("ات") && [...word].length - 2 >= MIN_STEM) return word.slice(0, -2);
  return word;
}

/** The search form of one word (a run of word characters). */
export function normalizeWord(word) {
  const lowered = word.normalize("NFKC").toLowerCase().normalize("NFKD");
  let out = "";
  for (const c of lowered) out += foldChar(c);
  return stripPlural(stripClitics(out));
}

/** Where Pagefind splits a fragment's content into the tokens its positions count. */
const TOKEN_SPACE = /[^\S\uFEFF]/;

/** How many tokens Pagefind splits `text` into (`tokenCount` in normalize.rs). */
export function tokenCount(text) {
  return text ? text.split(/[^\S\uFEFF]+/).length : 0;
}

/**
 * The words of a text, in order: [{start, end, normalized, token}], with start and end
 * as string indices into `text` and `token` the index of the whitespace-separated token
 * the word is in (the word positions of the index). Runs that normalize to nothing are
 * not words.
 */
export function words(text) {
  const out = [];
  let start = -1;
  let i = 0;
  let token = 0;
  let inSpace = false;
  const flush = (end) => {
    if (start < 0) return;
    const normalized = normalizeWord(text.slice(start, end));
    if (normalized) out.push({ start, end, normalized, token });
    start = -1;
  };
  for (const c of text) {
    if (isWordChar(c)) {
      if (start < 0) start = i;
    } else {
      flush(i);
    }
    const space = TOKEN_SPACE.test(c);
    if (space && !inSpace) token += 1;
    inSpace = space;
    i += c.length;
  }
  flush(i);
  return out;
}

/** The search form of a text: its words, normalized, joined by single spaces. */
export function normalizeForSearch(text) {
  return words(text).map((w) => w.normalized).join(" ");
}

/**
 * A query as Pagefind should receive it: normalized like the index, and still a
 * phrase search when the reader wrapped it in double quotes.
 */
export function normalizeQuery(query) {
  const normalized = normalizeForSearch(query);
  const quoted = /^\s*["“”«].+["“”»]\s*$/u.test(query);
  return quoted && normalized ? `"${normalized}"` : normalized;
}

const escapeHtml = (s) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The search forms of the words of `text` at `locations` (token positions). */
export function matchedForms(text, locations) {
  const at = new Set(locations);
  return new Set(words(text).filter((w) => at.has(w.token)).map((w) => w.normalized));
}

/**
 * `text` as HTML, every word whose search form is in `forms` wrapped in <mark>: the
 * author's spelling, highlighted wherever it folds like a match.
 */
export function markWords(text, forms) {
  let html = "";
  let at = 0;
  for (const w of words(text)) {
    html += escapeHtml(text.slice(at, w.start));
    const word = escapeHtml(text.slice(w.start, w.end));
    html += forms.has(w.normalized) ? `<mark>${word}</mark>` : word;
    at = w.end;
  }
  return html + escapeHtml(text.slice(at));
}

/**
 * An excerpt of `text` (the author's own text), about `length` words around the
 * densest cluster of `locations` (token positions of matches), as HTML with every word
 * that folds like a matched one wrapped in <mark>. Tokens before `from` (the title and
 * subtitle) are left out.
 */
export function excerpt(text, locations, { from = 0, length = 30 } = {}) {
  const all = words(text);
  const body = all.filter((w) => w.token >= from);
  if (body.length === 0) return "";
  const forms = matchedForms(text, locations);
  // Each match's first word in the body.
  const at = new Set(locations);
  const hits = [];
  body.forEach((w, i) => {
    if (at.has(w.token) && (i === 0 || body[i - 1].token !== w.token)) hits.push(i);
  });
  // The window (a third of it before the match) covering the most matches, earliest
  // on ties.
  let best = 0;
  let bestCount = -1;
  for (const h of hits) {
    const start = Math.max(0, Math.min(h - Math.floor(length / 3), body.length - length));
    const count = hits.filter((x) => x >= start && x < start + length).length;
    if (count > bestCount) {
      best = start;
      bestCount = count;
    }
  }
  const last = Math.min(body.length, best + length) - 1;
  // From the first word of the window to the punctuation closing its last word.
  let end = body[last].end;
  end += text.slice(end).match(/^[^\s\p{L}\p{N}]*/u)[0].length;
  const html = markWords(text.slice(body[best].start, end), forms).replace(/\s+/g, " ").trim();
  return (best > 0 ? "… " : "") + html + (last < body.length - 1 ? " …" : "");
}
