//! The runtime: threads, the event loop, carrying out [`Cmd`]s, statistics and recording.

use std::collections::VecDeque;
use std::io::Write;
use std::os::fd::AsFd;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use ratatui::Terminal;
use ratatui::crossterm::event::{self, Event};

use super::audio_out::Playback;
use super::model::{Cmd, Model, Msg, update};
use super::render::{self, Control};
use super::source::Source;
use super::terminal::TerminalGuard;
use super::view::{areas, view};
use super::watch::{self, PresetWatcher};
use crate::term::cast::CastWriter;
use crate::term::{ColorMode, Screen, SinkBackend, SizeSource, Traffic};

/// A ready-to-run app.
pub struct App {
    /// Initial state.
    pub model: Model,
    /// What to draw.
    pub source: Source,
    /// Clock and sound.
    pub playback: Playback,
    /// Colour depth.
    pub color: ColorMode,
    /// asciicast output.
    pub record: Option<PathBuf>,
    /// Preset file to watch.
    pub watch: Option<PathBuf>,
    /// 24-bit colour changes up to this much per channel are not redrawn.
    pub tolerance: u8,
    /// Headless measurement of edit latency: step an effect parameter this often.
    pub edit_every: Option<Duration>,
}

/// Frames and bytes over the last second.
#[derive(Default)]
struct Meter {
    samples: VecDeque<(Instant, u64, u64)>,
    frames: u64,
}

impl Meter {
    fn sample(&mut self, bytes: u64) -> (f32, f64) {
        let now = Instant::now();
        self.samples.push_back((now, bytes, self.frames));
        while self.samples.len() > 2
            && now.duration_since(self.samples[0].0) > Duration::from_secs(1)
        {
            self.samples.pop_front();
        }
        let (t0, b0, f0) = self.samples[0];
        let dt = now.duration_since(t0).as_secs_f64();
        if dt < 0.2 {
            return (0.0, 0.0);
        }
        (
            ((self.frames - f0) as f64 / dt) as f32,
            (bytes - b0) as f64 / dt,
        )
    }
}

/// The pane-only recording: its own screen diff, so the cast has the pane's size.
struct Recorder {
    cast: CastWriter<std::io::BufWriter<std::fs::File>>,
    screen: Screen,
    started: Instant,
    buf: Vec<u8>,
}

impl Recorder {
    fn frame(&mut self, img: &super::pane::PaneImage) -> Result<()> {
        if self.screen.size() != (img.cols, img.rows) {
            self.screen.resize(img.cols, img.rows);
        }
        self.screen.set_all(&img.cells);
        self.buf.clear();
        self.screen.flush_into(&mut self.buf, b"");
        self.cast
            .output(self.started.elapsed().as_secs_f64(), &self.buf)?;
        Ok(())
    }
}

fn spawn_input(tx: Sender<Msg>, stop: Arc<AtomicBool>) {
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            let failed = tx.clone();
            let run = super::terminal::contain("input", move || read_input(&tx, &stop));
            if let Err(why) = run {
                let _ = failed.send(Msg::Failed(why));
            }
        })
        .expect("spawn input thread");
}

/// Keys and resizes to the event channel until `stop`, Ctrl-C or a closed channel.
fn read_input(tx: &Sender<Msg>, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        if crate::pipeline::INTERRUPTED.load(Ordering::Relaxed) {
            let _ = tx.send(Msg::Interrupt);
            return;
        }
        match event::poll(Duration::from_millis(50)) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(_) => return,
        }
        let msg = match event::read() {
            Ok(Event::Key(k)) => Msg::Key(k),
            Ok(Event::Resize(w, h)) => Msg::Resize(w, h),
            Ok(_) => continue,
            Err(_) => return,
        };
        if tx.send(msg).is_err() {
            return;
        }
    }
}

