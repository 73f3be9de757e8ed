//! Signed-distance shapes with a soft edge and a glow.
//!
//! Distances are in screen units where the nearer edge is at 1 (aspect-corrected), following
//! Inigo Quilez's exact 2-D distance functions; y points up inside the shape functions.

use super::kernel::{Env, Kernel, REACT, SPEED, for_rows, inv_norm};
use super::math::{cos, exp, round_f, sin, smoothstep};
use super::{FieldBuf, ParamSpec};
use crate::features::Feature;
use crate::grid::GridGeom;

const SQRT3: f32 = 1.732_050_8;

#[inline(always)]
fn len(x: f32, y: f32) -> f32 {
    (x * x + y * y).sqrt()
}

#[inline(always)]
fn circle(x: f32, y: f32, r: f32) -> f32 {
    len(x, y) - r
}

#[inline(always)]
fn rounded_box(x: f32, y: f32, r: f32) -> f32 {
    let rr = 0.15 * r;
    let (qx, qy) = (x.abs() - r + rr, y.abs() - 0.7 * r + rr);
    len(qx.max(0.0), qy.max(0.0)) + qx.max(qy).min(0.0) - rr
}

#[inline(always)]
fn ring(x: f32, y: f32, r: f32) -> f32 {
    (len(x, y) - r).abs() - 0.12 * r
}

#[inline(always)]
fn triangle(x: f32, y: f32, r: f32) -> f32 {
    let (mut px, mut py) = (x.abs() - r, y + r / SQRT3);
    if px + SQRT3 * py > 0.0 {
        (px, py) = ((px - SQRT3 * py) * 0.5, (-SQRT3 * px - py) * 0.5);
    }
    px -= px.clamp(-2.0 * r, 0.0);
    -len(px, py) * py.signum()
}

/// Five-pointed star by reflections (IQ's `sdStar5`, inner radius 0.45 of the outer): no
/// trigonometry, so it stays cheap per cell.
#[inline(always)]
fn star(x: f32, y: f32, r: f32) -> f32 {
    // cos/sin of the 36° reflection axes
    const K1: (f32, f32) = (0.809_017, -0.587_785_24);
    const K2: (f32, f32) = (-0.809_017, -0.587_785_24);
    const RF: f32 = 0.45;
    let (mut px, mut py) = (x.abs(), y);
    let m = 2.0 * (K1.0 * px + K1.1 * py).max(0.0);
    px -= m * K1.0;
    py -= m * K1.1;
    let m = 2.0 * (K2.0 * px + K2.1 * py).max(0.0);
    px -= m * K2.0;
    py -= m * K2.1;
    px = px.abs();
    py -= r;
    let (bax, bay) = (RF * -K1.1, RF * K1.0 - 1.0);
    let h = ((px * bax + py * bay) / (bax * bax + bay * bay))
        .max(0.0)
        .min(r);
    len(px - bax * h, py - bay * h) * (py * bax - px * bay).signum()
}

/// A horizontal segment of length `2r` with round ends.
#[inline(always)]
fn line(x: f32, y: f32, r: f32) -> f32 {
    len(x - x.clamp(-r, r), y) - 0.08 * r
}

/// Combine two distances: 1 union, 2 intersect, 3 subtract (`a` minus `b`), 4 smooth union,
/// 5 smooth subtract (polynomial smooth minimum of width `k`); anything else keeps `a`.
#[inline(always)]
fn combine(mode: u32, a: f32, b: f32, k: f32) -> f32 {
    match mode {
        1 => a.min(b),
        2 => a.max(b),
        3 => a.max(-b),
        4 => {
            let h = (0.5 + 0.5 * (b - a) / k).clamp(0.0, 1.0);
            b + (a - b) * h - k * h * (1.0 - h)
        }
        5 => {
            let h = (0.5 - 0.5 * (a + b) / k).clamp(0.0, 1.0);
            a + (-b - a) * h + k * h * (1.0 - h)
        }
        _ => a,
    }
}

#[inline(always)]
fn heart(x: f32, y: f32, r: f32) -> f32 {
    // IQ's heart spans y in [0, 1]; scale and centre it
    let s = 1.0 / (1.6 * r);
    let (px, py) = ((x * s).abs(), y * s + 0.5);
    let d = if py + px > 1.0 {
        len(px - 0.25, py - 0.75) - std::f32::consts::SQRT_2 / 4.0
    } else {
        let m = 0.5 * (px + py).max(0.0);
        let d1 = px * px + (py - 1.0) * (py - 1.0);
        let d2 = (px - m) * (px - m) + (py - m) * (py - m);
        d1.min(d2).sqrt() * (px - py).signum()
    };
    d / s
}

