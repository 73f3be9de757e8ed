//! Mood presets (the reference's §7.3): named finishing chains of shaders, and for the
//! recursive moods a feedback setting, that a preset picks with `mood = "NAME"`.
//!
//! A mood's shaders run after the preset's own `[[shaders]]` (so the preset's list keeps its
//! indices for the preview's knobs); its feedback applies only when the preset has none.
//! Audio reactivity is written as ordinary modulated parameters.

use std::sync::OnceLock;

use serde::Deserialize;

use super::preset::{FeedbackSpec, ShaderStep};

/// A mood: name, one-line description and its TOML body.
#[derive(Clone, Copy, Debug)]
pub struct MoodSpec {
    /// Name used in presets.
    pub name: &'static str,
    /// One-line description.
    pub doc: &'static str,
    /// `[[shaders]]` tables and an optional `[feedback]` table.
    pub source: &'static str,
}

/// A mood's parsed content.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MoodDef {
    /// Shaders appended after the preset's own.
    #[serde(default)]
    pub shaders: Vec<ShaderStep>,
    /// Feedback used when the preset sets none.
    #[serde(default)]
    pub feedback: Option<FeedbackSpec>,
}

/// Every mood, sorted by name.
pub static ALL: [MoodSpec; 9] = [
    MoodSpec {
        name: "cinematic",
        doc: "bloom, vignette, fine grain and a warm grade",
        source: r#"
[[shaders]]
name = "bloom"
params = { threshold = 140, strength = 0.45 }
[[shaders]]
name = "color_grade"
tint = "warm"
[[shaders]]
name = "vignette"
params = { strength = 0.3 }
[[shaders]]
name = "grain"
params = { amount = 6 }
"#,
    },
    MoodSpec {
        name: "clean_modern",
        doc: "light bloom and a subtle vignette",
        source: r#"
[[shaders]]
name = "bloom"
params = { threshold = 170, strength = 0.3 }
[[shaders]]
name = "vignette"
params = { strength = 0.12 }
"#,
    },
    MoodSpec {
        name: "data_corruption",
        doc: "pixel sort, data bend, block glitch and posterize",
        source: r#"
[[shaders]]
name = "pixel_sort"
params = { threshold = 90 }
[[shaders]]
name = "data_bend"
[[shaders]]
name = "block_glitch"
params = { blocks = { base = 4, feature = "beat_decay", amount = 10 } }
[[shaders]]
name = "posterize"
params = { levels = 5 }
"#,
    },
    MoodSpec {
        name: "dreamy",
        doc: "heavy bloom, soft focus, slow colour wobble and low contrast",
        source: r#"
[[shaders]]
name = "bloom"
params = { threshold = 100, strength = 0.8, radius = 2 }
[[shaders]]
name = "soft_focus"
params = { strength = 0.45 }
[[shaders]]
name = "color_wobble"
params = { amount = 0.15, speed = 1.5 }
[[shaders]]
name = "contrast"
params = { factor = 0.85 }
"#,
    },
    MoodSpec {
        name: "glitch_art",
        doc: "heavy chromatic aberration, glitch bands on beats, colour wobble",
        source: r#"
[[shaders]]
name = "chromatic"
params = { amount = { base = 4, feature = "beat_decay", amount = 8 } }
[[shaders]]
name = "glitch_bands"
params = { count = { base = 2, feature = "beat_decay", amount = 10 } }
[[shaders]]
name = "color_wobble"
params = { amount = { base = 0.2, feature = "rms", amount = 0.4 } }
"#,
    },
    MoodSpec {
        name: "harsh_industrial",
        doc: "high contrast, heavy grain and scanlines, no bloom",
        source: r#"
[[shaders]]
name = "contrast"
params = { factor = 1.7 }
[[shaders]]
name = "grain"
params = { amount = 22 }
[[shaders]]
name = "scanlines"
params = { intensity = 0.25, spacing = 3 }
"#,
    },
    MoodSpec {
        name: "psychedelic",
        doc: "colour wobble, chromatic, kaleidoscope, high saturation and hue-shifting feedback",
        source: r#"
[[shaders]]
name = "kaleidoscope"
params = { folds = 6 }
[[shaders]]
name = "chromatic"
params = { amount = { base = 2, feature = "beat_decay", amount = 6 } }
[[shaders]]
name = "color_wobble"
params = { amount = 0.35 }
[[shaders]]
name = "saturation"
params = { factor = 1.6 }

[feedback]
decay = 0.75
blend = "screen"
opacity = 0.35
transform = "rotate_cw"
amount = 0.005
hue_shift = 0.01
"#,
    },
    MoodSpec {
        name: "recursive",
        doc: "infinite zoom: zooming feedback blended by screen, with a hue shift",
        source: r#"
[[shaders]]
name = "vignette"
params = { strength = 0.2 }

[feedback]
decay = 0.8
blend = "screen"
opacity = 0.4
transform = "zoom"
amount = 0.015
hue_shift = 0.02
"#,
    },
    MoodSpec {
        name: "retro_terminal",
        doc: "CRT curvature, scanlines, grain and an amber tint",
        source: r#"
[[shaders]]
name = "color_grade"
tint = "amber"
[[shaders]]
name = "scanlines"
params = { intensity = 0.2, spacing = 3 }
[[shaders]]
name = "grain"
params = { amount = 8 }
[[shaders]]
name = "crt"
params = { strength = 0.06 }
"#,
    },
];

/// Every mood spec, sorted by name.
pub fn specs() -> &'static [MoodSpec] {
    &ALL
}

/// The parsed mood called `name` (`None` for an unknown name; every built-in mood parses, as
/// a test checks).
pub fn find(name: &str) -> Option<&'static MoodDef> {
    static PARSED: OnceLock<Vec<MoodDef>> = OnceLock::new();
    let parsed = PARSED.get_or_init(|| {
        ALL.iter()
            .map(|m| toml::from_str(m.source).unwrap_or_default())
            .collect()
    });
    ALL.iter().position(|m| m.name == name).map(|i| &parsed[i])
}

/// The names, for error messages.
pub fn names() -> Vec<&'static str> {
    ALL.iter().map(|m| m.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::preset::Preset;

    #[test]
    fn nine_sorted_moods_that_parse_and_validate() {
        assert_eq!(ALL.len(), 9);
        for w in ALL.windows(2) {
            assert!(w[0].name < w[1].name);
        }
        for m in &ALL {
            let def: MoodDef =
                toml::from_str(m.source).unwrap_or_else(|e| panic!("{}: {e}", m.name));
            assert!(!def.shaders.is_empty(), "{}", m.name);
            assert_eq!(find(m.name), Some(&def));
            // the mood's tables checked by the preset validator, as a preset's own
            let src = format!("[[layers]]\neffect = \"plasma\"\n{}", m.source);
            Preset::parse(&src, m.name).unwrap_or_else(|e| panic!("{}: {e}", m.name));
        }
        assert!(find("nope").is_none());
    }
}
