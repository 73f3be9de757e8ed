//! End-to-end tests of the creative catalogue: `asciivid catalogue`, the new `list` kinds, and
//! masks, transforms, moods, linear blending and particle caps used from preset files.

#[allow(dead_code)] // each test binary uses a different part of the helpers
mod util;

use std::path::Path;

use util::{run_in, stderr, stdout};

const SMALL: &[&str] = &["--resolution", "320x180", "--fps", "12", "--quiet"];

/// Render frame 1.5 s of `preset` (written into `dir`) and return the reported mean brightness.
fn mean_of(dir: &Path, name: &str, preset: &str, extra: &[&str]) -> f64 {
    util::still_mean(dir, name, preset, &[SMALL, extra].concat())
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

/// Render frame 1.5 s of `preset` and return the PNG's bytes.
fn png_of(dir: &Path, name: &str, preset: &str) -> Vec<u8> {
    mean_of(dir, name, preset, &[]);
    std::fs::read(dir.join(format!("{name}.png"))).unwrap()
}

#[test]
fn named_choices_render_like_their_numbers_and_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (effect, key, name, number, other) in [
        ("game_of_life", "rule", "coral", 1, 0),
        ("reaction_diffusion", "preset", "mitosis", 3, 0),
        ("strange_attractor", "kind", "bedhead", 2, 0),
        ("sdf_shapes", "shape", "heart", 5, 0),
        ("voronoi", "mode", "edges", 1, 0),
    ] {
        let look =
            |v: String| format!("[[layers]]\neffect = \"{effect}\"\nparams = {{ {key} = {v} }}\n");
        let by_name = png_of(d, &format!("{effect}-n.toml"), &look(format!("\"{name}\"")));
        let by_number = png_of(d, &format!("{effect}-k.toml"), &look(number.to_string()));
        let other = png_of(d, &format!("{effect}-o.toml"), &look(other.to_string()));
        assert!(
            by_name == by_number,
            "{effect}: {key} = \"{name}\" is {key} = {number}"
        );
        assert!(by_name != other, "{effect}: {key} changes the picture");
    }
    let o = run_in(d, &["list", "effects", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rd = v
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "reaction_diffusion")
        .unwrap();
    let preset = rd["params"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "preset")
        .unwrap();
    let names: Vec<&str> = preset["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "spots",
            "worms",
            "coral",
            "mitosis",
            "labyrinth",
            "holes",
            "chaos"
        ]
    );
    // a misspelt name: file, line and the closest names
    std::fs::write(
        d.join("bad.toml"),
        "[[layers]]\neffect = \"reaction_diffusion\"\nparams = { preset = \"mitosys\" }\n",
    )
    .unwrap();
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
    let o = run_in(d, &a);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("bad.toml line 3") && err.contains("did you mean mitosis"),
        "{err}"
    );
}

#[test]
fn keyframe_lists_move_a_parameter_on_the_scene_clock() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // frame 1.5 s of a plasma whose opacity follows keyframes (no tonemap to re-stretch it)
    let mean = |name: &str, opacity: &str| {
        let toml =
            format!("tonemap = false\n[[layers]]\neffect = \"plasma\"\nopacity = {opacity}\n");
        mean_of(d, name, &toml, &[])
    };
    let full = mean("full.toml", "1.0");
    let off = mean("off.toml", "{ keyframes = [[0, 1], [1, 1], [1.2, 0]] }");
    assert!(full > 10.0 && off < 0.05 * full, "{off} vs {full}");
    // three points: 1.5 s is half-way from 1.0 (at 1 s) down to 0 (at 2 s)
    let half = mean("half.toml", "{ keyframes = [[0, 0], [1, 1], [2, 0]] }");
    assert!((half / full - 0.5).abs() < 0.1, "{half} vs {full}");
    // looping a 1 s ramp: 1.5 s is 0.5 s into the second round
    let looped = mean("loop.toml", "{ keyframes = [[0, 0], [1, 1]], loop = true }");
    assert!((looped / full - 0.5).abs() < 0.1, "{looped} vs {full}");
    // an eased segment: in_cubic is at an eighth half-way
    let eased = mean(
        "ease.toml",
        "{ keyframes = [[1, 0], [2, 1]], ease = \"in_cubic\" }",
    );
    assert!(eased < 0.25 * full, "{eased} vs {full}");
}

