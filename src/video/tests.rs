//! Known synthetic frames through the whole converter, in every glyph mode.

use std::sync::Arc;

use super::*;
use crate::compose::BlendMode;
use crate::frame::Frame;
use crate::glyph::{FontChain, GlyphAtlas, GlyphId};
use crate::grid::{Cell, CellGrid};
use crate::palette::Palettes;
use crate::raster::{Placement, draw_grid};

struct Setup {
    atlas: Arc<GlyphAtlas>,
    palette: Vec<GlyphId>,
}

fn setup(palette: &str) -> Setup {
    let chars = Palettes::builtin()
        .char_palette(palette)
        .unwrap()
        .chars
        .clone();
    let atlas = GlyphAtlas::new(
        &FontChain::bundled(),
        16,
        chars.iter().copied().chain(EDGE_CHARS.iter().copied()),
    );
    let palette = chars.iter().map(|&c| atlas.id(c).unwrap()).collect();
    Setup {
        atlas: Arc::new(atlas),
        palette,
    }
}

fn opts(glyphs: GlyphMode, background: Background) -> ConvertOptions {
    ConvertOptions {
        glyphs,
        background,
        ..ConvertOptions::default()
    }
}

/// Every glyph mode, with both searches of `shape`.
fn every_mode(background: Background) -> [ConvertOptions; 4] {
    [
        opts(GlyphMode::Ramp, background),
        opts(GlyphMode::Edges, background),
        opts(GlyphMode::Shape, background),
        ConvertOptions {
            search: Search::Fast,
            ..opts(GlyphMode::Shape, background)
        },
    ]
}

fn convert(s: &Setup, o: ConvertOptions, f: &Frame) -> (CellGrid, Placement) {
    let m = s.atlas.metrics;
    let place = Placement::fit(f.width, f.height, m.width, m.height);
    let mut conv = Converter::new(s.atlas.clone(), &s.palette, o);
    let mut out = CellGrid::default();
    conv.convert(f, place, &mut out);
    (out, place)
}

/// A frame of `cols × rows` cells plus odd margins, white drawing on black via `paint(x, y)`.
fn frame(s: &Setup, cols: usize, rows: usize, paint: impl Fn(f32, f32) -> u8) -> Frame {
    let m = s.atlas.metrics;
    let mut f = Frame::new(cols * m.width + 3, rows * m.height + 5);
    for y in 0..f.height {
        for x in 0..f.width {
            let v = paint(x as f32, y as f32);
            let i = (y * f.width + x) * 3;
            f.data[i..i + 3].copy_from_slice(&[v, v, v]);
        }
    }
    f
}

fn ch(s: &Setup, c: &Cell) -> char {
    s.atlas.char_of(c.glyph)
}

