//! Bilinear resampling of one output row from arbitrary source coordinates, for the geometry
//! shaders (crt, kaleidoscope).
//!
//! A scalar gather (two unaligned 8-byte loads fetch all four taps of a pixel) feeds a
//! vectorized blend. (AVX2 hardware gathers were tried and measured slower on the target
//! machine.)

use super::kernels::{lerp_bytes, pack_rgb};
use super::simd::{self, multiversion};

/// Fractional bits of sample coordinates: `sx = x · 256` samples pixel `x` exactly.
pub(super) const FRAC_BITS: u32 = 8;

/// Per-band working memory of [`sample_row_separable`].
#[derive(Default)]
pub(super) struct SepScratch {
    /// The vertical pass's row, padded with black each side.
    vrow: Vec<u8>,
    /// Blend weight of every byte of the vertical pass.
    weights: Vec<u8>,
    /// A black row standing in for rows outside the picture.
    zeros: Vec<u8>,
}

multiversion! {
    /// `out = (a · (256 − wt) + b · wt + 128) >> 8` with a weight per byte.
    fn lerp_weighted(out: &mut [u8], a: &[u8], b: &[u8], wt: &[u8]) {
        for (((o, &x), &y), &f) in out.iter_mut().zip(a).zip(b).zip(wt) {
            let f = f as u16;
            *o = ((x as u16 * (256 - f) + y as u16 * f + 128) >> 8) as u8;
        }
    }
}

/// `weights[3i..3i + 3]` = the fraction of `coords[i]` (`weights` has a spare byte).
fn expand_fractions(weights: &mut [u8], coords: &[i32]) {
    let mut start = 0;
    #[cfg(target_arch = "x86_64")]
    if simd::vbmi() {
        // SAFETY: `vbmi()` checked the CPU.
        start = unsafe { vbmi::expand_fractions(weights, coords) };
    }
    // One 4-byte store per pixel; the spare byte is overwritten by the next pixel.
    for (i, &c) in coords.iter().enumerate().skip(start) {
        let f = (c & 255) as u32 * 0x0001_0101;
        weights[3 * i..3 * i + 4].copy_from_slice(&f.to_le_bytes());
    }
}

/// End of the run starting at `start` over which `coords[i] >> FRAC_BITS` stays constant.
/// Tests 16 coordinates per step with a branch-free mask (vectorizes) instead of one
/// comparison per pixel.
fn run_end(coords: &[i32], start: usize) -> usize {
    let k = coords[start] >> FRAC_BITS;
    let mut i = start + 1;
    while i + 16 <= coords.len() {
        let mut mask = 0u32;
        for (j, &c) in coords[i..i + 16].iter().enumerate() {
            mask |= u32::from(c >> FRAC_BITS != k) << j;
        }
        if mask != 0 {
            return i + mask.trailing_zeros() as usize;
        }
        i += 16;
    }
    (i..coords.len())
        .find(|&j| coords[j] >> FRAC_BITS != k)
        .unwrap_or(coords.len())
}

/// Vertical sample coordinates of a separable resampling.
#[derive(Clone, Copy)]
pub(super) enum Rows<'a> {
    /// The same source row position for every column (axis-aligned zooms).
    Uniform(i32),
    /// One position per source column (`w` entries).
    PerColumn(&'a [i32]),
}

