//! Per-frame audio and video features: the modulation sources of every parameter.
//!
//! `Features` is a struct of arrays: one column per [`Feature`], one row per output frame,
//! every value normalized to `[0, 1]`. Analysis (`crate::audio`) fills it; everything else reads
//! it through [`Features::frame`]. The scene columns (`scene_time`, `scene_progress`,
//! `transition`, `scene_weight`) are not measured: each scene fills its own copy from its place
//! in the timeline (`crate::scene::SceneClock`), and `scene_time` is in seconds, not `[0, 1]`.

use serde::{Deserialize, Serialize};

macro_rules! features {
    ($($variant:ident => $name:literal : $doc:literal,)*) => {
        /// A named per-frame feature, usable as a modulation source in presets.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(usize)]
        pub enum Feature { $(#[doc = $doc] $variant,)* }

        impl Feature {
            /// Every feature, in column order.
            pub const ALL: &'static [Feature] = &[$(Feature::$variant,)*];
            /// Number of features.
            pub const COUNT: usize = Feature::ALL.len();

            /// The name used in presets, JSON and CSV.
            pub fn name(self) -> &'static str {
                match self { $(Feature::$variant => $name,)* }
            }

            /// One-line description.
            pub fn doc(self) -> &'static str {
                match self { $(Feature::$variant => $doc,)* }
            }

            /// Look a feature up by name.
            pub fn from_name(name: &str) -> Option<Feature> {
                match name { $($name => Some(Feature::$variant),)* _ => None }
            }
        }
    };
}

features! {
    Rms => "rms": "loudness (RMS of the frame's samples)",
    Sub => "sub": "energy 20-80 Hz",
    Bass => "bass": "energy 80-250 Hz",
    Lomid => "lomid": "energy 250-500 Hz",
    Mid => "mid": "energy 500-2000 Hz",
    Himid => "himid": "energy 2000-6000 Hz",
    Hi => "hi": "energy above 6000 Hz",
    SubR => "sub_r": "share of sub in the total band energy",
    BassR => "bass_r": "share of bass in the total band energy",
    LomidR => "lomid_r": "share of lomid in the total band energy",
    MidR => "mid_r": "share of mid in the total band energy",
    HimidR => "himid_r": "share of himid in the total band energy",
    HiR => "hi_r": "share of hi in the total band energy",
    Centroid => "centroid": "spectral centroid (timbre brightness)",
    Flatness => "flatness": "spectral flatness (noise vs tone)",
    Flux => "flux": "spectral flux (change between frames)",
    OnsetStrength => "onset_strength": "onset-strength envelope (log-magnitude flux)",
    Onset => "onset": "1 on frames where an onset is detected, else 0",
    Beat => "beat": "1 on frames where a beat falls, else 0",
    BeatPhase => "beat_phase": "position inside the current beat, 0 to 1",
    BeatDecay => "beat_decay": "pulse that jumps to 1 on each beat and decays",
    Downbeat => "downbeat": "1 on the first beat of each bar, else 0",
    BarPhase => "bar_phase": "position inside the current bar, 0 to 1",
    Waveform => "waveform": "peak amplitude envelope of the raw waveform",
    Brightness => "brightness": "video: mean luma of the frame",
    Contrast => "contrast": "video: luma standard deviation / 128",
    Motion => "motion": "video: mean luma change from the previous frames / 30",
    EdgeDensity => "edge_density": "video: share of pixels on an edge",
    DominantHue => "dominant_hue": "video: saturation-weighted mean hue, in turns",
    SceneTime => "scene_time": "timeline: seconds since the current section's cut (not 0-1: grows through the section)",
    SceneProgress => "scene_progress": "timeline: position inside the current section, 0 at its cut to 1 at its end",
    Transition => "transition": "timeline: progress of the transition this section is in, 0 to 1 (0 outside transitions)",
    SceneWeight => "scene_weight": "timeline: this section's share of the picture: 1 while it shows alone, ramping across transitions",
}

