//! `Param`: a number that may be modulated by an audio feature, keyframed, or named.
//!
//! In preset files a parameter is either a plain number (`speed = 1.5`) or a table
//! (`speed = { base = 1.0, feature = "bass", amount = 2.0, attack = 0.01, release = 0.3 }`):
//! `value = base + amount × envelope(feature)`, where the envelope follows the feature with the
//! given attack and release times in seconds (so it looks the same at any frame rate).
//! `ease = "out_cubic"` (`asciivid list easings`) shapes the envelope with an easing curve, so a
//! parameter following `scene_progress` moves along the reference's directional arcs
//! (ease-in, ease-out, build-and-plateau) over a timeline section.
//!
//! `keyframes = [[t, v], …]` replaces `base` by a curve through the points on the scene's clock
//! (`ease` then shapes its segments; see [`super::keyframe`]); a feature still adds on top.
//! A parameter whose spec names its values (`ParamSpec::choices`) may also be written as one
//! of those names (`shape = "star"`); the name is checked and turned into its number when the
//! preset is validated and the scene built.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use toml::Spanned;

use super::ease::Ease;
use super::keyframe::{KeyUnit, Keyframes};
use crate::audio::smooth_attack_release;
use crate::features::{Feature, Features};
use crate::params::ParamSpec;

/// A tunable value: a base (or a keyframe curve) plus optional modulation by a feature.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Param {
    /// Value without modulation.
    pub base: f32,
    /// The modulating feature, if any.
    pub feature: Option<Feature>,
    /// How much a feature value of 1 adds (negative subtracts).
    pub amount: f32,
    /// Seconds for the envelope to rise toward a louder feature value (0 = instant).
    pub attack: f32,
    /// Seconds for the envelope to fall back (0 = instant).
    pub release: f32,
    /// Easing curve applied to the envelope (`None` = linear).
    pub ease: Option<Ease>,
    /// A value written by name (`shape = "star"`), resolved against the parameter's spec.
    pub choice: Option<Arc<str>>,
    /// A keyframe curve that replaces `base`.
    pub keys: Option<Arc<Keyframes>>,
}

impl Param {
    /// A constant.
    pub const fn constant(base: f32) -> Param {
        Param {
            base,
            feature: None,
            amount: 0.0,
            attack: 0.0,
            release: 0.0,
            ease: None,
            choice: None,
            keys: None,
        }
    }

    /// `base + amount × feature`, with no smoothing.
    pub fn modulated(base: f32, feature: Feature, amount: f32) -> Param {
        Param {
            feature: Some(feature),
            amount,
            ..Param::constant(base)
        }
    }

    /// The parameter `spec` as given in `given` (a step's `params` table), or its default.
    /// A named value becomes its number (presets are validated first, so the name exists).
    pub fn for_spec(spec: &ParamSpec, given: &BTreeMap<Spanned<String>, Param>) -> Param {
        given
            .get(spec.name)
            .map(|v| v.resolved(spec))
            .unwrap_or(Param::constant(spec.default))
    }

    /// This parameter with a named value turned into its number by `spec` (unknown names,
    /// which validation refuses, fall back to the default).
    pub fn resolved(&self, spec: &ParamSpec) -> Param {
        let mut p = self.clone();
        if let Some(name) = p.choice.take() {
            p.base = spec.choice_value(&name).unwrap_or(spec.default);
        }
        p
    }
}

impl From<f32> for Param {
    fn from(v: f32) -> Self {
        Param::constant(v)
    }
}

const KEYS: &[&str] = &[
    "base",
    "feature",
    "amount",
    "attack",
    "release",
    "ease",
    "keyframes",
    "loop",
    "unit",
];