/// Separable bilinear resampling of one output row: a vertical pass `V(x') = src(x', sy(x'))`
/// for every source column `x'`, then a horizontal one `out(i) = V(sx[i])`. Outside samples
/// are black. The permute path needs `sx` monotone non-decreasing (true for every caller);
/// blocks that are not fall back to the scalar path.
///
/// Smooth mappings (crt) keep `⌊sy⌋` constant over long runs of columns, so the vertical pass
/// is a few SIMD blends of contiguous byte ranges; the horizontal pass blends packed words.
pub(super) fn sample_row_separable(
    src: &[u8],
    w: usize,
    h: usize,
    sx: &[i32],
    sy: Rows,
    out: &mut [u8],
    scratch: &mut SepScratch,
) {
    let stride = w * 3;
    let n = sx.len().min(out.len() / 3);
    if matches!(sy, Rows::PerColumn(s) if s.len() < w) || n == 0 {
        return;
    }
    let SepScratch {
        vrow,
        weights,
        zeros,
    } = scratch;
    // One black pixel before, one black pixel plus slack after, for wide tap loads.
    super::util::ensure_len(vrow, stride + 6 + WINDOW);
    super::util::ensure_len(weights, 3 * w + 1);
    if zeros.len() != stride {
        zeros.clear();
        zeros.resize(stride, 0);
    }
    let row = |r: i64| {
        if (0..h as i64).contains(&r) {
            &src[r as usize * stride..][..stride]
        } else {
            &zeros[..]
        }
    };

    match sy {
        Rows::Uniform(y) => {
            let y0 = (y >> FRAC_BITS) as i64;
            lerp_bytes(
                &mut vrow[3..3 + stride],
                row(y0),
                row(y0 + 1),
                (y & 255) as u16,
            );
        }
        Rows::PerColumn(sy) => {
            expand_fractions(weights, &sy[..w]);
            let floor_y = |x: usize| (sy[x] >> FRAC_BITS) as i64;
            let mut x = 0;
            while x < w {
                let e = run_end(&sy[..w], x);
                let (a, b) = (row(floor_y(x)), row(floor_y(x) + 1));
                let r = 3 * x..3 * e;
                lerp_weighted(
                    &mut vrow[3 + r.start..3 + r.end],
                    &a[r.clone()],
                    &b[r.clone()],
                    &weights[r],
                );
                x = e;
            }
        }
    }
    vrow[..3].fill(0);
    vrow[3 + stride..].fill(0);

    horizontal(out, vrow, w, &sx[..n]);
}

/// Bytes of slack after the padded vertical row: the permute path loads 128-byte windows.
const WINDOW: usize = 128;

/// Horizontal pass `out(i) = V(sx[i])` from the padded row `vrow` (V(p) at pixel p + 1).
/// With AVX-512 VBMI, blocks of 16 pixels whose taps fit one 128-byte window are blended with
/// two byte permutes; other blocks (and other CPUs) take the scalar path. Same bytes either way.
fn horizontal(out: &mut [u8], vrow: &[u8], w: usize, sx: &[i32]) {
    let n = sx.len().min(out.len() / 3);
    let mut start = 0;
    #[cfg(target_arch = "x86_64")]
    if simd::vbmi() && vrow.len() >= 3 * (w + 2) + WINDOW {
        for (b, block) in sx[..n / 16 * 16].chunks_exact(16).enumerate() {
            let dst = &mut out[48 * b..48 * b + 48];
            // SAFETY: `vbmi()` checked the CPU; `vrow` has a full window of slack past the row.
            if !unsafe { vbmi::block(dst, vrow, w, block) } {
                horizontal_scalar(dst, vrow, w, block);
            }
        }
        start = n / 16 * 16;
    }
    horizontal_scalar(&mut out[3 * start..3 * n], vrow, w, &sx[start..n]);
}

/// One pixel at a time: one 8-byte load fetches both taps, blended as packed words.
fn horizontal_scalar(out: &mut [u8], vrow: &[u8], w: usize, sx: &[i32]) {
    for (px, &x) in out.chunks_exact_mut(3).zip(sx) {
        let (s, f) = ((x >> FRAC_BITS) as i64, (x & 255) as u32);
        let v = if (-1..w as i64).contains(&s) {
            let k = 3 * (s + 1) as usize;
            let pair = u64::from_le_bytes(vrow[k..k + 8].try_into().unwrap_or_default());
            lerp_word(
                pair as u32 & 0x00FF_FFFF,
                (pair >> 24) as u32 & 0x00FF_FFFF,
                f,
            )
        } else {
            0
        };
        px.copy_from_slice(&v.to_le_bytes()[..3]);
    }
}

