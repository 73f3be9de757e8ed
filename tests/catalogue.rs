//! End-to-end tests of the creative catalogue: `asciivid catalogue`, the new `list` kinds, and
//! masks, transforms, moods, linear blending and particle caps used from preset files.

#[allow(dead_code)] // each test binary uses a different part of the helpers
mod util;

use std::path::Path;

use util::{run_in, stderr, stdout};

const SMALL: &[&str] = &["--resolution", "320x180", "--fps", "12", "--quiet"];

/// Render frame 1.5 s of `preset` (written into `dir`) and return the reported mean brightness.
fn mean_of(dir: &Path, name: &str, preset: &str, extra: &[&str]) -> f64 {
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
    a.extend_from_slice(SMALL);
    a.extend_from_slice(extra);
    let o = run_in(dir, &a);
    assert!(o.status.success(), "{name}: {}", stderr(&o));
    stdout(&o)
        .split_whitespace()
        .last()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn catalogue_command_regenerates_the_committed_document() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(dir.path(), &["catalogue", "--out", "cat", "--workers", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let made = std::fs::read_to_string(dir.path().join("cat/CATALOGUE.md")).unwrap();
    let committed = std::fs::read_to_string(docs.join("CATALOGUE.md")).unwrap();
    assert!(
        made == committed,
        "docs/CATALOGUE.md is stale: run `asciivid catalogue --out docs`"
    );
    let names = |p: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(p)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let made_imgs = names(&dir.path().join("cat/img/catalogue"));
    assert!(made_imgs.len() > 150, "{} stills", made_imgs.len());
    assert_eq!(made_imgs, names(&docs.join("img/catalogue")));
    // every still is referenced by the document, and the whole set stays small
    let total: u64 = made_imgs
        .iter()
        .map(|n| {
            assert!(made.contains(n.as_str()), "{n} is not in the document");
            std::fs::metadata(dir.path().join("cat/img/catalogue").join(n))
                .unwrap()
                .len()
        })
        .sum();
    assert!(total < 4_000_000, "{total} bytes of stills");
}

#[test]
fn new_list_kinds_print_names_and_parameters() {
    let dir = tempfile::tempdir().unwrap();
    for (what, want) in [
        ("transforms", "twist"),
        ("masks", "iris"),
        ("moods", "retro_terminal"),
        ("colors", "oklch"),
        ("feedback", "shift_up"),
        ("transitions", "glitch_cut"),
        ("easings", "in_out_cubic"),
        ("text", "error_stamps"),
    ] {
        let o = run_in(dir.path(), &["list", what]);
        assert!(o.status.success() && stdout(&o).contains(want), "{what}");
        let o = run_in(dir.path(), &["list", what, "--json"]);
        assert!(o.status.success(), "{what}");
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(v.to_string().contains(want), "{what}");
    }
    let o = run_in(dir.path(), &["list", "masks", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let circle = v
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "circle")
        .unwrap();
    let radius = circle["params"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "radius")
        .unwrap();
    for k in ["min", "max", "default", "doc"] {
        assert!(!radius[k].is_null(), "{k}");
    }
}

#[test]
fn masks_transforms_moods_and_linear_blending_change_the_picture() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let plain = "[[layers]]\neffect = \"plasma\"\n";
    let base = mean_of(d, "plain.toml", plain, &[]);
    let masked = mean_of(
        d,
        "masked.toml",
        &format!("{plain}[[layers.mask]]\nname = \"circle\"\nparams = {{ radius = 0.4 }}\n"),
        &[],
    );
    assert!(
        masked < 0.7 * base,
        "a small circle mask hides most of the layer: {masked} vs {base}"
    );
    let moved = mean_of(
        d,
        "moved.toml",
        &format!(
            "{plain}[[layers.transform]]\nname = \"scale\"\nparams = {{ sx = 0.3, sy = 0.3 }}\n"
        ),
        &[],
    );
    assert!(
        moved < 0.7 * base,
        "zooming out leaves the borders empty: {moved} vs {base}"
    );
    let mood = mean_of(
        d,
        "mood.toml",
        &format!("mood = \"harsh_industrial\"\n{plain}"),
        &[],
    );
    assert_ne!(mood, base);
    let two = "[[layers]]\neffect = \"plasma\"\n[[layers]]\neffect = \"rings\"\nblend = \"add\"\n";
    let srgb = mean_of(d, "srgb.toml", two, &[]);
    let lin = mean_of(
        d,
        "lin.toml",
        &two.replace("blend = \"add\"", "blend = \"add\"\nlinear = true"),
        &[],
    );
    assert_ne!(srgb, lin);
}

#[test]
fn draft_quality_caps_particles() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let embers =
        "tonemap = false\n[[layers]]\neffect = \"embers\"\nparams = { count = 3000, rate = 3 }\n";
    let draft = mean_of(d, "draft.toml", embers, &["--quality", "draft"]);
    let prod = mean_of(d, "prod.toml", embers, &["--quality", "production"]);
    assert!(
        draft < prod,
        "draft keeps at most 500 embers, production 3000: {draft} vs {prod}"
    );
}

#[test]
fn unknown_names_are_errors_with_the_closest_valid_ones() {
    let dir = tempfile::tempdir().unwrap();
    for (toml, want) in [
        (
            "[[layers]]\neffect = \"plasma\"\n[[layers.transform]]\nname = \"twirl\"\n",
            "did you mean twist",
        ),
        (
            "[[layers]]\neffect = \"plasma\"\n[[layers.mask]]\nname = \"cirle\"\n",
            "did you mean circle",
        ),
        (
            "[[layers]]\neffect = \"plasma\"\n[[layers.mask]]\nname = \"ring\"\nop = \"unoin\"\n",
            "did you mean union",
        ),
        (
            "mood = \"dremy\"\n[[layers]]\neffect = \"plasma\"\n",
            "did you mean dreamy",
        ),
        (
            "[[layers]]\neffect = \"plasma\"\n[[layers.mask]]\nname = \"iris\"\nparams = { progres = 1 }\n",
            "did you mean progress",
        ),
    ] {
        std::fs::write(dir.path().join("bad.toml"), toml).unwrap();
        let mut a = vec![
            "render",
            "--duration",
            "1",
            "--preset",
            "bad.toml",
            "-o",
            "x.mp4",
        ];
        a.extend_from_slice(SMALL);
        let o = run_in(dir.path(), &a);
        let err = stderr(&o);
        assert!(!o.status.success(), "{toml}");
        assert!(err.contains(want) && err.contains("bad.toml line"), "{err}");
        assert!(!dir.path().join("x.mp4").exists());
    }
}
