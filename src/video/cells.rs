//! One cell's source pixels in planar form, padded for the dot-product kernels.

use crate::frame::Frame;

/// Lanes the kernels process at once: planes are zero-padded to a multiple of this.
pub(crate) const LANES: usize = 16;

/// `n` rounded up to a whole number of [`LANES`].
pub(crate) fn padded(n: usize) -> usize {
    n.div_ceil(LANES) * LANES
}

/// Rec.601 luma of an RGB pixel in 0..=255 (integer, as the reference's 0.299/0.587/0.114).
#[inline]
pub(crate) fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((77 * r as u32 + 150 * g as u32 + 29 * b as u32 + 128) >> 8) as u8
}

/// Columns of the fast search's prefilter grid.
pub(crate) const BX: usize = 4;
/// Rows of the prefilter grid (cells are about twice as tall as wide).
pub(crate) const BY: usize = 6;
/// Blocks of the prefilter grid.
pub(crate) const NB: usize = BX * BY;

/// How a `cw × ch` cell splits into the [`BX`] × [`BY`] blocks of the fast search's prefilter:
/// pixel (x, y) belongs to block `(y·BY / ch) · BX + x·BX / cw`.
#[derive(Clone, Debug)]
pub(crate) struct BlockGrid {
    /// Block row of every pixel row of the cell.
    pub band_of_row: Vec<u8>,
    /// Pixel columns `[start, end)` of each block column.
    pub col_ranges: [(usize, usize); BX],
    /// Pixels per block.
    pub count: [u32; NB],
}

impl BlockGrid {
    /// The grid of a `cw × ch` cell.
    pub fn new(cw: usize, ch: usize) -> BlockGrid {
        let col_ranges = std::array::from_fn(|bx| {
            let mut xs = (0..cw).filter(|x| x * BX / cw.max(1) == bx);
            match xs.next() {
                None => (0, 0),
                Some(x0) => (x0, xs.next_back().map_or(x0 + 1, |x| x + 1)),
            }
        });
        let band_of_row: Vec<u8> = (0..ch).map(|y| (y * BY / ch.max(1)) as u8).collect();
        let mut count = [0u32; NB];
        for &by in &band_of_row {
            for (bx, &(x0, x1)) in col_ranges.iter().enumerate() {
                count[by as usize * BX + bx] += (x1 - x0) as u32;
            }
        }
        BlockGrid {
            band_of_row,
            col_ranges,
            count,
        }
    }

    /// The block of pixel (`x`, `y`).
    pub fn block(&self, x: usize, y: usize) -> usize {
        let bx = self
            .col_ranges
            .iter()
            .position(|&(x0, x1)| (x0..x1).contains(&x))
            .unwrap_or(0);
        self.band_of_row[y] as usize * BX + bx
    }
}

/// A `cw × ch` cell of a frame: R, G, B and luma planes (row-major, zero-padded) and sums.
#[derive(Clone, Debug)]
pub(crate) struct CellPixels {
    /// Cell width.
    pub cw: usize,
    /// Cell height.
    pub ch: usize,
    /// Red, green, blue planes, each `padded(cw·ch)` long. Only the first `cw·ch` values are
    /// written: the glyph planes they are multiplied with are zero in the padding.
    pub rgb: [Vec<i16>; 3],
    /// Luma plane, `cw·ch` long (filled by [`CellPixels::compute_luma`]).
    pub luma: Vec<u8>,
    /// `Σ p` per channel.
    pub sum: [f32; 3],
    /// Mean luma, 0..=255, from the channel sums.
    pub mean_luma: f32,
    /// `Σ (r + g + b)` over each prefilter block (filled when [`CellPixels::load`] is given
    /// a [`BlockGrid`]).
    pub grey_blocks: [u32; NB],
    /// Grey plane `r + g + b` (scratch of the portable block sums).
    grey: Vec<i16>,
}

impl CellPixels {
    /// Scratch for cells of `cw × ch`.
    pub fn new(cw: usize, ch: usize) -> CellPixels {
        let np = padded(cw * ch);
        CellPixels {
            cw,
            ch,
            rgb: [vec![0; np], vec![0; np], vec![0; np]],
            luma: vec![0; cw * ch],
            sum: [0.0; 3],
            mean_luma: 0.0,
            grey_blocks: [0; NB],
            grey: vec![0; cw * ch],
        }
    }