impl<'de> Deserialize<'de> for Param {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Param;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a number, a name from the parameter's choices, or a table { base, feature, amount, attack, release, ease } or { keyframes, ease, loop, unit }",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Param, E> {
                Ok(Param {
                    choice: Some(Arc::from(v)),
                    ..Param::constant(0.0)
                })
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Param, E> {
                if v.is_finite() {
                    Ok(Param::constant(v as f32))
                } else {
                    Err(E::custom("a parameter must be a finite number"))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Param, E> {
                Ok(Param::constant(v as f32))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Param, E> {
                Ok(Param::constant(v as f32))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Param, A::Error> {
                let mut p = Param::constant(0.0);
                let mut amount_set = false;
                let mut base_set = false;
                let mut points: Option<Vec<Vec<f64>>> = None;
                let mut looped: Option<bool> = None;
                let mut unit: Option<KeyUnit> = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "base" => {
                            p.base = map.next_value::<f64>()? as f32;
                            base_set = true;
                        }
                        "keyframes" => points = Some(map.next_value()?),
                        "loop" => looped = Some(map.next_value()?),
                        "unit" => {
                            let name: String = map.next_value()?;
                            unit = Some(KeyUnit::from_name(&name).ok_or_else(|| {
                                de::Error::custom(format!(
                                    "unknown keyframe unit `{name}`; valid: {}",
                                    KeyUnit::NAMES.join(", ")
                                ))
                            })?);
                        }
                        "amount" => {
                            p.amount = map.next_value::<f64>()? as f32;
                            amount_set = true;
                        }
                        "attack" => p.attack = non_negative(map.next_value::<f64>()?, "attack")?,
                        "release" => p.release = non_negative(map.next_value::<f64>()?, "release")?,
                        "feature" => {
                            let name: String = map.next_value()?;
                            let f = Feature::from_name(&name).ok_or_else(|| {
                                let names: Vec<&str> =
                                    Feature::ALL.iter().map(|f| f.name()).collect();
                                de::Error::custom(format!(
                                    "unknown feature `{name}`; valid features: {}",
                                    names.join(", ")
                                ))
                            })?;
                            p.feature = Some(f);
                        }
                        "ease" => {
                            let name: String = map.next_value()?;
                            p.ease = Some(Ease::from_name(&name).ok_or_else(|| {
                                de::Error::custom(format!(
                                    "unknown ease `{name}`; valid: {}",
                                    Ease::names().join(", ")
                                ))
                            })?);
                        }
                        other => return Err(de::Error::unknown_field(other, KEYS)),
                    }
                }
                if p.feature.is_some() && !amount_set {
                    p.amount = 1.0;
                }
                match points {
                    Some(_) if base_set => {
                        return Err(de::Error::custom(
                            "`keyframes` replace `base`: keep one of them",
                        ));
                    }
                    Some(pts) => {
                        if let Some(bad) = pts.iter().find(|p| p.len() != 2) {
                            return Err(de::Error::custom(format!(
                                "a keyframe is a [time, value] pair, not {bad:?}"
                            )));
                        }
                        let pts = pts.iter().map(|p| (p[0] as f32, p[1] as f32)).collect();
                        let ease = p.ease.take().unwrap_or(Ease::Linear);
                        let k = Keyframes::new(
                            pts,
                            ease,
                            looped.unwrap_or(false),
                            unit.unwrap_or_default(),
                        )
                        .map_err(de::Error::custom)?;
                        p.keys = Some(Arc::new(k));
                    }
                    None if looped.is_some() || unit.is_some() => {
                        return Err(de::Error::custom(
                            "`loop` and `unit` belong to keyframes: add `keyframes = [[time, value], ...]`",
                        ));
                    }
                    None => {}
                }
                Ok(p)
            }
        }
        d.deserialize_any(V)
    }
}

fn non_negative<E: de::Error>(v: f64, what: &str) -> Result<f32, E> {
    if v >= 0.0 && v.is_finite() {
        Ok(v as f32)
    } else {
        Err(E::custom(format!(
            "`{what}` is a time in seconds and must be >= 0"
        )))
    }
}

impl Serialize for Param {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        if let Some(name) = &self.choice {
            return s.serialize_str(name);
        }
        if self.feature.is_none() && self.keys.is_none() {
            return s.serialize_f64(round6(self.base));
        }
        let mut m = s.serialize_map(None)?;
        match &self.keys {
            Some(k) => {
                let pts: Vec<[f64; 2]> = k
                    .points
                    .iter()
                    .map(|p| [round6(p.0), round6(p.1)])
                    .collect();
                m.serialize_entry("keyframes", &pts)?;
                m.serialize_entry("ease", k.ease.name())?;
                m.serialize_entry("loop", &k.looped)?;
                m.serialize_entry("unit", k.unit.name())?;
            }
            None => m.serialize_entry("base", &round6(self.base))?,
        }
        if let Some(f) = self.feature {
            m.serialize_entry("feature", f.name())?;
            m.serialize_entry("amount", &round6(self.amount))?;
            m.serialize_entry("attack", &round6(self.attack))?;
            m.serialize_entry("release", &round6(self.release))?;
            if let Some(e) = self.ease.filter(|_| self.keys.is_none()) {
                m.serialize_entry("ease", e.name())?;
            }
        }
        m.end()
    }
}

