//! Layer masks (stencils): a value in `[0, 1]` per cell that scales the layer's field, so a
//! layer shows only inside a circle, fades across the screen, or is revealed by an iris,
//! a wipe or a dissolve. Several masks combine with boolean operations (union = max,
//! intersect = min, subtract = clip(a − b)) and any of them may be inverted.
//!
//! Positions are screen fractions (`0..1` left to right, top to bottom); radii are in units of
//! the shorter half-side, measured in pixels, so circles stay round on any grid.
//! Animated masks take a `progress` parameter: set it to `{ feature = "scene_progress" }` to
//! run the reveal over a timeline section, or to any other feature or constant.
//! A `field` mask (the reference's `mask_from_vf`) takes its shape from another effect's value
//! field, rendered by the layer on its own grid each frame and thresholded here.

use crate::params::ParamSpec;
use crate::rng::{hash3, unit};

/// Registry entry of a mask shape.
#[derive(Clone, Copy, Debug)]
pub struct MaskSpec {
    /// Name used in presets.
    pub name: &'static str,
    /// One-line description.
    pub doc: &'static str,
    /// Parameters, in the order [`Mask::prepare`] reads them.
    pub params: &'static [ParamSpec],
}

/// The mask shapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mask {
    /// Disc with a soft edge.
    Circle,
    /// Rectangle with a soft edge.
    Rect,
    /// Annulus.
    Ring,
    /// Ramp from left to right.
    GradientH,
    /// Ramp from top to bottom.
    GradientV,
    /// 1 inside `inner`, fading to 0 at `outer`.
    Radial,
    /// A circle that opens with `progress` (eased).
    Iris,
    /// A horizontal wipe at `progress`.
    WipeH,
    /// A vertical wipe at `progress`.
    WipeV,
    /// Random cells switch on as `progress` rises.
    Dissolve,
    /// Another effect's value field above a threshold (`mask_from_vf`).
    Field,
}

/// How a mask combines with the masks listed before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MaskOp {
    /// `max(a, b)`: either shape shows.
    #[default]
    Union,
    /// `min(a, b)`: only the overlap shows.
    Intersect,
    /// `clip(a − b)`: this shape cuts a hole.
    Subtract,
}

impl MaskOp {
    /// Names used in presets.
    pub const NAMES: &'static [&'static str] = &["union", "intersect", "subtract"];

    /// Look an operation up by name.
    pub fn from_name(s: &str) -> Option<MaskOp> {
        Some(match s {
            "union" => MaskOp::Union,
            "intersect" => MaskOp::Intersect,
            "subtract" => MaskOp::Subtract,
            _ => return None,
        })
    }

    /// Combine the mask so far `a` with this one `b`.
    #[inline]
    pub fn combine(self, a: f32, b: f32) -> f32 {
        match self {
            MaskOp::Union => a.max(b),
            MaskOp::Intersect => a.min(b),
            MaskOp::Subtract => (a - b).max(0.0),
        }
    }
}

const fn p(name: &'static str, min: f32, max: f32, default: f32, doc: &'static str) -> ParamSpec {
    ParamSpec::new(name, min, max, default, doc)
}

const CX: ParamSpec = p("cx", 0.0, 1.0, 0.5, "centre x, fraction of the width");
const CY: ParamSpec = p("cy", 0.0, 1.0, 0.5, "centre y, fraction of the height");
const PROGRESS: ParamSpec = p(
    "progress",
    0.0,
    1.0,
    0.5,
    "0 = hidden, 1 = fully shown (follow scene_progress to animate)",
);

