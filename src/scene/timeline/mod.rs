//! Timelines: a music video as a sequence of sections, each with its own look, cut by time, by
//! bar and beat, or automatically from the music, with transitions between them.
//!
//! A plain preset is a timeline of one section, so everything that renders goes through here:
//! [`Timeline`] (the parsed file) → [`Plan`] (sections and transitions in frames, once the
//! track's features are known) → [`Player`] (one [`crate::scene::Scene`] per visible section,
//! blended during transitions). `docs/TIMELINES.md` describes the file format.

mod energy;
mod plan;
mod player;
mod spec;
pub mod transition;

use std::path::{Path, PathBuf};

pub use plan::{Plan, Planned, View};
pub use player::Player;
pub use transition::{Mix, TransitionKind, blend};

use super::ease::Ease;
use super::preset::{Preset, PresetError, builtin_presets};
use crate::palette::closest;

/// A parsed, validated timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// Name shown by `asciivid list presets`.
    pub name: String,
    /// One-line description.
    pub description: String,
    /// The file it came from (or `built-in NAME`), for errors found once the music is known.
    pub origin: String,
    /// The looks in file order: sections in time order, or the cycle of an automatic cut.
    pub looks: Vec<Look>,
    /// How sections are placed.
    pub cut: Cut,
    /// The transition into every section that names none (`None`: hard cuts).
    pub transition: Option<TransitionDef>,
}

/// One `[[sections]]` entry: a look and, for listed sections, where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Look {
    /// The section's `name`, else its preset's name.
    pub name: String,
    /// The resolved look (a referenced preset with the section's overrides, or inline layers).
    pub preset: Preset,
    /// Where the section starts.
    pub place: Place,
    /// The transition into this section (overrides the timeline's default).
    pub transition: Option<TransitionDef>,
    /// Line of the `[[sections]]` header in the timeline file.
    pub line: Option<usize>,
}

/// Where a listed section starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Place {
    /// No position: the first section (frame 0) or a cycled look.
    Unset,
    /// Seconds into the track.
    Seconds(f64),
    /// The N-th bar (1-based): the N-th downbeat of the analysis.
    Bar(u32),
    /// The N-th beat (1-based).
    Beat(u32),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Place::Unset => write!(f, "the start"),
            Place::Seconds(s) => write!(f, "{s} s"),
            Place::Bar(n) => write!(f, "bar {n}"),
            Place::Beat(n) => write!(f, "beat {n}"),
        }
    }
}

/// How a timeline's sections are placed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cut {
    /// Each section says where it starts (`start` or `at`).
    Listed,
    /// A cut every `count` units, cycling through the looks.
    Every {
        /// How many units per section.
        count: f64,
        /// Beats, bars or seconds.
        unit: Unit,
    },
    /// Cuts where the music's energy changes, cycling through the looks.
    Energy {
        /// Shortest section in seconds.
        min_section: f64,
    },
}

/// Units of musical length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Seconds.
    Seconds,
    /// Beats of the analysis.
    Beats,
    /// Bars (4 beats).
    Bars,
}

/// A duration in seconds or in beats or bars of the track's tempo.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Length {
    /// How many units.
    pub count: f64,
    /// Which units.
    pub unit: Unit,
}

/// Where a transition sits relative to its cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Align {
    /// It begins on the cut.
    Start,
    /// Its midpoint is on the cut (the default: a crossfade is half-way on the beat, a glitch
    /// cut switches on it).
    #[default]
    Center,
    /// It ends on the cut.
    End,
}

impl Align {
    /// Names in timeline files.
    pub const NAMES: &'static [&'static str] = &["start", "center", "end"];
}

/// A transition as written in the file.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TransitionDef {
    /// What it looks like.
    pub kind: TransitionKind,
    /// How long (None: one beat, or half a second when the track has no beat).
    pub duration: Option<Length>,
    /// Where it sits relative to the cut.
    pub align: Align,
    /// Shape of its progress.
    pub ease: Ease,
    /// Width of the soft edge of wipes, iris and dissolve, as a share of the screen (0 = hard).
    pub softness: f32,
}

impl Timeline {
    /// A plain preset as a timeline of one section.
    pub fn single(preset: Preset) -> Timeline {
        Timeline {
            name: preset.name.clone(),
            description: preset.description.clone(),
            origin: format!("preset `{}`", preset.name),
            looks: vec![Look {
                name: preset.name.clone(),
                preset,
                place: Place::Unset,
                transition: None,
                line: None,
            }],
            cut: Cut::Listed,
            transition: None,
        }
    }

