//! Building blocks for the reduced-resolution glow and blur shaders (`bloom`, `soft_focus`):
//! block reduction, box blurs and bilinear re-expansion.
//!
//! A reduced image is `u16` at 4× scale (0..=1020, two fractional bits survive the blur passes)
//! stored **planar per row**: each reduced row is `[R × sw | G × sw | B × sw]`. Planar rows let
//! every stage (thresholding, horizontal and vertical blur, gain, phase interpolation) run as
//! straight SIMD loops; only the final interleave back to RGB is scalar, one store per pixel.

use rayon::prelude::*;

use super::kernels::pack_rgb;
use super::simd::multiversion;

/// Fixed-point scale of reduced images.
pub(super) const SCALE: u32 = 4;
/// Largest value in a reduced image.
pub(super) const MAX_V: u16 = 255 * SCALE as u16;
/// Largest box radius: a window sum of `2r + 1` values of at most 1020 must fit in `u16`.
pub(super) const MAX_RADIUS: usize = 31;

/// `acc = row` (or `acc += row` with `add`), widened, each byte mapped through `lut` if given.
fn widen_through(acc: &mut [u16], row: &[u8], lut: Option<&[u8; 256]>, add: bool) {
    match (lut, add) {
        (None, false) => widen(acc, row),
        (None, true) => widen_add(acc, row),
        (Some(lut), false) => {
            for (a, &b) in acc.iter_mut().zip(row) {
                *a = lut[b as usize] as u16;
            }
        }
        (Some(lut), true) => {
            for (a, &b) in acc.iter_mut().zip(row) {
                *a += lut[b as usize] as u16;
            }
        }
    }
}

multiversion! {
    fn widen(acc: &mut [u16], row: &[u8]) {
        for (a, &b) in acc.iter_mut().zip(row) {
            *a = b as u16;
        }
    }
}

multiversion! {
    fn widen_add(acc: &mut [u16], row: &[u8]) {
        for (a, &b) in acc.iter_mut().zip(row) {
            *a += b as u16;
        }
    }
}

/// Rounded-up average of two bytes (`pavgb`).
#[inline(always)]
fn avg8(a: u8, b: u8) -> u8 {
    ((a as u16 + b as u16 + 1) >> 1) as u8
}

/// Rounded-up average of two words (`pavgw`).
#[inline(always)]
fn avg16(a: u16, b: u16) -> u16 {
    ((a as u32 + b as u32 + 1) >> 1) as u16
}

multiversion! {
    /// Mean of `rows.len()` (2 or 4) equally long rows as a pairwise average tree, widened.
    /// Rounding up at each level biases the mean by under one level, invisible in a glow and
    /// much cheaper than exact sums.
    fn mean_rows(out: &mut [u16], rows: &[&[u8]]) {
        match rows {
            [a, b] => {
                let n = out.len().min(a.len()).min(b.len());
                let (a, b) = (&a[..n], &b[..n]);
                for (i, o) in out[..n].iter_mut().enumerate() {
                    *o = avg8(a[i], b[i]) as u16;
                }
            }
            [a, b, c, d] => {
                let n = out.len().min(a.len()).min(b.len()).min(c.len()).min(d.len());
                let (a, b, c, d) = (&a[..n], &b[..n], &c[..n], &d[..n]);
                for (i, o) in out[..n].iter_mut().enumerate() {
                    *o = avg8(avg8(a[i], b[i]), avg8(c[i], d[i])) as u16;
                }
            }
            _ => {}
        }
    }
}

multiversion! {
    /// Means of `f` (2 or 4) horizontally adjacent pixels by the same averaging tree, written
    /// straight into the three planes at 4× scale (`rows` holds per-byte row means).
    fn mean_cols(pr: &mut [u16], pg: &mut [u16], pb: &mut [u16], rows: &[u16], f: usize) {
        let n = pr.len().min(pg.len()).min(pb.len()).min(rows.len() / (3 * f));
        if f == 2 {
            for (k, px) in rows.chunks_exact(6).take(n).enumerate() {
                pr[k] = avg16(px[0], px[3]) << 2;
                pg[k] = avg16(px[1], px[4]) << 2;
                pb[k] = avg16(px[2], px[5]) << 2;
            }
        } else {
            for (k, px) in rows.chunks_exact(12).take(n).enumerate() {
                pr[k] = avg16(avg16(px[0], px[3]), avg16(px[6], px[9])) << 2;
                pg[k] = avg16(avg16(px[1], px[4]), avg16(px[7], px[10])) << 2;
                pb[k] = avg16(avg16(px[2], px[5]), avg16(px[8], px[11])) << 2;
            }
        }
    }
}

/// Reduced pixels per chunk of [`mean_blocks4`]: 64 pixels are 768 bytes of each row, so the
/// chunk's intermediate rows stay on the stack, in L1.
const CHUNK_PX: usize = 64;

multiversion! {
    /// Byte-wise mean of four rows by the averaging tree of [`mean_rows`].
    fn mean4_bytes(out: &mut [u8], a: &[u8], b: &[u8], c: &[u8], d: &[u8]) {
        let n = out.len().min(a.len()).min(b.len()).min(c.len()).min(d.len());
        let (a, b, c, d) = (&a[..n], &b[..n], &c[..n], &d[..n]);
        for (i, o) in out[..n].iter_mut().enumerate() {
            *o = avg8(avg8(a[i], b[i]), avg8(c[i], d[i]));
        }
    }
}

