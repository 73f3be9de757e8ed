//! A text layer at run time: the cue due at each frame, laid out on the layer's grid and
//! animated by its display mode, written into the layer's field (glyph picks and
//! intensities), or, for a stencil, into a per-cell mask applied to the pixels beneath.

use std::sync::Arc;

use rayon::prelude::*;

use super::cue::Cues;
use super::layout::{Placed, Position, place};
use super::modes::{CueTime, Knobs, Mode, cursor, look};
use super::overlay::{self, Glyph};
use super::spec::LyricsSpec;
use crate::effects::{EffectCtx, FieldBuf};
use crate::features::Feature;
use crate::frame::Frame;
use crate::glyph::GlyphAtlas;
use crate::grid::GridGeom;
use crate::raster::Placement;

/// The typewriter cursor.
pub const CURSOR: char = '▌';

/// How long a fixed `text` (which has no end) takes to type in, in seconds.
const FIXED_TEXT_SECONDS: f32 = 4.0;

/// The character ramp of a text layer: blank, every character of `cues` in sorted order, then
/// the cursor. A cell picks character `k` of the sorted list as ramp entry `k + 1`.
pub fn palette_chars(cues: &Cues) -> Vec<char> {
    let mut v = vec![' '];
    v.extend(cues.chars());
    v.push(CURSOR);
    v
}

/// Letter height in cells of a stencil on a grid `rows` high: about four lines of text.
pub fn stencil_px(rows: usize) -> u32 {
    (rows / 4).clamp(6, 64) as u32
}

/// A stencil's mask and the atlas whose glyph pixels become its cells.
struct Stencil {
    atlas: Arc<GlyphAtlas>,
    /// One value per cell of the layer's grid, 0 (hidden) to 1 (shows through).
    mask: Vec<f32>,
}

/// A text layer's state: its cues, the layout of the cue on screen and, for a stencil, its mask.
pub struct TextState {
    cues: Arc<Cues>,
    mode: Mode,
    position: Position,
    width: f32,
    start: f64,
    /// Sorted characters of the cues; character `k` is ramp entry `k + 1`.
    chars: Vec<char>,
    n_ramp: usize,
    placed: Vec<Placed>,
    /// (cue index, columns, rows) that `placed` was laid out for.
    placed_for: Option<(usize, usize, usize)>,
    stencil: Option<Stencil>,
    /// How much the cells around the words are darkened, 0 to 1.
    backdrop: f32,
    /// Per cell: how much of the backdrop it gets (the text's intensity there).
    shade: Vec<f32>,
    /// A mask or backdrop as 8.8 fixed-point pixel factors (reused every frame).
    factors: Vec<u16>,
    /// The strings a generated mode draws from (see [`LyricsSpec::items`]).
    items: Vec<Vec<char>>,
    /// `messages`: seconds per message.
    period: f32,
    /// `beat_words`: the frame of the last beat seen, which picks the word (a replay from the
    /// section's start rebuilds it, so shards agree).
    last_beat: Option<u64>,
    /// This frame's glyphs (reused every frame).
    glyphs: Vec<Glyph>,
}

impl TextState {
    /// The state of a layer showing `spec` with `cues`; a stencil draws its letters with
    /// `stencil_atlas` (one glyph pixel per cell).
    pub fn new(
        spec: &LyricsSpec,
        cues: Arc<Cues>,
        stencil_atlas: Option<Arc<GlyphAtlas>>,
    ) -> TextState {
        let chars = cues.chars();
        TextState {
            n_ramp: chars.len() + 2,
            chars,
            cues,
            mode: spec.mode(),
            position: spec.position(),
            width: spec.width,
            start: spec.start,
            placed: Vec::new(),
            placed_for: None,
            stencil: spec
                .stencil
                .then_some(stencil_atlas)
                .flatten()
                .map(|atlas| Stencil {
                    atlas,
                    mask: Vec::new(),
                }),
            backdrop: spec.backdrop.clamp(0.0, 1.0),
            shade: Vec::new(),
            factors: Vec::new(),
            items: spec.items().iter().map(|s| s.chars().collect()).collect(),
            period: spec.period,
            last_beat: None,
            glyphs: Vec::new(),
        }
    }

