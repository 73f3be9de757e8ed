//! Row kernels: the split form of shaders whose output pixel depends only on that pixel and its
//! position once a whole-frame preparation has run (tonemap's LUT, bloom's glow add, vignette,
//! grain, ...).
//!
//! Run one after another, each such shader streams the whole 6 MB frame through memory. Split
//! into `prepare` (whole-frame reads, e.g. bloom's blur) and a row kernel, consecutive kernels
//! run together band by band while the band sits in L2: one memory pass for all of them. Every
//! shader's `apply` goes through the same kernel, so fused and unfused output is bit-identical.

use rayon::prelude::*;

use super::Shader;
use crate::frame::{Frame, FrameCtx};

/// Shades whole pixel rows in place after [`Shader::prepare_rows`].
pub trait RowKernel: Sync {
    /// Shade `rows` (whole RGB rows of the frame the kernel was prepared for), the first of
    /// which is frame row `y0`. Bands handed to a kernel start on an even row.
    fn shade(&self, rows: &mut [u8], y0: usize);

    /// The 256-entry table when this kernel maps every byte through one (tonemap), so a
    /// later preparation can read pixels through it instead of waiting for a pass.
    fn byte_lut(&self) -> Option<&[u8; 256]> {
        None
    }
}

/// Whether a shader splits into a preparation and a [`RowKernel`] ([`Shader::row_form`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowForm {
    /// No row form: the shader runs through [`Shader::apply`] alone.
    None,
    /// Has a row kernel; preparing it does not look at the frame's pixels.
    Pure,
    /// Has a row kernel; preparing it reads the pixels, so earlier kernels must run first.
    ReadsPixels,
    /// Like `ReadsPixels`, but when every queued kernel is a byte table
    /// ([`RowKernel::byte_lut`]) the preparation reads the pixels through that table
    /// ([`Shader::prepare_rows_through`]) and the queue keeps waiting: one pass fewer.
    ReadsPixelsThroughLut,
}

/// Rows per band for a frame `width` pixels wide: about 128 kB, even (for 2×2 grain blocks).
pub fn band_rows(width: usize) -> usize {
    (super::util::band_rows(width) * 4).next_multiple_of(2)
}

/// Run `kernels` in order over `frame`, band by band on the rayon pool.
pub fn run_rows(frame: &mut Frame, kernels: &[&dyn RowKernel]) {
    let stride = frame.stride();
    if kernels.is_empty() || stride == 0 || frame.data.len() != stride * frame.height {
        return;
    }
    let rows = band_rows(frame.width);
    frame
        .data
        .par_chunks_mut(rows * stride)
        .enumerate()
        .for_each(|(b, band)| {
            for k in kernels {
                k.shade(band, b * rows);
            }
        });
}

/// `apply` of a shader with a row form: prepare, then one pass of its kernel.
pub(super) fn apply_by_rows<S: Shader + ?Sized>(
    shader: &mut S,
    frame: &mut Frame,
    params: &[f32],
    ctx: &FrameCtx,
) {
    if let Some(k) = shader.prepare_rows(frame, params, ctx) {
        run_rows(frame, &[k]);
    }
}

/// Kernels waiting to run, collected by a caller walking a shader chain.
#[derive(Default)]
pub struct PendingRows<'a> {
    kernels: Vec<&'a dyn RowKernel>,
}

impl<'a> PendingRows<'a> {
    /// Queue a kernel behind the ones already waiting.
    pub fn push(&mut self, k: &'a dyn RowKernel) {
        self.kernels.push(k);
    }

    /// Run every waiting kernel in one pass over `frame`.
    pub fn flush(&mut self, frame: &mut Frame) {
        run_rows(frame, &self.kernels);
        self.kernels.clear();
    }

    /// Run `shader` on `frame` as part of the chain: its kernel joins the queue when it has one
    /// (flushing first if its preparation reads pixels), else the queue is flushed and
    /// `apply` runs.
    pub fn add_shader(
        &mut self,
        shader: &'a mut dyn Shader,
        frame: &mut Frame,
        params: &[f32],
        ctx: &FrameCtx,
    ) {
        match shader.row_form() {
            RowForm::None => {
                self.flush(frame);
                shader.apply(frame, params, ctx);
                return;
            }
            RowForm::ReadsPixels => self.flush(frame),
            RowForm::ReadsPixelsThroughLut => {
                if let Some(lut) = self.composed_lut() {
                    if let Some(k) = shader.prepare_rows_through(frame, &lut, params, ctx) {
                        self.push(k);
                    }
                    return;
                }
                self.flush(frame);
            }
            RowForm::Pure => {}
        }
        if let Some(k) = shader.prepare_rows(frame, params, ctx) {
            self.push(k);
        }
    }

