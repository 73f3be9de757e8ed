//! The app state ([`Model`]), everything that can happen to it ([`Msg`]), and [`update`], the
//! one function that changes it. `update` does no I/O: it returns [`Cmd`]s for the runtime to
//! carry out, so every key's effect is unit-testable.

use std::path::PathBuf;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::knobs::{self, Kind, Knob, Row};
use super::pane::PaneMode;
use super::render::FrameMsg;
use crate::scene::Preset;

/// Something that happened.
#[derive(Debug)]
pub enum Msg {
    /// A key press.
    Key(KeyEvent),
    /// The terminal was resized.
    Resize(u16, u16),
    /// The render thread drew a frame.
    Frame(Box<FrameMsg>),
    /// The watched preset file changed: the new preset, or why it cannot be used.
    PresetFile(Result<Box<Preset>, String>),
    /// A one-line notice for the status line (audio output missing, a failed save, …).
    Notice(String),
    /// Playback reached the end of the range.
    Ended,
    /// Ctrl-C from outside (SIGINT).
    Interrupt,
    /// Playback cannot go on (a damaged file): quit and report this line.
    Failed(String),
}

/// Something `update` wants done.
#[derive(Debug, PartialEq)]
pub enum Cmd {
    /// Send the current preset to the render thread; `Some(knob)` when only that value changed.
    ApplyPreset(Option<Knob>),
    /// Switch the pane mode.
    SetMode(PaneMode),
    /// Pause or resume the clock.
    Pause(bool),
    /// Move the clock by this many seconds.
    Seek(f64),
    /// Write the preset file.
    Save {
        /// Where.
        path: PathBuf,
        /// The TOML text.
        text: String,
    },
    /// Draw the current frame again (an edit while paused).
    Redraw,
    /// Leave.
    Quit,
}

/// Where the preset came from (and where `s` saves it).
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// A built-in: saved as `NAME.toml` in the current directory.
    Builtin(String),
    /// A file: saved back to it.
    File(PathBuf),
}

impl Origin {
    /// The file `s` writes.
    pub fn save_path(&self) -> PathBuf {
        match self {
            Origin::Builtin(name) => PathBuf::from(format!("{name}.toml")),
            Origin::File(p) => p.clone(),
        }
    }
}

/// How the session's frames can be reproduced with `asciivid render`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RenderArgs {
    /// The audio input (`None`: generative mode).
    pub input: Option<PathBuf>,
    /// `--bpm` of generative mode.
    pub bpm: f32,
    /// `--start`.
    pub start: f64,
    /// `--duration` (always given in generative mode: its features depend on it).
    pub duration: Option<f64>,
    /// `--fps`.
    pub fps: f64,
    /// `--resolution`.
    pub width: usize,
    /// `--resolution`.
    pub height: usize,
    /// `--seed`.
    pub seed: u64,
}

impl RenderArgs {
    /// The `asciivid render --test-frame` command that gives the frame shown at `t`.
    pub fn command(&self, preset: &std::path::Path, t: f64) -> String {
        let input = match &self.input {
            Some(p) => format!(
                "{} --start {} ",
                shell_word(&p.display().to_string()),
                self.start
            ),
            None => format!("--bpm {} ", self.bpm),
        };
        let duration = self
            .duration
            .map(|d| format!("--duration {d} "))
            .unwrap_or_default();
        format!(
            "asciivid render {input}{duration}--fps {} --resolution {}x{} --seed {} --preset {} --test-frame {t:.4}",
            self.fps,
            self.width,
            self.height,
            self.seed,
            shell_word(&preset.display().to_string())
        )
    }
}

fn shell_word(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Playback statistics for the status line.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    /// Frames shown per second (last second).
    pub fps: f32,
    /// Terminal output, bytes per second (last second).
    pub bytes_per_sec: f64,
    /// Frames dropped so far.
    pub dropped: u64,
}

