//! The timeline file format: strict TOML (unknown keys, names and bad values are errors naming
//! the file, the line and the valid choices), turned into a [`Timeline`].

use std::fmt;
use std::path::Path;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use toml::Spanned;

use super::{Align, Cut, Length, Look, Place, Timeline, TransitionDef, TransitionKind, Unit};
use crate::palette::closest;
use crate::scene::Param;
use crate::scene::ease::Ease;
use crate::scene::preset::{
    self, Checker, ColorSpec, FeedbackSpec, LayerSpec, Preset, PresetError, ShaderStep,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    cut: Option<Spanned<String>>,
    #[serde(default)]
    min_section: Option<Spanned<f64>>,
    #[serde(default)]
    transition: Option<TransitionSpec>,
    sections: Vec<Spanned<SectionSpec>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionSpec {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    start: Option<Spanned<f64>>,
    #[serde(default)]
    at: Option<Spanned<String>>,
    #[serde(default)]
    preset: Option<Spanned<String>>,
    #[serde(default)]
    transition: Option<TransitionSpec>,
    // An inline look, or overrides of the referenced preset.
    #[serde(default)]
    tonemap: Option<bool>,
    #[serde(default)]
    gamma: Option<Param>,
    #[serde(default)]
    background: Option<String>,
    #[serde(default)]
    feedback: Option<FeedbackSpec>,
    #[serde(default)]
    layers: Option<Vec<LayerSpec>>,
    #[serde(default)]
    shaders: Option<Vec<ShaderStep>>,
    #[serde(default)]
    mood: Option<Spanned<String>>,
    #[serde(default)]
    palette: Option<Spanned<String>>,
    #[serde(default)]
    color: Option<ColorSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransitionSpec {
    kind: Spanned<String>,
    #[serde(default)]
    duration: Option<Spanned<Length>>,
    #[serde(default)]
    align: Option<Spanned<String>>,
    #[serde(default)]
    ease: Option<Spanned<String>>,
    #[serde(default)]
    softness: Option<Spanned<f64>>,
}

/// Default soft edge of wipes, iris and dissolve (a share of the screen).
const DEFAULT_SOFTNESS: f32 = 0.05;
/// Default shortest section of `cut = "energy"`, in seconds.
pub(super) const DEFAULT_MIN_SECTION: f64 = 8.0;

impl<'de> Deserialize<'de> for Length {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Length;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("seconds (0.5) or a count of beats or bars (\"2 beats\", \"1 bar\")")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Length, E> {
                seconds(v).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Length, E> {
                seconds(v as f64).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Length, E> {
                seconds(v as f64).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Length, E> {
                parse_length(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

fn seconds(v: f64) -> Result<Length, String> {
    if v.is_finite() && v >= 0.0 {
        Ok(Length {
            count: v,
            unit: Unit::Seconds,
        })
    } else {
        Err(format!("duration {v} must be a number of seconds >= 0"))
    }
}

/// `"2 beats"`, `"1 bar"`, `"0.5 s"`, `"3 seconds"`.
pub(super) fn parse_length(s: &str) -> Result<Length, String> {
    let bad = || {
        format!("`{s}` is not a duration: write seconds (0.5) or \"N beats\", \"N bars\", \"N s\"")
    };
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let count: f64 = num.parse().map_err(|_| bad())?;
    let unit = match unit.trim() {
        "beat" | "beats" => Unit::Beats,
        "bar" | "bars" => Unit::Bars,
        "s" | "sec" | "second" | "seconds" => Unit::Seconds,
        _ => return Err(bad()),
    };
    if !count.is_finite() || count < 0.0 {
        return Err(bad());
    }
    Ok(Length { count, unit })
}

/// `"bar 9"` / `"beat 33"`.
pub(super) fn parse_place(s: &str) -> Result<Place, String> {
    let bad = || {
        format!(
            "`at = \"{s}\"`: write \"bar N\" or \"beat N\" with N from 1 (or use `start = SECONDS`)"
        )
    };
    let mut words = s.split_whitespace();
    let (Some(kind), Some(n), None) = (words.next(), words.next(), words.next()) else {
        return Err(bad());
    };
    let n: u32 = n.parse().map_err(|_| bad())?;
    if n == 0 {
        return Err(bad());
    }
    match kind {
        "bar" => Ok(Place::Bar(n)),
        "beat" => Ok(Place::Beat(n)),
        _ => Err(bad()),
    }
}

/// `"every 8 beats"`, `"every 4 bars"`, `"every 10 seconds"`, `"energy"`.
pub(super) fn parse_cut(s: &str) -> Result<Cut, String> {
    let bad = || {
        format!(
            "`cut = \"{s}\"`: write \"every N beats\", \"every N bars\", \"every N seconds\" or \"energy\""
        )
    };
    let t = s.trim();
    if t == "energy" {
        return Ok(Cut::Energy {
            min_section: DEFAULT_MIN_SECTION,
        });
    }
    let rest = t.strip_prefix("every ").ok_or_else(bad)?;
    let len = parse_length(rest).map_err(|_| bad())?;
    if len.count <= 0.0 || (len.unit != Unit::Seconds && len.count.fract() != 0.0) {
        return Err(bad());
    }
    Ok(Cut::Every {
        count: len.count,
        unit: len.unit,
    })
}

/// Parse and validate a timeline file.
pub(super) fn parse(src: &str, origin: &str, base_dir: &Path) -> Result<Timeline, PresetError> {
    let chk = Checker {
        what: "timeline",
        origin,
        src,
    };
    let file: FileSpec = match toml::from_str(src) {
        Ok(f) => f,
        Err(e) => {
            let msg = e.message().trim().replace('\n', " ");
            return chk.err(e.span().unwrap_or(0..0), format!("{msg}{}", hint(&msg)));
        }
    };
    if file.sections.is_empty() {
        return chk.err(
            0..0,
            "no sections: add [[sections]] tables, each with `preset = \"NAME\"` or its own [[sections.layers]]".into(),
        );
    }
    let cut = match &file.cut {
        None => Cut::Listed,
        Some(c) => parse_cut(c.get_ref()).or_else(|m| chk.err(c.span(), m))?,
    };
    let cut = match (cut, &file.min_section) {
        (Cut::Energy { .. }, Some(m)) => {
            let v = *m.get_ref();
            if !(v.is_finite() && v > 0.0) {
                return chk.err(m.span(), format!("min_section {v} must be seconds > 0"));
            }
            Cut::Energy { min_section: v }
        }
        (_, Some(m)) => {
            return chk.err(
                m.span(),
                "`min_section` only applies to `cut = \"energy\"`".into(),
            );
        }
        (c, None) => c,
    };
    let transition = file
        .transition
        .as_ref()
        .map(|t| transition(&chk, t))
        .transpose()?;
    let mut looks = Vec::with_capacity(file.sections.len());
    for (i, s) in file.sections.iter().enumerate() {
        looks.push(section(&chk, i, s, cut, base_dir)?);
    }
    Ok(Timeline {
        name: file.name,
        description: file.description,
        origin: origin.to_string(),
        looks,
        cut,
        transition,
    })
}

/// A hint for serde's messages about the keys of this format.
fn hint(msg: &str) -> &'static str {
    if msg.contains("unknown field") && msg.contains("expected one of `kind`") {
        " (a transition is { kind, duration, align, ease, softness })"
    } else if msg.contains("missing field `sections`") {
        " (a timeline is a list of [[sections]])"
    } else {
        ""
    }
}

fn transition(chk: &Checker, t: &TransitionSpec) -> Result<TransitionDef, PresetError> {
    let names: Vec<&str> = TransitionKind::ALL.iter().map(|k| k.name()).collect();
    chk.one_of("transition", &t.kind, &names)?;
    let kind = TransitionKind::from_name(t.kind.get_ref()).expect("checked above");
    let align = match &t.align {
        None => Align::default(),
        Some(a) => {
            chk.one_of("transition alignment", a, Align::NAMES)?;
            match a.get_ref().as_str() {
                "start" => Align::Start,
                "end" => Align::End,
                _ => Align::Center,
            }
        }
    };
    let ease = match &t.ease {
        None => Ease::default(),
        Some(e) => {
            chk.one_of("easing", e, &Ease::names())?;
            Ease::from_name(e.get_ref()).expect("checked above")
        }
    };
    let softness = match &t.softness {
        None => DEFAULT_SOFTNESS,
        Some(s) => {
            let v = *s.get_ref();
            if !(0.0..=1.0).contains(&v) {
                return chk.err(
                    s.span(),
                    format!("softness {v} must be in 0..1 (a share of the screen)"),
                );
            }
            v as f32
        }
    };
    Ok(TransitionDef {
        kind,
        duration: t.duration.as_ref().map(|d| *d.get_ref()),
        align,
        ease,
        softness,
    })
}

fn section(
    chk: &Checker,
    i: usize,
    s: &Spanned<SectionSpec>,
    cut: Cut,
    base_dir: &Path,
) -> Result<Look, PresetError> {
    let span = s.span();
    let header = span.start..span.start + 1;
    let s = s.get_ref();
    let n = i + 1;
    let place = match (&s.start, &s.at) {
        (Some(a), Some(_)) => {
            return chk.err(
                a.span(),
                format!("section {n} has both `start` and `at`: keep one"),
            );
        }
        (Some(st), None) => {
            let v = *st.get_ref();
            if !(v.is_finite() && v >= 0.0) {
                return chk.err(st.span(), format!("start {v} must be seconds >= 0"));
            }
            Place::Seconds(v)
        }
        (None, Some(at)) => parse_place(at.get_ref()).or_else(|m| chk.err(at.span(), m))?,
        (None, None) => Place::Unset,
    };
    match (cut, place) {
        (Cut::Listed, Place::Unset) if i > 0 => {
            return chk.err(
                header,
                format!("section {n} needs `start = SECONDS` or `at = \"bar N\"` / `at = \"beat N\"` (or set `cut` at the top for automatic sections)"),
            );
        }
        (Cut::Listed, Place::Bar(_) | Place::Beat(_)) if i == 0 => {
            return chk.err(
                s.at.as_ref().map_or(header.clone(), |a| a.span()),
                "the first section starts the track: remove its `at`".into(),
            );
        }
        (Cut::Listed, Place::Seconds(v)) if i == 0 && v != 0.0 => {
            return chk.err(
                s.start.as_ref().map_or(header.clone(), |a| a.span()),
                "the first section starts the track: remove its `start` (or make it 0)".into(),
            );
        }
        (Cut::Every { .. } | Cut::Energy { .. }, p) if p != Place::Unset => {
            return chk.err(
                s.start
                    .as_ref()
                    .map(|a| a.span())
                    .or(s.at.as_ref().map(|a| a.span()))
                    .unwrap_or(header.clone()),
                format!("with `cut` the sections are cycled automatically: remove section {n}'s `start`/`at`"),
            );
        }
        _ => {}
    }
    let mut preset = match (&s.preset, &s.layers) {
        (Some(p), Some(_)) => {
            return chk.err(
                p.span(),
                format!("section {n} has both `preset` and its own layers: keep one (other keys like `shaders` or `palette` override the preset)"),
            );
        }
        (Some(p), None) => referenced(chk, p, base_dir)?,
        (None, Some(layers)) => Preset {
            name: s.name.clone().unwrap_or_else(|| format!("section {n}")),
            description: String::new(),
            tonemap: true,
            gamma: Param::constant(0.75),
            background: None,
            feedback: None,
            layers: layers.clone(),
            shaders: Vec::new(),
            mood: None,
        },
        (None, None) => {
            return chk.err(
                header,
                format!("section {n} needs `preset = \"NAME\"` (`asciivid list presets`) or its own [[sections.layers]]"),
            );
        }
    };
    if let Some(v) = s.tonemap {
        preset.tonemap = v;
    }
    if let Some(v) = &s.gamma {
        preset.gamma = v.clone();
    }
    if let Some(v) = &s.background {
        preset.background = Some(v.clone());
    }
    if let Some(v) = &s.feedback {
        preset.feedback = Some(v.clone());
    }
    if let Some(v) = &s.shaders {
        preset.shaders = v.clone();
    }
    if let Some(v) = &s.mood {
        preset.mood = Some(v.clone());
    }
    for l in preset.layers.iter_mut().filter(|l| !l.is_video()) {
        if let Some(p) = &s.palette {
            l.palette = p.clone();
        }
        if let Some(c) = &s.color {
            l.color = c.clone();
        }
    }
    // the overrides (and inline layers) are checked against this file's lines
    preset.validate(chk)?;
    let transition = s
        .transition
        .as_ref()
        .map(|t| transition(chk, t))
        .transpose()?;
    let line = chk
        .err::<()>(header, String::new())
        .err()
        .and_then(|e| e.line_no);
    Ok(Look {
        name: s.name.clone().unwrap_or_else(|| preset.name.clone()),
        preset,
        place,
        transition,
        line,
    })
}

/// A section's `preset = "..."`: a built-in name or a preset file (relative to the timeline).
fn referenced(chk: &Checker, p: &Spanned<String>, base_dir: &Path) -> Result<Preset, PresetError> {
    let name = p.get_ref();
    let builtins: Vec<&str> = preset::builtin_presets().iter().map(|b| b.name).collect();
    if builtins.contains(&name.as_str()) {
        return preset::resolve(name);
    }
    let path = base_dir.join(name);
    if path.is_file() {
        return Preset::load(&path);
    }
    if super::builtin_timelines().iter().any(|b| b.name == name) {
        return chk.err(
            p.span(),
            format!("`{name}` is a timeline; a section's preset must be a single preset"),
        );
    }
    let near = closest(name, builtins.iter().copied());
    chk.err(
        p.span(),
        format!(
            "no built-in preset or file `{}`{}; built-ins: {}",
            name,
            if near.is_empty() {
                String::new()
            } else {
                format!(" (did you mean {}?)", near.join(", "))
            },
            builtins.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(src: &str) -> Timeline {
        parse(src, "t.toml", Path::new(".")).unwrap_or_else(|e| panic!("{e}"))
    }

    fn parse_err(src: &str) -> String {
        parse(src, "t.toml", Path::new("."))
            .map(|_| ())
            .expect_err("should fail")
            .to_string()
    }

    #[test]
    fn lengths_places_and_cuts_parse() {
        assert_eq!(
            parse_length("2 beats"),
            Ok(Length {
                count: 2.0,
                unit: Unit::Beats
            })
        );
        assert_eq!(parse_length("1 bar").unwrap().unit, Unit::Bars);
        assert_eq!(parse_length("0.5s").unwrap().count, 0.5);
        assert!(parse_length("two beats").is_err());
        assert!(parse_length("2 parsecs").is_err());
        assert_eq!(parse_place("bar 9"), Ok(Place::Bar(9)));
        assert_eq!(parse_place("beat 33"), Ok(Place::Beat(33)));
        for bad in [
            "bar 0",
            "bar",
            "bars 9",
            "bar 9 beat 2",
            "bar -1",
            "bar 1.5",
        ] {
            assert!(parse_place(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_cut("every 8 beats"),
            Ok(Cut::Every {
                count: 8.0,
                unit: Unit::Beats
            })
        );
        assert_eq!(
            parse_cut("every 4 bars").unwrap(),
            Cut::Every {
                count: 4.0,
                unit: Unit::Bars
            }
        );
        assert!(matches!(parse_cut("energy"), Ok(Cut::Energy { .. })));
        for bad in ["every beats", "every 0 beats", "every 1.5 bars", "often"] {
            assert!(parse_cut(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn listed_sections_with_references_overrides_and_inline_layers() {
        let t = parse_ok(
            r##"
name = "show"
transition = { kind = "crossfade", duration = "2 beats" }

[[sections]]
preset = "aurora"

[[sections]]
at = "bar 9"
preset = "tunnel"
palette = "blocks"
shaders = [{ name = "vignette" }]
transition = { kind = "wipe_left", duration = 0.5, align = "start", ease = "linear", softness = 0 }

[[sections]]
name = "outro"
start = 42.5
gamma = 0.6
[[sections.layers]]
effect = "plasma"
color = { mode = "mono", colors = ["#ff8800"] }
"##,
        );
        assert_eq!(t.looks.len(), 3);
        assert_eq!(t.cut, Cut::Listed);
        assert_eq!(t.looks[0].name, "aurora");
        assert_eq!(t.looks[1].place, Place::Bar(9));
        assert!(
            t.looks[1]
                .preset
                .layers
                .iter()
                .all(|l| l.palette.get_ref() == "blocks")
        );
        assert_eq!(t.looks[1].preset.shaders.len(), 1);
        let tr = t.looks[1].transition.unwrap();
        assert_eq!(
            (tr.kind, tr.align, tr.ease, tr.softness),
            (TransitionKind::WipeLeft, Align::Start, Ease::Linear, 0.0)
        );
        assert_eq!(t.looks[2].place, Place::Seconds(42.5));
        assert_eq!(t.looks[2].name, "outro");
        assert_eq!(t.looks[2].preset.gamma, Param::constant(0.6));
        assert_eq!(t.looks[2].line, Some(15), "the [[sections]] header");
        assert_eq!(
            t.transition.unwrap().duration,
            Some(Length {
                count: 2.0,
                unit: Unit::Beats
            })
        );
    }

    #[test]
    fn automatic_cuts_cycle_unplaced_sections() {
        let t = parse_ok(
            "cut = \"every 4 bars\"\n[[sections]]\npreset = \"matrix\"\n[[sections]]\npreset = \"inferno\"\n",
        );
        assert_eq!(
            t.cut,
            Cut::Every {
                count: 4.0,
                unit: Unit::Bars
            }
        );
        let t = parse_ok("cut = \"energy\"\nmin_section = 3\n[[sections]]\npreset = \"matrix\"\n");
        assert_eq!(t.cut, Cut::Energy { min_section: 3.0 });
    }

    #[test]
    fn mistakes_name_the_line_and_the_fix() {
        let cases: &[(&str, &str)] = &[
            (
                "[[sections]]\npreset = \"tunel\"\n",
                "line 2: no built-in preset or file `tunel` (did you mean tunnel?)",
            ),
            (
                "[[sections]]\npreset = \"tunnel\"\n[[sections]]\npreset = \"matrix\"\n",
                "line 3: section 2 needs `start = SECONDS` or `at",
            ),
            (
                "[[sections]]\npreset = \"tunnel\"\n[[sections]]\nat = \"bar nine\"\npreset = \"matrix\"\n",
                "line 4: `at = \"bar nine\"`: write \"bar N\" or \"beat N\"",
            ),
            (
                "[[sections]]\npreset = \"tunnel\"\ntransition = { kind = \"wipe_lft\" }\n",
                "line 3: unknown transition `wipe_lft` (did you mean wipe_left",
            ),
            (
                "[[sections]]\npreset = \"tunnel\"\ntransition = { kind = \"iris\", ease = \"bounc\" }\n",
                "unknown easing `bounc` (did you mean bounce?)",
            ),
            (
                "[[sections]]\npreset = \"tunnel\"\ntransition = { kind = \"iris\", duration = \"2 parsecs\" }\n",
                "line 3: `2 parsecs` is not a duration",
            ),
            (
                "[[sections]]\npreset = \"tunnel\"\npalete = \"blocks\"\n",
                "line 3: unknown field `palete`",
            ),
            (
                "cut = \"every 8 beets\"\n[[sections]]\npreset = \"tunnel\"\n",
                "line 1: `cut = \"every 8 beets\"`",
            ),
            (
                "cut = \"every 8 beats\"\n[[sections]]\npreset = \"tunnel\"\nstart = 3\n",
                "line 4: with `cut` the sections are cycled automatically",
            ),
            (
                "min_section = 4\n[[sections]]\npreset = \"tunnel\"\n",
                "line 1: `min_section` only applies to `cut = \"energy\"`",
            ),
            (
                "[[sections]]\nat = \"bar 3\"\npreset = \"tunnel\"\n",
                "line 2: the first section starts the track",
            ),
            (
                "[[sections]]\nname = \"x\"\n",
                "line 1: section 1 needs `preset = \"NAME\"`",
            ),
            (
                "[[sections]]\npreset = \"tunnel\"\npalette = \"blokcs\"\n",
                "line 3: unknown character palette `blokcs` (did you mean blocks",
            ),
            (
                "[[sections]]\n[[sections.layers]]\neffect = \"plasm\"\n",
                "line 3: unknown effect `plasm` (did you mean plasma",
            ),
            ("name = \"x\"\n", "missing field `sections`"),
        ];
        for (src, want) in cases {
            let e = parse_err(src);
            assert!(e.starts_with("timeline t.toml"), "{e}");
            assert!(e.contains(want), "{src}\n got: {e}\nwant: {want}");
        }
    }

    #[test]
    fn a_preset_file_is_told_apart_from_a_timeline() {
        assert!(super::super::is_timeline_source(
            "[[sections]]\npreset = \"x\"\n"
        ));
        assert!(!super::super::is_timeline_source(
            "[[layers]]\neffect = \"plasma\"\n"
        ));
        let e = Preset::parse("[[sections]]\npreset = \"tunnel\"\n", "t.toml")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("this is a timeline"), "{e}");
    }
}
