//! End-to-end tests of timelines: beat-synced cuts on a click track, exact shards, errors,
//! listing and stills, through the real binary and real ffmpeg.

#[allow(dead_code)] // each test binary uses a different part of the helpers
mod util;

use std::path::Path;

use util::*;

const SIZE: &[&str] = &["--resolution", "160x90", "--fps", "24", "--quiet"];

fn args<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(extra).copied().collect()
}

/// The frames of a 4:2:0 y4m file, each as its raw Y, U and V bytes.
fn y4m_frames(path: &Path) -> Vec<Vec<u8>> {
    let data = std::fs::read(path).unwrap();
    let end = data.iter().position(|&b| b == b'\n').unwrap();
    let header = std::str::from_utf8(&data[..end]).unwrap();
    let dim = |p: char| -> usize {
        header
            .split(' ')
            .find_map(|t| t.strip_prefix(p).and_then(|v| v.parse().ok()))
            .unwrap()
    };
    let (w, h) = (dim('W'), dim('H'));
    let size = w * h + 2 * w.div_ceil(2) * h.div_ceil(2);
    let mut out = Vec::new();
    let mut at = end + 1;
    while at < data.len() {
        let nl = at + data[at..].iter().position(|&b| b == b'\n').unwrap();
        assert!(data[at..nl].starts_with(b"FRAME"));
        out.push(data[nl + 1..nl + 1 + size].to_vec());
        at = nl + 1 + size;
    }
    out
}

/// Frames (1-based from the second) where the luma jumps: a mean absolute difference from the
/// previous frame far above the typical one.
fn jumps(frames: &[Vec<u8>], luma: usize) -> Vec<usize> {
    let d: Vec<f64> = frames
        .windows(2)
        .map(|w| {
            w[0][..luma]
                .iter()
                .zip(&w[1][..luma])
                .map(|(a, b)| a.abs_diff(*b) as f64)
                .sum::<f64>()
                / luma as f64
        })
        .collect();
    (0..d.len())
        .filter(|&k| d[k] > 40.0)
        .map(|k| k + 1)
        .collect()
}

