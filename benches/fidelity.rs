//! Fidelity table of docs/BENCHMARKS.md: SSIM (luma, both pictures blurred with σ = 6 px)
//! between a source frame and its ASCII rendering, for every glyph mode and background, with
//! chafa's output for the same cells measured in the same run as anchors, plus a side-by-side
//! PNG.
//!
//! Run (or let `benches/fidelity.sh` fetch footage and run it on two clips):
//! `cargo bench --bench fidelity -- VIDEO SECONDS [--png OUT.png] [--fit cover]`
//!
//! The frame is decoded at 1280×720 (letterboxed, or cropped to fill with `--fit cover`) and
//! drawn with the bundled font at 16 px: 10×19 px cells, a 128×37 grid. SSIM is measured on the
//! pixels the grid covers (the margins are the same black for every method). chafa, when it is
//! on the PATH, gets exactly those pixels as a PNG, is asked for the same 128×37 cells
//! (`--stretch`, 24-bit colour, no dithering, `-w 9`), and its output is parsed and drawn with
//! the same font and cell size, so both sides differ only in the glyphs and colours chosen.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use asciivid::compose::BlendMode;
use asciivid::frame::Frame;
use asciivid::glyph::{FontChain, GlyphAtlas, GlyphId};
use asciivid::grid::{Cell, CellGrid};
use asciivid::palette::Palettes;
use asciivid::raster::{Placement, draw_grid};
use asciivid::video::ssim::ssim;
use asciivid::video::{
    Background, ConvertOptions, Converter, EDGE_CHARS, Fit, FrameReader, GlyphMode, Next,
    ReaderSpec, Search, VideoInput,
};

/// Every block element: halves, quadrants, eighths, shades.
const ALL_BLOCKS: &str = " ▀▁▂▃▄▅▆▇█▉▊▋▌▍▎▏▐░▒▓▔▕▖▗▘▙▚▛▜▝▞▟";
/// Blur before SSIM: about a cell's width.
const SIGMA: f32 = 6.0;
/// Side-by-side tiles: this many cells of the grid's centre.
const TILE_CELLS: (usize, usize) = (32, 10);

/// One measured rendering.
struct Row {
    method: String,
    background: &'static str,
    ssim: f64,
    frame: Frame,
}

