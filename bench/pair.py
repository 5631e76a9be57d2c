#!/usr/bin/env python3
"""Two (or more) builds of warraq timed in alternation: A, B, B, A, A, B, ...

    python3 bench/pair.py 30 "$OLD build --root $W --output /dev/shm/a" \\
                             "$NEW build --root $W --output /dev/shm/a"
    python3 bench/pair.py 8 "$FLOOR $W/content /dev/shm/fl" \\
                            "$NEW build --root $W --output /dev/shm/a"   # x the floor, paired

Each run starts from an empty output (the folder given by --output, or the command's last
word when it has none, as the floor's `floor CONTENT OUT`; and warraq's manifest beside
it), so every run is a cold build. Prints, per command, the median wall, user and system
time, and the median of the per-round ratios of the first command's wall time to this
one's (above 1: faster than the first). Runs of one command after another (hyperfine's
order) see different machine weather on these VMs; alternating runs see the same, and
the paired ratio is steadier than either median.
"""
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def output_of(command):
    """The folder a command writes: after `--output` (warraq), else its last word (the
    floor: `floor CONTENT OUT`)."""
    words = shlex.split(command)
    if "--output" in words:
        return Path(words[words.index("--output") + 1])
    out = Path(words[-1])
    if not out.is_absolute() or out.parent == Path("/"):
        sys.exit(f"pair.py: no --output in {command!r}, and its last word is no absolute "
                 "folder below / to clear before each run")
    return out


def clean(out):
    shutil.rmtree(out, ignore_errors=True)
    manifest = out.parent / f".{out.name}.warraq-manifest"
    if manifest.exists():
        manifest.unlink()


def run(command):
    out = output_of(command)
    clean(out)
    start = time.perf_counter()
    # Errors go to a file, not a pipe: a build that fails with more than a pipe holds
    # (64 KiB of diagnostics) would block writing them while this waits for it to exit.
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(shlex.split(command), stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if status != 0:
            err.seek(0)
            sys.exit(f"pair.py: failed: {command}\n{err.read().decode(errors='replace')}")
    return wall, usage.ru_utime, usage.ru_stime


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    rounds, commands = int(sys.argv[1]), sys.argv[2:]
    times = {c: [] for c in commands}
    for i in range(rounds + 1):  # round 0 warms the caches and is not counted
        for c in commands if i % 2 == 0 else commands[::-1]:
            t = run(c)
            if i > 0:
                times[c].append(t)
    for c in commands:
        clean(output_of(c))
    first = times[commands[0]]
    for c in commands:
        wall, user, system = (statistics.median(t[k] for t in times[c]) for k in range(3))
        ratio = statistics.median(f[0] / t[0] for f, t in zip(first, times[c]))
        print(f"wall {wall * 1000:7.1f} ms  user {user * 1000:6.1f}  system {system * 1000:6.1f}"
              f"  paired {ratio:.3f}x  {c}")


if __name__ == "__main__":
    main()
