//! Fidelity table of docs/BENCHMARKS.md: SSIM (luma, both frames blurred with σ = 6 px) between a
//! source frame and its ASCII rendering, for every glyph mode and background, plus a
//! side-by-side PNG.
//!
//! Run: `cargo run --release --example video_fidelity -- VIDEO SECONDS [OUT.png] [contain|cover]`
//! (frames are decoded at 1280×720, letterboxed or cropped to fill, with 16 px glyphs: 10×19 px
//! cells).

use std::path::PathBuf;
use std::sync::Arc;

use asciivid::compose::BlendMode;
use asciivid::frame::Frame;
use asciivid::glyph::{FontChain, GlyphAtlas, GlyphId};
use asciivid::grid::CellGrid;
use asciivid::palette::Palettes;
use asciivid::raster::{Placement, draw_grid};
use asciivid::video::ssim::ssim;
use asciivid::video::{
    Background, ConvertOptions, Converter, EDGE_CHARS, Fit, FrameReader, GlyphMode, Next,
    ReaderSpec, Search, VideoInput,
};

/// Every block element: halves, quadrants, eighths, shades.
const ALL_BLOCKS: &str = " ▀▁▂▃▄▅▆▇█▉▊▋▌▍▎▏▐░▒▓▔▕▖▗▘▙▚▛▜▝▞▟";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let video = PathBuf::from(args.first().expect("usage: VIDEO SECONDS [OUT.png]"));
    let at: f64 = args.get(1).map_or(Ok(1.0), |s| s.parse())?;
    let out_png = args.get(2).map(PathBuf::from);
    let fit = match args.get(3).map(String::as_str) {
        Some("cover") => Fit::Cover,
        _ => Fit::Contain,
    };
    let (w, h) = (1280, 720);
    let input = VideoInput::File {
        path: video.clone(),
        has_audio: false,
        fps: None,
    };
    let spec = ReaderSpec {
        width: w,
        height: h,
        fps: 24.0,
        start: at,
        duration: None,
        fit,
    };
    let mut reader = FrameReader::open(&input, &spec)?;
    let mut src = Frame::new(w, h);
    anyhow::ensure!(reader.next_frame(&mut src)? == Next::New, "no frame");
    drop(reader);

    let fonts = FontChain::bundled();
    let pals = Palettes::builtin();
    let ascii: Vec<char> = pals.char_palette("ascii").unwrap().chars.clone();
    let blocks_ext: Vec<char> = pals.char_palette("blocks_ext").unwrap().chars.clone();
    let all_blocks: Vec<char> = ALL_BLOCKS.chars().collect();
    let atlas = Arc::new(GlyphAtlas::new(
        &fonts,
        16,
        ascii
            .iter()
            .chain(&blocks_ext)
            .chain(&all_blocks)
            .chain(EDGE_CHARS)
            .copied(),
    ));
    let m = atlas.metrics;
    let place = Placement::fit(w, h, m.width, m.height);
    let ids = |cs: &[char]| -> Vec<GlyphId> { cs.iter().map(|&c| atlas.id(c).unwrap()).collect() };
    println!(
        "source {} at {at} s, {w}x{h} ({fit:?}), cells {}x{} px, grid {}x{}",
        video.display(),
        m.width,
        m.height,
        place.cols,
        place.rows
    );
    println!("| palette | glyphs | search | background | SSIM |");
    println!("|---|---|---|---|---|");
    let render = |pal: &[GlyphId], glyphs, search, background| {
        let o = ConvertOptions {
            glyphs,
            search,
            background,
            ..ConvertOptions::default()
        };
        let mut conv = Converter::new(atlas.clone(), pal, o);
        let mut cells = CellGrid::default();
        conv.convert(&src, place, &mut cells);
        let mut f = Frame::new(w, h);
        draw_grid(&mut f, &cells, &atlas, place, BlendMode::Normal, 1.0);
        f
    };
    // flat mean colour per cell: a full block with the cell's mean (what `source` reduces to)
    let full = ids(&[' ', '█']);
    let flat = render(
        &full,
        GlyphMode::Ramp,
        Search::Exhaustive,
        Background::Source,
    );
    println!(
        "| (flat mean colour per cell) | - | - | source | {:.3} |",
        ssim(&src, &flat, 6.0).unwrap()
    );
    let mut shots = vec![("source", src.clone())];
    let cases: &[(&str, &[char], GlyphMode, Search, Background)] = &[
        (
            "ascii",
            &ascii,
            GlyphMode::Ramp,
            Search::Exhaustive,
            Background::Black,
        ),
        (
            "ascii",
            &ascii,
            GlyphMode::Ramp,
            Search::Exhaustive,
            Background::Source,
        ),
        (
            "ascii",
            &ascii,
            GlyphMode::Edges,
            Search::Exhaustive,
            Background::Black,
        ),
        (
            "ascii",
            &ascii,
            GlyphMode::Edges,
            Search::Exhaustive,
            Background::Source,
        ),
        (
            "ascii",
            &ascii,
            GlyphMode::Shape,
            Search::Fast,
            Background::Black,
        ),
        (
            "ascii",
            &ascii,
            GlyphMode::Shape,
            Search::Exhaustive,
            Background::Black,
        ),
        (
            "ascii",
            &ascii,
            GlyphMode::Shape,
            Search::Fast,
            Background::Source,
        ),
        (
            "ascii",
            &ascii,
            GlyphMode::Shape,
            Search::Exhaustive,
            Background::Source,
        ),
        (
            "blocks_ext",
            &blocks_ext,
            GlyphMode::Shape,
            Search::Exhaustive,
            Background::Source,
        ),
        (
            "all block elements",
            &all_blocks,
            GlyphMode::Shape,
            Search::Exhaustive,
            Background::Source,
        ),
    ];
    for (name, chars, glyphs, search, bg) in cases {
        let f = render(&ids(chars), *glyphs, *search, *bg);
        let s = ssim(&src, &f, 6.0).unwrap();
        println!("| {name} | {glyphs:?} | {search:?} | {bg:?} | {s:.3} |");
        if *name == "ascii" && *search == Search::Exhaustive {
            shots.push(("", f));
        }
    }
    if let Some(path) = out_png {
        // a 2×4 mosaic of the same crop: source, ramp, ramp+bg, edges, edges+bg, shape, shape+bg
        let (cw, chh) = (480, 270);
        let (x0, y0) = ((w - cw) / 2, (h - chh) / 2);
        let mut mosaic = Frame::new(cw * 4, chh * 2);
        for (k, (_, f)) in shots.iter().enumerate().take(8) {
            let (mx, my) = ((k % 4) * cw, (k / 4) * chh);
            for y in 0..chh {
                let s = &f.data[((y0 + y) * w + x0) * 3..((y0 + y) * w + x0 + cw) * 3];
                let d = ((my + y) * mosaic.width + mx) * 3;
                mosaic.data[d..d + cw * 3].copy_from_slice(s);
            }
        }
        asciivid::media::sink::write_png(&path, &mosaic)?;
        println!(
            "wrote {} (source, ramp, ramp+bg, edges, edges+bg, shape, shape+bg)",
            path.display()
        );
    }
    Ok(())
}
