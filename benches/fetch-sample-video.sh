#!/usr/bin/env bash
# Fetch real sample footage for the video fidelity benchmark (docs/BENCHMARKS.md) without
# committing any media: Debian's opencv-doc package ships OpenCV's sample clips
# (Megamind.avi: 720x528 film trailer with sound; vtest.avi: 768x576 street scene).
# Usage: benches/fetch-sample-video.sh [DIR]   (default: target/sample-video)
set -euo pipefail
dir="${1:-target/sample-video}"
mkdir -p "$dir"
if [[ -f "$dir/Megamind.avi" && -f "$dir/vtest.avi" ]]; then
  echo "$dir already has the sample clips"; exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download opencv-doc >/dev/null)
deb="$(ls "$tmp"/opencv-doc_*.deb)"
data=./usr/share/doc/opencv-doc/examples/data
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "$data/Megamind.avi" "$data/vtest.avi"
mv "$tmp/$data/Megamind.avi" "$tmp/$data/vtest.avi" "$dir/"
echo "wrote $dir/Megamind.avi and $dir/vtest.avi"
