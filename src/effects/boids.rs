//! Flocking boids (separation, alignment, cohesion) on a toroidal screen.
//!
//! Neighbours come from a uniform bin grid with cells one perception radius wide, rebuilt each
//! frame by counting sort; new velocities are computed from the old state for every boid before
//! any moves, so the result does not depend on update order.

use super::kernel::{Env, Kernel, REACT, SPEED_SIM};
use super::particles::{Canvas, TRAIL, TRAIL_FADE, Trails};
use super::{FieldBuf, ParamSpec};
use crate::features::Feature;
use crate::grid::GridGeom;
use crate::rng::{SplitMix, hash2};

#[derive(Clone, Copy, Default)]
struct Boid {
    /// Position in column widths (y too: rows × aspect).
    x: f32,
    y: f32,
    /// Velocity in column widths per 24-fps frame.
    vx: f32,
    vy: f32,
}

/// A flock drawn as bright heads with short tails; hue follows speed, bass scatters the flock.
#[derive(Default)]
pub struct Boids {
    boids: Vec<Boid>,
    next: Vec<Boid>,
    bin_start: Vec<u32>,
    order: Vec<u32>,
    bin_of: Vec<u32>,
    fill: Vec<u32>,
    trails: Trails,
}

impl Kernel for Boids {
    const NAME: &'static str = "boids";
    const DOC: &'static str = "flocking boids, hue from speed; bass above 0.5 scatters the flock";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED_SIM,
        REACT,
        ParamSpec::new("count", 2.0, 1500.0, 150.0, "number of boids"),
        ParamSpec::new("perception", 2.0, 40.0, 8.0, "neighbour radius in columns"),
        ParamSpec::new(
            "max_speed",
            0.2,
            8.0,
            2.0,
            "top speed, columns per frame at 24 fps",
        ),
        ParamSpec::new("sep", 0.0, 4.0, 1.5, "separation weight"),
        ParamSpec::new("ali", 0.0, 4.0, 1.0, "alignment weight"),
        ParamSpec::new("coh", 0.0, 4.0, 1.0, "cohesion weight"),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
        TRAIL,
        TRAIL_FADE,
    ];
    const STATEFUL: bool = true;
    const WRITES_HUE_PICK: bool = true;

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let count = p[2] as usize;
        let rule = Rule {
            perc: p[3],
            max: p[4],
            sep: p[5],
            ali: p[6],
            coh: p[7],
            w: geo.cols as f32,
            h: geo.rows as f32 * geo.aspect,
        };
        let bri = p[8];
        if env.fresh {
            self.boids.clear();
        }
        if self.boids.len() != count {
            let mut init = SplitMix(hash2(env.seed, 0x626f_6964, self.boids.len() as u64));
            self.boids.truncate(count);
            while self.boids.len() < count {
                let ang = init.range(0.0, std::f32::consts::TAU);
                let v = init.range(0.3, 1.0) * rule.max;
                self.boids.push(Boid {
                    x: init.range(0.0, rule.w),
                    y: init.range(0.0, rule.h),
                    vx: v * ang.cos(),
                    vy: v * ang.sin(),
                });
            }
        }
        let frames = env.dt * 24.0;
        let scatter = (env.a(Feature::Bass) - 0.5).max(0.0);
        self.bin(&rule);
        self.steer(&rule, frames, scatter);
        self.plot(geo, &rule, bri, out);
        let (trail, fade) = (p[9], p[10]);
        self.trails.apply(
            env.fresh,
            env.dt,
            trail,
            fade,
            &mut out.value,
            Some(&mut out.hue),
        );
    }
}

/// Flocking constants and the toroidal world size.
struct Rule {
    perc: f32,
    max: f32,
    sep: f32,
    ali: f32,
    coh: f32,
    w: f32,
    h: f32,
}

impl Rule {
    fn bins(&self) -> (usize, usize) {
        let nx = ((self.w / self.perc) as usize).clamp(1, 256);
        let ny = ((self.h / self.perc) as usize).clamp(1, 256);
        (nx, ny)
    }

