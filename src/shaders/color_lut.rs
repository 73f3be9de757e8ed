//! Tone and colour shaders that map each channel value independently: each builds a 256-entry
//! table per frame (microseconds) and applies it with the SIMD LUT kernel.

use rayon::prelude::*;

use super::{Shader, ShaderSpec, simd, util};
use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;

/// Tables for one frame: one shared by all channels, or one per channel.
#[expect(
    clippy::large_enum_variant,
    reason = "built and consumed on the stack once per frame"
)]
enum Luts {
    One([u8; 256]),
    Three([[u8; 256]; 3]),
}

/// Builds the tables from the (clamped) params and the frame context.
type Build = fn(&[f32], &FrameCtx) -> Luts;

/// A per-channel tone shader: its param table and table builder.
struct LutShader {
    params: &'static [ParamSpec],
    build: Build,
}

impl Shader for LutShader {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], ctx: &FrameCtx) {
        let Some((w, _)) = util::dims(frame) else {
            return;
        };
        let p = util::read_all(params, self.params);
        let band = util::band_rows(w) * w * 3;
        match (self.build)(&p, ctx) {
            Luts::One(lut) => frame
                .data
                .par_chunks_mut(band)
                .for_each(|b| simd::lut1(b, &lut)),
            Luts::Three(luts) => frame
                .data
                .par_chunks_mut(band)
                .for_each(|b| simd::lut3(b, &luts)),
        }
    }
}

/// A table from a function of the value in `0.0..=255.0`, rounded and clamped.
fn table(f: impl Fn(f64) -> f64) -> [u8; 256] {
    std::array::from_fn(|v| f(v as f64).round().clamp(0.0, 255.0) as u8)
}

macro_rules! lut_shader {
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
                    Box::new(LutShader {
                        params: PARAMS,
                        build: $build,
                    })
                },
            }
        };
    };
}

lut_shader!(INVERT, "invert", "photographic negative", &[], |_, _| {
    Luts::One(table(|v| 255.0 - v))
});

lut_shader!(
    POSTERIZE,
    "posterize",
    "reduce each channel to a few evenly spaced levels",
    &[ParamSpec::new(
        "levels",
        2.0,
        64.0,
        4.0,
        "number of levels per channel"
    )],
    |p, _| {
        let n = util::int_param(p[0], 2, 64) as f64 - 1.0;
        Luts::One(table(|v| (v / 255.0 * n).round() / n * 255.0))
    }
);

lut_shader!(
    SOLARIZE,
    "solarize",
    "invert channel values at or above the threshold",
    &[ParamSpec::new(
        "threshold",
        0.0,
        255.0,
        128.0,
        "values at or above this are inverted"
    )],
    |p, _| {
        let t = p[0].round() as f64;
        Luts::One(table(|v| if v >= t { 255.0 - v } else { v }))
    }
);

lut_shader!(
    CONTRAST,
    "contrast",
    "scale distances from mid-grey",
    &[ParamSpec::new(
        "factor",
        0.0,
        4.0,
        1.3,
        "contrast gain; < 1 flattens, > 1 punches"
    )],
    |p, _| {
        let f = p[0] as f64;
        Luts::One(table(|v| (v - 127.5) * f + 127.5))
    }
);

lut_shader!(
    GAMMA,
    "gamma",
    "gamma curve x^(1/gamma); > 1 lifts midtones",
    &[ParamSpec::new(
        "gamma",
        0.1,
        5.0,
        1.5,
        "gamma; endpoints stay fixed"
    )],
    |p, _| {
        let e = 1.0 / p[0] as f64;
        Luts::One(table(|v| (v / 255.0).powf(e) * 255.0))
    }
);

lut_shader!(
    LEVELS,
    "levels",
    "input levels: black and white points and a midtone gamma",
    &[
        ParamSpec::new("black", 0.0, 255.0, 0.0, "input value mapped to black"),
        ParamSpec::new(
            "white",
            0.0,
            255.0,
            255.0,
            "input value mapped to white (kept above black)"
        ),
        ParamSpec::new("midtone", 0.1, 10.0, 1.0, "midtone gamma; > 1 brightens"),
    ],
    |p, _| {
        let b = p[0].round() as f64;
        let w = (p[1].round() as f64).max(b + 1.0);
        let e = 1.0 / p[2] as f64;
        Luts::One(table(|v| {
            ((v - b) / (w - b)).clamp(0.0, 1.0).powf(e) * 255.0
        }))
    }
);

lut_shader!(
    BRIGHTNESS,
    "brightness",
    "multiply every channel (prefer tonemap gamma for overall level)",
    &[ParamSpec::new(
        "factor",
        0.0,
        4.0,
        1.5,
        "brightness multiplier"
    )],
    |p, _| {
        let f = p[0] as f64;
        Luts::One(table(|v| v * f))
    }
);

lut_shader!(
    COLOR_GRADE,
    "color_grade",
    "per-channel gain (tints: warm 1.15/1.0/0.85, matrix 0.7/1.2/0.7, ...)",
    &[
        ParamSpec::new("r", 0.0, 3.0, 1.0, "red multiplier"),
        ParamSpec::new("g", 0.0, 3.0, 1.0, "green multiplier"),
        ParamSpec::new("b", 0.0, 3.0, 1.0, "blue multiplier"),
    ],
    |p, _| Luts::Three(std::array::from_fn(|c| table(|v| v * p[c] as f64)))
);