/// Beat times of an audio file as the analysis reports them.
fn beats(dir: &Path, audio: &str) -> Vec<f64> {
    let o = run_in(dir, &["analyze", audio, "--fps", "24"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["beats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_f64().unwrap())
        .collect()
}

/// Two looks far apart in brightness, with little motion inside each.
const CUT_EVERY_4: &str = r##"
cut = "every 4 beats"

[[sections]]
name = "light"
tonemap = false
background = "#e0e0e0"
[[sections.layers]]
effect = "plasma"
opacity = 0.1
color = { mode = "mono", colors = ["#ffffff"] }

[[sections]]
name = "dark"
tonemap = false
background = "#101010"
[[sections.layers]]
effect = "plasma"
opacity = 0.1
color = { mode = "mono", colors = ["#202020"] }
"##;

#[test]
fn beat_cuts_land_exactly_on_the_beat_frames() {
    let dir = tempfile::tempdir().unwrap();
    let audio = click_track(dir.path(), "click.wav", 6.0, 120.0);
    let a = audio.to_str().unwrap();
    std::fs::write(dir.path().join("cuts.toml"), CUT_EVERY_4).unwrap();
    let beats = beats(dir.path(), a);
    assert!(beats.len() >= 9, "{beats:?}");
    let want: Vec<usize> = beats
        .iter()
        .step_by(4)
        .skip(1)
        .map(|b| (b * 24.0).round() as usize)
        .filter(|&f| f < 144)
        .collect();
    let o = run_in(
        dir.path(),
        &args(
            &["render", a, "--preset", "cuts.toml", "-o", "cuts.y4m"],
            SIZE,
        ),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let frames = y4m_frames(&dir.path().join("cuts.y4m"));
    assert_eq!(frames.len(), 144);
    assert_eq!(jumps(&frames, 160 * 90), want);
    // the plan printed by --show-timeline agrees
    let o = run_in(
        dir.path(),
        &args(
            &["render", a, "--preset", "cuts.toml", "--show-timeline"],
            SIZE,
        ),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let table = stdout(&o);
    let planned: Vec<usize> = table
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().nth(2).unwrap().parse().unwrap())
        .skip(1)
        .collect();
    assert_eq!(planned, want, "{table}");
}

/// Transitions of every sort between stateful looks (feedback, falling rain, particles).
const SHOW: &str = r#"
transition = { kind = "crossfade", duration = "1 beat" }

[[sections]]
preset = "tunnel"

[[sections]]
start = 0.9
preset = "matrix"
transition = { kind = "dissolve", duration = "2 beats" }

[[sections]]
at = "beat 5"
preset = "inferno"
transition = { kind = "glitch_cut", duration = 0.4 }

[[sections]]
start = 2.6
preset = "tunnel"
palette = "blocks"
transition = { kind = "iris", duration = 0.5, align = "end" }
"#;

#[test]
fn shards_joined_equal_one_pass_frame_for_frame() {
    let dir = tempfile::tempdir().unwrap();
    let audio = click_track(dir.path(), "song.wav", 3.5, 120.0);
    let a = audio.to_str().unwrap();
    std::fs::write(dir.path().join("show.toml"), SHOW).unwrap();
    let render = |out: &str, extra: &[&str]| {
        let base = ["render", a, "--preset", "show.toml", "-o", out];
        let o = run_in(dir.path(), &args(&args(&base, SIZE), extra));
        assert!(o.status.success(), "{out}: {}", stderr(&o));
        y4m_frames(&dir.path().join(out))
    };
    let whole = render("whole.y4m", &[]);
    assert_eq!(whole.len(), 84);
    // shard edges inside a transition, inside a section with feedback, and on a cut
    let mut joined = render("a.y4m", &["--frames", "0..19"]);
    joined.extend(render("b.y4m", &["--frames", "19..50", "--workers", "1"]));
    joined.extend(render("c.y4m", &["--frames", "50..84"]));
    assert_eq!(joined.len(), whole.len());
    for (k, (x, y)) in whole.iter().zip(&joined).enumerate() {
        assert!(x == y, "frame {k} differs between one pass and shards");
    }
    // the sections really differ: the joined video is not one look
    assert!(jumps(&whole, 160 * 90).len() < 84);
    assert!(whole[10] != whole[70]);
    // a still inside a transition replays both sections on screen (unit tests compare its
    // pixels with the render's)
    let o = run_in(
        dir.path(),
        &args(
            &[
                "render",
                a,
                "--preset",
                "show.toml",
                "--test-frame",
                "0.5",
                "-o",
                "still.png",
            ],
            SIZE,
        ),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("frame 12"), "{}", stdout(&o));
    let bad = run_in(
        dir.path(),
        &args(
            &["render", a, "--preset", "show.toml", "-o", "x.y4m"],
            &["--frames", "80..99", "--quiet"],
        ),
    );
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("outside the track's"),
        "{}",
        stderr(&bad)
    );
    assert!(!dir.path().join("x.y4m").exists());
}

#[test]
fn bad_timelines_fail_with_the_file_line_and_fix() {
    let dir = tempfile::tempdir().unwrap();
    let audio = click_track(dir.path(), "a.wav", 1.0, 120.0);
    let a = audio.to_str().unwrap();
    let cases: &[(&str, &str)] = &[
        (
            "[[sections]]\npreset = \"tunnel\"\n[[sections]]\nat = \"bar 2\"\npreset = \"matrx\"\n",
            "timeline bad.toml line 5: no built-in preset or file `matrx` (did you mean matrix?)",
        ),
        (
            "[[sections]]\npreset = \"tunnel\"\ntransition = { kind = \"swirl\" }\n",
            "timeline bad.toml line 3: unknown transition `swirl`",
        ),
        (
            "cut = \"every 8 beets\"\n[[sections]]\npreset = \"tunnel\"\n",
            "timeline bad.toml line 1: `cut = \"every 8 beets\"`",
        ),
    ];
    for (src, want) in cases {
        std::fs::write(dir.path().join("bad.toml"), src).unwrap();
        let o = run_in(
            dir.path(),
            &[
                "render", a, "--preset", "bad.toml", "-o", "out.mp4", "--quiet",
            ],
        );
        let e = stderr(&o);
        assert!(!o.status.success());
        assert!(e.contains(want), "{e}\nwant: {want}");
        assert_eq!(e.trim().lines().count(), 1, "{e}");
        assert!(!dir.path().join("out.mp4").exists());
    }
}

#[test]
fn built_in_timelines_are_listed_and_render_stills() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(dir.path(), &["list", "presets", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let timelines: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "timeline")
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(timelines.contains(&"showcase"), "{timelines:?}");
    let text = stdout(&run_in(dir.path(), &["list", "presets"]));
    assert!(text.contains("Timelines") && text.contains("showcase"));
    for name in &timelines {
        let o = run_in(
            dir.path(),
            &args(
                &[
                    "render",
                    "--preset",
                    name,
                    "--duration",
                    "6",
                    "--test-frame",
                    "4.1",
                    "-o",
                    &format!("{name}.png"),
                ],
                SIZE,
            ),
        );
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        assert!(!stderr(&o).contains("very dark"), "{name}: {}", stderr(&o));
    }
}

#[test]
fn energy_cuts_follow_a_change_in_loudness() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("steps.wav");
    // quiet ticks for 5 s, then loud bass and hiss for 5 s, at 120 BPM
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "aevalsrc=(0.1+0.8*gte(t\\,5))*exp(-30*mod(t\\,0.5))*sin(2*PI*60*t)+0.3*gte(t\\,5)*sin(2*PI*3000*t)*random(0):s=44100:d=10",
        p.to_str().unwrap(),
    ]);
    std::fs::write(
        dir.path().join("e.toml"),
        "cut = \"energy\"\nmin_section = 2\n[[sections]]\npreset = \"aurora\"\n[[sections]]\npreset = \"inferno\"\n",
    )
    .unwrap();
    let o = run_in(
        dir.path(),
        &args(
            &[
                "render",
                p.to_str().unwrap(),
                "--preset",
                "e.toml",
                "--show-timeline",
            ],
            SIZE,
        ),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let table = stdout(&o);
    let cuts: Vec<f64> = table
        .lines()
        .skip(3)
        .map(|l| l.split_whitespace().nth(1).unwrap().parse().unwrap())
        .collect();
    assert!(
        cuts.iter().any(|c| (c - 5.0).abs() <= 0.6),
        "a cut near 5 s: {table}"
    );
}
