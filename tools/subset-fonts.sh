#!/usr/bin/env bash
# Regenerates static/fonts/*.woff2, the default theme's Arabic text face, from Debian's
# Noto Naskh Arabic (package fonts-noto-core, SIL Open Font License 1.1).
#
#   apt-get install -y fonts-noto-core && pip install fonttools brotli
#   tools/subset-fonts.sh
#
# The subset keeps the Arabic blocks (so Persian and Urdu text shape too), ASCII
# punctuation and digits, the bidi controls and general punctuation, with every
# OpenType layout feature: Arabic joining and ligatures need them. Latin letters
# are not in the font; browsers take them from the next family in the CSS stack.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${NOTO_DIR:-/usr/share/fonts/truetype/noto}
out=static/fonts
mkdir -p "$out"
unicodes="U+0020-0040,U+005B-0060,U+007B-007E,U+00A0,U+00AB,U+00B7,U+00BB,\
U+0600-06FF,U+0750-077F,U+08A0-08FF,U+FB50-FDFF,U+FE70-FEFF,\
U+200B-200F,U+2010-2027,U+202A-202E,U+2066-2069,U+25CC"
for weight in Regular Bold; do
  pyftsubset "$src/NotoNaskhArabic-$weight.ttf" \
    --unicodes="$unicodes" \
    --layout-features='*' \
    --flavor=woff2 \
    --no-hinting \
    --desubroutinize \
    --name-IDs='*' \
    --output-file="$out/noto-naskh-arabic-$(echo "$weight" | tr 'A-Z' 'a-z').woff2"
done
ls -l "$out"/*.woff2