fn main() -> Result<()> {
    // `cargo bench` appends `--bench` to the arguments it passes through.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let usage =
        "usage: cargo bench --bench fidelity -- VIDEO SECONDS [--png OUT.png] [--fit cover]";
    let video = PathBuf::from(args.first().context(usage)?);
    let at: f64 = args.get(1).context(usage)?.parse().context(usage)?;
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let out_png = flag("--png").map(PathBuf::from);
    let fit = match flag("--fit").map(String::as_str) {
        Some("cover") => Fit::Cover,
        _ => Fit::Contain,
    };
    let (w, h) = (1280, 720);
    let src = decode(&video, at, w, h, fit)?;

    let fonts = FontChain::bundled();
    let pals = Palettes::builtin();
    let ascii: Vec<char> = pals.char_palette("ascii").unwrap().chars.clone();
    let blocks_ext: Vec<char> = pals.char_palette("blocks_ext").unwrap().chars.clone();
    let all_blocks: Vec<char> = ALL_BLOCKS.chars().collect();
    // every printable ASCII character too: chafa's `ascii` class may use any of them
    let printable = (' '..='~').collect::<Vec<char>>();
    let atlas = Arc::new(GlyphAtlas::new(
        &fonts,
        16,
        ascii
            .iter()
            .chain(&blocks_ext)
            .chain(&all_blocks)
            .chain(&printable)
            .chain(EDGE_CHARS)
            .copied(),
    ));
    let m = atlas.metrics;
    let place = Placement::fit(w, h, m.width, m.height);
    let ids = |cs: &[char]| -> Vec<GlyphId> { cs.iter().map(|&c| atlas.id(c).unwrap()).collect() };
    // the pixels the grid covers: what every method is compared on
    let area = |f: &Frame| {
        crop(
            f,
            place.ox,
            place.oy,
            place.cols * m.width,
            place.rows * m.height,
        )
    };
    let src_area = area(&src);
    println!(
        "source {} at {at} s, {w}x{h} ({fit:?}), cells {}x{} px, grid {}x{}, SSIM on luma after a Gaussian blur of sigma {SIGMA} px",
        video.display(),
        m.width,
        m.height,
        place.cols,
        place.rows
    );

    let draw = |cells: &CellGrid| {
        let mut f = Frame::new(w, h);
        draw_grid(&mut f, cells, &atlas, place, BlendMode::Normal, 1.0);
        f
    };
    let mut rows: Vec<Row> = Vec::new();
    let mut push = |method: String, background: &'static str, f: Frame| {
        let s = ssim(&src_area, &area(&f), SIGMA).unwrap();
        rows.push(Row {
            method,
            background,
            ssim: s,
            frame: f,
        });
    };
    let ours = |pal: &[GlyphId], glyphs, search, background| {
        let o = ConvertOptions {
            glyphs,
            search,
            background,
            ..ConvertOptions::default()
        };
        let mut conv = Converter::new(atlas.clone(), pal, o);
        let mut cells = CellGrid::default();
        let t = Instant::now();
        conv.convert(&src, place, &mut cells);
        (draw(&cells), t.elapsed())
    };
    // flat mean colour per cell: a full block with the cell's mean (what `source` reduces to)
    let (flat, _) = ours(
        &ids(&[' ', '█']),
        GlyphMode::Ramp,
        Search::Exhaustive,
        Background::Source,
    );
    push("flat mean colour per cell".into(), "source", flat);
    let bgname = |b: Background| match b {
        Background::Black => "black",
        Background::Source => "source",
    };
    let ascii_ids = ids(&ascii);
    for bg in [Background::Black, Background::Source] {
        for (name, glyphs, search) in [
            ("asciivid ramp, ascii", GlyphMode::Ramp, Search::Exhaustive),
            (
                "asciivid edges, ascii",
                GlyphMode::Edges,
                Search::Exhaustive,
            ),
            ("asciivid shape fast, ascii", GlyphMode::Shape, Search::Fast),
            (
                "asciivid shape, ascii",
                GlyphMode::Shape,
                Search::Exhaustive,
            ),
        ] {
            let (f, _) = ours(&ascii_ids, glyphs, search, bg);
            push(name.into(), bgname(bg), f);
        }
    }
    for (name, chars) in [
        ("asciivid shape, blocks_ext", &blocks_ext),
        ("asciivid shape, all block elements", &all_blocks),
    ] {
        let (f, _) = ours(
            &ids(chars),
            GlyphMode::Shape,
            Search::Exhaustive,
            Background::Source,
        );
        push(name.into(), "source", f);
    }

    match chafa_version() {
        None => println!("(chafa not found on PATH: no chafa anchors; apt-get install chafa)"),
        Some(version) => {
            let dir = tempfile::tempdir()?;
            let png = dir.path().join("area.png");
            asciivid::media::sink::write_png(&png, &src_area)?;
            for (name, background, extra) in [
                (
                    "chafa ascii",
                    "black",
                    &["--symbols", "ascii", "--fg-only"][..],
                ),
                ("chafa ascii", "source", &["--symbols", "ascii"][..]),
                ("chafa block", "source", &["--symbols", "block"][..]),
            ] {
                let text = run_chafa(&png, place.cols, place.rows, extra)?;
                let cells = parse_ansi(&text, place.cols, place.rows, &atlas)?;
                push(format!("{name} ({version})"), background, draw(&cells));
            }
        }
    }

    println!("| method | background | SSIM |");
    println!("|---|---|---|");
    for r in &rows {
        println!("| {} | {} | {:.4} |", r.method, r.background, r.ssim);
    }

    if let Some(path) = out_png {
        let pick = |label: &str, method: &str, bg: &str| {
            rows.iter()
                .find(|r| r.method.starts_with(method) && r.background == bg)
                .map(|r| (label.to_string(), &r.frame))
        };
        let mut tiles = vec![("source".to_string(), &src)];
        tiles.extend(
            [
                ("ramp / black", "asciivid ramp, ascii", "black"),
                ("chafa ascii / black", "chafa ascii", "black"),
                ("shape / black", "asciivid shape, ascii", "black"),
                (
                    "shape blocks / source",
                    "asciivid shape, all block",
                    "source",
                ),
                ("chafa ascii / source", "chafa ascii", "source"),
                ("shape / source", "asciivid shape, ascii", "source"),
                ("chafa block / source", "chafa block", "source"),
            ]
            .iter()
            .filter_map(|(l, m, b)| pick(l, m, b)),
        );
        let mosaic = mosaic(&tiles, place, &atlas);
        asciivid::media::sink::write_png(&path, &mosaic)?;
        let names: Vec<&str> = tiles.iter().map(|t| t.0.as_str()).collect();
        println!(
            "wrote {} (left to right, top to bottom: {})",
            path.display(),
            names.join("; ")
        );
    }
    Ok(())
}

/// The frame at `at` seconds, at `w × h`.
fn decode(video: &Path, at: f64, w: usize, h: usize, fit: Fit) -> Result<Frame> {
    let input = VideoInput::File {
        path: video.to_path_buf(),
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
    if reader.next_frame(&mut src)? != Next::New {
        bail!("no frame at {at} s in {}", video.display());
    }
    Ok(src)
}

/// The `w × h` pixels of `f` from (`x0`, `y0`).
fn crop(f: &Frame, x0: usize, y0: usize, w: usize, h: usize) -> Frame {
    let mut out = Frame::new(w, h);
    for y in 0..h {
        let s = ((y0 + y) * f.width + x0) * 3;
        out.data[y * w * 3..(y + 1) * w * 3].copy_from_slice(&f.data[s..s + w * 3]);
    }
    out
}

fn chafa_version() -> Option<String> {
    let o = Command::new("chafa").arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&o.stdout);
    let first = text.lines().next()?.trim().to_string();
    Some(first.replace("Chafa version", "chafa").trim().to_string())
}

