//! End-to-end tests of `asciivid analyze`: the analysis cache, `--plot`, and bad audio inputs.

#[allow(dead_code)]
mod util;

use std::path::{Path, PathBuf};
use std::process::Output;

use asciivid::plot::{BEAT_RGB, DOWNBEAT_RGB, Layout};
use util::*;

/// Run asciivid in `dir` with its analysis cache in `cache`.
fn run_cached(dir: &Path, cache: &Path, args: &[&str]) -> Output {
    let o = bin()
        .current_dir(dir)
        .env("ASCIIVID_CACHE_DIR", cache)
        .args(args)
        .output()
        .expect("run asciivid");
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    o
}

/// The cache entries (analysis-*.bin) in `cache`.
fn entries(cache: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(cache)
        .map(|r| r.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "bin"));
    v.sort();
    v
}

/// A mono WAV file holding exactly `samples` at `rate`.
fn wav(dir: &Path, name: &str, samples: &[f32], rate: u32) -> PathBuf {
    let p = dir.join(name);
    asciivid::media::wav::write_wav_mono(&p, samples, rate).unwrap();
    p
}

const HIT: &str = "from the analysis cache";

#[test]
fn second_analysis_comes_from_the_cache_and_matches_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let audio = click_track(dir.path(), "c.wav", 3.0, 120.0);
    let a = audio.to_str().unwrap();
    let first = run_cached(dir.path(), &cache, &["analyze", a]);
    assert!(!stderr(&first).contains(HIT), "{}", stderr(&first));
    assert_eq!(entries(&cache).len(), 1);
    let second = run_cached(dir.path(), &cache, &["analyze", a]);
    assert!(stderr(&second).contains(HIT), "{}", stderr(&second));
    assert_eq!(first.stdout, second.stdout, "cached JSON differs");

    // The same bytes under another name are the same entry: the key is the content.
    let copy = dir.path().join("copy.wav");
    std::fs::copy(&audio, &copy).unwrap();
    let o = run_cached(dir.path(), &cache, &["analyze", copy.to_str().unwrap()]);
    assert!(stderr(&o).contains(HIT));

    // --no-cache analyses afresh and writes nothing.
    let o = run_cached(dir.path(), &cache, &["analyze", a, "--no-cache"]);
    assert!(!stderr(&o).contains(HIT));
    assert_eq!(o.stdout, first.stdout);
    assert_eq!(entries(&cache).len(), 1);

    // Another frame rate is another analysis.
    let o = run_cached(dir.path(), &cache, &["analyze", a, "--fps", "30"]);
    assert!(!stderr(&o).contains(HIT));
    assert_eq!(entries(&cache).len(), 2);

    // Changed content is a miss even under the same name.
    click_track(dir.path(), "c.wav", 3.0, 100.0);
    let o = run_cached(dir.path(), &cache, &["analyze", a]);
    assert!(!stderr(&o).contains(HIT));
    assert_ne!(o.stdout, first.stdout);
    assert_eq!(entries(&cache).len(), 3);
    assert!(
        listing(&cache).iter().all(|f| f.starts_with("analysis-")),
        "temporary files left in the cache: {:?}",
        listing(&cache)
    );
}

#[test]
fn corrupt_or_truncated_cache_entries_are_recomputed() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let audio = click_track(dir.path(), "c.wav", 2.0, 120.0);
    let a = audio.to_str().unwrap();
    let first = run_cached(dir.path(), &cache, &["analyze", a, "--csv"]);
    let entry = entries(&cache).pop().expect("an entry");
    let good = std::fs::read(&entry).unwrap();
    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 0xff;
    for damaged in [good[..good.len() / 3].to_vec(), flipped, Vec::new()] {
        std::fs::write(&entry, &damaged).unwrap();
        let o = run_cached(dir.path(), &cache, &["analyze", a, "--csv"]);
        assert!(!stderr(&o).contains(HIT), "damaged entry was used");
        assert_eq!(o.stdout, first.stdout);
        assert_eq!(std::fs::read(&entry).unwrap(), good, "entry not rewritten");
        let o = run_cached(dir.path(), &cache, &["analyze", a, "--csv"]);
        assert!(stderr(&o).contains(HIT));
    }
}

