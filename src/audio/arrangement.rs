//! A seeded little song plan: sections, drum patterns, chords, bass line and arpeggio, as a
//! list of note/hit events. The demo track renders it to audio; the generative mode turns the
//! same events into feature curves, so both have the same musical shape.

use crate::rng::{SplitMix, hash2};

/// Part of the song.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Section {
    /// Pad and hi-hats only.
    Intro,
    /// Kick comes in, pad opens, noise riser, snare roll into the drop.
    Build,
    /// Everything.
    Drop,
    /// Drums out, pad and lead.
    Breakdown,
}

/// What plays an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Voice {
    Kick,
    Clap,
    Hat,
    OpenHat,
    Bass,
    Pad,
    Lead,
    Riser,
    Crash,
}

impl Voice {
    /// Drums duck the music bus (kick) and are the detectable beat.
    pub fn is_drum(self) -> bool {
        matches!(
            self,
            Voice::Kick | Voice::Clap | Voice::Hat | Voice::OpenHat | Voice::Crash
        )
    }
}

/// One note or hit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Event {
    /// Start (s).
    pub time: f64,
    /// Length (s) of the held part; decays ring on after it.
    pub dur: f64,
    /// Who plays it.
    pub voice: Voice,
    /// Pitch (Hz), 0 for unpitched hits.
    pub freq: f32,
    /// Loudness, about 0–1.
    pub amp: f32,
    /// Filter opening / brightness, 0–1.
    pub bright: f32,
}

/// The whole plan.
pub(crate) struct Arrangement {
    /// Tempo (BPM), sanitized.
    pub bpm: f64,
    /// Beat length (s).
    pub beat_s: f64,
    /// Every event, sorted by time.
    pub events: Vec<Event>,
}

/// Chord progressions in a minor key: (root offset in semitones, minor triad?).
const PROGRESSIONS: [[(i32, bool); 4]; 4] = [
    [(0, true), (8, false), (3, false), (10, false)],
    [(0, true), (5, true), (8, false), (7, false)],
    [(0, true), (10, false), (8, false), (10, false)],
    [(0, true), (3, false), (10, false), (5, true)],
];

/// Bass rhythms on the 16-step grid (bit = step).
const BASS_PATTERNS: [u16; 3] = [
    0b0100_0100_0100_0100, // off-beat eighths (house)
    0b1110_1110_1110_1110, // rolling sixteenths around the kick
    0b0101_0100_1001_0100, // syncopated
];

fn midi_hz(m: i32) -> f32 {
    440.0 * 2f32.powf((m - 69) as f32 / 12.0)
}

/// Section lengths (bars) for a song of `bars` bars: short songs are intro → build → drop,
/// longer ones loop breakdown → build → drop.
fn plan(bars: usize) -> Vec<(Section, usize)> {
    if bars <= 2 {
        return vec![(Section::Drop, bars)];
    }
    if bars < 16 {
        let intro = (bars + 2) / 4;
        let build = (bars + 1) / 3;
        return vec![
            (Section::Intro, intro),
            (Section::Build, build),
            (Section::Drop, bars - intro - build),
        ];
    }
    let mut out = vec![(Section::Intro, 4), (Section::Build, 4), (Section::Drop, 8)];
    let cycle = [
        (Section::Breakdown, 4),
        (Section::Build, 4),
        (Section::Drop, 8),
    ];
    let mut used = 16;
    let mut i = 0;
    while used < bars {
        let (s, len) = cycle[i % 3];
        let len = len.min(bars - used);
        out.push((s, len));
        used += len;
        i += 1;
    }
    out
}

