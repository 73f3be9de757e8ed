#!/usr/bin/env bash
# Issue 6 benchmark (docs/BENCHMARKS.md): a 3.5-minute, 8-section production render with
# transitions (benches/timeline-8.toml: the built-in `journey` looks and transitions at evenly
# spread `start` times) against ffmpeg alone encoding the same frames with the same settings.
# The encode-only frames are rendered to y4m in four `--frames` shards on a RAM disk (the whole
# track would be 15.7 GB of y4m); each shard is encoded alone and the encode times are summed.
# Usage: benches/timeline.sh [seconds=210]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-210}
cargo build --release --quiet
bin=$PWD/target/release/asciivid
tl=$PWD/benches/timeline-8.toml
work=$(mktemp -d /dev/shm/asciivid-tl-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
ffmpeg -hide_banner -loglevel error -f lavfi \
  -i "aevalsrc=0.8*exp(-40*mod(t\,0.5))*sin(2*PI*55*t)+0.2*sin(2*PI*330*t)*(0.5+0.5*sin(2*PI*0.25*t)):s=44100:d=$secs" \
  -ac 2 song.wav
now() { date +%s.%N; }
"$bin" render song.wav --preset "$tl" --quality production --show-timeline
t0=$(now); "$bin" render song.wav --preset "$tl" -o full.mp4 --quality production --quiet 2>render.log; t1=$(now)
frames=$(( secs * 24 ))
shard=$(( (frames + 3) / 4 ))
enc=0; y4m=0
for a in $(seq 0 "$shard" $(( frames - 1 ))); do
  b=$(( a + shard < frames ? a + shard : frames ))
  s0=$(now)
  "$bin" render song.wav --preset "$tl" --quality production --frames "$a..$b" -o shard.y4m --quiet --overwrite 2>/dev/null
  s1=$(now)
  ffmpeg -hide_banner -loglevel error -i shard.y4m -c:v libx264 -preset veryfast -crf 20 -pix_fmt yuv420p \
    -colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv -y shard.mp4
  s2=$(now)
  y4m=$(python3 -c "print($y4m + $s1 - $s0)"); enc=$(python3 -c "print($enc + $s2 - $s1)")
  rm -f shard.y4m shard.mp4
done
python3 - "$t0" "$t1" "$enc" "$y4m" "$frames" <<'PY'
import sys
t0, t1, enc, y4m, n = map(float, sys.argv[1:])
full = t1 - t0
print(f"asciivid render --quality production (8 sections, transitions): {n/full:.1f} fps ({full:.1f} s)")
print(f"ffmpeg alone encoding the same frames, same settings:          {n/enc:.1f} fps ({enc:.1f} s)")
print(f"asciivid rendering the frames to y4m shards (no encoder):       {n/y4m:.1f} fps ({y4m:.1f} s)")
print(f"encode-only / total: {enc/full:.2f} (1.0 = rendering costs nothing on top of the encoder)")
PY
tail -1 render.log
