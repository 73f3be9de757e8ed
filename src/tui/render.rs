//! The render thread: asks the clock which frame is due, draws it, and hands it to the UI
//! thread through the event channel. Frames are due at absolute times (`index / fps` on the
//! clock), so delays never accumulate; a frame whose time has passed is not drawn (dropped and
//! counted), and a new one is only drawn once the UI has shown the previous one.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::clock::Clock;
use super::knobs::Knob;
use super::model::Msg;
use super::pane::{PaneImage, PaneMode};
use super::source::{Meters, Source};
use crate::scene::Preset;
use crate::term::halfblock::fit;

/// Instructions from the UI thread.
pub enum Control {
    /// A new preset, `Some(knob)` when only that value changed, and the edit generation.
    Preset(Box<Preset>, Option<Knob>, u64),
    /// Switch the pane mode.
    Mode(PaneMode),
    /// The pane area changed (cells available).
    Area(u16, u16),
    /// Make the running state match a fresh render of the preset (after saving).
    Resync,
    /// Give a picture buffer back for reuse.
    Recycle(Vec<crate::term::TCell>),
    /// Draw the current frame again (an edit while paused).
    Redraw,
}

/// A drawn frame.
#[derive(Clone, Debug, Default)]
pub struct FrameMsg {
    /// The picture (already fitted to the pane's aspect).
    pub image: PaneImage,
    /// Frame index.
    pub index: u64,
    /// Seconds from the start of the range.
    pub time: f64,
    /// Frames dropped so far.
    pub dropped: u64,
    /// Time spent drawing this frame.
    pub render_ms: f32,
    /// Audio meters (scene sources).
    pub meters: Option<Meters>,
    /// The edit generation of the preset it was drawn with.
    pub generation: u64,
    /// Identical to what `render` gives for that preset (false while an in-place edit of a
    /// scene with history has not been replayed yet).
    pub exact: bool,
}

/// After an in-place edit of a scene whose frames depend on earlier frames, wait this long for
/// more edits before replaying the history (which can take a moment).
const SETTLE: Duration = Duration::from_millis(300);

/// Start the render thread. `shown` is set by the UI once it has drawn the last frame sent.
pub fn spawn(
    mut source: Source,
    clock: Arc<dyn Clock>,
    mode: PaneMode,
    ctl: Receiver<Control>,
    tx: Sender<Msg>,
    shown: Arc<AtomicBool>,
) -> JoinHandle<()> {
    std::thread::Builder::new()
        .name("render".into())
        .spawn(move || {
            let mut w = Worker {
                fps: source.fps().max(1.0),
                frames: source.frames(),
                size: source.size(),
                mode,
                area: (0, 0),
                last: None,
                dropped: 0,
                dirty: true,
                seeked: false,
                spare: Vec::new(),
                ended: false,
                generation: 0,
                last_edit: None,
                seeks: clock.seeks(),
                fault: super::terminal::fault("render-panic"),
            };
            shown.store(true, Ordering::SeqCst);
            let run = super::terminal::contain("render", || {
                w.run(&mut source, &*clock, &ctl, &tx, &shown)
            });
            if let Err(why) = run {
                let _ = tx.send(Msg::Failed(why));
            }
        })
        .expect("spawn render thread")
}

struct Worker {
    /// Panic after a few frames (`ASCIIVID_FAULT=render-panic`, for the restore tests).
    fault: bool,
    fps: f64,
    frames: u64,
    size: (usize, usize),
    mode: PaneMode,
    area: (u16, u16),
    last: Option<u64>,
    dropped: u64,
    dirty: bool,
    seeked: bool,
    spare: Vec<crate::term::TCell>,
    ended: bool,
    generation: u64,
    /// When the last in-place edit arrived (for the settle-then-replay of history).
    last_edit: Option<Instant>,
    /// The clock's seek count last seen.
    seeks: u64,
}

impl Worker {
    fn handle(&mut self, c: Control, source: &mut Source, tx: &Sender<Msg>) {
        match c {
            Control::Preset(p, knob, generation) => {
                if let Source::Scene(s) = source
                    && let Err(e) = s.set_preset(*p, knob)
                {
                    let _ = tx.send(Msg::Notice(format!("cannot apply the preset: {e:#}")));
                }
                self.generation = generation;
                self.last_edit = Some(Instant::now());
                self.dirty = true;
            }
            Control::Mode(m) => {
                self.mode = m;
                self.dirty = true;
            }
            Control::Area(c, r) => {
                self.area = (c, r);
                self.dirty = true;
            }
            Control::Resync => self.resync(source),
            Control::Recycle(v) => self.spare = v,
            Control::Redraw => self.dirty = true,
        }
    }

    fn resync(&mut self, source: &mut Source) {
        if let Source::Scene(s) = source
            && !s.exact()
        {
            s.resync();
            self.dirty = true;
            // Replaying history is not the renderer falling behind.
            self.seeked = true;
        }
        self.last_edit = None;
    }

