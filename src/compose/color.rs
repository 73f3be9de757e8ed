//! Colour spaces and helpers: HSV, sRGB ↔ linear, OKLAB/OKLCH gradients and harmonies.

/// HSV (all in `[0, 1]`, hue wraps) to 8-bit RGB.
#[inline]
pub fn hsv_to_rgb(h: f32, s: f32, v: f32) -> [u8; 3] {
    let h = (h - h.floor()) * 6.0;
    let s = s.clamp(0.0, 1.0);
    let v = v.clamp(0.0, 1.0);
    let i = (h as i32).min(5);
    let f = h - i as f32;
    let p = v * (1.0 - s);
    let q = v * (1.0 - s * f);
    let t = v * (1.0 - s * (1.0 - f));
    let (r, g, b) = match i {
        0 => (v, t, p),
        1 => (q, v, p),
        2 => (p, v, t),
        3 => (p, q, v),
        4 => (t, p, v),
        _ => (v, p, q),
    };
    [to_u8(r), to_u8(g), to_u8(b)]
}

#[inline]
fn to_u8(x: f32) -> u8 {
    (x * 255.0 + 0.5).clamp(0.0, 255.0) as u8
}

/// sRGB component (0–1) to linear light.
pub fn srgb_to_linear(c: f32) -> f32 {
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// Linear light (0–1) to an sRGB component.
pub fn linear_to_srgb(c: f32) -> f32 {
    let c = c.clamp(0.0, 1.0);
    if c <= 0.003_130_8 {
        c * 12.92
    } else {
        1.055 * c.powf(1.0 / 2.4) - 0.055
    }
}

/// 8-bit sRGB to OKLAB `[L, a, b]` (Björn Ottosson's matrices).
pub fn rgb_to_oklab(rgb: [u8; 3]) -> [f32; 3] {
    let [r, g, b] = rgb.map(|c| srgb_to_linear(c as f32 / 255.0));
    let l = 0.412_221_46 * r + 0.536_332_55 * g + 0.051_445_995 * b;
    let m = 0.211_903_5 * r + 0.680_699_5 * g + 0.107_396_96 * b;
    let s = 0.088_302_46 * r + 0.281_718_85 * g + 0.629_978_7 * b;
    let (l, m, s) = (l.cbrt(), m.cbrt(), s.cbrt());
    [
        0.210_454_26 * l + 0.793_617_8 * m - 0.004_072_047 * s,
        1.977_998_5 * l - 2.428_592_2 * m + 0.450_593_7 * s,
        0.025_904_037 * l + 0.782_771_77 * m - 0.808_675_77 * s,
    ]
}

/// OKLAB to 8-bit sRGB (out-of-gamut values are clipped).
pub fn oklab_to_rgb(lab: [f32; 3]) -> [u8; 3] {
    let [ll, a, b] = lab;
    let l = ll + 0.396_337_78 * a + 0.215_803_76 * b;
    let m = ll - 0.105_561_346 * a - 0.063_854_17 * b;
    let s = ll - 0.089_484_18 * a - 1.291_485_5 * b;
    let (l, m, s) = (l * l * l, m * m * m, s * s * s);
    let r = 4.076_741_7 * l - 3.307_711_6 * m + 0.230_969_94 * s;
    let g = -1.268_438 * l + 2.609_757_4 * m - 0.341_319_38 * s;
    let bb = -0.004_196_086_3 * l - 0.703_418_6 * m + 1.707_614_7 * s;
    [r, g, bb].map(|c| to_u8(linear_to_srgb(c)))
}

/// OKLCH (`L`, chroma, hue in turns) to OKLAB.
pub fn oklch_to_oklab(l: f32, c: f32, h: f32) -> [f32; 3] {
    let a = h * std::f32::consts::TAU;
    [l, c * a.cos(), c * a.sin()]
}

/// OKLAB to OKLCH (`L`, chroma, hue in turns `[0, 1)`).
pub fn oklab_to_oklch(lab: [f32; 3]) -> [f32; 3] {
    let c = lab[1].hypot(lab[2]);
    let h = lab[2].atan2(lab[1]) / std::f32::consts::TAU;
    [lab[0], c, h - h.floor()]
}

/// A perceptually even gradient through `stops`, sampled into a 256-entry table.
#[derive(Clone, Debug, PartialEq)]
pub struct Gradient {
    table: Vec<[u8; 3]>,
}

impl Gradient {
    /// Interpolate `stops` (at least one) in OKLAB.
    pub fn oklab(stops: &[[u8; 3]]) -> Gradient {
        let stops: Vec<[f32; 3]> = if stops.is_empty() {
            vec![[0.0; 3], [1.0, 0.0, 0.0]]
        } else {
            stops.iter().map(|&c| rgb_to_oklab(c)).collect()
        };
        let n = stops.len();
        let table = (0..256)
            .map(|i| {
                if n == 1 {
                    return oklab_to_rgb(stops[0]);
                }
                let x = i as f32 / 255.0 * (n - 1) as f32;
                let k = (x as usize).min(n - 2);
                let f = x - k as f32;
                let (a, b) = (stops[k], stops[k + 1]);
                oklab_to_rgb([0, 1, 2].map(|j| a[j] + (b[j] - a[j]) * f))
            })
            .collect();
        Gradient { table }
    }

    /// Interpolate `stops` (at least one) in OKLCH: lightness and chroma linearly, hue along
    /// the shorter arc (the reference's `lerp_oklch(short_path=True)`), so a gradient between
    /// two saturated colours stays saturated instead of passing through grey. A grey stop
    /// takes its neighbour's hue.
    pub fn oklch(stops: &[[u8; 3]]) -> Gradient {
        if stops.len() < 2 {
            return Gradient::oklab(stops);
        }
        let lch: Vec<[f32; 3]> = stops
            .iter()
            .map(|&c| oklab_to_oklch(rgb_to_oklab(c)))
            .collect();
        let n = lch.len();
        let table = (0..256)
            .map(|i| {
                let x = i as f32 / 255.0 * (n - 1) as f32;
                let k = (x as usize).min(n - 2);
                let f = x - k as f32;
                let (a, b) = (lch[k], lch[k + 1]);
                const GREY: f32 = 0.02;
                let (ha, hb) = match (a[1] < GREY, b[1] < GREY) {
                    (true, false) => (b[2], b[2]),
                    (false, true) => (a[2], a[2]),
                    _ => (a[2], b[2]),
                };
                let mut dh = hb - ha;
                dh -= dh.round(); // shorter arc: -0.5..0.5 turns
                oklab_to_rgb(oklch_to_oklab(
                    a[0] + (b[0] - a[0]) * f,
                    a[1] + (b[1] - a[1]) * f,
                    ha + dh * f,
                ))
            })
            .collect();
        Gradient { table }
    }

    /// The colour at `t` in `[0, 1]`.
    #[inline]
    pub fn at(&self, t: f32) -> [u8; 3] {
        self.table[(t.clamp(0.0, 1.0) * 255.0 + 0.5) as usize]
    }
}

/// Colour harmonies built in OKLCH, keeping the seed's lightness and chroma.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Harmony {
    /// The seed and its opposite.
    Complementary,
    /// Three hues a third apart.
    Triadic,
    /// Five neighbouring hues.
    Analogous,
    /// The seed and the two neighbours of its complement.
    SplitComplementary,
    /// Four hues a quarter apart.
    Tetradic,
}

