//! Value noise with quintic interpolation, two ways:
//!
//! - [`GridNoise`]: axis-aligned octaves over a whole grid, from a 128×128 table of random
//!   lattice values (64 KiB). Per row and octave the two lattice rows are blended once, leaving
//!   two reads and one lerp per cell. The table tiles every 128 lattice units, invisible
//!   because each octave gets its own random offset; offsets are reduced modulo 128 in f64 so
//!   coordinates stay small and precise however long the video runs.
//! - [`hash_noise`]: noise at arbitrary points (warped coordinates), hashing lattice corners
//!   with integer arithmetic only, so loops over cells vectorize.

use super::math::{floor_f, floor_i, int_bits, lerp, quintic, wrap};
use crate::grid::GridGeom;
use crate::rng::{hash2, unit};

const SHIFT: u32 = 7;
/// Lattice period in each axis.
pub const PERIOD: usize = 1 << SHIFT;
const MASK: i32 = PERIOD as i32 - 1;
const SIZE: usize = PERIOD * PERIOD;

/// Random lattice values for one seed.
pub struct Lattice {
    seed: u64,
    table: Box<[f32; SIZE]>,
}

impl Default for Lattice {
    fn default() -> Self {
        let mut l = Lattice {
            seed: 0,
            table: Box::new([0.0; SIZE]),
        };
        l.fill(0);
        l
    }
}

impl Lattice {
    /// Rebuild the table if `seed` differs from the one it was built for.
    pub fn ensure(&mut self, seed: u64) {
        if self.seed != seed {
            self.fill(seed);
        }
    }

    fn fill(&mut self, seed: u64) {
        self.seed = seed;
        let salt = hash2(seed, 0x006e_6f69_7365, 0);
        for (i, v) in self.table.iter_mut().enumerate() {
            *v = unit(hash2(salt, i as u64, 1));
        }
    }
}

/// Lattice indices and interpolation weight of each position along one axis.
#[derive(Default)]
struct Axis {
    i0: Vec<u32>,
    i1: Vec<u32>,
    w: Vec<f32>,
}

impl Axis {
    /// Positions `start + k·step` for k in 0..n; `stride` turns a lattice index into a table
    /// offset (1 for columns, `PERIOD` for rows).
    fn fill(&mut self, n: usize, start: f32, step: f32, stride: u32) {
        self.i0.clear();
        self.i1.clear();
        self.w.clear();
        for k in 0..n {
            let p = start + k as f32 * step;
            let pi = floor_i(p);
            self.i0.push((pi & MASK) as u32 * stride);
            self.i1.push(((pi + 1) & MASK) as u32 * stride);
            self.w.push(quintic(p - pi as f32));
        }
    }
}

/// One octave of an axis-aligned layer: frequency, offset and amplitude.
#[derive(Clone, Copy, Debug)]
pub struct Octave {
    /// Lattice units per column width (x); y uses `freq · y_scale`.
    pub freq: f32,
    /// Offset in lattice units (any size; reduced modulo the period).
    pub off: (f64, f64),
    /// Weight in the sum.
    pub amp: f32,
}

/// Evaluates sums of axis-aligned value-noise octaves over a whole grid: per octave the
/// lattice index and weight of every column and every row are computed once, leaving four
/// table reads and three lerps per cell.
#[derive(Default)]
pub struct GridNoise {
    cols: Vec<Axis>,
    rows: Vec<Axis>,
    amps: Vec<f32>,
}

/// Scratch for one row of [`GridNoise::add_row`]: the lattice row pair blended along y.
pub type Line = [f32; PERIOD];