    /// Whether the layer is a stencil (it draws no glyphs).
    pub fn is_stencil(&self) -> bool {
        self.stencil.is_some()
    }

    /// Fill `out` (already reset) for the frame of `ctx` on grid `geo`; `params` are the
    /// layer's values of [`super::LYRICS_PARAMS`].
    pub fn render(&mut self, geo: &GridGeom, params: &[f32], ctx: &EffectCtx, out: &mut FieldBuf) {
        let (cols, rows) = (geo.cols, geo.rows);
        out.fit(cols * rows);
        if let Some(s) = self.stencil.as_mut() {
            s.mask.clear();
            s.mask.resize(cols * rows, 0.0);
        }
        self.shade.clear();
        self.shade.resize(cols * rows, 0.0);
        let time = ctx.frame.index as f64 / ctx.frame.fps.max(1e-3) as f64 + self.start;
        let get = |i: usize, d: f32| {
            params
                .get(i)
                .copied()
                .filter(|v| v.is_finite())
                .unwrap_or(d)
        };
        let k = Knobs {
            speed: get(0, 1.0),
            flash: get(1, 1.0),
            amplitude: get(2, 1.5),
            fade: get(3, 0.4),
        };
        let beat = ctx.features.get(Feature::BeatDecay);
        // a stencil lays letters out on a coarser grid: one letter per glyph-sized block
        let (bw, bh) = match &self.stencil {
            Some(s) => (s.atlas.metrics.width.max(1), s.atlas.metrics.height.max(1)),
            None => (1, 1),
        };
        let (vc, vr) = (cols / bw, rows / bh);
        let mut glyphs = std::mem::take(&mut self.glyphs);
        glyphs.clear();
        if self.mode.is_generated() {
            self.generate(time as f32, k, ctx, vc, vr, &mut glyphs);
        } else {
            self.cue_glyphs(time, k, beat, ctx.seed, vc, vr, &mut glyphs);
        }
        self.draw(&glyphs, cols, rows, vc, vr, bw, bh, out);
        self.glyphs = glyphs;
    }

    /// The glyphs of a generated mode at `time` on a `vc × vr` grid.
    fn generate(
        &mut self,
        time: f32,
        k: Knobs,
        ctx: &EffectCtx,
        vc: usize,
        vr: usize,
        out: &mut Vec<Glyph>,
    ) {
        let f = ctx.features;
        let frame = ctx.frame.index;
        match self.mode {
            Mode::Ticker => {
                let row = match self.position {
                    Position::Top => vr / 8,
                    Position::Center => vr / 2,
                    Position::Bottom => vr.saturating_sub(vr / 8 + 1),
                };
                if let Some(text) = self.items.first() {
                    overlay::ticker(text, time, k.speed, vc, row as f32, out);
                }
            }
            Mode::BeatWords => {
                // a seek back (preview) forgets beats from the future
                if self.last_beat.is_some_and(|b| b > frame) {
                    self.last_beat = None;
                }
                if f.get(Feature::Beat) >= 0.5 {
                    self.last_beat = Some(frame);
                }
                let decay = f.get(Feature::BeatDecay);
                overlay::beat_words(&self.items, ctx.seed, self.last_beat, decay, vc, vr, out);
            }
            Mode::Messages => {
                let (i, alpha) = overlay::message_at(time, self.period, k.fade, self.items.len());
                let Some(msg) = self.items.get(i) else { return };
                if self.placed_for != Some((i, vc, vr)) {
                    let text: String = msg.iter().collect();
                    place(&text, vc, vr, self.width, self.position, &mut self.placed);
                    self.placed_for = Some((i, vc, vr));
                }
                out.extend(
                    self.placed
                        .iter()
                        .map(|p| (p.ch, p.col as f32, p.row as f32, alpha)),
                );
            }
            _ => {
                let drive = f.get(Feature::BeatDecay).max(f.get(Feature::Flux));
                overlay::error_stamps(&self.items, ctx.seed, frame, drive, vc, vr, out);
            }
        }
    }

