//! Display modes: where each character of a cue is and how bright, at a time inside the cue.
//! Pure functions of (cue timing, character index, time, parameters, beat, seed), so frames
//! are deterministic and a render can start anywhere.

use crate::rng::{hash3, unit};

/// How a cue's characters appear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// All at once, steady.
    Plain,
    /// Typed in over the first 5/6 of the cue (faster with `speed`), newest characters
    /// brightest, with a blinking `▌` cursor until the line is complete.
    Typewriter,
    /// Fades in at the start and out at the end of the cue (`fade` seconds each).
    FadeIn,
    /// Dim between beats, flashing bright on every beat and fading (the `beat_decay` feature).
    Flash,
    /// Characters fly in from seeded random places and settle into the line (`fade` × 2.5 s).
    Scatter,
    /// Characters ride a travelling sine wave (`amplitude` rows high).
    Wave,
    /// A `text` scrolling right to left, repeated so it wraps seamlessly (legacy `eff_ticker`).
    Ticker,
    /// A seeded random word of `words` near the centre on each beat, fading until the next
    /// (legacy `eff_beat_words`).
    BeatWords,
    /// `messages` in turn, one every `period` seconds, fading in and out (legacy
    /// `eff_fading_messages`).
    Messages,
    /// Short fake error strings stamped at seeded random places for a few frames, more of them
    /// on beats and spectral flux (the glitch family's error stamps).
    ErrorStamps,
}

impl Mode {
    /// Names as written in presets and on the command line.
    pub const NAMES: &[&str] = &[
        "plain",
        "typewriter",
        "fade_in",
        "flash",
        "scatter",
        "wave",
        "ticker",
        "beat_words",
        "messages",
        "error_stamps",
    ];

    /// One line per mode of [`Mode::NAMES`], for `asciivid list text` and the catalogue.
    pub const DOCS: &[(&str, &str)] = &[
        ("plain", "the whole entry, steady"),
        (
            "typewriter",
            "typed in over the first 5/6 of the entry (`speed` faster), newest letters brightest, a blinking cursor",
        ),
        (
            "fade_in",
            "fades in at the start of the entry and out at its end (`fade` seconds each)",
        ),
        (
            "flash",
            "dim between beats, bright on every beat and fading after it (`flash`)",
        ),
        (
            "scatter",
            "every letter starts at a seeded random place and converges onto the line (`amplitude`, `fade`)",
        ),
        (
            "wave",
            "letters ride a sine wave travelling along the line (`amplitude` rows high, `speed`)",
        ),
        (
            "ticker",
            "`text` scrolls right to left at 15 × speed cells/s, repeated so it wraps seamlessly",
        ),
        (
            "beat_words",
            "a seeded random word of `words` near the centre on each beat, fading until the next",
        ),
        (
            "messages",
            "`messages` in turn, one every `period` seconds (4), fading in and out",
        ),
        (
            "error_stamps",
            "fake error strings (`ERR 0x3F SEGFAULT`) stamped at random places for a few frames, driven by beats and flux",
        ),
    ];

    /// Parse a name of [`Mode::NAMES`].
    pub fn from_name(s: &str) -> Option<Mode> {
        Some(match s {
            "plain" => Mode::Plain,
            "typewriter" => Mode::Typewriter,
            "fade_in" => Mode::FadeIn,
            "flash" => Mode::Flash,
            "scatter" => Mode::Scatter,
            "wave" => Mode::Wave,
            "ticker" => Mode::Ticker,
            "beat_words" => Mode::BeatWords,
            "messages" => Mode::Messages,
            "error_stamps" => Mode::ErrorStamps,
            _ => return None,
        })
    }

