#!/usr/bin/env python3
"""Compare asciivid's tempo and beats (and speed) with librosa 0.11 on real music.

Accuracy (the table in docs/BENCHMARKS.md):
    benches/fetch-sample-music.sh                      # real tracks from Debian packages
    cargo build --release
    python3 benches/librosa_compare.py target/sample-music/*

Speed (full analysis of one ~7-minute track, both tools on the same file in the same run):
    python3 benches/librosa_compare.py --speed target/sample-music/asc-frontiers.mp3

For each track: our `asciivid analyze --no-cache` (JSON) against librosa's `beat_track` on
`librosa.load(path, sr=22050)`. The beat F-measure uses a +-70 ms window (mir_eval's default
is 70 ms too), librosa's beats as the reference. An "octave" note marks tempi whose ratio is
near 2 or 1/2; `F(octave)` then scores our beats against librosa's beats with every other beat
dropped or midpoints added, to show whether the beats agree at the other metrical level.

Needs: python3 with librosa 0.11 and numpy (pip install librosa==0.11.*).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

TOLERANCE = 0.07
SR = 22050


def f_measure(est, ref, tol=TOLERANCE):
    """Beat F-measure: greedy one-to-one matching within +-tol (both sorted)."""
    est, ref = sorted(est), sorted(ref)
    if not est and not ref:
        return 1.0
    if not est or not ref:
        return 0.0
    matched, e = 0, 0
    for r in ref:
        while e < len(est) and est[e] < r - tol:
            e += 1
        if e < len(est) and est[e] <= r + tol:
            matched += 1
            e += 1
    if matched == 0:
        return 0.0
    p, rc = matched / len(est), matched / len(ref)
    return 2 * p * rc / (p + rc)


def octave_variants(beats):
    """The beat list at half tempo (two phases) and double tempo."""
    b = list(beats)
    mids = [(x + y) / 2 for x, y in zip(b, b[1:])]
    return [b[0::2], b[1::2], sorted(b + mids)]


def binary():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.environ.get(
        "ASCIIVID", os.path.join(here, "..", "target", "release", "asciivid")
    )


def ours(path):
    """(tempo, beats, wall s, cpu s) from `asciivid analyze --no-cache`."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "a.json")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(
            [binary(), "analyze", path, "--no-cache", "-o", out],
            check=True,
            stderr=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        with open(out) as f:
            v = json.load(f)
    return v["tempo_bpm"], v["beats"], wall, cpu


def theirs(path, features=False, count_load=True):
    """(tempo, beats, wall s, cpu s) from librosa: load, (STFT features,) onset, beats.
    With count_load=False the clock starts after loading (for already decoded input)."""
    import librosa

    before = resource.getrusage(resource.RUSAGE_SELF)
    t = time.perf_counter()
    y, sr = librosa.load(path, sr=SR, mono=True)
    if not count_load:
        before = resource.getrusage(resource.RUSAGE_SELF)
        t = time.perf_counter()
    if features:
        # The per-frame features asciivid computes: magnitude STFT, RMS, six bands,
        # centroid, flatness, flux, onset strength.
        s = np.abs(librosa.stft(y, n_fft=2048, hop_length=512))
        librosa.feature.rms(S=s)
        freqs = librosa.fft_frequencies(sr=sr, n_fft=2048)
        for lo, hi in [(20, 80), (80, 250), (250, 500), (500, 2000), (2000, 6000), (6000, sr)]:
            (s[(freqs >= lo) & (freqs < hi)] ** 2).mean(axis=0)
        librosa.feature.spectral_centroid(S=s, sr=sr)
        librosa.feature.spectral_flatness(S=s)
        np.maximum(0, np.diff(s, axis=1)).sum(axis=0)
    env = librosa.onset.onset_strength(y=y, sr=sr)
    librosa.onset.onset_detect(onset_envelope=env, sr=sr)
    tempo, beats = librosa.beat.beat_track(onset_envelope=env, sr=sr, units="time")
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return float(np.atleast_1d(tempo)[0]), [float(b) for b in beats], wall, cpu