#[test]
fn a_field_mask_takes_its_shape_from_another_effect() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let plain = "tonemap = false\n[[layers]]\neffect = \"plasma\"\n";
    let mask = "[[layers.mask]]\nname = \"field\"\neffect = \"sdf_shapes\"\neffect_params = { shape = \"heart\", spin = 0 }\nparams = { threshold = 0.5, feather = 0 }\n";
    let base = mean_of(d, "plain.toml", plain, &[]);
    let inside = mean_of(d, "in.toml", &format!("{plain}{mask}"), &[]);
    let outside = mean_of(d, "out.toml", &format!("{plain}{mask}invert = true\n"), &[]);
    assert!(
        inside > 0.05 * base && inside < 0.5 * base,
        "the heart shows a part of the plasma: {inside} vs {base}"
    );
    assert!(
        ((inside + outside) / base - 1.0).abs() < 0.15,
        "the heart and its outside make the whole: {inside} + {outside} vs {base}"
    );
    // a higher threshold keeps less of the shape
    let tight = mean_of(
        d,
        "tight.toml",
        &format!(
            "{plain}{}",
            mask.replace("threshold = 0.5", "threshold = 0.9")
        ),
        &[],
    );
    assert!(tight < inside, "{tight} vs {inside}");
    // the shape's effect is checked like a layer's
    std::fs::write(
        d.join("bad.toml"),
        format!("{plain}{}", mask.replace("shape = \"heart\"", "shpe = 1")),
    )
    .unwrap();
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
    let o = run_in(d, &a);
    let err = stderr(&o);
    assert!(
        !o.status.success()
            && err.contains("bad.toml line 7")
            && err.contains("did you mean shape"),
        "{err}"
    );
}

#[test]
fn the_oklch_angle_hue_field_is_listed_and_renders() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = run_in(d, &["list", "colors", "--json"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("\"oklch_angle\""), "{}", stdout(&o));
    let look = |hue: &str| {
        format!("[[layers]]\neffect = \"plasma\"\ncolor = {{ mode = \"hsv\", hue = \"{hue}\" }}\n")
    };
    let ok = png_of(d, "ok.toml", &look("oklch_angle"));
    let hsv = png_of(d, "hsv.toml", &look("angle"));
    assert!(
        ok != hsv,
        "oklch_angle colours differ from the HSV angle field"
    );
}

#[test]
fn the_text_layer_is_listed_with_its_modes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = run_in(d, &["list", "effects"]);
    assert!(
        o.status.success() && stdout(&o).contains("lyrics") && stdout(&o).contains("list text"),
        "{}",
        stdout(&o)
    );
    let o = run_in(d, &["list", "effects", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let lyrics = v
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "lyrics")
        .expect("lyrics in list effects --json");
    assert_eq!(lyrics["layer"], "text");
    assert!(lyrics["params"].as_array().unwrap().len() >= 4);
    let o = run_in(d, &["list", "text", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let modes: Vec<&str> = v["modes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["generated"] == false)
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        modes,
        ["plain", "typewriter", "fade_in", "flash", "scatter", "wave"]
    );
    // every listed cue mode is accepted by a preset and draws the words (the generated
    // ones have their own end-to-end tests in tests/text.rs)
    for m in modes {
        let toml = format!(
            "tonemap = false\n[[layers]]\neffect = \"lyrics\"\ngrid = \"xxl\"\nlyrics = {{ text = \"HELLO WORLD\", mode = \"{m}\" }}\n"
        );
        let mean = mean_of(d, &format!("{m}.toml"), &toml, &[]);
        assert!(mean > 0.0, "{m}");
    }
    let o = run_in(d, &["list", "text"]);
    assert!(stdout(&o).contains("typewriter") && stdout(&o).contains("bottom"));
}