/// Every mask with its spec, sorted by name.
pub static ALL: [(Mask, MaskSpec); 11] = [
    (
        Mask::Circle,
        MaskSpec {
            name: "circle",
            doc: "disc with a soft edge",
            params: &[
                CX,
                CY,
                p("radius", 0.0, 3.0, 0.6, "radius, in short half-sides"),
                p("feather", 0.0, 1.0, 0.1, "width of the soft edge"),
            ],
        },
    ),
    (
        Mask::Dissolve,
        MaskSpec {
            name: "dissolve",
            doc: "random cells switch on as progress rises (the same cells at every frame)",
            params: &[
                PROGRESS,
                p(
                    "grain",
                    1.0,
                    16.0,
                    1.0,
                    "size of the random blocks, in cells",
                ),
            ],
        },
    ),
    (
        Mask::Field,
        MaskSpec {
            name: "field",
            doc: "the shape of another effect's value field (`effect = \"NAME\"`, its parameters in `effect_params`): 1 where the field is above `threshold` (the reference's mask_from_vf)",
            params: &[
                p(
                    "threshold",
                    0.0,
                    1.0,
                    0.5,
                    "field value where the mask is half on",
                ),
                p(
                    "feather",
                    0.0,
                    1.0,
                    0.1,
                    "width of the soft edge, in field values",
                ),
            ],
        },
    ),
    (
        Mask::GradientH,
        MaskSpec {
            name: "gradient_h",
            doc: "ramp across the screen: 0 at `start`, 1 at `end` (fractions of the width)",
            params: &[
                p("start", 0.0, 1.0, 0.0, "where the ramp is 0"),
                p("end", 0.0, 1.0, 1.0, "where the ramp is 1"),
            ],
        },
    ),
    (
        Mask::GradientV,
        MaskSpec {
            name: "gradient_v",
            doc: "ramp down the screen: 0 at `start`, 1 at `end` (fractions of the height)",
            params: &[
                p("start", 0.0, 1.0, 0.0, "where the ramp is 0"),
                p("end", 0.0, 1.0, 1.0, "where the ramp is 1"),
            ],
        },
    ),
    (
        Mask::Iris,
        MaskSpec {
            name: "iris",
            doc: "circle opening from the centre with progress (smoothstep eased)",
            params: &[
                PROGRESS,
                p(
                    "max_radius",
                    0.1,
                    3.0,
                    2.1,
                    "radius at progress 1, in short half-sides",
                ),
                p("feather", 0.0, 1.0, 0.05, "width of the soft edge"),
            ],
        },
    ),
    (
        Mask::Radial,
        MaskSpec {
            name: "radial",
            doc: "1 inside `inner`, fading to 0 at `outer` (a vignette for one layer)",
            params: &[
                p("inner", 0.0, 3.0, 0.2, "radius where the fade starts"),
                p("outer", 0.0, 3.0, 1.0, "radius where the layer is gone"),
            ],
        },
    ),
    (
        Mask::Rect,
        MaskSpec {
            name: "rect",
            doc: "rectangle with a soft edge (corners as fractions of the screen)",
            params: &[
                p("x0", 0.0, 1.0, 0.2, "left edge"),
                p("y0", 0.0, 1.0, 0.2, "top edge"),
                p("x1", 0.0, 1.0, 0.8, "right edge"),
                p("y1", 0.0, 1.0, 0.8, "bottom edge"),
                p(
                    "feather",
                    0.0,
                    0.5,
                    0.03,
                    "width of the soft edge, fraction of the screen",
                ),
            ],
        },
    ),
    (
        Mask::Ring,
        MaskSpec {
            name: "ring",
            doc: "annulus between two radii",
            params: &[
                CX,
                CY,
                p("inner", 0.0, 3.0, 0.3, "inner radius, in short half-sides"),
                p("outer", 0.0, 3.0, 0.7, "outer radius"),
                p("feather", 0.0, 1.0, 0.05, "width of the soft edges"),
            ],
        },
    ),
    (
        Mask::WipeH,
        MaskSpec {
            name: "wipe_h",
            doc: "reveal from the left (reverse = 1: from the right) as progress rises",
            params: &[
                PROGRESS,
                p("reverse", 0.0, 1.0, 0.0, "1 = wipe from the right"),
                p("feather", 0.0, 0.5, 0.05, "width of the soft edge"),
            ],
        },
    ),
    (
        Mask::WipeV,
        MaskSpec {
            name: "wipe_v",
            doc: "reveal from the top (reverse = 1: from the bottom) as progress rises",
            params: &[
                PROGRESS,
                p("reverse", 0.0, 1.0, 0.0, "1 = wipe from the bottom"),
                p("feather", 0.0, 0.5, 0.05, "width of the soft edge"),
            ],
        },
    ),
];