/// Headless edit-latency probe: select the first effect parameter and step it up and down
/// every `every`, as a user holding → / ← would.
fn spawn_edits(model: &mut Model, tx: Sender<Msg>, stop: Arc<AtomicBool>, every: Duration) {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let knob = model
        .rows
        .iter()
        .position(|r| matches!(r.knob, super::knobs::Knob::Effect(..)));
    if let Some(i) = knob {
        model.selected = i;
    }
    std::thread::Builder::new()
        .name("edits".into())
        .spawn(move || {
            let mut up = true;
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(every);
                let code = if up { KeyCode::Right } else { KeyCode::Left };
                up = !up;
                if tx
                    .send(Msg::Key(KeyEvent::new(code, KeyModifiers::SHIFT)))
                    .is_err()
                {
                    return;
                }
            }
        })
        .expect("spawn edits thread");
}

/// Run the app until it quits; the terminal is restored whatever happens.
pub fn run(app: App) -> Result<()> {
    // A duplicate of fd 1 as a plain file: std's stdout is line-buffered and would split a
    // frame into one write per line.
    let out = std::fs::File::from(std::io::stdout().as_fd().try_clone_to_owned()?);
    let guard = TerminalGuard::enter()?;
    let backend = SinkBackend::new(out, app.color, SizeSource::Terminal)?;
    let result = drive(app, backend, true).map(|_| ());
    drop(guard);
    result
}

/// What a headless run measured.
#[derive(Clone, Debug, Default)]
pub struct HeadlessReport {
    /// Frames drawn.
    pub frames: u64,
    /// Frames dropped (late).
    pub dropped: u64,
    /// Bytes the terminal would have received.
    pub bytes: u64,
    /// `write` calls.
    pub writes: u64,
    /// Wall time from the first frame on screen to the end.
    pub seconds: f64,
    /// Render-thread time per frame drawn (scene + picture), milliseconds.
    pub render_ms: f64,
    /// UI-thread time per frame (ratatui, diff, encode, write), milliseconds.
    pub draw_ms: f64,
    /// How far the clock was past each shown frame's time when it reached the screen.
    pub lag: LagStats,
    /// Parameter edits and when they became visible (with `edit_every`).
    pub edits: EditStats,
}

/// Clock position minus the shown frame's time, at the moment the frame is on screen: stays
/// below one frame period as long as the picture keeps up with the (audio) clock.
#[derive(Clone, Debug, Default)]
pub struct LagStats {
    /// Frames measured.
    pub frames: u64,
    /// Largest lag, seconds.
    pub max: f64,
    /// Sum of lags, seconds.
    pub sum: f64,
    /// Frames shown a whole frame period or more after their time.
    pub late: u64,
    /// The frame period, seconds.
    pub period: f64,
    /// Per minute of playback time: (sum, frames, max) — a drift would show as a trend.
    pub minutes: Vec<(f64, u64, f64)>,
}

impl LagStats {
    fn add(&mut self, time: f64, lag: f64) {
        let m = (time.max(0.0) / 60.0) as usize;
        if self.minutes.len() <= m {
            self.minutes.resize(m + 1, (0.0, 0, 0.0));
        }
        let b = &mut self.minutes[m];
        *b = (b.0 + lag, b.1 + 1, b.2.max(lag));
        self.frames += 1;
        self.max = self.max.max(lag);
        self.sum += lag;
        if lag >= self.period {
            self.late += 1;
        }
    }
}

/// Edits made while playing, and how many frames later they were on screen.
#[derive(Clone, Debug, Default)]
pub struct EditStats {
    /// Edits made.
    pub count: u64,
    /// Edits seen on screen.
    pub seen: u64,
    /// Most frames shown after an edit that did not have it yet (0: the next frame shown had it).
    pub max_stale: u64,
    /// Longest time from an edit to the screen, seconds.
    pub max_secs: f64,
    /// Sum of those times, seconds.
    pub sum_secs: f64,
    /// Edits not yet seen: (generation, when, frames shown at that moment).
    pending: VecDeque<(u64, Instant, u64)>,
}

impl EditStats {
    fn edited(&mut self, generation: u64, frames: u64) {
        self.count += 1;
        self.pending.push_back((generation, Instant::now(), frames));
    }

