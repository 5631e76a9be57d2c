#!/usr/bin/env python3
"""warraq vs Hugo vs the floor: cold builds, no-op rebuilds, peak memory, page counts.

    python3 bench/run.py                         # 1k and 10k articles
    python3 bench/run.py --sizes 100000 --no-hugo-above 10000

For each size it generates a corpus with ../shared/bench/gen_corpus.py (warraq and Hugo
front matter dialects, identical bodies), lays out:

  floor        ../shared/bench/floor: read, strip front matter, pulldown-cmark, write
  warraq       bench/sites/warraq: minimal templates equivalent to Hugo's (article,
               paginated home / term / year pages, term indexes, one feed, sitemap)
  warraq-full  the default theme, search index included (site.toml defaults)
  hugo         bench/sites/hugo: the same pages in Go templates

and times cold builds with hyperfine in interleaved rounds, every tool writing to
/dev/shm (tmpfs). It records peak RSS with /usr/bin/time, counts the pages each tool
wrote (a broken build must not look fast), times warraq's no-op rebuild and checks it
rewrote nothing, and writes a Markdown table (bench/results.md).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = REPO.parent / "shared" / "bench"
SHM = Path("/dev/shm")


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, **kw)


def build_tools(work):
    run(["cargo", "build", "--release", "--quiet"], cwd=REPO)
    floor_src = work / "floor-src"
    if not floor_src.exists():
        shutil.copytree(SHARED / "floor", floor_src)
    run(["cargo", "build", "--release", "--quiet"], cwd=floor_src)
    hugo = shutil.which("hugo")
    return {
        "warraq": REPO / "target" / "release" / "warraq",
        "floor": floor_src / "target" / "release" / "floor",
        "hugo": hugo,
    }


def layout(work, n):
    """Creates work/N/{warraq,full,hugo} once; returns their paths."""
    base = work / str(n)
    w, full, h = base / "warraq", base / "full", base / "hugo"
    if not (w / "content").exists():
        run([sys.executable, str(SHARED / "gen_corpus.py"), "--articles", str(n), "--out", str(w), "--flavor", "warraq"],
            stdout=subprocess.DEVNULL)
    if not (h / "content").exists():
        run([sys.executable, str(SHARED / "gen_corpus.py"), "--articles", str(n), "--out", str(h), "--flavor", "hugo"],
            stdout=subprocess.DEVNULL)
    # Site files are refreshed every run, so edits to bench/sites are measured.
    shutil.copy(HERE / "sites" / "warraq" / "site.toml", w / "site.toml")
    shutil.rmtree(w / "templates", ignore_errors=True)
    shutil.copytree(HERE / "sites" / "warraq" / "templates", w / "templates")
    shutil.copy(HERE / "sites" / "hugo" / "hugo.toml", h / "hugo.toml")
    shutil.rmtree(h / "layouts", ignore_errors=True)
    shutil.copytree(HERE / "sites" / "hugo" / "layouts", h / "layouts")
    full.mkdir(parents=True, exist_ok=True)
    if not (full / "content").exists():
        # Hard links, not a symlink: warraq never follows a symlink out of the site.
        run(["cp", "-al", str(w / "content"), str(full / "content")])
    (full / "site.toml").write_text('title = "bench"\nbase_url = "https://example.org"\n')
    return w, full, h


def clear_outputs():
    """Every output of every tool, so each timed run starts with an empty tmpfs: at 100k
    articles the outputs left by the other tools held 8 GB of memory, enough to change
    how the kernel treats the running tool's files."""
    return f"rm -rf {SHM}/wb-* {SHM}/.wb-*"


def commands(tools, sites, with_hugo):
    w, full, h = sites
    cmds = {
        "floor": (f"{tools['floor']} {w / 'content'} {SHM / 'wb-floor'}", f"rm -rf {SHM / 'wb-floor'}"),
        "warraq": (f"{tools['warraq']} build --root {w} --output {SHM / 'wb-warraq'}",
                   f"rm -rf {SHM / 'wb-warraq'} {SHM / '.wb-warraq'}*"),
        "warraq-full": (f"{tools['warraq']} build --root {full} --output {SHM / 'wb-full'}",
                        f"rm -rf {SHM / 'wb-full'} {SHM / '.wb-full'}*"),
    }
    if with_hugo and tools["hugo"]:
        cmds["hugo"] = (f"{tools['hugo']} --source {h} --destination {SHM / 'wb-hugo'} --quiet",
                        f"rm -rf {SHM / 'wb-hugo'} {h / 'resources'}")
    return cmds


def hyperfine(cmds, rounds, runs):
    """Interleaved rounds: every round runs each command `runs` times; returns all times."""
    times = {name: [] for name in cmds}
    for _ in range(rounds):
        with tempfile.NamedTemporaryFile(suffix=".json") as f:
            args = ["hyperfine", "--style", "none", "--runs", str(runs), "--export-json", f.name]
            for name, (cmd, prep) in cmds.items():
                args += ["--prepare", f"{clear_outputs()}; {prep}"]
            for name, (cmd, prep) in cmds.items():
                args += ["-n", name, cmd]
            run(args, stdout=subprocess.DEVNULL)
            for r in json.load(open(f.name))["results"]:
                times[r["command"]] += r["times"]
    return times


