//! The `lyrics` table of a text layer in presets and timelines, its validation, and loading
//! its file (relative to the preset file) when the preset is loaded, so a bad file is reported
//! before anything renders.

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::cue::{Cue, Cues};
use super::layout::Position;
use super::modes::Mode;
use crate::scene::preset::{Checker, LayerSpec, Preset, PresetError};

/// What a text layer shows and how (`effect = "lyrics"` with `lyrics = { ... }`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LyricsSpec {
    /// A `.srt` or `.lrc` file, relative to the preset (or timeline) file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<Spanned<String>>,
    /// Or a fixed text shown for the whole track (`\n` breaks lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Spanned<String>>,
    /// Display mode: plain, typewriter, fade_in, flash, scatter, wave, or a generated one:
    /// ticker, beat_words, messages, error_stamps.
    #[serde(default = "default_mode")]
    pub mode: Spanned<String>,
    /// Where the lines sit: top, center, bottom.
    #[serde(default = "default_position")]
    pub position: Spanned<String>,
    /// Share of the grid's width a line may use before it wraps, 0.05–1.
    #[serde(default = "default_width")]
    pub width: f32,
    /// Draw no glyphs: the text becomes a stencil through which the layers beneath show
    /// (everything else goes black).
    #[serde(default)]
    pub stencil: bool,
    /// How much to darken the cells around the words, 0 (not at all) to 1 (black), so the
    /// text reads over busy layers.
    #[serde(default)]
    pub backdrop: f32,
    /// `beat_words`: the words (default: the words of `text`); `error_stamps`: the strings
    /// to stamp (default: [`super::overlay::ERRORS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub words: Option<Vec<String>>,
    /// `messages`: the messages shown in turn (default: the lines of `text`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<String>>,
    /// `messages`: seconds each message shows.
    #[serde(default = "default_period")]
    pub period: f32,
    /// The cues, once loaded (not written back to TOML).
    #[serde(skip)]
    pub cues: Option<Arc<Cues>>,
    /// Seconds into the song where the output starts (`render --start`), so cues keep the
    /// song's times (set by the command line, not a preset key).
    #[serde(skip)]
    pub start: f64,
}

fn default_mode() -> Spanned<String> {
    Spanned::new(0..0, "fade_in".to_string())
}
fn default_position() -> Spanned<String> {
    Spanned::new(0..0, "center".to_string())
}
fn default_width() -> f32 {
    0.9
}
fn default_period() -> f32 {
    4.0
}

impl LyricsSpec {
    /// A spec showing `cues` with `mode` (for `render --lyrics` and `narrate`).
    pub fn with_cues(cues: Arc<Cues>, mode: Mode, position: Position) -> LyricsSpec {
        LyricsSpec {
            file: None,
            text: None,
            mode: Spanned::new(0..0, mode.name().to_string()),
            position: Spanned::new(0..0, Position::NAMES[position as usize].to_string()),
            width: default_width(),
            stencil: false,
            backdrop: 0.0,
            words: None,
            messages: None,
            period: default_period(),
            cues: Some(cues),
            start: 0.0,
        }
    }

    /// The display mode (validated).
    pub fn mode(&self) -> Mode {
        Mode::from_name(self.mode.get_ref()).unwrap_or(Mode::FadeIn)
    }

    /// The vertical position (validated).
    pub fn position(&self) -> Position {
        Position::from_name(self.position.get_ref()).unwrap_or(Position::Center)
    }

    /// The cues: loaded with the preset, or (for a spec that lost them in a TOML round trip,
    /// like the preview's edits) read again from `file`, or the fixed `text`.
    pub fn cues(&self) -> Result<Arc<Cues>, super::TextError> {
        if let Some(c) = &self.cues {
            return Ok(c.clone());
        }
        if self.mode().is_generated() {
            return Ok(Arc::new(fixed_text(&self.items().join("\n"))));
        }
        if let Some(t) = &self.text {
            return Ok(Arc::new(fixed_text(t.get_ref())));
        }
        match &self.file {
            Some(f) => super::load(Path::new(f.get_ref())).map(Arc::new),
            None => Ok(Arc::new(Cues::default())),
        }
    }
}

impl LyricsSpec {
    /// The strings a generated mode draws from: the ticker's `text`, the `words` (or the words
    /// of `text`), the `messages` (or the lines of `text`), the error strings; empty for the
    /// cue modes.
    pub fn items(&self) -> Vec<String> {
        let text = self.text.as_ref().map_or("", |t| t.get_ref().as_str());
        match self.mode() {
            Mode::Ticker => vec![text.replace('\n', " ")],
            Mode::BeatWords => self
                .words
                .clone()
                .unwrap_or_else(|| text.split_whitespace().map(str::to_string).collect()),
            Mode::Messages => self.messages.clone().unwrap_or_else(|| {
                text.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_string)
                    .collect()
            }),
            Mode::ErrorStamps => self.words.clone().unwrap_or_else(|| {
                super::overlay::ERRORS
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            }),
            _ => Vec::new(),
        }
    }
}

/// One cue covering any track length.
fn fixed_text(text: &str) -> Cues {
    Cues {
        origin: "text".into(),
        cues: vec![Cue {
            start: 0.0,
            end: f64::MAX,
            text: text.to_string(),
            line: 0,
        }],
        overlaps: 0,
    }
}