    /// A frame drawn with edit `generation` is on screen, the `frames`-th shown.
    fn shown(&mut self, generation: u64, frames: u64) {
        while let Some(&(g, at, f)) = self.pending.front() {
            if g > generation {
                break;
            }
            self.pending.pop_front();
            self.seen += 1;
            let secs = at.elapsed().as_secs_f64();
            self.max_stale = self.max_stale.max(frames.saturating_sub(f + 1));
            self.max_secs = self.max_secs.max(secs);
            self.sum_secs += secs;
        }
    }
}

impl HeadlessReport {
    /// One line for humans and docs.
    pub fn summary(&self, w: u16, h: u16) -> String {
        let s = self.seconds.max(1e-9);
        let mut line = format!(
            "{w}x{h}: {} frames in {:.2} s = {:.1} fps, {} dropped, {:.2} MB/s, {:.1} kB/frame, {:.2} writes/frame, render {:.2} ms/frame, draw {:.2} ms/frame",
            self.frames,
            self.seconds,
            self.frames as f64 / s,
            self.dropped,
            self.bytes as f64 / s / 1e6,
            self.bytes as f64 / self.frames.max(1) as f64 / 1e3,
            self.writes as f64 / self.frames.max(1) as f64,
            self.render_ms,
            self.draw_ms,
        );
        let l = &self.lag;
        if l.frames > 0 {
            line += &format!(
                "; clock lag mean {:.1} ms, max {:.1} ms, {} frames ≥ 1 frame ({:.1} ms) late",
                l.sum / l.frames as f64 * 1e3,
                l.max * 1e3,
                l.late,
                l.period * 1e3
            );
            if l.minutes.len() > 1 {
                let per: Vec<String> = l
                    .minutes
                    .iter()
                    .map(|(sum, n, max)| {
                        format!("{:.1}/{:.0}", sum / (*n).max(1) as f64 * 1e3, max * 1e3)
                    })
                    .collect();
                line += &format!(", per minute mean/max ms {}", per.join(" "));
            }
        }
        let e = &self.edits;
        if e.count > 0 {
            line += &format!(
                "; {} edits, {} seen, at most {} stale frame(s) before one, edit → screen mean {:.1} ms, max {:.1} ms",
                e.count,
                e.seen,
                e.max_stale,
                e.sum_secs / e.seen.max(1) as f64 * 1e3,
                e.max_secs * 1e3
            );
        }
        line
    }
}

/// Run the app on a fake `width × height` terminal that discards output (counting it), until
/// the playback range ends: the measurement behind docs/BENCHMARKS.md.
pub fn headless(app: App, width: u16, height: u16) -> Result<HeadlessReport> {
    let backend = SinkBackend::new(std::io::sink(), app.color, SizeSource::Fixed(width, height))?;
    drive(app, backend, false)
}

