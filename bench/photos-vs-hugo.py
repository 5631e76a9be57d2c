#!/usr/bin/env python3
"""Photo processing, warraq against Hugo, on the same corpus of real photographs, paired.

    apt-get install -y hugo plasma-workspace-wallpapers time
    python3 bench/photos-vs-hugo.py --articles 1000 --distinct 40 --rounds 3
    python3 bench/photos-vs-hugo.py --articles 10 --distinct 3 --rounds 1   # a quick check

The photos are Plasma's wallpapers (the largest file of each /usr/share/wallpapers/*/,
2560 to 5120 pixels wide, JPEG and PNG); there are 30, so --distinct above 30 uses 30.
Each article has a lead photo (front matter `image`) and one in its body, cycling through
the distinct set, so every photo is shared by many articles (hard links, one copy).
Both sites ask for the same files: each photo at 480, 800, 1200 and 1600 pixels wide
(none wider than the original) as WebP and JPEG at quality 75, and a 1200x630 JPEG crop
of the lead (og:image). Hugo's are page bundles with a picture partial in single.html
and an image render hook for the body's photo.

Each round runs both tools, in alternating order (warraq first in even rounds): a cold
build (outputs, warraq's cache and manifest, Hugo's resourceDir and cacheDir all removed
first), wall time measured here and peak RSS from /usr/bin/time, then a rebuild with
nothing changed. The image files each output holds are counted by extension. Everything
lives under --work (default on /dev/shm, tmpfs), the outputs as WORK/public and
WORK/hugo-public. The warraq binary is not built here: `cargo build --release` first.
"""
import argparse
import datetime
import os
import shlex
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WIDTHS, QUALITY = [480, 800, 1200, 1600], 75
BODY = ("تتواصل في المدينة أعمال ترميم السوق القديم، حيث يعمل الحرفيون على إعادة الواجهات "
        "الخشبية إلى ما كانت عليه قبل قرن، ويقول السكان إن المكان استعاد شيئا من روحه.\n\n"
        "وأوضح المسؤول عن المشروع أن المرحلة الثانية ستبدأ في الربيع المقبل، وتشمل الأزقة "
        "المحيطة بالجامع الكبير والخانات التي كانت محطة للقوافل القادمة من الشرق.\n")

HUGO_SINGLE = """<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{{ .Title }}</title>
{{ with .Resources.GetMatch .Params.image }}{{ $og := .Fill "1200x630 Center jpg q75" }}<meta property="og:image" content="{{ $og.Permalink }}">{{ end }}
</head><body><article><h1>{{ .Title }}</h1>
{{ with .Resources.GetMatch .Params.image }}<figure>{{ partial "picture.html" (dict "img" . "alt" $.Params.image_alt) }}
<figcaption>{{ $.Params.image_caption }} <small>{{ $.Params.image_credit }}</small></figcaption></figure>{{ end }}
{{ .Content }}</article></body></html>
"""
HUGO_LIST = """<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></body></html>
"""
# Never wider than the original, as warraq; with no width left, the original itself.
HUGO_PICTURE = """{{- $img := .img }}{{ $webp := slice }}{{ $jpg := slice }}{{ $last := $img }}
{{- range $w := slice %s }}{{ if le $w $img.Width }}
{{- $r := $img.Resize (printf "%%dx webp q%d" $w) }}{{ $webp = $webp | append (printf "%%s %%dw" $r.RelPermalink $w) }}
{{- $last = $img.Resize (printf "%%dx jpg q%d" $w) }}{{ $jpg = $jpg | append (printf "%%s %%dw" $last.RelPermalink $w) }}
{{- end }}{{ end -}}
<picture>{{ with $webp }}<source type="image/webp" srcset="{{ delimit . ", " }}" sizes="100vw">{{ end }}
<img src="{{ $last.RelPermalink }}"{{ with $jpg }} srcset="{{ delimit . ", " }}" sizes="100vw"{{ end }} width="{{ $last.Width }}" height="{{ $last.Height }}" alt="{{ .alt }}"></picture>
""" % (" ".join(map(str, WIDTHS)), QUALITY, QUALITY)
HUGO_IMAGE_HOOK = """{{ with .Page.Resources.GetMatch .Destination }}{{ partial "picture.html" (dict "img" . "alt" $.Text) }}\
{{ else }}<img src="{{ .Destination | safeURL }}" alt="{{ .Text }}">{{ end }}"""


def width_of(path):
    """The pixel width from the file's header (PNG's IHDR, JPEG's SOF marker)."""
    data = path.read_bytes()
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return struct.unpack(">I", data[16:20])[0]
    i = 2
    while i + 9 < len(data):
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return struct.unpack(">H", data[i + 7:i + 9])[0]
        i += 2 + length
    sys.exit(f"photos-vs-hugo: no width found in {path}")


