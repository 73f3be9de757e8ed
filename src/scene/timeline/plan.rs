//! A timeline placed on a track: cut frames from times, bars, beats or energy changes, and
//! transition windows clipped to the sections around them.

use super::energy::energy_cuts;
use super::{Align, Cut, Length, Place, Timeline, TransitionDef, TransitionKind, Unit};
use crate::features::Features;
use crate::rng::hash2;
use crate::scene::clock::{SceneClock, Window};
use crate::scene::preset::PresetError;

/// One section placed on the track.
#[derive(Clone, Debug, PartialEq)]
pub struct Planned {
    /// Index into the timeline's looks.
    pub look: usize,
    /// Where it starts, ends and blends in and out.
    pub clock: SceneClock,
    /// The transition into it: kind and soft edge (its window is `clock.enter`).
    pub enter: Option<(TransitionKind, f32)>,
    /// Seed of its transition in (dissolve order, glitch tears).
    pub seed: u64,
}

/// What frame `f` shows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum View {
    /// One section alone.
    One(usize),
    /// A transition from section `from` to section `to = from + 1`.
    Two {
        /// The outgoing section.
        from: usize,
        /// The incoming section.
        to: usize,
    },
}

/// A timeline placed on a track of known length, tempo and beats.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Frame rate of the track.
    pub fps: f64,
    /// Frames in the track.
    pub frames: u64,
    /// Sections in time order; the first starts at frame 0.
    pub sections: Vec<Planned>,
    /// Listed sections that start at or after the end of the track (not rendered).
    pub dropped: usize,
}

fn frame_of(t: f64, fps: f64) -> u64 {
    // the rounding of the `beat` feature column, so a cut lands on the frame where `beat` is 1
    (t * fps).round().max(0.0) as u64
}

impl Plan {
    /// Place `timeline` on a track with `features`; `seed` varies the transitions' randomness.
    pub fn new(timeline: &Timeline, features: &Features, seed: u64) -> Result<Plan, PresetError> {
        let fps = features.fps;
        let n = features.len() as u64;
        let err = |line: Option<usize>, message: String| PresetError {
            what: "timeline",
            origin: timeline.origin.clone(),
            line_no: line,
            message,
        };
        let beats: Vec<u64> = features.beats.iter().map(|&b| frame_of(b, fps)).collect();
        let bars: Vec<u64> = features
            .downbeats
            .iter()
            .map(|&b| frame_of(b, fps))
            .collect();
        let m = timeline.looks.len();
        // (cut frame, look) in time order
        let mut cuts: Vec<(u64, usize)> = vec![(0, 0)];
        let mut dropped = 0;
        match timeline.cut {
            Cut::Listed => {
                for (i, look) in timeline.looks.iter().enumerate().skip(1) {
                    let at = match look.place {
                        Place::Unset => Some(0),
                        Place::Seconds(s) => Some(frame_of(s, fps)),
                        Place::Bar(k) => bars.get(k as usize - 1).copied(),
                        Place::Beat(k) => beats.get(k as usize - 1).copied(),
                    };
                    let Some(at) = at.filter(|&f| f < n) else {
                        dropped = m - i;
                        break;
                    };
                    let (prev, _) = *cuts.last().expect("starts with one");
                    if at <= prev {
                        return Err(err(
                            look.line,
                            format!(
                                "section {} at {} (frame {at}) does not come after section {} (frame {prev}): list sections in time order",
                                i + 1,
                                look.place,
                                i
                            ),
                        ));
                    }
                    cuts.push((at, i));
                }
            }
            Cut::Every { count, unit } => {
                let grid: Vec<u64> = match unit {
                    Unit::Seconds => (1..)
                        .map(|k| frame_of(k as f64 * count, fps))
                        .take_while(|&f| f < n)
                        .collect(),
                    Unit::Beats | Unit::Bars => {
                        let (marks, what) = if unit == Unit::Beats {
                            (&beats, "beats")
                        } else {
                            (&bars, "bars")
                        };
                        if marks.is_empty() {
                            return Err(err(
                                None,
                                format!(
                                    "`cut = \"every {count} {what}\"` needs {what}, and this track has none: use `cut = \"every N seconds\"`, or an input with a steady beat"
                                ),
                            ));
                        }
                        marks
                            .iter()
                            .copied()
                            .step_by(count as usize)
                            .skip(1)
                            .collect()
                    }
                };
                for f in grid {
                    if f > cuts.last().expect("starts with one").0 && f < n {
                        let k = cuts.len();
                        cuts.push((f, k % m));
                    }
                }
            }
            Cut::Energy { min_section } => {
                let min_len = (min_section * fps).round() as usize;
                for f in energy_cuts(features, min_len) {
                    if f > cuts.last().expect("starts with one").0 && f < n {
                        let k = cuts.len();
                        cuts.push((f, k % m));
                    }
                }
            }
        }
        let period = beat_period(features);
        let ends: Vec<u64> = cuts.iter().skip(1).map(|c| c.0).chain([n]).collect();
        // the transition into each section (none into the first)
        let mut windows: Vec<Option<(Window, TransitionKind, f32)>> = vec![None];
        for j in 1..cuts.len() {
            let look = &timeline.looks[cuts[j].1];
            let Some(def) = look.transition.or(timeline.transition) else {
                windows.push(None);
                continue;
            };
            let before = cuts[j].0 - cuts[j - 1].0;
            let after = ends[j] - cuts[j].0;
            let w = window(&def, cuts[j].0, before, after, period, fps).map_err(|m| {
                err(
                    look.transition.and(look.line),
                    format!("section {} ({}): {m}", j + 1, look.name),
                )
            })?;
            windows.push(w.map(|w| (w, def.kind, def.softness)));
        }
        let sections = (0..cuts.len())
            .map(|j| Planned {
                look: cuts[j].1,
                clock: SceneClock {
                    cut: cuts[j].0,
                    end: ends[j],
                    enter: windows[j].map(|w| w.0),
                    leave: windows.get(j + 1).copied().flatten().map(|w| w.0),
                },
                enter: windows[j].map(|w| (w.1, w.2)),
                seed: hash2(seed, j as u64, 0x7A5E),
            })
            .collect();
        Ok(Plan {
            fps,
            frames: n,
            sections,
            dropped,
        })
    }

