//! Shape matching: the palette glyph whose rasterized bitmap, with least-squares colours,
//! best reproduces a cell's pixels.
//!
//! Everything that depends only on the glyphs is computed once per atlas ([`ShapeSet::new`]):
//! zero-padded i16 coverage planes (so the per-cell dot products vectorize to multiply-add
//! instructions), the mask sums of [`MaskSums`], and 4×6 block means for the prefilter. Per cell
//! the exhaustive search costs three dot products per glyph plus an O(1) closed-form fit; the
//! fast search ranks glyphs on 4×6 block averages of the grey plane `(r + g + b) / 3` (24
//! multiply-adds per glyph) and scores only the best [`TOP_K`] exactly, in colour.

use super::Background;
use super::cells::{CellPixels, padded};
use super::fit::{Fitted, MaskSums, MaskTable, costs_all, fit};
use crate::glyph::{GlyphAtlas, GlyphId};

/// Candidates the fast search scores exactly.
pub(crate) const TOP_K: usize = 3;
/// Columns of the prefilter grid.
const BX: usize = 4;
/// Rows of the prefilter grid (cells are about twice as tall as wide).
const BY: usize = 6;
/// Blocks of the prefilter grid.
const NB: usize = BX * BY;
/// Prefilter planes, padded to a whole number of kernel lanes.
const NBP: usize = 32;

/// The glyphs of one palette, prepared for matching at one cell size.
#[derive(Clone, Debug)]
pub(crate) struct ShapeSet {
    /// Glyph ids, in palette order.
    pub ids: Vec<GlyphId>,
    /// Padded pixel count per glyph plane.
    np: usize,
    /// Coverage planes (0..=255), `ids.len() × np`.
    masks: Vec<i16>,
    /// Mask sums per glyph.
    pub sums: Vec<MaskSums>,
    /// The same sums as a table for the batch cost kernel.
    table: MaskTable,
    /// Per glyph and prefilter block: the block's summed coverage / `block_scale`, as i16
    /// planes of `NBP` (so the prefilter runs on the same multiply-add kernel).
    blocks: Vec<i16>,
    /// Prefilter block row of every pixel row of the cell.
    band_of_row: Vec<u8>,
    /// Pixel columns `[start, end)` of each prefilter block column.
    col_ranges: [(usize, usize); BX],
    /// 1 / (3 · pixels per block): block means of the grey plane `r + g + b` back in 0..=255.
    inv_block_n_grey: [f32; NB],
    /// Factor that keeps the block weights within i16 for large cells.
    block_scale: f32,
}

/// Per-worker scratch of the search (kept between frames: no allocation per cell).
#[derive(Clone, Debug, Default)]
pub(crate) struct ShapeScratch {
    dots: Vec<[i32; 3]>,
    costs: Vec<f32>,
    /// `r + g + b` of the cell's pixels (the prefilter ranks on this one grey plane).
    grey: Vec<i16>,
    /// Block means of the grey plane.
    means: [i16; NBP],
    /// Prefilter dot products, one per glyph.
    grey_dots: Vec<i32>,
}

/// `out[k] = Σ_i plane_c[i] · mask_k[i]` for the three colour planes and every glyph `k`.
/// `np` must be a multiple of 16 and every plane at least `np` long. Integer arithmetic, so
/// the AVX2 path and the portable one give the same numbers.
fn dots_all(r: &[i16], g: &[i16], b: &[i16], masks: &[i16], np: usize, out: &mut [[i32; 3]]) {
    let (r, g, b) = (&r[..np], &g[..np], &b[..np]);
    #[cfg(target_arch = "x86_64")]
    if np.is_multiple_of(16) && crate::simd::level() != crate::simd::Level::Base {
        // SAFETY: AVX2 is available (checked at run time) and every load stays inside
        // `r`, `g`, `b` (length np) and the mask row (length np), np a multiple of 16.
        unsafe { dots_avx2(r, g, b, masks, np, out) };
        return;
    }
    for (o, m) in out.iter_mut().zip(masks.chunks_exact(np)) {
        let (mut ar, mut ag, mut ab) = (0i32, 0i32, 0i32);
        for i in 0..np {
            let w = m[i] as i32;
            ar += r[i] as i32 * w;
            ag += g[i] as i32 * w;
            ab += b[i] as i32 * w;
        }
        *o = [ar, ag, ab];
    }
}

