//! End-to-end tests of the particle systems and legacy effects of the reference's §6.2–6.3
//! (dissolve, orbit, gravity_well, flow_field, trails; rays, glow, freq_waves, waveform,
//! block_corrupt, hex_stream, scanbars) through the real binary and real ffmpeg.

#[allow(dead_code)] // each test binary uses a different part of the helpers
mod util;

use std::path::Path;

use util::{click_track, frame_means, probe, run_in, stderr, stdout, stream};

const SMALL: &[&str] = &["--resolution", "160x90", "--fps", "12", "--quiet"];

/// The new effects, each usable from a preset.
const NEW: [&str; 11] = [
    "block_corrupt",
    "dissolve",
    "flow_field",
    "freq_waves",
    "glow",
    "gravity_well",
    "hex_stream",
    "orbit",
    "rays",
    "scanbars",
    "waveform",
];

/// A music-video look made of the new effects: wells with trails, a hex stream in the
/// reference's green, rays on the beat.
const PRESET: &str = r##"
[[layers]]
effect = "gravity_well"
grid = "sm"
params = { wells = 3, trail = 8, trail_fade = 0.7 }

[[layers]]
effect = "hex_stream"
grid = "sm"
palette = "hex"
blend = "screen"
color = { hue = "effect" }

[[layers]]
effect = "rays"
grid = "md"
blend = "add"
opacity = 0.6
params = { count = 6 }
"##;

fn render(dir: &Path, audio: &str, out: &str, extra: &[&str]) {
    let mut a = vec!["render", audio, "--preset", "look.toml", "-o", out];
    a.extend_from_slice(SMALL);
    a.extend_from_slice(extra);
    let o = run_in(dir, &a);
    assert!(o.status.success(), "{out}: {}", stderr(&o));
}

#[test]
fn a_preset_of_the_new_effects_renders_a_moving_deterministic_clip() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("look.toml"), PRESET).unwrap();
    let audio = click_track(d, "song.wav", 2.0, 120.0);
    let a = audio.to_str().unwrap();
    render(d, a, "clip.mp4", &[]);
    let p = probe(&d.join("clip.mp4"));
    let v = stream(&p, "video").expect("video stream");
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(160), Some(90))
    );
    let means = frame_means(&d.join("clip.mp4"), 160, 90);
    assert!(means.len() >= 22, "{} frames", means.len());
    assert!(
        means.iter().all(|&m| m > 1.0),
        "a frame is black: {means:?}"
    );
    let (lo, hi) = means
        .iter()
        .fold((f64::MAX, 0.0f64), |(l, h), &m| (l.min(m), h.max(m)));
    assert!(hi - lo > 0.5, "the picture does not move: {means:?}");
    // stateful particles and stateless glitches: identical for any worker count
    render(d, a, "w1.y4m", &["--workers", "1"]);
    render(d, a, "w2.y4m", &["--workers", "2"]);
    let w1 = std::fs::read(d.join("w1.y4m")).unwrap();
    assert!(w1.len() > 20 * 160 * 90);
    assert!(
        w1 == std::fs::read(d.join("w2.y4m")).unwrap(),
        "workers differ"
    );
}

#[test]
fn list_effects_shows_the_new_effects_with_trails_and_caps() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(dir.path(), &["list", "effects", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let all = v.as_array().expect("an array of effects");
    let find = |n: &str| {
        all.iter()
            .find(|e| e["name"] == n)
            .unwrap_or_else(|| panic!("{n} is not listed"))
    };
    let params = |e: &serde_json::Value| -> Vec<String> {
        e["params"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    };
    for n in NEW {
        let e = find(n);
        assert!(!e["doc"].as_str().unwrap_or("").is_empty(), "{n}");
        assert!(params(e).len() >= 3, "{n}");
    }
    for n in [
        "explosion",
        "embers",
        "starfield",
        "boids",
        "dissolve",
        "orbit",
        "gravity_well",
        "flow_field",
    ] {
        let p = params(find(n));
        assert!(
            p.contains(&"trail".into()) && p.contains(&"trail_fade".into()),
            "{n}: {p:?}"
        );
    }
    let plain = run_in(dir.path(), &["list", "effects"]);
    for n in NEW {
        assert!(stdout(&plain).contains(n), "{n}");
    }
}

#[test]
fn draft_quality_caps_the_dissolving_cloud_and_trails_brighten() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mean = |name: &str, preset: &str, extra: &[&str]| {
        util::still_mean(d, name, preset, &[SMALL, extra].concat())
    };
    let cloud = "tonemap = false\n[[layers]]\neffect = \"dissolve\"\nparams = { count = 1200 }\n";
    let draft = mean("draft.toml", cloud, &["--quality", "draft"]);
    let prod = mean("prod.toml", cloud, &["--quality", "production"]);
    assert!(
        draft < prod,
        "draft keeps at most 200 particles, production 1200: {draft} vs {prod}"
    );
    let orbit = "tonemap = false\n[[layers]]\neffect = \"orbit\"\nparams = { trail = 0 }\n";
    let bare = mean("bare.toml", orbit, &[]);
    let trailed = mean(
        "trailed.toml",
        &orbit.replace("trail = 0", "trail = 16"),
        &[],
    );
    assert!(trailed > bare, "trails add light: {trailed} vs {bare}");
}