multiversion! {
    /// `out[i]` = mean of bytes `i, i+3, i+6, i+9` (the same channel of four adjacent pixels)
    /// for every `i`, by the averaging tree of [`mean_cols`]: shifted loads instead of a strided
    /// gather, so it vectorizes; the caller keeps every 12th triple.
    fn mean4_across(out: &mut [u8], m: &[u8]) {
        let n = out.len().min(m.len().saturating_sub(9));
        let (a, b, c, d) = (&m[..n], &m[3..3 + n], &m[6..6 + n], &m[9..9 + n]);
        for (i, o) in out[..n].iter_mut().enumerate() {
            *o = avg8(avg8(a[i], b[i]), avg8(c[i], d[i]));
        }
    }
}

/// Means of whole 4×4 blocks of four RGB rows into the three planes at 4× scale: the same
/// averaging trees (and bytes) as [`mean_rows`] + [`mean_cols`], computed in 8-bit lanes.
/// With `lut`, every byte is first mapped through it (see [`reduce_row`]).
fn mean_blocks4(
    pr: &mut [u16],
    pg: &mut [u16],
    pb: &mut [u16],
    rows: [&[u8]; 4],
    lut: Option<&[u8; 256]>,
) {
    let full = pr.len().min(pg.len()).min(pb.len());
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if super::simd::vbmi() {
        // SAFETY: `vbmi()` checked the CPU.
        done = unsafe { vbmi::mean_blocks4(pr, pg, pb, rows, full, lut) };
    }
    if done == full {
        // No remainder: skip zeroing the portable path's 4.5 kB of stack buffers.
        return;
    }
    let mut m = [0u8; CHUNK_PX * 12];
    let mut h = [0u8; CHUNK_PX * 12];
    let mut mapped = [[0u8; CHUNK_PX * 12]; 4];
    for k0 in (done..full).step_by(CHUNK_PX) {
        let n = CHUNK_PX.min(full - k0);
        let (off, len) = (k0 * 12, n * 12);
        if let Some(lut) = lut {
            for (dst, src) in mapped.iter_mut().zip(rows) {
                for (d, &s) in dst[..len].iter_mut().zip(&src[off..off + len]) {
                    *d = lut[s as usize];
                }
            }
        }
        let row = |r: usize| match lut {
            Some(_) => &mapped[r][..len],
            None => &rows[r][off..off + len],
        };
        mean4_bytes(&mut m[..len], row(0), row(1), row(2), row(3));
        mean4_across(&mut h[..len - 9], &m[..len]);
        for (k, px) in h.chunks_exact(12).take(n).enumerate() {
            pr[k0 + k] = (px[0] as u16) << 2;
            pg[k0 + k] = (px[1] as u16) << 2;
            pb[k0 + k] = (px[2] as u16) << 2;
        }
    }
}

/// The 4×4 block means of [`mean_blocks4`] sixteen blocks at a time, all in registers: the
/// rows' byte means, then byte permutes that pick each block's four pixels per channel, so the
/// planar output needs no scalar deinterleave (which cost more than all the averaging).
#[cfg(target_arch = "x86_64")]
mod vbmi {
    use std::arch::x86_64::*;

    /// Source byte (within 192 bytes of row means, 64 pixels) of output lane `16c + k` for
    /// tap `j` (pixel `4k + j` of block `k`, channel `c`); lanes 48.. are unused.
    const fn source(j: usize, lane: usize) -> usize {
        let (c, k) = (lane / 16, lane % 16);
        12 * k + 3 * j + c
    }

    /// Permute indices for the lanes whose source lies in the first 128 bytes (`lo`) or in
    /// bytes 64..192 (`hi`), and the mask of lanes that take `hi`.
    const fn tables(j: usize) -> ([u8; 64], [u8; 64], u64) {
        let (mut lo, mut hi, mut mask) = ([0u8; 64], [0u8; 64], 0u64);
        let mut lane = 0;
        while lane < 48 {
            let s = source(j, lane);
            if s < 128 {
                lo[lane] = s as u8;
            } else {
                hi[lane] = (s - 64) as u8;
                mask |= 1 << lane;
            }
            lane += 1;
        }
        (lo, hi, mask)
    }

    const TABLES: [([u8; 64], [u8; 64], u64); 4] = [tables(0), tables(1), tables(2), tables(3)];

