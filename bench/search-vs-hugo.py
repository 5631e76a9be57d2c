#!/usr/bin/env python3
"""A site with search, the real alternative: Hugo followed by the Pagefind CLI indexer,
against warraq's full build (default theme, search on), on the same corpus, paired.

    (mkdir -p /tmp/pf && cd /tmp/pf && npm init -y && npm install pagefind@1.6.0)
    apt-get install -y hugo
    python3 bench/search-vs-hugo.py --articles 10000 --rounds 3 --pagefind /tmp/pf/node_modules/.bin/pagefind

Each round runs both, in alternating order, each from an empty output on /dev/shm
(warraq's manifest removed too). Prints each one's median wall time and the median of
the per-round ratios (Hugo + Pagefind / warraq), and checks that both indexes hold every
article (Pagefind's `page_count` in its entry file).
"""
import argparse
import importlib.util
import json
import shutil
import statistics
import subprocess
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHM = Path("/dev/shm")


def load_run():
    spec = importlib.util.spec_from_file_location("bench_run", HERE / "run.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def timed(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, shell=True, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def pages_indexed(out):
    entry = json.loads((out / "pagefind" / "pagefind-entry.json").read_text())
    return sum(lang["page_count"] for lang in entry["languages"].values())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--work", default="/tmp/warraq-bench")
    ap.add_argument("--pagefind", default=shutil.which("pagefind") or "/tmp/pf/node_modules/.bin/pagefind")
    a = ap.parse_args()
    run = load_run()
    tools = run.build_tools(Path(a.work))
    _, full, hugo_site = run.layout(Path(a.work), a.articles)
    wout, hout = SHM / "sv-warraq", SHM / "sv-hugo"
    warraq = f"{tools['warraq']} build --root {full} --output {wout}"
    hugo = (f"{tools['hugo']} --source {hugo_site} --destination {hout} --quiet && "
            f"{a.pagefind} --site {hout}")
    clears = {
        "warraq": f"rm -rf {wout} {SHM}/.sv-warraq*",
        "hugo+pagefind": f"rm -rf {hout} {hugo_site / 'resources'}",
    }
    clear = " ; ".join(clears.values())
    times = {"warraq": [], "hugo+pagefind": []}
    indexed = {}
    for r in range(a.rounds):
        order = [("warraq", warraq), ("hugo+pagefind", hugo)]
        if r % 2:
            order.reverse()
        for name, cmd in order:
            subprocess.run(clear, shell=True, check=True)
            times[name].append(timed(cmd))
            if r == a.rounds - 1:
                kept = wout if name == "warraq" else hout
                indexed[name] = pages_indexed(kept)
    ratios = [h / w for h, w in zip(times["hugo+pagefind"], times["warraq"])]
    print(f"{a.articles} articles, {a.rounds} rounds")
    for name, t in times.items():
        print(f"{name:14} median {statistics.median(t):7.2f} s  (min {min(t):.2f}, max {max(t):.2f})")
    print(f"hugo+pagefind / warraq: {statistics.median(ratios):.1f}x (median of per-round ratios)")
    print(f"pages indexed: warraq {indexed['warraq']}, Pagefind {indexed['hugo+pagefind']}")
    subprocess.run(clear, shell=True, check=True)


if __name__ == "__main__":
    main()
