//! The video pane's picture: the scene's cell grids composited to terminal cells (cells mode),
//! or the rendered frame as half blocks (pixels mode).

use crate::scene::Scene;
use crate::term::TCell;

/// What the video pane shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PaneMode {
    /// One grid cell per terminal cell: glyph + 24-bit colour.
    #[default]
    Cells,
    /// The rendered frame (shaders, feedback, blending) as half blocks.
    Pixels,
}

impl PaneMode {
    /// The other mode.
    pub fn toggled(self) -> PaneMode {
        match self {
            PaneMode::Cells => PaneMode::Pixels,
            PaneMode::Pixels => PaneMode::Cells,
        }
    }

    /// Name for the status line.
    pub fn name(self) -> &'static str {
        match self {
            PaneMode::Cells => "cells",
            PaneMode::Pixels => "pixels",
        }
    }
}

/// A picture for the pane: `cols × rows` cells, row-major.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PaneImage {
    /// Width in cells.
    pub cols: u16,
    /// Height in cells.
    pub rows: u16,
    /// The cells.
    pub cells: Vec<TCell>,
}

/// Nearest-cell lookup from pane cells to one layer's grid.
#[derive(Clone, Debug, Default)]
struct LayerMap {
    key: (usize, usize, u16, u16),
    xs: Vec<u32>,
    ys: Vec<u32>,
}

impl LayerMap {
    fn build(&mut self, gc: usize, gr: usize, cols: u16, rows: u16) {
        let key = (gc, gr, cols, rows);
        if self.key == key && !self.xs.is_empty() {
            return;
        }
        self.key = key;
        // Sample at cell centres so a grid of the pane's size maps one to one.
        self.xs = (0..cols as usize)
            .map(|x| {
                ((2 * x + 1) * gc / (2 * cols as usize).max(1)).min(gc.saturating_sub(1)) as u32
            })
            .collect();
        self.ys = (0..rows as usize)
            .map(|y| {
                ((2 * y + 1) * gr / (2 * rows as usize).max(1)).min(gr.saturating_sub(1)) as u32
            })
            .collect();
    }
}

/// Composites the layers' cells of a [`Scene`] into terminal cells, keeping its lookup tables.
#[derive(Clone, Debug, Default)]
pub struct CellCompositor {
    maps: Vec<LayerMap>,
    weight: Vec<f32>,
    colors: Vec<[u8; 3]>,
}

impl CellCompositor {
    /// Fill `out` with `cols × rows` cells from the layers' current cells (after
    /// [`Scene::update`] of frame `index`).
    ///
    /// Each layer's glyph colour is blended onto the colour beneath with the layer's blend mode
    /// and opacity, as the rasterizer does with glyph pixels; the character shown is the one
    /// with the most ink (coverage × opacity), upper layers winning ties.
    pub fn compose(
        &mut self,
        scene: &Scene,
        index: u64,
        cols: u16,
        rows: u16,
        out: &mut Vec<TCell>,
    ) {
        let n = cols as usize * rows as usize;
        out.clear();
        out.resize(n, TCell::rgb(' ', [0; 3], [0; 3]));
        self.weight.clear();
        self.weight.resize(n, 0.0);
        self.maps.resize_with(scene.layers.len(), LayerMap::default);
        self.colors.clear();
        self.colors.resize(n, [0; 3]);
        let colors = &mut self.colors;
        for (layer, map) in scene.layers.iter().zip(self.maps.iter_mut()) {
            if !layer.enabled {
                continue;
            }
            let grid = layer.cells();
            if grid.cols == 0 || grid.rows == 0 {
                continue;
            }
            map.build(grid.cols, grid.rows, cols, rows);
            let op = layer.opacity.value(index as usize).clamp(0.0, 1.0);
            if op <= 0.0 {
                continue;
            }
            let lut = layer.blend.lut();
            let atlas = layer.atlas();
            for (y, &gy) in map.ys.iter().enumerate() {
                for (x, &gx) in map.xs.iter().enumerate() {
                    let c = grid.at(gx as usize, gy as usize);
                    if c.glyph == 0 {
                        continue;
                    }
                    let i = y * cols as usize + x;
                    let base = colors[i];
                    let mut mixed = [0u8; 3];
                    for ch in 0..3 {
                        let b = lut[c.fg[ch] as usize * 256 + base[ch] as usize] as f32;
                        mixed[ch] = (base[ch] as f32 + (b - base[ch] as f32) * op).round() as u8;
                    }
                    colors[i] = mixed;
                    let w = atlas.coverage(c.glyph).max(0.05) * op;
                    let cell = &mut out[i];
                    if w >= self.weight[i] {
                        self.weight[i] = w;
                        cell.ch = atlas.char_of(c.glyph);
                    }
                    if c.bg != [0; 3] {
                        cell.bg = crate::term::Ink::Rgb(c.bg[0], c.bg[1], c.bg[2]);
                    }
                }
            }
        }
        for (cell, c) in out.iter_mut().zip(self.colors.iter()) {
            cell.fg = crate::term::Ink::Rgb(c[0], c[1], c[2]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glyph::FontChain;
    use crate::scene::preset::resolve;
    use std::sync::Arc;

    #[test]
    fn layer_map_is_one_to_one_at_equal_size_and_samples_when_larger() {
        let mut m = LayerMap::default();
        m.build(10, 4, 10, 4);
        assert_eq!(m.xs, (0..10).collect::<Vec<u32>>());
        assert_eq!(m.ys, vec![0, 1, 2, 3]);
        m.build(20, 8, 10, 4);
        assert_eq!(m.xs[0], 1);
        assert_eq!(m.xs[9], 19);
        m.build(0, 0, 3, 3);
        assert!(m.xs.iter().all(|&x| x == 0));
    }

    #[test]
    fn composite_shows_glyphs_of_the_scene_in_colour() {
        let preset = resolve("default").unwrap();
        let f = Arc::new(crate::audio::synthetic_features(120.0, 30.0, 2.0, 1));
        let mut scene = Scene::new(&preset, 320, 180, 1, &FontChain::bundled(), f).unwrap();
        scene.update(10);
        let mut comp = CellCompositor::default();
        let mut out = Vec::new();
        comp.compose(&scene, 10, 40, 12, &mut out);
        assert_eq!(out.len(), 480);
        let inked = out.iter().filter(|c| c.ch != ' ').count();
        assert!(inked > 50, "only {inked} non-blank cells");
        let coloured = out
            .iter()
            .filter(|c| matches!(c.fg, crate::term::Ink::Rgb(r, g, b) if r as u32 + g as u32 + b as u32 > 60))
            .count();
        assert!(coloured > 50, "only {coloured} coloured cells");
        // with every layer off the pane is blank
        for l in scene.layers.iter_mut() {
            l.enabled = false;
        }
        comp.compose(&scene, 10, 40, 12, &mut out);
        assert!(out.iter().all(|c| c.ch == ' '));
    }
}