    /// The glyphs of the cue due at `time`, animated by the display mode, on a `vc × vr` grid.
    #[allow(clippy::too_many_arguments)]
    fn cue_glyphs(
        &mut self,
        time: f64,
        k: Knobs,
        beat: f32,
        seed: u64,
        vc: usize,
        vr: usize,
        out: &mut Vec<Glyph>,
    ) {
        let Some((ci, cue)) = self.cues.at(time) else {
            return;
        };
        let fixed = cue.end == f64::MAX;
        let t = CueTime {
            since: (time - cue.start) as f32,
            until: if fixed {
                f32::MAX
            } else {
                (cue.end - time) as f32
            },
            length: if fixed {
                FIXED_TEXT_SECONDS
            } else {
                (cue.end - cue.start) as f32
            },
            index: ci,
        };
        if self.placed_for != Some((ci, vc, vr)) {
            place(
                &cue.text,
                vc,
                vr,
                self.width,
                self.position,
                &mut self.placed,
            );
            self.placed_for = Some((ci, vc, vr));
        }
        let n = self.placed.len();
        let (sx, sy) = if self.mode == Mode::Scatter {
            (vc as f32, vr as f32)
        } else {
            (1.0, 1.0)
        };
        let cur = cursor(self.mode, t, n, k).map(|after| match after {
            Some(i) => (self.placed[i].col + 1, self.placed[i].row),
            None => self
                .placed
                .first()
                .map_or((vc as i32 / 2, vr as i32 / 2), |p| (p.col, p.row)),
        });
        out.extend(
            self.placed
                .iter()
                .map(|p| {
                    let l = look(self.mode, t, p.index, n, k, beat, seed);
                    (
                        p.ch,
                        p.col as f32 + l.dx * sx,
                        p.row as f32 + l.dy * sy,
                        l.alpha,
                    )
                })
                .chain(cur.map(|(c, r)| (CURSOR, c as f32, r as f32, 1.0))),
        );
    }

    /// Write `glyphs` into the field (glyph picks, intensities, backdrop shade) or, for a
    /// stencil, into its mask (each glyph a `bw × bh` block of font pixels).
    #[allow(clippy::too_many_arguments)]
    fn draw(
        &mut self,
        glyphs: &[Glyph],
        cols: usize,
        rows: usize,
        vc: usize,
        vr: usize,
        bw: usize,
        bh: usize,
        out: &mut FieldBuf,
    ) {
        let glyphs = glyphs.iter().copied();
        match self.stencil.as_mut() {
            None => {
                let pick_of = |ch: char| -> Option<f32> {
                    let j = if ch == CURSOR {
                        self.n_ramp - 1
                    } else {
                        self.chars.binary_search(&ch).ok()? + 1
                    };
                    Some((j as f32 - 0.5) / (self.n_ramp - 1) as f32)
                };
                for (ch, x, y, alpha) in glyphs {
                    let (c, r) = (x.round() as i64, y.round() as i64);
                    if alpha <= 0.0 || c < 0 || r < 0 || c >= cols as i64 || r >= rows as i64 {
                        continue;
                    }
                    let i = r as usize * cols + c as usize;
                    // the backdrop: this cell and one on each side
                    let row = r as usize * cols;
                    for cc in c.max(1) as usize - 1..=(c as usize + 1).min(cols - 1) {
                        let sh = &mut self.shade[row + cc];
                        *sh = sh.max(alpha.min(1.0));
                    }
                    if let Some(pick) = pick_of(ch)
                        && alpha >= out.value[i]
                    {
                        out.value[i] = alpha.min(1.0);
                        out.pick[i] = pick;
                    }
                }
            }
            Some(s) => {
                let ox = (cols - vc * bw) as f32 / 2.0;
                let oy = (rows - vr * bh) as f32 / 2.0;
                for (ch, x, y, alpha) in glyphs {
                    let Some(id) = s.atlas.id(ch) else { continue };
                    if alpha <= 0.0 {
                        continue;
                    }
                    let c0 = (ox + x * bw as f32).round() as i64;
                    let r0 = (oy + y * bh as f32).round() as i64;
                    let bitmap = s.atlas.bitmap(id);
                    for (gy, brow) in bitmap.chunks_exact(bw).enumerate() {
                        let r = r0 + gy as i64;
                        if r < 0 || r >= rows as i64 {
                            continue;
                        }
                        for (gx, &cov) in brow.iter().enumerate() {
                            let c = c0 + gx as i64;
                            if cov == 0 || c < 0 || c >= cols as i64 {
                                continue;
                            }
                            let m = &mut s.mask[r as usize * cols + c as usize];
                            *m = m.max(cov as f32 / 255.0 * alpha);
                        }
                    }
                }
            }
        }
    }

