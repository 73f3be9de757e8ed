#!/usr/bin/env bash
# End-to-end pipeline numbers (docs/BENCHMARKS.md, issue 2):
#  1. `render --quality production` on a 60 s track vs ffmpeg alone encoding the same frames
#     with the same settings (frames pre-rendered to a y4m file on a RAM disk);
#  2. peak memory (max RSS) of a long 1080p render: frames stream, nothing is held per frame.
# Usage: benches/pipeline.sh [seconds_for_ratio=60] [seconds_for_memory=600]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
mem_secs=${2:-600}
cargo build --release --quiet
bin=$PWD/target/release/asciivid
work=$(mktemp -d /dev/shm/asciivid-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
ffmpeg -hide_banner -loglevel error -f lavfi \
  -i "aevalsrc=0.8*exp(-40*mod(t\,0.5))*sin(2*PI*55*t)+0.2*sin(2*PI*330*t)*(0.5+0.5*sin(2*PI*0.25*t)):s=44100:d=$secs" \
  -ac 2 song.wav

now() { date +%s.%N; }
t0=$(now); "$bin" render song.wav -o full.mp4 --quality production --quiet 2>render.log; t1=$(now)
"$bin" render song.wav -o frames.y4m --quality production --quiet 2>/dev/null
t2=$(now)
ffmpeg -hide_banner -loglevel error -i frames.y4m -c:v libx264 -preset veryfast -crf 20 -pix_fmt yuv420p \
  -colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv -y ffmpeg_only.mp4
t3=$(now)
frames=$(( secs * 24 ))
python3 - "$t0" "$t1" "$t2" "$t3" "$frames" <<'PY'
import sys
t0, t1, t2, t3, n = map(float, sys.argv[1:])
full, enc = t1 - t0, t3 - t2
print(f"asciivid render --quality production: {n/full:.1f} fps ({full:.1f} s)")
print(f"ffmpeg alone, same frames and settings: {n/enc:.1f} fps ({enc:.1f} s)")
print(f"ratio: {enc/full:.2f} (want >= 0.90)")
PY
tail -1 render.log
if [ "$mem_secs" -gt 0 ]; then
  ffmpeg -hide_banner -loglevel error -stream_loop -1 -i song.wav -t "$mem_secs" -y long.wav
  /usr/bin/time -v "$bin" render long.wav -o long.mp4 --quality production --quiet 2>mem.log || true
  grep -E "Maximum resident|Elapsed" mem.log
fi