    /// Write whole groups of 16 block means of `full`, the bytes mapped through `lut` first
    /// when given (a table lookup in registers, no copy); returns how many were written.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    pub(super) fn mean_blocks4(
        pr: &mut [u16],
        pg: &mut [u16],
        pb: &mut [u16],
        rows: [&[u8]; 4],
        full: usize,
        lut: Option<&[u8; 256]>,
    ) -> usize {
        use crate::shaders::simd::x86::{load_table, lookup};
        let table = lut.map(|l| load_table(l));
        let bytes = rows.iter().map(|r| r.len()).min().unwrap_or(0);
        let groups = full
            .min(bytes / 12)
            .min(pr.len())
            .min(pg.len())
            .min(pb.len())
            / 16;
        let mut tab = [[_mm512_setzero_si512(); 2]; 4];
        for (t, (lo, hi, _)) in tab.iter_mut().zip(&TABLES) {
            // SAFETY: the tables are 64 bytes.
            *t = unsafe {
                [
                    _mm512_loadu_si512(lo.as_ptr().cast()),
                    _mm512_loadu_si512(hi.as_ptr().cast()),
                ]
            };
        }
        for g in 0..groups {
            let base = 192 * g;
            // SAFETY: group g reads bytes base..base + 192 of each row (in bounds: 16g + 16 ≤
            // bytes / 12) and writes 16 values at 16g of each plane (16g + 16 ≤ each length).
            unsafe {
                let seg = |s: usize| {
                    let ld = |r: &[u8]| {
                        let v = _mm512_loadu_si512(r.as_ptr().add(base + 64 * s).cast());
                        match &table {
                            Some(t) => lookup(t, v),
                            None => v,
                        }
                    };
                    let ab = _mm512_avg_epu8(ld(rows[0]), ld(rows[1]));
                    let cd = _mm512_avg_epu8(ld(rows[2]), ld(rows[3]));
                    _mm512_avg_epu8(ab, cd)
                };
                let (x0, x1, x2) = (seg(0), seg(1), seg(2));
                let tap = |j: usize| {
                    let lo = _mm512_permutex2var_epi8(x0, tab[j][0], x1);
                    let hi = _mm512_permutex2var_epi8(x1, tab[j][1], x2);
                    _mm512_mask_blend_epi8(TABLES[j].2, lo, hi)
                };
                let m = _mm512_avg_epu8(
                    _mm512_avg_epu8(tap(0), tap(1)),
                    _mm512_avg_epu8(tap(2), tap(3)),
                );
                // Lanes 0..16 red, 16..32 green, 32..48 blue; widen to words at 4× scale.
                let rg = _mm512_slli_epi16::<2>(_mm512_cvtepu8_epi16(_mm512_castsi512_si256(m)));
                let b =
                    _mm256_slli_epi16::<2>(_mm256_cvtepu8_epi16(_mm512_extracti32x4_epi32::<2>(m)));
                let k = 16 * g;
                _mm256_storeu_si256(pr.as_mut_ptr().add(k).cast(), _mm512_castsi512_si256(rg));
                _mm256_storeu_si256(
                    pg.as_mut_ptr().add(k).cast(),
                    _mm512_extracti64x4_epi64::<1>(rg),
                );
                _mm256_storeu_si256(pb.as_mut_ptr().add(k).cast(), b);
            }
        }
        16 * groups
    }

    /// Per output register `v` of a 192-byte chunk (64 pixels from 16 reduced ones): centre
    /// and neighbour byte indices into the 64 padded bytes the chunk reads, and the mask of
    /// inner (7:1) lanes.
    const fn expand_tables(v: usize) -> ([u8; 64], [u8; 64], u64) {
        let (mut c, mut n, mut inner) = ([0u8; 64], [0u8; 64], 0u64);
        let mut lane = 0;
        while lane < 64 {
            let (ci, ni, is_inner) = super::expand4_taps(64 * v + lane);
            c[lane] = ci as u8;
            n[lane] = ni as u8;
            if is_inner {
                inner |= 1 << lane;
            }
            lane += 1;
        }
        (c, n, inner)
    }

    const EXPAND: [([u8; 64], [u8; 64], u64); 3] =
        [expand_tables(0), expand_tables(1), expand_tables(2)];

    /// Whole 192-byte chunks of [`super::expand_row4`]'s output; returns the bytes written.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    pub(super) fn expand4(out: &mut [u8], padded: &[u8]) -> usize {
        if padded.len() < 64 {
            return 0;
        }
        // Chunk q reads padded[48q..48q + 64] and writes out[192q..192q + 192].
        let chunks = (out.len() / 192).min((padded.len() - 64) / 48 + 1);
        let mut idx = [[_mm512_setzero_si512(); 2]; 3];
        for (t, (c, n, _)) in idx.iter_mut().zip(&EXPAND) {
            // SAFETY: the tables are 64 bytes.
            *t = unsafe {
                [
                    _mm512_loadu_si512(c.as_ptr().cast()),
                    _mm512_loadu_si512(n.as_ptr().cast()),
                ]
            };
        }
        for q in 0..chunks {
            // SAFETY: in bounds by `chunks` (see above).
            unsafe {
                let src = _mm512_loadu_si512(padded.as_ptr().add(48 * q).cast());
                for (v, (t, (_, _, inner))) in idx.iter().zip(&EXPAND).enumerate() {
                    let c = _mm512_permutexvar_epi8(t[0], src);
                    let n = _mm512_permutexvar_epi8(t[1], src);
                    let m = _mm512_avg_epu8(c, n);
                    let outer = _mm512_avg_epu8(m, _mm512_avg_epu8(m, c));
                    let heavy = _mm512_avg_epu8(c, _mm512_avg_epu8(c, m));
                    let px = _mm512_mask_blend_epi8(*inner, outer, heavy);
                    _mm512_storeu_si512(out.as_mut_ptr().add(192 * q + 64 * v).cast(), px);
                }
            }
        }
        192 * chunks
    }
}

multiversion! {
    /// `out[i] = Σ_{p < f} a[i + 3p]`: sums of `f` horizontally adjacent pixels, per channel.
    fn hsum(out: &mut [u16], a: &[u16], f: usize) {
        let n = out.len().min(a.len().saturating_sub(3 * (f - 1)));
        if n == 0 {
            return;
        }
        match f {
            2 => {
                let (a0, a1) = (&a[..n], &a[3..3 + n]);
                for (i, o) in out[..n].iter_mut().enumerate() {
                    *o = a0[i] + a1[i];
                }
            }
            4 => {
                let (a0, a1, a2, a3) = (&a[..n], &a[3..3 + n], &a[6..6 + n], &a[9..9 + n]);
                for (i, o) in out[..n].iter_mut().enumerate() {
                    *o = a0[i] + a1[i] + a2[i] + a3[i];
                }
            }
            _ => {
                for (i, o) in out[..n].iter_mut().enumerate() {
                    *o = (0..f).map(|p| a[i + 3 * p]).sum();
                }
            }
        }
    }
}