    fn run(
        &mut self,
        source: &mut Source,
        clock: &dyn Clock,
        ctl: &Receiver<Control>,
        tx: &Sender<Msg>,
        shown: &AtomicBool,
    ) {
        loop {
            loop {
                match ctl.try_recv() {
                    Ok(c) => self.handle(c, source, tx),
                    Err(std::sync::mpsc::TryRecvError::Empty) => break,
                    Err(std::sync::mpsc::TryRecvError::Disconnected) => return,
                }
            }
            // A video can turn out shorter than its container said.
            self.frames = source.frames();
            if self.last_edit.is_some_and(|t| t.elapsed() > SETTLE) {
                self.resync(source);
            }
            // The seek count before and after the position: equal means no seek raced the read.
            let mut seeks = clock.seeks();
            let mut t = clock.now();
            while clock.seeks() != seeks {
                seeks = clock.seeks();
                t = clock.now();
            }
            if seeks != self.seeks {
                self.seeks = seeks;
                self.seeked = true;
                self.ended = false;
            }
            let due = (t * self.fps).floor().max(0.0) as u64;
            if due >= self.frames {
                if !self.ended {
                    self.ended = true;
                    if tx.send(Msg::Ended).is_err() {
                        return;
                    }
                }
                if !self.wait(ctl, source, tx, Duration::from_millis(20)) {
                    return;
                }
                continue;
            }
            let fresh = self.last != Some(due) || self.dirty;
            if !fresh || !shown.load(Ordering::SeqCst) || self.area.0 == 0 {
                // Sleep until the next frame is due (or a control message arrives).
                let next_t = (due + 1) as f64 / self.fps;
                // NaN-safe: a NaN difference gives the short poll.
                let left = if next_t - t > 0.0 { next_t - t } else { 0.0 };
                let wait = if fresh { 0.001 } else { left.min(0.005) };
                if !self.wait(ctl, source, tx, Duration::from_secs_f64(wait)) {
                    return;
                }
                continue;
            }
            if let Some(l) = self.last
                && due > l + 1
                && !self.seeked
            {
                self.dropped += due - l - 1;
            }
            self.seeked = false;
            let started = Instant::now();
            let (cols, rows) = fit(self.size.0, self.size.1, self.area.0, self.area.1, 2.0);
            if self.fault && self.last.is_some_and(|l| l >= 5) {
                panic!("deliberate render panic (ASCIIVID_FAULT=render-panic)");
            }
            let mut cells = std::mem::take(&mut self.spare);
            source.produce(due, self.mode, cols, rows, &mut cells);
            if let Some(why) = source.failure() {
                let _ = tx.send(Msg::Failed(why.to_string()));
                return;
            }
            let msg = FrameMsg {
                image: PaneImage { cols, rows, cells },
                index: due,
                time: due as f64 / self.fps,
                dropped: self.dropped,
                render_ms: started.elapsed().as_secs_f32() * 1000.0,
                meters: source.meters(due),
                generation: self.generation,
                exact: source.exact(),
            };
            self.last = Some(due);
            self.dirty = false;
            shown.store(false, Ordering::SeqCst);
            if tx.send(Msg::Frame(Box::new(msg))).is_err() {
                return;
            }
        }
    }

