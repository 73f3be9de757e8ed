#!/usr/bin/env python3
"""Print the `ascii` palette of palettes/chars.toml: printable ASCII sorted by ink.

Ink is the filled outline area of each glyph in DejaVu Sans Mono (font units
squared), which does not depend on a raster size. Ties keep code-point order so
the output is reproducible. Needs fontTools (`pip install fonttools`).

Usage: python3 palettes/ascii-ramp.py [path/to/DejaVuSansMono.ttf]
"""

import sys

from fontTools.pens.areaPen import AreaPen
from fontTools.ttLib import TTFont

font_path = sys.argv[1] if len(sys.argv) > 1 else "fonts/DejaVuSansMono.ttf"
font = TTFont(font_path)
glyphs = font.getGlyphSet()
cmap = font.getBestCmap()

ink = []
for cp in range(0x20, 0x7F):
    pen = AreaPen(glyphs)
    glyphs[cmap[cp]].draw(pen)
    # The sign of the area only tells the contour direction.
    ink.append((abs(pen.value), cp))
ink.sort()
print("".join(chr(cp) for _, cp in ink))