impl GridNoise {
    /// Prepare the octaves for `geo`; cell (c, r) samples octave k at
    /// `(dx·freq + off.0, dy·freq·y_scale + off.1)` with `dx`, `dy` in column widths.
    pub fn prepare(&mut self, geo: &GridGeom, octaves: &[Octave], y_scale: f32) {
        let cx = (geo.cols as f32 - 1.0) * 0.5;
        let cy = (geo.rows as f32 - 1.0) * 0.5;
        self.cols.resize_with(octaves.len(), Axis::default);
        self.rows.resize_with(octaves.len(), Axis::default);
        self.amps.clear();
        for (k, o) in octaves.iter().enumerate() {
            let fx = o.freq;
            let fy = o.freq * y_scale * geo.aspect;
            let ox = wrap(o.off.0, PERIOD as f64);
            let oy = wrap(o.off.1, PERIOD as f64);
            // keep positions non-negative-ish and small: start from the centre-relative origin
            self.cols[k].fill(geo.cols, ox - cx * fx, fx, 1);
            self.rows[k].fill(geo.rows, oy - cy * fy, fy, PERIOD as u32);
            self.amps.push(o.amp);
        }
    }

    /// Add `Σ amp·noise` of the prepared octaves to `row_out` (row `r` of the grid).
    #[inline]
    pub fn add_row(&self, lat: &Lattice, r: usize, row_out: &mut [f32]) {
        let mut line: Line = [0.0; PERIOD];
        for (k, &amp) in self.amps.iter().enumerate() {
            let ra = &self.rows[k];
            let (r0, r1, wy) = (ra.i0[r] as usize, ra.i1[r] as usize, ra.w[r]);
            // blend the two lattice rows once; every cell of the row then needs one lerp
            let (t0, t1) = (&lat.table[r0..r0 + PERIOD], &lat.table[r1..r1 + PERIOD]);
            for ((l, &a), &b) in line.iter_mut().zip(t0).zip(t1) {
                *l = a + (b - a) * wy;
            }
            let ca = &self.cols[k];
            for (((o, &c0), &c1), &wx) in row_out.iter_mut().zip(&ca.i0).zip(&ca.i1).zip(&ca.w) {
                let a = line[c0 as usize & (PERIOD - 1)];
                let b = line[c1 as usize & (PERIOD - 1)];
                *o += amp * (a + (b - a) * wx);
            }
        }
    }

    /// Sum of the prepared amplitudes (to normalize a sum into [0, 1]).
    pub fn amp_sum(&self) -> f32 {
        self.amps.iter().sum()
    }
}

/// Shape of a standard fractal sum.
#[derive(Clone, Copy, Debug)]
pub struct Fractal {
    /// Number of octaves.
    pub octaves: usize,
    /// Lattice units per column width of the first octave.
    pub freq: f32,
    /// Frequency ratio between octaves.
    pub lacunarity: f32,
    /// Amplitude ratio between octaves.
    pub gain: f32,
    /// Drift speed of the first octave, lattice units per second of effect time.
    pub drift: f32,
}

impl Fractal {
    /// The octaves at effect time `t`: each octave gets a random start offset from `seed` and
    /// drifts in its own direction, so the field morphs instead of sliding as one sheet.
    pub fn octaves(&self, out: &mut Vec<Octave>, t: f32, seed: u64) {
        out.clear();
        let mut f = self.freq;
        let mut amp = 1.0;
        for k in 0..self.octaves {
            let h = hash2(seed, 0x6f63_7461_7665, k as u64);
            let base_x = unit(h) as f64 * PERIOD as f64;
            let base_y = unit(h.rotate_left(21)) as f64 * PERIOD as f64;
            let ang = unit(h.rotate_left(42)) as f64 * std::f64::consts::TAU;
            let v = t as f64 * self.drift as f64 * (1.0 + 0.35 * k as f64);
            out.push(Octave {
                freq: f,
                off: (base_x + v * ang.cos(), base_y + v * ang.sin()),
                amp,
            });
            f *= self.lacunarity;
            amp *= self.gain;
        }
    }
}

const P1: u32 = 374_761_393;
const P2: u32 = 668_265_263;
const P3: u32 = 1_274_126_177;

/// Lattice value in [0, 1) from the linear part of the corner hash.
#[inline(always)]
fn finish(h: u32) -> f32 {
    let h = (h ^ (h >> 13)).wrapping_mul(P3);
    ((h ^ (h >> 16)) >> 8) as f32 * (1.0 / 16_777_216.0)
}