def photos(k):
    """The largest image of each wallpaper folder, the first k by folder name."""
    found = []
    for d in sorted(Path("/usr/share/wallpapers").glob("*/contents/images")):
        imgs = [p for p in d.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png")]
        if imgs:
            found.append(max(imgs, key=lambda p: p.stat().st_size))
    if not found:
        sys.exit("photos-vs-hugo: no photos in /usr/share/wallpapers: apt-get install plasma-workspace-wallpapers")
    if len(found) < k:
        print(f"note: {len(found)} distinct photos available (--distinct {k} asked; PIL is not used to make variants)")
    return found[:k]


def generate(work, n, k, hugo_filter):
    """WORK/src (the distinct photos), WORK/warraq and WORK/hugo, rebuilt every run."""
    for d in ("src", "warraq", "hugo"):
        shutil.rmtree(work / d, ignore_errors=True)
    (work / "src").mkdir(parents=True)
    src = []
    for p in photos(k):
        dest = work / "src" / f"{p.parts[-4]}{p.suffix.lower()}"
        shutil.copyfile(p, dest)
        src.append((dest, width_of(dest)))
    w, h = work / "warraq", work / "hugo"
    (w / "site.toml").parent.mkdir(parents=True)
    (w / "site.toml").write_text('title = "bench"\nbase_url = "https://example.org"\n\n'
                                 f"[photos]\nwidths = {WIDTHS}\nquality = {QUALITY}\n")
    for rel, text in {"hugo.toml": (
            f'baseURL = "https://example.org/"\nlanguageCode = "ar"\ntitle = "bench"\n'
            f'resourceDir = "{work / "hugo-resources"}"\ncacheDir = "{work / "hugo-cache"}"\n'
            'timeout = "3h"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n'
            # Only the files the templates use, not every bundle's originals too.
            f'[imaging]\nresampleFilter = "{hugo_filter}"\n[cascade._build]\npublishResources = false\n'),
            "layouts/_default/single.html": HUGO_SINGLE, "layouts/_default/list.html": HUGO_LIST,
            "layouts/partials/picture.html": HUGO_PICTURE,
            "layouts/_default/_markup/render-image.html": HUGO_IMAGE_HOOK}.items():
        (h / rel).parent.mkdir(parents=True, exist_ok=True)
        (h / rel).write_text(text)
    expected = {"webp": 0, "jpg": 0}
    for i in range(1, n + 1):
        (lead, lw), (body, bw) = src[(2 * i - 2) % len(src)], src[(2 * i - 1) % len(src)]
        date = datetime.date(2020, 1, 1) + datetime.timedelta(days=(i - 1) % 366)
        md = (f'---\ntitle: "مقال {i}"\ndate: {date}\nimage: lead{lead.suffix}\n'
              f'image_alt: "صورة المقال {i}"\nimage_caption: "السوق القديم بعد الترميم"\n'
              f'image_credit: "تصوير: وكالة الأنباء"\n---\n{BODY}\n'
              f'![وصف الصورة {i}](photo-1{body.suffix} "تعليق على الصورة")\n')
        for d in (w / "content/articles/2020" / f"a{i:05}", h / "content/articles" / f"a{i:05}"):
            d.mkdir(parents=True)
            (d / "index.md").write_text(md)
            os.link(lead, d / f"lead{lead.suffix}")
            os.link(body, d / f"photo-1{body.suffix}")
        for width in (lw, bw):
            sizes = sum(1 for x in WIDTHS if x <= width)
            expected["webp"] += sizes
            expected["jpg"] += sizes
        expected["jpg"] += 1  # the og:image crop
    return w, h, len(src), expected


def measure(cmd):
    """(wall s, peak RSS MB) of a command, or None with its stderr printed if it failed."""
    with tempfile.TemporaryDirectory() as tmp:
        tfile, efile = Path(tmp) / "time", Path(tmp) / "err"
        start = time.perf_counter()
        # Errors to a file, not a pipe: a long error output would block the build.
        with open(efile, "wb") as err:
            proc = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", str(tfile)] + cmd,
                                  stdout=subprocess.DEVNULL, stderr=err)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            sys.stdout.flush()
            lines = efile.read_text(errors="replace").splitlines()
            shown = "\n".join("  | " + s for s in lines[-40:]) or "  | (no stderr)"
            print(f"\nFAILED (exit {proc.returncode}): {shlex.join(cmd)}\n"
                  f"  stderr{' (last 40 lines)' if len(lines) > 40 else ''}:\n{shown}\n", file=sys.stderr)
            return None
        return wall, int(tfile.read_text().split()[-1]) / 1024