    /// Shortest toroidal offset.
    #[inline]
    fn wrap_d(d: f32, size: f32) -> f32 {
        if d > 0.5 * size {
            d - size
        } else if d < -0.5 * size {
            d + size
        } else {
            d
        }
    }
}

impl Boids {
    /// Counting sort of the boids into bins.
    fn bin(&mut self, r: &Rule) {
        let (nx, ny) = r.bins();
        self.bin_start.clear();
        self.bin_start.resize(nx * ny + 1, 0);
        self.bin_of.clear();
        for b in &self.boids {
            let bx = ((b.x / r.w * nx as f32) as usize).min(nx - 1);
            let by = ((b.y / r.h * ny as f32) as usize).min(ny - 1);
            let k = by * nx + bx;
            self.bin_of.push(k as u32);
            self.bin_start[k + 1] += 1;
        }
        for k in 0..nx * ny {
            self.bin_start[k + 1] += self.bin_start[k];
        }
        self.order.clear();
        self.order.resize(self.boids.len(), 0);
        self.fill.clear();
        self.fill.extend_from_slice(&self.bin_start[..nx * ny]);
        for (i, &k) in self.bin_of.iter().enumerate() {
            self.order[self.fill[k as usize] as usize] = i as u32;
            self.fill[k as usize] += 1;
        }
    }

