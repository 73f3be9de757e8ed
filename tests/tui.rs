//! End-to-end tests of `preview` / `play`: the real binary in a real terminal (tmux), and the
//! promise that a saved preset renders to the frame the preview showed.

#[allow(dead_code)]
mod util;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use asciivid::glyph::FontChain;
use asciivid::scene::preset::resolve;
use asciivid::tui::knobs::Knob;
use asciivid::tui::model::{Cmd, Model, Msg, Origin, RenderArgs, update};
use asciivid::tui::pane::PaneMode;
use asciivid::tui::render::FrameMsg;
use asciivid::tui::source::SceneSource;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use util::*;

/// A tmux server of our own (its own socket), killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    /// Start `cmd` in a detached `w × h` session, or `None` when tmux is not installed (outside CI).
    fn start(dir: &Path, cmd: &str, w: u16, h: u16) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            assert!(
                std::env::var_os("CI").is_none(),
                "tmux is needed for this test in CI (apt-get install -y tmux)"
            );
            eprintln!("skipping: tmux is not installed (apt-get install -y tmux)");
            return None;
        }
        let socket = format!("asciivid-test-{}-{}", std::process::id(), rand_suffix());
        let t = Tmux { socket };
        let st = Command::new("tmux")
            .args([
                "-L",
                &t.socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "t",
            ])
            .args(["-x", &w.to_string(), "-y", &h.to_string(), "-c"])
            .arg(dir)
            .arg(cmd)
            .status()
            .expect("tmux new-session");
        assert!(st.success());
        Some(t)
    }

    fn tmux(&self, args: &[&str]) -> String {
        let o = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// The screen as text (`escapes`: with colour escape sequences).
    fn capture(&self, escapes: bool) -> String {
        if escapes {
            self.tmux(&["capture-pane", "-p", "-e", "-t", "t"])
        } else {
            self.tmux(&["capture-pane", "-p", "-t", "t"])
        }
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Wait until the screen satisfies `pred`, returning it; panics with the screen on timeout.
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.capture(false);
            if pred(&s) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(30) {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() as u64)
}

/// The panel row of `label`, e.g. "  gamma   0.750".
fn row<'a>(screen: &'a str, label: &str) -> Option<&'a str> {
    screen.lines().find(|l| {
        l.split('│')
            .any(|cell| cell.trim_start().starts_with(label) && cell.starts_with("  "))
    })
}

#[test]
fn preview_in_tmux_draws_tunes_saves_reloads_and_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("look.toml");
    std::fs::write(&preset, resolve("default").unwrap().to_toml()).unwrap();
    let bin = env!("CARGO_BIN_EXE_asciivid");
    let cmd = format!(
        "{bin} preview --preset look.toml --color truecolor --fps 30 --duration 120; echo EXITED $?; sleep 120"
    );
    let Some(t) = Tmux::start(dir.path(), &cmd, 120, 40) else {
        return;
    };

    // It starts: the panel lists the preset, the status line counts frames.
    let s = t.wait_for("the panel and a playing status line", |s| {
        s.contains("tonemap")
            && s.contains("layer 1 plasma")
            && s.contains(" fps │")
            && !s.contains("0.0 fps")
    });
    assert!(row(&s, "gamma").unwrap().contains("0.750"), "{s}");
    // A coloured frame: many distinct 24-bit colours in the pane.
    let esc = t.capture(true);
    let colours: std::collections::HashSet<&str> = esc
        .split("\x1b[")
        .filter(|p| p.starts_with("38;2;"))
        .collect();
    assert!(
        colours.len() > 20,
        "only {} truecolor foregrounds:\n{esc}",
        colours.len()
    );

    // A key changes a parameter: select gamma (second row), coarse step up.
    t.keys(&["j", "L"]);
    let s = t.wait_for("gamma to change", |s| {
        row(s, "gamma").is_some_and(|r| r.contains("1.140"))
    });
    assert!(s.contains("gamma"));

    // `s` saves the preset back to the watched file, with the reproducing command.
    t.keys(&["s"]);
    let start = Instant::now();
    let saved = loop {
        let text = std::fs::read_to_string(&preset).unwrap_or_default();
        if text.contains("gamma = 1.14") {
            break text;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "not saved:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(saved.contains("asciivid render --bpm 120 --duration 120 --fps 30 --resolution 960x540 --seed 1 --preset look.toml --test-frame"), "{saved}");

    // Another editor changes the file (write + rename): the preview reloads it.
    let tmp = dir.path().join(".look.toml.tmp");
    std::fs::write(&tmp, saved.replace("gamma = 1.14", "gamma = 2.0")).unwrap();
    std::fs::rename(&tmp, &preset).unwrap();
    t.wait_for("the external edit to load", |s| {
        row(s, "gamma").is_some_and(|r| r.contains("2.000"))
    });
    // A broken edit shows its error and keeps the last good state.
    std::fs::write(&preset, "layers = [ { effect = \"plasmaa\" } ]\n").unwrap();
    let s = t.wait_for("the error", |s| s.contains("✗ preset"));
    assert!(s.contains("plasmaa"), "{s}");
    assert!(row(&s, "gamma").unwrap().contains("2.000"), "{s}");

    // `q` quits with status 0 and the terminal is restored: main screen, cursor shown, no colours.
    t.keys(&["q"]);
    t.wait_for("the exit", |s| s.contains("EXITED 0"));
    assert_eq!(
        t.tmux(&["display", "-p", "-t", "t", "#{alternate_on}"])
            .trim(),
        "0"
    );
    assert_eq!(
        t.tmux(&["display", "-p", "-t", "t", "#{cursor_flag}"])
            .trim(),
        "1"
    );
    let esc = t.capture(true);
    let line = esc.lines().find(|l| l.contains("EXITED")).unwrap();
    assert!(
        !line.contains("38;2") && !line.contains("48;2"),
        "colours leak after exit: {line:?}"
    );
}

#[test]
fn preview_without_a_terminal_says_so_in_one_line() {
    let o = bin().args(["preview", "--duration", "1"]).output().unwrap();
    assert!(!o.status.success());
    let e = stderr(&o);
    assert_eq!(e.trim().lines().count(), 1, "{e}");
    assert!(e.contains("not a TTY"), "{e}");
}

fn key(code: KeyCode, mods: KeyModifiers) -> Msg {
    Msg::Key(KeyEvent::new(code, mods))
}

/// Play frames `from..to` through the source and tell the model, as the render thread does.
fn play(src: &mut SceneSource, model: &mut Model, from: u64, to: u64, fps: f64) {
    let mut cells = Vec::new();
    for i in from..to {
        src.produce(i, PaneMode::Pixels, 40, 12, &mut cells);
        update(
            model,
            Msg::Frame(Box::new(FrameMsg {
                index: i,
                time: i as f64 / fps,
                generation: model.generation,
                exact: src.exact(),
                ..FrameMsg::default()
            })),
        );
    }
}

/// Run the `asciivid render …` command written into a saved preset, to `out`.
fn run_saved_command(dir: &Path, saved: &str, out: &Path) -> Vec<u8> {
    let line = saved
        .lines()
        .find(|l| l.contains("asciivid render"))
        .expect("command comment");
    let args: Vec<&str> = line
        .trim_start_matches('#')
        .split_whitespace()
        .skip(1)
        .collect();
    let o = bin()
        .current_dir(dir)
        .args(&args)
        .args(["-o", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{line}: {}", stderr(&o));
    let dec = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(out).unwrap()));
    let mut r = dec.read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size().unwrap()];
    let info = r.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    buf
}