/// Round to 6 significant decimals so saved presets read well (0.1 not 0.10000000149).
fn round6(v: f32) -> f64 {
    let s = format!("{v:.6}");
    s.parse().unwrap_or(v as f64)
}

/// A [`Param`] bound to a track's features: its envelope (and keyframe curve) is computed once
/// for the whole track, so any frame's value is a lookup (and shards of a render agree exactly).
#[derive(Clone, Debug, Default)]
pub struct ParamTrack {
    /// The parameter.
    pub param: Option<Param>,
    envelope: Vec<f32>,
    /// The keyframe curve per frame, replacing `base` (empty without keyframes).
    curve: Vec<f32>,
}

impl ParamTrack {
    /// Bind `param` to `features`.
    pub fn new(param: &Param, features: &Features) -> ParamTrack {
        let mut envelope = match param.feature {
            Some(f) if !features.is_empty() => {
                let col = features.column(f);
                if param.attack > 0.0 || param.release > 0.0 {
                    smooth_attack_release(col, features.fps, param.attack, param.release)
                } else {
                    col.to_vec()
                }
            }
            _ => Vec::new(),
        };
        if let Some(e) = param.ease {
            for v in &mut envelope {
                *v = e.apply(*v);
            }
        }
        let curve = match &param.keys {
            Some(k) if !features.is_empty() => k.curve(features),
            Some(k) => vec![k.at(0.0)],
            None => Vec::new(),
        };
        ParamTrack {
            param: Some(param.clone()),
            envelope,
            curve,
        }
    }

