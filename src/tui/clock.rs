//! Playback clocks. The render thread asks the clock which frame is due; with audio output the
//! audio device's position is the clock (so pictures follow the sound), without it the wall clock.

use std::sync::Mutex;
use std::time::Instant;

/// A playback position that can be paused and moved.
pub trait Clock: Send + Sync {
    /// Seconds since the start of the playable range.
    fn now(&self) -> f64;
    /// Pause or resume.
    fn set_paused(&self, paused: bool);
    /// True while paused.
    fn paused(&self) -> bool;
    /// Jump to `t` seconds (clamped at 0).
    fn seek(&self, t: f64);
    /// How many seeks so far: a jump of the position is a seek, not a late renderer, when this
    /// changed.
    fn seeks(&self) -> u64;
}

#[derive(Debug)]
struct WallState {
    /// Wall instant that corresponds to position `offset`.
    base: Instant,
    offset: f64,
    paused: bool,
    seeks: u64,
}

/// The wall clock: position = time since start, minus pauses, plus seeks.
#[derive(Debug)]
pub struct WallClock {
    state: Mutex<WallState>,
}

impl Default for WallClock {
    fn default() -> Self {
        WallClock::new()
    }
}

impl WallClock {
    /// A running clock at 0.
    pub fn new() -> WallClock {
        WallClock {
            state: Mutex::new(WallState {
                base: Instant::now(),
                offset: 0.0,
                paused: false,
                seeks: 0,
            }),
        }
    }

    fn position(s: &WallState) -> f64 {
        if s.paused {
            s.offset
        } else {
            s.offset + s.base.elapsed().as_secs_f64()
        }
    }
}

impl Clock for WallClock {
    fn now(&self) -> f64 {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        WallClock::position(&s)
    }

    fn set_paused(&self, paused: bool) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if s.paused == paused {
            return;
        }
        s.offset = WallClock::position(&s);
        s.base = Instant::now();
        s.paused = paused;
    }

    fn paused(&self) -> bool {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).paused
    }

    fn seek(&self, t: f64) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.offset = if t.is_finite() { t.max(0.0) } else { 0.0 };
        s.base = Instant::now();
        s.seeks += 1;
    }

    fn seeks(&self) -> u64 {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).seeks
    }
}

/// The position the listener hears, from an audio device's buffer callbacks: what was handed
/// to the device minus what is still queued in it (the output latency the device reports for
/// each buffer), interpolated with the wall clock between callbacks. Counting handed-over
/// samples alone would run ahead of the sound by the whole buffer (tens to hundreds of ms).
#[derive(Debug)]
pub struct DeviceClock {
    /// Sample frames per second.
    rate: f64,
    /// Next sample frame to hand to the device.
    pub pos: u64,
    /// Heard position (seconds) at `stamp`.
    heard: f64,
    stamp: Instant,
    /// Latest value returned, to keep the clock monotonic between callbacks.
    last: f64,
    /// Paused: buffers are silence and the position stays.
    pub paused: bool,
    /// Seeks so far.
    pub seeks: u64,
}

impl DeviceClock {
    /// A clock at 0 for a device playing `rate` frames per second.
    pub fn new(rate: f64, at: Instant) -> DeviceClock {
        DeviceClock {
            rate: rate.max(1.0),
            pos: 0,
            heard: 0.0,
            stamp: at,
            last: 0.0,
            paused: false,
            seeks: 0,
        }
    }

    /// A buffer callback at `at`: `frames` are being handed over (from [`DeviceClock::pos`]
    /// on, unless paused) and the first of them will be heard `delay` seconds later.
    pub fn on_buffer(&mut self, frames: u64, delay: f64, at: Instant) {
        if self.paused {
            return;
        }
        self.heard = self.pos as f64 / self.rate - delay.max(0.0);
        self.stamp = at;
        self.pos += frames;
    }

    /// Seconds heard at `at`: never past what was handed over, never backwards (except by a
    /// seek), frozen while paused.
    pub fn now(&mut self, at: Instant) -> f64 {
        if self.paused {
            return self.last;
        }
        let since = at.saturating_duration_since(self.stamp).as_secs_f64();
        let t = (self.heard + since)
            .min(self.pos as f64 / self.rate)
            .max(0.0);
        self.last = self.last.max(t);
        self.last
    }

