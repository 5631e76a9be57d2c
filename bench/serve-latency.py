#!/usr/bin/env python3
"""Edit-to-reload latency of `warraq serve` on a large archive (a benchmark, not a test).

Generates an archive with ../shared/bench/gen_corpus.py (10,000 articles by default),
starts `warraq serve` (release build) on it, listens to its live-reload stream, then
edits articles one at a time, alternately appending a sentence and changing a word in
the middle of the body, and measures the time from the end of the file write to the
`reload` event. Prints every edit, then the median and p95 of that latency and of the
rebuild time serve logs (`... rebuilt in X ms: N files changed`).

    cargo build --release
    python3 bench/serve-latency.py [--articles 10000] [--edits 20] [--keep DIR]

Standard library only. Run it on an idle machine: the numbers are wall-clock times.
"""

import argparse
import os
import queue
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
# shared/ sits beside the project (beside the work trees, for a work tree).
GENS = [os.path.join(REPO, *up, "shared", "bench", "gen_corpus.py") for up in ([".."], ["..", ".."])]

SITE_TOML = """title = "أرشيف القياس"
description = "أرشيف مولد لقياس زمن إعادة التحميل."
base_url = "https://example.org"
language = "ar"
"""


def percentile(values, p):
    """Nearest-rank percentile."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def read_lines(stream, sink):
    for line in iter(stream.readline, b""):
        text = line.decode("utf-8", "replace").rstrip("\n")
        SEEN.append(text)
        sink.put((time.perf_counter(), text))


def sse_events(port, sink):
    """Reads the live-reload stream (chunked) and puts (time, event, data) on `sink`."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(
        f"GET /__warraq/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    )
    f = sock.makefile("rb")
    while f.readline() not in (b"\r\n", b""):
        pass
    text = ""
    while True:
        size = f.readline()
        if not size:
            return
        n = int(size.strip() or b"0", 16)
        if n == 0:
            return
        chunk = f.read(n + 2)[:n]
        now = time.perf_counter()
        text += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        while "\n\n" in text:
            block, text = text.split("\n\n", 1)
            name, data = "message", ""
            for line in block.split("\n"):
                if line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data += line[5:].strip()
            if not block.startswith(":"):
                sink.put((now, name, data))


SEEN = []  # everything serve printed, for the message when something times out


def wait_for(q, pred, timeout, what):
    deadline = time.perf_counter() + timeout
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            sys.exit(f"timed out waiting for {what}; serve said:\n" + "\n".join(SEEN[-20:]))
        try:
            item = q.get(timeout=left)
        except queue.Empty:
            continue
        if pred(item):
            return item


RUN = os.getpid()  # makes every edit new, also on a kept archive edited before


def edit(path, i):
    """Appends a sentence (even i) or changes a word mid-body (odd i)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if i % 2 == 0:
        text += f"\nجملة أضيفت للقياس رقم {RUN}-{i}.\n"
    else:
        body = text.index("\n---", 3) + 4
        mid = body + (len(text) - body) // 2
        start = text.index(" ", mid) + 1
        end = text.index(" ", start)
        text = text[:start] + f"كلمة{RUN}-{i}" + text[end:]
    data = text.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)
    return time.perf_counter()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=10000)
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--bin", default=os.path.join(REPO, "target", "release", "warraq"))
    ap.add_argument("--keep", metavar="DIR", help="generate into DIR (reused if it exists)")
    ap.add_argument("--gen", default=next((g for g in GENS if os.path.exists(g)), GENS[0]),
                    help="path of gen_corpus.py (default: ../shared/bench/gen_corpus.py)")
    a = ap.parse_args()
    if not os.path.exists(a.bin):
        sys.exit(f"no {a.bin}: run `cargo build --release` first")

    site = a.keep or tempfile.mkdtemp(prefix="warraq-serve-bench-")
    if not os.path.isdir(os.path.join(site, "content")):
        print(f"generating {a.articles} articles in {site} ...", flush=True)
        subprocess.run(
            [sys.executable, a.gen, "--articles", str(a.articles), "--out", site,
             "--flavor", "warraq"],
            check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(site, "site.toml"), "w", encoding="utf-8") as f:
        f.write(SITE_TOML)
    articles = sorted(
        os.path.join(d, n)
        for d, _, names in os.walk(os.path.join(site, "content"))
        for n in names if n.endswith(".md"))
    step = max(1, len(articles) // a.edits)
    targets = [articles[(i * step + step // 2) % len(articles)] for i in range(a.edits)]

    log = queue.Queue()
    proc = subprocess.Popen(
        [a.bin, "serve", "--root", site, "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    threading.Thread(target=read_lines, args=(proc.stdout, log), daemon=True).start()
    try:
        t_start = time.perf_counter()
        _, line = wait_for(log, lambda x: x[1].startswith(("serving ", "built ")),
                           600, "the first build")
        print(line, f"(wall {time.perf_counter() - t_start:.1f} s)", flush=True)
        if not line.startswith("serving "):
            _, line = wait_for(log, lambda x: x[1].startswith("serving "), 60, "the URL")
        port = int(re.search(r":(\d+)/", line).group(1))
        events = queue.Queue()
        threading.Thread(target=sse_events, args=(port, events), daemon=True).start()
        wait_for(events, lambda e: e[1] == "ok", 30, "the first event")
        time.sleep(0.5)

        latencies, rebuilds, changed = [], [], []
        for i, path in enumerate(targets):
            while not log.empty():
                log.get_nowait()
            t0 = edit(path, i)
            t1, _, data = wait_for(events, lambda e: e[1] in ("reload", "error"), 30,
                                   "a reload")
            _, line = wait_for(log, lambda x: "rebuilt in" in x[1] or "failed" in x[1],
                               30, "the log line")
            m = re.search(r"rebuilt in (\d+) ms: (\d+) files? changed", line)
            if not m:
                sys.exit(f"edit {i}: {line}")
            latencies.append((t1 - t0) * 1000)
            rebuilds.append(int(m.group(1)))
            changed.append(int(m.group(2)))
            kind = "append" if i % 2 == 0 else "word  "
            print(f"edit {i + 1:2} ({kind}): reload after {latencies[-1]:6.1f} ms; "
                  f"rebuild {rebuilds[-1]:3} ms, {changed[-1]} files changed", flush=True)
            time.sleep(0.3)
            while not events.empty():
                events.get_nowait()

        print()
        print(f"{len(articles)} articles, {len(latencies)} edits")
        print(f"edit → reload event: median {statistics.median(latencies):.1f} ms, "
              f"p95 {percentile(latencies, 95):.1f} ms, max {max(latencies):.1f} ms")
        print(f"rebuild (Update::elapsed): median {statistics.median(rebuilds):.0f} ms, "
              f"p95 {percentile(rebuilds, 95):.0f} ms")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        if not a.keep:
            shutil.rmtree(site, ignore_errors=True)


if __name__ == "__main__":
    main()
