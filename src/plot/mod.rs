//! `asciivid analyze --plot`: the analysis of a track drawn as one PNG a person can read.
//!
//! From top to bottom: a title with the tempo, a log-frequency spectrogram (the same
//! log-spaced spectrum the spectrum-bar effects see), the six band curves as stacked lanes, the
//! onset-strength envelope with the detected onsets, and a time axis. Beats and downbeats are
//! vertical lines through the band and onset panels. Everything is drawn from the [`Features`]
//! table alone, so a plot of a cached analysis needs no decoding.

mod canvas;

use std::path::Path;

use anyhow::{Context, Result};

use crate::features::{Feature, Features};
use crate::media::sink::{temp_path, write_png};
pub use canvas::{Canvas, Rgb, inferno};

/// Plot pixels per second of audio, before the width limits.
pub const PX_PER_SECOND: f64 = 100.0;
/// Narrowest data area (pixels).
pub const MIN_PLOT_WIDTH: usize = 600;
/// Widest data area (pixels): a 7-minute track still fits a screen zoomed out.
pub const MAX_PLOT_WIDTH: usize = 4000;
/// Colour of beat lines.
pub const BEAT_RGB: Rgb = [255, 214, 64];
/// Colour of downbeat lines.
pub const DOWNBEAT_RGB: Rgb = [255, 72, 72];
/// Colour of onset ticks.
pub const ONSET_RGB: Rgb = [120, 230, 255];

const BACKGROUND: Rgb = [18, 18, 24];
const PANEL: Rgb = [30, 30, 40];
const BORDER: Rgb = [80, 80, 96];
const TEXT: Rgb = [225, 225, 235];
const DIM_TEXT: Rgb = [150, 150, 165];
const ENVELOPE: Rgb = [150, 160, 200];
const TEXT_PX: u32 = 14;
/// Contrast of the spectrogram: the bars' 0–1 scale spends most of its range on loud
/// content, so a gamma above 1 separates the partials from the floor.
const SPECTRO_GAMMA: f32 = 1.5;
const LEFT: usize = 64;
const RIGHT: usize = 16;
const TITLE_H: usize = 52;
const SPECTRO_H: usize = 220;
const LANE_H: usize = 38;
const ONSET_H: usize = 120;
const GAP: usize = 10;
const AXIS_H: usize = 30;

/// The band lanes: feature, label, colour (low to high).
const BANDS: [(Feature, &str, Rgb); 6] = [
    (Feature::Sub, "sub", [214, 80, 255]),
    (Feature::Bass, "bass", [255, 90, 120]),
    (Feature::Lomid, "lomid", [255, 160, 60]),
    (Feature::Mid, "mid", [130, 220, 90]),
    (Feature::Himid, "himid", [60, 200, 230]),
    (Feature::Hi, "hi", [120, 140, 255]),
];

/// Where everything sits in the image, derived from the duration alone.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Layout {
    /// Image width.
    pub width: usize,
    /// Image height.
    pub height: usize,
    /// First column of the data area.
    pub plot_x: usize,
    /// Width of the data area.
    pub plot_w: usize,
    /// Seconds spanned by the data area.
    pub duration: f64,
    /// Rows `[y0, y1)` of the spectrogram.
    pub spectro: (usize, usize),
    /// Rows of the band lanes.
    pub bands: (usize, usize),
    /// Rows of the onset panel.
    pub onsets: (usize, usize),
}

impl Layout {
    /// The layout for a track of `duration` seconds.
    pub fn for_duration(duration: f64) -> Layout {
        let duration = if duration.is_finite() && duration > 0.0 {
            duration
        } else {
            1.0
        };
        let plot_w =
            ((duration * PX_PER_SECOND).round() as usize).clamp(MIN_PLOT_WIDTH, MAX_PLOT_WIDTH);
        let spectro = (TITLE_H, TITLE_H + SPECTRO_H);
        let bands = (spectro.1 + GAP, spectro.1 + GAP + 6 * LANE_H);
        let onsets = (bands.1 + GAP, bands.1 + GAP + ONSET_H);
        Layout {
            width: LEFT + plot_w + RIGHT,
            height: onsets.1 + AXIS_H,
            plot_x: LEFT,
            plot_w,
            duration,
            spectro,
            bands,
            onsets,
        }
    }