    /// Which section (or pair, during a transition) frame `f` shows.
    pub fn view(&self, f: u64) -> View {
        let i = self
            .sections
            .partition_point(|s| s.clock.cut <= f)
            .saturating_sub(1);
        if i > 0 && self.sections[i].clock.enter.is_some_and(|w| w.contains(f)) {
            return View::Two { from: i - 1, to: i };
        }
        if let Some(next) = self.sections.get(i + 1)
            && next.clock.enter.is_some_and(|w| w.contains(f))
        {
            return View::Two { from: i, to: i + 1 };
        }
        View::One(i)
    }

    /// The section whose cut is the last at or before frame `f`.
    pub fn section_at(&self, f: u64) -> usize {
        self.sections
            .partition_point(|s| s.clock.cut <= f)
            .saturating_sub(1)
    }

    /// The plan as a table for people (`render --show-timeline`).
    pub fn describe(&self, timeline: &Timeline, features: &Features) -> String {
        let beats: Vec<u64> = features
            .beats
            .iter()
            .map(|&b| frame_of(b, self.fps))
            .collect();
        let bars: Vec<u64> = features
            .downbeats
            .iter()
            .map(|&b| frame_of(b, self.fps))
            .collect();
        let mut out = format!(
            "timeline `{}`: {} sections over {} frames at {} fps{}\n",
            timeline.name,
            self.sections.len(),
            self.frames,
            self.fps,
            if self.dropped > 0 {
                format!(
                    " ({} listed sections start after the end and are not rendered)",
                    self.dropped
                )
            } else {
                String::new()
            }
        );
        out += &format!(
            "{:>3}  {:>9}  {:>6}  {:>8}  {:>8}  {:<20} transition in\n",
            "#", "start s", "frame", "bar", "beat", "look"
        );
        for (j, s) in self.sections.iter().enumerate() {
            let c = s.clock.cut;
            let on = |marks: &[u64]| {
                marks
                    .iter()
                    .position(|&m| m == c)
                    .map_or("-".to_string(), |k| (k + 1).to_string())
            };
            let tr = match (s.enter, s.clock.enter) {
                (Some((kind, _)), Some(w)) => {
                    format!("{} frames {}..{}", kind.name(), w.start, w.end())
                }
                _ if j == 0 => "-".to_string(),
                _ => "cut".to_string(),
            };
            out += &format!(
                "{:>3}  {:>9.3}  {:>6}  {:>8}  {:>8}  {:<20} {}\n",
                j + 1,
                c as f64 / self.fps,
                c,
                on(&bars),
                on(&beats),
                timeline.looks[s.look].name,
                tr
            );
        }
        out
    }
}

