#!/usr/bin/env python3
"""What related articles cost a cold build: the default theme with `[related] count = 4`
(the default) against the same site with `count = 0`, paired (A, B, B, A, ...) by
bench/pair.py, at each size.

    cargo build --release
    python3 bench/related.py --sizes 10000,100000 --rounds 5

Each corpus is generated once with ../shared/bench/gen_corpus.py under --work (default
/dev/shm/warraq-related/N/), its content hard-linked into two site folders that differ
only in site.toml. Search is off in both, so the build it is compared with is the smaller
one (the ratio is the larger). Prints pair.py's table; the related stage is inside
"assemble", which `WARRAQ_TIMINGS=1` shows per stage (printed once per size).
"""
import argparse
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GEN = REPO.parent / "shared/bench/gen_corpus.py"
BINARY = REPO / "target/release/warraq"

SITE = """title = "أرشيف"
base_url = "https://example.org"
search = false
"""


def prepare(work: Path, n: int) -> tuple[Path, Path]:
    base = work / str(n)
    corpus = base / "corpus"
    if not (corpus / "content").is_dir():
        corpus.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(GEN), "--articles", str(n), "--out", str(corpus)],
                       check=True)
    roots = []
    for name, extra in [("off", "\n[related]\ncount = 0\n"), ("on", "")]:
        root = base / name
        if not (root / "content").is_dir():
            root.mkdir(parents=True, exist_ok=True)
            subprocess.run(["cp", "-al", str(corpus / "content"), str(root / "content")],
                           check=True)
        (root / "site.toml").write_text(SITE + extra, encoding="utf-8")
        roots.append(root)
    return roots[0], roots[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--work", default="/dev/shm/warraq-related")
    args = ap.parse_args()
    if not BINARY.is_file():
        sys.exit("build the release binary first: cargo build --release")
    for n in [int(s) for s in args.sizes.split(",")]:
        off, on = prepare(Path(args.work), n)
        out = Path(args.work) / str(n) / "out" / "public"
        print(f"## {n} articles: related off (first) vs on", flush=True)
        for root in (off, on):
            env = dict(os.environ, WARRAQ_TIMINGS="1")
            r = subprocess.run([str(BINARY), "build", "--root", str(root), "--output", str(out)],
                               env=env, capture_output=True, text=True, check=True)
            stages = [l for l in (r.stdout + r.stderr).splitlines() if "assemble" in l]
            print(f"# {root.name}: {' | '.join(stages)}", flush=True)
        subprocess.run([sys.executable, str(REPO / "bench/pair.py"), str(args.rounds),
                        f"{BINARY} build --root {off} --output {out}",
                        f"{BINARY} build --root {on} --output {out}"], check=True)


if __name__ == "__main__":
    main()
