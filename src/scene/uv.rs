//! Coordinate transforms of a layer (the reference's `uv_*` functions, plus its legacy `shake`
//! and glitch displacement): each output cell samples the effect's value field at a moved
//! position, so any effect (fields, simulations and particles alike) can be rotated, tiled,
//! wrapped onto a disc or shaken without knowing about it.
//!
//! Coordinates are `(u, v)`: offsets from the grid centre in units of the shorter half-side,
//! aspect-corrected (a circle stays round), `v` pointing down. A layer's transforms move the
//! coordinates in list order; the cell then takes the nearest cell of the unmoved field, or
//! nothing when that falls outside the grid.

use crate::features::{Feature, FeatureFrame};
use crate::params::ParamSpec;
use crate::rng::{hash3, unit};

/// Registry entry of a coordinate transform: what `asciivid list transforms` prints and what
/// presets validate against.
#[derive(Clone, Copy, Debug)]
pub struct TransformSpec {
    /// Name used in presets.
    pub name: &'static str,
    /// One-line description.
    pub doc: &'static str,
    /// Parameters, in the order [`Transform::map`] reads them.
    pub params: &'static [ParamSpec],
}

/// The transforms, by kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transform {
    /// Turn about the centre, optionally spinning.
    Rotate,
    /// Zoom about a point.
    Scale,
    /// Shear.
    Skew,
    /// Repeat the picture in a grid of tiles.
    Tile,
    /// Wrap the picture around the centre (x becomes angle, y radius).
    Polar,
    /// The inverse of `polar`: unroll the rings around the centre into rows.
    Unpolar,
    /// Rotate more the further from the centre.
    Twist,
    /// Lens bulge.
    Fisheye,
    /// Sine displacement along one axis.
    Wave,
    /// Möbius map `(a z + b) / (c z + d)` with real coefficients.
    Mobius,
    /// Whole-grid jolts driven by the bass (legacy `eff_shake`).
    Shake,
    /// Rows torn sideways in bands on beats and flux (legacy `eff_glitch_displace`).
    Glitch,
}

const fn p(name: &'static str, min: f32, max: f32, default: f32, doc: &'static str) -> ParamSpec {
    ParamSpec::new(name, min, max, default, doc)
}

