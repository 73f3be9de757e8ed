//! Adaptive tonemap: stretch the frame's 1st–99.5th percentile range to full scale, apply a gamma
//! curve and rescale into `[black_point, white_point]`, all through one 256-entry LUT.
//!
//! Runs before the shaders so that every scene, however dark its raw additive blend, arrives at a
//! similar brightness.

use rayon::prelude::*;

use super::rows::RowKernel;
use super::{simd, util};
use crate::frame::Frame;
use crate::params::ParamSpec;

/// Parameters of [`Tonemap::apply`], for the UI and preset validation.
pub const TONEMAP_PARAMS: &[ParamSpec] = &[
    ParamSpec::new(
        "gamma",
        0.1,
        4.0,
        0.75,
        "curve exponent after stretching; < 1 lifts shadows",
    ),
    ParamSpec::new(
        "black_point",
        0.0,
        255.0,
        2.0,
        "output level of the 1st percentile",
    ),
    ParamSpec::new(
        "white_point",
        0.0,
        255.0,
        253.0,
        "output level of the 99.5th percentile",
    ),
];

/// Sampling stride in both axes: 1/16 of the pixels is plenty for two percentiles.
const STRIDE: usize = 4;
/// Percentiles mapped to the black and white points.
const LO_PCT: f64 = 0.01;
const HI_PCT: f64 = 0.995;
/// Smallest input range that gets stretched, so flat frames are not blown up into noise.
const MIN_RANGE: f64 = 10.0;

/// Adaptive percentile tonemapper; keeps its last LUT for inspection.
#[derive(Clone, Debug)]
pub struct Tonemap {
    lut: [u8; 256],
}

impl Default for Tonemap {
    fn default() -> Self {
        Self::new()
    }
}

impl Tonemap {
    /// A tonemapper whose LUT is the identity until the first `apply`.
    pub fn new() -> Self {
        Tonemap {
            lut: std::array::from_fn(|i| i as u8),
        }
    }

    /// The LUT used by the last `apply`.
    pub fn lut(&self) -> &[u8; 256] {
        &self.lut
    }

    /// Tonemap `frame` in place. Params are clamped to [`TONEMAP_PARAMS`]; a `white_point` below
    /// `black_point` inverts the picture.
    pub fn apply(&mut self, frame: &mut Frame, gamma: f32, black_point: f32, white_point: f32) {
        if let Some(k) = self.prepare_rows(frame, gamma, black_point, white_point) {
            super::rows::run_rows(frame, &[k]);
        }
    }

    /// Build this frame's LUT from `frame`'s histogram and return the kernel that applies it,
    /// to run fused with the shaders that follow ([`super::rows`]); `None` for an empty frame.
    pub fn prepare_rows(
        &mut self,
        frame: &Frame,
        gamma: f32,
        black_point: f32,
        white_point: f32,
    ) -> Option<&dyn RowKernel> {
        let (w, _) = util::dims(frame)?;
        let [gamma, bp, wp] = util::read::<3>(&[gamma, black_point, white_point], TONEMAP_PARAMS);
        let hist = histogram(&frame.data, w);
        let n: u64 = hist.iter().map(|&c| c as u64).sum();
        let lo = quantile(&hist, n, LO_PCT);
        let hi = quantile(&hist, n, HI_PCT).max(lo + MIN_RANGE);
        self.lut = curve(lo, hi, gamma as f64, bp as f64, wp as f64);
        Some(self)
    }
}

impl RowKernel for Tonemap {
    fn shade(&self, rows: &mut [u8], _y0: usize) {
        simd::lut1(rows, &self.lut);
    }

    fn byte_lut(&self) -> Option<&[u8; 256]> {
        Some(&self.lut)
    }
}

/// Histogram of every channel of every `STRIDE`-th pixel of every `STRIDE`-th row. Bands are
/// summed in integers, so the result is the same for any thread count.
fn histogram(data: &[u8], w: usize) -> [u32; 256] {
    let stride = w * 3;
    let band_rows = util::band_rows(w).next_multiple_of(STRIDE);
    data.par_chunks(band_rows * stride)
        .map(|band| {
            // One table per channel and per pixel of four keeps consecutive increments off the
            // same counter: most of an ASCII frame is black, and a run of increments to one
            // counter waits on store forwarding each time.
            let mut h = [[0u32; 256]; 12];
            for row in band.chunks(stride).step_by(STRIDE) {
                let mut done = 0;
                #[cfg(target_arch = "x86_64")]
                if simd::vbmi() {
                    // SAFETY: `vbmi()` checked the CPU.
                    done = unsafe { vbmi::count_row(row, &mut h) };
                }
                let row = &row[done..];
                let mut quads = row.chunks_exact(12 * STRIDE);
                for q in &mut quads {
                    for (t, px) in q.chunks_exact(3 * STRIDE).enumerate() {
                        h[3 * t][px[0] as usize] += 1;
                        h[3 * t + 1][px[1] as usize] += 1;
                        h[3 * t + 2][px[2] as usize] += 1;
                    }
                }
                for px in quads.remainder().chunks_exact(3).step_by(STRIDE) {
                    h[0][px[0] as usize] += 1;
                    h[1][px[1] as usize] += 1;
                    h[2][px[2] as usize] += 1;
                }
            }
            std::array::from_fn(|v| h.iter().map(|t| t[v]).sum())
        })
        .reduce(|| [0u32; 256], |a, b| std::array::from_fn(|v| a[v] + b[v]))
}

