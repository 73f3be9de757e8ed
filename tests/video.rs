//! End-to-end tests of video, image and image-sequence input through the real binary.

#[allow(dead_code)] // each test binary uses a different part of the helpers
mod util;

use std::path::{Path, PathBuf};

use util::*;

const SMALL: &[&str] = &["--resolution", "320x180", "--quiet"];

fn args<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(extra).copied().collect()
}

/// A `secs`-second 160x120 testsrc2 clip at `fps`, with a sine tone when `sound`.
fn clip(dir: &Path, name: &str, secs: f64, fps: u32, sound: bool) -> PathBuf {
    let p = dir.join(name);
    let v = format!("testsrc2=s=160x120:r={fps}:d={secs}");
    let mut a = vec!["-f", "lavfi", "-i", &v];
    let s = format!("sine=f=220:sample_rate=44100:d={secs}");
    if sound {
        a.extend(["-f", "lavfi", "-i", &s, "-c:a", "aac"]);
    }
    a.extend([
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        p.to_str().unwrap(),
    ]);
    ffmpeg(&a);
    p
}

fn duration(p: &serde_json::Value, kind: &str) -> f64 {
    stream(p, kind).unwrap()["duration"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn a_clip_renders_with_its_duration_rate_and_sound() {
    let dir = tempfile::tempdir().unwrap();
    let src = clip(dir.path(), "clip.mp4", 1.5, 15, true);
    let o = run_in(
        dir.path(),
        &args(
            &["render", "clip.mp4", "-o", "out.mp4", "--glyphs", "shape"],
            SMALL,
        ),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("out.mp4");
    let p = probe(&out);
    let v = stream(&p, "video").expect("video stream");
    assert_eq!(v["width"], 320);
    assert_eq!(v["height"], 180);
    // no --fps: the video's own rate
    assert!((rate(v["r_frame_rate"].as_str().unwrap()) - 15.0).abs() < 1e-6);
    assert_eq!(
        stream(&p, "audio").expect("audio muxed")["codec_name"],
        "aac"
    );
    let want = duration(&probe(&src), "video");
    assert!((duration(&p, "video") - want).abs() <= 1.0 / 15.0 + 1e-3);
    assert!((duration(&p, "audio") - want).abs() < 0.1);
    let means = frame_means(&out, 320, 180);
    assert_eq!(means.len(), 22 + 1, "1.5 s at 15 fps");
    assert!(means.iter().all(|&m| m > 8.0), "{means:?}");
    assert_eq!(listing(dir.path()), vec!["clip.mp4", "out.mp4"]);
}

#[test]
fn start_and_duration_cut_frame_accurately_at_a_chosen_rate() {
    let dir = tempfile::tempdir().unwrap();
    clip(dir.path(), "clip.mp4", 2.0, 25, true);
    let o = run_in(
        dir.path(),
        &args(
            &[
                "render",
                "clip.mp4",
                "-o",
                "out.y4m",
                "--fps",
                "10",
                "--start",
                "0.5",
                "--duration",
                "1.0",
                "--glyphs",
                "ramp",
            ],
            SMALL,
        ),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(frame_means(&dir.path().join("out.y4m"), 320, 180).len(), 10);
}

#[test]
fn a_video_without_sound_renders_silent() {
    let dir = tempfile::tempdir().unwrap();
    clip(dir.path(), "mute.mp4", 1.0, 12, false);
    let o = run_in(
        dir.path(),
        &args(
            &["render", "mute.mp4", "-o", "out.mp4", "--glyphs", "edges"],
            &["--resolution", "320x180"],
        ),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("no sound"), "{}", stderr(&o));
    let p = probe(&dir.path().join("out.mp4"));
    assert!(stream(&p, "video").is_some());
    assert!(stream(&p, "audio").is_none(), "no audio stream");
}

#[test]
fn an_image_and_an_image_sequence_render() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=200x150",
        "-frames:v",
        "1",
        d.join("photo.png").to_str().unwrap(),
    ]);
    let o = run_in(
        d,
        &args(
            &[
                "render",
                "photo.png",
                "-o",
                "still.y4m",
                "--fps",
                "6",
                "--duration",
                "1",
            ],
            SMALL,
        ),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let means = frame_means(&d.join("still.y4m"), 320, 180);
    assert_eq!(means.len(), 6);
    assert!(means.windows(2).all(|w| w[0] == w[1]) && means[0] > 8.0);
    let o = run_in(
        d,
        &args(
            &[
                "render",
                "photo.png",
                "--test-frame",
                "0",
                "-o",
                "t.png",
                "--background",
                "source",
            ],
            SMALL,
        ),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(d.join("t.png").is_file());
    assert!(stdout(&o).contains("mean brightness"), "{}", stdout(&o));

    std::fs::create_dir(d.join("frames")).unwrap();
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=64x48:r=5:d=1",
        d.join("frames/f%02d.png").to_str().unwrap(),
    ]);
    for input in ["frames", "frames/f0*.png"] {
        let o = run_in(
            d,
            &args(
                &[
                    "render",
                    input,
                    "-o",
                    "seq.y4m",
                    "--fps",
                    "5",
                    "--overwrite",
                ],
                SMALL,
            ),
        );
        assert!(o.status.success(), "{input}: {}", stderr(&o));
        assert_eq!(
            frame_means(&d.join("seq.y4m"), 320, 180).len(),
            5,
            "{input}"
        );
    }
}

#[test]
fn a_hybrid_preset_puts_reactive_layers_over_the_video() {
    let dir = tempfile::tempdir().unwrap();
    clip(dir.path(), "clip.mp4", 1.0, 12, true);
    std::fs::write(
        dir.path().join("hybrid.toml"),
        r#"
tonemap = false
[[layers]]
source = "video"
glyphs = "edges"
blend = "normal"
[[layers]]
effect = "rings"
blend = "screen"
opacity = { base = 0.2, feature = "motion", amount = 0.8 }
"#,
    )
    .unwrap();
    let o = run_in(
        dir.path(),
        &args(
            &[
                "render",
                "clip.mp4",
                "-o",
                "out.y4m",
                "--preset",
                "hybrid.toml",
            ],
            SMALL,
        ),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(frame_means(&dir.path().join("out.y4m"), 320, 180).len(), 12);
}

#[test]
fn audio_only_and_corrupt_inputs_give_one_line_errors_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    click_track(d, "song.wav", 1.0, 120.0);
    let o = run_in(
        d,
        &args(
            &["render", "song.wav", "-o", "o.mp4", "--glyphs", "shape"],
            SMALL,
        ),
    );
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.contains("song.wav has no video stream"), "{e}");
    assert_eq!(e.trim().lines().count(), 1, "{e}");

    std::fs::write(
        d.join("bad.mp4"),
        b"this is not a video at all, just some bytes",
    )
    .unwrap();
    let real = clip(d, "real.mp4", 1.0, 12, false);
    let bytes = std::fs::read(&real).unwrap();
    std::fs::write(d.join("cut.mp4"), &bytes[..bytes.len() / 2]).unwrap();
    for bad in ["bad.mp4", "cut.mp4"] {
        let o = run_in(d, &args(&["render", bad, "-o", "o.mp4"], SMALL));
        assert!(!o.status.success(), "{bad} should fail");
        let e = stderr(&o);
        assert!(e.starts_with("asciivid: error:") && e.contains(bad), "{e}");
        assert_eq!(e.trim().lines().count(), 1, "{e}");
    }
    assert!(!d.join("o.mp4").exists());
    assert_eq!(
        listing(d),
        vec!["bad.mp4", "cut.mp4", "real.mp4", "song.wav"],
        "no temp files left"
    );
}