    /// The image column of time `t` (s), if inside the data area.
    pub fn x_of(&self, t: f64) -> Option<usize> {
        let x = (t / self.duration * self.plot_w as f64).floor();
        (x.is_finite() && x >= 0.0 && (x as usize) < self.plot_w).then(|| self.plot_x + x as usize)
    }

    /// Feature frames `[a, b)` shown by data column `i` (at least one frame when any exist).
    fn frames_of(&self, i: usize, fps: f64, n: usize) -> (usize, usize) {
        let t0 = i as f64 / self.plot_w as f64 * self.duration;
        let t1 = (i + 1) as f64 / self.plot_w as f64 * self.duration;
        let a = ((t0 * fps).round() as usize).min(n.saturating_sub(1));
        let b = ((t1 * fps).round() as usize).clamp(a + 1, n.max(a + 1));
        (a, b.min(n))
    }
}

/// Per data column, the maximum of `col` over the frames the column shows.
fn column_max(l: &Layout, col: &[f32], fps: f64) -> Vec<f32> {
    (0..l.plot_w)
        .map(|i| {
            let (a, b) = l.frames_of(i, fps, col.len());
            col.get(a..b)
                .unwrap_or(&[])
                .iter()
                .copied()
                .fold(0.0f32, f32::max)
        })
        .collect()
}

/// `m:ss` for whole seconds, else seconds with one decimal.
fn time_label(t: f64, step: f64) -> String {
    if step >= 1.0 {
        let s = t.round() as u64;
        format!("{}:{:02}", s / 60, s % 60)
    } else {
        format!("{t:.1}s")
    }
}

fn draw_title(c: &mut Canvas, l: &Layout, f: &Features, name: &str) {
    let secs = f.duration.round() as u64;
    let tempo = if f.tempo_bpm > 0.0 {
        format!(
            "{:.1} BPM (confidence {:.2})",
            f.tempo_bpm, f.tempo_confidence
        )
    } else {
        "no tempo found".to_string()
    };
    let title = format!(
        "{name} — {tempo} — {}:{:02} — {} beats, {} downbeats, {} onsets",
        secs / 60,
        secs % 60,
        f.beats.len(),
        f.downbeats.len(),
        f.onsets.len()
    );
    c.text(l.plot_x, 6, &title, TEXT);
    let y = 8 + c.line_height();
    let mut x = l.plot_x;
    for (label, colour) in [
        ("beat", BEAT_RGB),
        ("downbeat", DOWNBEAT_RGB),
        ("onset", ONSET_RGB),
    ] {
        c.fill(x, y + 4, x + 14, y + c.line_height() - 4, colour);
        x = c.text(x + 18, y, label, DIM_TEXT) + 16;
    }
    c.text(
        x + 8,
        y,
        &format!(
            "spectrum, bands and onset strength normalized 0–1 at {} fps",
            f.fps
        ),
        DIM_TEXT,
    );
}

fn draw_spectrogram(c: &mut Canvas, l: &Layout, f: &Features, band_hz: &[f32]) {
    let (y0, y1) = l.spectro;
    let h = y1 - y0;
    let nb = f.spectrum.first().map_or(0, Vec::len);
    c.fill(l.plot_x, y0, l.plot_x + l.plot_w, y1, PANEL);
    if nb == 0 || f.spectrum.is_empty() {
        return;
    }
    let mut mean = vec![0.0f32; nb];
    for i in 0..l.plot_w {
        let (a, b) = l.frames_of(i, f.fps, f.spectrum.len());
        mean.fill(0.0);
        for row in &f.spectrum[a..b] {
            mean.iter_mut().zip(row).for_each(|(m, v)| *m += v);
        }
        mean.iter_mut().for_each(|m| *m /= (b - a).max(1) as f32);
        for y in 0..h {
            // Bands are log-spaced: a linear position over them is a log-frequency axis.
            let pos = (h - 1 - y) as f32 / (h - 1).max(1) as f32 * (nb - 1) as f32;
            let j = (pos.floor() as usize).min(nb - 1);
            let k = (j + 1).min(nb - 1);
            let v = mean[j] + (mean[k] - mean[j]) * (pos - j as f32);
            c.set(
                l.plot_x + i,
                y0 + y,
                inferno(v.max(0.0).powf(SPECTRO_GAMMA)),
            );
        }
    }
    // Frequency labels on the same log axis.
    if band_hz.len() == nb && nb > 1 && band_hz[0] > 0.0 {
        let step = (band_hz[1] / band_hz[0]).ln();
        for (hz, label) in [(100.0f32, "100"), (1000.0, "1k"), (10_000.0, "10k")] {
            let pos = (hz / band_hz[0]).ln() / step;
            if !(0.0..=(nb - 1) as f32).contains(&pos) {
                continue;
            }
            let y = y1 - 1 - (pos / (nb - 1) as f32 * (h - 1) as f32).round() as usize;
            c.hline(y, l.plot_x - 5, l.plot_x, TEXT, 1.0);
            let w = c.text_width(label);
            c.text(l.plot_x - 8 - w, y - c.line_height() / 2, label, DIM_TEXT);
        }
    }
    c.text(4, y0 + 2, "Hz", DIM_TEXT);
}

