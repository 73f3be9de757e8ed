//! Text layers through real scenes: every display mode moves the pixels over time and renders
//! the same frame twice, stencils reveal only inside the letters, presets reject bad tables.

use std::sync::Arc;

use crate::frame::Frame;
use crate::glyph::FontChain;
use crate::scene::{Preset, Scene};

const FPS: f32 = 24.0;

fn features() -> Arc<crate::features::Features> {
    Arc::new(crate::audio::synthetic_features(120.0, FPS as f64, 4.0, 1))
}

fn preset(extra: &str) -> Preset {
    Preset::parse(
        &format!(
            "[[layers]]\neffect = \"plasma\"\n[[layers]]\neffect = \"lyrics\"\ngrid = \"lg\"\n{extra}\n"
        ),
        "test.toml",
    )
    .unwrap()
}

fn frame(p: &Preset, index: u64) -> Frame {
    let mut scene = Scene::new(p, 320, 180, 3, &FontChain::bundled(), features()).unwrap();
    let mut f = Frame::new(320, 180);
    for i in 0..=index {
        scene.render(i, &mut f);
    }
    f
}

#[test]
fn every_mode_changes_frames_and_is_deterministic() {
    let base = preset("enabled = false\nlyrics = { text = \"x\" }");
    for mode in crate::text::Mode::NAMES {
        let p = preset(&format!(
            "lyrics = {{ text = \"SING ALONG NOW\", mode = \"{mode}\" }}"
        ));
        let (a, b) = (frame(&p, 3), frame(&p, 17));
        assert_eq!(a, frame(&p, 3), "{mode}: same frame twice differs");
        assert_ne!(frame(&base, 17), b, "{mode}: the text draws nothing");
        if *mode != "plain" {
            // the plasma beneath moves too: compare the text layer's own cells
            let cells = |i: u64| {
                let mut s = Scene::new(&p, 320, 180, 3, &FontChain::bundled(), features()).unwrap();
                for k in 0..=i {
                    s.update(k);
                }
                s.layers[1].cells().cells.clone()
            };
            assert_ne!(
                cells(3),
                cells(17),
                "{mode}: the text does not change over time"
            );
        }
        assert_ne!(a, b);
    }
}

#[test]
fn a_stencil_shows_the_layer_beneath_only_inside_letters() {
    let plain = preset("enabled = false\nlyrics = { text = \"x\" }");
    let st = preset("lyrics = { text = \"HI\", mode = \"plain\", stencil = true }");
    let (under, masked) = (frame(&plain, 5), frame(&st, 5));
    let lit = |f: &Frame| {
        f.data
            .chunks(3)
            .filter(|p| p.iter().any(|&v| v > 40))
            .count()
    };
    assert!(lit(&masked) > 0, "nothing shows through the letters");
    assert!(
        lit(&masked) * 4 < lit(&under),
        "the stencil hides too little: {} of {}",
        lit(&masked),
        lit(&under)
    );
    // wherever the stencil shows something, it is the layer beneath (tonemap aside: same sign)
    let mut s = Scene::new(&st, 320, 180, 3, &FontChain::bundled(), features()).unwrap();
    s.update(5);
    let mask = s.layers[1].stencil_mask();
    assert!(mask.iter().any(|&m| m > 0.5) && mask.contains(&0.0));
}

#[test]
fn bad_tables_are_errors_with_lines() {
    let e = Preset::parse(
        "[[layers]]\neffect = \"lyrics\"\nlyrics = { text = \"a\", mode = \"typewritter\" }\n",
        "p.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("line 3") && e.contains("did you mean typewriter"),
        "{e}"
    );
    let e = Preset::parse("[[layers]]\neffect = \"lyrics\"\n", "p.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("needs a `lyrics"), "{e}");
    let e = Preset::parse(
        "[[layers]]\neffect = \"plasma\"\nlyrics = { text = \"a\" }\n",
        "p.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("effect = \\\"lyrics\\\"") || e.contains("effect = \"lyrics\""),
        "{e}"
    );
}

#[test]
fn preset_files_read_lyrics_relative_to_themselves() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.srt"),
        "1\n00:00:00,000 --> 00:00:02,000\nhello\n",
    )
    .unwrap();
    let toml = "[[layers]]\neffect = \"lyrics\"\nlyrics = { file = \"a.srt\" }\n";
    std::fs::write(dir.path().join("p.toml"), toml).unwrap();
    let p = Preset::load(&dir.path().join("p.toml")).unwrap();
    let cues = p.layers[0].lyrics.as_ref().unwrap().cues.clone().unwrap();
    assert_eq!(cues.cues[0].text, "hello");
    // a bad entry names the lyrics file and its line
    std::fs::write(
        dir.path().join("a.srt"),
        "1\n00:00:00 --> 00:00:02,000\nhello\n",
    )
    .unwrap();
    let e = Preset::load(&dir.path().join("p.toml"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("a.srt line 2:"), "{e}");
}

#[test]
fn portrait_output_reflows_the_words_onto_more_rows() {
    let p = preset(
        "lyrics = { text = \"a lyric line long enough to need wrapping on the narrow grid of a portrait video but not on a wide one\", mode = \"plain\" }",
    );
    let rows_used = |w: usize, h: usize| {
        let mut s = Scene::new(&p, w, h, 3, &FontChain::bundled(), features()).unwrap();
        s.update(10);
        let cells = s.layers[1].cells();
        let (cols, rows) = s.layers[1].grid_size();
        let used = (0..rows)
            .filter(|&r| (0..cols).any(|c| cells.at(c, r).glyph != 0))
            .count();
        let chars = cells.cells.iter().filter(|c| c.glyph != 0).count();
        (used, chars)
    };
    let (land_rows, land_chars) = rows_used(640, 360);
    let (port_rows, port_chars) = rows_used(360, 640);
    assert_eq!(land_rows, 1);
    assert!(port_rows >= 2, "portrait used {port_rows} rows");
    assert_eq!(land_chars, port_chars, "characters were lost in the reflow");
}
