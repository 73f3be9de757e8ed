//! Colour shaders that mix channels linearly: `out = M · rgb + offset`, one 3×3 fixed-point
//! matrix per frame. Hue rotation, saturation and a two-colour luminance ramp are all affine maps,
//! so they share one SIMD kernel instead of per-pixel HSV conversions.

use rayon::prelude::*;

use super::simd::multiversion;
use super::{Shader, ShaderSpec, util};
use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;

/// Rec.601 luma weights, the grey axis the saturation and ramp shaders measure against.
const LUMA: [f64; 3] = [0.299, 0.587, 0.114];
/// Fixed-point bits of the matrix.
const BITS: u32 = 12;

/// A 3×3 matrix and an offset in 0–255 units (applied to 0–255 values).
type Affine = ([[f64; 3]; 3], [f64; 3]);
type Build = fn(&[f32]) -> Affine;

struct MatrixShader {
    params: &'static [ParamSpec],
    build: Build,
}

impl Shader for MatrixShader {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], _ctx: &FrameCtx) {
        let Some((w, _)) = util::dims(frame) else {
            return;
        };
        let (m, off) = (self.build)(&util::read_all(params, self.params));
        let one = (1 << BITS) as f64;
        let mut k = [0i32; 12];
        for r in 0..3 {
            for c in 0..3 {
                k[3 * r + c] = (m[r][c] * one).round() as i32;
            }
            k[9 + r] = (off[r] * one).round() as i32 + (1 << (BITS - 1));
        }
        let band = util::band_rows(w) * w * 3;
        frame.data.par_chunks_mut(band).for_each(|b| affine(b, &k));
    }
}

multiversion! {
    /// `k[0..9]`: row-major matrix, `k[9..12]`: offsets with the rounding half folded in.
    fn affine(data: &mut [u8], k: &[i32; 12]) {
        for px in data.chunks_exact_mut(3) {
            let (r, g, b) = (px[0] as i32, px[1] as i32, px[2] as i32);
            for c in 0..3 {
                let v = (k[3 * c] * r + k[3 * c + 1] * g + k[3 * c + 2] * b + k[9 + c]) >> BITS;
                px[c] = v.clamp(0, 255) as u8;
            }
        }
    }
}

macro_rules! matrix_shader {
    ($spec:ident, $name:literal, $doc:literal, $params:expr, $build:expr) => {
        /// Registry entry.
        pub(super) const $spec: ShaderSpec = {
            const PARAMS: &[ParamSpec] = $params;
            ShaderSpec {
                name: $name,
                doc: $doc,
                params: PARAMS,
                heavy: false,
                make: || {
                    Box::new(MatrixShader {
                        params: PARAMS,
                        build: $build,
                    })
                },
            }
        };
    };
}

matrix_shader!(
    HUE_ROTATE,
    "hue_rotate",
    "rotate hues around the grey axis (greys stay grey)",
    &[ParamSpec::new(
        "amount",
        0.0,
        1.0,
        0.1,
        "rotation in turns; 1/3 maps red to green"
    )],
    |p| {
        // Rodrigues' rotation about (1, 1, 1)/√3.
        let (s, c) = (p[0] as f64 * std::f64::consts::TAU).sin_cos();
        let (a, b) = ((1.0 - c) / 3.0, s / 3f64.sqrt());
        let m = [
            [c + a, a - b, a + b],
            [a + b, c + a, a - b],
            [a - b, a + b, c + a],
        ];
        (m, [0.0; 3])
    }
);

matrix_shader!(
    SATURATION,
    "saturation",
    "push colours away from (or towards) their luma grey",
    &[ParamSpec::new(
        "factor",
        0.0,
        4.0,
        1.5,
        "0 = greyscale, 1 = unchanged, > 1 = more vivid"
    )],
    |p| {
        let f = p[0] as f64;
        let m = std::array::from_fn(|r| {
            std::array::from_fn(|c| (1.0 - f) * LUMA[c] + if r == c { f } else { 0.0 })
        });
        (m, [0.0; 3])
    }
);

