//! `threshold`: black and white by the mean of the three channels.

use rayon::prelude::*;

use super::simd::multiversion;
use super::{Shader, ShaderSpec, util};
use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;

const PARAMS: &[ParamSpec] = &[ParamSpec::new(
    "threshold",
    0.0,
    255.0,
    128.0,
    "grey level at or above which a pixel turns white",
)];

/// Registry entry.
pub(super) const SPEC: ShaderSpec = ShaderSpec {
    name: "threshold",
    doc: "black and white by mean grey",
    params: PARAMS,
    heavy: false,
    make: || Box::new(Threshold),
};

struct Threshold;

impl Shader for Threshold {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], _ctx: &FrameCtx) {
        let Some((w, _)) = util::dims(frame) else {
            return;
        };
        let [t] = util::read::<1>(params, PARAMS);
        // mean ≥ t  ⇔  r + g + b ≥ 3t.
        let t3 = (t.round() as u16) * 3;
        let band = util::band_rows(w) * w * 3;
        frame
            .data
            .par_chunks_mut(band)
            .for_each(|b| binarize(b, t3));
    }
}

multiversion! {
    fn binarize(data: &mut [u8], t3: u16) {
        for px in data.chunks_exact_mut(3) {
            let v = if px[0] as u16 + px[1] as u16 + px[2] as u16 >= t3 { 255 } else { 0 };
            px.fill(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::shaders::test_util::{ctx, run, test_frame};

    #[test]
    fn splits_by_mean_grey() {
        let f = test_frame(40, 30);
        let out = run("threshold", &f, &[100.0], &ctx(0));
        for y in 0..30 {
            for x in 0..40 {
                let p = f.pixel(x, y);
                let mean = (p[0] as u32 + p[1] as u32 + p[2] as u32) as f64 / 3.0;
                let v = if mean >= 100.0 { 255 } else { 0 };
                assert_eq!(out.pixel(x, y), [v, v, v]);
            }
        }
        assert!(
            run("threshold", &f, &[0.0], &ctx(0))
                .data
                .iter()
                .all(|&v| v == 255)
        );
    }
}