    /// Copy the cell whose top-left pixel is (`x0`, `y0`); pixels outside the frame are black.
    /// With `blocks`, also sum the grey plane over its blocks (for the fast shape search).
    pub fn load(&mut self, frame: &Frame, x0: usize, y0: usize, blocks: Option<&BlockGrid>) {
        let (cw, ch) = (self.cw, self.ch);
        // rows and columns of the cell inside the frame; the rest reads as black
        let rows = frame.height.saturating_sub(y0).min(ch);
        let avail = frame.width.saturating_sub(x0).min(cw);
        let stride = frame.stride();
        let start = (y0 * stride + x0 * 3).min(frame.data.len());
        let src = &frame.data[start..];
        #[cfg(target_arch = "x86_64")]
        if crate::simd::vbmi() && cw <= x86::MAX_CW && ch <= x86::MAX_CH {
            let mut sums = [0i32; 3];
            // SAFETY: VBMI, BW and VL are available (checked at run time); the kernel reads
            // only the `rows × avail` pixels of `src` and writes `cw × ch` plane values.
            unsafe {
                x86::load_vbmi(
                    src,
                    stride,
                    (cw, ch, rows, avail),
                    &mut self.rgb,
                    blocks,
                    &mut sums,
                    &mut self.grey_blocks,
                )
            };
            self.finish(sums);
            return;
        }
        let sums = self.load_portable(src, stride, rows, avail, blocks);
        self.finish(sums);
    }

    /// [`CellPixels::load`] without the VBMI kernel: planes, block sums, and the channel sums
    /// (returned). `src` starts at the cell's top-left pixel.
    fn load_portable(
        &mut self,
        src: &[u8],
        stride: usize,
        rows: usize,
        avail: usize,
        blocks: Option<&BlockGrid>,
    ) -> [i32; 3] {
        let (cw, ch) = (self.cw, self.ch);
        let n = cw * ch;
        let mut sums = [0i32; 3];
        let [r, g, b] = &mut self.rgb;
        load_rows(src, stride, cw, ch, rows, avail, r, g, b);
        plane_sums(&r[..n], &g[..n], &b[..n], &mut sums);
        if let Some(grid) = blocks {
            grey_plane(&r[..n], &g[..n], &b[..n], &mut self.grey);
            block_sums(&self.grey, cw, grid, &mut self.grey_blocks);
        }
        sums
    }

    /// Channel sums and mean luma from the integer sums.
    fn finish(&mut self, sums: [i32; 3]) {
        let n = self.cw * self.ch;
        self.sum = sums.map(|v| v as f32);
        // the mean of the per-pixel luma, up to its rounding
        self.mean_luma = (77.0 * self.sum[0] + 150.0 * self.sum[1] + 29.0 * self.sum[2])
            / (256.0 * n.max(1) as f32);
    }

    /// Fill the luma plane from the colour planes (only `edges` needs it).
    pub fn compute_luma(&mut self) {
        let n = self.cw * self.ch;
        let [r, g, b] = &self.rgb;
        for (i, l) in self.luma[..n].iter_mut().enumerate() {
            *l = luma(r[i] as u8, g[i] as u8, b[i] as u8);
        }
    }
}

crate::multiversion! {
    /// Split the `rows × avail` pixels of a cell (interleaved RGB from `src`, rows `stride`
    /// bytes apart) into three `cw × ch` planes, zeroing what lies outside the frame. The
    /// portable path; [`x86::load_vbmi`] does the same with byte permutes.
    #[allow(clippy::too_many_arguments)]
    fn load_rows(
        src: &[u8],
        stride: usize,
        cw: usize,
        ch: usize,
        rows: usize,
        avail: usize,
        r: &mut [i16],
        g: &mut [i16],
        b: &mut [i16],
    ) {
        for y in 0..ch {
            let (r, g, b) = (
                &mut r[y * cw..(y + 1) * cw],
                &mut g[y * cw..(y + 1) * cw],
                &mut b[y * cw..(y + 1) * cw],
            );
            let n = if y < rows { avail } else { 0 };
            if n > 0 {
                let row = &src[y * stride..y * stride + n * 3];
                for (((p, r), g), b) in row.chunks_exact(3).zip(r.iter_mut()).zip(g.iter_mut()).zip(b.iter_mut()) {
                    *r = p[0] as i16;
                    *g = p[1] as i16;
                    *b = p[2] as i16;
                }
            }
            if n < cw {
                r[n..].fill(0);
                g[n..].fill(0);
                b[n..].fill(0);
            }
        }
    }
}

