//! End-to-end tests: the real binary, real ffmpeg, outputs checked with ffprobe.

#[allow(dead_code)] // each test binary uses a different part of the helpers
mod util;

use util::*;

const SMALL: &[&str] = &["--resolution", "320x180", "--fps", "12", "--quiet"];

fn args<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(extra).copied().collect()
}

#[test]
fn render_produces_h264_aac_of_the_right_size_rate_and_length() {
    let dir = tempfile::tempdir().unwrap();
    let audio = click_track(dir.path(), "song.mp3", 2.0, 120.0);
    let o = run_in(
        dir.path(),
        &args(&["render", audio.to_str().unwrap(), "-o", "out.mp4"], SMALL),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("out.mp4");
    let p = probe(&out);
    let v = stream(&p, "video").expect("video stream");
    let a = stream(&p, "audio").expect("audio stream");
    assert_eq!(v["codec_name"], "h264");
    assert_eq!(a["codec_name"], "aac");
    assert_eq!(v["width"], 320);
    assert_eq!(v["height"], 180);
    assert_eq!(v["pix_fmt"], "yuv420p");
    assert_eq!(v["color_space"], "bt709");
    assert!((rate(v["r_frame_rate"].as_str().unwrap()) - 12.0).abs() < 1e-6);
    let vdur: f64 = v["duration"].as_str().unwrap().parse().unwrap();
    let adur: f64 = probe(&audio)["format"]["duration"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (vdur - adur).abs() <= 1.0 / 12.0 + 1e-3,
        "video {vdur} s vs audio {adur} s"
    );
    let means = frame_means(&out, 320, 180);
    assert!(means.len() >= 20);
    for (i, m) in means.iter().enumerate().step_by(6) {
        assert!(*m > 8.0, "frame {i} too dark: {m}");
    }
    // it reacts to the music: brightness varies over time
    let (lo, hi) = means
        .iter()
        .fold((f64::MAX, 0.0f64), |(l, h), &m| (l.min(m), h.max(m)));
    assert!(hi - lo > 1.0, "frames barely change: {lo}..{hi}");
    assert_eq!(
        listing(dir.path()),
        vec!["out.mp4", "song.mp3"],
        "no temp files left"
    );
}

#[test]
fn output_is_identical_for_any_worker_count_and_seed_matters() {
    let dir = tempfile::tempdir().unwrap();
    let audio = click_track(dir.path(), "a.wav", 1.0, 128.0);
    let a = audio.to_str().unwrap();
    for (out, w, seed) in [
        ("w1.y4m", "1", "5"),
        ("w2.y4m", "2", "5"),
        ("s6.y4m", "2", "6"),
    ] {
        let o = run_in(
            dir.path(),
            &args(
                &[
                    "render",
                    a,
                    "-o",
                    out,
                    "--workers",
                    w,
                    "--seed",
                    seed,
                    "--preset",
                    "matrix",
                ],
                SMALL,
            ),
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let w1 = std::fs::read(dir.path().join("w1.y4m")).unwrap();
    let w2 = std::fs::read(dir.path().join("w2.y4m")).unwrap();
    let s6 = std::fs::read(dir.path().join("s6.y4m")).unwrap();
    assert!(w1.len() > 12 * 320 * 180);
    assert!(w1 == w2, "1 and 2 workers differ");
    assert!(w1 != s6, "the seed changes nothing");
}

#[test]
fn bad_inputs_fail_with_one_clear_line_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.mp3"), b"").unwrap();
    std::fs::write(dir.path().join("text.mp3"), b"this is not audio at all").unwrap();
    std::fs::write(
        dir.path().join("broken.toml"),
        "[[layers]]\neffect = \"plasma\"\nblend = \"scren\"\n",
    )
    .unwrap();
    let audio = click_track(dir.path(), "ok.wav", 1.0, 120.0);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["render", "missing.mp3", "-o", "o.mp4"], "missing.mp3"),
        (vec!["render", "empty.mp3", "-o", "o.mp4"], "empty"),
        (vec!["render", "text.mp3", "-o", "o.mp4"], "text.mp3"),
        (
            vec![
                "render",
                audio.to_str().unwrap(),
                "-o",
                "o.mp4",
                "--preset",
                "broken.toml",
            ],
            "line 3",
        ),
        (
            vec![
                "render",
                audio.to_str().unwrap(),
                "-o",
                "o.mp4",
                "--preset",
                "nope",
            ],
            "built-ins",
        ),
        (
            vec!["render", audio.to_str().unwrap(), "-o", "o.avi"],
            ".avi",
        ),
    ];
    for (argv, needle) in cases {
        let o = run_in(dir.path(), &args(&argv, SMALL));
        let err = stderr(&o);
        assert!(!o.status.success(), "{argv:?} succeeded");
        assert!(
            err.contains(needle),
            "{argv:?}: message lacks `{needle}`: {err}"
        );
        assert_eq!(
            err.trim().lines().count(),
            1,
            "{argv:?}: not one line: {err}"
        );
        assert!(!dir.path().join("o.mp4").exists() && !dir.path().join("o.avi").exists());
        assert!(
            listing(dir.path())
                .iter()
                .all(|f| !f.starts_with(".asciivid-")),
            "temp file left behind"
        );
    }
    let o = run_in(
        dir.path(),
        &args(
            &[
                "render",
                audio.to_str().unwrap(),
                "-o",
                "o.mp4",
                "--preset",
                "broken.toml",
            ],
            SMALL,
        ),
    );
    assert!(
        stderr(&o).contains("scren") && stderr(&o).contains("screen"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn existing_output_needs_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.mp4"), b"precious").unwrap();
    let o = run_in(
        dir.path(),
        &args(&["render", "--duration", "1", "-o", "keep.mp4"], SMALL),
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--overwrite"));
    assert_eq!(
        std::fs::read(dir.path().join("keep.mp4")).unwrap(),
        b"precious"
    );
    let o = run_in(
        dir.path(),
        &args(
            &["render", "--duration", "1", "-o", "keep.mp4", "--overwrite"],
            SMALL,
        ),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stream(&probe(&dir.path().join("keep.mp4")), "video").is_some());
}

#[test]
fn demo_makes_a_music_video_with_sound() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(
        dir.path(),
        &[
            "demo",
            "--seconds",
            "2",
            "--resolution",
            "320x180",
            "--quiet",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let p = probe(&dir.path().join("demo.mp4"));
    assert!(stream(&p, "video").is_some() && stream(&p, "audio").is_some());
}

#[test]
fn demo_without_ffmpeg_falls_back_to_a_gif_and_says_how_to_get_sound() {
    let dir = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let o = bin()
        .current_dir(dir.path())
        .env("PATH", empty.path())
        .env_remove("ASCIIVID_FFMPEG")
        .args([
            "demo",
            "--seconds",
            "1",
            "--resolution",
            "160x90",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("apt-get install"), "{}", stderr(&o));
    let gif = std::fs::read(dir.path().join("demo.gif")).unwrap();
    assert!(gif.starts_with(b"GIF89a"));
    let p = probe(&dir.path().join("demo.gif"));
    let v = stream(&p, "video").unwrap();
    assert_eq!(v["width"], 160);
    assert!(
        v["nb_frames"]
            .as_str()
            .is_none_or(|n| n.parse::<u32>().unwrap() > 5)
    );
}

#[test]
fn test_frame_writes_a_png_and_reports_brightness() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(
        dir.path(),
        &args(
            &[
                "render",
                "--duration",
                "2",
                "--test-frame",
                "1.5",
                "-o",
                "still.png",
            ],
            SMALL,
        ),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("mean brightness"), "{out}");
    let mean: f64 = out.split_whitespace().last().unwrap().parse().unwrap();
    assert!(mean > 8.0, "{mean}");
    let p = probe(&dir.path().join("still.png"));
    assert_eq!(stream(&p, "video").unwrap()["width"], 320);
}

#[test]
fn other_containers_and_png_frames() {
    let dir = tempfile::tempdir().unwrap();
    let audio = click_track(dir.path(), "a.flac", 1.0, 120.0);
    let a = audio.to_str().unwrap();
    for out in ["o.webm", "o.gif", "o.mov"] {
        let o = run_in(dir.path(), &args(&["render", a, "-o", out], SMALL));
        assert!(o.status.success(), "{out}: {}", stderr(&o));
        let p = probe(&dir.path().join(out));
        let v = stream(&p, "video").unwrap();
        let want = match out {
            "o.webm" => "vp9",
            "o.gif" => "gif",
            _ => "prores",
        };
        assert_eq!(v["codec_name"], want);
        assert_eq!(stream(&p, "audio").is_some(), out != "o.gif", "{out}");
    }
    let o = run_in(dir.path(), &args(&["render", a, "-o", "frames/"], SMALL));
    assert!(o.status.success(), "{}", stderr(&o));
    let frames = listing(&dir.path().join("frames"));
    assert_eq!(frames.len(), 12);
    assert_eq!(frames[0], "frame_000000.png");
}

#[test]
fn list_commands_work_as_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    for what in [
        "presets", "palettes", "effects", "shaders", "blends", "features",
    ] {
        let o = run_in(dir.path(), &["list", what]);
        assert!(o.status.success() && !stdout(&o).is_empty(), "{what}");
        let o = run_in(dir.path(), &["list", what, "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(!v.is_null(), "{what}");
    }
    let o = run_in(dir.path(), &["list", "presets", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        names.len() >= 8 && names.contains(&"reference") && names.contains(&"default"),
        "{names:?}"
    );
    let o = run_in(dir.path(), &["list", "blends", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 20);
}

#[test]
fn analyze_reports_tempo_and_beats_as_json_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let audio = click_track(dir.path(), "c.wav", 6.0, 120.0);
    let o = run_in(
        dir.path(),
        &["analyze", audio.to_str().unwrap(), "--fps", "24"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let bpm = v["tempo_bpm"].as_f64().unwrap();
    assert!((bpm - 120.0).abs() < 2.4, "tempo {bpm}");
    assert!(v["beats"].as_array().unwrap().len() >= 9);
    let frames = v["frames"].as_array().unwrap();
    assert!((frames.len() as i64 - 144).abs() <= 1);
    for key in [
        "rms",
        "bass",
        "beat",
        "beat_phase",
        "onset_strength",
        "centroid",
    ] {
        assert!(frames[0].get(key).is_some(), "{key}");
    }
    let o = run_in(dir.path(), &["analyze", audio.to_str().unwrap(), "--csv"]);
    let csv = stdout(&o);
    assert!(csv.starts_with("t,rms,"));
    assert!(csv.lines().count() > 100);
}