/// Every transform with its spec, sorted by name.
pub static ALL: [(Transform, TransformSpec); 12] = [
    (
        Transform::Fisheye,
        TransformSpec {
            name: "fisheye",
            doc: "lens bulge: the centre is magnified (strength > 1) or pinched (< 1)",
            params: &[p("strength", 0.2, 4.0, 1.5, "radial exponent of the lens")],
        },
    ),
    (
        Transform::Glitch,
        TransformSpec {
            name: "glitch",
            doc: "bands of rows torn sideways; more and wider on beats and spectral flux",
            params: &[
                p(
                    "intensity",
                    0.0,
                    1.0,
                    0.5,
                    "how many bands and how far they shift",
                ),
                p("react", 0.0, 2.0, 1.0, "audio reactivity"),
            ],
        },
    ),
    (
        Transform::Mobius,
        TransformSpec {
            name: "mobius",
            doc: "Möbius map (a z + b) / (c z + d) of the plane, real coefficients",
            params: &[
                p("a", -2.0, 2.0, 1.0, "coefficient a"),
                p("b", -2.0, 2.0, 0.2, "coefficient b"),
                p("c", -2.0, 2.0, 0.4, "coefficient c"),
                p("d", -2.0, 2.0, 1.0, "coefficient d"),
            ],
        },
    ),
    (
        Transform::Polar,
        TransformSpec {
            name: "polar",
            doc: "wrap the picture around the centre: its x becomes the angle, its y the radius",
            params: &[
                p("turns", 1.0, 8.0, 1.0, "times the picture goes around"),
                p("spin", -2.0, 2.0, 0.0, "rotation, turns per second"),
            ],
        },
    ),
    (
        Transform::Rotate,
        TransformSpec {
            name: "rotate",
            doc: "turn about the centre by `angle`, plus `spin` turns per second",
            params: &[
                p("angle", -1.0, 1.0, 0.0, "rotation in turns"),
                p("spin", -2.0, 2.0, 0.05, "rotation speed, turns per second"),
            ],
        },
    ),
    (
        Transform::Scale,
        TransformSpec {
            name: "scale",
            doc: "zoom by (sx, sy) about the point (cx, cy)",
            params: &[
                p("sx", 0.1, 10.0, 1.5, "horizontal zoom (above 1 magnifies)"),
                p("sy", 0.1, 10.0, 1.5, "vertical zoom"),
                p(
                    "cx",
                    -2.0,
                    2.0,
                    0.0,
                    "centre x, in short half-sides from the middle",
                ),
                p(
                    "cy",
                    -2.0,
                    2.0,
                    0.0,
                    "centre y, in short half-sides from the middle",
                ),
            ],
        },
    ),
    (
        Transform::Shake,
        TransformSpec {
            name: "shake",
            doc: "whole-grid jolts on sub, bass and beats (legacy eff_shake)",
            params: &[
                p("x_amp", 0.0, 30.0, 6.0, "largest sideways jolt, in columns"),
                p("y_amp", 0.0, 20.0, 3.0, "largest vertical jolt, in rows"),
                p(
                    "react",
                    0.0,
                    2.0,
                    1.0,
                    "audio reactivity (0 = shake all the time)",
                ),
            ],
        },
    ),
    (
        Transform::Skew,
        TransformSpec {
            name: "skew",
            doc: "shear: x moves with y by kx, y with x by ky",
            params: &[
                p("kx", -2.0, 2.0, 0.3, "horizontal shear"),
                p("ky", -2.0, 2.0, 0.0, "vertical shear"),
            ],
        },
    ),
    (
        Transform::Tile,
        TransformSpec {
            name: "tile",
            doc: "repeat the picture nx × ny times; mirror = 1 makes the seams seamless",
            params: &[
                p("nx", 1.0, 16.0, 3.0, "tiles across"),
                p("ny", 1.0, 16.0, 3.0, "tiles down"),
                p("mirror", 0.0, 1.0, 1.0, "1 = every other tile mirrored"),
            ],
        },
    ),
    (
        Transform::Twist,
        TransformSpec {
            name: "twist",
            doc: "rotate by `amount` turns per unit of distance from the centre",
            params: &[
                p(
                    "amount",
                    -4.0,
                    4.0,
                    0.4,
                    "turns per short half-side of distance",
                ),
                p("spin", -2.0, 2.0, 0.0, "extra rotation, turns per second"),
            ],
        },
    ),
    (
        Transform::Unpolar,
        TransformSpec {
            name: "unpolar",
            doc: "unroll the rings around the centre into rows (the inverse of polar)",
            params: &[p(
                "radius",
                0.2,
                3.0,
                1.0,
                "radius mapped to the bottom row, in short half-sides",
            )],
        },
    ),
    (
        Transform::Wave,
        TransformSpec {
            name: "wave",
            doc: "sine displacement: rows slide sideways (axis 0) or columns up and down (axis 1)",
            params: &[
                p("freq", 0.5, 40.0, 6.0, "waves per short side"),
                p("amp", 0.0, 0.5, 0.08, "displacement, in short half-sides"),
                p(
                    "axis",
                    0.0,
                    1.0,
                    0.0,
                    "0 = rows move sideways, 1 = columns move vertically",
                )
                .named(&["rows", "columns"]),
                p("speed", -5.0, 5.0, 1.0, "waves per second travelling along"),
            ],
        },
    ),
];

/// Every transform spec, sorted by name.
pub fn specs() -> impl Iterator<Item = &'static TransformSpec> {
    ALL.iter().map(|(_, s)| s)
}

/// Look a transform up by name.
pub fn find(name: &str) -> Option<(Transform, &'static TransformSpec)> {
    ALL.iter()
        .find(|(_, s)| s.name == name)
        .map(|(t, s)| (*t, s))
}

/// The grid's extent in `(u, v)` units and how to get back to cells.
#[derive(Clone, Copy, Debug)]
pub struct Frame {
    /// Half the grid's width in `u` units (≥ 1 on a landscape grid).
    pub half_u: f32,
    /// Half the grid's height in `v` units.
    pub half_v: f32,
    /// Columns per `u` unit.
    pub cols_per_u: f32,
    /// Rows per `v` unit.
    pub rows_per_v: f32,
}