impl Harmony {
    /// Names used in presets.
    pub const NAMES: &'static [&'static str] = &[
        "complementary",
        "triadic",
        "analogous",
        "split_complementary",
        "tetradic",
    ];

    /// Look a harmony up by name.
    pub fn from_name(name: &str) -> Option<Harmony> {
        Some(match name {
            "complementary" => Harmony::Complementary,
            "triadic" => Harmony::Triadic,
            "analogous" => Harmony::Analogous,
            "split_complementary" => Harmony::SplitComplementary,
            "tetradic" => Harmony::Tetradic,
            _ => return None,
        })
    }

    /// The harmony's colours, starting with the seed.
    pub fn colors(self, seed: [u8; 3]) -> Vec<[u8; 3]> {
        let [l, c, h] = oklab_to_oklch(rgb_to_oklab(seed));
        let offsets: &[f32] = match self {
            Harmony::Complementary => &[0.0, 0.5],
            Harmony::Triadic => &[0.0, 1.0 / 3.0, 2.0 / 3.0],
            Harmony::Analogous => &[-0.16, -0.08, 0.0, 0.08, 0.16],
            Harmony::SplitComplementary => &[0.0, 0.42, 0.58],
            Harmony::Tetradic => &[0.0, 0.25, 0.5, 0.75],
        };
        offsets
            .iter()
            .map(|o| oklab_to_rgb(oklch_to_oklab(l, c, h + o)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hsv_primaries() {
        assert_eq!(hsv_to_rgb(0.0, 1.0, 1.0), [255, 0, 0]);
        assert_eq!(hsv_to_rgb(1.0 / 3.0, 1.0, 1.0), [0, 255, 0]);
        assert_eq!(hsv_to_rgb(2.0 / 3.0, 1.0, 1.0), [0, 0, 255]);
        assert_eq!(hsv_to_rgb(0.5, 0.0, 0.5), [128, 128, 128]);
        assert_eq!(hsv_to_rgb(1.0, 1.0, 1.0), [255, 0, 0]);
    }

    #[test]
    fn oklab_round_trips() {
        for c in [[0, 0, 0], [255, 255, 255], [255, 0, 102], [12, 200, 77]] {
            let back = oklab_to_rgb(rgb_to_oklab(c));
            for i in 0..3 {
                assert!(
                    (back[i] as i32 - c[i] as i32).abs() <= 1,
                    "{c:?} -> {back:?}"
                );
            }
        }
    }

    #[test]
    fn gradient_ends_and_midpoint() {
        let g = Gradient::oklab(&[[0, 0, 0], [255, 255, 255]]);
        assert_eq!(g.at(0.0), [0, 0, 0]);
        assert_eq!(g.at(1.0), [255, 255, 255]);
        let mid = g.at(0.5);
        // OKLAB's midpoint between black and white is a perceptual mid grey, not 128
        assert!(mid[0] > 90 && mid[0] < 120 && mid[0] == mid[1], "{mid:?}");
    }

    #[test]
    fn oklch_keeps_chroma_where_oklab_greys_out() {
        let (red, cyan) = ([230, 40, 40], [40, 200, 210]);
        let lab = Gradient::oklab(&[red, cyan]).at(0.5);
        let lch = Gradient::oklch(&[red, cyan]).at(0.5);
        let chroma = |c| oklab_to_oklch(rgb_to_oklab(c))[1];
        assert!(chroma(lch) > 2.0 * chroma(lab), "{lch:?} vs {lab:?}");
        let g = Gradient::oklch(&[red, cyan]);
        for (t, c) in [(0.0, red), (1.0, cyan)] {
            let e = g.at(t);
            assert!(
                (0..3).all(|i| (e[i] as i32 - c[i] as i32).abs() <= 1),
                "{e:?}"
            );
        }
    }

    #[test]
    fn complement_is_opposite_hue() {
        let cols = Harmony::Complementary.colors([255, 0, 0]);
        assert_eq!(cols.len(), 2);
        assert!(
            cols[1][2] > cols[1][0],
            "complement of red leans cyan: {:?}",
            cols[1]
        );
    }
}