impl Feature {
    /// Whether the column describes the scene's place in a timeline rather than the input
    /// (analysis output leaves these out: they depend on the timeline, not on the audio).
    pub fn is_scene(self) -> bool {
        matches!(
            self,
            Feature::SceneTime
                | Feature::SceneProgress
                | Feature::Transition
                | Feature::SceneWeight
        )
    }
}

/// All features of one frame, indexed by [`Feature`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FeatureFrame(pub [f32; Feature::COUNT]);

impl FeatureFrame {
    /// A frame where every feature has the same value (0.3 is the "quiet but alive" default).
    pub fn uniform(v: f32) -> Self {
        FeatureFrame([v; Feature::COUNT])
    }

    /// The value of one feature.
    #[inline]
    pub fn get(&self, f: Feature) -> f32 {
        self.0[f as usize]
    }

    /// Set one feature.
    #[inline]
    pub fn set(&mut self, f: Feature, v: f32) {
        self.0[f as usize] = v;
    }
}

impl Default for FeatureFrame {
    fn default() -> Self {
        FeatureFrame::uniform(0.0)
    }
}

/// Features of a whole input, one row per output frame at `fps`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Features {
    /// Output frame rate the rows are sampled at.
    pub fps: f64,
    /// Duration of the input in seconds.
    pub duration: f64,
    /// Estimated tempo in beats per minute (0 when unknown).
    pub tempo_bpm: f32,
    /// Confidence of the tempo estimate, 0 to 1.
    pub tempo_confidence: f32,
    /// Beat times in seconds.
    pub beats: Vec<f64>,
    /// Downbeat (bar start) times in seconds.
    pub downbeats: Vec<f64>,
    /// Onset times in seconds.
    pub onsets: Vec<f64>,
    /// `columns[f as usize][frame]`, every value in `[0, 1]`.
    pub columns: Vec<Vec<f32>>,
    /// Log-spaced spectrum per frame (`spectrum[frame][band]`, `[0, 1]`), for spectrum bars.
    pub spectrum: Vec<Vec<f32>>,
}

impl Features {
    /// A table with every column present and no frames (silence, or a video's own analysis
    /// still to fill it).
    pub fn empty(fps: f64) -> Features {
        Features {
            fps,
            duration: 0.0,
            tempo_bpm: 0.0,
            tempo_confidence: 0.0,
            beats: Vec::new(),
            downbeats: Vec::new(),
            onsets: Vec::new(),
            columns: vec![Vec::new(); Feature::COUNT],
            spectrum: Vec::new(),
        }
    }

    /// Number of frames.
    pub fn len(&self) -> usize {
        self.columns.first().map_or(0, |c| c.len())
    }

    /// True when there are no frames.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every feature at frame `i` (clamped to the last frame; a uniform 0.3 when empty).
    pub fn frame(&self, i: usize) -> FeatureFrame {
        let n = self.len();
        if n == 0 {
            return FeatureFrame::uniform(0.3);
        }
        let i = i.min(n - 1);
        let mut out = FeatureFrame::default();
        for (k, col) in self.columns.iter().enumerate().take(Feature::COUNT) {
            // video columns are empty for audio-only inputs: they read as 0
            out.0[k] = col.get(i).copied().unwrap_or(0.0);
        }
        out
    }

    /// The log-spaced spectrum at frame `i` (empty when there is none).
    pub fn spectrum_at(&self, i: usize) -> &[f32] {
        if self.spectrum.is_empty() {
            return &[];
        }
        &self.spectrum[i.min(self.spectrum.len() - 1)]
    }

    /// One feature's column.
    pub fn column(&self, f: Feature) -> &[f32] {
        &self.columns[f as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &f in Feature::ALL {
            assert_eq!(Feature::from_name(f.name()), Some(f));
        }
        assert_eq!(Feature::from_name("nope"), None);
    }
}