#[test]
fn a_saved_preset_renders_to_the_frame_the_preview_showed() {
    // default: stateless effects, edits apply in place; matrix: stateful rain, whose history is
    // replayed after an edit.
    for name in ["default", "matrix"] {
        let dir = tempfile::tempdir().unwrap();
        let (fps, w, h, seed, secs) = (24.0, 320, 180, 5, 3.0);
        let features = Arc::new(asciivid::audio::synthetic_features(120.0, fps, secs, seed));
        let preset = resolve(name).unwrap();
        let path: PathBuf = dir.path().join(format!("{name}.toml"));
        let args = RenderArgs {
            input: None,
            bpm: 120.0,
            start: 0.0,
            duration: Some(secs),
            fps,
            width: w,
            height: h,
            seed,
        };
        let mut model = Model::new(preset, Origin::File(path.clone()), args, true);
        let mut src = SceneSource::new(
            model.preset.clone(),
            features,
            FontChain::bundled(),
            w,
            h,
            seed,
        )
        .unwrap();
        play(&mut src, &mut model, 0, 10, fps);
        // Tune: a coarse step up of layer 2's first effect parameter, down of its opacity.
        for (knob, code) in [
            (Knob::Effect(1, 0), KeyCode::Right),
            (Knob::Opacity(1), KeyCode::Left),
        ] {
            model.selected = model.rows.iter().position(|r| r.knob == knob).unwrap();
            let cmds = update(&mut model, key(code, KeyModifiers::SHIFT));
            assert_eq!(cmds, vec![Cmd::ApplyPreset(Some(knob))], "{name}");
            for cmd in cmds {
                if let Cmd::ApplyPreset(k) = cmd {
                    src.set_preset(model.preset.clone(), k).unwrap();
                }
            }
        }
        play(&mut src, &mut model, 10, 15, fps);
        // What the render thread does once edits settle (a no-op when nothing diverged).
        src.resync();
        play(&mut src, &mut model, 15, 20, fps);
        let shown = src.frame().clone();
        let cmds = update(&mut model, key(KeyCode::Char('s'), KeyModifiers::NONE));
        let Some(Cmd::Save { path: p, text }) = cmds.into_iter().next() else {
            panic!("no save")
        };
        std::fs::write(&p, &text).unwrap();
        assert!(
            text.contains("--test-frame 0.7917"),
            "{name}: frame 19 at 24 fps\n{text}"
        );
        let rendered = run_saved_command(dir.path(), &text, &dir.path().join("t.png"));
        assert_eq!(rendered.len(), shown.data.len(), "{name}");
        assert!(
            rendered == shown.data,
            "{name}: render --test-frame differs from the preview's frame"
        );
    }
}
