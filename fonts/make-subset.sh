#!/bin/sh
# Rebuild fonts/unifont-subset.otf from Debian's fonts-unifont package.
#
# Needs: fonts-unifont (apt), python3 >= 3.11 (tomllib), fonttools (pip).
# Run from the repository root:  sh fonts/make-subset.sh
#
# The subset holds every character of palettes/*.toml (so no palette can
# miss a glyph whatever DejaVu Sans Mono lacks) plus whole Unicode blocks
# that user palettes are likely to draw from.
set -eu

SRC=${UNIFONT_OTF:-/usr/share/fonts/opentype/unifont/unifont.otf}
OUT=fonts/unifont-subset.otf
TEXT=$(mktemp)
trap 'rm -f "$TEXT"' EXIT

# Every character used by a built-in palette or particle set.
python3 - "$TEXT" <<'PY'
import pathlib, sys, tomllib
chars = set()
for path in sorted(pathlib.Path("palettes").glob("*.toml")):
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for entries in data.values():
        for entry in entries:
            chars.update(entry.get("chars", ""))
chars.discard(" ")
pathlib.Path(sys.argv[1]).write_text("".join(sorted(chars)), encoding="utf-8")
PY

# Blocks, in order: Greek, Cyrillic, the Arabic letters of `arabic` and their
# presentation forms, runic, arrows, math operators, misc technical (U+2307 of
# `ocean`), box drawing, block elements, geometric shapes, misc symbols and
# dingbats, Braille, katakana, half-width katakana. Unassigned code points of
# Greek and runic are left out: Unifont draws a hex-code placeholder for them,
# which a coverage check would mistake for a real glyph.
# --name-IDs='*' keeps the copyright and licence records of the name table.
pyftsubset "$SRC" \
  --text-file="$TEXT" \
  --unicodes="U+0370-0377,U+037A-037F,U+0384-038A,U+038C,U+038E-03A1,U+03A3-03FF,U+0400-04FF,U+0627-0637,U+FE8D-FEC4,U+16A0-16F8,U+2190-21FF,U+2200-22FF,U+2300-23FF,U+2500-257F,U+2580-259F,U+25A0-25FF,U+2600-27BF,U+2800-28FF,U+30A0-30FF,U+FF61-FF9F" \
  --layout-features='' \
  --name-IDs='*' \
  --name-languages='*' \
  --notdef-outline \
  --output-file="$OUT"

ls -l "$OUT"