impl Frame {
    /// The frame of a `cols × rows` grid whose rows are `aspect` column-widths tall.
    pub fn new(cols: usize, rows: usize, aspect: f32) -> Frame {
        let half_w = (cols as f32 * 0.5).max(0.5);
        let half_h = (rows as f32 * 0.5 * aspect).max(0.5);
        let edge = half_w.min(half_h);
        Frame {
            half_u: half_w / edge,
            half_v: half_h / edge,
            cols_per_u: edge,
            rows_per_v: edge / aspect.max(1e-6),
        }
    }

    /// `(u, v)` of cell `(c, r)`'s centre.
    #[inline]
    pub fn uv(&self, c: usize, r: usize, cols: usize, rows: usize) -> (f32, f32) {
        (
            (c as f32 - (cols as f32 - 1.0) * 0.5) / self.cols_per_u,
            (r as f32 - (rows as f32 - 1.0) * 0.5) / self.rows_per_v,
        )
    }

    /// The cell nearest `(u, v)`, if inside the grid.
    #[inline]
    pub fn cell(&self, u: f32, v: f32, cols: usize, rows: usize) -> Option<usize> {
        let c = (u * self.cols_per_u + (cols as f32 - 1.0) * 0.5).round();
        let r = (v * self.rows_per_v + (rows as f32 - 1.0) * 0.5).round();
        (c.is_finite() && r.is_finite() && c >= 0.0 && r >= 0.0)
            .then_some((c as usize, r as usize))
            .filter(|&(c, r)| c < cols && r < rows)
            .map(|(c, r)| r * cols + c)
    }
}

/// What a transform may follow besides its parameters.
pub struct UvCtx<'a> {
    /// Scene time in seconds.
    pub t: f32,
    /// Frame index (for per-frame randomness).
    pub index: u64,
    /// Layer seed.
    pub seed: u64,
    /// This frame's audio features.
    pub feat: &'a FeatureFrame,
}

/// Per-frame constants of one transform (everything that does not depend on the cell).
#[derive(Clone, Copy, Debug)]
pub struct Prepared {
    kind: Transform,
    k: [f32; 6],
}

impl Transform {
    /// Work out this frame's constants from the clamped `params` (spec order).
    pub fn prepare(self, params: &[f32], fr: &Frame, ctx: &UvCtx) -> Prepared {
        let g = |i: usize| params.get(i).copied().unwrap_or(0.0);
        let tau = std::f32::consts::TAU;
        let k = match self {
            Transform::Rotate => {
                let a = tau * (g(0) + g(1) * ctx.t);
                [a.cos(), a.sin(), 0.0, 0.0, 0.0, 0.0]
            }
            Transform::Scale => [g(0), g(1), g(2), g(3), 0.0, 0.0],
            Transform::Skew => [g(0), g(1), 0.0, 0.0, 0.0, 0.0],
            Transform::Tile => [g(0).round(), g(1).round(), g(2), 0.0, 0.0, 0.0],
            Transform::Polar => [g(0).round(), g(1) * ctx.t, 0.0, 0.0, 0.0, 0.0],
            Transform::Unpolar => [g(0), 0.0, 0.0, 0.0, 0.0, 0.0],
            Transform::Twist => [tau * g(0), tau * g(1) * ctx.t, 0.0, 0.0, 0.0, 0.0],
            Transform::Fisheye => [g(0), 0.0, 0.0, 0.0, 0.0, 0.0],
            Transform::Wave => [
                g(0) * std::f32::consts::PI,
                g(1),
                g(2).round(),
                tau * g(3) * ctx.t,
                0.0,
                0.0,
            ],
            Transform::Mobius => [g(0), g(1), g(2), g(3), 0.0, 0.0],
            Transform::Shake => {
                let react = g(2);
                let f = |x: Feature| ctx.feat.get(x).clamp(0.0, 1.0);
                let drive = if react > 0.0 {
                    (react
                        * (0.5 * f(Feature::Sub)
                            + 0.3 * f(Feature::Bass)
                            + 0.7 * f(Feature::BeatDecay)))
                    .min(1.0)
                } else {
                    1.0
                };
                let h = |i| unit(hash3(ctx.seed, 0x5348_414b, ctx.index, i)) * 2.0 - 1.0;
                [
                    g(0) * drive * h(0) / fr.cols_per_u,
                    g(1) * drive * h(1) / fr.rows_per_v,
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                ]
            }
            Transform::Glitch => {
                let (intensity, react) = (g(0), g(1));
                let f = |x: Feature| ctx.feat.get(x).clamp(0.0, 1.0);
                let drive = 0.3 + react * (0.6 * f(Feature::Flux) + 0.8 * f(Feature::BeatDecay));
                let bands = (intensity * drive * 8.0).round().min(6.0);
                let shift = intensity * (0.2 + 0.6 * drive);
                // hashed per frame by `map`: k[4] holds the frame's salt
                let salt = (hash3(ctx.seed, 0x474c_4954, ctx.index, 0) >> 40) as f32;
                [bands, shift, 2.0 * fr.half_v, 0.0, salt, 0.0]
            }
        };
        Prepared { kind: self, k }
    }
}