fn drive<W: Write>(
    app: App,
    mut backend: SinkBackend<W>,
    interactive: bool,
) -> Result<HeadlessReport> {
    let App {
        mut model,
        source,
        playback,
        color,
        record,
        watch: watch_path,
        tolerance,
        edit_every,
    } = app;
    backend.set_tolerance(tolerance);
    model.color = color.name().to_string();
    model.notice = playback.notice.clone();
    let clock = playback.clock.clone();
    let traffic: Arc<Traffic> = backend.traffic();
    let mut terminal = Terminal::new(backend)?;
    terminal.clear()?;

    let (tx, rx) = mpsc::channel::<Msg>();
    let (ctl_tx, ctl_rx) = mpsc::channel::<Control>();
    let stop = Arc::new(AtomicBool::new(false));
    if interactive {
        spawn_input(tx.clone(), stop.clone());
    }
    let mut watcher: Option<PresetWatcher> = None;
    if let Some(p) = &watch_path {
        match watch::watch(p, tx.clone()) {
            Ok(w) => watcher = Some(w),
            Err(e) => model.message = Some(format!("not watching the preset: {e:#}")),
        }
    }
    if let (false, Some(every)) = (interactive, edit_every) {
        spawn_edits(&mut model, tx.clone(), stop.clone(), every);
    }
    let period = 1.0 / source.fps().max(1.0);
    let shown = Arc::new(AtomicBool::new(true));
    let size = terminal.size()?;
    let pane = areas(
        ratatui::layout::Rect::new(0, 0, size.width, size.height),
        model.show_panel,
    )
    .pane;
    let _ = ctl_tx.send(Control::Area(pane.width, pane.height));
    clock.seek(0.0);
    let started = Instant::now();
    let worker = render::spawn(
        source,
        clock.clone(),
        model.mode,
        ctl_rx,
        tx.clone(),
        shown.clone(),
    );
    let mut recorder = match &record {
        Some(p) => Some(Recorder {
            // Written under a temporary name, renamed when complete.
            cast: CastWriter::create(&crate::media::sink::temp_path(p), pane.width, pane.height)
                .with_context(|| format!("cannot write {}", p.display()))?,
            screen: {
                let mut s = Screen::new(pane.width, pane.height, color);
                s.sync = false;
                s
            },
            started: Instant::now(),
            buf: Vec::new(),
        }),
        None => None,
    };
    let mut totals = Totals {
        lag: LagStats {
            period,
            ..LagStats::default()
        },
        ..Totals::default()
    };
    // The clock starts once the first frame is on screen, so start-up is not a late frame.
    let user_paused = model.paused;
    clock.set_paused(true);
    let result = event_loop(
        &mut EventLoop {
            model: &mut model,
            terminal: &mut terminal,
            rx: &rx,
            tx: &tx,
            ctl: &ctl_tx,
            shown: &shown,
            clock: &*clock,
            traffic: &traffic,
            watcher: &mut watcher,
            recorder: &mut recorder,
            start_clock: !user_paused,
        },
        &mut totals,
    );
    let seconds = totals.first.unwrap_or(started).elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    drop(ctl_tx);
    drop(watcher);
    // The render thread may be blocked sending; draining lets it see the closed control channel.
    while !worker.is_finished() {
        while rx.try_recv().is_ok() {}
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = worker.join();
    if let (Some(r), Some(p)) = (recorder, &record) {
        r.cast.finish()?;
        let tmp = crate::media::sink::temp_path(p);
        std::fs::rename(&tmp, p).with_context(|| format!("cannot write {}", p.display()))?;
    }
    drop(terminal);
    drop(playback);
    result?;
    if let Some(why) = model.failure.take() {
        anyhow::bail!("{why}");
    }
    let n = totals.frames.max(1) as f64;
    Ok(HeadlessReport {
        frames: totals.frames,
        render_ms: totals.render_ms / n,
        draw_ms: totals.draw_ms / n,
        dropped: model.stats.dropped,
        bytes: traffic.bytes.load(Ordering::Relaxed),
        writes: traffic.writes.load(Ordering::Relaxed),
        seconds,
        lag: totals.lag,
        edits: totals.edits,
    })
}

struct EventLoop<'a, W: Write> {
    model: &'a mut Model,
    terminal: &'a mut Terminal<SinkBackend<W>>,
    rx: &'a Receiver<Msg>,
    tx: &'a Sender<Msg>,
    ctl: &'a Sender<Control>,
    shown: &'a AtomicBool,
    clock: &'a dyn super::clock::Clock,
    traffic: &'a Traffic,
    watcher: &'a mut Option<PresetWatcher>,
    recorder: &'a mut Option<Recorder>,
    /// Start the (paused) clock after the first frame is drawn.
    start_clock: bool,
}

/// Counters of a run.
#[derive(Default)]
struct Totals {
    /// When the first frame was on screen (the clock starts then).
    first: Option<Instant>,
    frames: u64,
    render_ms: f64,
    draw_ms: f64,
    lag: LagStats,
    edits: EditStats,
}

