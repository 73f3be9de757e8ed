//! Shape matching: the palette glyph whose rasterized bitmap, with least-squares colours,
//! best reproduces a cell's pixels.
//!
//! Everything that depends only on the glyphs is computed once per atlas ([`ShapeSet::new`]):
//! zero-padded i16 coverage planes (so the per-cell dot products vectorize to multiply-add
//! instructions), the mask sums of [`MaskSums`], and 4×6 block weights for the prefilter. Per
//! cell the exhaustive search costs three dot products per glyph plus an O(1) closed-form fit;
//! the fast search ranks glyphs on 4×6 block averages of the grey plane `(r + g + b) / 3` (24
//! multiply-adds per glyph, vectorized across glyphs) and scores only the best [`TOP_K`]
//! exactly, in colour. The block sums come with the cell's pixels ([`CellPixels::load`]).

use super::Background;
use super::cells::{BlockGrid, CellPixels, NB, padded};
use super::fit::{Fitted, MaskSums, MaskTable, costs_all, costs_one, fit};
use crate::glyph::{GlyphAtlas, GlyphId};

/// Candidates the fast search scores exactly. Six, not three: with three the prefilter's
/// coarse blocks let `[` beat `|` on a thin vertical bar (the bar test of `tests.rs`), at the
/// price of three more exact fits per cell (docs/BENCHMARKS.md).
pub(crate) const TOP_K: usize = 6;

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
    /// Prefilter weights: glyph `k`'s summed coverage over each block / `block_scale`, laid
    /// out for [`grey_dots`] (glyphs padded with zeros to a multiple of [`GL`]).
    weights: Vec<i16>,
    /// The prefilter's blocks.
    grid: BlockGrid,
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
    /// Prefilter dot products, one per glyph.
    grey_dots: Vec<i32>,
    /// Prefilter ranking keys, one per glyph (see [`top_k`]).
    keys: Vec<i64>,
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

/// Glyphs per prefilter chunk: one 512-bit register of i32 dot products.
const GL: usize = 16;

/// `out[k] = Σ_j means[j] · w_k[j]` for every glyph `k`, vectorized across glyphs: `wp`
/// holds, per chunk of [`GL`] glyphs and per pair of blocks `(2i, 2i + 1)`, the pairs
/// `(w_k[2i], w_k[2i + 1])` of its glyphs, so one 16-bit multiply-add (`vpmaddwd`) with the
/// broadcast pair of means serves 16 glyphs. `out.len()` is a multiple of `GL`. Integer
/// arithmetic: every path gives the same numbers.
fn grey_dots(means: &[i16; NB], wp: &[i16], out: &mut [i32]) {
    assert!(out.len().is_multiple_of(GL) && wp.len() >= out.len() * NB);
    #[cfg(target_arch = "x86_64")]
    match crate::simd::level() {
        // SAFETY: the level is what the CPU supports; the slice lengths are asserted above.
        crate::simd::Level::Avx512 => return unsafe { grey_dots_avx512(means, wp, out) },
        // SAFETY: as above.
        crate::simd::Level::Avx2 => return unsafe { grey_dots_avx2(means, wp, out) },
        crate::simd::Level::Base => {}
    }
    grey_dots_portable(means, wp, out);
}

/// [`grey_dots`] in portable code.
fn grey_dots_portable(means: &[i16; NB], wp: &[i16], out: &mut [i32]) {
    for (o, w) in out.chunks_exact_mut(GL).zip(wp.chunks_exact(GL * NB)) {
        let mut acc = [0i32; GL];
        for (i, wi) in w.chunks_exact(2 * GL).enumerate() {
            let (m0, m1) = (means[2 * i] as i32, means[2 * i + 1] as i32);
            for (l, a) in acc.iter_mut().enumerate() {
                *a += m0 * wi[2 * l] as i32 + m1 * wi[2 * l + 1] as i32;
            }
        }
        o.copy_from_slice(&acc);
    }
}

/// The pair `(means[2i], means[2i + 1])` as one 32-bit lane value.
fn mean_pairs(means: &[i16; NB]) -> [i32; NB / 2] {
    std::array::from_fn(|i| (means[2 * i] as u16 as i32) | ((means[2 * i + 1] as i32) << 16))
}

/// [`grey_dots`] with 512-bit multiply-adds: one register per chunk of 16 glyphs.
///
/// # Safety
/// AVX-512 BW must be available; lengths as [`grey_dots`] asserts.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw")]
unsafe fn grey_dots_avx512(means: &[i16; NB], wp: &[i16], out: &mut [i32]) {
    use std::arch::x86_64::*;
    let pairs = mean_pairs(means).map(|p| _mm512_set1_epi32(p));
    for (o, w) in out.chunks_exact_mut(GL).zip(wp.chunks_exact(GL * NB)) {
        let mut acc = _mm512_setzero_si512();
        for (i, p) in pairs.iter().enumerate() {
            // SAFETY: 32 values at 32·i, inside the chunk of GL·NB = 32·(NB/2).
            let v = unsafe { _mm512_loadu_si512(w.as_ptr().add(2 * GL * i).cast()) };
            acc = _mm512_add_epi32(acc, _mm512_madd_epi16(v, *p));
        }
        // SAFETY: `o` holds GL = 16 i32.
        unsafe { _mm512_storeu_si512(o.as_mut_ptr().cast(), acc) };
    }
}