/// A layer that shows text: a `lyrics` table for `effect = "lyrics"`.
pub(crate) fn check_layer(layer: &LayerSpec, chk: &Checker) -> Result<(), PresetError> {
    let Some(l) = &layer.lyrics else {
        return chk.err(
            layer.effect.span(),
            "effect `lyrics` needs a `lyrics = { file = \"song.srt\" }` (or `text = \"...\"`) table: see docs/TEXT.md".into(),
        );
    };
    chk.one_of("text mode", &l.mode, Mode::NAMES)?;
    if l.mode().is_generated() {
        return check_generated(l, chk);
    }
    for (key, v) in [("words", &l.words), ("messages", &l.messages)] {
        if v.is_some() {
            return chk.err(
                l.mode.span(),
                format!(
                    "`{key}` is for the generated modes (beat_words, messages, error_stamps), not mode `{}`",
                    l.mode.get_ref()
                ),
            );
        }
    }
    match (&l.file, &l.text) {
        (Some(f), Some(_)) => {
            return chk.err(
                f.span(),
                "a lyrics table has `file` or `text`, not both".into(),
            );
        }
        (None, None) => {
            return chk.err(
                layer.effect.span(),
                "the lyrics table needs `file = \"song.srt\"` (.srt or .lrc) or `text = \"...\"`"
                    .into(),
            );
        }
        _ => {}
    }
    for (key, v) in [
        ("glyphs", &layer.glyphs),
        ("background", &layer.background),
        ("dither", &layer.dither),
    ] {
        if let Some(v) = v {
            return chk.err(
                v.span(),
                format!("`{key}` only applies to video layers, not to a lyrics layer"),
            );
        }
    }
    check_common(l, chk)
}

/// Keys every text layer shares: position, backdrop, width.
fn check_common(l: &LyricsSpec, chk: &Checker) -> Result<(), PresetError> {
    chk.one_of("text position", &l.position, Position::NAMES)?;
    if !(0.0..=1.0).contains(&l.backdrop) {
        return chk.err(
            l.mode.span(),
            format!("lyrics backdrop {} must be between 0 and 1", l.backdrop),
        );
    }
    if !(0.05..=1.0).contains(&l.width) {
        return chk.err(
            l.mode.span(),
            format!("lyrics width {} must be between 0.05 and 1", l.width),
        );
    }
    Ok(())
}

/// A generated mode makes its own text: no `file`, and the strings it needs are there.
fn check_generated(l: &LyricsSpec, chk: &Checker) -> Result<(), PresetError> {
    let mode = l.mode.get_ref();
    if let Some(f) = &l.file {
        return chk.err(
            f.span(),
            format!(
                "mode `{mode}` makes its own text: give `text`, `words` or `messages`, not `file`"
            ),
        );
    }
    let need = match l.mode() {
        Mode::Ticker => "`text = \"...\"` (the scrolling text)",
        Mode::BeatWords => "`words = [\"...\", ...]` (or a `text` of words)",
        Mode::Messages => "`messages = [\"...\", ...]` (or a `text` of lines)",
        _ => "",
    };
    if !need.is_empty() && l.items().iter().all(|s| s.trim().is_empty()) {
        return chk.err(l.mode.span(), format!("mode `{mode}` needs {need}"));
    }
    if !(0.1..=600.0).contains(&l.period) {
        return chk.err(
            l.mode.span(),
            format!(
                "lyrics period {} must be between 0.1 and 600 seconds",
                l.period
            ),
        );
    }
    check_common(l, chk)
}

/// Read the files of `preset`'s text layers (paths relative to `base_dir`, the preset file's
/// folder): a missing or malformed file is an error naming it (and the line, for a bad entry).
/// Layers whose cues are already loaded are left alone. The path is rewritten to the one
/// found, so a copy of the preset (the preview's) can read it again.
pub fn attach(preset: &mut Preset, base_dir: &Path) -> Result<(), PresetError> {
    for layer in &mut preset.layers {
        let Some(l) = layer.lyrics.as_mut() else {
            continue;
        };
        if l.cues.is_some() {
            continue;
        }
        if let Some(f) = &l.file {
            let path = base_dir.join(f.get_ref());
            let cues = super::load(&path).map_err(|e| PresetError {
                what: "lyrics file",
                origin: e.origin,
                line_no: e.line,
                message: e.message,
            })?;
            l.file = Some(Spanned::new(f.span(), path.display().to_string()));
            l.cues = Some(Arc::new(cues));
        } else if l.mode().is_generated() {
            l.cues = Some(Arc::new(fixed_text(&l.items().join("\n"))));
        } else if let Some(t) = &l.text {
            l.cues = Some(Arc::new(fixed_text(t.get_ref())));
        }
    }
    Ok(())
}

/// The layer `render --lyrics` puts over a preset: `cues` on a large grid, warm white, drawn
/// normally (not screen-blended) so the words stay readable over bright layers.
pub fn overlay_layer(cues: Arc<Cues>, mode: Mode, position: Position) -> LayerSpec {
    let mut layer: LayerSpec = toml::from_str(
        "effect = \"lyrics\"\ngrid = \"xl\"\nblend = \"normal\"\nthreshold = 0.02\ncolor = { mode = \"mono\", colors = [\"#fff2d0\"] }\n",
    )
    .expect("a valid layer");
    let mut spec = LyricsSpec::with_cues(cues, mode, position);
    spec.backdrop = 0.75;
    layer.lyrics = Some(spec);
    layer
}

/// Give every text layer of `preset` the song time its output starts at (`render --start`),
/// so cues keep the times of the song.
pub fn set_start(preset: &mut Preset, start: f64) {
    for l in preset.layers.iter_mut().filter_map(|l| l.lyrics.as_mut()) {
        l.start = start;
    }
}