/// The whole app state.
#[derive(Clone, Debug)]
pub struct Model {
    /// The look being tuned: the single source of truth, what `s` saves.
    pub preset: Preset,
    /// Where it came from.
    pub origin: Origin,
    /// Panel rows (recomputed after every edit).
    pub rows: Vec<Row>,
    /// Selected row.
    pub selected: usize,
    /// Pane mode.
    pub mode: PaneMode,
    /// Paused.
    pub paused: bool,
    /// `?` overlay shown.
    pub help: bool,
    /// The modulation editor is open on the selected row, at this field.
    pub editing: Option<usize>,
    /// The last frame drawn.
    pub frame: Option<Box<FrameMsg>>,
    /// Statistics.
    pub stats: Stats,
    /// A persistent notice (no audio output, …).
    pub notice: Option<String>,
    /// The result of the last action (saved, reloaded, …).
    pub message: Option<String>,
    /// The watched file's last error (the last good state is kept meanwhile).
    pub preset_error: Option<String>,
    /// Playback range length in seconds.
    pub duration: f64,
    /// Show the parameter panel (`preview`) or only the picture (`play`).
    pub show_panel: bool,
    /// The colour mode's name (status line).
    pub color: String,
    /// How `play` turns video into characters, e.g. `edges/ascii` (status line, cells mode).
    pub look: Option<String>,
    /// How to reproduce frames with `render`.
    pub render_args: RenderArgs,
    /// Edit generation: bumped by every preset change, so frames drawn before it are told apart.
    pub generation: u64,
    /// Time of the last frame known to equal `render`'s for the current preset.
    pub last_exact: Option<f64>,
    /// Leave at the next chance.
    pub quit: bool,
    /// Why the app quit on its own with an error (reported after the terminal is restored).
    pub failure: Option<String>,
}

/// Seconds moved by `[` and `]`.
pub const SEEK_STEP: f64 = 5.0;

/// Make a preset exactly what saving and reloading it gives (values rounded as saved), so the
/// preview renders the same numbers `render` will read.
pub fn normalize(p: Preset) -> Preset {
    match Preset::parse(&p.to_toml(), "preview") {
        Ok(mut q) => {
            q.name = p.name;
            q
        }
        Err(_) => p,
    }
}

impl Model {
    /// A model for `preset`.
    pub fn new(preset: Preset, origin: Origin, render_args: RenderArgs, show_panel: bool) -> Model {
        let preset = normalize(preset);
        Model {
            rows: knobs::rows(&preset),
            preset,
            origin,
            selected: 0,
            mode: PaneMode::Cells,
            paused: false,
            help: false,
            editing: None,
            frame: None,
            stats: Stats::default(),
            notice: None,
            message: None,
            preset_error: None,
            duration: render_args.duration.unwrap_or(0.0),
            show_panel,
            color: String::new(),
            look: None,
            render_args,
            generation: 0,
            last_exact: None,
            quit: false,
            failure: None,
        }
    }

    /// The selected knob.
    pub fn knob(&self) -> Option<Knob> {
        self.rows.get(self.selected).map(|r| r.knob)
    }

    /// Playback time of the last frame, in seconds from the start of the range.
    pub fn time(&self) -> f64 {
        self.frame.as_ref().map_or(0.0, |f| f.time)
    }

