//! Instrument voices of the demo track: each event is rendered on its own into a bus buffer
//! (additive), with its own oscillator and filter state and seeded noise.

use super::arrangement::{Event, Voice};
use crate::rng::{SplitMix, hash2};
use std::f32::consts::{PI, TAU};

/// Topology-preserving-transform state-variable filter (Zavalishin): stable under fast cutoff
/// sweeps, which the riser and bass envelopes do.
#[derive(Default)]
struct Svf {
    ic1: f32,
    ic2: f32,
    a1: f32,
    a2: f32,
    a3: f32,
    k: f32,
}

/// Low-pass, band-pass and high-pass outputs of one step.
struct SvfOut {
    lp: f32,
    bp: f32,
    hp: f32,
}

impl Svf {
    fn set(&mut self, cutoff: f32, q: f32, sr: f32) {
        let g = (PI * cutoff.clamp(10.0, 0.45 * sr) / sr).tan();
        self.k = 1.0 / q.max(0.1);
        self.a1 = 1.0 / (1.0 + g * (g + self.k));
        self.a2 = g * self.a1;
        self.a3 = g * self.a2;
    }

    fn step(&mut self, v0: f32) -> SvfOut {
        let v3 = v0 - self.ic2;
        let v1 = self.a1 * self.ic1 + self.a2 * v3;
        let v2 = self.ic2 + self.a2 * self.ic1 + self.a3 * v3;
        self.ic1 = 2.0 * v1 - self.ic1;
        self.ic2 = 2.0 * v2 - self.ic2;
        SvfOut {
            lp: v2,
            bp: v1,
            hp: v0 - self.k * v1 - v2,
        }
    }
}

/// PolyBLEP residual that removes most of a naive sawtooth's aliasing.
fn poly_blep(t: f32, dt: f32) -> f32 {
    if t < dt {
        let x = t / dt;
        x + x - x * x - 1.0
    } else if t > 1.0 - dt {
        let x = (t - 1.0) / dt;
        x * x + x + x + 1.0
    } else {
        0.0
    }
}

/// Band-limited sawtooth oscillator.
struct Saw {
    phase: f32,
    dt: f32,
}

impl Saw {
    fn new(freq: f32, sr: f32, phase: f32) -> Self {
        Saw {
            phase,
            dt: (freq / sr).clamp(0.0, 0.49),
        }
    }

    fn next(&mut self) -> f32 {
        let v = 2.0 * self.phase - 1.0 - poly_blep(self.phase, self.dt);
        self.phase += self.dt;
        if self.phase >= 1.0 {
            self.phase -= 1.0;
        }
        v
    }
}

/// How long (s) a voice rings after its start, beyond the held duration.
pub(crate) fn tail(voice: Voice) -> f64 {
    match voice {
        Voice::Kick => 0.45,
        Voice::Clap => 0.35,
        Voice::Hat => 0.08,
        Voice::OpenHat => 0.35,
        Voice::Bass => 0.03,
        Voice::Pad => 0.4,
        Voice::Lead => 0.6,
        Voice::Riser => 0.05,
        Voice::Crash => 0.5,
    }
}

