//! `edge_glow`: Sobel edge magnitude of the luma, added back as a coloured overlay, so outlines
//! light up in one hue (neon edges).

use rayon::prelude::*;

use super::simd::multiversion;
use super::{Shader, ShaderSpec, util};
use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;

const PARAMS: &[ParamSpec] = &[
    ParamSpec::new(
        "hue",
        0.0,
        1.0,
        0.5,
        "glow hue in turns (0 red, 1/3 green, 2/3 blue)",
    ),
    ParamSpec::new("strength", 0.0, 4.0, 1.0, "glow gain"),
];

/// Registry entry.
pub(super) const SPEC: ShaderSpec = ShaderSpec {
    name: "edge_glow",
    doc: "edges (Sobel on luma) added back in one colour",
    params: PARAMS,
    heavy: false,
    make: || Box::new(EdgeGlow::default()),
};

#[derive(Default)]
struct EdgeGlow {
    /// Luma of the whole frame, rows padded by one pixel each side.
    luma: Vec<u8>,
    /// Per band: Sobel column terms; magnitudes and their 3× expansion.
    sums: Vec<i16>,
    mag: Vec<u8>,
    /// Per-byte glow gain: the colour pattern repeated along a row.
    gain: Vec<u16>,
}

impl Shader for EdgeGlow {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], _ctx: &FrameCtx) {
        let Some((w, h)) = util::dims(frame) else {
            return;
        };
        let [hue, strength] = util::read::<2>(params, PARAMS);
        let colour = hue_rgb(hue as f64);
        let gain: [u16; 3] =
            std::array::from_fn(|c| (colour[c] * strength as f64 * 256.0).round() as u16);
        if gain == [0; 3] {
            return;
        }
        let stride = w * 3;
        let pw = w + 2;
        util::ensure_len(&mut self.luma, h * pw);
        self.gain.clear();
        self.gain.extend((0..stride).map(|i| gain[i % 3]));
        self.luma
            .par_chunks_mut(pw)
            .zip(frame.data.par_chunks(stride))
            .for_each(|(l, row)| {
                luma_row(&mut l[1..=w], row);
                l[0] = l[1];
                l[w + 1] = l[w];
            });
        let band = util::band_rows(w);
        let bands = h.div_ceil(band);
        util::ensure_len(&mut self.sums, bands * 2 * pw);
        let per_band = w + stride + 1;
        util::ensure_len(&mut self.mag, bands * per_band);
        let (luma, pattern) = (&self.luma, &self.gain);
        frame
            .data
            .par_chunks_mut(band * stride)
            .zip(self.sums.par_chunks_mut(2 * pw))
            .zip(self.mag.par_chunks_mut(per_band))
            .enumerate()
            .for_each(|(b, ((rows, sums), mags))| {
                let (s, d) = sums.split_at_mut(pw);
                let (mag, mag3) = mags.split_at_mut(w);
                for (i, row) in rows.chunks_exact_mut(stride).enumerate() {
                    let y = b * band + i;
                    let line = |y: usize| &luma[y * pw..(y + 1) * pw];
                    let (up, down) = (line(y.saturating_sub(1)), line((y + 1).min(h - 1)));
                    column_terms(s, d, up, line(y), down);
                    magnitude(mag, s, d);
                    // Each magnitude to its pixel's three bytes; the 4-byte store's spare byte
                    // is overwritten by the next pixel (or lands in the spare slot at the end).
                    for (x, &m) in mag.iter().enumerate() {
                        let m = m as u32 * 0x0001_0101;
                        mag3[3 * x..3 * x + 4].copy_from_slice(&m.to_le_bytes());
                    }
                    add_glow(row, &mag3[..stride], pattern);
                }
            });
    }
}