/// Every mask spec, sorted by name.
pub fn specs() -> impl Iterator<Item = &'static MaskSpec> {
    ALL.iter().map(|(_, s)| s)
}

/// Look a mask up by name.
pub fn find(name: &str) -> Option<(Mask, &'static MaskSpec)> {
    ALL.iter()
        .find(|(_, s)| s.name == name)
        .map(|(m, s)| (*m, s))
}

/// A grid's shape as the masks see it.
#[derive(Clone, Copy, Debug)]
pub struct MaskGrid {
    /// Columns.
    pub cols: usize,
    /// Rows.
    pub rows: usize,
    /// Width over height of the grid in pixels.
    pub ratio: f32,
}

/// One mask with this frame's parameters.
#[derive(Clone, Copy, Debug)]
pub struct Prepared {
    kind: Mask,
    k: [f32; 5],
    seed: u64,
}

#[inline]
fn soft(edge: f32, feather: f32, x: f32) -> f32 {
    // 1 well inside (x < edge), 0 outside, a smoothstep of width `feather` across the edge
    if feather <= 1e-6 {
        return if x <= edge { 1.0 } else { 0.0 };
    }
    let t = ((edge + 0.5 * feather - x) / feather).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

impl Mask {
    /// This frame's constants from the clamped `params` (spec order) and the layer seed.
    pub fn prepare(self, params: &[f32], seed: u64) -> Prepared {
        let mut k = [0.0; 5];
        for (d, s) in k.iter_mut().zip(params) {
            *d = *s;
        }
        Prepared {
            kind: self,
            k,
            seed,
        }
    }
}

impl Prepared {
    /// A `field` mask's value for a field value `v`: 0 below `threshold`, 1 above, a
    /// smoothstep `feather` wide across it.
    #[inline]
    pub fn from_value(&self, v: f32) -> f32 {
        let v = if v.is_nan() { 0.0 } else { v };
        1.0 - soft(self.k[0], self.k[1], v)
    }

    /// The mask's value at cell `(c, r)`.
    #[inline]
    pub fn at(&self, c: usize, r: usize, g: &MaskGrid) -> f32 {
        let k = &self.k;
        let fx = (c as f32 + 0.5) / g.cols.max(1) as f32;
        let fy = (r as f32 + 0.5) / g.rows.max(1) as f32;
        // distance from (cx, cy) in short half-sides, measured in pixels
        let dist = |cx: f32, cy: f32| {
            let (w, h) = if g.ratio >= 1.0 {
                (g.ratio, 1.0)
            } else {
                (1.0, 1.0 / g.ratio.max(1e-6))
            };
            ((fx - cx) * w).hypot((fy - cy) * h) * 2.0
        };
        match self.kind {
            Mask::Circle => soft(k[2], k[3], dist(k[0], k[1])),
            Mask::Ring => {
                let d = dist(k[0], k[1]);
                soft(k[3], k[4], d) * (1.0 - soft(k[2], k[4], d))
            }
            Mask::Rect => {
                let f = k[4];
                let inside_x = soft(k[2], f, fx) * (1.0 - soft(k[0], f, fx));
                let inside_y = soft(k[3], f, fy) * (1.0 - soft(k[1], f, fy));
                inside_x * inside_y
            }
            Mask::GradientH | Mask::GradientV => {
                let x = if self.kind == Mask::GradientH { fx } else { fy };
                let span = k[1] - k[0];
                if span.abs() < 1e-6 {
                    if x >= k[1] { 1.0 } else { 0.0 }
                } else {
                    ((x - k[0]) / span).clamp(0.0, 1.0)
                }
            }
            Mask::Radial => {
                let d = dist(0.5, 0.5);
                let span = (k[1] - k[0]).max(1e-6);
                (1.0 - (d - k[0]) / span).clamp(0.0, 1.0)
            }
            Mask::Iris => {
                let p = k[0];
                if p >= 1.0 {
                    return 1.0;
                }
                let eased = p * p * (3.0 - 2.0 * p);
                // at progress 0 nothing shows even with a feather
                let r = eased * (k[1] + k[2]) - 0.5 * k[2];
                soft(r, k[2], dist(0.5, 0.5))
            }
            Mask::WipeH | Mask::WipeV => {
                let x = if self.kind == Mask::WipeH { fx } else { fy };
                let x = if k[1] >= 0.5 { 1.0 - x } else { x };
                // the edge travels from -feather/2 to 1 + feather/2
                let edge = k[0] * (1.0 + k[2]) - 0.5 * k[2];
                soft(edge, k[2], x)
            }
            // the value comes from the layer's rendered field (see `evaluate`)
            Mask::Field => 1.0,
            Mask::Dissolve => {
                let grain = k[1].round().max(1.0) as usize;
                let h = hash3(
                    self.seed,
                    0x4449_5353,
                    (c / grain) as u64,
                    (r / grain) as u64,
                );
                let p = k[0];
                if p >= 1.0 || unit(h) < p { 1.0 } else { 0.0 }
            }
        }
    }
}

/// One mask of a layer, ready for a frame.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    /// The shape with this frame's parameters.
    pub mask: Prepared,
    /// How it combines with the masks before it (ignored for the first).
    pub op: MaskOp,
    /// Use `1 − mask`.
    pub invert: bool,
    /// `field` masks: which rendered field `evaluate`'s `field` callback reads.
    pub field: Option<usize>,
}