def median_offset(est, ref, window=0.1):
    """Median time (s) from each reference beat to the nearest estimated beat within window."""
    est = np.asarray(sorted(est))
    if len(est) == 0:
        return float("nan")
    d = [est[np.argmin(abs(est - r))] - r for r in ref]
    d = [x for x in d if abs(x) <= window]
    return float(np.median(d)) if d else float("nan")


def accuracy(paths):
    print(
        "| track | our BPM | librosa BPM | beat F (±70 ms) | octave? | F at librosa's level"
        " | median offset (ms) | F, offset removed |"
    )
    print("|---|---:|---:|---:|---|---:|---:|---:|")
    scores = []
    for p in paths:
        t_o, b_o, _, _ = ours(p)
        t_l, b_l, _, _ = theirs(p)
        f = f_measure(b_o, b_l)
        ratio = t_o / t_l if t_l > 0 else 0.0
        octave = min(abs(ratio - 2), abs(ratio - 0.5)) < 0.08
        f_oct = max(f_measure(b_o, v) for v in octave_variants(b_l)) if octave else float("nan")
        scores.append(f)
        name = os.path.basename(p)
        oct_s = f"{f_oct:.3f}" if octave else ""
        off = median_offset(b_o, b_l)
        # librosa's beats lag the attacks (23 ms on a click track, see docs/BENCHMARKS.md);
        # this column scores the beats with that constant bias taken out.
        f_al = f_measure(b_o, [b + off for b in b_l]) if off == off else f
        print(
            f"| {name} | {t_o:.1f} | {t_l:.1f} | {f:.3f} | {'yes' if octave else ''} | {oct_s}"
            f" | {1000 * off:+.0f} | {f_al:.3f} |",
            flush=True,
        )
    print(f"\nmean F {statistics.mean(scores):.3f}, min F {min(scores):.3f}")


def timed(label, run_ours, run_theirs, repeats):
    """Alternate the two tools `repeats` times; print medians and the ratios."""
    rows = {"asciivid": [], "librosa": []}
    for _ in range(repeats):
        rows["asciivid"].append(run_ours()[2:])
        rows["librosa"].append(run_theirs()[2:])
    med = {
        k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
        for k, v in rows.items()
    }
    print(f"{label}:")
    for k, (w, c) in med.items():
        print(f"  {k:9s} wall {w:6.2f} s  cpu {c:6.2f} s  (median of {repeats})")
    (wo, co), (wl, cl) = med["asciivid"], med["librosa"]
    print(f"  asciivid: {wl / wo:.1f}x faster (wall), {cl / co:.1f}x less CPU", flush=True)


def speed(path, repeats):
    theirs(path, features=True)  # warm-up: imports, numba compilation, file cache
    ours(path)
    timed(
        "end to end (decode + analysis; ours also writes the JSON)",
        lambda: ours(path),
        lambda: theirs(path, features=True),
        repeats,
    )
    with tempfile.TemporaryDirectory() as d:
        wav = os.path.join(d, "decoded.wav")
        subprocess.run(
            ["ffmpeg", "-v", "error", "-i", path, "-ac", "1", "-ar", str(SR), "-c:a", "pcm_f32le", wav],
            check=True,
        )
        timed(
            "analysis of already decoded 22050 Hz audio (librosa's load not timed; ours reads the WAV)",
            lambda: ours(wav),
            lambda: theirs(wav, features=True, count_load=False),
            repeats,
        )


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+")
    ap.add_argument("--speed", action="store_true", help="time full analysis instead of comparing beats")
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    if not os.path.exists(binary()):
        sys.exit(f"{binary()} not found: run `cargo build --release` first (or set ASCIIVID)")
    if a.speed:
        for p in a.files:
            speed(p, a.repeats)
    else:
        accuracy(a.files)


if __name__ == "__main__":
    main()