lut_shader!(
    COLOR_WOBBLE,
    "color_wobble",
    "per-channel gains oscillating out of phase over time",
    &[
        ParamSpec::new(
            "amount",
            0.0,
            1.0,
            0.3,
            "gain swing: each gain moves in 1 ± amount"
        ),
        ParamSpec::new(
            "speed",
            0.0,
            20.0,
            5.0,
            "angular speed in radians per second"
        ),
    ],
    |p, ctx| {
        let t = ctx.time as f64 * p[1] as f64;
        Luts::Three(std::array::from_fn(|c| {
            let phase = c as f64 * std::f64::consts::TAU / 3.0;
            let gain = 1.0 + p[0] as f64 * (t + phase).sin();
            table(|v| v * gain)
        }))
    }
);

#[cfg(test)]
mod tests {
    use crate::frame::Frame;
    use crate::shaders::test_util::{ctx, mean, run, test_frame};

    fn distinct(f: &Frame) -> usize {
        let mut seen = [false; 256];
        f.data.iter().for_each(|&v| seen[v as usize] = true);
        seen.iter().filter(|&&s| s).count()
    }

    fn std_dev(f: &Frame) -> f64 {
        let m = f.mean_brightness();
        (f.data.iter().map(|&v| (v as f64 - m).powi(2)).sum::<f64>() / f.data.len() as f64).sqrt()
    }

    #[test]
    fn invert_twice_is_identity() {
        let f = test_frame(50, 40);
        let once = run("invert", &f, &[], &ctx(0));
        assert_eq!(once.pixel(3, 3)[0], 255 - f.pixel(3, 3)[0]);
        assert_eq!(run("invert", &once, &[], &ctx(0)), f);
    }

    #[test]
    fn posterize_limits_levels() {
        let f = test_frame(64, 64);
        assert!(distinct(&f) > 100);
        let out = run("posterize", &f, &[4.0], &ctx(0));
        assert!(distinct(&out) <= 4);
        assert!(out.data.iter().all(|v| [0, 85, 170, 255].contains(v)));
    }

    #[test]
    fn solarize_inverts_only_bright_values() {
        let f = test_frame(40, 40);
        let out = run("solarize", &f, &[128.0], &ctx(0));
        for (o, s) in out.data.iter().zip(&f.data) {
            assert_eq!(*o, if *s >= 128 { 255 - s } else { *s });
        }
    }

    #[test]
    fn contrast_spreads_and_flattens() {
        let f = test_frame(64, 48);
        assert!(std_dev(&run("contrast", &f, &[1.5], &ctx(0))) > std_dev(&f) * 1.2);
        assert!(std_dev(&run("contrast", &f, &[0.5], &ctx(0))) < std_dev(&f) * 0.6);
        assert_eq!(run("contrast", &f, &[1.0], &ctx(0)), f);
    }

    #[test]
    fn gamma_and_levels_keep_endpoints_and_move_midtones() {
        let f = test_frame(64, 48);
        let g = run("gamma", &f, &[2.0], &ctx(0));
        assert!(g.mean_brightness() > f.mean_brightness() + 10.0);
        assert_eq!(run("gamma", &f, &[1.0], &ctx(0)), f);
        let mut ends = Frame::new(2, 1);
        ends.data = vec![0, 0, 0, 255, 255, 255];
        assert_eq!(run("gamma", &ends, &[3.0], &ctx(0)), ends);
        let l = run("levels", &f, &[50.0, 200.0, 1.0], &ctx(0));
        for (o, s) in l.data.iter().zip(&f.data) {
            if *s <= 50 {
                assert_eq!(*o, 0);
            } else if *s >= 200 {
                assert_eq!(*o, 255);
            }
        }
        // White below black must not divide by zero or panic.
        run("levels", &f, &[200.0, 100.0, 0.1], &ctx(0));
    }

    #[test]
    fn brightness_and_grade_scale_channels() {
        let f = test_frame(64, 48);
        let b = run("brightness", &f, &[0.5], &ctx(0));
        assert_eq!(
            b.pixel(20, 20)[1],
            (f.pixel(20, 20)[1] as f64 * 0.5).round() as u8
        );
        let g = run("color_grade", &f, &[1.2, 1.0, 0.6], &ctx(0));
        assert!(mean(&g, 0, 64, 0, 48, 0) > mean(&f, 0, 64, 0, 48, 0));
        assert_eq!(mean(&g, 0, 64, 0, 48, 1), mean(&f, 0, 64, 0, 48, 1));
        assert!(mean(&g, 0, 64, 0, 48, 2) < mean(&f, 0, 64, 0, 48, 2) * 0.7);
    }

    #[test]
    fn color_wobble_moves_with_time() {
        let f = test_frame(32, 32);
        let a = run("color_wobble", &f, &[0.5, 5.0], &ctx(3));
        let b = run("color_wobble", &f, &[0.5, 5.0], &ctx(9));
        assert_ne!(a, b);
        assert_ne!(a, f);
        assert_eq!(run("color_wobble", &f, &[0.0, 5.0], &ctx(3)), f);
    }
}