    /// Parse and validate timeline TOML. `origin` names the source in errors; relative preset
    /// paths are looked up in `base_dir`.
    pub fn parse(src: &str, origin: &str, base_dir: &Path) -> Result<Timeline, PresetError> {
        let mut t = spec::parse(src, origin, base_dir)?;
        // inline text layers read their files relative to the timeline
        t.map_presets(|p| crate::text::attach(p, base_dir))?;
        Ok(t)
    }

    /// Load a timeline file.
    pub fn load(path: &Path) -> Result<Timeline, PresetError> {
        let (src, origin) = read(path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut t = Timeline::parse(&src, &origin, base)?;
        if t.name.is_empty() {
            t.name = stem(path);
        }
        Ok(t)
    }

    /// Whether this is a plain preset (one section, no automatic cuts).
    pub fn is_single(&self) -> bool {
        self.looks.len() == 1 && self.cut == Cut::Listed
    }

    /// Apply `f` to every section's look (e.g. to add a video layer for a video input).
    pub fn map_presets(
        &mut self,
        mut f: impl FnMut(&mut Preset) -> Result<(), PresetError>,
    ) -> Result<(), PresetError> {
        self.looks.iter_mut().try_for_each(|l| f(&mut l.preset))
    }

    /// Whether any section shows the input video.
    pub fn has_video_layers(&self) -> bool {
        self.looks
            .iter()
            .any(|l| l.preset.layers.iter().any(|x| x.is_video()))
    }
}

/// Whether TOML source is a timeline rather than a preset (it has `sections` or `cut` at the
/// top level).
pub fn is_timeline_source(src: &str) -> bool {
    toml::from_str::<toml::Table>(src)
        .map(|t| t.contains_key("sections") || t.contains_key("cut"))
        .unwrap_or(false)
}

/// A built-in timeline: its name and TOML source.
pub struct BuiltinTimeline {
    /// Name (the file stem in `effects/timelines/`).
    pub name: &'static str,
    /// TOML source.
    pub source: &'static str,
}

/// The built-in timelines, embedded from `effects/timelines/*.toml`.
pub fn builtin_timelines() -> &'static [BuiltinTimeline] {
    include!(concat!(env!("OUT_DIR"), "/builtin_timelines.rs"))
}

/// Parse a built-in timeline.
pub fn builtin(name: &str) -> Option<Result<Timeline, PresetError>> {
    let b = builtin_timelines().iter().find(|b| b.name == name)?;
    Some(
        Timeline::parse(b.source, &format!("built-in `{}`", b.name), Path::new(".")).map(
            |mut t| {
                if t.name.is_empty() {
                    t.name = b.name.to_string();
                }
                t
            },
        ),
    )
}

/// Resolve `--preset`: a built-in timeline or preset name, or a path to a timeline or preset
/// file (a file is a timeline when it has `[[sections]]` or `cut`).
pub fn resolve(name_or_path: &str) -> Result<Timeline, PresetError> {
    if let Some(t) = builtin(name_or_path) {
        return t;
    }
    if builtin_presets().iter().any(|b| b.name == name_or_path) {
        return super::preset::resolve(name_or_path).map(Timeline::single);
    }
    let path = PathBuf::from(name_or_path);
    if path.is_file() {
        let (src, _) = read(&path)?;
        if is_timeline_source(&src) {
            return Timeline::load(&path);
        }
        return Preset::load(&path).map(Timeline::single);
    }
    if path.exists() || name_or_path.ends_with(".toml") || name_or_path.contains('/') {
        // a missing file or a directory: the preset loader says which
        return Preset::load(&path).map(Timeline::single);
    }
    let names = all_names();
    let near = closest(name_or_path, names.iter().copied());
    Err(PresetError {
        what: "preset",
        origin: format!("`{name_or_path}`"),
        line_no: None,
        message: format!(
            "no built-in preset, timeline or file by that name{}; built-ins: {}",
            if near.is_empty() {
                String::new()
            } else {
                format!(" (did you mean {}?)", near.join(", "))
            },
            names.join(", ")
        ),
    })
}

/// Every built-in preset and timeline name.
pub fn all_names() -> Vec<&'static str> {
    builtin_presets()
        .iter()
        .map(|b| b.name)
        .chain(builtin_timelines().iter().map(|b| b.name))
        .collect()
}

fn read(path: &Path) -> Result<(String, String), PresetError> {
    let origin = path.display().to_string();
    std::fs::read_to_string(path)
        .map(|s| (s, origin.clone()))
        .map_err(|e| PresetError {
            what: "file",
            origin,
            line_no: None,
            message: format!(
                "cannot read it: {e} (check the path, or use a built-in name from `asciivid list presets`)"
            ),
        })
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}
