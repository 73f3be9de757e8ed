//! `asciivid list …` and the JSON/CSV forms of analysis results.

use anyhow::Result;
use serde_json::{Value, json};

use crate::compose::BlendMode;
use crate::features::{Feature, Features};
use crate::palette::Palettes;
use crate::params::ParamSpec;
use crate::scene::preset::{Preset, builtin_presets};
use crate::scene::timeline::{self, Cut, Timeline};

/// What `asciivid list` shows.
#[derive(Clone, Copy, Debug)]
pub enum What {
    /// Built-in presets and timelines.
    Presets,
    /// Character palettes, colour palettes and tints.
    Palettes,
    /// Effects with their parameters.
    Effects,
    /// Shaders with their parameters.
    Shaders,
    /// Blend modes.
    Blends,
    /// Audio features usable as modulation sources.
    Features,
    /// Coordinate transforms of a layer's field.
    Transforms,
    /// Layer masks (stencils).
    Masks,
    /// Mood presets (finishing shader chains).
    Moods,
    /// Colour modes, hue sources and harmonies.
    Colors,
    /// Feedback transforms.
    Feedback,
    /// Timeline transitions.
    Transitions,
    /// Easing curves.
    Easings,
    /// The text layer (`effect = "lyrics"`): its display modes, positions and parameters.
    Text,
}

impl What {
    /// Every kind, in the order `asciivid catalogue` documents them.
    pub const ALL: &'static [What] = &[
        What::Presets,
        What::Palettes,
        What::Effects,
        What::Shaders,
        What::Blends,
        What::Features,
        What::Transforms,
        What::Masks,
        What::Moods,
        What::Colors,
        What::Feedback,
        What::Transitions,
        What::Easings,
        What::Text,
    ];

    /// The word after `asciivid list`.
    pub fn name(self) -> &'static str {
        match self {
            What::Presets => "presets",
            What::Palettes => "palettes",
            What::Effects => "effects",
            What::Shaders => "shaders",
            What::Blends => "blends",
            What::Features => "features",
            What::Transforms => "transforms",
            What::Masks => "masks",
            What::Moods => "moods",
            What::Colors => "colors",
            What::Feedback => "feedback",
            What::Transitions => "transitions",
            What::Easings => "easings",
            What::Text => "text",
        }
    }
}

/// Feedback transforms and what they do (the names are `FeedbackTransform::NAMES`).
pub const FEEDBACK_DOCS: &[(&str, &str)] = &[
    ("none", "no movement: trails stay in place"),
    ("zoom", "zoom in a little every frame: an expanding tunnel"),
    ("shrink", "zoom out, with a black border: emergence"),
    (
        "rotate_cw",
        "turn clockwise by amount × 10 degrees per frame",
    ),
    ("rotate_ccw", "turn counter-clockwise"),
    ("shift_up", "scroll up by amount of the height: rising heat"),
    ("shift_down", "scroll down"),
    ("mirror_h", "mirror left-right every frame"),
];

/// Timeline transitions and what they do (names as in `TransitionKind::name`).
pub const TRANSITION_DOCS: &[(&str, &str)] = &[
    ("cut", "a hard cut on the cut frame"),
    ("crossfade", "mix of the two pictures"),
    (
        "wipe_left",
        "an edge travelling left: the new scene enters from the right",
    ),
    (
        "wipe_right",
        "an edge travelling right: the new scene enters from the left",
    ),
    (
        "wipe_up",
        "an edge travelling up: the new scene enters from the bottom",
    ),
    (
        "wipe_down",
        "an edge travelling down: the new scene enters from the top",
    ),
    ("radial", "a clock hand sweeping clockwise from 12 o'clock"),
    ("iris", "a circle opening from the centre"),
    (
        "dissolve",
        "cell-sized blocks switching in a seeded random order",
    ),
    (
        "glitch_cut",
        "switch on the cut frame with rows torn sideways around it",
    ),
];