/// Add event `e` (number `index` in the song, for its noise seed) into `out` at `sr`.
pub(crate) fn render(e: &Event, index: u64, seed: u64, sr: f32, out: &mut [f32]) {
    let start = (e.time * sr as f64).round() as usize;
    if start >= out.len() {
        return;
    }
    let len = (((e.dur + tail(e.voice)) * sr as f64).ceil() as usize).min(out.len() - start);
    let dst = &mut out[start..start + len];
    let mut noise = SplitMix(hash2(seed, index, 0x0015E));
    let mut white = move || noise.next_f32() * 2.0 - 1.0;
    let mut f = Svf::default();
    let dt = 1.0 / sr;
    match e.voice {
        Voice::Kick => {
            let mut phase = 0.0f32;
            for (i, d) in dst.iter_mut().enumerate() {
                let t = i as f32 * dt;
                phase += TAU * (52.0 + 120.0 * (-t / 0.035).exp()) * dt;
                let body = phase.sin() * (-t / 0.16).exp() * (t / 0.001).min(1.0);
                let click = white() * (-t / 0.003).exp() * 0.25;
                *d += 0.8 * e.amp * (1.5 * (body + click)).tanh() / 1.5f32.tanh();
            }
        }
        Voice::Clap => {
            f.set(1400.0, 1.2, sr);
            for (i, d) in dst.iter_mut().enumerate() {
                let t = i as f32 * dt;
                let bursts: f32 = [0.0f32, 0.008, 0.016]
                    .iter()
                    .filter(|&&b| t >= b)
                    .map(|&b| (-(t - b) / 0.004).exp())
                    .sum();
                let tail = if t >= 0.024 {
                    0.7 * (-(t - 0.024) / 0.12).exp()
                } else {
                    0.0
                };
                let band = f.step(white()).bp * 2.5;
                let body = (TAU * 200.0 * t).sin() * (-t / 0.04).exp() * 0.3;
                *d += e.amp * (band * (bursts + tail) + body);
            }
        }
        Voice::Hat | Voice::OpenHat => {
            let decay = if e.voice == Voice::Hat { 0.025 } else { 0.12 };
            f.set(7000.0, 0.8, sr);
            for (i, d) in dst.iter_mut().enumerate() {
                let t = i as f32 * dt;
                *d += e.amp * 0.8 * f.step(white()).hp * (-t / decay).exp();
            }
        }
        Voice::Bass => {
            let mut saw = Saw::new(e.freq, sr, 0.0);
            let held = (e.dur as f32).max(dt);
            for (i, d) in dst.iter_mut().enumerate() {
                let t = i as f32 * dt;
                if i % 16 == 0 {
                    f.set(150.0 + 900.0 * e.bright * (-t / 0.08).exp(), 0.9, sr);
                }
                let env = (t / 0.003).min(1.0)
                    * (0.7 + 0.3 * (-t / 0.1).exp())
                    * if t > held {
                        (-(t - held) / 0.01).exp()
                    } else {
                        1.0
                    };
                let sub = (TAU * e.freq * t).sin();
                *d += e.amp * env * (0.6 * f.step(saw.next()).lp + 0.5 * sub);
            }
        }
        Voice::Pad => {
            let mut a = Saw::new(e.freq * 1.0035, sr, 0.0);
            let mut b = Saw::new(e.freq * 0.9965, sr, 0.5);
            f.set(300.0 + 3000.0 * e.bright * e.bright, 0.7, sr);
            let held = e.dur as f32;
            let attack = (0.25 * held).clamp(0.01, 0.4);
            for (i, d) in dst.iter_mut().enumerate() {
                let t = i as f32 * dt;
                let env = (t / attack).min(1.0)
                    * if t > held {
                        (-(t - held) / 0.12).exp()
                    } else {
                        1.0
                    };
                *d += e.amp * 0.22 * env * f.step(0.5 * (a.next() + b.next())).lp;
            }
        }
        Voice::Lead => {
            let mut a = Saw::new(e.freq, sr, 0.0);
            let mut b = Saw::new(e.freq, sr, 0.5);
            f.set(1200.0 + 2500.0 * e.bright, 1.0, sr);
            for (i, d) in dst.iter_mut().enumerate() {
                let t = i as f32 * dt;
                let env = (t / 0.002).min(1.0) * (-t / 0.18).exp();
                // Difference of two saws half a cycle apart: a band-limited square.
                *d += e.amp * 0.35 * env * f.step(0.5 * (a.next() - b.next())).lp;
            }
        }
        Voice::Riser => {
            let held = (e.dur as f32).max(dt);
            for (i, d) in dst.iter_mut().enumerate() {
                let t = i as f32 * dt;
                let x = (t / held).min(1.0);
                if i % 16 == 0 {
                    f.set(400.0 * (7000.0f32 / 400.0).powf(x), 2.0, sr);
                }
                let fade = if t > held {
                    (-(t - held) / 0.01).exp()
                } else {
                    1.0
                };
                *d += e.amp * 0.5 * x * x * fade * f.step(white()).bp;
            }
        }
        Voice::Crash => {
            f.set(4000.0, 0.6, sr);
            for (i, d) in dst.iter_mut().enumerate() {
                let t = i as f32 * dt;
                *d += e.amp * 0.5 * f.step(white()).hp * (-t / 0.9).exp();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(voice: Voice, freq: f32) -> Event {
        Event {
            time: 0.01,
            dur: 0.2,
            voice,
            freq,
            amp: 1.0,
            bright: 0.7,
        }
    }

    #[test]
    fn every_voice_is_finite_bounded_and_audible() {
        for v in [
            Voice::Kick,
            Voice::Clap,
            Voice::Hat,
            Voice::OpenHat,
            Voice::Bass,
            Voice::Pad,
            Voice::Lead,
            Voice::Riser,
            Voice::Crash,
        ] {
            let mut out = vec![0.0f32; 22050];
            render(&event(v, 110.0), 0, 1, 22050.0, &mut out);
            assert!(out.iter().all(|s| s.is_finite() && s.abs() < 4.0), "{v:?}");
            let energy: f32 = out.iter().map(|s| s * s).sum();
            assert!(energy > 1.0, "{v:?} is silent: {energy}");
            assert!(out[..220].iter().all(|&s| s == 0.0), "{v:?} starts early");
        }
    }

    #[test]
    fn render_clips_to_the_buffer() {
        // The kick starts 0.01 s in (sample 221) and is longer than this buffer.
        let mut out = vec![0.0f32; 300];
        render(&event(Voice::Kick, 0.0), 0, 1, 22050.0, &mut out);
        assert!(out[299] != 0.0);
        let before = out.clone();
        let late = Event {
            time: 10.0,
            ..event(Voice::Kick, 0.0)
        };
        render(&late, 0, 1, 22050.0, &mut out);
        assert_eq!(out, before);
    }
}