matrix_shader!(
    COLOR_RAMP,
    "color_ramp",
    "map luma onto a gradient between two colours",
    &[
        ParamSpec::new("from_r", 0.0, 255.0, 0.0, "red of the colour for black"),
        ParamSpec::new("from_g", 0.0, 255.0, 0.0, "green of the colour for black"),
        ParamSpec::new("from_b", 0.0, 255.0, 0.0, "blue of the colour for black"),
        ParamSpec::new("to_r", 0.0, 255.0, 255.0, "red of the colour for white"),
        ParamSpec::new("to_g", 0.0, 255.0, 255.0, "green of the colour for white"),
        ParamSpec::new("to_b", 0.0, 255.0, 255.0, "blue of the colour for white"),
    ],
    |p| {
        // out_c = from_c + (to_c − from_c) · luma / 255: affine in rgb.
        let m = std::array::from_fn(|r| {
            let span = (p[3 + r] - p[r]) as f64 / 255.0;
            std::array::from_fn(|c| span * LUMA[c])
        });
        (m, std::array::from_fn(|r| p[r] as f64))
    }
);

#[cfg(test)]
mod tests {
    use crate::frame::Frame;
    use crate::shaders::test_util::{ctx, run, test_frame};

    fn solid(p: [u8; 3]) -> Frame {
        let mut f = Frame::new(4, 3);
        f.data
            .chunks_exact_mut(3)
            .for_each(|px| px.copy_from_slice(&p));
        f
    }

    #[test]
    fn hue_rotation_cycles_primaries_and_keeps_greys() {
        let third = 1.0 / 3.0;
        assert_eq!(
            run("hue_rotate", &solid([200, 0, 0]), &[third], &ctx(0)).pixel(1, 1),
            [0, 200, 0]
        );
        assert_eq!(
            run("hue_rotate", &solid([0, 200, 0]), &[third], &ctx(0)).pixel(1, 1),
            [0, 0, 200]
        );
        assert_eq!(
            run("hue_rotate", &solid([90, 90, 90]), &[0.27], &ctx(0)),
            solid([90, 90, 90])
        );
        let f = test_frame(40, 30);
        assert_eq!(run("hue_rotate", &f, &[0.0], &ctx(0)), f);
        assert_eq!(run("hue_rotate", &f, &[1.0], &ctx(0)), f);
        assert_ne!(run("hue_rotate", &f, &[0.1], &ctx(0)), f);
    }

    #[test]
    fn saturation_zero_is_grey_and_one_is_identity() {
        let f = test_frame(40, 30);
        let grey = run("saturation", &f, &[0.0], &ctx(0));
        assert!(
            grey.data
                .chunks_exact(3)
                .all(|p| p[0] == p[1] && p[1] == p[2])
        );
        assert_eq!(run("saturation", &f, &[1.0], &ctx(0)), f);
        let vivid = run("saturation", &solid([150, 100, 100]), &[2.0], &ctx(0)).pixel(0, 0);
        assert!(vivid[0] > 150 && vivid[1] < 100, "{vivid:?}");
    }

    #[test]
    fn color_ramp_maps_luma_between_two_colours() {
        let f = test_frame(40, 30);
        let grey = run("color_ramp", &f, &[], &ctx(0));
        assert!(
            grey.data
                .chunks_exact(3)
                .all(|p| p[0] == p[1] && p[1] == p[2])
        );
        let red = [0.0, 0.0, 0.0, 255.0, 0.0, 0.0];
        assert_eq!(
            run("color_ramp", &solid([255, 255, 255]), &red, &ctx(0)).pixel(0, 0),
            [255, 0, 0]
        );
        let blue_to_yellow = [0.0, 0.0, 255.0, 255.0, 255.0, 0.0];
        assert_eq!(
            run("color_ramp", &solid([0, 0, 0]), &blue_to_yellow, &ctx(0)).pixel(0, 0),
            [0, 0, 255]
        );
        let mid = run(
            "color_ramp",
            &solid([128, 128, 128]),
            &blue_to_yellow,
            &ctx(0),
        )
        .pixel(0, 0);
        assert!(mid.iter().all(|&v| (126..=129).contains(&v)), "{mid:?}");
    }
}