#[cfg(target_arch = "x86_64")]
mod vbmi {
    use std::arch::x86_64::*;

    /// Byte `b` of a block takes lane `b / 3` (its low byte sits at `4 · (b / 3)`).
    const SPREAD: [u8; 64] = {
        let mut t = [0u8; 64];
        let mut b = 0;
        while b < 48 {
            t[b] = (4 * (b / 3)) as u8;
            b += 1;
        }
        t
    };
    /// Channel of byte `b`.
    const CHANNEL: [u8; 64] = {
        let mut t = [0u8; 64];
        let mut b = 0;
        while b < 48 {
            t[b] = (b % 3) as u8;
            b += 1;
        }
        t
    };

    /// SIMD [`super::expand_fractions`] over whole groups of 16 coordinates; returns how many
    /// coordinates were done.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    pub(super) fn expand_fractions(weights: &mut [u8], coords: &[i32]) -> usize {
        let n = coords.len().min(weights.len() / 3) / 16 * 16;
        // SAFETY: the table is 64 bytes.
        let spread = unsafe { _mm512_loadu_si512(SPREAD.as_ptr().cast()) };
        for i in (0..n).step_by(16) {
            // SAFETY: `i + 16 <= n`, so 16 coordinates are readable and 48 weight bytes writable.
            unsafe {
                let c = _mm512_loadu_si512(coords.as_ptr().add(i).cast());
                let f = _mm512_permutexvar_epi8(spread, c);
                _mm512_mask_storeu_epi8(
                    weights.as_mut_ptr().add(3 * i).cast(),
                    (1u64 << 48) - 1,
                    f,
                );
            }
        }
        n
    }

    /// Blend 16 pixels into `dst` (48 bytes) if all their taps are inside the picture and
    /// within one 128-byte window of `vrow`; otherwise leave `dst` and return false.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    pub(super) fn block(dst: &mut [u8], vrow: &[u8], w: usize, sx: &[i32]) -> bool {
        if dst.len() < 48 || sx.len() < 16 {
            return false;
        }
        // SAFETY: `sx` holds 16 i32s.
        let coords = unsafe { _mm512_loadu_si512(sx.as_ptr().cast()) };
        let x0 = _mm512_srai_epi32::<8>(coords);
        // For monotone maps the first and last lanes bound the block; two compares confirm it
        // (a full min/max reduction costs more than the blend).
        let (lo, hi) = (sx[0] >> 8, sx[15] >> 8);
        let outside = _mm512_cmplt_epi32_mask(x0, _mm512_set1_epi32(lo))
            | _mm512_cmpgt_epi32_mask(x0, _mm512_set1_epi32(hi));
        // Both taps (x0 and x0 + 1, at padded pixels x0 + 1 and x0 + 2) within the window.
        if outside != 0 || lo < -1 || hi > w as i32 - 1 || 3 * (hi - lo) + 6 > super::WINDOW as i32
        {
            return false;
        }
        let base = 3 * (lo + 1) as usize;
        if base + super::WINDOW > vrow.len() {
            return false;
        }
        // SAFETY: `base + WINDOW <= vrow.len()`; the constant tables are 64 bytes.
        let (win_lo, win_hi, spread, channel) = unsafe {
            (
                _mm512_loadu_si512(vrow.as_ptr().add(base).cast()),
                _mm512_loadu_si512(vrow.as_ptr().add(base + 64).cast()),
                _mm512_loadu_si512(SPREAD.as_ptr().cast()),
                _mm512_loadu_si512(CHANNEL.as_ptr().cast()),
            )
        };
        let rel3 = _mm512_mullo_epi32(
            _mm512_sub_epi32(x0, _mm512_set1_epi32(lo)),
            _mm512_set1_epi32(3),
        );
        let idx_a = _mm512_add_epi8(_mm512_permutexvar_epi8(spread, rel3), channel);
        let idx_b = _mm512_add_epi8(idx_a, _mm512_set1_epi8(3));
        let a = _mm512_permutex2var_epi8(win_lo, idx_a, win_hi);
        let b = _mm512_permutex2var_epi8(win_lo, idx_b, win_hi);
        // The low byte of each coordinate is its fraction.
        let f = _mm512_permutexvar_epi8(spread, coords);
        let half = |v: __m512i, upper: bool| {
            let v = if upper {
                _mm512_extracti64x4_epi64::<1>(v)
            } else {
                _mm512_castsi512_si256(v)
            };
            _mm512_cvtepu8_epi16(v)
        };
        let blend = |upper: bool| {
            let (a, b, f) = (half(a, upper), half(b, upper), half(f, upper));
            let nf = _mm512_sub_epi16(_mm512_set1_epi16(256), f);
            let sum = _mm512_add_epi16(_mm512_mullo_epi16(a, nf), _mm512_mullo_epi16(b, f));
            _mm512_cvtepi16_epi8(_mm512_srli_epi16::<8>(_mm512_add_epi16(
                sum,
                _mm512_set1_epi16(128),
            )))
        };
        let res = _mm512_inserti64x4::<1>(_mm512_castsi256_si512(blend(false)), blend(true));
        // SAFETY: `dst` holds at least 48 bytes and the mask writes exactly 48.
        unsafe { _mm512_mask_storeu_epi8(dst.as_mut_ptr().cast(), (1u64 << 48) - 1, res) };
        true
    }
}