/// One of six shapes, optionally tiled, with a pulsing size and a glow.
#[derive(Default)]
pub struct SdfShapes;

/// Names of the shapes, by number (`shape = "star"` is `shape = 4`).
const SHAPES: &[&str] = &["circle", "box", "ring", "triangle", "star", "heart", "line"];

impl Kernel for SdfShapes {
    const NAME: &'static str = "sdf_shapes";
    const DOC: &'static str = "glowing shape (0 circle 1 box 2 ring 3 triangle 4 star 5 heart 6 line), optionally combined with a second one; beats and bass pulse it";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new(
            "shape",
            0.0,
            6.0,
            4.0,
            "0 circle 1 box 2 ring 3 triangle 4 star 5 heart 6 line",
        )
        .named(SHAPES),
        ParamSpec::new(
            "size",
            0.05,
            1.5,
            0.5,
            "size relative to the screen half-height",
        ),
        ParamSpec::new("glow", 0.0, 1.0, 0.6, "glow strength"),
        ParamSpec::new("falloff", 1.0, 40.0, 6.0, "glow falloff (higher = tighter)"),
        ParamSpec::new("outline", 0.0, 1.0, 0.0, "1 = draw only the outline"),
        ParamSpec::new("spin", -2.0, 2.0, 0.2, "rotation, turns per 10 s"),
        ParamSpec::new(
            "repeat",
            1.0,
            8.0,
            1.0,
            "tile the shape n times per half-height",
        ),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
        ParamSpec::new(
            "combine",
            0.0,
            5.0,
            0.0,
            "with shape_b: 0 none 1 union 2 intersect 3 subtract 4 smooth union 5 smooth subtract",
        )
        .named(&[
            "none",
            "union",
            "intersect",
            "subtract",
            "smooth_union",
            "smooth_subtract",
        ]),
        ParamSpec::new(
            "shape_b",
            0.0,
            6.0,
            0.0,
            "second shape (numbers as for shape)",
        )
        .named(SHAPES),
        ParamSpec::new(
            "offset",
            -1.0,
            1.0,
            0.35,
            "horizontal distance between the two shapes' centres",
        ),
        ParamSpec::new(
            "smooth",
            0.01,
            0.5,
            0.1,
            "blend width of the smooth combinations",
        ),
    ];

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let shape = p[2].round() as u32;
        let (size, glow, falloff, outline, spin, rep, bri) =
            (p[3], p[4], p[5], p[6] >= 0.5, p[7], p[8].round(), p[9]);
        let shape = shape.min(6);
        let t = env.t;
        let k = inv_norm(geo);
        let size = size * (1.0 + 0.25 * env.a(Feature::BeatDecay) + 0.12 * env.a(Feature::Bass));
        let glow = glow * (0.7 + 0.6 * env.a(Feature::Rms));
        let rot = t * spin * 0.628;
        let look = Look {
            size,
            glow,
            falloff,
            outline,
            rep,
            bri,
            rot: (cos(rot), sin(rot)),
            k,
            // about one cell of anti-aliasing
            aa: k * rep.max(1.0),
        };
        let mode = p[10].round() as u32;
        if mode > 0 {
            // two shapes side by side, combined (function pointers: the pair is rarer)
            const SHAPES: [fn(f32, f32, f32) -> f32; 7] =
                [circle, rounded_box, ring, triangle, star, heart, line];
            let a = SHAPES[(shape as usize).min(6)];
            let b = SHAPES[(p[11].round() as usize).min(6)];
            let (half, k) = (0.5 * p[12], p[13]);
            look.fill(geo, out, move |u, v, r| {
                combine(mode, a(u + half, v, r), b(u - half, v, r), k)
            });
            return;
        }
        // one monomorphized loop per shape, so the distance function inlines and vectorizes
        match shape {
            0 => look.fill(geo, out, circle),
            1 => look.fill(geo, out, rounded_box),
            2 => look.fill(geo, out, ring),
            3 => look.fill(geo, out, triangle),
            4 => look.fill(geo, out, star),
            5 => look.fill(geo, out, heart),
            _ => look.fill(geo, out, line),
        }
    }
}

/// Per-frame drawing constants.
#[derive(Clone, Copy)]
struct Look {
    size: f32,
    glow: f32,
    falloff: f32,
    outline: bool,
    rep: f32,
    bri: f32,
    rot: (f32, f32),
    k: f32,
    aa: f32,
}