/// Distinct 24-bit foreground colours in one asciicast event.
fn truecolours(event: &str) -> usize {
    let mut seen: Vec<&str> = event
        .split("38;2;")
        .skip(1)
        .filter_map(|s| s.split('m').next())
        .collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

#[test]
fn preview_shows_the_video_under_the_preset() {
    let dir = tempfile::tempdir().unwrap();
    clip(dir.path(), "clip.mp4", 1.0, 12, false);
    let o = run_in(
        dir.path(),
        &[
            "preview",
            "clip.mp4",
            "--headless",
            "100x30",
            "--fps",
            "12",
            "--resolution",
            "320x180",
            "--color",
            "truecolor",
            "--record",
            "s.cast",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(dir.path().join("s.cast")).unwrap();
    let events: Vec<serde_json::Value> = text
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(events.len() >= 6, "{} frames", events.len());
    // testsrc2's colour bars and moving parts: many colours, drawn afresh as the clip plays
    // (a video layer without frames would be blank)
    let first = events[0][2].as_str().unwrap();
    assert!(truecolours(first) >= 12, "{first:?}");
    let later: usize = events[1..]
        .iter()
        .map(|e| truecolours(e[2].as_str().unwrap()))
        .sum();
    assert!(later > 0, "the picture changes while the video plays");
}

#[test]
fn a_variable_rate_video_becomes_constant_rate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 10 frames: five 0.1 s apart, a 0.6 s gap, five more (timestamps kept as they are)
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=160x120:r=10:d=1",
        "-vf",
        "setpts='(N*0.1+gte(N\\,5)*0.5)/TB'",
        "-fps_mode",
        "passthrough",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        d.join("vfr.mkv").to_str().unwrap(),
    ]);
    let o = run_in(
        d,
        &args(
            &[
                "render", "vfr.mkv", "-o", "out.y4m", "--fps", "10", "--glyphs", "shape",
            ],
            SMALL,
        ),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let means = frame_means(&d.join("out.y4m"), 320, 180);
    // the whole input (about 1.4 s) at a constant 10 fps; the gap repeats the frame before it
    let secs: f64 = probe(&d.join("vfr.mkv"))["format"]["duration"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(means.len(), (secs * 10.0).round() as usize, "{means:?}");
    assert!(means[5..10].iter().all(|&m| m == means[4]), "{means:?}");
    assert_ne!(means[10], means[4]);
}

#[test]
fn masks_and_transforms_apply_to_video_layers() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    clip(d, "clip.mp4", 1.0, 12, false);
    let mean = |name: &str, extra: &str| -> f64 {
        let toml = format!("tonemap = false\n[[layers]]\nsource = \"video\"\n{extra}");
        std::fs::write(d.join(name), toml).unwrap();
        let png = format!("{name}.png");
        let o = run_in(
            d,
            &args(
                &[
                    "render",
                    "clip.mp4",
                    "--preset",
                    name,
                    "--test-frame",
                    "0.5",
                    "-o",
                    &png,
                ],
                SMALL,
            ),
        );
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        stdout(&o)
            .split_whitespace()
            .last()
            .unwrap()
            .parse()
            .unwrap()
    };
    let plain = mean("plain.toml", "");
    let circle = mean(
        "circle.toml",
        "[[layers.mask]]\nname = \"circle\"\nparams = { radius = 0.4 }\n",
    );
    assert!(
        circle > 0.02 * plain && circle < 0.5 * plain,
        "a small circle shows part of the video: {circle} vs {plain}"
    );
    let outside = mean(
        "outside.toml",
        "[[layers.mask]]\nname = \"circle\"\ninvert = true\nparams = { radius = 0.4, feather = 0 }\n",
    );
    assert!(
        outside > circle && outside < plain,
        "{outside} {circle} {plain}"
    );
    let small = mean(
        "small.toml",
        "[[layers.transform]]\nname = \"scale\"\nparams = { sx = 0.3, sy = 0.3 }\n",
    );
    assert!(
        small < 0.6 * plain && small > 0.02 * plain,
        "zoomed out, the video leaves the borders empty: {small} vs {plain}"
    );
    mean(
        "turned.toml",
        "[[layers.transform]]\nname = \"rotate\"\nparams = { angle = 0.5, spin = 0 }\n",
    );
    let png = |n: &str| std::fs::read(d.join(n)).unwrap();
    assert!(
        png("turned.toml.png") != png("plain.toml.png"),
        "a half turn moves the test picture"
    );
}