/// Seconds per beat: from the tempo, else the median gap between beats.
fn beat_period(f: &Features) -> Option<f64> {
    if f.tempo_bpm > 0.0 {
        return Some(60.0 / f.tempo_bpm as f64);
    }
    let mut gaps: Vec<f64> = f.beats.windows(2).map(|w| w[1] - w[0]).collect();
    gaps.retain(|g| g.is_finite() && *g > 0.0);
    gaps.sort_by(f64::total_cmp);
    gaps.get(gaps.len() / 2).copied()
}

/// The window of a transition into a section cut at `cut`, with `before` frames of the previous
/// section and `after` frames of this one; never more than half of either.
fn window(
    def: &TransitionDef,
    cut: u64,
    before: u64,
    after: u64,
    period: Option<f64>,
    fps: f64,
) -> Result<Option<Window>, String> {
    if def.kind == TransitionKind::Cut {
        return Ok(None);
    }
    let secs = match def.duration {
        None => period.unwrap_or(0.5),
        Some(Length {
            count,
            unit: Unit::Seconds,
        }) => count,
        Some(Length { count, unit }) => {
            let beats = if unit == Unit::Bars {
                4.0 * count
            } else {
                count
            };
            let p = period.ok_or_else(|| {
                format!("a transition of {count} {} needs a beat, and this track has none: give its duration in seconds", if unit == Unit::Bars { "bars" } else { "beats" })
            })?;
            beats * p
        }
    };
    let len = (secs * fps).round().max(0.0) as u64;
    let nominal_in = match def.align {
        Align::Start => 0,
        Align::Center => len / 2,
        Align::End => len,
    };
    let lead_in = nominal_in.min(before / 2);
    let lead_out = (len - nominal_in).min(after / 2);
    if lead_in + lead_out == 0 {
        return Ok(None);
    }
    Ok(Some(Window {
        start: cut - lead_in,
        len: lead_in + lead_out,
        ease: def.ease,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::ease::Ease;
    use std::path::Path;

    fn features(secs: f64, bpm: f32) -> Features {
        crate::audio::synthetic_features(bpm, 24.0, secs, 1)
    }

    fn timeline(src: &str) -> Timeline {
        Timeline::parse(src, "t.toml", Path::new(".")).unwrap_or_else(|e| panic!("{e}"))
    }

    fn beat_frames(f: &Features) -> Vec<u64> {
        f.beats.iter().map(|&b| frame_of(b, f.fps)).collect()
    }

    #[test]
    fn listed_sections_land_on_seconds_bars_and_beats() {
        let f = features(20.0, 120.0);
        let t = timeline(
            "[[sections]]\npreset = \"aurora\"\n[[sections]]\nstart = 2.5\npreset = \"tunnel\"\n[[sections]]\nat = \"bar 4\"\npreset = \"matrix\"\n[[sections]]\nat = \"beat 30\"\npreset = \"inferno\"\n[[sections]]\nat = \"bar 500\"\npreset = \"inferno\"\n",
        );
        let p = Plan::new(&t, &f, 1).unwrap();
        let cuts: Vec<u64> = p.sections.iter().map(|s| s.clock.cut).collect();
        let bars: Vec<u64> = f.downbeats.iter().map(|&b| frame_of(b, 24.0)).collect();
        assert_eq!(cuts, vec![0, 60, bars[3], beat_frames(&f)[29]]);
        assert_eq!(p.dropped, 1);
        assert_eq!(p.sections[1].clock.end, bars[3]);
        assert_eq!(p.sections[3].clock.end, f.len() as u64);
        let table = p.describe(&t, &f);
        assert!(
            table.contains("4 sections") && table.contains("1 listed sections start after the end"),
            "{table}"
        );
    }

    #[test]
    fn out_of_order_sections_are_an_error_naming_the_line() {
        let f = features(20.0, 120.0);
        let t = timeline(
            "[[sections]]\npreset = \"aurora\"\n[[sections]]\nstart = 8\npreset = \"tunnel\"\n[[sections]]\nat = \"bar 2\"\npreset = \"matrix\"\n",
        );
        let e = Plan::new(&t, &f, 1).unwrap_err().to_string();
        assert!(
            e.starts_with("timeline t.toml line 6: section 3 at bar 2"),
            "{e}"
        );
    }

    #[test]
    fn every_n_beats_cuts_on_every_nth_beat_and_cycles_the_looks() {
        let f = features(20.0, 120.0);
        let t = timeline(
            "cut = \"every 8 beats\"\n[[sections]]\npreset = \"aurora\"\n[[sections]]\npreset = \"tunnel\"\n[[sections]]\npreset = \"matrix\"\n",
        );
        let p = Plan::new(&t, &f, 1).unwrap();
        let want: Vec<u64> = std::iter::once(0)
            .chain(beat_frames(&f).into_iter().step_by(8).skip(1))
            .collect();
        let cuts: Vec<u64> = p.sections.iter().map(|s| s.clock.cut).collect();
        assert_eq!(cuts, want);
        let looks: Vec<usize> = p.sections.iter().map(|s| s.look).collect();
        assert_eq!(&looks[..5], &[0, 1, 2, 0, 1]);
        assert!(p.sections.iter().all(|s| s.enter.is_none()));
        // no beat: a clear error
        let mut silent = f.clone();
        silent.beats.clear();
        silent.tempo_bpm = 0.0;
        let e = Plan::new(&t, &silent, 1).unwrap_err().to_string();
        assert!(e.contains("needs beats, and this track has none"), "{e}");
    }

    #[test]
    fn transitions_are_centred_on_the_cut_and_clipped_to_half_a_section() {
        let f = features(20.0, 120.0); // 12 frames per beat at 24 fps
        let t = timeline(
            "transition = { kind = \"crossfade\", duration = \"1 beat\" }\n[[sections]]\npreset = \"aurora\"\n[[sections]]\nstart = 4\npreset = \"tunnel\"\n[[sections]]\nstart = 4.5\npreset = \"matrix\"\ntransition = { kind = \"iris\", duration = 2, align = \"start\", ease = \"linear\" }\n[[sections]]\nstart = 10\npreset = \"matrix\"\ntransition = { kind = \"cut\" }\n",
        );
        let p = Plan::new(&t, &f, 1).unwrap();
        let w1 = p.sections[1].clock.enter.unwrap();
        // 12 frames with the midpoint on the cut at frame 96 (the next section starts 12
        // frames later: its half is exactly the 6 frames after the cut)
        assert_eq!((w1.start, w1.len), (90, 12));
        assert_eq!(w1.ease, Ease::Smoothstep);
        assert_eq!(p.sections[0].clock.leave, Some(w1));
        let w2 = p.sections[2].clock.enter.unwrap();
        assert_eq!((w2.start, w2.len), (108, 48), "starts on the cut, 2 s");
        assert!(p.sections[3].clock.enter.is_none());
        assert_eq!(p.view(89), View::One(0));
        assert_eq!(p.view(90), View::Two { from: 0, to: 1 });
        assert_eq!(p.view(101), View::Two { from: 0, to: 1 });
        assert_eq!(p.view(102), View::One(1));
        assert_eq!(p.view(108), View::Two { from: 1, to: 2 });
        assert_eq!(p.view(239), View::One(2));
        assert_eq!(p.view(240), View::One(3));
    }

    #[test]
    fn energy_cuts_follow_the_music() {
        let mut f = features(40.0, 120.0);
        let n = f.len();
        for c in [
            crate::features::Feature::Rms,
            crate::features::Feature::Bass,
        ] {
            for (k, v) in f.columns[c as usize].iter_mut().enumerate() {
                *v = if (n / 2..3 * n / 4).contains(&k) {
                    0.9
                } else {
                    0.1
                };
            }
        }
        let t = timeline(
            "cut = \"energy\"\nmin_section = 5\n[[sections]]\npreset = \"aurora\"\n[[sections]]\npreset = \"tunnel\"\n",
        );
        let p = Plan::new(&t, &f, 1).unwrap();
        let cuts: Vec<u64> = p.sections.iter().map(|s| s.clock.cut).collect();
        assert_eq!(cuts.len(), 3, "{cuts:?}");
        let beats = beat_frames(&f);
        for (c, want) in cuts[1..].iter().zip([n / 2, 3 * n / 4]) {
            assert!(c.abs_diff(want as u64) <= 6, "{c} vs {want}");
            assert!(beats.contains(c), "{c} is on a beat");
        }
    }
}
