//! The 20 blend modes, as exact float formulas and as 8-bit lookup tables for the hot loops.

use std::sync::OnceLock;

macro_rules! blend_modes {
    ($($variant:ident => $name:literal : $doc:literal,)*) => {
        /// How a layer's colour `b` combines with the colour `a` beneath it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
        pub enum BlendMode {
            /// `b`: the layer replaces what is beneath (where it has ink).
            #[default]
            Normal,
            $(#[doc = $doc] $variant,)*
        }

        impl BlendMode {
            /// Every mode.
            pub const ALL: &'static [BlendMode] = &[BlendMode::Normal, $(BlendMode::$variant,)*];

            /// The name used in presets.
            pub fn name(self) -> &'static str {
                match self { BlendMode::Normal => "normal", $(BlendMode::$variant => $name,)* }
            }

            /// One-line description.
            pub fn doc(self) -> &'static str {
                match self {
                    BlendMode::Normal => "the layer replaces what is beneath (where it has ink)",
                    $(BlendMode::$variant => $doc,)*
                }
            }

            /// Look a mode up by name (a few common spellings are accepted).
            pub fn from_name(name: &str) -> Option<BlendMode> {
                match name.replace('-', "_").as_str() {
                    "normal" => Some(BlendMode::Normal),
                    "pinlight" => Some(BlendMode::PinLight),
                    "hardmix" => Some(BlendMode::HardMix),
                    $($name => Some(BlendMode::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

blend_modes! {
    Add => "add": "a + b, clipped: sparkles, particles, glow",
    Subtract => "subtract": "a - b, clipped",
    Multiply => "multiply": "a * b: darkens (never use on dark layers or in feedback)",
    Screen => "screen": "1 - (1-a)(1-b): brightens softly; the best default for dark ASCII layers",
    Overlay => "overlay": "multiply or screen keyed on the base",
    Softlight => "softlight": "gentle contrast: (1-2b)a^2 + 2ba",
    Hardlight => "hardlight": "overlay keyed on the layer",
    Difference => "difference": "|a - b|: psychedelic inversions",
    Exclusion => "exclusion": "a + b - 2ab: softer difference",
    Colordodge => "colordodge": "a / (1 - b): hot highlights (use at low opacity)",
    Colorburn => "colorburn": "1 - (1 - a) / b: deep shadows",
    Linearlight => "linearlight": "a + 2b - 1, clipped",
    Vividlight => "vividlight": "burn below 0.5, dodge above",
    PinLight => "pin_light": "darken below 0.5, lighten above",
    HardMix => "hard_mix": "1 where a + b >= 1, else 0: posterized",
    Lighten => "lighten": "max(a, b)",
    Darken => "darken": "min(a, b)",
    GrainExtract => "grain_extract": "a - b + 0.5",
    GrainMerge => "grain_merge": "a + b - 0.5",
}

const EPS: f32 = 1e-6;

impl BlendMode {
    /// The mode's formula on `[0, 1]` values (before opacity).
    pub fn apply(self, a: f32, b: f32) -> f32 {
        let r = match self {
            BlendMode::Normal => b,
            BlendMode::Add => a + b,
            BlendMode::Subtract => a - b,
            BlendMode::Multiply => a * b,
            BlendMode::Screen => 1.0 - (1.0 - a) * (1.0 - b),
            BlendMode::Overlay => {
                if a < 0.5 {
                    2.0 * a * b
                } else {
                    1.0 - 2.0 * (1.0 - a) * (1.0 - b)
                }
            }
            BlendMode::Softlight => (1.0 - 2.0 * b) * a * a + 2.0 * b * a,
            BlendMode::Hardlight => {
                if b < 0.5 {
                    2.0 * a * b
                } else {
                    1.0 - 2.0 * (1.0 - a) * (1.0 - b)
                }
            }
            BlendMode::Difference => (a - b).abs(),
            BlendMode::Exclusion => a + b - 2.0 * a * b,
            BlendMode::Colordodge => a / (1.0 - b + EPS),
            BlendMode::Colorburn => 1.0 - (1.0 - a) / (b + EPS),
            BlendMode::Linearlight => a + 2.0 * b - 1.0,
            BlendMode::Vividlight => {
                if b < 0.5 {
                    1.0 - (1.0 - a) / (2.0 * b + EPS)
                } else {
                    a / (2.0 * (1.0 - b) + EPS)
                }
            }
            BlendMode::PinLight => {
                if b < 0.5 {
                    a.min(2.0 * b)
                } else {
                    a.max(2.0 * b - 1.0)
                }
            }
            BlendMode::HardMix => {
                if a + b >= 1.0 {
                    1.0
                } else {
                    0.0
                }
            }
            BlendMode::Lighten => a.max(b),
            BlendMode::Darken => a.min(b),
            BlendMode::GrainExtract => a - b + 0.5,
            BlendMode::GrainMerge => a + b - 0.5,
        };
        r.clamp(0.0, 1.0)
    }

    /// The 8-bit table of this mode: `lut()[b * 256 + a]` = mode(a, b).
    pub fn lut(self) -> &'static [u8] {
        static LUTS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
        let luts = LUTS.get_or_init(|| {
            BlendMode::ALL
                .iter()
                .map(|m| {
                    let mut t = vec![0u8; 65536];
                    for b in 0..256 {
                        for a in 0..256 {
                            let v = m.apply(a as f32 / 255.0, b as f32 / 255.0);
                            t[b * 256 + a] = (v * 255.0).round() as u8;
                        }
                    }
                    t
                })
                .collect()
        });
        let idx = BlendMode::ALL.iter().position(|m| *m == self).unwrap_or(0);
        &luts[idx]
    }

    /// The 8-bit table of this mode computed in linear light (the reference's
    /// `blend_canvas_linear`): both colours are decoded from sRGB, blended, and encoded back,
    /// so `add` and `screen` mix the way light does (two mid greys add to a lighter grey
    /// instead of clipping to white; dark colours contribute less).
    /// Laid out like [`BlendMode::lut`].
    pub fn lut_linear(self) -> &'static [u8] {
        use super::color::{linear_to_srgb, srgb_to_linear};
        static LUTS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
        let luts = LUTS.get_or_init(|| {
            let lin: Vec<f32> = (0..256).map(|i| srgb_to_linear(i as f32 / 255.0)).collect();
            BlendMode::ALL
                .iter()
                .map(|m| {
                    let mut t = vec![0u8; 65536];
                    for b in 0..256 {
                        for a in 0..256 {
                            let v = linear_to_srgb(m.apply(lin[a], lin[b]));
                            t[b * 256 + a] = (v * 255.0).round() as u8;
                        }
                    }
                    t
                })
                .collect()
        });
        let idx = BlendMode::ALL.iter().position(|m| *m == self).unwrap_or(0);
        &luts[idx]
    }
}

/// Blend `top` onto `base` (same size, RGB bytes) with a mode and opacity, in place, in bands.
pub fn blend_buffers(base: &mut [u8], top: &[u8], mode: BlendMode, opacity: f32) {
    use rayon::prelude::*;
    let lut = mode.lut();
    let w = (opacity.clamp(0.0, 1.0) * 256.0).round() as i32;
    base.par_chunks_mut(1 << 16)
        .zip(top.par_chunks(1 << 16))
        .for_each(|(b, t)| {
            for (a, &c) in b.iter_mut().zip(t) {
                let av = *a as i32;
                let r = lut[(c as usize) << 8 | *a as usize] as i32;
                *a = (av + (((r - av) * w) >> 8)) as u8;
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_modes_with_unique_names() {
        assert_eq!(BlendMode::ALL.len(), 20);
        for m in BlendMode::ALL {
            assert_eq!(BlendMode::from_name(m.name()), Some(*m));
        }
    }

    #[test]
    fn formulas_match_their_definitions() {
        use BlendMode::*;
        assert_eq!(Screen.apply(0.5, 0.5), 0.75);
        assert_eq!(Multiply.apply(0.5, 0.5), 0.25);
        assert_eq!(Add.apply(0.8, 0.8), 1.0);
        assert_eq!(Difference.apply(0.2, 0.7), 0.5);
        assert_eq!(HardMix.apply(0.6, 0.5), 1.0);
        assert!(Colordodge.apply(0.5, 1.0).is_finite());
        assert!(Colorburn.apply(0.5, 0.0).is_finite());
        for m in BlendMode::ALL {
            for a in [0.0, 0.3, 1.0] {
                for b in [0.0, 0.5, 1.0] {
                    let v = m.apply(a, b);
                    assert!((0.0..=1.0).contains(&v), "{m:?} {a} {b} -> {v}");
                }
            }
        }
    }

    #[test]
    fn linear_light_adds_like_light_and_keeps_selection_modes() {
        use crate::compose::color::{linear_to_srgb, srgb_to_linear};
        // two mid greys added: clipped to white in sRGB, a lighter grey in linear light
        let lin = srgb_to_linear(128.0 / 255.0);
        let want = (linear_to_srgb(2.0 * lin) * 255.0).round() as u8;
        assert_eq!(BlendMode::Add.lut()[128 * 256 + 128], 255);
        assert_eq!(BlendMode::Add.lut_linear()[128 * 256 + 128], want);
        assert!((170..=180).contains(&want), "{want}");
        for m in [BlendMode::Normal, BlendMode::Lighten, BlendMode::Darken] {
            for (a, b) in [(0, 0), (10, 200), (255, 30), (128, 128)] {
                assert_eq!(m.lut_linear()[b * 256 + a], m.lut()[b * 256 + a], "{m:?}");
            }
        }
    }

    #[test]
    fn every_mode_changes_a_test_frame_and_is_deterministic() {
        let base: Vec<u8> = (0..3 * 64 * 64).map(|i| (i * 37 % 256) as u8).collect();
        let top: Vec<u8> = (0..3 * 64 * 64)
            .map(|i| ((i * 101 + 50) % 256) as u8)
            .collect();
        for m in BlendMode::ALL {
            let mut a = base.clone();
            blend_buffers(&mut a, &top, *m, 0.8);
            assert_ne!(a, base, "{m:?} changed nothing");
            let mut b = base.clone();
            blend_buffers(&mut b, &top, *m, 0.8);
            assert_eq!(a, b, "{m:?}");
        }
    }

    #[test]
    fn lut_agrees_with_formula_and_opacity_lerps() {
        let lut = BlendMode::Screen.lut();
        assert_eq!(lut[128 * 256 + 128], 192); // 1 - (127/255)^2 = 0.752
        let mut base = vec![100u8; 6];
        blend_buffers(&mut base, &[200u8; 6], BlendMode::Normal, 0.5);
        assert!(base.iter().all(|&v| v == 150), "{base:?}");
        let mut base = vec![100u8; 3];
        blend_buffers(&mut base, &[200u8; 3], BlendMode::Lighten, 0.0);
        assert_eq!(base, vec![100; 3]);
    }
}
