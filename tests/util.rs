//! Helpers for end-to-end tests: run the real binary, make media with real ffmpeg, probe with ffprobe.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The asciivid binary built for this test run, with the analysis cache in a directory of this
/// test process (never the user's, and never shared with an earlier build whose analysis may
/// differ). Tests about the cache set their own `ASCIIVID_CACHE_DIR`.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_asciivid"));
    c.env("ASCIIVID_CACHE_DIR", test_cache_dir());
    c
}

/// `target/tmp/cache-PID`: one analysis cache per test process, removed by `cargo clean`.
fn test_cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cache-{}", std::process::id()))
}

/// Run asciivid with `args` in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run asciivid")
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Run ffmpeg with `args`, panicking with its log on failure.
pub fn ffmpeg(args: &[&str]) {
    let o = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg must be installed for the end-to-end tests (apt-get install -y ffmpeg)");
    assert!(
        o.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A click track with a bass sine: `secs` seconds at `bpm`, as a file in `dir`.
pub fn click_track(dir: &Path, name: &str, secs: f64, bpm: f64) -> PathBuf {
    let p = dir.join(name);
    let period = 60.0 / bpm;
    let expr = format!(
        "0.8*exp(-60*mod(t\\,{period}))*sin(2*PI*60*t)+0.3*sin(2*PI*220*t)*(0.5+0.5*sin(2*PI*0.5*t))"
    );
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &format!("aevalsrc={expr}:s=44100:d={secs}"),
        "-ac",
        "2",
        p.to_str().unwrap(),
    ]);
    p
}

/// ffprobe's JSON for a file.
pub fn probe(path: &Path) -> serde_json::Value {
    let o = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_streams",
            "-show_format",
        ])
        .arg(path)
        .output()
        .expect("ffprobe");
    assert!(
        o.status.success(),
        "ffprobe {}: {}",
        path.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The first stream of a type ("video" / "audio").
pub fn stream<'a>(probe: &'a serde_json::Value, kind: &str) -> Option<&'a serde_json::Value> {
    probe["streams"]
        .as_array()?
        .iter()
        .find(|s| s["codec_type"] == kind)
}

/// Parse ffprobe's "24/1" rates.
pub fn rate(s: &str) -> f64 {
    let (a, b) = s.split_once('/').unwrap_or((s, "1"));
    a.parse::<f64>().unwrap() / b.parse::<f64>().unwrap()
}

/// Mean luma (0-255) of each decoded frame of a video, via ffmpeg → gray rawvideo.
pub fn frame_means(path: &Path, w: usize, h: usize) -> Vec<f64> {
    let o = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-i"])
        .arg(path)
        .args(["-f", "rawvideo", "-pix_fmt", "gray", "-"])
        .output()
        .unwrap();
    assert!(o.status.success());
    o.stdout
        .chunks(w * h)
        .filter(|c| c.len() == w * h)
        .map(|c| c.iter().map(|&b| b as f64).sum::<f64>() / c.len() as f64)
        .collect()
}

/// Files in a directory (names).
pub fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Write `preset` into `dir` as `name`, render its frame at 1.5 s of a 2 s generative clip with
/// `--test-frame` plus `args`, and return the mean brightness the command reports.
pub fn still_mean(dir: &Path, name: &str, preset: &str, args: &[&str]) -> f64 {
    std::fs::write(dir.join(name), preset).unwrap();
    let png = format!("{name}.png");
    let mut a = vec![
        "render",
        "--duration",
        "2",
        "--preset",
        name,
        "--test-frame",
        "1.5",
        "-o",
        &png,
    ];
    a.extend_from_slice(args);
    let o = run_in(dir, &a);
    assert!(o.status.success(), "{name}: {}", stderr(&o));
    stdout(&o)
        .split_whitespace()
        .last()
        .unwrap()
        .parse()
        .unwrap()
}
