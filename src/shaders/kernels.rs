//! Byte kernels shared by several shaders, multiversioned for SIMD.

use super::simd::multiversion;

multiversion! {
    /// `out = a + (b − a) · f / 256`, rounded; `f` ≤ 256.
    pub(super) fn lerp_bytes(out: &mut [u8], a: &[u8], b: &[u8], f: u16) {
        for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
            *o = ((x as u16 * (256 - f) + y as u16 * f + 128) >> 8) as u8;
        }
    }
}

multiversion! {
    /// `p · factor / 256`, rounded; `factor` ≤ 256.
    pub(super) fn scale_bytes(row: &mut [u8], factor: u16) {
        for p in row {
            *p = ((*p as u16 * factor + 128) >> 8) as u8;
        }
    }
}

/// Interpolation taps of a linear resampling of an axis: output sample `i` reads source
/// samples `index[i]` and `index[i] + 1` with weight `frac[i] / 256` on the second.
#[derive(Default)]
pub(super) struct Taps {
    pub(super) index: Vec<u32>,
    pub(super) frac: Vec<u16>,
}

impl Taps {
    /// Taps for `out(i) = src(centre + (i + ½ − centre) · scale − ½)` over `n` samples,
    /// clamped to the axis.
    pub(super) fn zoom(&mut self, n: usize, scale: f64) {
        self.index.clear();
        self.frac.clear();
        let centre = n as f64 / 2.0;
        let last = n.saturating_sub(1) as f64;
        for i in 0..n {
            let s = (centre + (i as f64 + 0.5 - centre) * scale - 0.5).clamp(0.0, last);
            let fixed = (s * 256.0).round() as u32;
            let (mut idx, mut frac) = (fixed >> 8, (fixed & 255) as u16);
            // Keep the second tap inside: the last sample reads itself at full weight.
            if idx as usize + 1 >= n {
                idx = last as u32;
                frac = 0;
                if n >= 2 {
                    idx -= 1;
                    frac = 256;
                }
            }
            self.index.push(idx);
            self.frac.push(frac);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lerp_and_scale_round() {
        let mut out = [0u8; 3];
        lerp_bytes(&mut out, &[0, 100, 255], &[255, 200, 0], 128);
        assert_eq!(out, [128, 150, 128]);
        let mut row = [255u8, 100, 1];
        scale_bytes(&mut row, 128);
        assert_eq!(row, [128, 50, 1]);
        scale_bytes(&mut row, 256);
        assert_eq!(row, [128, 50, 1]);
    }

    #[test]
    fn zoom_taps_are_centred_and_clamped() {
        let mut t = Taps::default();
        t.zoom(10, 1.0);
        for i in 0..9 {
            assert_eq!((t.index[i], t.frac[i]), (i as u32, 0));
        }
        assert_eq!((t.index[9], t.frac[9]), (8, 256));
        t.zoom(10, 2.0);
        // Output 0 samples −4.5 → clamped to 0; output 5 samples 5.5.
        assert_eq!((t.index[0], t.frac[0]), (0, 0));
        assert_eq!((t.index[5], t.frac[5]), (5, 128));
        t.zoom(1, 3.0);
        assert_eq!((t.index[0], t.frac[0]), (0, 0));
    }
}