    /// Pause or resume at `at`: resuming continues from the frozen position.
    pub fn set_paused(&mut self, paused: bool, at: Instant) {
        if paused == self.paused {
            return;
        }
        if paused {
            self.now(at);
            // What is still queued plays out; the next buffers are silence, and on resume the
            // device continues from what was heard.
            self.pos = (self.last * self.rate).round() as u64;
        } else {
            self.heard = self.last;
            self.stamp = at;
        }
        self.paused = paused;
    }

    /// Jump to `t` seconds.
    pub fn seek(&mut self, t: f64, at: Instant) {
        let t = if t.is_finite() { t.max(0.0) } else { 0.0 };
        self.pos = (t * self.rate) as u64;
        self.heard = t;
        self.stamp = at;
        self.last = t;
        self.seeks += 1;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    fn ms(base: Instant, t: u64) -> Instant {
        base + Duration::from_millis(t)
    }

    /// 100 ms buffers at 48 kHz with 150 ms of output latency: the clock trails the handed-over
    /// position by the latency, moves smoothly between callbacks and never runs backwards.
    #[test]
    fn device_clock_subtracts_the_output_latency() {
        let t0 = Instant::now();
        let mut c = DeviceClock::new(48_000.0, t0);
        assert_eq!(c.now(t0), 0.0);
        for k in 0..20u64 {
            c.on_buffer(4_800, 0.15, ms(t0, 100 * k));
        }
        // last buffer handed over at 1.9 s covers 1.9–2.0 s of the track; heard then: 1.75 s
        let at = ms(t0, 1_900);
        assert!((c.now(at) - 1.75).abs() < 1e-9, "{}", c.now(at));
        assert!((c.now(ms(t0, 1_950)) - 1.80).abs() < 1e-9);
        // a late callback: interpolation stops at what was handed over
        assert!((c.now(ms(t0, 3_000)) - 2.0).abs() < 1e-9);
        // an earlier estimate never pulls the clock back
        c.on_buffer(4_800, 0.40, ms(t0, 3_000));
        assert!((c.now(ms(t0, 3_000)) - 2.0).abs() < 1e-9);
    }

    #[test]
    fn device_clock_pauses_resumes_and_seeks() {
        let t0 = Instant::now();
        let mut c = DeviceClock::new(1_000.0, t0);
        c.on_buffer(500, 0.1, t0);
        c.set_paused(true, ms(t0, 300));
        let frozen = c.now(ms(t0, 300));
        assert!((frozen - 0.2).abs() < 1e-9);
        c.on_buffer(500, 0.1, ms(t0, 400)); // silence while paused
        assert_eq!(c.now(ms(t0, 900)), frozen);
        assert_eq!(c.pos, 200, "resumes from what was heard");
        c.set_paused(false, ms(t0, 1_000));
        c.on_buffer(100, 0.0, ms(t0, 1_000));
        assert!((c.now(ms(t0, 1_050)) - 0.25).abs() < 1e-9);
        c.seek(10.0, ms(t0, 1_100));
        assert_eq!(c.now(ms(t0, 1_100)), 10.0);
        assert_eq!(c.seeks, 1);
        c.seek(f64::NAN, ms(t0, 1_100));
        assert_eq!(c.now(ms(t0, 1_100)), 0.0);
    }
    use super::*;

    #[test]
    fn pause_freezes_and_seek_jumps() {
        let c = WallClock::new();
        c.set_paused(true);
        let a = c.now();
        std::thread::sleep(std::time::Duration::from_millis(15));
        assert_eq!(c.now(), a, "paused clock moved");
        c.seek(10.0);
        assert_eq!(c.now(), 10.0);
        assert_eq!(c.seeks(), 1);
        c.set_paused(false);
        std::thread::sleep(std::time::Duration::from_millis(15));
        let t = c.now();
        assert!(t > 10.01 && t < 11.0, "{t}");
        c.seek(-5.0);
        assert!(c.now() < 0.5);
    }
}