    /// Wait up to `d` for a control message; false when the UI has gone.
    fn wait(
        &mut self,
        ctl: &Receiver<Control>,
        source: &mut Source,
        tx: &Sender<Msg>,
        d: Duration,
    ) -> bool {
        match ctl.recv_timeout(d) {
            Ok(c) => {
                self.handle(c, source, tx);
                true
            }
            Err(RecvTimeoutError::Timeout) => true,
            Err(RecvTimeoutError::Disconnected) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glyph::FontChain;
    use crate::scene::preset::resolve;
    use crate::tui::source::SceneSource;
    use std::sync::Mutex;
    use std::sync::mpsc::channel;

    /// A clock the test moves by hand.
    struct FakeClock(Mutex<f64>, std::sync::atomic::AtomicU64);

    impl Clock for FakeClock {
        fn now(&self) -> f64 {
            *self.0.lock().unwrap()
        }
        fn set_paused(&self, _: bool) {}
        fn paused(&self) -> bool {
            false
        }
        fn seek(&self, t: f64) {
            *self.0.lock().unwrap() = t;
            self.1.fetch_add(1, Ordering::SeqCst);
        }
        fn seeks(&self) -> u64 {
            self.1.load(Ordering::SeqCst)
        }
    }

    struct Rig {
        clock: Arc<FakeClock>,
        ctl: Sender<Control>,
        rx: Receiver<Msg>,
        shown: Arc<AtomicBool>,
        _worker: JoinHandle<()>,
    }

    impl Rig {
        fn new() -> Rig {
            Rig::with(10.0, 10.0)
        }

        fn with(fps: f64, secs: f64) -> Rig {
            let f = Arc::new(crate::audio::synthetic_features(120.0, fps, secs, 1));
            let src = SceneSource::new(
                resolve("default").unwrap(),
                f,
                FontChain::bundled(),
                96,
                54,
                1,
            )
            .unwrap();
            let clock = Arc::new(FakeClock(Mutex::new(0.0), Default::default()));
            let (ctl, ctl_rx) = channel();
            let (tx, rx) = channel();
            let shown = Arc::new(AtomicBool::new(true));
            ctl.send(Control::Area(20, 6)).unwrap();
            let worker = spawn(
                Source::Scene(Box::new(src)),
                clock.clone(),
                PaneMode::Cells,
                ctl_rx,
                tx,
                shown.clone(),
            );
            Rig {
                clock,
                ctl,
                rx,
                shown,
                _worker: worker,
            }
        }

        /// The next frame, marked as shown (as the UI does after drawing it).
        fn frame(&self) -> FrameMsg {
            loop {
                match self
                    .rx
                    .recv_timeout(Duration::from_secs(10))
                    .expect("a frame")
                {
                    Msg::Frame(f) => {
                        self.shown.store(true, Ordering::SeqCst);
                        return *f;
                    }
                    _ => continue,
                }
            }
        }

        fn at(&self, t: f64) {
            *self.clock.0.lock().unwrap() = t;
        }
    }

    #[test]
    fn frames_follow_the_clock_and_late_ones_are_dropped_and_counted() {
        let r = Rig::new();
        let f = r.frame();
        assert_eq!((f.index, f.dropped), (0, 0));
        assert_eq!(
            (f.image.cols, f.image.rows),
            (20, 5),
            "fitted to 16:9 in 20×6 cells"
        );
        r.at(0.1);
        assert_eq!(r.frame().index, 1);
        // the clock jumped 4 frames ahead (the UI was slow): frames 2-4 are dropped
        r.at(0.5);
        let f = r.frame();
        assert_eq!((f.index, f.dropped), (5, 3));
        assert!((f.time - 0.5).abs() < 1e-9);
        // a seek is not a drop
        r.clock.seek(3.0);
        let f = r.frame();
        assert_eq!((f.index, f.dropped), (30, 3));
        // past the end: the UI is told
        r.at(10.5);
        let end = loop {
            match r.rx.recv_timeout(Duration::from_secs(10)).unwrap() {
                Msg::Ended => break true,
                Msg::Frame(_) => r.shown.store(true, Ordering::SeqCst),
                _ => {}
            }
        };
        assert!(end);
    }

    #[test]
    fn no_drift_after_three_minutes() {
        // The frame shown is always the one the clock (the audio position) is in: whatever
        // happened before, after 3 minutes it is still within one frame.
        let r = Rig::with(30.0, 181.0);
        r.frame();
        for t in [0.5, 61.01, 120.0, 179.99] {
            r.at(t);
            let f = r.frame();
            assert_eq!(f.index, (t * 30.0).floor() as u64, "t = {t}");
            assert!(
                (t - f.time) >= 0.0 && (t - f.time) < 1.0 / 30.0,
                "t = {t}, shown {}",
                f.time
            );
        }
    }

    #[test]
    fn three_minutes_of_an_audio_clock_in_device_sized_steps_never_drift() {
        // The audio clock moves in buffer-sized steps (1024 samples at 48 kHz) and sometimes
        // stalls and jumps (a busy machine). Every frame drawn must be the one the clock is in
        // when it is drawn, and frames skipped are counted as dropped: no error accumulates.
        let fps = 30.0;
        let r = Rig::with(fps, 181.0);
        r.frame();
        let step = 1024.0 / 48000.0;
        let (mut t, mut shown, mut dropped, mut n) = (0.0f64, 0u64, 0u64, 0u64);
        while t < 180.0 {
            n += 1;
            // every 97th step the device stalls for ~5 frames
            t += if n % 97 == 0 { 0.17 } else { step };
            r.at(t);
            let due = (t * fps).floor() as u64;
            if due == shown {
                continue;
            }
            let f = r.frame();
            assert_eq!(f.index, due, "t = {t}");
            let lag = t - f.time;
            assert!((0.0..1.0 / fps).contains(&lag), "t = {t}: lag {lag}");
            dropped += due - shown - 1;
            assert_eq!(f.dropped, dropped, "t = {t}");
            shown = due;
        }
        assert!(shown >= 5399, "{shown}");
    }

    #[test]
    fn an_edit_is_on_the_next_frame_drawn() {
        let r = Rig::new();
        r.frame();
        // The UI has not shown frame 0 yet when the edit arrives: nothing may be in flight.
        let mut p = resolve("default").unwrap();
        crate::tui::knobs::step(&mut p, crate::tui::knobs::Knob::Opacity(1), -1, true);
        r.ctl
            .send(Control::Preset(
                Box::new(p),
                Some(crate::tui::knobs::Knob::Opacity(1)),
                7,
            ))
            .unwrap();
        // paused clock: the edit alone redraws the same frame, with the new generation
        let f = r.frame();
        assert_eq!((f.index, f.generation), (0, 7));
        assert!(f.exact, "in-place edits of a stateless scene are exact");
        r.at(0.1);
        assert_eq!(r.frame().generation, 7);
    }
}
