//! `Param`: a number that may be modulated by an audio feature.
//!
//! In preset files a parameter is either a plain number (`speed = 1.5`) or a table
//! (`speed = { base = 1.0, feature = "bass", amount = 2.0, attack = 0.01, release = 0.3 }`):
//! `value = base + amount × envelope(feature)`, where the envelope follows the feature with the
//! given attack and release times in seconds (so it looks the same at any frame rate).
//! `ease = "out_cubic"` (`asciivid list easings`) shapes the envelope with an easing curve, so a
//! parameter following `scene_progress` moves along the reference's directional arcs
//! (ease-in, ease-out, build-and-plateau) over a timeline section.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::ease::Ease;
use crate::audio::smooth_attack_release;
use crate::features::{Feature, Features};

/// A tunable value: a base plus optional modulation by a feature.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
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
        }
    }

    /// `base + amount × feature`, with no smoothing.
    pub fn modulated(base: f32, feature: Feature, amount: f32) -> Param {
        Param {
            base,
            feature: Some(feature),
            amount,
            attack: 0.0,
            release: 0.0,
            ease: None,
        }
    }
}

impl From<f32> for Param {
    fn from(v: f32) -> Self {
        Param::constant(v)
    }
}

const KEYS: &[&str] = &["base", "feature", "amount", "attack", "release", "ease"];

impl<'de> Deserialize<'de> for Param {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Param;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a table { base, feature, amount, attack, release, ease }")
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
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "base" => p.base = map.next_value::<f64>()? as f32,
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
        match self.feature {
            None => s.serialize_f64(round6(self.base)),
            Some(f) => {
                let mut m = s.serialize_map(Some(5 + usize::from(self.ease.is_some())))?;
                m.serialize_entry("base", &round6(self.base))?;
                m.serialize_entry("feature", f.name())?;
                m.serialize_entry("amount", &round6(self.amount))?;
                m.serialize_entry("attack", &round6(self.attack))?;
                m.serialize_entry("release", &round6(self.release))?;
                if let Some(e) = self.ease {
                    m.serialize_entry("ease", e.name())?;
                }
                m.end()
            }
        }
    }
}

/// Round to 6 significant decimals so saved presets read well (0.1 not 0.10000000149).
fn round6(v: f32) -> f64 {
    let s = format!("{v:.6}");
    s.parse().unwrap_or(v as f64)
}

/// A [`Param`] bound to a track's features: its envelope is computed once for the whole track,
/// so any frame's value is a lookup (and shards of a render agree exactly).
#[derive(Clone, Debug, Default)]
pub struct ParamTrack {
    /// The parameter.
    pub param: Option<Param>,
    envelope: Vec<f32>,
}

impl ParamTrack {
    /// Bind `param` to `features`.
    pub fn new(param: Param, features: &Features) -> ParamTrack {
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
        ParamTrack {
            param: Some(param),
            envelope,
        }
    }

    /// The value at `frame` (the envelope is held at its last value past the end).
    #[inline]
    pub fn value(&self, frame: usize) -> f32 {
        let Some(p) = &self.param else { return 0.0 };
        if self.envelope.is_empty() {
            return p.base
                + if p.feature.is_some() {
                    p.amount * 0.3
                } else {
                    0.0
                };
        }
        p.base + p.amount * self.envelope[frame.min(self.envelope.len() - 1)]
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
        assert!(toml::from_str::<T>("p = \"x\"").is_err());
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
        };
        let s = toml::to_string(&W { p }).unwrap();
        let back: W = toml::from_str(&s).unwrap();
        assert_eq!(back.p, p);
        let p = Param {
            ease: Some(Ease::OutCubic),
            ..p
        };
        let s = toml::to_string(&W { p }).unwrap();
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
        let t = ParamTrack::new(Param::modulated(1.0, Feature::Bass, 2.0), &f);
        assert_eq!(t.value(0), 1.0);
        assert_eq!(t.value(1), 3.0);
        assert_eq!(t.value(3), 2.0);
        assert_eq!(t.value(99), 2.0);
        // an eased envelope: in_quad squares the feature before scaling
        let p: T =
            toml::from_str("p = { base = 1, feature = \"bass\", amount = 2, ease = \"in_quad\" }")
                .unwrap();
        let t = ParamTrack::new(p.p, &f);
        assert_eq!(t.value(3), 1.5);
        assert_eq!(t.value(1), 3.0);
        let e = toml::from_str::<T>("p = { feature = \"bass\", ease = \"in_qaud\" }")
            .err()
            .unwrap();
        assert!(e.to_string().contains("unknown ease `in_qaud`"), "{e}");
    }
}