    /// The single table equivalent to every queued kernel, when all of them are byte tables
    /// and there is at least one.
    fn composed_lut(&self) -> Option<[u8; 256]> {
        let (first, rest) = self.kernels.split_first()?;
        let mut lut = *first.byte_lut()?;
        for k in rest {
            let next = k.byte_lut()?;
            for v in &mut lut {
                *v = next[*v as usize];
            }
        }
        Some(lut)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shaders::test_util::{ctx, in_pool, spec, test_frame};
    use crate::shaders::{Tonemap, all};

    /// Every shader through a [`PendingRows`] chain, fused with its row-form neighbours, gives
    /// the same bytes as the shaders applied one after another, at one and two threads.
    #[test]
    fn fused_chain_matches_sequential_apply() {
        check_chain(&[
            "vignette",
            "bloom",
            "grain",
            "vignette",
            "scanlines",
            "grain",
        ]);
    }

    /// Bloom right after the tonemap reads the frame through the queued tonemap table instead
    /// of flushing it: same bytes, on the SIMD and the portable paths.
    #[test]
    fn bloom_through_the_tonemap_table_matches_sequential_apply() {
        check_chain(&["bloom", "vignette", "grain"]);
        crate::shaders::simd::force_base(true);
        check_chain(&["bloom", "grain"]);
        crate::shaders::simd::force_base(false);
    }

    fn check_chain(names: &[&str]) {
        // two bands of rows (84 + 17): a band boundary, a partial last band, an odd height
        let src = test_frame(1500, 101);
        assert_eq!(band_rows(1500), 84);
        let params: Vec<Vec<f32>> = names
            .iter()
            .map(|n| {
                let mut p = spec(n).defaults();
                // strong enough that every stage changes pixels
                if *n == "bloom" {
                    p[0] = 60.0;
                }
                p
            })
            .collect();
        let c = ctx(5);
        let sequential = {
            let mut f = src.clone();
            let mut t = Tonemap::new();
            t.apply(&mut f, 0.8, 2.0, 253.0);
            for (n, p) in names.iter().zip(&params) {
                (spec(n).make)().apply(&mut f, p, &c);
            }
            f
        };
        assert!(sequential.data != src.data);
        for threads in [1, 2] {
            let fused = in_pool(threads, || {
                let mut f = src.clone();
                let mut t = Tonemap::new();
                let mut shaders: Vec<_> = names.iter().map(|n| (spec(n).make)()).collect();
                let mut pending = PendingRows::default();
                pending.push(t.prepare_rows(&f, 0.8, 2.0, 253.0).unwrap());
                for (s, p) in shaders.iter_mut().zip(&params) {
                    pending.add_shader(s.as_mut(), &mut f, p, &c);
                }
                pending.flush(&mut f);
                f
            });
            assert!(
                fused.data == sequential.data,
                "{names:?}, {threads} threads"
            );
        }
    }

    /// Shaders that claim a row form produce `apply`'s bytes through their kernel alone.
    #[test]
    fn row_forms_are_declared_consistently() {
        let f = test_frame(64, 40);
        for s in all() {
            let mut sh = (s.make)();
            let has = sh.row_form() != RowForm::None;
            let k = sh.prepare_rows(&f, &s.defaults(), &ctx(1)).is_some();
            assert!(has || !k, "{} returns a kernel without a row form", s.name);
            // A shader that reads through a queued table must implement that path: the
            // trait's default returns no kernel, which would silently drop the shader.
            if sh.row_form() == RowForm::ReadsPixelsThroughLut {
                let identity: [u8; 256] = std::array::from_fn(|i| i as u8);
                let through = sh
                    .prepare_rows_through(&f, &identity, &s.defaults(), &ctx(1))
                    .is_some();
                assert_eq!(through, k, "{}: prepare_rows_through disagrees", s.name);
            }
        }
    }
}