    /// The stencil's mask as of the last [`TextState::render`] (empty for a plain text layer).
    pub fn mask(&self) -> &[f32] {
        self.stencil.as_ref().map_or(&[], |s| &s.mask)
    }

    /// Apply the stencil to `frame`: pixels of cells where the mask is 0 go black, where it is
    /// 1 they stay, in between they darken; margins outside the grid go black. `opacity` 0
    /// leaves the frame as it was.
    pub fn apply_stencil(
        &mut self,
        frame: &mut Frame,
        geo: &GridGeom,
        place: Placement,
        opacity: f32,
    ) {
        let Some(s) = self.stencil.as_mut() else {
            return;
        };
        let op = opacity.clamp(0.0, 1.0);
        let to_fixed = |m: f32| ((1.0 - op * (1.0 - m)) * 256.0).round() as u16;
        self.factors.clear();
        self.factors.extend(s.mask.iter().map(|&m| to_fixed(m)));
        self.factors.resize(geo.cols * geo.rows, to_fixed(0.0));
        apply_factors(frame, &self.factors, geo, place, to_fixed(0.0));
    }

    /// Darken the cells around the words by the layer's `backdrop` (times `opacity`), so the
    /// text reads over busy layers; a no-op without a backdrop.
    pub fn apply_backdrop(
        &mut self,
        frame: &mut Frame,
        geo: &GridGeom,
        place: Placement,
        opacity: f32,
    ) {
        let k = self.backdrop * opacity.clamp(0.0, 1.0);
        if k <= 0.0 || self.shade.iter().all(|&v| v == 0.0) {
            return;
        }
        self.factors.clear();
        self.factors.extend(
            self.shade
                .iter()
                .map(|&v| ((1.0 - k * v) * 256.0).round() as u16),
        );
        self.factors.resize(geo.cols * geo.rows, 256);
        apply_factors(frame, &self.factors, geo, place, 256);
    }
}

/// Multiply every pixel by its cell's 8.8 factor (`margin` outside the grid), in bands of rows.
fn apply_factors(
    frame: &mut Frame,
    factors: &[u16],
    geo: &GridGeom,
    place: Placement,
    margin: u16,
) {
    let (w, cw, ch) = (frame.width, geo.cell_w.max(1), geo.cell_h.max(1));
    let stride = frame.stride();
    let (x0, y0) = (place.ox, place.oy);
    let x1 = (x0 + geo.cols * cw).min(w);
    let y1 = y0 + geo.rows * ch;
    let scale = |px: &mut [u8], f: u16| {
        if f < 256 {
            for v in px {
                *v = ((*v as u32 * f as u32) >> 8) as u8;
            }
        }
    };
    frame
        .data
        .par_chunks_mut(stride * 8)
        .enumerate()
        .for_each(|(band, chunk)| {
            for (k, row) in chunk.chunks_exact_mut(stride).enumerate() {
                let y = band * 8 + k;
                if y < y0 || y >= y1 {
                    scale(&mut row[..w * 3], margin);
                    continue;
                }
                let r = (y - y0) / ch;
                let (left, rest) = row[..w * 3].split_at_mut(x0 * 3);
                scale(left, margin);
                let (mid, right) = rest.split_at_mut((x1 - x0) * 3);
                scale(right, margin);
                for (c, cell) in mid.chunks_mut(cw * 3).enumerate() {
                    scale(cell, factors[r * geo.cols + c]);
                }
            }
        });
}
