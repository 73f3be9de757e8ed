#!/usr/bin/env bash
# Fetch real music for the librosa comparison (docs/BENCHMARKS.md) without committing any
# media: game soundtracks that Debian ships under free licences.
#   fretsonfire-songs-muldjord, fretsonfire-songs-sectoid: rock/metal songs (each with the
#     game's note chart, whose MIDI tempo is a ground truth for the BPM)
#   asc-music: orchestral/game score (frontiers.mp3 is the 7-minute speed benchmark track)
#   nexuiz-music: electronic (inside music.pk3, a zip)
# Usage: benches/fetch-sample-music.sh [DIR]   (default: target/sample-music; ~150 MB download)
set -euo pipefail
dir="${1:-target/sample-music}"
mkdir -p "$dir"
if [[ -f "$dir/nexuiz-subcities.ogg" && -f "$dir/asc-frontiers.mp3" ]]; then
  echo "$dir already has the sample music"; exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download fretsonfire-songs-muldjord fretsonfire-songs-sectoid asc-music nexuiz-music >/dev/null)
for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/x"; done
fof="$tmp/x/usr/share/games/fretsonfire/data/songs"
cp "$fof/muldjord/chaos_god/song.ogg" "$dir/fof-chaos_god.ogg"
cp "$fof/muldjord/mutilated_mime/song.ogg" "$dir/fof-mutilated_mime.ogg"
cp "$fof/sectoid/Escape from chaosland/song.ogg" "$dir/fof-escape_from_chaosland.ogg"
cp "$fof/sectoid/Feelings/song.ogg" "$dir/fof-feelings.ogg"
for t in frontiers machine_wars time_to_strike; do
  cp "$tmp/x/usr/share/games/asc/music/$t.mp3" "$dir/asc-$t.mp3"
done
python3 - "$tmp/x/usr/share/games/nexuiz/data/music.pk3" "$dir" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for n in ["brainsukker", "infight", "neuronal-diving", "northern-lights", "subcities"]:
    with open(f"{sys.argv[2]}/nexuiz-{n}.ogg", "wb") as f:
        f.write(z.read(f"sound/cdtracks/{n}.ogg"))
PY
echo "wrote $(ls "$dir" | wc -l) tracks to $dir"