impl Prepared {
    /// Move `(u, v)`: the position the output cell at `(u, v)` samples.
    #[inline]
    pub fn map(&self, u: f32, v: f32, fr: &Frame) -> (f32, f32) {
        let k = &self.k;
        let tau = std::f32::consts::TAU;
        match self.kind {
            Transform::Rotate => (k[0] * u - k[1] * v, k[1] * u + k[0] * v),
            Transform::Scale => (k[2] + (u - k[2]) / k[0], k[3] + (v - k[3]) / k[1]),
            Transform::Skew => (u + k[0] * v, v + k[1] * u),
            Transform::Tile => {
                let fold = |x: f32, half: f32, n: f32| {
                    let f = (x / (2.0 * half) + 0.5) * n;
                    let cell = f.floor();
                    let mut fr = f - cell;
                    if k[2] >= 0.5 && (cell as i64).rem_euclid(2) == 1 {
                        fr = 1.0 - fr;
                    }
                    (fr - 0.5) * 2.0 * half
                };
                (fold(u, fr.half_u, k[0]), fold(v, fr.half_v, k[1]))
            }
            Transform::Polar => {
                // angle → picture x, radius → picture y (the centre is the top row)
                let a = (v.atan2(u) / tau + 0.5 + k[1]) * k[0];
                let r = u.hypot(v) / fr.half_u.hypot(fr.half_v);
                let a = a - a.floor();
                ((a - 0.5) * 2.0 * fr.half_u, (r - 0.5) * 2.0 * fr.half_v)
            }
            Transform::Unpolar => {
                let a = (u / (2.0 * fr.half_u) + 0.5) * tau;
                let r = (v / (2.0 * fr.half_v) + 0.5) * k[0];
                (-r * a.cos(), -r * a.sin())
            }
            Transform::Twist => {
                let a = k[0] * u.hypot(v) + k[1];
                let (s, c) = a.sin_cos();
                (c * u - s * v, s * u + c * v)
            }
            Transform::Fisheye => {
                let r = u.hypot(v);
                if r < 1e-6 {
                    (u, v)
                } else {
                    let f = r.powf(k[0] - 1.0);
                    (u * f, v * f)
                }
            }
            Transform::Wave => {
                if k[2] < 0.5 {
                    (u + k[1] * (k[0] * v - k[3]).sin(), v)
                } else {
                    (u, v + k[1] * (k[0] * u - k[3]).sin())
                }
            }
            Transform::Mobius => {
                // (a z + b) / (c z + d), z = u + i v
                let (nr, ni) = (k[0] * u + k[1], k[0] * v);
                let (dr, di) = (k[2] * u + k[3], k[2] * v);
                let den = dr * dr + di * di;
                if den < 1e-6 {
                    (f32::INFINITY, f32::INFINITY)
                } else {
                    ((nr * dr + ni * di) / den, (ni * dr - nr * di) / den)
                }
            }
            Transform::Shake => (u - k[0], v - k[1]),
            Transform::Glitch => {
                let bands = k[0] as u64;
                let mut u = u;
                for b in 0..bands {
                    let h = hash3(k[4] as u64, 0x4241_4e44, b, 1);
                    let top = (unit(h) - 0.5) * k[2];
                    let height = (0.03 + 0.12 * unit(h >> 7)) * k[2];
                    if v >= top && v < top + height {
                        u += (unit(h >> 13) * 2.0 - 1.0) * k[1] * 2.0 * fr.half_u;
                    }
                }
                (u, v)
            }
        }
    }
}