/// The AVX2 kernel of [`dots_all`]: 16-bit multiply-add (`vpmaddwd`), which LLVM does not
/// pick on its own for three interleaved reductions.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn dots_avx2(
    r: &[i16],
    g: &[i16],
    b: &[i16],
    masks: &[i16],
    np: usize,
    out: &mut [[i32; 3]],
) {
    use std::arch::x86_64::*;
    let hsum = |v: __m256i| {
        let x = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256::<1>(v));
        let x = _mm_add_epi32(x, _mm_shuffle_epi32::<0b01_00_11_10>(x));
        let x = _mm_add_epi32(x, _mm_shuffle_epi32::<0b10_11_00_01>(x));
        _mm_cvtsi128_si32(x)
    };
    for (o, m) in out.iter_mut().zip(masks.chunks_exact(np)) {
        let (mut ar, mut ag, mut ab) = (
            _mm256_setzero_si256(),
            _mm256_setzero_si256(),
            _mm256_setzero_si256(),
        );
        for i in (0..np).step_by(16) {
            // SAFETY: i + 16 <= np for every slice (see dots_all).
            unsafe {
                let w = _mm256_loadu_si256(m.as_ptr().add(i).cast());
                let pr = _mm256_loadu_si256(r.as_ptr().add(i).cast());
                let pg = _mm256_loadu_si256(g.as_ptr().add(i).cast());
                let pb = _mm256_loadu_si256(b.as_ptr().add(i).cast());
                ar = _mm256_add_epi32(ar, _mm256_madd_epi16(pr, w));
                ag = _mm256_add_epi32(ag, _mm256_madd_epi16(pg, w));
                ab = _mm256_add_epi32(ab, _mm256_madd_epi16(pb, w));
            }
        }
        *o = [hsum(ar), hsum(ag), hsum(ab)];
    }
}

crate::multiversion! {
    /// `out[i] = r[i] + g[i] + b[i]` (at most 765: fits i16).
    fn grey_plane(r: &[i16], g: &[i16], b: &[i16], out: &mut [i16]) {
        for (((o, &r), &g), &b) in out.iter_mut().zip(r).zip(g).zip(b) {
            *o = r + g + b;
        }
    }
}

crate::multiversion! {
    /// `out[k] = Σ_i means[i] · blocks_k[i]` for every glyph `k` (planes of [`NBP`]).
    fn grey_dots(means: &[i16; NBP], blocks: &[i16], out: &mut [i32]) {
        for (o, b) in out.iter_mut().zip(blocks.chunks_exact(NBP)) {
            *o = means.iter().zip(b).map(|(&m, &w)| m as i32 * w as i32).sum();
        }
    }
}

crate::multiversion! {
    /// Mean of `plane` (a `cw`-wide cell) over every prefilter block: the pixel rows of a band
    /// are added together first, then split into block columns.
    fn block_means(
        plane: &[i16],
        cw: usize,
        band_of_row: &[u8],
        col_ranges: &[(usize, usize); BX],
        inv_n: &[f32; NB],
        out: &mut [i16; NBP],
    ) {
        let mut acc = [0u32; NB];
        let mut row = [0u32; 64];
        let wide = cw.min(64);
        let mut band = band_of_row.first().copied().unwrap_or(0);
        for (y, &by) in band_of_row.iter().enumerate() {
            if by != band {
                for (bx, &(x0, x1)) in col_ranges.iter().enumerate() {
                    acc[band as usize * BX + bx] += row[x0.min(64)..x1.min(64)].iter().sum::<u32>();
                }
                row[..wide].fill(0);
                band = by;
            }
            let src = &plane[y * cw..(y + 1) * cw];
            for (a, &v) in row[..wide].iter_mut().zip(src) {
                *a += v as u32;
            }
            // cells wider than 64 pixels: the rest goes straight into the blocks
            for (x, &v) in src.iter().enumerate().skip(64) {
                let bx = col_ranges.iter().position(|&(x0, x1)| (x0..x1).contains(&x)).unwrap_or(0);
                acc[by as usize * BX + bx] += v as u32;
            }
        }
        for (bx, &(x0, x1)) in col_ranges.iter().enumerate() {
            acc[band as usize * BX + bx] += row[x0.min(64)..x1.min(64)].iter().sum::<u32>();
        }
        // a multiply by the reciprocal: 24 integer divisions per call cost more than the rest
        for (j, a) in acc.iter().enumerate() {
            out[j] = (*a as f32 * inv_n[j]) as i16;
        }
    }
}