/// Easing curves and their formulas (names as in `Ease::ALL`).
pub const EASING_DOCS: &[(&str, &str)] = &[
    ("linear", "p"),
    ("in_quad", "p²: starts slowly"),
    ("out_quad", "1 − (1 − p)²: ends slowly"),
    ("in_out_quad", "quadratic in, then out"),
    ("in_cubic", "p³"),
    ("out_cubic", "1 − (1 − p)³"),
    ("in_out_cubic", "cubic in, then out"),
    ("in_expo", "2^(10(p − 1)): a late rush"),
    ("out_expo", "1 − 2^(−10p): an early rush"),
    ("elastic", "springs past 1 and settles"),
    ("bounce", "bounces at 1"),
    ("smoothstep", "3p² − 2p³ (the default)"),
    ("smootherstep", "6p⁵ − 15p⁴ + 10p³"),
];

/// What each text position does (names as in `text::Position::NAMES`).
pub const POSITION_DOCS: &[(&str, &str)] = &[
    ("top", "the block of lines at the top of the grid"),
    ("center", "centred on the grid (the default)"),
    ("bottom", "at the bottom, like subtitles"),
];

/// The text layer as `list effects` and `list text` show it: name, doc and parameters, with
/// a pointer to its own table of keys.
fn text_layer_json() -> Value {
    let t = &crate::text::LYRICS_EFFECT;
    json!({
        "name": t.name,
        "doc": t.doc,
        "stateful": t.stateful,
        "layer": "text",
        "keys": "lyrics = { file | text | words | messages, mode, position, width, backdrop, stencil, period } (asciivid list text, docs/TEXT.md)",
        "params": params_json(t.params),
    })
}

/// The display modes of text layers with what they do.
pub fn text_mode_items() -> Vec<(&'static str, &'static str)> {
    crate::text::Mode::DOCS.to_vec()
}

/// What each harmony does (names as in `Harmony::NAMES`).
pub const HARMONY_DOCS: &[(&str, &str)] = &[
    ("complementary", "the seed and its opposite hue (+0.5 turn)"),
    ("triadic", "three hues a third of a turn apart"),
    ("analogous", "five neighbouring hues, 0.08 turn apart"),
    (
        "split_complementary",
        "the seed and the two neighbours of its complement (±0.08)",
    ),
    ("tetradic", "four hues a quarter turn apart"),
];

fn named_json(items: &[(&str, &str)]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|(n, d)| json!({"name": n, "doc": d}))
            .collect(),
    )
}

fn named_text(items: &[(&str, &str)]) -> String {
    items
        .iter()
        .map(|(n, d)| format!("{n:<20} {d}\n"))
        .collect()
}

/// A name and its one-line description.
pub type Named = (&'static str, &'static str);

/// Colour modes and hue sources with their docs.
pub fn color_items() -> (Vec<Named>, Vec<Named>) {
    use crate::scene::preset::{COLOR_MODE_DOCS, COLOR_MODES, HUE_SOURCE_DOCS, HUE_SOURCES};
    (
        COLOR_MODES
            .iter()
            .copied()
            .zip(COLOR_MODE_DOCS.iter().copied())
            .collect(),
        HUE_SOURCES
            .iter()
            .copied()
            .zip(HUE_SOURCE_DOCS.iter().copied())
            .collect(),
    )
}

fn params_json(ps: &[ParamSpec]) -> Value {
    Value::Array(
        ps.iter()
            .map(|p| {
                let mut v = json!({"name": p.name, "min": p.min, "max": p.max, "default": p.default, "doc": p.doc});
                if !p.choices.is_empty() {
                    // a named parameter: `choices[i]` may be written for the number i
                    v["choices"] = json!(p.choices);
                }
                v
            })
            .collect(),
    )
}