    fn steer(&mut self, r: &Rule, frames: f32, scatter: f32) {
        let (nx, ny) = r.bins();
        let p2 = r.perc * r.perc;
        let sep2 = (0.4 * r.perc) * (0.4 * r.perc);
        self.next.clear();
        for (i, b) in self.boids.iter().enumerate() {
            let k = self.bin_of[i] as usize;
            let (bx, by) = (k % nx, k / nx);
            let (mut n, mut cx, mut cy, mut ax, mut ay, mut sx, mut sy) =
                (0.0f32, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
            for oy in neighbours(by, ny) {
                for ox in neighbours(bx, nx) {
                    let nb = oy * nx + ox;
                    for &j in
                        &self.order[self.bin_start[nb] as usize..self.bin_start[nb + 1] as usize]
                    {
                        if j as usize == i {
                            continue;
                        }
                        let o = &self.boids[j as usize];
                        let dx = Rule::wrap_d(o.x - b.x, r.w);
                        let dy = Rule::wrap_d(o.y - b.y, r.h);
                        let d2 = dx * dx + dy * dy;
                        if d2 >= p2 {
                            continue;
                        }
                        n += 1.0;
                        cx += dx;
                        cy += dy;
                        ax += o.vx;
                        ay += o.vy;
                        if d2 < sep2 {
                            let inv = 1.0 / d2.max(0.05);
                            sx -= dx * inv;
                            sy -= dy * inv;
                        }
                    }
                }
            }
            let (mut vx, mut vy) = (b.vx, b.vy);
            if n > 0.0 {
                vx += frames
                    * (r.coh * 0.01 * cx / n + r.ali * 0.05 * (ax / n - b.vx) + r.sep * 0.3 * sx);
                vy += frames
                    * (r.coh * 0.01 * cy / n + r.ali * 0.05 * (ay / n - b.vy) + r.sep * 0.3 * sy);
            }
            if scatter > 0.0 {
                let (dx, dy) = (b.x - 0.5 * r.w, b.y - 0.5 * r.h);
                let inv = 1.0 / (dx * dx + dy * dy).sqrt().max(1.0);
                vx += frames * scatter * 0.6 * dx * inv;
                vy += frames * scatter * 0.6 * dy * inv;
            }
            let s = (vx * vx + vy * vy).sqrt();
            let target = s.clamp(0.3 * r.max, r.max);
            let k = if s > 1e-6 { target / s } else { 0.0 };
            let (vx, vy) = if s > 1e-6 {
                (vx * k, vy * k)
            } else {
                (target, 0.0)
            };
            self.next.push(Boid {
                x: (b.x + vx * frames).rem_euclid(r.w),
                y: (b.y + vy * frames).rem_euclid(r.h),
                vx,
                vy,
            });
        }
        std::mem::swap(&mut self.boids, &mut self.next);
    }

    fn plot(&self, geo: &GridGeom, r: &Rule, bri: f32, out: &mut FieldBuf) {
        let aspect = geo.aspect.max(0.1);
        let FieldBuf { value, hue, .. } = out;
        let mut canvas = Canvas {
            value,
            cols: geo.cols,
            rows: geo.rows,
        };
        for b in &self.boids {
            let s = (b.vx * b.vx + b.vy * b.vy).sqrt();
            let h = 0.5 + 0.35 * (s / r.max).min(1.0);
            let (ux, uy) = if s > 1e-6 {
                (b.vx / s, b.vy / s)
            } else {
                (1.0, 0.0)
            };
            for (back, v) in [(2.0, 0.25), (1.0, 0.55), (0.0, 1.0)] {
                let (x, y) = (b.x - ux * back, b.y - uy * back);
                if let Some(i) = canvas.point(x, y / aspect, v * bri) {
                    hue[i] = h;
                }
            }
        }
    }
}

/// The distinct bins at offsets -1, 0, +1 around `b` on a wrapping axis of `n` bins (with
/// fewer than 3 bins the offsets would repeat and count neighbours twice).
fn neighbours(b: usize, n: usize) -> impl Iterator<Item = usize> {
    let list = match n {
        1 => [b; 3],
        2 => [b, 1 - b, b],
        _ => [(b + n - 1) % n, b, (b + 1) % n],
    };
    list.into_iter().take(n.min(3))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn neighbour_bins_are_distinct() {
        assert_eq!(neighbours(0, 1).collect::<Vec<_>>(), vec![0]);
        let mut two: Vec<_> = neighbours(1, 2).collect();
        two.sort();
        assert_eq!(two, vec![0, 1]);
        let mut five: Vec<_> = neighbours(0, 5).collect();
        five.sort();
        assert_eq!(five, vec![0, 1, 4]);
    }

    /// |mean velocity| / mean |velocity|: 1 when every boid flies the same way.
    fn polarization(b: &Boids) -> f32 {
        let (mut sx, mut sy, mut s) = (0.0, 0.0, 0.0);
        for v in &b.boids {
            sx += v.vx;
            sy += v.vy;
            s += (v.vx * v.vx + v.vy * v.vy).sqrt();
        }
        (sx * sx + sy * sy).sqrt() / s
    }

    #[test]
    fn alignment_turns_a_swarm_into_a_flock() {
        let rule = Rule {
            perc: 15.0,
            max: 2.0,
            sep: 0.5,
            ali: 2.0,
            coh: 1.0,
            w: 60.0,
            h: 40.0,
        };
        let mut b = Boids::default();
        let mut rng = crate::rng::SplitMix(5);
        for _ in 0..120 {
            let a = rng.range(0.0, std::f32::consts::TAU);
            b.boids.push(Boid {
                x: rng.range(0.0, 60.0),
                y: rng.range(0.0, 40.0),
                vx: a.cos(),
                vy: a.sin(),
            });
        }
        let before = polarization(&b);
        for _ in 0..200 {
            b.bin(&rule);
            b.steer(&rule, 1.0, 0.0);
        }
        let after = polarization(&b);
        assert!(before < 0.3 && after > 0.6, "{before} -> {after}");
    }

    #[test]
    fn drawn_cells_carry_a_hue() {
        let f = render_defaults("boids", 60, 30, 10, &quiet());
        assert!(f.value.iter().filter(|&&v| v > 0.0).count() > 100);
        assert!(
            f.value
                .iter()
                .zip(&f.hue)
                .all(|(v, h)| (*v > 0.0) != h.is_nan())
        );
    }
}