multiversion! {
    fn add_into(acc: &mut [u16], a: &[u16]) {
        for (o, &x) in acc.iter_mut().zip(a) {
            *o = o.wrapping_add(x);
        }
    }
}

/// Scratch `u16`s [`reduce_row`] needs for an image `w` pixels wide.
pub(super) fn reduce_scratch(w: usize) -> usize {
    2 * w * 3
}

/// Average `F × F` blocks of up to `F` full rows (`rows`, `w` pixels wide) into one planar reduced
/// row `out` (`3 * ceil(w / F)` values). Whole blocks use rounded-up averaging trees (bias under
/// one level); partial blocks at the right and bottom edges average exactly the pixels they
/// cover. `F` is 2 or 4.
///
/// With `lut` (`F` = 4 only), the result is that of `rows` mapped byte by byte through `lut`
/// first, without writing the mapped rows anywhere: a shader can read the frame through a
/// pending tonemap instead of waiting for a pass that applies it ([`super::rows`]).
pub(super) fn reduce_row<const F: usize>(
    rows: &[u8],
    w: usize,
    scratch: &mut [u16],
    out: &mut [u16],
    lut: Option<&[u8; 256]>,
) {
    debug_assert!(
        lut.is_none() || F == 4,
        "reduce_row maps through a LUT only for F = 4"
    );
    let stride = w * 3;
    let n_rows = rows.len() / stride.max(1);
    let sw = w.div_ceil(F);
    if n_rows == 0 || out.len() < 3 * sw {
        return;
    }
    let (colsum, bsum) = scratch[..2 * stride].split_at_mut(stride);
    let line = |y: usize| &rows[y * stride..(y + 1) * stride];
    let full = w / F;
    let (pr, rest) = out.split_at_mut(sw);
    let (pg, pb) = rest.split_at_mut(sw);
    // The mean at 4× scale is sum · 4 / count, via a 32-bit reciprocal.
    let recip = |count: u64| (SCALE as u64 * (1 << 32) + count / 2) / count;
    if n_rows == F {
        // Whole F × F blocks: averaging trees, rows then columns.
        if F == 4 {
            mean_blocks4(
                &mut pr[..full],
                &mut pg[..full],
                &mut pb[..full],
                [line(0), line(1), line(2), line(3)],
                lut,
            );
        } else {
            mean_rows(colsum, &[line(0), line(1)]);
            mean_cols(&mut pr[..full], &mut pg[..full], &mut pb[..full], colsum, F);
        }
        // The partial block below works from column sums.
        if full < sw {
            for y in 0..n_rows {
                widen_through(colsum, line(y), lut, y > 0);
            }
        }
    } else {
        // The last, short band of rows: exact sums.
        for y in 0..n_rows {
            widen_through(colsum, line(y), lut, y > 0);
        }
        // bsum[3F·k + c] is the sum of block k, channel c.
        hsum(bsum, colsum, F);
        let r = recip((F * n_rows) as u64);
        for (k, s) in bsum.chunks_exact(3 * F).take(full).enumerate() {
            pr[k] = ((s[0] as u64 * r + (1 << 31)) >> 32) as u16;
            pg[k] = ((s[1] as u64 * r + (1 << 31)) >> 32) as u16;
            pb[k] = ((s[2] as u64 * r + (1 << 31)) >> 32) as u16;
        }
    }
    if full < sw {
        // A partial block: sum its column sums directly.
        let mut s = [0u64; 3];
        for px in colsum[full * F * 3..].chunks_exact(3) {
            for c in 0..3 {
                s[c] += px[c] as u64;
            }
        }
        let r = recip(((w - full * F) * n_rows) as u64);
        pr[full] = ((s[0] * r + (1 << 31)) >> 32) as u16;
        pg[full] = ((s[1] * r + (1 << 31)) >> 32) as u16;
        pb[full] = ((s[2] * r + (1 << 31)) >> 32) as u16;
    }
}

/// Scratch `u16`s [`blur_h`] needs for reduced rows `sw` pixels wide.
pub(super) fn blur_scratch(sw: usize) -> usize {
    3 * sw + 4 * MAX_RADIUS
}

multiversion! {
    /// `out[i] = a[i] + a[i + shift]`: one doubling step of a sliding-window sum.
    fn add_shifted(out: &mut [u16], a: &[u16], shift: usize) {
        let n = out.len().min(a.len().saturating_sub(shift));
        for ((o, &x), &y) in out[..n].iter_mut().zip(a).zip(&a[shift..]) {
            *o = x.wrapping_add(y);
        }
    }
}

multiversion! {
    /// `v = round(sums / n)` with `inv = ceil(65536 / n)`; off by at most one unit (¼ level).
    fn divide(out: &mut [u16], sums: &[u16], n: u16, inv: u16) {
        // Sums stay below 2^16 (see MAX_RADIUS) and n ≥ 3 keeps `inv` in 16 bits, so this
        // is one high-half 16-bit multiply per lane.
        for (o, &s) in out.iter_mut().zip(sums) {
            *o = ((s.wrapping_add(n / 2) as u32 * inv as u32) >> 16) as u16;
        }
    }
}

/// Windows up to this wide are summed directly; wider ones by binary doubling.
const DIRECT_MAX: usize = 9;

