#!/usr/bin/env bash
# Load on `warraq serve` while it rebuilds (a check, not a test): 30 s of `wrk` on an
# article page and on the home page, while that article is edited every 200 ms and every
# tenth edit breaks its front matter. At the end the server must still answer, and wrk
# must report no socket errors and no non-2xx/3xx responses.
#
#   cargo build --release
#   bench/serve-load.sh SITE_DIR        (e.g. one made by bench/serve-latency.py --keep)
#
# Needs `wrk` (apt-get install wrk). Traffic goes to 127.0.0.1 only.
set -euo pipefail
site=${1:?usage: bench/serve-load.sh SITE_DIR}
bin=${WARRAQ_BIN:-$(dirname "$0")/../target/release/warraq}
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 1; }
work=$(mktemp -d)
log=$work/serve.log

"$bin" serve --root "$site" --port 0 >"$log" 2>&1 &
pid=$!
trap 'kill -INT $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 600); do grep -q '^serving ' "$log" && break; sleep 0.5; done
addr=$(grep -o '127\.0\.0\.1:[0-9]*' "$log" | sed -n 1p)
article=$(find "$site/content" -name '*.md' | sort | sed -n 1p)
slug=$(basename "$article" .md)
cp "$article" "$work/good.md"
echo "serving at $addr; editing $article"

(
  end=$((SECONDS + 30)); n=0
  while [ $SECONDS -lt $end ]; do
    n=$((n + 1))
    if [ $((n % 10)) -eq 0 ]; then
      sed 's/^title: /title: "broken\ntitlex: /' "$work/good.md" >"$article"
    else
      { cat "$work/good.md"; echo; echo "سطر $n."; } >"$article"
    fi
    sleep 0.2
  done
  cp "$work/good.md" "$article"
) &
editor=$!
wrk -t2 -c32 -d30s "http://$addr/articles/$slug/" >"$work/wrk1.txt" &
wrk1=$!
wrk -t1 -c16 -d30s "http://$addr/" >"$work/wrk2.txt"
wait $wrk1 $editor
cat "$work/wrk1.txt" "$work/wrk2.txt"
echo "updates: $(grep -c 'rebuilt in' "$log") rebuilt, $(grep -c 'build failed' "$log") failed (on purpose)"
status=$(curl -s -o /dev/null -w '%{http_code}' "http://$addr/")
echo "after the load: GET / → $status"
if grep -qE 'Socket errors|Non-2xx' "$work/wrk1.txt" "$work/wrk2.txt" || [ "$status" != 200 ]; then
  echo "FAILED: requests were lost" >&2
  exit 1
fi
echo "no request lost"