def count_images(out):
    counts = {"webp": 0, "jpg": 0, "png": 0, "MB": 0.0}
    for p in Path(out).rglob("*") if Path(out).exists() else []:
        ext = {"jpeg": "jpg"}.get(p.suffix.lower()[1:], p.suffix.lower()[1:])
        if ext in counts and p.is_file():
            counts[ext] += 1
            counts["MB"] += p.stat().st_size / 2**20
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--distinct", type=int, default=40, help="distinct photos (at most the 30 wallpapers)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--work", default="/dev/shm/warraq-photos")
    ap.add_argument("--warraq", default=str(REPO / "target" / "release" / "warraq"))
    ap.add_argument("--hugo", default=shutil.which("hugo") or "hugo")
    ap.add_argument("--hugo-filter", default="box", help="Hugo's resampleFilter: box is its default, "
                    "lanczos the filter warraq resizes with (Lanczos 3)")
    a = ap.parse_args()
    if not Path("/usr/bin/time").exists():
        sys.exit("photos-vs-hugo: /usr/bin/time is missing: apt-get install time")
    work = Path(a.work).resolve()
    w_site, h_site, distinct, expected = generate(work, a.articles, a.distinct, a.hugo_filter)
    w_out, h_out = work / "public", work / "hugo-public"
    tools = {
        "warraq": ([a.warraq, "build", "--root", str(w_site), "--output", str(w_out)],
                   [w_out, work / f".{w_out.name}.warraq-manifest", w_site / ".warraq-cache"]),
        "hugo": ([a.hugo, "--source", str(h_site), "--destination", str(h_out), "--quiet"],
                 [h_out, work / "hugo-resources", work / "hugo-cache", h_site / "resources"]),
    }

    def clear():  # both tools' state before every cold run
        for _, paths in tools.values():
            for p in paths:
                if p.is_dir():
                    shutil.rmtree(p)
                else:
                    p.unlink(missing_ok=True)

    print(f"{a.articles} articles, {distinct} distinct photos, {a.rounds} rounds, Hugo's filter {a.hugo_filter}; "
          f"expected resized files per tool: {expected['webp']} webp, {expected['jpg']} jpg")
    rows = {name: [] for name in tools}  # per round: (cold, rss, rebuild, counts) or None
    for r in range(a.rounds):
        for name in (["warraq", "hugo"] if r % 2 == 0 else ["hugo", "warraq"]):
            cmd, _ = tools[name]
            clear()
            cold = measure(cmd)
            if cold is None:
                print(f"round {r + 1} {name:6} FAILED (its stderr is above)", flush=True)
                rows[name].append(None)
                continue
            counts = count_images(w_out if name == "warraq" else h_out)
            again = measure(cmd)
            rows[name].append((cold[0], cold[1], again[0] if again else None, counts))
            print(f"round {r + 1} {name:6} cold {cold[0]:8.2f} s  RSS {cold[1]:6.0f} MB  rebuild "
                  f"{again[0] if again else float('nan'):7.3f} s  images {counts['webp']} webp "
                  f"{counts['jpg']} jpg {counts['png']} png ({counts['MB']:.0f} MB)", flush=True)
    clear()

    lines = ["| round | tool | cold s | rebuild s | rebuild % of cold | peak RSS MB | webp | jpg | png | image MB |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, runs in rows.items():
        for r, row in enumerate(runs, 1):
            if row is None:
                lines.append(f"| {r} | {name} | failed | | | | | | | |")
                continue
            cold, rss, again, c = row
            pct = f"{again / cold:.1%}" if again else "failed"
            lines.append(f"| {r} | {name} | {cold:.2f} | {again if again else 0:.3f} | {pct} | {rss:.0f} | "
                         f"{c['webp']} | {c['jpg']} | {c['png']} | {c['MB']:.0f} |")
        ok = [row for row in runs if row]
        if ok:
            med = lambda k: statistics.median(row[k] for row in ok)
            again = [row[2] for row in ok if row[2]]
            pcts = [row[2] / row[0] for row in ok if row[2]]
            lines.append(f"| median | {name} | {med(0):.2f} | {statistics.median(again) if again else 0:.3f} | "
                         f"{f'{statistics.median(pcts):.1%}' if pcts else 'failed'} | {med(1):.0f} | | | | |")
    pairs = [(h[0], w[0]) for w, h in zip(rows["warraq"], rows["hugo"]) if w and h]
    notes = [f"- expected resized files per tool: {expected['webp']} webp, {expected['jpg']} jpg "
             f"({a.articles} articles, {distinct} distinct photos; originals not counted in that)"]
    if pairs:
        ratios = [h / w for h, w in pairs]
        notes.append(f"- Hugo / warraq, cold: {statistics.median(ratios):.1f}x (median of per-round ratios: "
                     + ", ".join(f"{x:.1f}" for x in ratios) + ")")
    else:
        notes.append("- Hugo / warraq, cold: no round where both builds succeeded")
    machine = subprocess.run("nproc; uname -r", shell=True, capture_output=True, text=True).stdout.split()
    print("\n" + "\n".join(lines) + "\n\n" + "\n".join(notes) +
          f"\n\n{machine[0]} cores, kernel {machine[1]}; {a.rounds} alternated rounds; work and outputs in {work}.")
    if any(row is None or row[2] is None for runs in rows.values() for row in runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
