//! Animated Voronoi (cellular) field.
//!
//! One feature point per cell of a jittered lattice, wandering inside its lattice cell, so the
//! nearest and second-nearest points of any cell are among the 3×3 lattice neighbours: cost is
//! 9 distance tests per cell whatever the number of Voronoi cells.

use std::f32::consts::TAU;

use super::kernel::{Env, Kernel, REACT, SPEED, for_rows, inv_norm};
use super::math::{cos, floor_i, sin, smoothstep};
use super::{FieldBuf, ParamSpec};
use crate::features::Feature;
use crate::grid::GridGeom;
use crate::rng::{hash3, unit};

/// Voronoi cells: distance, edge or flat cell-id shading.
#[derive(Default)]
pub struct Voronoi {
    /// Feature points in lattice units, row-major over the lattice, plus each cell's id value.
    pts: Vec<(f32, f32, f32)>,
}

impl Kernel for Voronoi {
    const NAME: &'static str = "voronoi";
    const DOC: &'static str =
        "moving Voronoi cells, mode 0 distance / 1 edges / 2 cell id; beats widen edges";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new(
            "cells",
            2.0,
            400.0,
            20.0,
            "approximate number of cells on screen",
        ),
        ParamSpec::new("mode", 0.0, 2.0, 0.0, "0 distance, 1 edges, 2 cell id")
            .named(&["distance", "edges", "cell_id"]),
        ParamSpec::new(
            "edge",
            0.005,
            0.3,
            0.03,
            "edge width (fraction of the screen half-height)",
        ),
        ParamSpec::new(
            "jitter",
            0.0,
            1.0,
            1.0,
            "irregularity of the cells and their wander",
        ),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (cells, edge, jitter, bri) = (p[2], p[4], p[5], p[6]);
        let mode = p[3].round() as u32;
        let t = env.t;
        let k = inv_norm(geo);
        let w = geo.cols as f32 * k;
        let h = geo.rows as f32 * geo.aspect * k;
        let s = (w * h / cells).sqrt().max(1e-3);
        let inv_s = 1.0 / s;
        // lattice covers the screen with a one-cell margin on every side
        let x0 = -0.5 * w - s;
        let y0 = -0.5 * h - s;
        let nx = ((w / s).ceil() as usize + 3).min(4096);
        let ny = ((h / s).ceil() as usize + 3).min(4096);
        self.pts.clear();
        for j in 0..ny {
            for i in 0..nx {
                let hh = hash3(env.seed, 0x766f_726f, i as u64, j as u64);
                let (p1, p2) = (unit(hh) * TAU, unit(hh >> 12) * TAU);
                let (s1, s2) = (0.6 + unit(hh >> 24), 0.6 + unit(hh >> 36));
                // a random home inside the lattice cell plus a smaller wander keeps every
                // point inside its cell (so 3×3 neighbours suffice) without looking gridded
                let (hx, hy) = (
                    unit(hh.rotate_left(17)) - 0.5,
                    unit(hh.rotate_left(29)) - 0.5,
                );
                self.pts.push((
                    i as f32 + 0.5 + jitter * (0.76 * hx + 0.12 * sin(t * s1 + p1)),
                    j as f32 + 0.5 + jitter * (0.76 * hy + 0.12 * cos(t * s2 + p2)),
                    unit(hh.rotate_left(7)),
                ));
            }
        }
        // lines keep their screen width whatever the cell size
        let edge = edge * inv_s * (1.0 + 1.5 * env.a(Feature::BeatDecay));
        let gain = bri * (0.7 + 0.5 * env.a(Feature::Rms));
        let pts = &self.pts;
        let lattice_col = move |dx: f32| floor_i((dx * k - x0) * inv_s).clamp(1, nx as i32 - 2);
        for_rows(geo, &mut out.value, |g, row| {
            let n = row.len();
            let Some(&dy) = g.dy.first() else {
                return;
            };
            let gy = (dy * k - y0) * inv_s;
            let iy = floor_i(gy).clamp(1, ny as i32 - 2) as usize;
            let mut j = 0;
            while j < n {
                // a run of columns in the same lattice column shares its 9 candidate points,
                // so the inner loop is branch-free over consecutive cells
                let ix = lattice_col(g.dx[j]);
                let mut end = j + 1;
                while end < n && lattice_col(g.dx[end]) == ix {
                    end += 1;
                }
                let ix = ix as usize;
                let cand: [(f32, f32, f32); 9] =
                    std::array::from_fn(|q| pts[(iy + q / 3 - 1) * nx + ix + q % 3 - 1]);
                for (o, &dx) in row[j..end].iter_mut().zip(&g.dx[j..end]) {
                    let gx = (dx * k - x0) * inv_s;
                    let (mut f1, mut f2, mut id) = (f32::MAX, f32::MAX, 0.0);
                    for &(px, py, pid) in &cand {
                        let d = (gx - px) * (gx - px) + (gy - py) * (gy - py);
                        f2 = f2.min(f1.max(d));
                        id = if d < f1 { pid } else { id };
                        f1 = f1.min(d);
                    }
                    let (f1, f2) = (f1.sqrt(), f2.sqrt());
                    let v = match mode {
                        0 => f1 * 1.25,
                        1 => 1.0 - smoothstep(0.0, edge, f2 - f1),
                        _ => (0.15 + 0.85 * id) * (1.0 - 0.35 * f1),
                    };
                    *o = v * gain;
                }
                j = end;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn modes_differ_and_edges_are_sparse() {
        let m = |mode: f32| render_params("voronoi", 80, 30, 2, &quiet(), &[(3, mode)]);
        let (d, e, id) = (m(0.0), m(1.0), m(2.0));
        assert_ne!(d.value, e.value);
        assert_ne!(e.value, id.value);
        // edges are thin lines: most cells stay dark
        let lit = e.value.iter().filter(|&&v| v > 0.5).count();
        assert!(lit > 0 && lit < e.value.len() / 2, "lit edges {lit}");
    }

    #[test]
    fn more_cells_give_more_edges() {
        let lit = |cells: f32| {
            let f = render_params("voronoi", 96, 40, 0, &quiet(), &[(2, cells), (3, 1.0)]);
            f.value.iter().filter(|&&v| v > 0.5).count()
        };
        assert!(lit(60.0) > lit(6.0));
    }
}