/// Sampled pixels of a row, counted 16 at a time: a byte permute gathers them, and only the
/// non-zero bytes are counted one by one (most of an ASCII frame is black background, and
/// counting is the cost here); the zeros are added up with one popcount.
#[cfg(target_arch = "x86_64")]
mod vbmi {
    use std::arch::x86_64::*;

    use super::STRIDE;

    /// Bytes of a row one step covers: 64 pixels, 16 of them sampled.
    const STEP: usize = 64 * 3;

    /// Lane `16c + k` ← channel `c` of sampled pixel `k` (pixel `STRIDE·k` of the step).
    const GATHER: [u8; 64] = {
        let mut t = [0u8; 64];
        let mut lane = 0;
        while lane < 48 {
            t[lane] = (3 * STRIDE * (lane % 16) + lane / 16) as u8;
            lane += 1;
        }
        t
    };

    /// Count the sampled bytes of the whole steps of `row` into `h`; returns the bytes done
    /// (a multiple of [`STEP`], so the caller's sampling phase continues unchanged).
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    pub(super) fn count_row(row: &[u8], h: &mut [[u32; 256]; 12]) -> usize {
        const { assert!(STRIDE == 4) };
        let steps = row.len() / STEP;
        // SAFETY: the table is 64 bytes.
        let idx = unsafe { _mm512_loadu_si512(GATHER.as_ptr().cast()) };
        let used: u64 = (1 << 48) - 1;
        let mut zeros = 0u32;
        let mut lanes = [0u8; 64];
        let mut t = 0;
        for s in 0..steps {
            // SAFETY: step s reads row[STEP·s..STEP·s + STEP] as three registers, in bounds by
            // `steps`. Indices below 128 pick from the first two, the rest from the third.
            unsafe {
                let p = row.as_ptr().add(STEP * s);
                let lo = _mm512_loadu_si512(p.cast());
                let hi = _mm512_loadu_si512(p.add(64).cast());
                let hi2 = _mm512_loadu_si512(p.add(128).cast());
                let a = _mm512_permutex2var_epi8(lo, idx, hi);
                let b = _mm512_permutexvar_epi8(idx, hi2);
                let v = _mm512_mask_blend_epi8(
                    _mm512_cmpge_epu8_mask(idx, _mm512_set1_epi8(-128)),
                    a,
                    b,
                );
                let mut nz = _mm512_test_epi8_mask(v, v) & used;
                zeros += 48 - nz.count_ones();
                if nz != 0 {
                    _mm512_storeu_si512(lanes.as_mut_ptr().cast(), v);
                    while nz != 0 {
                        let i = nz.trailing_zeros() as usize;
                        h[t][lanes[i] as usize] += 1;
                        t = (t + 1) % 12;
                        nz &= nz - 1;
                    }
                }
            }
        }
        h[0][0] += zeros;
        STEP * steps
    }
}

/// The `q`-quantile of `n` samples held in `hist`, interpolated linearly between order statistics
/// (numpy's default), so it moves smoothly as the picture changes.
fn quantile(hist: &[u32; 256], n: u64, q: f64) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let pos = q * (n - 1) as f64;
    let k = pos.floor() as u64;
    let frac = pos - k as f64;
    let a = order_stat(hist, k);
    let b = order_stat(hist, (k + 1).min(n - 1));
    a as f64 + (b as f64 - a as f64) * frac
}

/// The `k`-th smallest sample (0-based).
fn order_stat(hist: &[u32; 256], k: u64) -> u8 {
    let mut seen = 0u64;
    for (v, &c) in hist.iter().enumerate() {
        seen += c as u64;
        if seen > k {
            return v as u8;
        }
    }
    255
}