/// Fully saturated colour of `hue` turns, channels in `0.0..=1.0`.
fn hue_rgb(hue: f64) -> [f64; 3] {
    std::array::from_fn(|c| {
        let k = (hue * 6.0 + [5.0, 3.0, 1.0][c]).rem_euclid(6.0);
        // HSV with s = v = 1: 1 − clamp(min(k, 4 − k), 0, 1).
        1.0 - k.min(4.0 - k).clamp(0.0, 1.0)
    })
}

multiversion! {
    fn luma_row(out: &mut [u8], row: &[u8]) {
        for (o, px) in out.iter_mut().zip(row.chunks_exact(3)) {
            *o = ((77 * px[0] as u32 + 150 * px[1] as u32 + 29 * px[2] as u32 + 128) >> 8) as u8;
        }
    }
}

multiversion! {
    /// Sobel column terms: `s = up + 2·mid + down` (for gx), `d = down − up` (for gy).
    fn column_terms(s: &mut [i16], d: &mut [i16], up: &[u8], mid: &[u8], down: &[u8]) {
        for ((((s, d), &a), &b), &c) in s.iter_mut().zip(d.iter_mut()).zip(up).zip(mid).zip(down) {
            *s = a as i16 + 2 * b as i16 + c as i16;
            *d = c as i16 - a as i16;
        }
    }
}

multiversion! {
    /// `(|gx| + |gy|) / 4` per pixel from padded column terms, clamped to 255.
    fn magnitude(mag: &mut [u8], s: &[i16], d: &[i16]) {
        let n = mag.len().min(s.len().saturating_sub(2)).min(d.len().saturating_sub(2));
        let (s0, s2) = (&s[..n], &s[2..n + 2]);
        let (d0, d1, d2) = (&d[..n], &d[1..n + 1], &d[2..n + 2]);
        for i in 0..n {
            let gx = (s2[i] - s0[i]).unsigned_abs();
            let gy = (d0[i] + 2 * d1[i] + d2[i]).unsigned_abs();
            mag[i] = ((gx + gy + 2) >> 2).min(255) as u8;
        }
    }
}

multiversion! {
    fn add_glow(row: &mut [u8], mag: &[u8], gain: &[u16]) {
        for ((p, &m), &g) in row.iter_mut().zip(mag).zip(gain) {
            let add = ((m as u32 * g as u32 + 128) >> 8).min(255) as u8;
            *p = p.saturating_add(add);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::hue_rgb;
    use crate::frame::Frame;
    use crate::shaders::test_util::{ctx, mean, run};

    /// Dark grey with a bright square in the middle.
    fn square() -> Frame {
        let mut f = Frame::new(40, 40);
        f.data.fill(30);
        for y in 15..25 {
            for x in 15..25 {
                f.data[(y * 40 + x) * 3..][..3].fill(200);
            }
        }
        f
    }

    #[test]
    fn edges_glow_in_the_chosen_hue_and_flat_areas_do_not() {
        let f = square();
        let out = run("edge_glow", &f, &[0.0, 1.0], &ctx(0));
        // Flat interior and background unchanged.
        assert_eq!(out.pixel(20, 20), f.pixel(20, 20));
        assert_eq!(out.pixel(3, 3), f.pixel(3, 3));
        // The left edge gains red only.
        assert!(mean(&out, 14, 15, 17, 23, 0) > 150.0);
        assert_eq!(mean(&out, 14, 15, 17, 23, 1), 30.0);
        assert_eq!(mean(&out, 14, 15, 17, 23, 2), 30.0);
        assert_eq!(run("edge_glow", &f, &[0.3, 0.0], &ctx(0)), f);
    }

    #[test]
    fn hue_wheel_primaries() {
        assert_eq!(hue_rgb(0.0), [1.0, 0.0, 0.0]);
        assert_eq!(hue_rgb(1.0 / 3.0), [0.0, 1.0, 0.0]);
        assert_eq!(hue_rgb(2.0 / 3.0), [0.0, 0.0, 1.0]);
        assert_eq!(hue_rgb(0.5), [0.0, 1.0, 1.0]);
    }
}
