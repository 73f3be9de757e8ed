//! Life-like cellular automata on the cell grid (toroidal), with fading dead cells.

use super::kernel::{Env, Kernel, REACT, SPEED_SIM};
use super::{FieldBuf, ParamSpec};
use crate::grid::GridGeom;
use crate::rng::{SplitMix, hash2};

/// (birth, survive) neighbour-count bitmasks: life B3/S23, coral B3/S45678, maze B3/S12345,
/// anneal B4678/S35678, day_night B3678/S34678.
const RULES: [(u16, u16); 5] = [
    (mask(&[3]), mask(&[2, 3])),
    (mask(&[3]), mask(&[4, 5, 6, 7, 8])),
    (mask(&[3]), mask(&[1, 2, 3, 4, 5])),
    (mask(&[4, 6, 7, 8]), mask(&[3, 5, 6, 7, 8])),
    (mask(&[3, 6, 7, 8]), mask(&[3, 4, 6, 7, 8])),
];
const MAX_STEPS: usize = 16;

const fn mask(counts: &[u16]) -> u16 {
    let mut m = 0;
    let mut i = 0;
    while i < counts.len() {
        m |= 1 << counts[i];
        i += 1;
    }
    m
}

/// Game of Life and relatives; live cells are 1, dead cells fade out.
#[derive(Default)]
pub struct GameOfLife {
    cells: Vec<u8>,
    next: Vec<u8>,
    shown: Vec<f32>,
    acc: f32,
}

impl Kernel for GameOfLife {
    const NAME: &'static str = "game_of_life";
    const DOC: &'static str =
        "life-like automata (rule 0-4: life coral maze anneal day_night); beats inject cells";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED_SIM,
        REACT,
        ParamSpec::new(
            "rule",
            0.0,
            4.0,
            0.0,
            "0 life 1 coral 2 maze 3 anneal 4 day_night",
        )
        .named(&["life", "coral", "maze", "anneal", "day_night"]),
        ParamSpec::new("rate", 1.0, 60.0, 10.0, "generations per second"),
        ParamSpec::new("fade", 0.0, 0.99, 0.85, "per-frame afterglow of dead cells"),
        ParamSpec::new("density", 0.02, 0.9, 0.3, "initial live fraction"),
        ParamSpec::new(
            "stir",
            0.0,
            1.0,
            0.1,
            "random cells added per second (keeps it alive)",
        ),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];
    const STATEFUL: bool = true;

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (birth, survive) = RULES[(p[2].round() as usize).min(4)];
        let (rate, fade, density, stir, bri) = (p[3], p[4], p[5], p[6], p[7]);
        let (cols, rows) = (geo.cols, geo.rows);
        let n = cols * rows;
        let mut rng = SplitMix(hash2(env.seed, 0x6c69_6665, env.index));
        if env.fresh {
            let mut init = SplitMix(hash2(env.seed, 0x6c69_6e69, 0));
            self.cells.clear();
            self.cells
                .extend((0..n).map(|_| u8::from(init.next_f32() < density)));
            self.next.clear();
            self.next.resize(n, 0);
            self.shown.clear();
            self.shown.resize(n, 0.0);
            self.acc = 0.0;
        }
        let live = self.cells.iter().filter(|&&c| c != 0).count();
        let mut inject = stir * env.dt * 0.02 * n as f32 + rng.next_f32();
        if env.beat() {
            inject += 0.02 * env.react * n as f32;
        }
        if live == 0 {
            inject += density * n as f32;
        }
        for _ in 0..inject as usize {
            let i = (rng.next_u64() % n as u64) as usize;
            self.cells[i] = 1;
        }

        self.acc += rate * env.dt;
        let steps = (self.acc as usize).min(MAX_STEPS);
        self.acc = (self.acc - steps as f32).min(1.0);
        for _ in 0..steps {
            step(&self.cells, &mut self.next, cols, rows, birth, survive);
            std::mem::swap(&mut self.cells, &mut self.next);
        }
        for ((s, &c), o) in self
            .shown
            .iter_mut()
            .zip(&self.cells)
            .zip(out.value.iter_mut())
        {
            *s = if c != 0 { 1.0 } else { *s * fade };
            *o = *s * bri;
        }
    }
}

/// One generation with wrap-around edges.
fn step(cells: &[u8], next: &mut [u8], cols: usize, rows: usize, birth: u16, survive: u16) {
    for y in 0..rows {
        let up = &cells[((y + rows - 1) % rows) * cols..][..cols];
        let mid = &cells[y * cols..][..cols];
        let dn = &cells[((y + 1) % rows) * cols..][..cols];
        let out = &mut next[y * cols..][..cols];
        for x in 0..cols {
            let xm = if x == 0 { cols - 1 } else { x - 1 };
            let xp = if x + 1 == cols { 0 } else { x + 1 };
            let count = up[xm] + up[x] + up[xp] + mid[xm] + mid[xp] + dn[xm] + dn[x] + dn[xp];
            let rule = if mid[x] != 0 { survive } else { birth };
            out[x] = ((rule >> count) & 1) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blinker_oscillates() {
        let (cols, rows) = (5, 5);
        let mut cells = vec![0u8; 25];
        for x in 1..4 {
            cells[2 * cols + x] = 1;
        }
        let mut next = vec![0u8; 25];
        let (b, s) = RULES[0];
        step(&cells, &mut next, cols, rows, b, s);
        let vertical: Vec<usize> = (0..25).filter(|&i| next[i] == 1).collect();
        assert_eq!(vertical, vec![7, 12, 17]);
        let mut back = vec![0u8; 25];
        step(&next, &mut back, cols, rows, b, s);
        assert_eq!(back, cells);
    }

    #[test]
    fn rules_differ() {
        use super::super::testutil::*;
        let a = render_params("game_of_life", 40, 20, 20, &quiet(), &[(2, 0.0)]);
        let b = render_params("game_of_life", 40, 20, 20, &quiet(), &[(2, 2.0)]);
        assert!(mean_abs_diff(&a.value, &b.value) > 0.02);
    }
}