impl ShapeSet {
    /// Prepare `ids` (glyphs of `atlas`) for matching.
    pub fn new(atlas: &GlyphAtlas, ids: &[GlyphId]) -> ShapeSet {
        let (cw, ch) = (atlas.metrics.width, atlas.metrics.height);
        let n = cw * ch;
        let np = padded(n);
        let mut block_of = vec![0u8; n];
        let mut block_n = [0u32; NB];
        for y in 0..ch {
            for x in 0..cw {
                let b = (y * BY / ch.max(1)) * BX + x * BX / cw.max(1);
                block_of[y * cw + x] = b as u8;
                block_n[b] += 1;
            }
        }
        let max_n = block_n.iter().copied().max().unwrap_or(1);
        let block_scale = max_n.div_ceil(128).max(1) as f32;
        let mut masks = vec![0i16; ids.len() * np];
        let mut blocks = vec![0i16; ids.len() * NBP];
        let mut sums = Vec::with_capacity(ids.len());
        for (k, &id) in ids.iter().enumerate() {
            let bmp = atlas.bitmap(id);
            sums.push(MaskSums::of(bmp));
            let mut bs = [0u32; NB];
            for (i, &c) in bmp.iter().enumerate() {
                masks[k * np + i] = c as i16;
                bs[block_of[i] as usize] += c as u32;
            }
            // Σ_b mean(p)_b · (Σ cov)_b approximates Σ p·cov; the weight is the block's ink
            for (j, s) in bs.iter().enumerate() {
                blocks[k * NBP + j] = (*s as f32 / block_scale).round().min(32767.0) as i16;
            }
        }
        ShapeSet {
            ids: ids.to_vec(),
            np,
            masks,
            table: MaskTable::new(&sums),
            sums,
            blocks,
            band_of_row: (0..ch).map(|y| (y * BY / ch.max(1)) as u8).collect(),
            // the same columns as `block_of`: x belongs to block column x·BX / cw
            col_ranges: std::array::from_fn(|bx| {
                let mut xs = (0..cw).filter(|x| x * BX / cw.max(1) == bx);
                match xs.next() {
                    None => (0, 0),
                    Some(x0) => (x0, xs.next_back().map_or(x0 + 1, |x| x + 1)),
                }
            }),
            inv_block_n_grey: block_n.map(|n| 1.0 / (3 * n.max(1)) as f32),
            block_scale,
        }
    }

    /// Number of glyphs.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Fit glyph `k` (an index into [`ShapeSet::ids`]) to `cell` exactly.
    pub fn fit_one(&self, k: usize, cell: &CellPixels, bg: Background) -> Fitted {
        let mut d = [[0i32; 3]; 1];
        let m = &self.masks[k * self.np..(k + 1) * self.np];
        dots_all(&cell.rgb[0], &cell.rgb[1], &cell.rgb[2], m, self.np, &mut d);
        fit(bg, &self.sums[k], cell.sum, d[0].map(|v| v as f32))
    }

    /// The best glyph for `cell` over every glyph: (index into `ids`, fitted colours).
    pub fn best_exhaustive(
        &self,
        cell: &CellPixels,
        bg: Background,
        s: &mut ShapeScratch,
    ) -> (usize, Fitted) {
        s.dots.resize(self.len(), [0; 3]);
        dots_all(
            &cell.rgb[0],
            &cell.rgb[1],
            &cell.rgb[2],
            &self.masks,
            self.np,
            &mut s.dots,
        );
        s.costs.resize(self.len(), 0.0);
        costs_all(bg, &self.table, cell.sum, &s.dots, 1.0, &mut s.costs);
        let mut k = 0;
        for (i, &c) in s.costs.iter().enumerate() {
            if c < s.costs[k] {
                k = i;
            }
        }
        (
            k,
            fit(bg, &self.sums[k], cell.sum, s.dots[k].map(|v| v as f32)),
        )
    }