impl Look {
    fn fill(
        &self,
        geo: &GridGeom,
        out: &mut FieldBuf,
        sdf: impl Fn(f32, f32, f32) -> f32 + Sync + Send,
    ) {
        let Look {
            size,
            glow,
            falloff,
            outline,
            rep,
            bri,
            rot: (ca, sa),
            k,
            aa,
        } = *self;
        for_rows(geo, &mut out.value, |g, row| {
            // the distance first, into the row; the shading pass after it
            for ((o, &dx), &dy) in row.iter_mut().zip(g.dx).zip(g.dy) {
                let (x, y) = (dx * k, -dy * k);
                let (mut u, mut v) = (x * ca - y * sa, x * sa + y * ca);
                if rep > 1.0 {
                    // tile cells of size 2/rep, each mapped back to [-1, 1]
                    u *= rep * 0.5;
                    v *= rep * 0.5;
                    u = 2.0 * (u - round_f(u));
                    v = 2.0 * (v - round_f(v));
                }
                *o = sdf(u, v, size);
            }
            if outline {
                for o in row.iter_mut() {
                    let d = *o;
                    let body = 1.0 - smoothstep(0.5 * aa, 2.0 * aa, d.abs());
                    *o = body.max(glow * exp(-d.abs() * falloff)) * bri;
                }
            } else {
                for o in row.iter_mut() {
                    let d = *o;
                    let body = 1.0 - smoothstep(-aa, aa, d);
                    *o = body.max(glow * exp(-d.abs() * falloff)) * bri;
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn distances_have_the_right_sign() {
        for f in [circle, rounded_box, ring, triangle, star, heart] {
            let r = 0.5;
            assert!(f(0.0, 5.0, r) > 0.0, "far point is outside");
        }
        for f in [circle, rounded_box, triangle, star, heart] {
            assert!(f(0.0, 0.0, 0.5) < 0.0, "centre is inside");
        }
        assert!(ring(0.0, 0.0, 0.5) > 0.0, "a ring is hollow");
        assert!((circle(0.3, 0.4, 0.5)).abs() < 1e-6);
        assert!(
            (triangle(0.0, -0.5 / SQRT3, 0.5)).abs() < 1e-5,
            "base midpoint"
        );
    }

    #[test]
    fn combinators_follow_their_definitions() {
        let (a, b) = (circle(0.2, 0.0, 0.3), circle(-0.2, 0.0, 0.3));
        assert_eq!(combine(1, a, b, 0.1), a.min(b));
        assert_eq!(combine(2, a, b, 0.1), a.max(b));
        assert_eq!(combine(3, a, b, 0.1), a.max(-b));
        // smooth union is never above the plain one and equals it far from the seam
        for x in [-0.6f32, -0.1, 0.0, 0.1, 0.6] {
            let (a, b) = (circle(x - 0.2, 0.0, 0.3), circle(x + 0.2, 0.0, 0.3));
            assert!(combine(4, a, b, 0.1) <= a.min(b) + 1e-6);
            assert!(combine(5, a, b, 0.1) >= a.max(-b) - 1e-6);
        }
        assert_eq!(combine(4, -1.0, 5.0, 0.1), -1.0);
        assert!(line(0.0, 0.0, 0.5) < 0.0 && line(0.0, 0.2, 0.5) > 0.0);
    }

    #[test]
    fn combined_shapes_differ_by_operation() {
        let run = |mode: f32| {
            render_params(
                "sdf_shapes",
                61,
                31,
                0,
                &quiet(),
                &[(2, 0.0), (7, 0.0), (10, mode), (11, 1.0), (12, 0.4)],
            )
            .value
        };
        let lit = |v: &[f32]| v.iter().filter(|&&x| x > 0.5).count();
        let (union, inter, sub) = (run(1.0), run(2.0), run(3.0));
        assert!(lit(&union) > lit(&inter), "{} {}", lit(&union), lit(&inter));
        assert!(lit(&sub) < lit(&union) && lit(&sub) > 0);
        assert_ne!(run(4.0), union);
    }

    #[test]
    fn shape_is_centred_and_glows() {
        let f = render_params("sdf_shapes", 61, 31, 0, &quiet(), &[(2, 0.0), (7, 0.0)]);
        let centre = f.value[15 * 61 + 30];
        let corner = f.value[0];
        assert!(
            centre > 0.95 && corner < 0.2,
            "centre {centre} corner {corner}"
        );
        let edge_glow = f.value[15 * 61 + 60];
        assert!(edge_glow > 0.0 && edge_glow < centre);
    }
}