fn draw_bands(c: &mut Canvas, l: &Layout, f: &Features) {
    for (lane, (feature, label, colour)) in BANDS.iter().rev().enumerate() {
        let y0 = l.bands.0 + lane * LANE_H;
        let y1 = y0 + LANE_H;
        c.fill(l.plot_x, y0, l.plot_x + l.plot_w, y1 - 1, PANEL);
        let values = column_max(l, f.column(*feature), f.fps);
        let top = |v: f32| (y1 - 2) as f32 - v.clamp(0.0, 1.0) * (LANE_H - 4) as f32;
        let ys: Vec<f32> = values.iter().map(|&v| top(v)).collect();
        for (i, &y) in ys.iter().enumerate() {
            let y = y.round() as usize;
            c.vline(l.plot_x + i, y, y1 - 1, *colour, 0.35);
        }
        c.polyline(l.plot_x, &ys, *colour, 1.0);
        c.text(8, y0 + (LANE_H - c.line_height()) / 2, label, *colour);
    }
}

fn draw_onsets(c: &mut Canvas, l: &Layout, f: &Features) {
    let (y0, y1) = l.onsets;
    c.fill(l.plot_x, y0, l.plot_x + l.plot_w, y1, PANEL);
    let values = column_max(l, f.column(Feature::OnsetStrength), f.fps);
    let ys: Vec<f32> = values
        .iter()
        .map(|&v| (y1 - 2) as f32 - v.clamp(0.0, 1.0) * (ONSET_H - 14) as f32)
        .collect();
    for (i, &y) in ys.iter().enumerate() {
        c.vline(l.plot_x + i, y.round() as usize, y1, ENVELOPE, 0.45);
    }
    c.polyline(l.plot_x, &ys, ENVELOPE, 1.0);
    for &t in &f.onsets {
        if let Some(x) = l.x_of(t) {
            c.vline(x, y0, y0 + 8, ONSET_RGB, 1.0);
        }
    }
    c.text(8, y0 + 4, "onset", TEXT);
    c.text(8, y0 + 4 + c.line_height(), "env.", TEXT);
}

/// Beat and downbeat lines: solid through the onset panel (on top of the envelope; lighter
/// when beats are under 8 pixels apart), lighter through the bands, and ticks above the spectrogram so it stays unobstructed.
fn draw_beats(c: &mut Canvas, l: &Layout, f: &Features) {
    let spacing = if f.beats.len() > 1 {
        l.plot_w as f64 * (f.beats[f.beats.len() - 1] - f.beats[0])
            / l.duration
            / (f.beats.len() - 1) as f64
    } else {
        f64::INFINITY
    };
    // Dense beats (long tracks) would turn the band lanes into stripes.
    let (lane_alpha, onset_alpha) = if spacing < 8.0 {
        (0.25, 0.6)
    } else {
        (0.6, 1.0)
    };
    for (times, colour) in [(&f.beats, BEAT_RGB), (&f.downbeats, DOWNBEAT_RGB)] {
        for &t in times {
            let Some(x) = l.x_of(t) else { continue };
            c.vline(x, l.spectro.0 - 6, l.spectro.0, colour, 1.0);
            c.vline(x, l.bands.0, l.bands.1, colour, lane_alpha);
            c.vline(x, l.onsets.0 + 9, l.onsets.1, colour, onset_alpha);
        }
    }
}