    /// The value at `frame` (the envelope and curve are held at their last value past the end).
    #[inline]
    pub fn value(&self, frame: usize) -> f32 {
        let Some(p) = &self.param else { return 0.0 };
        let base = match self.curve.len() {
            0 => p.base,
            n => self.curve[frame.min(n - 1)],
        };
        if self.envelope.is_empty() {
            return base
                + if p.feature.is_some() {
                    p.amount * 0.3
                } else {
                    0.0
                };
        }
        base + p.amount * self.envelope[frame.min(self.envelope.len() - 1)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T {
        p: Param,
    }

    #[test]
    fn number_or_table() {
        let t: T = toml::from_str("p = 2").unwrap();
        assert_eq!(t.p, Param::constant(2.0));
        let t: T = toml::from_str("p = { base = 1.0, feature = \"bass\", amount = 0.5 }").unwrap();
        assert_eq!(t.p.feature, Some(Feature::Bass));
        assert_eq!(t.p.amount, 0.5);
    }

    #[test]
    fn bad_tables_are_errors_naming_the_problem() {
        let e = toml::from_str::<T>("p = { base = 1, feature = \"bas\" }")
            .err()
            .unwrap();
        assert!(e.to_string().contains("unknown feature `bas`"), "{e}");
        let e = toml::from_str::<T>("p = { bsae = 1 }").err().unwrap();
        assert!(e.to_string().contains("bsae"), "{e}");
        let e = toml::from_str::<T>("p = { attack = -1 }").err().unwrap();
        assert!(e.to_string().contains("attack"), "{e}");
        assert!(toml::from_str::<T>("p = true").is_err());
        // a name parses; the preset checks it against the parameter's choices
        assert!(toml::from_str::<T>("p = \"x\"").is_ok());
    }

    #[test]
    fn serializes_back_to_the_same_param() {
        #[derive(Serialize, Deserialize)]
        struct W {
            p: Param,
        }
        let p = Param {
            base: 0.1,
            feature: Some(Feature::BeatDecay),
            amount: 0.7,
            attack: 0.01,
            release: 0.25,
            ease: None,
            choice: None,
            keys: None,
        };
        let s = toml::to_string(&W { p: p.clone() }).unwrap();
        let back: W = toml::from_str(&s).unwrap();
        assert_eq!(back.p, p);
        let p = Param {
            ease: Some(Ease::OutCubic),
            ..p
        };
        let s = toml::to_string(&W { p: p.clone() }).unwrap();
        assert_eq!(toml::from_str::<W>(&s).unwrap().p, p);
    }

    #[test]
    fn track_follows_the_feature() {
        let mut cols = vec![vec![0.0; 4]; Feature::COUNT];
        cols[Feature::Bass as usize] = vec![0.0, 1.0, 0.0, 0.5];
        let f = Features {
            fps: 24.0,
            duration: 4.0 / 24.0,
            tempo_bpm: 0.0,
            tempo_confidence: 0.0,
            beats: vec![],
            downbeats: vec![],
            onsets: vec![],
            columns: cols,
            spectrum: vec![],
        };
        let t = ParamTrack::new(&Param::modulated(1.0, Feature::Bass, 2.0), &f);
        assert_eq!(t.value(0), 1.0);
        assert_eq!(t.value(1), 3.0);
        assert_eq!(t.value(3), 2.0);
        assert_eq!(t.value(99), 2.0);
        // an eased envelope: in_quad squares the feature before scaling
        let p: T =
            toml::from_str("p = { base = 1, feature = \"bass\", amount = 2, ease = \"in_quad\" }")
                .unwrap();
        let t = ParamTrack::new(&p.p, &f);
        assert_eq!(t.value(3), 1.5);
        assert_eq!(t.value(1), 3.0);
        let e = toml::from_str::<T>("p = { feature = \"bass\", ease = \"in_qaud\" }")
            .err()
            .unwrap();
        assert!(e.to_string().contains("unknown ease `in_qaud`"), "{e}");
    }

    #[test]
    fn names_and_keyframes_parse_and_save_back() {
        #[derive(Serialize, Deserialize)]
        struct W {
            p: Param,
        }
        let w: W = toml::from_str("p = \"star\"").unwrap();
        assert_eq!(w.p.choice.as_deref(), Some("star"));
        assert_eq!(toml::to_string(&w).unwrap().trim(), "p = \"star\"");
        let src = "p = { keyframes = [[0, 0.2], [4, 1.0], [8, 0.5]], ease = \"in_out_cubic\", loop = true, feature = \"bass\", amount = 0.5 }";
        let w: W = toml::from_str(src).unwrap();
        let k = w.p.keys.as_ref().unwrap();
        assert_eq!(k.points.len(), 3);
        assert_eq!((k.ease, k.looped), (Ease::InOutCubic, true));
        assert_eq!(
            w.p.ease, None,
            "the ease shapes the keyframes, not the feature"
        );
        let again: W = toml::from_str(&toml::to_string(&w).unwrap()).unwrap();
        assert_eq!(again.p, w.p);
        for (bad, want) in [
            ("p = { base = 1, keyframes = [[0, 1]] }", "replace `base`"),
            ("p = { loop = true }", "belong to keyframes"),
            ("p = { keyframes = [[1, 0], [0, 1]] }", "in order"),
            (
                "p = { keyframes = [[0, 1]], unit = \"bars\" }",
                "unknown keyframe unit",
            ),
            ("p = { keyframes = [[0, 1, 2]] }", "[time, value] pair"),
        ] {
            let e = toml::from_str::<W>(bad).err().unwrap().to_string();
            assert!(e.contains(want), "{bad}: {e}");
        }
    }

    #[test]
    fn a_keyframed_track_follows_the_scene_clock_plus_the_feature() {
        let mut f = crate::audio::synthetic_features(120.0, 10.0, 3.0, 1);
        crate::scene::SceneClock::whole(f.len() as u64).fill(&mut f);
        let t: T = toml::from_str("p = { keyframes = [[0, 0], [1, 2], [2, 1]] }").unwrap();
        let tr = ParamTrack::new(&t.p, &f);
        assert_eq!(tr.value(0), 0.0);
        assert!((tr.value(5) - 1.0).abs() < 1e-6);
        assert!((tr.value(15) - 1.5).abs() < 1e-6);
        assert_eq!(tr.value(29), 1.0);
        let t: T = toml::from_str(
            "p = { keyframes = [[0, 0], [1, 2]], feature = \"scene_progress\", amount = 10 }",
        )
        .unwrap();
        let tr = ParamTrack::new(&t.p, &f);
        let progress = f.column(Feature::SceneProgress)[5];
        assert!((tr.value(5) - (1.0 + 10.0 * progress)).abs() < 1e-5);
    }
}