/// [`grey_dots`] with 256-bit multiply-adds: two registers per chunk of 16 glyphs.
///
/// # Safety
/// AVX2 must be available; lengths as [`grey_dots`] asserts.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn grey_dots_avx2(means: &[i16; NB], wp: &[i16], out: &mut [i32]) {
    use std::arch::x86_64::*;
    let pairs = mean_pairs(means).map(|p| _mm256_set1_epi32(p));
    for (o, w) in out.chunks_exact_mut(GL).zip(wp.chunks_exact(GL * NB)) {
        let (mut lo, mut hi) = (_mm256_setzero_si256(), _mm256_setzero_si256());
        for (i, p) in pairs.iter().enumerate() {
            // SAFETY: 2 × 16 values at 32·i, inside the chunk of GL·NB = 32·(NB/2).
            unsafe {
                let a = _mm256_loadu_si256(w.as_ptr().add(2 * GL * i).cast());
                let b = _mm256_loadu_si256(w.as_ptr().add(2 * GL * i + 16).cast());
                lo = _mm256_add_epi32(lo, _mm256_madd_epi16(a, *p));
                hi = _mm256_add_epi32(hi, _mm256_madd_epi16(b, *p));
            }
        }
        // SAFETY: `o` holds GL = 16 i32.
        unsafe {
            _mm256_storeu_si256(o.as_mut_ptr().cast(), lo);
            _mm256_storeu_si256(o.as_mut_ptr().add(8).cast(), hi);
        }
    }
}

/// Where [`grey_dots`] expects the weight of glyph `k`, block `j`.
fn weight_at(k: usize, j: usize) -> usize {
    (k / GL) * GL * NB + (j / 2) * 2 * GL + 2 * (k % GL) + j % 2
}

/// Ranking key of cost `c` for glyph `k`: ordered like `(c, k)` (an integer compare of the
/// float bits, made monotonic), so the [`TOP_K`] smallest keys are the lowest costs with ties
/// to the lower index. Costs that are not below infinity (and NaN) never rank.
#[inline(always)]
fn key(c: f32, k: usize) -> i64 {
    let bits = (c + 0.0).to_bits(); // -0.0 and 0.0 rank equal
    let ord = if bits >> 31 == 1 {
        !bits
    } else {
        bits | 0x8000_0000
    };
    if c < f32::INFINITY {
        ((ord as i64) << 16) | k as i64
    } else {
        i64::MAX
    }
}

/// Lanes of the top-k network (one 512-bit register of keys).
const KL: usize = 8;

crate::multiversion! {
    /// `keys[k] = key(costs[k], k)`; the padding past `costs` never ranks.
    fn fill_keys(costs: &[f32], keys: &mut [i64]) {
        let (head, pad) = keys.split_at_mut(costs.len());
        for (k, (o, &c)) in head.iter_mut().zip(costs).enumerate() {
            *o = key(c, k);
        }
        pad.fill(i64::MAX);
    }
}

crate::multiversion! {
    /// Per lane `l`, the [`TOP_K`] smallest of keys `l, l + KL, l + 2·KL, …`, sorted: each
    /// chunk is inserted with a min/max network, branch-free and lane-parallel.
    fn top_lanes(keys: &[i64], t: &mut [[i64; KL]; TOP_K]) {
        *t = [[i64::MAX; KL]; TOP_K];
        for c in keys.chunks_exact(KL) {
            let mut x = [0i64; KL];
            x.copy_from_slice(c);
            for level in t.iter_mut() {
                for (a, b) in level.iter_mut().zip(x.iter_mut()) {
                    let lo = (*a).min(*b);
                    *b = (*a).max(*b);
                    *a = lo;
                }
            }
        }
    }
}

/// Indices (ascending) of the [`TOP_K`] lowest `costs`, ties to the lower index; fewer when
/// fewer costs are finite (the rest are `u16::MAX`). `keys` is scratch.
fn top_k(costs: &[f32], keys: &mut Vec<i64>) -> [u16; TOP_K] {
    keys.resize(costs.len().div_ceil(KL) * KL, i64::MAX);
    fill_keys(costs, keys);
    let mut t = [[i64::MAX; KL]; TOP_K];
    top_lanes(keys, &mut t);
    // the overall TOP_K are among the lanes' TOP_K (keys are distinct: they hold the index)
    let mut best = [i64::MAX; TOP_K];
    for &x in t.iter().flatten() {
        let mut x = x;
        for b in best.iter_mut() {
            let lo = (*b).min(x);
            x = (*b).max(x);
            *b = lo;
        }
    }
    let mut out = best.map(|b| {
        if b == i64::MAX {
            u16::MAX
        } else {
            (b & 0xffff) as u16
        }
    });
    out.sort_unstable();
    out
}