fn draw_axis(c: &mut Canvas, l: &Layout) {
    let y = l.onsets.1;
    c.hline(y, l.plot_x, l.plot_x + l.plot_w, BORDER, 1.0);
    let px_per_s = l.plot_w as f64 / l.duration;
    let step = [
        0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0,
    ]
    .into_iter()
    .find(|s| s * px_per_s >= 70.0)
    .unwrap_or(600.0);
    let mut k = 0u32;
    loop {
        let t = k as f64 * step;
        let Some(x) = l.x_of(t) else { break };
        c.vline(x, y, y + 5, TEXT, 1.0);
        let label = time_label(t, step);
        let w = c.text_width(&label);
        c.text(
            x.saturating_sub(w / 2).max(l.plot_x),
            y + 7,
            &label,
            DIM_TEXT,
        );
        k += 1;
    }
}

/// Draw the plot of `f` (`name` goes in the title; `band_hz` are the spectrum's band centres).
pub fn draw(f: &Features, name: &str, band_hz: &[f32]) -> (Canvas, Layout) {
    let l = Layout::for_duration(f.duration);
    let mut c = Canvas::new(l.width, l.height, BACKGROUND, TEXT_PX);
    draw_title(&mut c, &l, f, name);
    draw_spectrogram(&mut c, &l, f, band_hz);
    draw_bands(&mut c, &l, f);
    draw_onsets(&mut c, &l, f);
    draw_beats(&mut c, &l, f);
    draw_axis(&mut c, &l);
    for (y0, y1) in [l.spectro, l.bands, l.onsets] {
        c.frame_rect(
            l.plot_x - 1,
            y0 - 1,
            l.plot_x + l.plot_w + 1,
            y1 + 1,
            BORDER,
        );
    }
    (c, l)
}

/// Draw the plot of `f` into the PNG `path` (written under a temporary name, then renamed).
pub fn write(path: &Path, f: &Features, name: &str, band_hz: &[f32]) -> Result<Layout> {
    let (c, l) = draw(f, name, band_hz);
    let tmp = temp_path(path);
    if let Err(e) = write_png(&tmp, &c.frame) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e.context(format!("cannot write the plot {}", path.display())));
    }
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::{AnalysisParams, analyze, synth_demo_track};

    #[test]
    fn width_scales_with_duration_within_limits() {
        assert_eq!(Layout::for_duration(3.0).plot_w, MIN_PLOT_WIDTH);
        assert_eq!(Layout::for_duration(20.0).plot_w, 2000);
        assert_eq!(Layout::for_duration(7.0 * 60.0).plot_w, MAX_PLOT_WIDTH);
        assert_eq!(Layout::for_duration(f64::NAN).plot_w, MIN_PLOT_WIDTH);
        let l = Layout::for_duration(20.0);
        assert_eq!(l.x_of(0.0), Some(l.plot_x));
        assert_eq!(l.x_of(10.0), Some(l.plot_x + 1000));
        assert_eq!(l.x_of(20.0), None);
        assert_eq!(l.x_of(-0.1), None);
    }

    #[test]
    fn draws_beats_where_they_are_and_survives_empty_input() {
        let sr = 22050;
        let x = synth_demo_track(sr, 4.0, 120.0, 2);
        let f = analyze(&x, sr, 24.0, &AnalysisParams::default());
        let (c, l) = draw(&f, "demo", &[]);
        let row = (l.onsets.0 + l.onsets.1) / 2;
        for &t in &f.beats {
            let x = l.x_of(t).unwrap();
            let px = c.frame.pixel(x, row);
            assert!(
                px == BEAT_RGB || px == DOWNBEAT_RGB,
                "beat {t} at {x}: {px:?}"
            );
        }
        let empty = analyze(&[], sr, 24.0, &AnalysisParams::default());
        let (c, _) = draw(&empty, "empty", &[]);
        assert!(c.frame.width >= MIN_PLOT_WIDTH);
    }
}