#[test]
fn a_re_render_reports_the_analysis_as_cached() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let audio = click_track(dir.path(), "c.wav", 1.5, 120.0);
    let a = audio.to_str().unwrap();
    let render = |out: &str, extra: &[&str]| {
        let mut args = vec![
            "render",
            a,
            "-o",
            out,
            "--resolution",
            "160x90",
            "--fps",
            "12",
            "--quiet",
        ];
        args.extend_from_slice(extra);
        stderr(&run_cached(dir.path(), &cache, &args))
    };
    assert!(!render("a.mp4", &[]).contains("(cached)"));
    let second = render("b.mp4", &[]);
    assert!(second.contains("(cached)"), "{second}");
    // `analyze` at the render's rate reuses the render's analysis.
    let o = run_cached(dir.path(), &cache, &["analyze", a, "--fps", "12"]);
    assert!(stderr(&o).contains(HIT));
    // Another start is another analysis; --no-cache never reports a hit.
    assert!(!render("c.mp4", &["--start", "0.5"]).contains("(cached)"));
    assert!(!render("d.mp4", &["--no-cache"]).contains("(cached)"));
}

/// Colour of a pixel of an RGB PNG.
fn pixel(png: &(Vec<u8>, usize, usize), x: usize, y: usize) -> [u8; 3] {
    let i = (y * png.1 + x) * 3;
    [png.0[i], png.0[i + 1], png.0[i + 2]]
}

/// Decode an 8-bit RGB PNG: (pixels, width, height).
fn read_png(path: &Path) -> (Vec<u8>, usize, usize) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (buf, info.width as usize, info.height as usize)
}

