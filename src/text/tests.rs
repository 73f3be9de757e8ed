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

/// Per frame of a scene with `p`: the number of lit cells of the text layer and the brightest
/// foreground channel among them.
fn text_cells(p: &Preset, frames: u64) -> Vec<(usize, u8)> {
    let mut s = Scene::new(p, 320, 180, 3, &FontChain::bundled(), features()).unwrap();
    (0..frames)
        .map(|k| {
            s.update(k);
            let lit: Vec<_> = s.layers[1]
                .cells()
                .cells
                .iter()
                .filter(|c| c.glyph != 0)
                .collect();
            let top = lit.iter().flat_map(|c| c.fg).max().unwrap_or(0);
            (lit.len(), top)
        })
        .collect()
}

#[test]
fn beat_words_flash_on_beat_frames_and_fade_before_the_next() {
    let p = preset(
        "color = { mode = \"mono\", colors = [\"#ffffff\"] }\nlyrics = { mode = \"beat_words\", words = [\"ONE\", \"TWO\", \"THREE\"] }",
    );
    let f = features();
    let beats: Vec<usize> = f
        .column(crate::features::Feature::Beat)
        .iter()
        .enumerate()
        .filter(|(_, v)| **v >= 0.5)
        .map(|(i, _)| i)
        .collect();
    assert!(beats.len() >= 3, "the test track has no beats");
    let seen = text_cells(&p, beats[2] as u64 + 1);
    assert!(
        seen[..beats[0]].iter().all(|&(n, _)| n == 0),
        "a word before the first beat"
    );
    for w in beats[..3].windows(2) {
        let (on, before_next) = (seen[w[0]], seen[w[1] - 1]);
        assert!(
            on.0 > 0 && on.1 > 200,
            "no bright word on beat frame {}",
            w[0]
        );
        assert!(
            before_next.1 < on.1,
            "the word does not fade: {on:?} then {before_next:?}"
        );
    }
}

#[test]
fn generated_modes_move_or_change_and_repeat_exactly() {
    for (mode, lyrics) in [
        ("ticker", "mode = \"ticker\", text = \"TICKER TAPE\""),
        (
            "messages",
            "mode = \"messages\", messages = [\"AB\", \"CDEFG\"], period = 0.5",
        ),
        ("error_stamps", "mode = \"error_stamps\""),
    ] {
        let p = preset(&format!("lyrics = {{ {lyrics} }}"));
        let a = text_cells(&p, 24);
        assert_eq!(a, text_cells(&p, 24), "{mode}: not deterministic");
        assert!(a.iter().any(|&(n, _)| n > 0), "{mode}: draws nothing");
        let mut s = Scene::new(&p, 320, 180, 3, &FontChain::bundled(), features()).unwrap();
        s.update(5);
        let early = s.layers[1].cells().clone();
        s.update(18);
        assert_ne!(&early, s.layers[1].cells(), "{mode}: does not change");
    }
    // messages: the number of letters follows the message due (2, then 5, every 0.5 s)
    let p = preset(
        "params = { fade = 0.01 }\nlyrics = { mode = \"messages\", messages = [\"AB\", \"CDEFG\"], period = 0.5 }",
    );
    let a = text_cells(&p, 24);
    assert_eq!((a[6].0, a[18].0), (2, 5), "{a:?}");
}

#[test]
fn generated_modes_reject_missing_or_wrong_keys() {
    let err = |lyrics: &str| {
        Preset::parse(
            &format!("[[layers]]\neffect = \"lyrics\"\nlyrics = {{ {lyrics} }}\n"),
            "p.toml",
        )
        .unwrap_err()
        .to_string()
    };
    assert!(err("mode = \"ticker\"").contains("needs `text"));
    assert!(err("mode = \"beat_words\", words = []").contains("needs `words"));
    assert!(err("mode = \"messages\", file = \"a.srt\"").contains("not `file`"));
    assert!(err("mode = \"messages\", text = \"a\", period = 0").contains("period"));
    assert!(err("mode = \"fade_in\", text = \"a\", words = [\"x\"]").contains("generated modes"));
    // stamps need nothing
    Preset::parse(
        "[[layers]]\neffect = \"lyrics\"\nlyrics = { mode = \"error_stamps\" }\n",
        "p.toml",
    )
    .unwrap();
}