impl ShapeSet {
    /// Prepare `ids` (glyphs of `atlas`) for matching.
    pub fn new(atlas: &GlyphAtlas, ids: &[GlyphId]) -> ShapeSet {
        let (cw, ch) = (atlas.metrics.width, atlas.metrics.height);
        let n = cw * ch;
        let np = padded(n);
        let grid = BlockGrid::new(cw, ch);
        let max_n = grid.count.iter().copied().max().unwrap_or(1);
        let block_scale = max_n.div_ceil(128).max(1) as f32;
        let mut masks = vec![0i16; ids.len() * np];
        let mut weights = vec![0i16; ids.len().div_ceil(GL) * GL * NB];
        let mut sums = Vec::with_capacity(ids.len());
        for (k, &id) in ids.iter().enumerate() {
            let bmp = atlas.bitmap(id);
            sums.push(MaskSums::of(bmp));
            let mut bs = [0u32; NB];
            for (i, &c) in bmp.iter().enumerate() {
                masks[k * np + i] = c as i16;
                bs[grid.block(i % cw, i / cw)] += c as u32;
            }
            // Σ_b mean(p)_b · (Σ cov)_b approximates Σ p·cov; the weight is the block's ink
            for (j, s) in bs.iter().enumerate() {
                weights[weight_at(k, j)] = (*s as f32 / block_scale).round().min(32767.0) as i16;
            }
        }
        ShapeSet {
            ids: ids.to_vec(),
            np,
            masks,
            table: MaskTable::new(&sums),
            sums,
            weights,
            inv_block_n_grey: grid.count.map(|n| 1.0 / (3 * n.max(1)) as f32),
            grid,
            block_scale,
        }
    }

    /// The prefilter's blocks: [`CellPixels::load`] sums the grey plane over them for
    /// [`ShapeSet::best_fast`].
    pub fn grid(&self) -> &BlockGrid {
        &self.grid
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
        let means: [i16; NB] =
            std::array::from_fn(|j| (cell.grey_blocks[j] as f32 * self.inv_block_n_grey[j]) as i16);
        s.grey_dots.resize(self.len().div_ceil(GL) * GL, 0);
        grey_dots(&means, &self.weights, &mut s.grey_dots);
        s.costs.resize(self.len(), 0.0);
        let grey_sum = (cell.sum[0] + cell.sum[1] + cell.sum[2]) / 3.0;
        costs_one(
            bg,
            &self.table,
            grey_sum,
            &s.grey_dots,
            self.block_scale,
            &mut s.costs,
        );
        let cands = top_k(&s.costs, &mut s.keys);
        let mut best: Option<(usize, Fitted)> = None;
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
mod prefilter_tests {
    use super::*;

    /// The plain definition of [`top_k`]: insertion into a sorted array.
    fn top_k_reference(costs: &[f32]) -> [u16; TOP_K] {
        let mut top = [(f32::INFINITY, u16::MAX); TOP_K];
        for (k, &c) in costs.iter().enumerate() {
            if c < top[TOP_K - 1].0 {
                let mut i = TOP_K - 1;
                while i > 0 && c < top[i - 1].0 {
                    top[i] = top[i - 1];
                    i -= 1;
                }
                top[i] = (c, k as u16);
            }
        }
        let mut out = top.map(|t| t.1);
        out.sort_unstable();
        out
    }

    #[test]
    fn top_k_matches_the_insertion_definition_with_ties_signs_and_infinities() {
        let mut keys = Vec::new();
        for seed in 0..200u64 {
            let n = 1 + (seed as usize * 7) % 120;
            let costs: Vec<f32> = (0..n as u64)
                .map(|i| {
                    let h = crate::rng::hash2(seed, i, 5);
                    match h % 11 {
                        0 => f32::INFINITY,
                        1 => f32::NAN,
                        2 => 0.0,
                        3 => -0.0,
                        // few distinct values: many ties
                        _ => ((h >> 8) % 9) as f32 * 1000.0 - 4000.0,
                    }
                })
                .collect();
            assert_eq!(
                top_k(&costs, &mut keys),
                top_k_reference(&costs),
                "{costs:?}"
            );
        }
    }

    #[test]
    fn grey_dots_are_the_block_dot_products() {
        let glyphs = 2 * GL;
        let means: [i16; NB] = std::array::from_fn(|j| (255 - j * 11 % 256) as i16);
        let w = |k: usize, j: usize| (32767 - (k * 31 + j * 97) % 30000) as i16;
        let mut wp = vec![0i16; glyphs * NB];
        for k in 0..glyphs {
            for j in 0..NB {
                wp[weight_at(k, j)] = w(k, j);
            }
        }
        let mut out = vec![0; glyphs];
        grey_dots(&means, &wp, &mut out);
        let mut portable = vec![0; glyphs];
        grey_dots_portable(&means, &wp, &mut portable);
        assert_eq!(out, portable);
        for (k, &o) in out.iter().enumerate() {
            let want: i32 = (0..NB).map(|j| means[j] as i32 * w(k, j) as i32).sum();
            assert_eq!(o, want, "glyph {k}");
        }
    }
}