def peak_rss_mb(cmd, prep):
    subprocess.run(f"{clear_outputs()}; {prep}", shell=True, check=True)
    out = subprocess.run(["/usr/bin/time", "-f", "%M", "sh", "-c", cmd + " >/dev/null"],
                         capture_output=True, text=True, check=True)
    return int(out.stderr.strip().splitlines()[-1]) / 1024


def count_pages(out):
    """Article pages, term pages (first pages) per taxonomy, and all HTML files."""
    out = Path(out)
    articles = 0
    for p in (out / "articles").rglob("index.html") if (out / "articles").exists() else []:
        rel = p.relative_to(out / "articles").parts
        if rel[0] != "page" and len(rel) > 1:
            articles += 1
    terms = {}
    for tax in ("tags", "topics", "authors"):
        d = out / tax
        terms[tax] = sum(1 for c in d.iterdir() if c.is_dir() and c.name != "page") if d.exists() else 0
    html = sum(1 for _ in out.rglob("*.html"))
    return articles, terms, html


def mtimes(out):
    return {str(p): p.stat().st_mtime_ns for p in Path(out).rglob("*") if p.is_file()}


def noop(tools, site, out, runs):
    cmd = f"{tools['warraq']} build --root {site} --output {out}"
    subprocess.run(f"rm -rf {out} {out.parent / ('.' + out.name)}* && {cmd}", shell=True, check=True,
                   stdout=subprocess.DEVNULL)
    before = mtimes(out)
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        run(["hyperfine", "--style", "none", "--runs", str(runs), "--export-json", f.name, cmd],
            stdout=subprocess.DEVNULL)
        t = json.load(open(f.name))["results"][0]["times"]
    return statistics.median(t), before == mtimes(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default="/tmp/warraq-bench", help="where corpora are kept (not tmpfs)")
    ap.add_argument("--no-hugo-above", type=int, default=10**9)
    ap.add_argument("--out", default=str(HERE / "results.md"))
    a = ap.parse_args()
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    tools = build_tools(work)
    rows, notes = [], []
    for n in [int(s) for s in a.sizes.split(",")]:
        sites = layout(work, n)
        cmds = commands(tools, sites, n <= a.no_hugo_above)
        times = hyperfine(cmds, a.rounds, a.runs)
        med = {k: statistics.median(v) for k, v in times.items()}
        for name, (cmd, prep) in cmds.items():
            rss = peak_rss_mb(cmd, prep)
            out = SHM / {"floor": "wb-floor", "warraq": "wb-warraq", "warraq-full": "wb-full", "hugo": "wb-hugo"}[name]
            art, terms, html = count_pages(out) if name != "floor" else (sum(1 for _ in out.rglob("index.html")), {}, 0)
            rows.append((n, name, med[name], min(times[name]), max(times[name]), med[name] / med["floor"], rss,
                         art, terms, html))
        no, untouched = noop(tools, sites[0], SHM / "wb-noop", a.runs * a.rounds)
        subprocess.run(clear_outputs(), shell=True, check=True)
        notes.append(f"- {n} articles: warraq no-op rebuild {no:.3f} s = {no / med['warraq']:.1%} of its cold build; "
                     f"files rewritten: {'none' if untouched else 'SOME (mtimes changed)'}")
        if "hugo" in med:
            notes.append(f"- {n} articles: Hugo / warraq = {med['hugo'] / med['warraq']:.1f}x; "
                         f"warraq / floor = {med['warraq'] / med['floor']:.2f}x; "
                         f"warraq-full / floor = {med['warraq-full'] / med['floor']:.2f}x")
        hugo_row = next((r for r in rows if r[0] == n and r[1] == "hugo"), None)
        w_row = next(r for r in rows if r[0] == n and r[1] == "warraq")
        if hugo_row and (hugo_row[7], hugo_row[8]) != (w_row[7], w_row[8]):
            notes.append(f"- {n} articles: page counts differ: warraq {w_row[7]} articles {w_row[8]}, "
                         f"Hugo {hugo_row[7]} articles {hugo_row[8]}")
    sizes = sorted({r[0] for r in rows})
    if len(sizes) > 1:
        for name in ("warraq", "warraq-full"):
            small, big = (next(r[2] for r in rows if r[0] == s and r[1] == name) for s in (sizes[-2], sizes[-1]))
            notes.append(f"- {name}: {sizes[-1]}/{sizes[-2]} time ratio {big / small:.1f} "
                         f"(size ratio {sizes[-1] / sizes[-2]:.0f})")
    lines = ["| articles | tool | median s | min–max s | × floor | peak RSS MB | article pages | terms (tags/topics/authors) | HTML files |",
             "|---:|---|---:|---:|---:|---:|---:|---|---:|"]
    for n, name, m, lo, hi, ratio, rss, art, terms, html in rows:
        t = "/".join(str(terms.get(k, "")) for k in ("tags", "topics", "authors")) if terms else ""
        lines.append(f"| {n} | {name} | {m:.3f} | {lo:.3f}–{hi:.3f} | {ratio:.2f} | {rss:.0f} | {art} | {t} | {html} |")
    machine = subprocess.run("nproc; uname -r", shell=True, capture_output=True, text=True).stdout.split()
    text = "\n".join(lines) + "\n\n" + "\n".join(notes) + f"\n\n{machine[0]} cores, kernel {machine[1]}; " \
        f"{a.rounds} interleaved hyperfine rounds of {a.runs} runs per tool; outputs on /dev/shm.\n"
    Path(a.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