    /// The name of this mode.
    pub fn name(self) -> &'static str {
        Mode::NAMES[self as usize]
    }

    /// Whether the mode makes its own text each frame (ticker, beat words, messages, error
    /// stamps; see [`super::overlay`]) instead of animating the cue of the moment.
    pub fn is_generated(self) -> bool {
        matches!(
            self,
            Mode::Ticker | Mode::BeatWords | Mode::Messages | Mode::ErrorStamps
        )
    }
}

/// The layer's parameters, already modulated and clamped (see [`super::LYRICS_PARAMS`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Knobs {
    /// Animation speed multiplier.
    pub speed: f32,
    /// Strength of the beat flash.
    pub flash: f32,
    /// Wave height in rows; scatter distance in thirds of the screen.
    pub amplitude: f32,
    /// Fade length in seconds (scatter converges in 2.5 × this).
    pub fade: f32,
}

/// Timing of the cue being shown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CueTime {
    /// Seconds since the cue started.
    pub since: f32,
    /// Seconds until it ends.
    pub until: f32,
    /// Its length in seconds.
    pub length: f32,
    /// Its index (seeds scatter's start positions).
    pub index: usize,
}

/// Where and how bright one character is: an offset from its home cell and an intensity.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Look {
    /// Offset from home: in columns, except for scatter, in widths of the grid.
    pub dx: f32,
    /// Offset from home: in rows, except for scatter, in heights of the grid.
    pub dy: f32,
    /// 0 (hidden) to 1.
    pub alpha: f32,
}

/// The cursor of [`Mode::Typewriter`]: shown after character `after` (or before the first if
/// `None`) while typing, blinking 3 times a second.
pub fn cursor(mode: Mode, t: CueTime, n: usize, k: Knobs) -> Option<Option<usize>> {
    if mode != Mode::Typewriter || n == 0 {
        return None;
    }
    let shown = revealed(t, n, k);
    let typing = shown < n;
    let on = (t.since * 3.0 * k.speed.max(0.1)).fract() < 0.5;
    (typing && on).then(|| shown.checked_sub(1))
}

/// How many characters typewriter shows: `n · min(1, 1.2 · speed · progress)`.
fn revealed(t: CueTime, n: usize, k: Knobs) -> usize {
    let p = t.since / t.length.max(1e-3);
    ((n as f32 * (1.2 * k.speed * p).min(1.0)).floor() as usize).min(n)
}

/// The look of character `i` of `n` at `t` (`beat` is the `beat_decay` feature).
pub fn look(mode: Mode, t: CueTime, i: usize, n: usize, k: Knobs, beat: f32, seed: u64) -> Look {
    let home = Look {
        dx: 0.0,
        dy: 0.0,
        alpha: 1.0,
    };
    match mode {
        // generated modes place and fade their own text (super::overlay)
        Mode::Plain | Mode::Ticker | Mode::BeatWords | Mode::Messages | Mode::ErrorStamps => home,
        Mode::Typewriter => {
            if i >= revealed(t, n, k) {
                return Look::default();
            }
            // when it appeared, and how long ago: newer characters are brighter
            let rate = 1.2 * k.speed.max(1e-3) / t.length.max(1e-3);
            let shown_at = i as f32 / (n as f32 * rate);
            let age = (t.since - shown_at).max(0.0);
            Look {
                alpha: (0.5 + 0.5 / (1.0 + 0.36 * age)).min(1.0),
                ..home
            }
        }
        Mode::FadeIn => {
            let f = k.fade.max(1e-3);
            let a = smoothstep(t.since / f) * smoothstep(t.until / f);
            Look { alpha: a, ..home }
        }
        Mode::Flash => {
            let s = k.flash.clamp(0.0, 1.0) * 0.75;
            Look {
                alpha: (1.0 - s) + s * beat.clamp(0.0, 1.0),
                ..home
            }
        }
        Mode::Scatter => {
            let conv = (2.5 * k.fade).max(0.1);
            let e = 1.0 - (1.0 - (t.since / conv).clamp(0.0, 1.0)).powi(3);
            let h = hash3(seed, t.index as u64, i as u64, 0x5ca7);
            let rx = unit(h) * 2.0 - 1.0;
            let ry = unit(crate::rng::mix64(h)) * 2.0 - 1.0;
            // thirds of the screen: scaled to cells by the caller
            let reach = k.amplitude / 3.0;
            Look {
                dx: rx * reach * (1.0 - e),
                dy: ry * reach * (1.0 - e),
                alpha: 0.3 + 0.7 * e,
            }
        }
        Mode::Wave => {
            let phase = std::f32::consts::TAU * 0.6 * k.speed * t.since - i as f32 * 0.35;
            Look {
                dy: k.amplitude * phase.sin(),
                ..home
            }
        }
    }
}

