//! Pixel post-processing shaders: whole-frame RGB effects run after rasterization (glow, lens,
//! film, colour, geometry and glitch looks), plus the adaptive [`Tonemap`].
//!
//! Contract shared by every shader:
//! - a pure function of (frame, params, ctx): randomness is hashed from `(ctx.seed, ctx.index,
//!   position)` through [`crate::rng`], and audio reactivity lives in the preset layer, which
//!   modulates params before they arrive here;
//! - bit-identical output for any rayon thread count (integer arithmetic, fixed band splits);
//! - never panics: frames whose buffer does not match `width * height * 3` are left untouched,
//!   params are re-clamped (NaN becomes the default, missing values take the default);
//! - no allocation per frame once the frame size is stable: scratch buffers and size-keyed caches
//!   live in the shader object.
//!
//! Hot loops are compiled for baseline x86-64, AVX2 and AVX-512 and picked at run time; a few
//! byte shuffles use AVX-512 VBMI when present (see `simd`). Every path computes the same bytes.

mod bloom;
mod channel;
mod chromatic;
mod color_lut;
mod color_matrix;
mod crt;
mod edge_glow;
mod glitch;
mod grain;
mod halftone;
mod kaleidoscope;
mod kernels;
mod mirror;
mod pixel_sort;
mod pixelate;
mod radial_blur;
mod registry;
mod remap;
mod resample;
pub mod rows;
mod scanlines;
mod simd;
mod soft_focus;
mod static_noise;
mod threshold;
mod tonemap;
mod util;
mod vignette;
mod wave;

#[cfg(test)]
mod conformance;
#[cfg(test)]
mod test_util;
#[cfg(test)]
pub(crate) mod timing;

use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;

pub use registry::{all, closest, find};
pub use rows::{PendingRows, RowForm, RowKernel};
pub use tonemap::{TONEMAP_PARAMS, Tonemap};

/// One post-processing step. Objects (rather than plain functions) so that a shader can keep
/// scratch buffers and size-keyed caches (remap tables, vignette maps) across frames.
pub trait Shader: Send {
    /// Process one frame in place. `params` has one value per entry of the spec's `params`, in
    /// order, already clamped.
    fn apply(&mut self, frame: &mut Frame, params: &[f32], ctx: &FrameCtx);

    /// Whether this shader also has a row form ([`rows`]), which lets a chain run it fused
    /// with its neighbours in one pass over the frame.
    fn row_form(&self) -> RowForm {
        RowForm::None
    }

    /// Prepare this frame's row kernel (reading `frame` as the previous shaders left it, when
    /// [`Shader::row_form`] says so); `None` when the frame is to stay unchanged. Running the
    /// kernel over every row must give exactly what `apply` gives.
    fn prepare_rows(
        &mut self,
        _frame: &Frame,
        _params: &[f32],
        _ctx: &FrameCtx,
    ) -> Option<&dyn RowKernel> {
        None
    }

    /// For [`RowForm::ReadsPixelsThroughLut`]: [`Shader::prepare_rows`] for the frame that
    /// `frame` becomes once every byte is mapped through `lut` (kernels still queued), without
    /// that frame being written. Must give the same kernel as mapping first.
    fn prepare_rows_through(
        &mut self,
        _frame: &Frame,
        _lut: &[u8; 256],
        _params: &[f32],
        _ctx: &FrameCtx,
    ) -> Option<&dyn RowKernel> {
        None
    }
}

/// Static description of a shader: what `asciivid list` prints, what presets validate against,
/// and how to build an instance.
#[derive(Clone, Copy, Debug)]
pub struct ShaderSpec {
    /// Name used in preset files (`snake_case`).
    pub name: &'static str,
    /// One-line description.
    pub doc: &'static str,
    /// Tunable parameters, in the order `apply` receives them.
    pub params: &'static [ParamSpec],
    /// Costs clearly more than a plain per-pixel pass (several ms per 1080p frame on one
    /// thread); low-quality profiles may drop it.
    pub heavy: bool,
    /// Build a fresh instance with empty caches.
    pub make: fn() -> Box<dyn Shader>,
}

impl ShaderSpec {
    /// The default value of every parameter, in order.
    pub fn defaults(&self) -> Vec<f32> {
        crate::params::defaults(self.params)
    }
}
