//! `narrate`: a quotes file read aloud by a local speech engine (espeak-ng), mixed over
//! background music with loudness normalization, and shown as text (a lyrics layer with the
//! speech's timings) over a preset.
//!
//! - [`quotes`]: the quotes file;
//! - [`tts`]: espeak-ng, one WAV per quote;
//! - [`mix`]: the ffmpeg graph (music bed, optional ducking, `loudnorm`).
//!
//! [`prepare`] makes the sound and the cues; the command line renders them like `render`.

pub mod mix;
pub mod quotes;
pub mod tts;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

pub use mix::MixSettings;
pub use tts::Voice;

use crate::text::{Cue, Cues};

/// Sample rate of the speech track (espeak-ng's own).
const SPEECH_RATE: u32 = 22_050;

/// What `narrate` was asked for.
#[derive(Clone, Debug)]
pub struct NarrateOptions {
    /// The quotes file.
    pub quotes: PathBuf,
    /// Background music (looped or cut to the narration's length).
    pub music: Option<PathBuf>,
    /// Voice, rate and pitch.
    pub voice: Voice,
    /// Seconds of silence between quotes.
    pub gap: f64,
    /// Seconds before the first quote and after the last.
    pub pad: f64,
    /// Loudness target, music level, ducking (`seconds` is filled in by [`prepare`]).
    pub loudness: f64,
    /// Music gain under the voice, 0–1.
    pub music_volume: f64,
    /// Duck the music under the voice.
    pub duck: bool,
}

/// The narration's sound and timed text, in a temporary folder that lives as long as this.
pub struct Narration {
    /// The mixed, normalized sound (WAV).
    pub audio: PathBuf,
    /// Each quote on screen from when its speech starts until the next one starts.
    pub cues: Cues,
    /// When each quote's speech starts and ends, in seconds.
    pub speech: Vec<(f64, f64)>,
    /// Length in seconds.
    pub seconds: f64,
    _dir: tempfile::TempDir,
}

/// Speak every quote, lay them out in time, mix and normalize the sound.
pub fn prepare(o: &NarrateOptions) -> Result<Narration> {
    let origin = o.quotes.display().to_string();
    let src = std::fs::read_to_string(&o.quotes).with_context(|| {
        format!("cannot read quotes file {origin} (check the path; it must be UTF-8 text)")
    })?;
    let quotes = quotes::parse(&src, &origin)?;
    let espeak = tts::find_espeak()?;
    if let Some(m) = &o.music {
        crate::media::decode::check_input_file(m)?;
    }
    let dir = tempfile::Builder::new()
        .prefix("asciivid-narrate-")
        .tempdir()
        .context("cannot create a temporary folder for the narration")?;
    let sr = SPEECH_RATE as f64;
    let mut track: Vec<f32> = vec![0.0; (o.pad * sr).round() as usize];
    let mut speech = Vec::with_capacity(quotes.len());
    for (i, q) in quotes.iter().enumerate() {
        let wav = dir.path().join(format!("quote{i}.wav"));
        tts::speak(&espeak, &o.voice, &q.spoken, &wav)
            .with_context(|| format!("{origin} line {}", q.line))?;
        let samples = crate::media::decode::decode_audio(&wav, SPEECH_RATE, 0.0, None)?;
        let start = track.len() as f64 / sr;
        track.extend_from_slice(&samples);
        speech.push((start, track.len() as f64 / sr));
        let silence = if i + 1 < quotes.len() { o.gap } else { o.pad };
        track.resize(track.len() + (silence * sr).round() as usize, 0.0);
    }
    let seconds = track.len() as f64 / sr;
    let speech_wav = dir.path().join("speech.wav");
    crate::media::wav::write_wav_mono(&speech_wav, &track, SPEECH_RATE)?;
    let audio = dir.path().join("mix.wav");
    let settings = MixSettings {
        loudness: o.loudness,
        music_volume: o.music_volume,
        duck: o.duck,
        seconds,
    };
    mix::mix(&speech_wav, o.music.as_deref(), &settings, &audio)?;
    Ok(Narration {
        audio,
        cues: cues(&quotes, &speech, seconds, &origin),
        speech,
        seconds,
        _dir: dir,
    })
}

/// Quote `i` shows from its speech's start until the next quote's (the last until the end).
fn cues(q: &[quotes::Quote], speech: &[(f64, f64)], seconds: f64, origin: &str) -> Cues {
    let cues = q
        .iter()
        .zip(speech)
        .enumerate()
        .map(|(i, (q, &(start, _)))| Cue {
            start,
            end: speech.get(i + 1).map_or(seconds, |s| s.0),
            text: q.display.clone(),
            line: q.line,
        })
        .collect();
    Cues {
        origin: origin.to_string(),
        cues,
        overlaps: 0,
    }
}

/// Where `narrate` writes by default: the quotes file's name with `.mp4`.
pub fn default_output(quotes: &Path) -> PathBuf {
    let stem = quotes
        .file_stem()
        .map_or("narration".into(), |s| s.to_string_lossy().into_owned());
    PathBuf::from(format!("{stem}.mp4"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_stay_until_the_next_one_speaks() {
        let q = quotes::parse("one\n\ntwo\n", "q").unwrap();
        let c = cues(&q, &[(1.0, 2.0), (3.0, 4.5)], 6.0, "q");
        let got: Vec<_> = c
            .cues
            .iter()
            .map(|c| (c.start, c.end, c.text.as_str()))
            .collect();
        assert_eq!(got, vec![(1.0, 3.0, "one"), (3.0, 6.0, "two")]);
    }
}