crate::multiversion! {
    /// Sums of three planes.
    fn plane_sums(r: &[i16], g: &[i16], b: &[i16], out: &mut [i32; 3]) {
        out[0] = r.iter().map(|&v| v as i32).sum();
        out[1] = g.iter().map(|&v| v as i32).sum();
        out[2] = b.iter().map(|&v| v as i32).sum();
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

/// Sum `plane` (a `cw`-wide cell) over every block of `grid`: one pass over the pixels, each
/// row's columns split by the grid's column ranges.
fn block_sums(plane: &[i16], cw: usize, grid: &BlockGrid, out: &mut [u32; NB]) {
    *out = [0; NB];
    for (row, &by) in plane.chunks_exact(cw.max(1)).zip(&grid.band_of_row) {
        for (bx, &(x0, x1)) in grid.col_ranges.iter().enumerate() {
            out[by as usize * BX + bx] += row[x0..x1].iter().map(|&v| v as u32).sum::<u32>();
        }
    }
}

/// The AVX-512 VBMI cell loader: each row of up to 16 pixels is one masked 48-byte load, one
/// byte permute that separates R, G and B, and three masked stores; the channel sums and the
/// prefilter's block sums are accumulated from the same registers.
#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{BX, BlockGrid, NB};
    use std::arch::x86_64::*;

    /// Widest cell the kernel takes (four 16-pixel segments per row).
    pub const MAX_CW: usize = 64;
    /// Tallest cell: a block row of `r + g + b` (≤ 765 per pixel) must fit 16-bit lanes.
    pub const MAX_CH: usize = 256;
    /// Segments per row at most.
    const SEGS: usize = MAX_CW / 16;
    /// How far ahead of a row segment to prefetch (bytes): a few cells to the right.
    const PREFETCH: usize = 256;

    /// Byte `i` of a 48-byte RGB run: R of pixel i to lane i, G to 16 + i, B to 32 + i.
    const SPLIT: [u8; 64] = {
        let mut t = [63u8; 64];
        let mut i = 0;
        while i < 16 {
            t[i] = (3 * i) as u8;
            t[16 + i] = (3 * i + 1) as u8;
            t[32 + i] = (3 * i + 2) as u8;
            i += 1;
        }
        t
    };

    /// See the module doc. `dims` = (cw, ch, rows, avail): the cell size and how much of it
    /// lies inside the frame. `src` starts at the cell's top-left pixel, rows `stride` apart.
    ///
    /// # Safety
    /// The CPU must support AVX-512 F, BW, VL and VBMI; `cw <= MAX_CW`, `ch <= MAX_CH`;
    /// `src` must hold `rows` rows of `avail` pixels; each plane must hold `cw·ch` values.
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vbmi")]
    pub unsafe fn load_vbmi(
        src: &[u8],
        stride: usize,
        dims: (usize, usize, usize, usize),
        planes: &mut [Vec<i16>; 3],
        blocks: Option<&BlockGrid>,
        sums: &mut [i32; 3],
        grey_blocks: &mut [u32; NB],
    ) {
        let (cw, ch, rows, avail) = dims;
        assert!(cw <= MAX_CW && ch <= MAX_CH);
        assert!(planes.iter().all(|p| p.len() >= cw * ch));
        assert!(rows == 0 || avail == 0 || src.len() >= (rows - 1) * stride + avail * 3);
        let [r, g, b] = planes;
        let (rp, gp, bp) = (r.as_mut_ptr(), g.as_mut_ptr(), b.as_mut_ptr());
        // SAFETY: SPLIT is 64 bytes.
        let split = unsafe { _mm512_loadu_si512(SPLIT.as_ptr().cast()) };
        let ones = _mm512_set1_epi16(1);
        let (mut acc_rg, mut acc_b) = (_mm512_setzero_si512(), _mm256_setzero_si256());
        let mut band_acc = [_mm256_setzero_si256(); SEGS];
        let segs = cw.div_ceil(16);
        *grey_blocks = [0; NB];
        for y in 0..ch {
            for (s, band) in band_acc.iter_mut().enumerate().take(segs) {
                let x = 16 * s;
                let lanes = (cw - x).min(16);
                let valid = if y < rows {
                    avail.saturating_sub(x).min(lanes)
                } else {
                    0
                };
                if y < rows {
                    // the cells to the right read these rows next: fetch ahead so the row
                    // walk down the cell does not wait on memory (a hint: never faults)
                    let ahead = src.as_ptr().wrapping_add(y * stride + 3 * x + PREFETCH);
                    _mm_prefetch::<_MM_HINT_T0>(ahead.cast());
                }
                let v = if valid > 0 {
                    // SAFETY: bytes [0, 3·valid) of this row segment are inside `src` (see
                    // the asserts); the masked load touches no other byte.
                    unsafe {
                        _mm512_maskz_loadu_epi8(
                            (1u64 << (3 * valid)) - 1,
                            src.as_ptr().add(y * stride + 3 * x).cast(),
                        )
                    }
                } else {
                    _mm512_setzero_si512()
                };
                let p = _mm512_permutexvar_epi8(split, v);
                let rg = _mm512_cvtepu8_epi16(_mm512_castsi512_si256(p));
                let bb = _mm256_cvtepu8_epi16(_mm512_extracti32x4_epi32::<2>(p));
                let gg = _mm512_extracti64x4_epi64::<1>(rg);
                let m = ((1u32 << lanes) - 1) as __mmask16;
                let o = y * cw + x;
                // SAFETY: lanes [o, o + lanes) with o + lanes <= cw·ch (asserted above).
                unsafe {
                    _mm256_mask_storeu_epi16(rp.add(o).cast(), m, _mm512_castsi512_si256(rg));
                    _mm256_mask_storeu_epi16(gp.add(o).cast(), m, gg);
                    _mm256_mask_storeu_epi16(bp.add(o).cast(), m, bb);
                }
                acc_rg = _mm512_add_epi32(acc_rg, _mm512_madd_epi16(rg, ones));
                acc_b =
                    _mm256_add_epi32(acc_b, _mm256_madd_epi16(bb, _mm512_castsi512_si256(ones)));
                if blocks.is_some() {
                    let grey =
                        _mm256_add_epi16(_mm256_add_epi16(_mm512_castsi512_si256(rg), gg), bb);
                    *band = _mm256_add_epi16(*band, grey);
                }
            }
            if let Some(grid) = blocks {
                let by = grid.band_of_row[y];
                if grid.band_of_row.get(y + 1) != Some(&by) {
                    flush(&mut band_acc, segs, grid, by as usize, grey_blocks);
                }
            }
        }
        let rg_lo = _mm512_castsi512_si256(acc_rg);
        let rg_hi = _mm512_extracti64x4_epi64::<1>(acc_rg);
        *sums = [hsum(rg_lo), hsum(rg_hi), hsum(acc_b)];
    }

    /// Add the accumulated rows of block row `by` into the blocks and clear the accumulators.
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vbmi")]
    fn flush(
        band_acc: &mut [__m256i; SEGS],
        segs: usize,
        grid: &BlockGrid,
        by: usize,
        grey_blocks: &mut [u32; NB],
    ) {
        let mut lanes = [0u16; 16 * SEGS];
        for (s, a) in band_acc.iter_mut().enumerate().take(segs) {
            // SAFETY: 16 lanes at 16·s, inside `lanes` (s < SEGS).
            unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().add(16 * s).cast(), *a) };
            *a = _mm256_setzero_si256();
        }
        for (bx, &(x0, x1)) in grid.col_ranges.iter().enumerate() {
            grey_blocks[by * BX + bx] += lanes[x0..x1].iter().map(|&v| v as u32).sum::<u32>();
        }
    }

    /// Sum of eight i32 lanes.
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vbmi")]
    fn hsum(v: __m256i) -> i32 {
        let x = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256::<1>(v));
        let x = _mm_add_epi32(x, _mm_shuffle_epi32::<0b01_00_11_10>(x));
        let x = _mm_add_epi32(x, _mm_shuffle_epi32::<0b10_11_00_01>(x));
        _mm_cvtsi128_si32(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_copies_the_cell_and_pads_outside_the_frame() {
        let mut f = Frame::new(5, 4);
        for (i, v) in f.data.iter_mut().enumerate() {
            *v = (i % 251) as u8;
        }
        let mut c = CellPixels::new(3, 2);
        c.load(&f, 1, 1, None);
        assert_eq!(c.rgb[0][0], f.pixel(1, 1)[0] as i16);
        let want: f32 = (1..4)
            .flat_map(|x| (1..3).map(move |y| (x, y)))
            .map(|(x, y)| f.pixel(x, y)[1] as f32)
            .sum();
        assert_eq!(c.sum[1], want);
        c.compute_luma();
        let p = f.pixel(2, 2);
        assert_eq!(c.luma[4], luma(p[0], p[1], p[2]));
        assert_eq!(c.rgb[2][5], f.pixel(3, 2)[2] as i16);
        assert_eq!(c.rgb[0].len(), 16);
        // a cell hanging over the right and bottom edges reads black there
        c.load(&f, 3, 3, None);
        assert_eq!(c.rgb[1][0], f.pixel(3, 3)[1] as i16);
        assert_eq!(c.rgb[1][2], 0);
        assert_eq!(c.rgb[1][3], 0);
        assert_eq!(luma(255, 255, 255), 255);
        assert_eq!(luma(0, 0, 0), 0);
    }

    #[test]
    fn the_vbmi_and_portable_loaders_agree() {
        #[cfg(target_arch = "x86_64")]
        if crate::simd::vbmi() {
            let mut f = Frame::new(61, 47);
            for (i, v) in f.data.iter_mut().enumerate() {
                *v = (crate::rng::hash2(3, i as u64, 0) >> 56) as u8;
            }
            // narrow, 10×19 (the default font), wider than one 16-pixel segment, and cells
            // hanging over the right and bottom edges
            for (cw, ch) in [(3, 7), (10, 19), (16, 16), (21, 9), (37, 30)] {
                let grid = BlockGrid::new(cw, ch);
                for (x0, y0) in [(0, 0), (5, 3), (f.width - cw / 2, 11), (7, f.height - 2)] {
                    let mut a = CellPixels::new(cw, ch);
                    let mut b = CellPixels::new(cw, ch);
                    let rows = f.height.saturating_sub(y0).min(ch);
                    let avail = f.width.saturating_sub(x0).min(cw);
                    let src = &f.data[(y0 * f.stride() + x0 * 3).min(f.data.len())..];
                    let want = a.load_portable(src, f.stride(), rows, avail, Some(&grid));
                    let mut got = [0; 3];
                    b.rgb.iter_mut().for_each(|p| p.fill(7));
                    // SAFETY: vbmi() checked; sizes within the kernel's limits.
                    unsafe {
                        x86::load_vbmi(
                            src,
                            f.stride(),
                            (cw, ch, rows, avail),
                            &mut b.rgb,
                            Some(&grid),
                            &mut got,
                            &mut b.grey_blocks,
                        )
                    };
                    let n = cw * ch;
                    for c in 0..3 {
                        assert_eq!(a.rgb[c][..n], b.rgb[c][..n], "{cw}x{ch} at {x0},{y0}");
                    }
                    assert_eq!(want, got, "{cw}x{ch} at {x0},{y0}");
                    assert_eq!(a.grey_blocks, b.grey_blocks, "{cw}x{ch} at {x0},{y0}");
                }
            }
        }
    }

    #[test]
    fn block_sums_match_a_per_pixel_count() {
        for (cw, ch) in [(10usize, 19usize), (3, 7), (70, 9)] {
            let grid = BlockGrid::new(cw, ch);
            let plane: Vec<i16> = (0..cw * ch).map(|i| ((i * 37) % 766) as i16).collect();
            let (mut want, mut n) = ([0u32; NB], [0u32; NB]);
            for y in 0..ch {
                for x in 0..cw {
                    let b = (y * BY / ch) * BX + x * BX / cw;
                    assert_eq!(grid.block(x, y), b);
                    want[b] += plane[y * cw + x] as u32;
                    n[b] += 1;
                }
            }
            let mut got = [0; NB];
            block_sums(&plane, cw, &grid, &mut got);
            assert_eq!(got, want, "{cw}x{ch}");
            assert_eq!(grid.count, n, "{cw}x{ch}");
        }
    }
}