fn curve(lo: f64, hi: f64, gamma: f64, bp: f64, wp: f64) -> [u8; 256] {
    std::array::from_fn(|v| {
        let x = ((v as f64 - lo) / (hi - lo)).clamp(0.0, 1.0);
        (bp + x.powf(gamma) * (wp - bp)).round().clamp(0.0, 255.0) as u8
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shaders::test_util::{in_pool, test_frame};

    fn dim(f: &Frame) -> Frame {
        let mut d = f.clone();
        for b in &mut d.data {
            *b = 20 + *b / 4;
        }
        d
    }

    /// The split tables count exactly every `STRIDE`-th pixel of every `STRIDE`-th row, also
    /// when a row does not end on a whole group of pixels.
    #[test]
    fn histogram_counts_the_sampled_pixels() {
        // widths around the 64-pixel SIMD step; every other frame mostly black (zeros are
        // counted in bulk on the SIMD path)
        for (i, w) in [1, 7, 16, 63, 64, 97, 130, 200, 1920]
            .into_iter()
            .enumerate()
        {
            let mut f = test_frame(w, 23);
            if i % 2 == 1 {
                for (j, b) in f.data.iter_mut().enumerate() {
                    if j / 7 % 4 != 0 {
                        *b = 0;
                    }
                }
            }
            let mut want = [0u32; 256];
            for y in (0..23).step_by(STRIDE) {
                for x in (0..w).step_by(STRIDE) {
                    for c in f.pixel(x, y) {
                        want[c as usize] += 1;
                    }
                }
            }
            assert_eq!(histogram(&f.data, w), want, "width {w}");
        }
    }

    #[test]
    fn stretches_a_dim_frame_to_the_target_range() {
        let mut f = dim(&test_frame(96, 64));
        let before = f.clone();
        let mut t = Tonemap::new();
        t.apply(&mut f, 1.0, 2.0, 253.0);
        let (lo, hi) = (f.data.iter().min().unwrap(), f.data.iter().max().unwrap());
        assert!(*lo <= 4 && *hi >= 250, "range {lo}..{hi}");
        assert!(
            t.lut().windows(2).all(|p| p[0] <= p[1]),
            "LUT must be monotone"
        );
        for (o, s) in f.data.iter().zip(&before.data) {
            assert_eq!(*o, t.lut()[*s as usize]);
        }
    }

    #[test]
    fn gamma_below_one_lifts_midtones() {
        let src = dim(&test_frame(96, 64));
        let (mut a, mut b) = (src.clone(), src.clone());
        Tonemap::new().apply(&mut a, 1.0, 0.0, 255.0);
        Tonemap::new().apply(&mut b, 0.5, 0.0, 255.0);
        assert!(b.mean_brightness() > a.mean_brightness() + 10.0);
    }

    #[test]
    fn percentiles_ignore_outliers() {
        // 99.9% mid-grey noise around 100..=140, a handful of pure white pixels.
        let mut f = Frame::new(200, 200);
        for (i, b) in f.data.iter_mut().enumerate() {
            *b = 100 + (i * 7 % 41) as u8;
        }
        for i in 0..10 {
            f.data[i * 3000] = 255;
        }
        let mut t = Tonemap::new();
        t.apply(&mut f, 1.0, 0.0, 255.0);
        // The stretch is set by the grey body, so 140 maps near the top, not to ~120.
        assert!(t.lut()[140] >= 240, "{}", t.lut()[140]);
        assert!(t.lut()[100] <= 10);
    }

    #[test]
    fn flat_frames_are_not_blown_up() {
        let mut f = Frame::new(16, 16);
        f.data.fill(128);
        Tonemap::new().apply(&mut f, 1.0, 0.0, 255.0);
        // A 10-level minimum range: a flat frame maps to the black point, not to noise.
        assert!(f.data.iter().all(|&b| b == f.data[0]));
    }

    #[test]
    fn quantile_interpolates_between_order_statistics() {
        let mut h = [0u32; 256];
        h[10] = 1;
        h[20] = 1;
        assert_eq!(quantile(&h, 2, 0.0), 10.0);
        assert_eq!(quantile(&h, 2, 0.5), 15.0);
        assert_eq!(quantile(&h, 2, 1.0), 20.0);
    }

    #[test]
    fn same_for_any_thread_count_and_safe_on_odd_input() {
        let src = test_frame(300, 200);
        let run = |n| {
            in_pool(n, || {
                let mut f = src.clone();
                Tonemap::new().apply(&mut f, 0.75, 2.0, 253.0);
                f
            })
        };
        assert_eq!(run(1), run(2));
        let mut t = Tonemap::new();
        for (w, h) in [(1, 1), (3, 2), (0, 0)] {
            let mut f = test_frame(w, h);
            t.apply(&mut f, f32::NAN, -5.0, 1e9);
        }
        let mut bad = Frame::new(4, 4);
        bad.data.truncate(5);
        t.apply(&mut bad, 0.75, 2.0, 253.0);
        assert_eq!(bad.data.len(), 5);
    }
}