/// Value noise in [0, 1] at any point, lattice values hashed from (corner, `seed`); keep |x|,
/// |y| below ~4096 for full sub-lattice precision. NaN in gives NaN out, never a panic.
#[inline(always)]
pub fn hash_noise(x: f32, y: f32, seed: u32) -> f32 {
    let (xf, yf) = (floor_f(x), floor_f(y));
    let (u, v) = (quintic(x - xf), quintic(y - yf));
    let (ix, iy) = (int_bits(xf), int_bits(yf));
    // the corners differ only in the linear part of the hash
    let h = ix
        .wrapping_mul(P1)
        .wrapping_add(iy.wrapping_mul(P2))
        .wrapping_add(seed);
    let a = finish(h);
    let b = finish(h.wrapping_add(P1));
    let c = finish(h.wrapping_add(P2));
    let d = finish(h.wrapping_add(P1).wrapping_add(P2));
    lerp(lerp(a, b, u), lerp(c, d, u), v)
}

/// A 32-bit seed for [`hash_noise`] from a 64-bit one and a salt.
pub fn seed32(seed: u64, salt: u64) -> u32 {
    (hash2(seed, salt, 0x6861_7368) >> 32) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_noise_is_continuous_and_spread() {
        let a = hash_noise(3.999, 5.5, 1);
        let b = hash_noise(4.001, 5.5, 1);
        assert!((a - b).abs() < 1e-3);
        assert_eq!(
            hash_noise(3.0, 5.0, 1),
            finish(
                3u32.wrapping_mul(P1)
                    .wrapping_add(5u32.wrapping_mul(P2))
                    .wrapping_add(1)
            )
        );
        let mut lo = 1.0f32;
        let mut hi = 0.0f32;
        for i in 0..2000 {
            let v = hash_noise(i as f32 * 0.173 - 50.0, i as f32 * 0.071, 9);
            lo = lo.min(v);
            hi = hi.max(v);
        }
        assert!(lo >= 0.0 && hi <= 1.0 && hi - lo > 0.5);
        assert_ne!(hash_noise(0.5, 0.5, 1), hash_noise(0.5, 0.5, 2));
    }

    fn table_sample(l: &Lattice, x: f32, y: f32) -> f32 {
        let at = |ix: i32, iy: i32| l.table[(((iy & MASK) << SHIFT) | (ix & MASK)) as usize];
        let (xi, yi) = (floor_i(x), floor_i(y));
        let (u, v) = (quintic(x - xi as f32), quintic(y - yi as f32));
        lerp(
            lerp(at(xi, yi), at(xi + 1, yi), u),
            lerp(at(xi, yi + 1), at(xi + 1, yi + 1), u),
            v,
        )
    }

    #[test]
    fn seeds_give_different_tables() {
        let mut a = Lattice::default();
        let mut b = Lattice::default();
        a.ensure(1);
        b.ensure(2);
        assert_ne!(table_sample(&a, 0.5, 0.5), table_sample(&b, 0.5, 0.5));
    }

    #[test]
    fn grid_noise_matches_point_sampling() {
        let lat = Lattice::default();
        let geo = GridGeom::new(9, 5, 8, 16);
        let octs = [
            Octave {
                freq: 0.3,
                off: (1000.25, -3.5),
                amp: 1.0,
            },
            Octave {
                freq: 0.6,
                off: (7.0, 9.0),
                amp: 0.5,
            },
        ];
        let mut gn = GridNoise::default();
        gn.prepare(&geo, &octs, 0.85);
        for r in 0..geo.rows {
            let mut row = vec![0.0; geo.cols];
            gn.add_row(&lat, r, &mut row);
            for (c, &v) in row.iter().enumerate() {
                let i = r * geo.cols + c;
                let mut want = 0.0;
                for o in &octs {
                    let x = geo.dx[i] * o.freq + wrap(o.off.0, PERIOD as f64);
                    let y = geo.dy[i] * o.freq * 0.85 + wrap(o.off.1, PERIOD as f64);
                    want += o.amp * table_sample(&lat, x, y);
                }
                assert!((v - want).abs() < 1e-3, "cell {i}: {v} vs {want}");
            }
        }
    }
}