fn params_text(ps: &[ParamSpec]) -> String {
    ps.iter()
        .map(|p| {
            let names = if p.choices.is_empty() {
                String::new()
            } else {
                format!(" [names: {}]", p.choices.join(" "))
            };
            format!(
                "      {:<14} {:>8} ({} .. {})  {}{names}",
                p.name, p.default, p.min, p.max, p.doc
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Build the listing as JSON.
pub fn to_json(what: What) -> Value {
    let pals = Palettes::builtin();
    match what {
        What::Presets => Value::Array(
            builtin_presets()
                .iter()
                .map(|b| {
                    let p = Preset::parse(b.source, b.name).ok();
                    json!({
                        "name": b.name,
                        "kind": "preset",
                        "description": p.as_ref().map(|p| p.description.clone()).unwrap_or_default(),
                        "layers": p.as_ref().map(|p| p.layers.iter().map(|l| l.effect.get_ref().clone()).collect::<Vec<_>>()).unwrap_or_default(),
                    })
                })
                .chain(timeline::builtin_timelines().iter().map(|b| {
                    let t = timeline::builtin(b.name).and_then(Result::ok);
                    json!({
                        "name": b.name,
                        "kind": "timeline",
                        "description": t.as_ref().map(|t| t.description.clone()).unwrap_or_default(),
                        "cut": t.as_ref().map(cut_text).unwrap_or_default(),
                        "sections": t.as_ref().map(|t| t.looks.iter().map(|l| l.name.clone()).collect::<Vec<_>>()).unwrap_or_default(),
                    })
                }))
                .collect(),
        ),
        What::Palettes => json!({
            "chars": pals.chars.iter().map(|p| json!({"name": p.name, "family": p.family, "doc": p.doc, "chars": p.chars.iter().collect::<String>()})).collect::<Vec<_>>(),
            "colors": pals.colors.iter().map(|p| json!({"name": p.name, "doc": p.doc, "colors": p.colors.iter().map(|c| format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])).collect::<Vec<_>>()})).collect::<Vec<_>>(),
            "tints": pals.tints.iter().map(|t| json!({"name": t.name, "rgb": t.rgb})).collect::<Vec<_>>(),
        }),
        What::Effects => Value::Array(
            crate::effects::all()
                .iter()
                .map(|e| {
                    let mut v = json!({"name": e.name, "doc": e.doc, "stateful": e.stateful, "params": params_json(e.params)});
                    if let Some(c) = e.cap {
                        v["particle_caps"] = json!({"param": c.param, "low": c.caps[0], "standard": c.caps[1], "high": c.caps[2]});
                    }
                    v
                })
                .chain(std::iter::once(text_layer_json()))
                .collect(),
        ),
        What::Text => json!({
            "layer": text_layer_json(),
            "modes": text_mode_items().iter().map(|(n, d)| json!({
                "name": n,
                "doc": d,
                // generated modes make their own text (ticker, beat words, ...), the others show cues
                "generated": crate::text::Mode::from_name(n).is_some_and(|m| m.is_generated()),
            })).collect::<Vec<_>>(),
            "positions": named_json(POSITION_DOCS),
        }),
        What::Shaders => Value::Array(
            crate::shaders::all()
                .iter()
                .map(|s| json!({"name": s.name, "doc": s.doc, "heavy": s.heavy, "params": params_json(s.params)}))
                .collect(),
        ),
        What::Blends => Value::Array(
            BlendMode::ALL
                .iter()
                .map(|b| json!({"name": b.name(), "doc": b.doc()}))
                .collect(),
        ),
        What::Features => Value::Array(
            Feature::ALL
                .iter()
                .map(|f| json!({"name": f.name(), "doc": f.doc()}))
                .collect(),
        ),
        What::Transforms => Value::Array(
            crate::scene::uv::specs()
                .map(|s| json!({"name": s.name, "doc": s.doc, "params": params_json(s.params)}))
                .collect(),
        ),
        What::Masks => Value::Array(
            crate::scene::mask::specs()
                .map(|s| json!({"name": s.name, "doc": s.doc, "params": params_json(s.params)}))
                .collect(),
        ),
        What::Moods => Value::Array(
            crate::scene::mood::specs()
                .iter()
                .map(|m| {
                    let def = crate::scene::mood::find(m.name);
                    json!({
                        "name": m.name,
                        "doc": m.doc,
                        "shaders": def.map(|d| d.shaders.iter().map(|s| s.name.get_ref().clone()).collect::<Vec<_>>()).unwrap_or_default(),
                        "feedback": def.and_then(|d| d.feedback.as_ref()).map(|f| f.transform.get_ref().clone()),
                    })
                })
                .collect(),
        ),
        What::Colors => {
            let (modes, hues) = color_items();
            json!({
                "modes": named_json(&modes),
                "hue_sources": named_json(&hues),
                "harmonies": named_json(HARMONY_DOCS),
            })
        }
        What::Feedback => named_json(FEEDBACK_DOCS),
        What::Transitions => named_json(TRANSITION_DOCS),
        What::Easings => named_json(EASING_DOCS),
    }
}

/// Build the listing as text for people.
pub fn to_text(what: What) -> String {
    let pals = Palettes::builtin();
    let mut out = String::new();
    match what {
        What::Presets => {
            for b in builtin_presets() {
                let desc = Preset::parse(b.source, b.name)
                    .map(|p| p.description)
                    .unwrap_or_default();
                out += &format!("{:<16} {desc}\n", b.name);
            }
            out += "\nTimelines (sections with transitions; docs/TIMELINES.md):\n";
            for b in timeline::builtin_timelines() {
                let (desc, how) = match timeline::builtin(b.name) {
                    Some(Ok(t)) => (t.description.clone(), cut_text(&t)),
                    _ => (String::new(), String::new()),
                };
                out += &format!("{:<16} {desc} [{how}]\n", b.name);
            }
        }
        What::Palettes => {
            out += "Character palettes (dark to bright):\n";
            for p in &pals.chars {
                let sample: String = p.chars.iter().skip(1).collect();
                out += &format!("  {:<12} {:<10} {sample}\n", p.name, p.family);
            }
            out += "\nColour palettes:\n";
            for p in &pals.colors {
                let cols: Vec<String> = p
                    .colors
                    .iter()
                    .map(|c| format!("\x1b[48;2;{};{};{}m  \x1b[0m", c[0], c[1], c[2]))
                    .collect();
                out += &format!("  {:<12} {}\n", p.name, cols.join(""));
            }
            out += "\nTints (for the color_grade shader):\n";
            for t in &pals.tints {
                out += &format!(
                    "  {:<12} r {:.2} g {:.2} b {:.2}\n",
                    t.name, t.rgb[0], t.rgb[1], t.rgb[2]
                );
            }
        }
        What::Effects => {
            for e in crate::effects::all() {
                out += &format!("{:<18} {}\n{}\n", e.name, e.doc, params_text(e.params));
            }
            let t = &crate::text::LYRICS_EFFECT;
            out += &format!(
                "{:<18} {} [text layer: `asciivid list text`]\n{}\n",
                t.name,
                t.doc,
                params_text(t.params)
            );
        }
        What::Text => {
            let t = &crate::text::LYRICS_EFFECT;
            out += &format!(
                "effect = \"{}\": {}\n  lyrics = {{ file | text | words | messages, mode, position, width, backdrop, stencil, period }} (docs/TEXT.md)\n\nParameters:\n{}\n\nModes (lyrics.mode):\n{}\nPositions (lyrics.position):\n{}",
                t.name,
                t.doc,
                params_text(t.params),
                named_text(&text_mode_items()),
                named_text(POSITION_DOCS)
            );
        }
        What::Shaders => {
            for s in crate::shaders::all() {
                out += &format!(
                    "{:<18} {}{}\n{}\n",
                    s.name,
                    s.doc,
                    if s.heavy { " [heavy]" } else { "" },
                    params_text(s.params)
                );
            }
        }
        What::Blends => {
            for b in BlendMode::ALL {
                out += &format!("{:<14} {}\n", b.name(), b.doc());
            }
        }
        What::Features => {
            for f in Feature::ALL {
                out += &format!("{:<15} {}\n", f.name(), f.doc());
            }
        }
        What::Transforms => {
            for s in crate::scene::uv::specs() {
                out += &format!("{:<18} {}\n{}\n", s.name, s.doc, params_text(s.params));
            }
        }
        What::Masks => {
            for s in crate::scene::mask::specs() {
                out += &format!("{:<18} {}\n{}\n", s.name, s.doc, params_text(s.params));
            }
            out += "\nCombine masks with op = union | intersect | subtract; invert = true uses the outside.\n";
        }
        What::Moods => {
            for m in crate::scene::mood::specs() {
                out += &format!("{:<18} {}\n", m.name, m.doc);
            }
        }
        What::Colors => {
            let (modes, hues) = color_items();
            out += "Colour modes ([layers.color] mode):\n";
            out += &named_text(&modes);
            out += "\nHue sources (mode = \"hsv\", hue = ...):\n";
            out += &named_text(&hues);
            out += "\nHarmonies (mode = \"harmony\", harmony = ...):\n";
            out += &named_text(HARMONY_DOCS);
        }
        What::Feedback => out += &named_text(FEEDBACK_DOCS),
        What::Transitions => out += &named_text(TRANSITION_DOCS),
        What::Easings => out += &named_text(EASING_DOCS),
    }
    out
}

/// How a timeline's sections are placed, in words.
fn cut_text(t: &Timeline) -> String {
    let looks = t
        .looks
        .iter()
        .map(|l| l.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    match t.cut {
        Cut::Listed => format!("{} sections: {looks}", t.looks.len()),
        Cut::Every { count, unit } => format!(
            "a cut every {count} {}, cycling {looks}",
            match unit {
                timeline::Unit::Beats => "beats",
                timeline::Unit::Bars => "bars",
                timeline::Unit::Seconds => "seconds",
            }
        ),
        Cut::Energy { min_section } => {
            format!("cuts at energy changes (sections >= {min_section} s), cycling {looks}")
        }
    }
}

/// Print a listing.
pub fn print(what: What, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(&to_json(what))?);
    } else {
        print!("{}", to_text(what));
    }
    Ok(())
}

/// Analysis results as JSON: tempo, beats, onsets and one object per frame.
pub fn features_json(f: &Features) -> String {
    let frames: Vec<Value> = (0..f.len())
        .map(|i| {
            let fr = f.frame(i);
            let mut m = serde_json::Map::new();
            m.insert("t".into(), json!(round4(i as f64 / f.fps)));
            for &feat in Feature::ALL.iter().filter(|f| !f.is_scene()) {
                m.insert(feat.name().into(), json!(round4(fr.get(feat) as f64)));
            }
            Value::Object(m)
        })
        .collect();
    let v = json!({
        "fps": f.fps,
        "duration": f.duration,
        "tempo_bpm": f.tempo_bpm,
        "tempo_confidence": f.tempo_confidence,
        "beats": f.beats.iter().map(|&b| round4(b)).collect::<Vec<_>>(),
        "downbeats": f.downbeats.iter().map(|&b| round4(b)).collect::<Vec<_>>(),
        "onsets": f.onsets.iter().map(|&b| round4(b)).collect::<Vec<_>>(),
        "frames": frames,
    });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

/// Analysis results as CSV: a header, then one row per frame.
pub fn features_csv(f: &Features) -> String {
    let mut out = String::from("t");
    for feat in Feature::ALL.iter().filter(|f| !f.is_scene()) {
        out.push(',');
        out.push_str(feat.name());
    }
    out.push('\n');
    for i in 0..f.len() {
        let fr = f.frame(i);
        out += &format!("{:.4}", i as f64 / f.fps);
        for &feat in Feature::ALL.iter().filter(|f| !f.is_scene()) {
            out += &format!(",{:.4}", fr.get(feat));
        }
        out.push('\n');
    }
    out
}

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_tables_cover_exactly_the_registered_names() {
        fn names(t: &[(&'static str, &'static str)]) -> Vec<&'static str> {
            t.iter().map(|x| x.0).collect()
        }
        assert_eq!(
            names(FEEDBACK_DOCS),
            crate::compose::FeedbackTransform::NAMES
        );
        let kinds: Vec<&str> = crate::scene::timeline::TransitionKind::ALL
            .iter()
            .map(|k| k.name())
            .collect();
        assert_eq!(names(TRANSITION_DOCS), kinds);
        assert_eq!(names(EASING_DOCS), crate::scene::ease::Ease::names());
        assert_eq!(names(HARMONY_DOCS), crate::compose::color::Harmony::NAMES);
        use crate::scene::preset::{COLOR_MODE_DOCS, COLOR_MODES, HUE_SOURCE_DOCS, HUE_SOURCES};
        assert_eq!(COLOR_MODES.len(), COLOR_MODE_DOCS.len());
        assert_eq!(HUE_SOURCES.len(), HUE_SOURCE_DOCS.len());
    }

    #[test]
    fn text_docs_cover_every_mode_and_position() {
        assert_eq!(
            crate::text::Mode::DOCS.len(),
            crate::text::Mode::NAMES.len()
        );
        let names: Vec<&str> = POSITION_DOCS.iter().map(|p| p.0).collect();
        assert_eq!(names, crate::text::Position::NAMES);
    }

    #[test]
    fn every_kind_lists_something_with_names() {
        for &w in What::ALL {
            let v = to_json(w);
            assert!(
                !v.to_string().is_empty() && v != Value::Null,
                "{}",
                w.name()
            );
            assert!(!to_text(w).is_empty(), "{}", w.name());
        }
    }
}