/// The grid as text, for failure messages.
fn show(s: &Setup, g: &CellGrid) -> String {
    g.cells
        .chunks(g.cols)
        .map(|r| r.iter().map(|c| ch(s, c)).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn cells_drawn_from_the_atlas_are_recovered_exactly() {
    let s = setup("ascii");
    let m = s.atlas.metrics;
    let (cols, rows) = (12, 4);
    for bg_mode in [Background::Black, Background::Source] {
        let mut grid = CellGrid::new(cols, rows);
        for (i, c) in grid.cells.iter_mut().enumerate() {
            let k = 1 + (i * 7) % (s.palette.len() - 1);
            c.glyph = s.palette[k];
            c.fg = [200, (40 + i * 3) as u8, 90];
            if bg_mode == Background::Source {
                c.bg = [20, 30, (60 + i) as u8];
            }
        }
        let mut f = Frame::new(cols * m.width + 4, rows * m.height + 2);
        let place = Placement::fit(f.width, f.height, m.width, m.height);
        draw_grid(&mut f, &grid, &s.atlas, place, BlendMode::Normal, 1.0);
        for search in [Search::Exhaustive, Search::Fast] {
            let o = ConvertOptions {
                search,
                ..opts(GlyphMode::Shape, bg_mode)
            };
            let (out, _) = convert(&s, o, &f);
            let mut same = 0;
            for (a, b) in grid.cells.iter().zip(&out.cells) {
                // glyphs with identical bitmaps are interchangeable; compare what is drawn
                let drawn_same = s.atlas.bitmap(a.glyph) == s.atlas.bitmap(b.glyph);
                let close = |x: [u8; 3], y: [u8; 3]| {
                    x.iter()
                        .zip(y)
                        .all(|(p, q)| (*p as i32 - q as i32).abs() <= 2)
                };
                if drawn_same && close(a.fg, b.fg) && close(a.bg, b.bg) {
                    same += 1;
                }
            }
            // the prefilter of the fast search may miss a few; the exhaustive one may not
            let want = match search {
                Search::Exhaustive => grid.cells.len(),
                Search::Fast => grid.cells.len() * 9 / 10,
            };
            assert!(
                same >= want,
                "{bg_mode:?} {search:?}: {same}/{} cells recovered",
                grid.cells.len()
            );
        }
    }
}

#[test]
fn a_vertical_bar_maps_to_the_bar_glyph() {
    let s = setup("ascii");
    let m = s.atlas.metrics;
    // a full-height bar in column 3 where the font draws the stroke of '|'
    let bar =
        s.atlas.bitmap(s.atlas.id('|').unwrap())[m.height / 2 * m.width..][..m.width].to_vec();
    let ox = 1.0; // the margin frame() leaves on the left
    let f = frame(&s, 7, 3, |x, _| {
        let cx = x - ox - 3.0 * m.width as f32;
        if (0.0..m.width as f32).contains(&cx) {
            bar[cx as usize]
        } else {
            0
        }
    });
    for bg in [Background::Black, Background::Source] {
        for o in every_mode(bg).into_iter().skip(1) {
            let (out, _) = convert(&s, o, &f);
            let mode = (o.glyphs, o.search);
            for r in 0..3 {
                assert_eq!(
                    ch(&s, out.at(3, r)),
                    '|',
                    "{mode:?} {bg:?} row {r}\n{}",
                    show(&s, &out)
                );
                assert_eq!(out.at(0, r).glyph, 0, "{mode:?}: empty cells stay blank");
            }
        }
        let (out, _) = convert(&s, opts(GlyphMode::Ramp, bg), &f);
        // ramp: a light glyph (the bar covers a fraction of the cell), nothing elsewhere
        let cov = s.atlas.coverage(out.at(3, 1).glyph);
        assert!(cov > 0.0 && cov < 0.25, "{cov}");
        assert_eq!(out.at(5, 1).glyph, 0);
    }
}

#[test]
fn diagonal_lines_map_to_slash_and_backslash() {
    let s = setup("ascii");
    let m = s.atlas.metrics;
    let (cw, chh) = (m.width as f32, m.height as f32);
    let (cols, rows) = (8, 6);
    // long lines through many cells, one cell diagonal per cell: line glyphs for `edges`
    let h = rows as f32 * chh;
    let slope = chh / cw;
    let long = |rising: bool| {
        frame(&s, cols, rows, move |x, y| {
            let y = if rising { h - y } else { y };
            if (y - x * slope).abs() < 1.6 { 255 } else { 0 }
        })
    };
    // a hard-edged stroke in every cell with the position, slope, length and width the font
    // gives '/' (measured from its bitmap): what `shape` should match
    let b = s.atlas.bitmap(s.atlas.id('/').unwrap());
    let ink: Vec<(f32, f32, f32)> = (0..m.height)
        .filter_map(|y| {
            let row = &b[y * m.width..(y + 1) * m.width];
            let sum: f32 = row.iter().map(|&v| v as f32).sum();
            let cx = row
                .iter()
                .enumerate()
                .map(|(x, &v)| x as f32 * v as f32)
                .sum::<f32>();
            (sum > 100.0).then(|| (y as f32, cx / sum, sum / 255.0))
        })
        .collect();
    let n = ink.len() as f32;
    let (my, mx) = (
        ink.iter().map(|p| p.0).sum::<f32>() / n,
        ink.iter().map(|p| p.1).sum::<f32>() / n,
    );
    let k = ink.iter().map(|p| (p.0 - my) * (p.1 - mx)).sum::<f32>()
        / ink.iter().map(|p| (p.0 - my).powi(2)).sum::<f32>();
    let width = ink.iter().map(|p| p.2).sum::<f32>() / n;
    let (y_lo, y_hi) = (ink[0].0, ink[ink.len() - 1].0);
    let strokes = |rising: bool| {
        frame(&s, cols, rows, move |x, y| {
            let (lx, ly) = ((x - 1.0) % cw + 0.5, (y - 2.0) % chh + 0.5);
            let lx = if rising { lx } else { cw - lx };
            let centre = mx + 0.5 + k * (ly - 0.5 - my);
            let on = (lx - centre).abs() < width / 2.0 && (y_lo..=y_hi + 1.0).contains(&ly);
            if on { 255 } else { 0 }
        })
    };
    for rising in [true, false] {
        let (want, other) = if rising { ('/', '\\') } else { ('\\', '/') };
        let [_, edges, shape, shape_fast] = every_mode(Background::Black);
        for (o, f, min) in [
            (edges, long(rising), rows - 1),
            (edges, strokes(rising), cols * rows),
            (shape, strokes(rising), cols * rows * 9 / 10),
            (shape_fast, strokes(rising), cols * rows * 9 / 10),
        ] {
            let (out, _) = convert(&s, o, &f);
            let mode = (o.glyphs, o.search);
            let hits = out.cells.iter().filter(|c| ch(&s, c) == want).count();
            assert!(
                hits >= min,
                "{mode:?} {want}: {hits} cells, want {min}\n{}",
                show(&s, &out)
            );
            assert_eq!(out.cells.iter().filter(|c| ch(&s, c) == other).count(), 0);
        }
    }
}

#[test]
fn a_gradient_rises_and_has_no_edge_glyphs() {
    let s = setup("ascii");
    let m = s.atlas.metrics;
    let w = (16 * m.width) as f32;
    let f = frame(&s, 16, 2, |x, _| (x / w * 255.0).clamp(0.0, 255.0) as u8);
    let mean_drawn = |c: &Cell| s.atlas.coverage(c.glyph) * c.fg[0] as f32;
    for o in every_mode(Background::Black) {
        let (out, _) = convert(&s, o, &f);
        let mode = (o.glyphs, o.search);
        let row: Vec<f32> = (0..16).map(|c| mean_drawn(out.at(c, 0))).collect();
        assert!(
            mean_drawn(out.at(0, 0)) < 12.0, // the source averages ~9.6 there
            "{mode:?}: dark end stays dark: {:?}",
            out.at(0, 0)
        );
        assert!(row[15] > row[1] + 20.0, "{mode:?}: {row:?}");
        // ramp picks by luminance alone: strictly by coverage
        if o.glyphs != GlyphMode::Shape {
            let cov: Vec<f32> = (0..16)
                .map(|c| s.atlas.coverage(out.at(c, 0).glyph))
                .collect();
            assert!(cov.windows(2).all(|p| p[1] >= p[0]), "{mode:?}: {cov:?}");
            assert!(
                out.cells
                    .iter()
                    .all(|c| !EDGE_CHARS.contains(&ch(&s, c)) || s.palette.contains(&c.glyph))
            );
        }
    }
    // with a background the cell colour follows the source mean
    let (out, _) = convert(&s, opts(GlyphMode::Shape, Background::Source), &f);
    let lum = |c: &Cell| (c.fg[0] as f32 + c.bg[0] as f32) / 2.0;
    assert!(lum(out.at(14, 1)) > lum(out.at(2, 1)) + 100.0);
}

#[test]
fn output_is_the_same_for_any_thread_count() {
    let s = setup("ascii");
    let f = frame(&s, 20, 8, |x, y| ((x * 7.0 + y * 3.0) as u32 % 256) as u8);
    let run = |threads: usize, o: ConvertOptions| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| convert(&s, o, &f).0)
    };
    for mode in every_mode(Background::Source) {
        for dither in [Dither::None, Dither::Ordered, Dither::Diffusion] {
            let o = ConvertOptions { dither, ..mode };
            assert_eq!(run(1, o), run(2, o), "{mode:?}");
        }
    }
}

