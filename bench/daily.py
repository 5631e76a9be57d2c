#!/usr/bin/env python3
"""Daily publishing: what one day's change costs a built archive, paired with a cold build.

    python3 bench/daily.py --articles 10000 --rounds 5
    python3 bench/daily.py --articles 100000 --rounds 2 --edits add

For each edit (no change, a new article, one word changed in an old article's body, an old
article's tags changed), each round: a cold build (empty output, no manifest), then the
edit, then `warraq build` again into the same output, timed; then the edit is undone and
the output rebuilt so the next round starts from the same state. Files rewritten by the
second build are counted two ways: by modification time (a file whose mtime moved, or a new
file) and by content hash (a file whose bytes changed, or a new file); removed files are
counted apart. Prints the median of both times and of their per-round ratio.

The site is the default theme with search (site.toml names only title and base_url) over
a corpus made by ../shared/bench/gen_corpus.py, copied (not linked: the edits write to it)
to --work on /dev/shm.
"""
import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GEN = REPO.parent / "shared" / "bench" / "gen_corpus.py"


def snapshot(out):
    """Every file of the output: (mtime_ns, sha1 of its bytes)."""
    files = {}
    for dirpath, _, names in os.walk(out):
        for n in names:
            p = os.path.join(dirpath, n)
            st = os.stat(p)
            with open(p, "rb") as f:
                files[os.path.relpath(p, out)] = (st.st_mtime_ns, hashlib.sha1(f.read()).digest())
    return files


def compare(before, after):
    new = [f for f in after if f not in before]
    gone = [f for f in before if f not in after]
    by_mtime = new + [f for f in after if f in before and after[f][0] != before[f][0]]
    by_hash = new + [f for f in after if f in before and after[f][1] != before[f][1]]
    return by_mtime, by_hash, gone


def build(bin_, root, out):
    t = time.perf_counter()
    r = subprocess.run([bin_, "build", "--root", str(root), "--output", str(out)],
                       capture_output=True, text=True)
    wall = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"build failed:\n{r.stdout}\n{r.stderr}")
    return wall, r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""


def cold(bin_, root, out):
    shutil.rmtree(out, ignore_errors=True)
    for p in out.parent.glob("." + out.name + "*"):
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink()
    return build(bin_, root, out)


def articles(root):
    return sorted((root / "content" / "articles").rglob("*.md"))


class Edit:
    """One kind of day's change, made and undone."""

    def __init__(self, kind, root):
        self.kind, self.root = kind, root
        files = articles(root)
        # An old article: the tenth from the oldest, well inside every list.
        self.old = files[min(10, len(files) - 1)]
        self.text = self.old.read_text()
        self.added = root / "content" / "articles" / "2099" / "daily-new.md"

    def make(self):
        if self.kind == "add":
            head, _, body = self.text[4:].partition("\n---\n")
            lines = [l for l in head.splitlines() if not l.startswith(("title:", "date:"))]
            self.added.parent.mkdir(parents=True, exist_ok=True)
            self.added.write_text("---\ntitle: \"مقال اليوم الجديد\"\ndate: 2099-01-01\n"
                                  + "\n".join(lines) + "\n---\n" + body)
        elif self.kind == "word":
            head, sep, body = self.text.partition("\n---\n\n")
            words = body.split(" ")
            i = len(words) // 2  # mid-body: not the summary, not a heading
            words[i] = words[i] + "ـ"  # one word changed (a tatweel added)
            self.old.write_text(head + sep + " ".join(words))
        elif self.kind == "retag":
            lines = self.text.splitlines(keepends=True)
            lines = ['tags: ["وسم اليوم", "ترامب"]\n' if l.startswith("tags:") else l for l in lines]
            self.old.write_text("".join(lines))

    def undo(self):
        if self.kind == "add":
            self.added.unlink()
            try:
                self.added.parent.rmdir()
            except OSError:
                pass
        elif self.kind in ("word", "retag"):
            self.old.write_text(self.text)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--edits", default="noop,add,word,retag")
    ap.add_argument("--bin", default=str(REPO / "target" / "release" / "warraq"))
    ap.add_argument("--work", default="/dev/shm/warraq-daily")
    ap.add_argument("--corpus", help="a generated corpus to copy (default: generate one)")
    args = ap.parse_args()

    work = Path(args.work)
    root = work / "site"
    out = work / "public"
    if not root.exists():
        work.mkdir(parents=True, exist_ok=True)
        if args.corpus:
            shutil.copytree(Path(args.corpus) / "content", root / "content")
        else:
            subprocess.run([sys.executable, str(GEN), "--articles", str(args.articles),
                            "--out", str(root), "--flavor", "warraq"], check=True,
                           stdout=subprocess.DEVNULL)
            for extra in ("site.toml", "templates", "static", "hugo.toml", "config.toml"):
                p = root / extra
                if p.is_dir():
                    shutil.rmtree(p)
                elif p.exists():
                    p.unlink()
        (root / "site.toml").write_text('title = "bench"\nbase_url = "https://example.org"\n')

    print(f"{len(articles(root))} articles, default theme with search, {args.rounds} rounds")
    print(f"{'edit':8} {'cold ms':>8} {'after ms':>9} {'ratio':>7} {'by mtime':>9} {'by hash':>8} {'removed':>8}")
    for kind in args.edits.split(","):
        edit = Edit(kind, root)
        colds, incs, counts = [], [], []
        for _ in range(args.rounds):
            c, _ = cold(args.bin, root, out)
            before = snapshot(out)
            edit.make()
            i, line = build(args.bin, root, out)
            by_mtime, by_hash, gone = compare(before, snapshot(out))
            edit.undo()
            colds.append(c)
            incs.append(i)
            counts.append((len(by_mtime), len(by_hash), len(gone)))
        ratios = [i / c for c, i in zip(colds, incs)]
        m, h, g = counts[-1]
        print(f"{kind:8} {statistics.median(colds) * 1000:8.0f} {statistics.median(incs) * 1000:9.0f} "
              f"{statistics.median(ratios) * 100:6.1f}% {m:9} {h:8} {g:8}")
        if os.environ.get("DAILY_VERBOSE"):
            print("   ", line)
            for f in sorted(by_mtime)[:80]:
                print("     ", f)


if __name__ == "__main__":
    main()