fn smoothstep(x: f32) -> f32 {
    let x = x.clamp(0.0, 1.0);
    x * x * (3.0 - 2.0 * x)
}

#[cfg(test)]
mod tests {
    use super::*;

    const K: Knobs = Knobs {
        speed: 1.0,
        flash: 1.0,
        amplitude: 1.5,
        fade: 0.4,
    };

    fn at(since: f32) -> CueTime {
        CueTime {
            since,
            until: 4.0 - since,
            length: 4.0,
            index: 2,
        }
    }

    fn all(mode: Mode, t: CueTime, beat: f32) -> Vec<Look> {
        (0..12).map(|i| look(mode, t, i, 12, K, beat, 9)).collect()
    }

    #[test]
    fn every_mode_changes_over_time_and_repeats_exactly() {
        for &name in Mode::NAMES {
            let m = Mode::from_name(name).unwrap();
            assert_eq!(m.name(), name);
            assert_eq!(Mode::DOCS[m as usize].0, name);
            if m.is_generated() {
                continue;
            }
            let early = all(m, at(0.1), 0.0);
            let later = all(m, at(1.3), 1.0);
            assert_eq!(early, all(m, at(0.1), 0.0), "{name} is not deterministic");
            if m != Mode::Plain {
                assert_ne!(early, later, "{name} does not change");
            }
        }
    }

    #[test]
    fn typewriter_reveals_in_order_and_finishes_early() {
        let shown = |s| {
            all(Mode::Typewriter, at(s), 0.0)
                .iter()
                .filter(|l| l.alpha > 0.0)
                .count()
        };
        assert_eq!(shown(0.0), 0);
        assert!(shown(1.0) > 0 && shown(1.0) < 12);
        assert_eq!(shown(3.4), 12);
        assert!(cursor(Mode::Typewriter, at(3.5), 12, K).is_none());
        assert!(cursor(Mode::FadeIn, at(1.0), 12, K).is_none());
    }

    #[test]
    fn scatter_converges_and_flash_follows_the_beat() {
        let end = all(Mode::Scatter, at(2.0), 0.0);
        assert!(
            end.iter()
                .all(|l| l.dx == 0.0 && l.dy == 0.0 && l.alpha == 1.0)
        );
        assert!(
            all(Mode::Scatter, at(0.0), 0.0)
                .iter()
                .any(|l| l.dx.abs() > 0.05)
        );
        let dim = look(Mode::Flash, at(1.0), 0, 12, K, 0.0, 9).alpha;
        let lit = look(Mode::Flash, at(1.0), 0, 12, K, 1.0, 9).alpha;
        assert!(lit == 1.0 && dim < 0.5, "{dim} {lit}");
    }

    #[test]
    fn fade_in_is_dark_at_both_ends() {
        assert_eq!(look(Mode::FadeIn, at(0.0), 0, 1, K, 0.0, 1).alpha, 0.0);
        assert_eq!(look(Mode::FadeIn, at(2.0), 0, 1, K, 0.0, 1).alpha, 1.0);
        assert_eq!(look(Mode::FadeIn, at(4.0), 0, 1, K, 0.0, 1).alpha, 0.0);
    }
}