/// `passes` horizontal box blurs of radius `radius` (≤ [`MAX_RADIUS`]) over one planar reduced
/// row, edges clamped. Every step is a straight SIMD loop: small windows are summed directly,
/// wide ones from power-of-two partial windows (n's binary digits), instead of a sequential
/// running sum.
pub(super) fn blur_h(row: &mut [u16], radius: usize, passes: usize, scratch: &mut [u16]) {
    let sw = row.len() / 3;
    let r = radius.min(MAX_RADIUS);
    if sw == 0 || r == 0 {
        return;
    }
    let n = 2 * r + 1;
    let padded = sw + 2 * r;
    let (pad, rest) = scratch.split_at_mut(padded);
    let (dbl, sum) = rest.split_at_mut(padded);
    let sum = &mut sum[..sw];
    let inv = 65536u32.div_ceil(n as u32) as u16;
    for plane in row.chunks_exact_mut(sw) {
        for _ in 0..passes {
            pad[..r].fill(plane[0]);
            pad[r..r + sw].copy_from_slice(plane);
            pad[r + sw..].fill(plane[sw - 1]);
            if n <= DIRECT_MAX {
                sum.copy_from_slice(&pad[..sw]);
                for t in 1..n {
                    add_into(sum, &pad[t..]);
                }
                divide(plane, sum, n as u16, inv);
                continue;
            }
            // Add the power-of-two windows matching n's set bits, doubling the window each
            // step and ping-ponging between `pad` and `dbl`.
            let (mut cur, mut next) = (&mut *pad, &mut *dbl);
            let mut width = 1;
            let mut offset = 0;
            let mut first = true;
            loop {
                if n & width != 0 {
                    if first {
                        sum.copy_from_slice(&cur[offset..offset + sw]);
                        first = false;
                    } else {
                        add_into(sum, &cur[offset..]);
                    }
                    offset += width;
                }
                if width * 2 > n {
                    break;
                }
                add_shifted(&mut next[..padded - width], cur, width);
                std::mem::swap(&mut cur, &mut next);
                width *= 2;
            }
            divide(plane, sum, n as u16, inv);
        }
    }
}

multiversion! {
    /// Emit the window average, then slide the window down one row.
    fn emit_and_slide(dst: &mut [u16], acc: &mut [u16], add: &[u16], sub: &[u16], n: u16, inv: u16) {
        for (((d, a), &p), &m) in dst.iter_mut().zip(acc.iter_mut()).zip(add).zip(sub) {
            *d = ((a.wrapping_add(n / 2) as u32 * inv as u32) >> 16) as u16;
            // Wrapping: the true window sum always fits, the intermediate need not.
            *a = a.wrapping_add(p).wrapping_sub(m);
        }
    }
}

/// One vertical box blur of radius `radius` from `src` to `dst` (images of rows `row_len`
/// values long), edges clamped. Parallel over bands of at least `band_rows` output rows (a few
/// per worker); each band seeds its own window sum, and integer sums make the result independent
/// of the split. `acc` is per-band scratch, resized here.
pub(super) fn blur_v(
    src: &[u16],
    dst: &mut [u16],
    row_len: usize,
    radius: usize,
    band_rows: usize,
    acc: &mut Vec<u16>,
) {
    let rows = src.len().checked_div(row_len).unwrap_or(0);
    if rows == 0 || src.len() != dst.len() || band_rows == 0 {
        return;
    }
    // Each band re-seeds its window with 2r + 1 rows, so bands only as many as the pool can
    // use: with short bands the seeding costs as much as the blur itself.
    let band_rows = band_rows.max(rows.div_ceil(4 * rayon::current_num_threads()));
    super::util::ensure_len(acc, rows.div_ceil(band_rows) * row_len);
    let r = radius.min(MAX_RADIUS) as isize;
    if r == 0 {
        dst.copy_from_slice(src);
        return;
    }
    let n = 2 * r as u32 + 1;
    let inv = 65536u32.div_ceil(n) as u16;
    let row = |j: isize| {
        let j = j.clamp(0, rows as isize - 1) as usize;
        &src[j * row_len..(j + 1) * row_len]
    };
    dst.par_chunks_mut(band_rows * row_len)
        .zip(acc.par_chunks_mut(row_len))
        .enumerate()
        .for_each(|(b, (out, acc))| {
            let j0 = (b * band_rows) as isize;
            acc.copy_from_slice(row(j0 - r));
            for t in j0 - r + 1..=j0 + r {
                add_into(acc, row(t));
            }
            for (k, d) in out.chunks_exact_mut(row_len).enumerate() {
                let j = j0 + k as isize;
                emit_and_slide(d, acc, row(j + r + 1), row(j - r), n as u16, inv);
            }
        });
}

/// Bilinear phase of full-resolution coordinate `y` over a reduced axis of `n` samples at
/// `factor`: `(a, b, wa, wb)` with `wa + wb == 2 * factor`. Samples sit at pixel centres so
/// the result stays centred on its source.
pub(super) fn phase(y: usize, n: usize, factor: usize) -> (usize, usize, u16, u16) {
    let j = (y / factor).min(n.max(1) - 1);
    let num = 2 * (y % factor) as isize + 1 - factor as isize;
    let full = 2 * factor as u16;
    if num < 0 {
        (j.saturating_sub(1), j, (-num) as u16, full - (-num) as u16)
    } else {
        (j, (j + 1).min(n.max(1) - 1), full - num as u16, num as u16)
    }
}

/// Row pitch of expanded rows.
pub(super) fn wide_pitch(w: usize) -> usize {
    w * 3
}

/// Scratch sizes `(u16s, u32s)` [`expand_row`] needs for reduced rows `sw` pixels wide.
pub(super) fn expand_scratch(sw: usize, factor: usize) -> (usize, usize) {
    (3 * (sw + 2), 2 * factor * sw)
}