/// `lerp8` on the three channels of two packed `r | g << 8 | b << 16` words at once (red and
/// blue share one 32-bit multiply; no lane overflows since 255 · 256 < 2¹⁶).
#[inline(always)]
fn lerp_word(a: u32, b: u32, f: u32) -> u32 {
    let nf = 256 - f;
    let rb = (((a & 0x00FF_00FF) * nf + (b & 0x00FF_00FF) * f + 0x0080_0080) >> 8) & 0x00FF_00FF;
    let g = (((a & 0xFF00) * nf + (b & 0xFF00) * f + 0x8000) >> 8) & 0xFF00;
    rb | g
}

/// Fill `out` with the source pixels nearest to `(sx[i], sy[i])` (black outside): one
/// 4-byte load per pixel, for remaps where bilinear filtering costs more than it shows.
pub(super) fn nearest_row(
    src: &[u8],
    w: usize,
    h: usize,
    sx: &[i32],
    sy: &[i32],
    out: &mut [u8],
    words: &mut Vec<u32>,
) {
    let n = sx.len().min(sy.len()).min(out.len() / 3);
    super::util::ensure_len(words, n);
    let half = 1 << (FRAC_BITS - 1);
    for ((o, &x), &y) in words.iter_mut().zip(sx).zip(sy) {
        let (x, y) = ((x + half) >> FRAC_BITS, (y + half) >> FRAC_BITS);
        *o = if (x as u32) < w as u32 && (y as u32) < h as u32 {
            let k = (y as usize * w + x as usize) * 3;
            match src.get(k..k + 4) {
                Some(p) => u32::from_le_bytes(p.try_into().unwrap_or_default()) & 0x00FF_FFFF,
                None => src[k] as u32 | (src[k + 1] as u32) << 8 | (src[k + 2] as u32) << 16,
            }
        } else {
            0
        };
    }
    pack_rgb(out, &words[..n]);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 4×3 picture where pixel (x, y) is (10x, 10y, 100 + x + y).
    fn picture() -> Vec<u8> {
        (0..3)
            .flat_map(|y| (0..4).flat_map(move |x| [10 * x, 10 * y, 100 + x + y]))
            .collect()
    }

    /// Separable sampling with one vertical coordinate for every source column.
    fn sample(sx: &[i32], sy: i32) -> Vec<u8> {
        let mut out = vec![0u8; sx.len() * 3];
        sample_row_separable(
            &picture(),
            4,
            3,
            sx,
            Rows::PerColumn(&[sy; 4]),
            &mut out,
            &mut SepScratch::default(),
        );
        out
    }

    #[test]
    fn integer_coordinates_copy_pixels() {
        for (x, y) in [(0, 0), (3, 2), (2, 1), (3, 0), (0, 2)] {
            let out = sample(&[x * 256], y * 256);
            assert_eq!(
                out,
                [10 * x as u8, 10 * y as u8, 100 + (x + y) as u8],
                "({x},{y})"
            );
        }
    }

    #[test]
    fn fractions_interpolate_and_outside_is_black() {
        // Vertical blend first, then horizontal, each rounded.
        assert_eq!(sample(&[128], 128), [5, 5, 102]);
        assert_eq!(sample(&[2 * 256 + 64], 256), [23, 10, 103]);
        assert_eq!(sample(&[-512, 5 * 256], 0), [0; 6]);
        assert_eq!(sample(&[0], -512), [0; 3]);
        // Half a pixel beyond the right edge: half the edge pixel.
        assert_eq!(sample(&[3 * 256 + 128], 0), [15, 0, 52]);
        // The bottom-right pixel, whose neighbours are all outside.
        assert_eq!(sample(&[3 * 256; 9], 2 * 256), [30, 20, 105].repeat(9));
    }

    #[test]
    fn columns_take_their_own_rows() {
        // Column 0 samples row 0, column 1 row 2: an output pixel between them mixes both.
        let mut out = vec![0u8; 6];
        let sy = [0, 2 * 256, 0, 0];
        sample_row_separable(
            &picture(),
            4,
            3,
            &[0, 128],
            Rows::PerColumn(&sy),
            &mut out,
            &mut SepScratch::default(),
        );
        assert_eq!(&out[..3], &[0, 0, 100]);
        assert_eq!(&out[3..], &[5, 10, 102]);
    }

    #[test]
    fn permute_and_scalar_horizontal_passes_agree() {
        // 64 output pixels of a smooth, slightly magnifying map over a wide row, with some
        // samples off both ends.
        let w = 200;
        let src: Vec<u8> = (0..w * 2 * 3).map(|i| (i * 37 % 251) as u8).collect();
        let sx: Vec<i32> = (0..w as i32)
            .map(|x| (x * 300 - 2000) * 256 / 300 + x % 7)
            .collect();
        let per_column = vec![100; w];
        let run = || {
            let mut out = vec![0u8; w * 3];
            sample_row_separable(
                &src,
                w,
                2,
                &sx,
                Rows::Uniform(100),
                &mut out,
                &mut SepScratch::default(),
            );
            let mut same = vec![0u8; w * 3];
            let rows = Rows::PerColumn(&per_column);
            sample_row_separable(&src, w, 2, &sx, rows, &mut same, &mut SepScratch::default());
            assert_eq!(out, same, "uniform and per-column rows agree");
            out
        };
        let fast = run();
        simd::force_base(true);
        let base = run();
        simd::force_base(false);
        assert_eq!(fast, base);
        assert!(
            fast[..3].iter().all(|&v| v == 0),
            "left of the picture is black"
        );
    }

    #[test]
    fn nearest_rounds_to_the_closest_pixel() {
        let mut out = vec![0u8; 12];
        let sx = [127, 129, 3 * 256 + 100, 4 * 256];
        nearest_row(
            &picture(),
            4,
            3,
            &sx,
            &[2 * 256 + 127; 4],
            &mut out,
            &mut Vec::new(),
        );
        assert_eq!(out, [0, 20, 102, 10, 20, 103, 30, 20, 105, 0, 0, 0]);
    }

    #[test]
    fn run_end_finds_the_next_change() {
        let mut c = vec![5 * 256; 40];
        assert_eq!(run_end(&c, 0), 40);
        c[33] = 6 * 256;
        assert_eq!(run_end(&c, 0), 33);
        assert_eq!(run_end(&c, 33), 34);
        c[2] = 5 * 256 + 255;
        assert_eq!(run_end(&c, 0), 33);
        c[3] = 4 * 256;
        assert_eq!(run_end(&c, 0), 3);
    }
}