/// chafa's cells for `png` at exactly `cols × rows`, as ANSI text.
fn run_chafa(png: &Path, cols: usize, rows: usize, extra: &[&str]) -> Result<String> {
    let size = format!("{cols}x{rows}");
    let o = Command::new("chafa")
        .args([
            "-f",
            "symbols",
            "-c",
            "full",
            "-O",
            "0",
            "--stretch",
            "-w",
            "9",
        ])
        .args(["--dither", "none", "--polite", "on", "-s", &size])
        .args(extra)
        .arg(png)
        .output()
        .context("cannot run chafa")?;
    if !o.status.success() {
        bail!("chafa failed: {}", String::from_utf8_lossy(&o.stderr));
    }
    Ok(String::from_utf8(o.stdout)?)
}

/// chafa's ANSI output (SGR 0/7/27/38;2/48;2/39/49, one line per row) as cells of `atlas`.
fn parse_ansi(text: &str, cols: usize, rows: usize, atlas: &GlyphAtlas) -> Result<CellGrid> {
    let mut grid = CellGrid::new(cols, rows);
    let (mut fg, mut bg, mut inverse) = ([255u8; 3], [0u8; 3], false);
    let (mut r, mut c) = (0usize, 0usize);
    let mut missing: HashMap<char, usize> = HashMap::new();
    let mut it = text.chars().peekable();
    while let Some(ch) = it.next() {
        match ch {
            '\x1b' => {
                if it.next() != Some('[') {
                    continue;
                }
                let mut seq = String::new();
                let mut fin = 'm';
                for x in it.by_ref() {
                    if x.is_ascii_alphabetic() {
                        fin = x;
                        break;
                    }
                    seq.push(x);
                }
                if fin != 'm' {
                    continue; // cursor visibility and the like
                }
                let n: Vec<u32> = seq.split(';').map(|s| s.parse().unwrap_or(0)).collect();
                let mut i = 0;
                while i < n.len() {
                    match n[i] {
                        0 => (fg, bg, inverse) = ([255; 3], [0; 3], false),
                        7 => inverse = true,
                        27 => inverse = false,
                        39 => fg = [255; 3],
                        49 => bg = [0; 3],
                        38 | 48 if n.get(i + 1) == Some(&2) && i + 4 < n.len() => {
                            let rgb = [n[i + 2] as u8, n[i + 3] as u8, n[i + 4] as u8];
                            if n[i] == 38 {
                                fg = rgb;
                            } else {
                                bg = rgb;
                            }
                            i += 4;
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            '\n' => {
                r += 1;
                c = 0;
            }
            '\r' => {}
            _ => {
                if r < rows && c < cols {
                    let glyph = atlas.id(ch).unwrap_or_else(|| {
                        *missing.entry(ch).or_default() += 1;
                        0
                    });
                    let (f, b) = if inverse { (bg, fg) } else { (fg, bg) };
                    grid.cells[r * cols + c] = Cell {
                        glyph,
                        fg: f,
                        bg: b,
                    };
                }
                c += 1;
            }
        }
    }
    if !missing.is_empty() {
        eprintln!("warning: chafa used characters the atlas lacks (drawn blank): {missing:?}");
    }
    Ok(grid)
}

/// A 4-wide mosaic of the same crop of every frame (the centre `TILE_CELLS` of the grid,
/// whole cells), each labelled in its top-left corner.
fn mosaic(tiles: &[(String, &Frame)], place: Placement, atlas: &GlyphAtlas) -> Frame {
    let m = atlas.metrics;
    let (tc, tr) = TILE_CELLS;
    let (tw, th) = (tc * m.width, tr * m.height);
    let x0 = place.ox + (place.cols - tc) / 2 * m.width;
    let y0 = place.oy + (place.rows - tr) / 2 * m.height;
    let across = 4;
    let down = tiles.len().div_ceil(across);
    let mut out = Frame::new(tw * across, th * down);
    for (k, (label, f)) in tiles.iter().enumerate() {
        let (mx, my) = ((k % across) * tw, (k / across) * th);
        let tile = crop(f, x0, y0, tw, th);
        for y in 0..th {
            let d = ((my + y) * out.width + mx) * 3;
            out.data[d..d + tw * 3].copy_from_slice(&tile.data[y * tw * 3..(y + 1) * tw * 3]);
        }
        let text: Vec<char> = label.chars().take(tc).collect();
        let mut cells = CellGrid::new(text.len(), 1);
        for (i, ch) in text.iter().enumerate() {
            cells.cells[i] = Cell {
                glyph: atlas.id(*ch).unwrap_or(0),
                fg: [255, 255, 0],
                bg: [1, 1, 1], // black would mean "no background"
            };
        }
        let at = Placement {
            cols: text.len(),
            rows: 1,
            ox: mx,
            oy: my,
        };
        draw_grid(&mut out, &cells, atlas, at, BlendMode::Normal, 1.0);
    }
    out
}