#[test]
fn dithering_mixes_levels_on_a_flat_area() {
    let s = setup("classic");
    let f = frame(&s, 16, 8, |_, _| 100);
    let distinct = |o: ConvertOptions| {
        let (out, _) = convert(&s, o, &f);
        let mut g: Vec<u16> = out.cells.iter().map(|c| c.glyph).collect();
        g.sort();
        g.dedup();
        g.len()
    };
    let base = opts(GlyphMode::Ramp, Background::Black);
    assert_eq!(distinct(base), 1);
    for dither in [Dither::Ordered, Dither::Diffusion] {
        assert!(
            distinct(ConvertOptions { dither, ..base }) >= 2,
            "{dither:?}"
        );
    }
}

#[test]
fn any_frame_size_converts_to_the_asked_grid() {
    let s = setup("ascii");
    let mut conv = Converter::new(
        s.atlas.clone(),
        &s.palette,
        opts(GlyphMode::Shape, Background::Source),
    );
    let mut out = CellGrid::default();
    let mut f = Frame::new(333, 77);
    f.data.fill(180);
    conv.convert_fit(&f, 40, 12, &mut out);
    assert_eq!((out.cols, out.rows), (40, 12));
    assert!(out.cells.iter().all(|c| c.bg[0] >= 170 || c.fg[0] >= 170));
    conv.convert_fit(&Frame::new(0, 0), 3, 2, &mut out);
    assert_eq!(out.cells.len(), 6);
    // what `play` starts from: a palette name and a pixel size
    let mut small = Converter::with_palette(&FontChain::bundled(), 10, "ascii", conv.options)
        .expect("built-in palette");
    small.convert_fit(&f, 20, 6, &mut out);
    assert_eq!((out.cols, out.rows), (20, 6));
    assert!(Converter::with_palette(&FontChain::bundled(), 10, "no-such", conv.options).is_err());
}