impl Arrangement {
    /// Plan `seconds` of music at `bpm` (sanitized to 40–240, 120 if invalid) from `seed`.
    pub fn new(bpm: f32, seconds: f64, seed: u64) -> Self {
        let bpm = if bpm.is_finite() && bpm > 0.0 {
            (bpm as f64).clamp(40.0, 240.0)
        } else {
            120.0
        };
        let beat_s = 60.0 / bpm;
        let bar_s = 4.0 * beat_s;
        let seconds = if seconds.is_finite() {
            seconds.max(0.0)
        } else {
            0.0
        };
        let bars = (seconds / bar_s).ceil() as usize;
        let mut rng = SplitMix(hash2(seed, 0xA77A, 0));
        let key = 28 + (rng.next_u64() % 12) as i32;
        let prog = PROGRESSIONS[(rng.next_u64() % 4) as usize];
        let bass_pattern = BASS_PATTERNS[(rng.next_u64() % 3) as usize];
        let lead: Vec<Option<usize>> = (0..16)
            .map(|s| (s % 4 == 0 || rng.next_f32() < 0.55).then(|| (rng.next_u64() % 6) as usize))
            .collect();
        let sixteenth_hats = rng.next_f32() < 0.5;
        let mut events = Vec::new();
        let mut bar = 0;
        for (section, len) in plan(bars) {
            for i in 0..len {
                let ctx = BarCtx {
                    start: (bar + i) as f64 * bar_s,
                    step: beat_s / 4.0,
                    progress: (i as f32 + 0.5) / len as f32,
                    first: i == 0,
                    last: i + 1 == len,
                    chord: prog[(bar + i) % 4],
                    key,
                    seed: hash2(seed, (bar + i) as u64, 1),
                };
                match section {
                    Section::Intro => intro_bar(&ctx, &mut events),
                    Section::Build => build_bar(&ctx, len, &mut events),
                    Section::Drop => {
                        drop_bar(&ctx, bass_pattern, &lead, sixteenth_hats, &mut events)
                    }
                    Section::Breakdown => breakdown_bar(&ctx, &lead, &mut events),
                }
            }
            bar += len;
        }
        events.retain(|e| e.time < seconds);
        events.sort_by(|a, b| a.time.total_cmp(&b.time));
        Arrangement {
            bpm,
            beat_s,
            events,
        }
    }
}

impl Arrangement {
    /// Start and end (s) of the first stretch of uninterrupted kicks: where the beat is
    /// audible, for evaluating beat tracking.
    #[cfg(test)]
    pub fn drum_span(&self) -> (f64, f64) {
        let kicks: Vec<f64> = self
            .events
            .iter()
            .filter(|e| e.voice == Voice::Kick)
            .map(|e| e.time)
            .collect();
        let first = kicks.first().copied().unwrap_or(0.0);
        let mut last = first;
        for &k in &kicks {
            if k - last > 1.5 * self.beat_s {
                break;
            }
            last = k;
        }
        (first, last + 0.5 * self.beat_s)
    }
}

/// Everything a bar's pattern needs.
struct BarCtx {
    start: f64,
    step: f64,
    progress: f32,
    first: bool,
    last: bool,
    chord: (i32, bool),
    key: i32,
    seed: u64,
}

impl BarCtx {
    fn at(&self, step: usize) -> f64 {
        self.start + step as f64 * self.step
    }

    fn hit(&self, step: usize, voice: Voice, amp: f32) -> Event {
        // Small, seeded velocity variation keeps repeated hits from sounding (and looking)
        // mechanical.
        let jitter = 0.9 + 0.2 * crate::rng::unit(hash2(self.seed, step as u64, voice as u64));
        Event {
            time: self.at(step),
            dur: self.step,
            voice,
            freq: 0.0,
            amp: amp * jitter,
            bright: 1.0,
        }
    }

    /// Chord tone `i` (0–5: triad, then triad an octave up) `octave` octaves above the bass.
    fn tone(&self, i: usize, octave: i32) -> f32 {
        let third = if self.chord.1 { 3 } else { 4 };
        let steps = [0, third, 7, 12, 12 + third, 19];
        midi_hz(self.key + self.chord.0 + 12 * octave + steps[i % 6])
    }

    fn pad(&self, bright: f32, amp: f32, out: &mut Vec<Event>) {
        for i in 0..3 {
            out.push(Event {
                time: self.start,
                dur: 16.0 * self.step,
                voice: Voice::Pad,
                freq: self.tone(i, 2),
                amp,
                bright,
            });
        }
    }

    fn bass(&self, pattern: u16, out: &mut Vec<Event>) {
        for s in (0..16).filter(|s| pattern & (1 << s) != 0) {
            // Octave jump on the last note of the bar gives the line some motion.
            let octave = if s >= 14 { 1 } else { 0 };
            out.push(Event {
                dur: self.step * 0.9,
                freq: self.tone(0, octave),
                bright: 0.6,
                ..self.hit(s, Voice::Bass, 0.8)
            });
        }
    }

    fn lead(&self, lead: &[Option<usize>], amp: f32, out: &mut Vec<Event>) {
        for (s, tone) in lead.iter().enumerate() {
            if let Some(t) = tone {
                let note = Event {
                    dur: self.step * 0.8,
                    freq: self.tone(*t, 3),
                    bright: 0.7,
                    ..self.hit(s, Voice::Lead, amp)
                };
                out.push(note);
                // A dotted-eighth echo, as a delay effect would add.
                out.push(Event {
                    time: note.time + 3.0 * self.step,
                    amp: note.amp * 0.35,
                    bright: 0.4,
                    ..note
                });
            }
        }
    }
}