multiversion! {
    /// Interpolate one phase of all three planes and pack each pixel as `r | g << 8 | b << 16`.
    fn phase_words(words: &mut [u32], planes: [&[u16]; 3], nb: [&[u16]; 3], wc: u32, wn: u32, shift: u32) {
        let n = words.len();
        let (p0, p1, p2) = (&planes[0][..n], &planes[1][..n], &planes[2][..n]);
        let (n0, n1, n2) = (&nb[0][..n], &nb[1][..n], &nb[2][..n]);
        let half = 1 << shift >> 1;
        let lerp = |a: u16, b: u16| ((a as u32 * wc + b as u32 * wn + half) >> shift).min(255);
        for i in 0..n {
            words[i] = lerp(p0[i], n0[i]) | lerp(p1[i], n1[i]) << 8 | lerp(p2[i], n2[i]) << 16;
        }
    }
}

/// Expand one planar reduced row `F` times horizontally with bilinear weights into 8-bit RGB
/// bytes `out` ([`wide_pitch`] long). `F` must be a power of two.
pub(super) fn expand_row<const F: usize>(
    small: &[u16],
    out: &mut [u8],
    scratch: &mut [u16],
    words: &mut [u32],
) {
    let sw = small.len() / 3;
    let w = out.len() / 3;
    if sw == 0 || w == 0 {
        return;
    }
    // Planes padded by one clamped sample each side, so neighbours need no bounds logic.
    let p = sw + 2;
    for c in 0..3 {
        let src = &small[c * sw..(c + 1) * sw];
        let dst = &mut scratch[c * p..(c + 1) * p];
        dst[0] = src[0];
        dst[1..=sw].copy_from_slice(src);
        dst[sw + 1] = src[sw - 1];
    }
    let plane = |c: usize, off: usize| &scratch[c * p + off..c * p + off + sw];
    // Weights sum to 2F and values are at 4× scale: divide by 8F, a power of two.
    let shift = (2 * F as u32 * SCALE).trailing_zeros();
    for k in 0..F {
        let num = 2 * k as isize + 1 - F as isize;
        let (off, wn) = if num < 0 {
            (0, (-num) as u32)
        } else {
            (2, num as u32)
        };
        phase_words(
            &mut words[k * sw..(k + 1) * sw],
            [plane(0, 1), plane(1, 1), plane(2, 1)],
            [plane(0, off), plane(1, off), plane(2, off)],
            2 * F as u32 - wn,
            wn,
            shift,
        );
    }
    // Interleave (pixel F·i + k takes phase k's word i), then pack to RGB bytes.
    let (phases, ordered) = words.split_at_mut(F * sw);
    interleave(ordered, phases, sw, F);
    pack_rgb(&mut out[..3 * w], &ordered[..w.min(F * sw)]);
}

/// Scratch sizes `(bytes, words)` [`expand_row4`] needs for reduced rows `sw` pixels wide.
pub(super) fn expand4_scratch(sw: usize) -> (usize, usize) {
    (3 * (sw + 2) + 64, sw)
}

multiversion! {
    /// Planar reduced row at 4× scale → packed `r | g << 8 | b << 16` 8-bit words, rounded.
    fn words8(words: &mut [u32], r: &[u16], g: &[u16], b: &[u16]) {
        let n = words.len().min(r.len()).min(g.len()).min(b.len());
        let to8 = |v: u16| ((v as u32 + 2) >> 2).min(255);
        for i in 0..n {
            words[i] = to8(r[i]) | to8(g[i]) << 8 | to8(b[i]) << 16;
        }
    }
}

/// Output byte `o` of a 4× expansion of the padded RGB row (pad pixel at each end): the
/// byte offsets of its centre and neighbour samples, and whether it is a 7:1 (inner) or a
/// 5:3 (outer) phase. Pixel `4i + k` sits at `(2k − 3)/8` of a reduced pixel from centre `i`.
const fn expand4_taps(o: usize) -> (usize, usize, bool) {
    let (px, c) = (o / 3, o % 3);
    let (i, k) = (px / 4, px % 4);
    let neighbour = if k < 2 { 3 * i + c } else { 3 * i + 6 + c };
    (3 + 3 * i + c, neighbour, k == 1 || k == 2)
}

/// `(7·c + n) / 8` (`inner`) or `(5·c + 3·n) / 8` as rounded-up byte averages, the
/// arithmetic of the SIMD path.
#[inline(always)]
fn expand4_mix(c: u8, n: u8, inner: bool) -> u8 {
    if inner {
        avg8(c, avg8(c, avg8(c, n)))
    } else {
        let m = avg8(c, n);
        avg8(m, avg8(m, c))
    }
}

/// Expand one planar reduced row (4× scale, `3 * sw` values) 4 times horizontally into 8-bit
/// RGB `out` ([`wide_pitch`] long) with bilinear weights at pixel centres (5:3 and 7:1 byte
/// averages, edges clamped). Works on an interleaved padded copy of the row in 8-bit lanes:
/// with AVX-512 VBMI, two byte permutes and five averages make 64 output bytes.
pub(super) fn expand_row4(small: &[u16], out: &mut [u8], bytes: &mut [u8], words: &mut [u32]) {
    let sw = small.len() / 3;
    let w = out.len() / 3;
    if sw == 0 || w == 0 || bytes.len() < 3 * (sw + 2) || words.len() < sw {
        return;
    }
    let (r, rest) = small.split_at(sw);
    let (g, b) = rest.split_at(sw);
    words8(&mut words[..sw], r, g, &b[..sw]);
    pack_rgb(&mut bytes[3..3 * (sw + 1)], &words[..sw]);
    bytes.copy_within(3..6, 0);
    bytes.copy_within(3 * sw..3 * sw + 3, 3 * (sw + 1));
    let out = &mut out[..3 * w];
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if super::simd::vbmi() {
        // SAFETY: `vbmi()` checked the CPU.
        done = unsafe { vbmi::expand4(out, bytes) };
    }
    // Indices stay inside the padded row: i < sw, so at most 3·sw + 5 = the right pad.
    for (o, px) in out.iter_mut().enumerate().skip(done) {
        let (c, n, inner) = expand4_taps(o);
        *px = expand4_mix(bytes[c], bytes[n], inner);
    }
}