/// Fill `out` (one value per cell, resized only when the grid changes) with the combined mask.
/// `field(k, cell)` is the value of rendered field `k` (a step's [`Step::field`]) at a cell.
pub fn evaluate(
    steps: &[Step],
    g: &MaskGrid,
    field: impl Fn(usize, usize) -> f32,
    out: &mut Vec<f32>,
) {
    out.resize(g.cols * g.rows, 1.0);
    for r in 0..g.rows {
        for c in 0..g.cols {
            let mut acc = 1.0;
            for (i, s) in steps.iter().enumerate() {
                let mut m = match s.field {
                    Some(k) => s.mask.from_value(field(k, r * g.cols + c)),
                    None => s.mask.at(c, r, g),
                };
                if s.invert {
                    m = 1.0 - m;
                }
                acc = if i == 0 { m } else { s.op.combine(acc, m) };
            }
            out[r * g.cols + c] = acc;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: MaskGrid = MaskGrid {
        cols: 64,
        rows: 36,
        ratio: 16.0 / 9.0,
    };

    fn one(name: &str, params: &[f32]) -> Vec<f32> {
        let (m, _) = find(name).unwrap();
        let mut out = Vec::new();
        let step = Step {
            mask: m.prepare(params, 3),
            op: MaskOp::Union,
            invert: false,
            field: (m == Mask::Field).then_some(0),
        };
        // a field mask sees a left-to-right ramp
        evaluate(&[step], &G, |_, cell| (cell % 64) as f32 / 63.0, &mut out);
        out
    }

    fn defaults(name: &str) -> Vec<f32> {
        find(name)
            .unwrap()
            .1
            .params
            .iter()
            .map(|p| p.default)
            .collect()
    }

    #[test]
    fn names_sorted_unique_and_documented() {
        for w in ALL.windows(2) {
            assert!(w[0].1.name < w[1].1.name);
        }
        for s in specs() {
            assert!(!s.doc.is_empty());
            assert!(s.params.len() <= 5, "{}", s.name);
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
    fn every_mask_is_in_range_and_neither_empty_nor_full_at_its_defaults() {
        for s in specs() {
            let m = one(s.name, &defaults(s.name));
            assert!(m.iter().all(|v| (0.0..=1.0).contains(v)), "{}", s.name);
            assert!(m.iter().any(|&v| v > 0.9), "{} never shows", s.name);
            assert!(m.iter().any(|&v| v < 0.1), "{} never hides", s.name);
        }
    }

    #[test]
    fn circle_is_round_in_pixels() {
        let m = one("circle", &[0.5, 0.5, 0.5, 0.0]);
        // radius 0.5 of the short half-side = a quarter of the height: 9 of 36 rows; on a
        // 16:9 screen of 64 columns that is 9 × (36 / 64) × (16 / 9) = 9 columns too
        let row = 18;
        let lit = (0..64).filter(|&c| m[row * 64 + c] > 0.5).count();
        let col = 32;
        let lit_v = (0..36).filter(|&r| m[r * 64 + col] > 0.5).count();
        assert!((lit as i32 - 18).abs() <= 1, "{lit} columns");
        assert!((lit_v as i32 - 18).abs() <= 1, "{lit_v} rows");
    }

    #[test]
    fn animated_masks_reveal_monotonically_from_nothing_to_everything() {
        for name in ["iris", "wipe_h", "wipe_v", "dissolve"] {
            let mut d = defaults(name);
            let mut prev = -1.0;
            for i in 0..=10 {
                d[0] = i as f32 / 10.0;
                let sum: f32 = one(name, &d).iter().sum();
                assert!(sum >= prev, "{name} shrinks at {i}");
                if i == 0 {
                    assert_eq!(sum, 0.0, "{name} shows something at 0");
                }
                if i == 10 {
                    assert_eq!(sum, (64 * 36) as f32, "{name} hides something at 1");
                }
                prev = sum;
            }
        }
    }

    #[test]
    fn boolean_operations() {
        let (m, _) = find("circle").unwrap();
        let a = m.prepare(&[0.4, 0.5, 0.5, 0.0], 0);
        let b = m.prepare(&[0.6, 0.5, 0.5, 0.0], 0);
        let run = |op, invert| {
            let mut out = Vec::new();
            let s = [
                Step {
                    mask: a,
                    op: MaskOp::Union,
                    invert: false,
                    field: None,
                },
                Step {
                    mask: b,
                    op,
                    invert,
                    field: None,
                },
            ];
            evaluate(&s, &G, |_, _| 0.0, &mut out);
            out.iter().sum::<f32>()
        };
        let (u, i, s) = (
            run(MaskOp::Union, false),
            run(MaskOp::Intersect, false),
            run(MaskOp::Subtract, false),
        );
        let area = one("circle", &[0.4, 0.5, 0.5, 0.0]).iter().sum::<f32>();
        let area_b = one("circle", &[0.6, 0.5, 0.5, 0.0]).iter().sum::<f32>();
        assert!(
            u > area && i < area && s < area && s > 0.0,
            "{u} {i} {s} {area}"
        );
        assert_eq!(u + i, area + area_b, "union = a + b − overlap");
        assert_eq!(s, area - i, "a − b = a − overlap");
        // a minus (not b) = a ∩ b
        assert_eq!(run(MaskOp::Subtract, true), i);
    }

    #[test]
    fn a_field_mask_thresholds_the_rendered_field() {
        let (m, _) = find("field").unwrap();
        let ramp = |_: usize, cell: usize| (cell % 64) as f32 / 63.0;
        let run = |threshold: f32, feather: f32| {
            let mut out = Vec::new();
            let step = Step {
                mask: m.prepare(&[threshold, feather], 0),
                op: MaskOp::Union,
                invert: false,
                field: Some(0),
            };
            evaluate(&[step], &G, ramp, &mut out);
            out
        };
        let hard = run(0.5, 0.0);
        // a left-to-right ramp: the right half shows
        assert_eq!(hard[..64].iter().filter(|&&v| v == 1.0).count(), 32);
        assert_eq!(hard[0], 0.0);
        let soft = run(0.5, 0.4);
        assert!(soft[26] > 0.0 && soft[26] < 0.5 && soft[40] > 0.5 && soft[40] < 1.0);
        assert_eq!(soft[63], 1.0);
    }
}