fn intro_bar(c: &BarCtx, out: &mut Vec<Event>) {
    for s in [2, 6, 10, 14] {
        out.push(c.hit(s, Voice::Hat, 0.5));
    }
    c.pad(0.15 + 0.25 * c.progress, 0.9, out);
}

fn build_bar(c: &BarCtx, len: usize, out: &mut Vec<Event>) {
    for s in [0, 4, 8, 12] {
        out.push(c.hit(s, Voice::Kick, 0.85));
    }
    for s in 0..16 {
        out.push(c.hit(s, Voice::Hat, if s % 2 == 0 { 0.3 } else { 0.45 }));
    }
    if c.progress > 0.5 {
        for s in [4, 12] {
            out.push(c.hit(s, Voice::Clap, 0.7));
        }
    }
    if c.last {
        // Snare roll: sixteenths getting louder into the drop.
        for s in 0..16 {
            out.push(c.hit(s, Voice::Clap, 0.25 + 0.5 * s as f32 / 15.0));
        }
    }
    if c.first {
        out.push(Event {
            dur: len as f64 * 16.0 * c.step,
            amp: 0.6,
            ..c.hit(0, Voice::Riser, 1.0)
        });
    }
    c.pad(0.4 + 0.5 * c.progress, 1.0, out);
}

fn drop_bar(
    c: &BarCtx,
    bass_pattern: u16,
    lead: &[Option<usize>],
    sixteenth_hats: bool,
    out: &mut Vec<Event>,
) {
    for s in [0, 4, 8, 12] {
        out.push(c.hit(s, Voice::Kick, 1.0));
    }
    for s in [4, 12] {
        out.push(c.hit(s, Voice::Clap, 0.85));
    }
    for s in 0..16 {
        if s % 4 == 2 {
            out.push(c.hit(s, Voice::OpenHat, 0.45));
        } else if sixteenth_hats || s % 2 == 0 {
            out.push(c.hit(s, Voice::Hat, if s % 2 == 0 { 0.35 } else { 0.25 }));
        }
    }
    if c.first {
        out.push(Event {
            dur: 2.5,
            ..c.hit(0, Voice::Crash, 0.7)
        });
    }
    c.bass(bass_pattern, out);
    c.lead(lead, 0.7, out);
    c.pad(0.75, 0.8, out);
}

fn breakdown_bar(c: &BarCtx, lead: &[Option<usize>], out: &mut Vec<Event>) {
    for s in [6, 14] {
        out.push(c.hit(s, Voice::Hat, 0.3));
    }
    c.lead(lead, 0.45, out);
    c.pad(0.5, 1.0, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_song_is_intro_build_drop() {
        let sections = plan(10);
        let kinds: Vec<Section> = sections.iter().map(|s| s.0).collect();
        assert_eq!(kinds, vec![Section::Intro, Section::Build, Section::Drop]);
        // 20 s at 120 BPM: the drop (first crash) comes after 8–14 s so the piece builds up.
        let a = Arrangement::new(120.0, 20.0, 1);
        let crash = a
            .events
            .iter()
            .find(|e| e.voice == Voice::Crash)
            .unwrap()
            .time;
        assert!((8.0..=14.0).contains(&crash), "drop at {crash}");
        let (first_kick, _) = a.drum_span();
        assert!(first_kick > 3.0 && first_kick < crash);
        assert!(a.events.windows(2).all(|w| w[0].time <= w[1].time));
        assert!(a.events.iter().all(|e| e.time < 20.0));
    }

    #[test]
    fn long_song_loops_sections_and_seeds_differ() {
        let sections = plan(64);
        assert_eq!(sections.iter().map(|s| s.1).sum::<usize>(), 64);
        assert!(sections.iter().any(|s| s.0 == Section::Breakdown));
        assert_eq!(plan(2), vec![(Section::Drop, 2)]);
        let a = Arrangement::new(128.0, 120.0, 7);
        let b = Arrangement::new(128.0, 120.0, 8);
        assert_ne!(a.events, b.events);
        assert_eq!(a.events, Arrangement::new(128.0, 120.0, 7).events);
    }

    #[test]
    fn kicks_sit_on_the_beat_grid() {
        let a = Arrangement::new(137.0, 30.0, 3);
        let kicks: Vec<f64> = a
            .events
            .iter()
            .filter(|e| e.voice == Voice::Kick)
            .map(|e| e.time)
            .collect();
        assert!(kicks.len() > 20);
        for k in kicks {
            let beats = k / a.beat_s;
            assert!((beats - beats.round()).abs() < 1e-9);
        }
        assert!(Arrangement::new(f32::NAN, f64::NAN, 0).events.is_empty());
    }
}