#[test]
fn plot_is_a_png_with_beat_lines_on_the_beats() {
    let dir = tempfile::tempdir().unwrap();
    let bpm = 120.0;
    let secs = 8.0;
    let audio = click_track(dir.path(), "c.wav", secs, bpm);
    let o = run_in(
        dir.path(),
        &[
            "analyze",
            audio.to_str().unwrap(),
            "--plot",
            "p.png",
            "-o",
            "a.json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("a.json")).unwrap()).unwrap();
    let png = read_png(&dir.path().join("p.png"));
    let layout = Layout::for_duration(json["duration"].as_f64().unwrap());
    assert_eq!((png.1, png.2), (layout.width, layout.height));
    assert_eq!(layout.plot_w, 800, "100 px per second");
    // In the middle row of the onset panel, beat-coloured columns sit on the clicks (every
    // 0.5 s, drawn at 100 px/s: one line per 50 px) and nowhere else.
    let row = (layout.onsets.0 + layout.onsets.1) / 2;
    let lines: Vec<usize> = (0..png.1)
        .filter(|&x| matches!(pixel(&png, x, row), BEAT_RGB | DOWNBEAT_RGB))
        .collect();
    let period = 60.0 / bpm;
    let clicks: Vec<usize> = (1..(secs / period) as usize)
        .filter_map(|k| layout.x_of(k as f64 * period))
        .collect();
    for &x in &clicks {
        assert!(
            lines.iter().any(|&l| l.abs_diff(x) <= 2),
            "no beat line near x={x}: {lines:?}"
        );
    }
    for &l in &lines {
        assert!(
            clicks.iter().any(|&x| l.abs_diff(x) <= 2) || l < layout.plot_x + 5,
            "line at {l} is on no click"
        );
    }
    // The spectrogram is not blank: the 60 Hz kick and 220 Hz tone light its lower half.
    let lit = (layout.spectro.0..layout.spectro.1)
        .filter(|&y| {
            pixel(&png, layout.plot_x + 100, y)
                .iter()
                .map(|&c| c as u32)
                .sum::<u32>()
                > 300
        })
        .count();
    assert!(lit > 5, "spectrogram is dark");
    // Title text is drawn with the bundled glyphs.
    let title_ink = (0..png.1)
        .flat_map(|x| (0..20).map(move |y| (x, y)))
        .filter(|&(x, y)| pixel(&png, x, y)[0] > 150)
        .count();
    assert!(title_ink > 200, "no title");
}

#[test]
fn plot_and_output_are_not_overwritten_without_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let audio = click_track(dir.path(), "c.wav", 1.0, 120.0);
    std::fs::write(dir.path().join("p.png"), b"keep").unwrap();
    let o = run_in(
        dir.path(),
        &["analyze", audio.to_str().unwrap(), "--plot", "p.png"],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--overwrite"), "{}", stderr(&o));
    assert_eq!(std::fs::read(dir.path().join("p.png")).unwrap(), b"keep");
    let o = run_in(
        dir.path(),
        &[
            "analyze",
            audio.to_str().unwrap(),
            "--plot",
            "p.png",
            "--overwrite",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        &std::fs::read(dir.path().join("p.png")).unwrap()[1..4],
        b"PNG"
    );
}

#[test]
fn degenerate_audio_files_analyze_without_nan_and_corrupt_ones_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let make = |name: &str, src: &str, extra: &[&str]| {
        let p = d.join(name);
        let mut args = vec!["-f", "lavfi", "-i", src];
        args.extend_from_slice(extra);
        args.push(p.to_str().unwrap());
        ffmpeg(&args);
        p
    };
    let files = [
        make("silence.wav", "anullsrc=r=44100:cl=mono", &["-t", "2"]),
        make("dc.wav", "aevalsrc=0.5:s=44100:d=2", &[]),
        make("clipped.wav", "aevalsrc=4*sin(2*PI*100*t):s=44100:d=2", &[]),
        // One sample at the analysis rate (22050 Hz) is one frame.
        wav(d, "one.wav", &[0.9], 22050),
    ];
    for f in &files {
        let o = run_in(d, &["analyze", f.to_str().unwrap(), "--fps", "24"]);
        assert!(o.status.success(), "{}: {}", f.display(), stderr(&o));
        let text = stdout(&o);
        assert!(
            !text.contains("NaN") && !text.contains("null"),
            "{}",
            f.display()
        );
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(
            !v["frames"].as_array().unwrap().is_empty(),
            "{}",
            f.display()
        );
        for frame in v["frames"].as_array().unwrap() {
            for (k, x) in frame.as_object().unwrap() {
                let x = x.as_f64().unwrap();
                assert!(
                    k == "t" || (0.0..=1.0).contains(&x),
                    "{}: {k} = {x}",
                    f.display()
                );
            }
        }
    }
    // A 0-sample file (a valid WAV header with no data) and a corrupt one fail in one line.
    let empty = wav(d, "empty.wav", &[], 44100);
    // One sample at 44.1 kHz resamples to nothing: the same clear error as no samples.
    let one_hi = wav(d, "one44.wav", &[0.9], 44100);
    std::fs::write(
        d.join("corrupt.ogg"),
        b"OggS\0\x02garbage that is no vorbis stream",
    )
    .unwrap();
    for (f, needle) in [
        (empty, "no audio samples"),
        (one_hi, "no audio samples"),
        (d.join("corrupt.ogg"), "corrupt.ogg"),
    ] {
        let o = run_in(d, &["analyze", f.to_str().unwrap(), "--plot", "x.png"]);
        let e = stderr(&o);
        assert!(!o.status.success(), "{} succeeded", f.display());
        assert!(e.contains(needle), "{e}");
        assert_eq!(e.trim().lines().count(), 1, "{e}");
        assert!(!d.join("x.png").exists());
    }
}

#[test]
fn preview_shares_the_cache_with_render() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let audio = click_track(dir.path(), "c.wav", 2.0, 120.0);
    let a = audio.to_str().unwrap();
    let preview = ["preview", a, "--headless", "60x20", "--fps", "12"];
    run_cached(
        dir.path(),
        &cache,
        &[&preview[..], &["--duration", "1"]].concat(),
    );
    assert_eq!(entries(&cache).len(), 1, "preview stored no analysis");
    // A render of the same span at the same rate finds the preview's analysis.
    let o = run_cached(
        dir.path(),
        &cache,
        &[
            "render",
            a,
            "-o",
            "r.mp4",
            "--fps",
            "12",
            "--duration",
            "1",
            "--resolution",
            "160x90",
            "--quiet",
        ],
    );
    assert!(stderr(&o).contains("(cached)"), "{}", stderr(&o));
    // --no-cache on preview writes nothing.
    run_cached(
        dir.path(),
        &cache,
        &[&preview[..], &["--duration", "1.5", "--no-cache"]].concat(),
    );
    assert_eq!(entries(&cache).len(), 1);
}