fn event_loop<W: Write>(s: &mut EventLoop<W>, totals: &mut Totals) -> Result<()> {
    let mut meter = Meter::default();
    let mut last_stats = Instant::now();
    let fault = super::terminal::fault("ui-panic");
    loop {
        let first = match s.rx.recv_timeout(Duration::from_millis(250)) {
            Ok(m) => Some(m),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        };
        let mut new_frame = false;
        let mut pending: Vec<Msg> = first.into_iter().collect();
        while let Ok(m) = s.rx.try_recv() {
            pending.push(m);
        }
        for msg in pending {
            match &msg {
                Msg::Frame(_) => {
                    new_frame = true;
                    if let Some(old) = s.model.frame.take() {
                        let _ = s.ctl.send(Control::Recycle(old.image.cells));
                    }
                }
                Msg::Resize(w, h) => {
                    let a = areas(ratatui::layout::Rect::new(0, 0, *w, *h), s.model.show_panel);
                    let _ = s.ctl.send(Control::Area(a.pane.width, a.pane.height));
                }
                _ => {}
            }
            for cmd in update(s.model, msg) {
                if matches!(cmd, Cmd::ApplyPreset(_)) {
                    totals.edits.edited(s.model.generation, totals.frames);
                }
                execute(s, cmd)?;
            }
            if s.model.quit {
                return Ok(());
            }
        }
        if new_frame || last_stats.elapsed() > Duration::from_millis(250) {
            if new_frame {
                meter.frames += 1;
                totals.frames += 1;
                totals.render_ms += s.model.frame.as_ref().map_or(0.0, |f| f.render_ms as f64);
            }
            let (fps, bps) = meter.sample(s.traffic.bytes.load(Ordering::Relaxed));
            s.model.stats.fps = fps;
            s.model.stats.bytes_per_sec = bps;
            last_stats = Instant::now();
        }
        let t = Instant::now();
        s.terminal.draw(|f| view(s.model, f))?;
        if new_frame {
            totals.draw_ms += t.elapsed().as_secs_f64() * 1000.0;
            totals.first.get_or_insert_with(Instant::now);
            if std::mem::take(&mut s.start_clock) {
                s.clock.set_paused(false);
            }
            s.shown.store(true, Ordering::SeqCst);
            if fault && totals.frames >= 5 {
                panic!("deliberate UI panic (ASCIIVID_FAULT=ui-panic)");
            }
            if let Some(f) = s.model.frame.as_ref() {
                totals.edits.shown(f.generation, totals.frames);
                if !s.clock.paused() {
                    totals.lag.add(f.time, s.clock.now() - f.time);
                }
                if let Some(r) = s.recorder.as_mut() {
                    r.frame(&f.image)?;
                }
            }
        }
    }
}

fn execute<W: Write>(s: &mut EventLoop<W>, cmd: Cmd) -> Result<()> {
    match cmd {
        Cmd::ApplyPreset(knob) => {
            let _ = s.ctl.send(Control::Preset(
                Box::new(s.model.preset.clone()),
                knob,
                s.model.generation,
            ));
        }
        Cmd::SetMode(m) => {
            let _ = s.ctl.send(Control::Mode(m));
        }
        Cmd::Pause(p) => {
            s.start_clock = false;
            s.clock.set_paused(p);
        }
        Cmd::Seek(d) => {
            let end = (s.model.duration - 0.05).max(0.0);
            s.clock.seek((s.clock.now() + d).clamp(0.0, end));
            if s.model.paused {
                let _ = s.ctl.send(Control::Redraw);
            }
        }
        Cmd::Save { path, text } => match write_atomic(&path, &text) {
            Ok(()) => {
                let _ = s.ctl.send(Control::Resync);
                let watched = s.watcher.as_ref().map(|w| w.path().to_path_buf());
                let abs = std::path::absolute(&path).unwrap_or(path.clone());
                if watched.as_ref() != Some(&abs) {
                    match watch::watch(&path, s.tx.clone()) {
                        Ok(w) => *s.watcher = Some(w),
                        Err(e) => {
                            s.model.message = Some(format!("saved, but not watching it: {e:#}"))
                        }
                    }
                }
            }
            Err(e) => s.model.message = Some(format!("cannot save {}: {e:#}", path.display())),
        },
        Cmd::Redraw => {
            let _ = s.ctl.send(Control::Redraw);
        }
        Cmd::Quit => {}
    }
    Ok(())
}

/// Write next to the target and rename, so a watcher (ours or an editor's) never sees half a file.
fn write_atomic(path: &std::path::Path, text: &str) -> Result<()> {
    let tmp = crate::media::sink::temp_path(path);
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("cannot rename onto {}", path.display()))?;
    Ok(())
}