    fn refresh_rows(&mut self) {
        let knob = self.knob();
        self.rows = knobs::rows(&self.preset);
        // Keep the same knob selected when rows come and go (a colour mode, feedback).
        if let Some(i) = knob.and_then(|k| self.rows.iter().position(|r| r.knob == k)) {
            self.selected = i;
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    fn edited(&mut self, knob: Option<Knob>) -> Vec<Cmd> {
        self.generation += 1;
        self.last_exact = None;
        self.refresh_rows();
        self.preset_error = None;
        let mut cmds = vec![Cmd::ApplyPreset(knob)];
        if self.paused {
            cmds.push(Cmd::Redraw);
        }
        cmds
    }

    fn replace_preset(&mut self, preset: Preset) -> Vec<Cmd> {
        self.preset = normalize(preset);
        self.editing = None;
        self.edited(None)
    }

    fn save(&mut self) -> Vec<Cmd> {
        let path = self.origin.save_path();
        // A frame drawn while an edit's history replay was pending would not reproduce.
        let t = self.last_exact.unwrap_or_else(|| self.time());
        let cmd = self.render_args.command(&path, t);
        let text = format!(
            "# Saved by `asciivid preview`. The frame shown at {t:.4} s renders with:\n#   {cmd}\n{}",
            self.preset.to_toml()
        );
        self.message = Some(format!("saved {} · reproduce: {cmd}", path.display()));
        self.origin = Origin::File(path.clone());
        vec![Cmd::Save { path, text }]
    }

    fn cycle_preset(&mut self, dir: i32) -> Vec<Cmd> {
        let all = crate::scene::preset::builtin_presets();
        if all.is_empty() {
            return vec![];
        }
        let cur = match &self.origin {
            Origin::Builtin(n) => all.iter().position(|b| b.name == n),
            Origin::File(_) => None,
        };
        let n = all.len() as i32;
        let next = cur.map_or(0, |i| (i as i32 + dir).rem_euclid(n) as usize);
        let name = all[next].name;
        match crate::scene::preset::resolve(name) {
            Ok(p) => {
                self.origin = Origin::Builtin(name.to_string());
                self.message = Some(format!("preset {name}"));
                self.selected = 0;
                self.replace_preset(p)
            }
            Err(e) => {
                self.message = Some(e.to_string());
                vec![]
            }
        }
    }

    fn cycle_palette(&mut self) -> Vec<Cmd> {
        let layer = self.knob().and_then(knobs::layer_of).unwrap_or(0);
        let knob = Knob::Palette(layer);
        if knobs::step(&mut self.preset, knob, 1, false) {
            let name = self.preset.layers[layer].palette.get_ref().clone();
            self.message = Some(format!("layer {} palette {name}", layer + 1));
            self.edited(Some(knob))
        } else {
            vec![]
        }
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        if key.kind != KeyEventKind::Press && key.kind != KeyEventKind::Repeat {
            return vec![];
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let shift = key.modifiers.contains(KeyModifiers::SHIFT);
        if ctrl && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('q')) {
            self.quit = true;
            return vec![Cmd::Quit];
        }
        if self.help {
            // Any key closes the help (q still quits).
            self.help = false;
            if key.code == KeyCode::Char('q') {
                self.quit = true;
                return vec![Cmd::Quit];
            }
            return vec![];
        }
        if let Some(field) = self.editing {
            return self.on_editor_key(key, field, shift);
        }
        let rows = self.rows.len();
        match key.code {
            KeyCode::Char('q') | KeyCode::Esc => {
                self.quit = true;
                vec![Cmd::Quit]
            }
            KeyCode::Char('?') => {
                self.help = true;
                vec![]
            }
            KeyCode::Char(' ') => {
                self.paused = !self.paused;
                vec![Cmd::Pause(self.paused)]
            }
            KeyCode::Char('[') => vec![Cmd::Seek(-SEEK_STEP)],
            KeyCode::Char(']') => vec![Cmd::Seek(SEEK_STEP)],
            KeyCode::Char('m') | KeyCode::Tab => {
                self.mode = self.mode.toggled();
                vec![Cmd::SetMode(self.mode)]
            }
            _ if !self.show_panel => vec![],
            KeyCode::Down | KeyCode::Char('j') => {
                if rows > 0 {
                    self.selected = (self.selected + 1) % rows;
                }
                vec![]
            }
            KeyCode::Up | KeyCode::Char('k') => {
                if rows > 0 {
                    self.selected = (self.selected + rows - 1) % rows;
                }
                vec![]
            }
            KeyCode::PageDown => {
                self.selected = (self.selected + 10).min(rows.saturating_sub(1));
                vec![]
            }
            KeyCode::PageUp => {
                self.selected = self.selected.saturating_sub(10);
                vec![]
            }
            KeyCode::Left
            | KeyCode::Right
            | KeyCode::Char('h')
            | KeyCode::Char('l')
            | KeyCode::Char('H')
            | KeyCode::Char('L') => {
                let dir = if matches!(
                    key.code,
                    KeyCode::Left | KeyCode::Char('h') | KeyCode::Char('H')
                ) {
                    -1
                } else {
                    1
                };
                let coarse = shift || matches!(key.code, KeyCode::Char('H') | KeyCode::Char('L'));
                let Some(knob) = self.knob() else {
                    return vec![];
                };
                if knobs::step(&mut self.preset, knob, dir, coarse) {
                    self.edited(Some(knob))
                } else {
                    vec![]
                }
            }
            KeyCode::Enter => {
                let Some(knob) = self.knob() else {
                    return vec![];
                };
                match knobs::kind(&self.preset, knob) {
                    Some(Kind::Param { .. }) => {
                        self.editing = Some(0);
                        vec![]
                    }
                    Some(Kind::Toggle) => self.toggle(knob),
                    _ => vec![],
                }
            }
            KeyCode::Char('t') => {
                let Some(knob) = self.knob() else {
                    return vec![];
                };
                self.toggle(knob)
            }
            KeyCode::Char('p') => self.cycle_palette(),
            KeyCode::Char('P') => self.cycle_preset(1),
            KeyCode::Char('s') => self.save(),
            _ => vec![],
        }
    }

    fn toggle(&mut self, knob: Knob) -> Vec<Cmd> {
        if knobs::toggle(&mut self.preset, knob) {
            self.edited(Some(knobs::section(knob)))
        } else {
            vec![]
        }
    }

    fn on_editor_key(&mut self, key: KeyEvent, field: usize, shift: bool) -> Vec<Cmd> {
        let n = knobs::MOD_FIELDS.len();
        match key.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => {
                self.editing = None;
                vec![]
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.editing = Some((field + 1) % n);
                vec![]
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.editing = Some((field + n - 1) % n);
                vec![]
            }
            KeyCode::Left | KeyCode::Right | KeyCode::Char('h') | KeyCode::Char('l') => {
                let dir = if matches!(key.code, KeyCode::Left | KeyCode::Char('h')) {
                    -1
                } else {
                    1
                };
                let Some(knob) = self.knob() else {
                    return vec![];
                };
                let Some(par) = knobs::param_mut(&mut self.preset, knob) else {
                    return vec![];
                };
                knobs::step_modulation(par, field, dir, shift);
                self.edited(Some(knob))
            }
            _ => vec![],
        }
    }
}

/// Apply `msg` to `model`; the returned commands are for the runtime.
pub fn update(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Key(k) => model.on_key(k),
        Msg::Resize(..) => vec![],
        Msg::Frame(f) => {
            model.stats.dropped = f.dropped;
            if f.exact && f.generation == model.generation {
                model.last_exact = Some(f.time);
            }
            model.frame = Some(f);
            vec![]
        }
        Msg::PresetFile(Ok(p)) => {
            let p = normalize(*p);
            model.preset_error = None;
            if p == model.preset {
                return vec![];
            }
            model.message = Some("preset file changed: reloaded".into());
            model.replace_preset(p)
        }
        Msg::PresetFile(Err(e)) => {
            model.preset_error = Some(e);
            vec![]
        }
        Msg::Notice(n) => {
            model.message = Some(n);
            vec![]
        }
        Msg::Ended | Msg::Interrupt => {
            model.quit = true;
            vec![Cmd::Quit]
        }
        Msg::Failed(why) => {
            model.failure = Some(why);
            model.quit = true;
            vec![Cmd::Quit]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::preset::resolve;

    fn model() -> Model {
        let args = RenderArgs {
            input: None,
            bpm: 120.0,
            start: 0.0,
            duration: Some(30.0),
            fps: 30.0,
            width: 960,
            height: 540,
            seed: 7,
        };
        Model::new(
            resolve("default").unwrap(),
            Origin::Builtin("default".into()),
            args,
            true,
        )
    }

    fn key(code: KeyCode) -> Msg {
        Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn shift(code: KeyCode) -> Msg {
        Msg::Key(KeyEvent::new(code, KeyModifiers::SHIFT))
    }

    fn select(m: &mut Model, knob: Knob) {
        m.selected = m.rows.iter().position(|r| r.knob == knob).unwrap();
    }

    #[test]
    fn arrows_and_jk_move_the_selection_and_wrap() {
        let mut m = model();
        assert_eq!(m.selected, 0);
        update(&mut m, key(KeyCode::Char('j')));
        update(&mut m, key(KeyCode::Down));
        assert_eq!(m.selected, 2);
        update(&mut m, key(KeyCode::Char('k')));
        assert_eq!(m.selected, 1);
        update(&mut m, key(KeyCode::Up));
        update(&mut m, key(KeyCode::Up));
        assert_eq!(m.selected, m.rows.len() - 1);
    }

    #[test]
    fn left_right_change_the_value_shift_is_coarse_and_the_scene_is_told() {
        let mut m = model();
        select(&mut m, Knob::Opacity(0));
        let v0 = knobs::param(&m.preset, Knob::Opacity(0)).unwrap().base;
        let cmds = update(&mut m, key(KeyCode::Left));
        assert_eq!(cmds, vec![Cmd::ApplyPreset(Some(Knob::Opacity(0)))]);
        let v1 = knobs::param(&m.preset, Knob::Opacity(0)).unwrap().base;
        assert!((v0 - v1 - 0.01).abs() < 1e-6, "{v0} → {v1}");
        update(&mut m, shift(KeyCode::Right));
        let v2 = knobs::param(&m.preset, Knob::Opacity(0)).unwrap().base;
        assert!((v2 - v1 - 0.1).abs() < 1e-6, "{v1} → {v2}");
        let row = m.rows.iter().find(|r| r.knob == Knob::Opacity(0)).unwrap();
        assert_eq!(row.value, format!("{v2:.3}"));
    }

    #[test]
    fn enter_opens_the_modulation_editor_which_edits_feature_and_amount() {
        let mut m = model();
        select(&mut m, Knob::Opacity(1));
        update(&mut m, key(KeyCode::Enter));
        assert_eq!(m.editing, Some(0));
        update(&mut m, key(KeyCode::Right));
        let p = knobs::param(&m.preset, Knob::Opacity(1)).unwrap();
        assert!(p.feature.is_some());
        update(&mut m, key(KeyCode::Down));
        update(&mut m, key(KeyCode::Right));
        let p2 = knobs::param(&m.preset, Knob::Opacity(1)).unwrap();
        assert!((p2.amount - p.amount - 0.05).abs() < 1e-6);
        update(&mut m, key(KeyCode::Esc));
        assert_eq!(m.editing, None);
        assert!(!m.quit, "Esc closes the editor, not the app");
    }

    #[test]
    fn t_toggles_the_section_p_cycles_palette_and_presets() {
        let mut m = model();
        select(&mut m, Knob::Effect(1, 0));
        let cmds = update(&mut m, key(KeyCode::Char('t')));
        assert!(!m.preset.layers[1].enabled);
        assert_eq!(cmds, vec![Cmd::ApplyPreset(Some(Knob::Layer(1)))]);
        let pal = m.preset.layers[1].palette.get_ref().clone();
        update(&mut m, key(KeyCode::Char('p')));
        assert_ne!(m.preset.layers[1].palette.get_ref(), &pal);
        let cmds = update(&mut m, key(KeyCode::Char('P')));
        assert_eq!(cmds, vec![Cmd::ApplyPreset(None)]);
        assert_ne!(m.origin, Origin::Builtin("default".into()));
    }

    #[test]
    fn transport_keys() {
        let mut m = model();
        assert_eq!(
            update(&mut m, key(KeyCode::Char(' '))),
            vec![Cmd::Pause(true)]
        );
        assert!(m.paused);
        // an edit while paused redraws the frame
        select(&mut m, Knob::Opacity(0));
        assert!(update(&mut m, key(KeyCode::Right)).contains(&Cmd::Redraw));
        assert_eq!(
            update(&mut m, key(KeyCode::Char(']'))),
            vec![Cmd::Seek(SEEK_STEP)]
        );
        assert_eq!(
            update(&mut m, key(KeyCode::Char('['))),
            vec![Cmd::Seek(-SEEK_STEP)]
        );
        assert_eq!(
            update(&mut m, key(KeyCode::Char('m'))),
            vec![Cmd::SetMode(PaneMode::Pixels)]
        );
        update(&mut m, key(KeyCode::Char('?')));
        assert!(m.help);
        update(&mut m, key(KeyCode::Char('x')));
        assert!(!m.help);
        assert_eq!(update(&mut m, key(KeyCode::Char('q'))), vec![Cmd::Quit]);
        assert!(m.quit);
        let mut m = model();
        update(
            &mut m,
            Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        );
        assert!(m.quit);
    }

    #[test]
    fn save_writes_the_preset_with_the_reproducing_command() {
        let mut m = model();
        select(&mut m, Knob::Opacity(0));
        update(&mut m, key(KeyCode::Right));
        let cmds = update(&mut m, key(KeyCode::Char('s')));
        let [Cmd::Save { path, text }] = &cmds[..] else {
            panic!("{cmds:?}")
        };
        assert_eq!(path, &PathBuf::from("default.toml"));
        assert!(text.contains("--bpm 120 --duration 30 --fps 30 --resolution 960x540 --seed 7 --preset default.toml --test-frame 0.0000"), "{text}");
        let back = Preset::parse(text, "saved").unwrap();
        assert_eq!(
            knobs::param(&back, Knob::Opacity(0)),
            knobs::param(&m.preset, Knob::Opacity(0))
        );
        assert_eq!(m.origin, Origin::File(path.clone()));
    }

    #[test]
    fn file_reload_applies_a_valid_edit_and_keeps_state_on_error() {
        let mut m = model();
        let mut p = m.preset.clone();
        knobs::step(&mut p, Knob::Gamma, 1, true);
        let cmds = update(&mut m, Msg::PresetFile(Ok(Box::new(p.clone()))));
        assert_eq!(cmds, vec![Cmd::ApplyPreset(None)]);
        assert_eq!(m.preset.gamma, p.gamma);
        // the same content again (our own save) does nothing
        assert!(update(&mut m, Msg::PresetFile(Ok(Box::new(p.clone())))).is_empty());
        let cmds = update(&mut m, Msg::PresetFile(Err("preset x line 3: bad".into())));
        assert!(cmds.is_empty());
        assert_eq!(m.preset.gamma, p.gamma, "last good state kept");
        assert_eq!(m.preset_error.as_deref(), Some("preset x line 3: bad"));
    }

    #[test]
    fn a_source_failure_quits_and_keeps_the_reason() {
        let mut m = model();
        let cmds = update(&mut m, Msg::Failed("cannot decode x.mkv past 2.0 s".into()));
        assert_eq!(cmds, vec![Cmd::Quit]);
        assert!(m.quit);
        assert_eq!(m.failure.as_deref(), Some("cannot decode x.mkv past 2.0 s"));
        // the normal end is not a failure
        let mut m = model();
        update(&mut m, Msg::Ended);
        assert!(m.quit && m.failure.is_none());
    }

    #[test]
    fn play_mode_ignores_panel_keys() {
        let mut m = model();
        m.show_panel = false;
        assert!(update(&mut m, key(KeyCode::Right)).is_empty());
        assert!(update(&mut m, key(KeyCode::Char('s'))).is_empty());
        assert_eq!(
            update(&mut m, key(KeyCode::Char(' '))),
            vec![Cmd::Pause(true)]
        );
    }
}
