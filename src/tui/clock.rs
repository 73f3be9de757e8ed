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

#[cfg(test)]
mod tests {
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