multiversion! {
    /// `out[f·i + k] = words[k·sw + i]` for `f` (2 or 4) phase arrays of `sw` words.
    fn interleave(out: &mut [u32], words: &[u32], sw: usize, f: usize) {
        let n = sw.min(out.len() / f).min(words.len() / f);
        if f == 4 {
            let (a, b, c, d) = (&words[..n], &words[sw..sw + n], &words[2 * sw..2 * sw + n], &words[3 * sw..3 * sw + n]);
            for (i, o) in out.chunks_exact_mut(4).take(n).enumerate() {
                o.copy_from_slice(&[a[i], b[i], c[i], d[i]]);
            }
        } else {
            let (a, b) = (&words[..n], &words[sw..sw + n]);
            for (i, o) in out.chunks_exact_mut(2).take(n).enumerate() {
                o.copy_from_slice(&[a[i], b[i]]);
            }
        }
    }
}

/// Generic block means for any block size (pixelate, halftone): interleaved RGB means of
/// `block × block` squares of a band of up to `block` rows, as 8-bit values into `out`
/// (`3 * ceil(w / block)` bytes). `colsum` needs `w * 3` values; `block` ≤ 257.
pub(super) fn block_means_u8(
    rows: &[u8],
    w: usize,
    block: usize,
    colsum: &mut [u16],
    out: &mut [u8],
) {
    let stride = w * 3;
    let n_rows = rows.len() / stride.max(1);
    if n_rows == 0 || block == 0 {
        return;
    }
    let colsum = &mut colsum[..stride];
    let mut lines = rows.chunks_exact(stride);
    if let Some(first) = lines.next() {
        widen(colsum, first);
    }
    for line in lines {
        widen_add(colsum, line);
    }
    for (o, sums) in out.chunks_exact_mut(3).zip(colsum.chunks(block * 3)) {
        let mut s = [0u64; 3];
        for px in sums.chunks_exact(3) {
            for c in 0..3 {
                s[c] += px[c] as u64;
            }
        }
        let count = (sums.len() / 3 * n_rows) as u64;
        // One 32-bit reciprocal instead of three divisions per block.
        let recip = ((1u64 << 32) + count / 2) / count;
        for c in 0..3 {
            o[c] = ((s[c] * recip + (1 << 31)) >> 32).min(255) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Interleaved RGB rows → planar reduced row via `reduce_row`.
    fn reduce<const F: usize>(rows: &[u8], w: usize) -> Vec<u16> {
        let mut scratch = vec![0; reduce_scratch(w)];
        let mut out = vec![0; 3 * w.div_ceil(F)];
        reduce_row::<F>(rows, w, &mut scratch, &mut out, None);
        out
    }

    /// The 8-bit 4×4 path gives the bytes of the word-wide averaging trees it replaced, across
    /// chunk boundaries (150 blocks > two chunks) and with a partial block at the end.
    #[test]
    fn byte_block_means_match_word_trees() {
        let w = 4 * 150 + 3;
        let rows: Vec<u8> = (0..w * 3 * 4)
            .map(|i| (i * 131 + i / 5 * 7) as u8)
            .collect();
        let stride = w * 3;
        let line = |y: usize| &rows[y * stride..(y + 1) * stride];
        let mut colsum = vec![0u16; stride];
        mean_rows(&mut colsum, &[line(0), line(1), line(2), line(3)]);
        let mut want = vec![0u16; 3 * 150];
        let (r, rest) = want.split_at_mut(150);
        let (g, b) = rest.split_at_mut(150);
        mean_cols(r, g, b, &colsum, 4);
        let got = reduce::<4>(&rows, w);
        super::super::simd::force_base(true);
        let portable = reduce::<4>(&rows, w);
        super::super::simd::force_base(false);
        assert_eq!(got, portable, "SIMD and portable paths differ");
        let sw = w.div_ceil(4);
        for c in 0..3 {
            assert_eq!(
                got[c * sw..c * sw + 150],
                want[c * 150..(c + 1) * 150],
                "channel {c}"
            );
        }
    }

    #[test]
    fn reduce_averages_full_and_partial_blocks() {
        // 5 pixels wide, 2 rows; channel c is 10c in row 0 and 10c + 4 in row 1, except pixel 4
        // (alone in the partial block), which is 100 + c.
        let mut rows = vec![0u8; 5 * 3 * 2];
        for (i, b) in rows.iter_mut().enumerate() {
            let (px, c, y) = (i / 3 % 5, i % 3, i / 15);
            *b = if px == 4 {
                100 + c as u8
            } else {
                (10 * c + 4 * y) as u8
            };
        }
        // Planar: R of both blocks, G of both, B of both; 4× scale.
        assert_eq!(reduce::<4>(&rows, 5), [8, 400, 48, 404, 88, 408]);
        assert_eq!(reduce::<2>(&rows, 5), [8, 8, 400, 48, 48, 404, 88, 88, 408]);
    }

    #[test]
    fn horizontal_blur_preserves_constants_and_spreads_peaks() {
        let mut scratch = vec![0u16; blur_scratch(9)];
        let mut flat = vec![400u16; 27];
        blur_h(&mut flat, 5, 3, &mut scratch);
        assert!(flat.iter().all(|&v| v == 400));
        for r in 1..=MAX_RADIUS {
            let mut peak = vec![0u16; 27];
            peak[4] = 900; // red of pixel 4
            peak[9 + 4] = (9 * (2 * r + 1)) as u16; // green of pixel 4
            blur_h(&mut peak, r, 1, &mut vec![0u16; blur_scratch(9)]);
            // A box of width 2r + 1 (clamped at the edges) spreads the peak evenly.
            for x in 0..9usize {
                let inside = x.abs_diff(4) <= r;
                let red = if inside {
                    (900.0 / (2 * r + 1) as f64).round() as u16
                } else {
                    0
                };
                assert!(
                    peak[x].abs_diff(red) <= 1,
                    "r {r} x {x}: {} vs {red}",
                    peak[x]
                );
                assert_eq!(peak[9 + x], if inside { 9 } else { 0 }, "r {r} x {x}");
                assert_eq!(peak[18 + x], 0);
            }
        }
    }

    #[test]
    fn vertical_blur_matches_horizontal_on_a_transposed_column() {
        let col: Vec<u16> = (0..12u16).map(|i| (i * 37) % 500).collect();
        let mut dst = vec![0u16; 12];
        // band_rows = 5 forces three bands with their own window seeds.
        blur_v(&col, &mut dst, 1, 2, 5, &mut Vec::new());
        let mut row: Vec<u16> = col.iter().chain(&col).chain(&col).copied().collect();
        blur_h(&mut row, 2, 1, &mut vec![0u16; blur_scratch(12)]);
        assert_eq!(dst, &row[..12]);
    }

    #[test]
    fn phases_interpolate_between_neighbours() {
        assert_eq!(phase(0, 10, 4), (0, 0, 3, 5));
        assert_eq!(phase(5, 10, 4), (0, 1, 1, 7));
        assert_eq!(phase(6, 10, 4), (1, 2, 7, 1));
        assert_eq!(phase(39, 10, 4), (9, 9, 5, 3));
        assert_eq!(phase(3, 2, 2), (1, 1, 3, 1));
    }

    #[test]
    fn expansion_interpolates_at_pixel_centres() {
        // Planar row of 3 reduced pixels: red 100, 200, 0 (8-bit); green = red; blue 0.
        let small = [400u16, 800, 0, 400, 800, 0, 0, 0, 0];
        let (a, b) = expand_scratch(3, 4);
        let mut out = vec![0u8; wide_pitch(12)];
        expand_row::<4>(&small, &mut out, &mut vec![0; a], &mut vec![0; b]);
        let reds: Vec<u8> = out.chunks_exact(3).map(|p| p[0]).collect();
        // Samples sit at 1/8, 3/8, 5/8, 7/8 between reduced pixel centres; edges clamp.
        assert_eq!(reds, [100, 100, 113, 138, 163, 188, 175, 125, 75, 25, 0, 0]);
        assert!(out.chunks_exact(3).all(|p| p[0] == p[1] && p[2] == 0));
    }

    fn expand4(small: &[u16], w: usize) -> Vec<u8> {
        let (a, b) = expand4_scratch(small.len() / 3);
        let mut out = vec![0u8; wide_pitch(w)];
        expand_row4(small, &mut out, &mut vec![0; a], &mut vec![0; b]);
        out
    }

    /// The byte-average expansion samples at the same pixel centres as the exact one: on
    /// these values the 5:3 and 7:1 averages land on the same rounded levels.
    #[test]
    fn byte_expansion_interpolates_at_pixel_centres() {
        let small = [400u16, 800, 0, 400, 800, 0, 0, 0, 0];
        let out = expand4(&small, 12);
        let reds: Vec<u8> = out.chunks_exact(3).map(|p| p[0]).collect();
        assert_eq!(reds, [100, 100, 113, 138, 163, 188, 175, 125, 75, 25, 0, 0]);
        assert!(out.chunks_exact(3).all(|p| p[0] == p[1] && p[2] == 0));
    }

    /// SIMD and portable byte expansions agree, within one level of the exact bilinear
    /// expansion, for widths with whole and partial 192-byte chunks and partial last blocks.
    #[test]
    fn byte_expansion_paths_agree_and_stay_close_to_exact() {
        for w in [4usize, 63, 64, 65, 130, 1918, 1920] {
            let sw = w.div_ceil(4);
            let small: Vec<u16> = (0..3 * sw)
                .map(|i| ((i * 389 + i / 7 * 61) % 1021) as u16)
                .collect();
            let fast = expand4(&small, w);
            super::super::simd::force_base(true);
            let base = expand4(&small, w);
            super::super::simd::force_base(false);
            assert_eq!(fast, base, "width {w}");
            let (a, b) = expand_scratch(sw, 4);
            let mut exact = vec![0u8; wide_pitch(w)];
            expand_row::<4>(&small, &mut exact, &mut vec![0; a], &mut vec![0; b]);
            for (i, (&f, &e)) in fast.iter().zip(&exact).enumerate() {
                assert!(f.abs_diff(e) <= 2, "width {w}, byte {i}: {f} vs exact {e}");
            }
        }
    }

    #[test]
    fn generic_block_means_cover_partial_blocks() {
        let rows: Vec<u8> = (0..5 * 3).map(|i| (i % 3 * 10 + i / 3 * 2) as u8).collect();
        let mut out = vec![0u8; 6];
        block_means_u8(&rows, 5, 3, &mut [0; 15], &mut out);
        // Pixels 0..3: red 0,2,4 → 2; pixels 3..5: red 6,8 → 7.
        assert_eq!(out, [2, 12, 22, 7, 17, 27]);
    }
}