/// For every cell of a `cols × rows` grid, the cell it samples after `steps` (`u32::MAX` =
/// outside the grid: nothing drawn). `out` is resized only when the grid size changes.
pub fn sample_map(steps: &[Prepared], fr: &Frame, cols: usize, rows: usize, out: &mut Vec<u32>) {
    out.resize(cols * rows, u32::MAX);
    for r in 0..rows {
        for c in 0..cols {
            let (mut u, mut v) = fr.uv(c, r, cols, rows);
            for s in steps {
                (u, v) = s.map(u, v, fr);
            }
            out[r * cols + c] = fr.cell(u, v, cols, rows).map_or(u32::MAX, |i| i as u32);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(feat: &FeatureFrame) -> UvCtx<'_> {
        UvCtx {
            t: 1.25,
            index: 30,
            seed: 7,
            feat,
        }
    }

    fn map_of(kind: Transform, params: &[f32]) -> Vec<u32> {
        let feat = FeatureFrame::uniform(0.6);
        let fr = Frame::new(40, 20, 2.0);
        let step = kind.prepare(params, &fr, &ctx(&feat));
        let mut out = Vec::new();
        sample_map(&[step], &fr, 40, 20, &mut out);
        out
    }

    fn defaults(name: &str) -> (Transform, Vec<f32>) {
        let (t, s) = find(name).unwrap();
        (t, s.params.iter().map(|p| p.default).collect())
    }

    #[test]
    fn names_sorted_unique_and_documented() {
        for w in ALL.windows(2) {
            assert!(
                w[0].1.name < w[1].1.name,
                "{} !< {}",
                w[0].1.name,
                w[1].1.name
            );
        }
        for s in specs() {
            assert!(!s.doc.is_empty());
            for p in s.params {
                assert!(
                    p.min <= p.default && p.default <= p.max,
                    "{}.{}",
                    s.name,
                    p.name
                );
            }
        }
    }

    #[test]
    fn frame_round_trips_every_cell() {
        let fr = Frame::new(33, 17, 2.0);
        for r in 0..17 {
            for c in 0..33 {
                let (u, v) = fr.uv(c, r, 33, 17);
                assert_eq!(fr.cell(u, v, 33, 17), Some(r * 33 + c));
            }
        }
        assert_eq!(fr.cell(f32::NAN, 0.0, 33, 17), None);
        assert_eq!(fr.cell(100.0, 0.0, 33, 17), None);
    }

    #[test]
    fn identity_settings_leave_the_map_alone() {
        let id: Vec<u32> = (0..800).collect();
        assert_eq!(map_of(Transform::Rotate, &[0.0, 0.0]), id);
        assert_eq!(map_of(Transform::Scale, &[1.0, 1.0, 0.0, 0.0]), id);
        assert_eq!(map_of(Transform::Tile, &[1.0, 1.0, 0.0]), id);
        assert_eq!(map_of(Transform::Fisheye, &[1.0]), id);
        assert_eq!(map_of(Transform::Mobius, &[1.0, 0.0, 0.0, 1.0]), id);
        assert_eq!(map_of(Transform::Shake, &[0.0, 0.0, 1.0]), id);
    }

    #[test]
    fn every_transform_moves_something_at_its_defaults_and_is_deterministic() {
        for (kind, spec) in &ALL {
            let (_, d) = defaults(spec.name);
            let a = map_of(*kind, &d);
            assert_ne!(
                a,
                (0..800).collect::<Vec<u32>>(),
                "{} changes nothing",
                spec.name
            );
            assert_eq!(a, map_of(*kind, &d), "{} is not deterministic", spec.name);
        }
    }

    #[test]
    fn half_turn_rotation_flips_the_grid() {
        let m = map_of(Transform::Rotate, &[0.5, 0.0]);
        // the top-left cell samples the bottom-right one
        assert_eq!(m[0], 799);
        assert_eq!(m[799], 0);
    }

    #[test]
    fn mirrored_tiles_are_symmetric() {
        let m = map_of(Transform::Tile, &[2.0, 1.0, 1.0]);
        for r in 0..20 {
            for c in 0..20 {
                // the same source cell, give or take one column where a sample falls exactly
                // between two cells
                let (a, b) = (m[r * 40 + c] as i64, m[r * 40 + 39 - c] as i64);
                assert!(
                    a / 40 == b / 40 && (a - b).abs() <= 1,
                    "row {r} col {c}: {a} {b}"
                );
            }
        }
    }
}