    /// The best glyph among the [`TOP_K`] that a 4×6 block approximation ranks highest.
    pub fn best_fast(
        &self,
        cell: &CellPixels,
        bg: Background,
        s: &mut ShapeScratch,
    ) -> (usize, Fitted) {
        if self.len() <= TOP_K {
            return self.best_exhaustive(cell, bg, s);
        }
        // rank on the grey plane (r + g + b): one channel instead of three for the prefilter;
        // colour is fitted exactly for the candidates it keeps
        let n = cell.cw * cell.ch;
        s.grey.resize(n, 0);
        let [r, g, b] = &cell.rgb;
        grey_plane(&r[..n], &g[..n], &b[..n], &mut s.grey);
        block_means(
            &s.grey,
            cell.cw,
            &self.band_of_row,
            &self.col_ranges,
            &self.inv_block_n_grey,
            &mut s.means,
        );
        s.grey_dots.resize(self.len(), 0);
        grey_dots(&s.means, &self.blocks, &mut s.grey_dots);
        s.dots.resize(self.len(), [0; 3]);
        for (d, &g) in s.dots.iter_mut().zip(&s.grey_dots) {
            *d = [g, 0, 0];
        }
        s.costs.resize(self.len(), 0.0);
        let grey_sum = (cell.sum[0] + cell.sum[1] + cell.sum[2]) / 3.0;
        costs_all(
            bg,
            &self.table,
            [grey_sum, 0.0, 0.0],
            &s.dots,
            self.block_scale,
            &mut s.costs,
        );
        // the TOP_K lowest costs, ties to the lower index (insertion into a sorted array)
        let mut top = [(f32::INFINITY, u16::MAX); TOP_K];
        for (k, &c) in s.costs.iter().enumerate() {
            if c < top[TOP_K - 1].0 {
                let mut i = TOP_K - 1;
                while i > 0 && c < top[i - 1].0 {
                    top[i] = top[i - 1];
                    i -= 1;
                }
                top[i] = (c, k as u16);
            }
        }
        let mut best: Option<(usize, Fitted)> = None;
        let mut cands = top.map(|t| t.1);
        cands.sort_unstable();
        for &k in cands.iter().filter(|&&k| k != u16::MAX) {
            let f = self.fit_one(k as usize, cell, bg);
            if best.is_none_or(|b| f.cost < b.1.cost) {
                best = Some((k as usize, f));
            }
        }
        best.unwrap_or_else(|| (0, self.fit_one(0, cell, bg)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simd_and_portable_dot_products_agree() {
        let np = 48;
        let plane = |s: u64| -> Vec<i16> {
            (0..np as u64)
                .map(|i| (crate::rng::hash2(s, i, 0) >> 56) as i16)
                .collect()
        };
        let (r, g, b) = (plane(1), plane(2), plane(3));
        let masks: Vec<i16> = (0..3).flat_map(|k| plane(10 + k)).collect();
        let mut fast = vec![[0; 3]; 3];
        dots_all(&r, &g, &b, &masks, np, &mut fast);
        for (k, o) in fast.iter().enumerate() {
            let m = &masks[k * np..(k + 1) * np];
            let dot = |p: &[i16]| {
                p.iter()
                    .zip(m)
                    .map(|(&a, &w)| a as i32 * w as i32)
                    .sum::<i32>()
            };
            assert_eq!(*o, [dot(&r), dot(&g), dot(&b)]);
        }
    }
}

#[cfg(test)]
mod block_tests {
    use super::*;

    #[test]
    fn block_means_match_a_per_pixel_count_for_narrow_and_wide_cells() {
        for (cw, ch) in [(10usize, 19usize), (3, 7), (70, 9)] {
            let plane: Vec<i16> = (0..cw * ch).map(|i| ((i * 37) % 256) as i16).collect();
            let band_of_row: Vec<u8> = (0..ch).map(|y| (y * BY / ch) as u8).collect();
            let col_ranges: [(usize, usize); BX] = std::array::from_fn(|bx| {
                let mut xs = (0..cw).filter(|x| x * BX / cw == bx);
                match xs.next() {
                    None => (0, 0),
                    Some(x0) => (x0, xs.next_back().map_or(x0 + 1, |x| x + 1)),
                }
            });
            let (mut sum, mut n) = ([0u32; NB], [0u32; NB]);
            for y in 0..ch {
                for x in 0..cw {
                    let b = (y * BY / ch) * BX + x * BX / cw;
                    sum[b] += plane[y * cw + x] as u32;
                    n[b] += 1;
                }
            }
            let mut out = [0i16; NBP];
            let inv = n.map(|n| 1.0 / n.max(1) as f32);
            block_means(&plane, cw, &band_of_row, &col_ranges, &inv, &mut out);
            for j in 0..NB {
                let want = sum[j] / n[j].max(1);
                assert!(
                    (out[j] as i32 - want as i32).abs() <= 1,
                    "{cw}x{ch} block {j}"
                );
            }
        }
    }
}
