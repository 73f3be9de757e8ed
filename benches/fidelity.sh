#!/usr/bin/env bash
# The fidelity table of docs/BENCHMARKS.md (issue 5): SSIM of asciivid's glyph modes and of
# chafa on the same cells, on real footage from Debian's opencv-doc package, at 1280x720 with
# 10x19 px cells. Needs ffmpeg, apt-get (for the footage) and chafa (`apt-get install chafa`;
# without it the chafa rows are left out).
# Usage: benches/fidelity.sh [IMG_DIR]   (side-by-side PNGs go to IMG_DIR, default docs/img)
set -euo pipefail
cd "$(dirname "$0")/.."
img="${1:-docs/img}"
mkdir -p "$img"
benches/fetch-sample-video.sh target/sample-video
# the mosaic is written full colour, then reduced to a 128-colour PNG for the docs
run() {
  local name="$1"; shift
  nice -n 10 cargo bench --bench fidelity -- "$@" --png "$PWD/target/fidelity-$name.png"
  ffmpeg -v error -y -i "target/fidelity-$name.png" \
    -vf "split[a][b];[a]palettegen=max_colors=128[p];[b][p]paletteuse=dither=none" \
    "$img/fidelity-$name.png"
}
# a close-up of a face (film trailer) and a street scene (CCTV-like), both cropped to 16:9
run megamind target/sample-video/Megamind.avi 4 --fit cover
run vtest target/sample-video/vtest.avi 3 --fit cover
