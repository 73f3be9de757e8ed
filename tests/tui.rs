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

    /// The pane is back on the main screen with the cursor shown (`what` names the case).
    fn assert_restored(&self, what: &str) {
        let flag = |f: &str| {
            self.tmux(&["display", "-p", "-t", "t", f])
                .trim()
                .to_string()
        };
        assert_eq!(
            flag("#{alternate_on}"),
            "0",
            "{what}: still on the alternate screen"
        );
        assert_eq!(flag("#{cursor_flag}"), "1", "{what}: cursor hidden");
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
    t.assert_restored("exit");
    let esc = t.capture(true);
    let line = esc.lines().find(|l| l.contains("EXITED")).unwrap();
    assert!(
        !line.contains("38;2") && !line.contains("48;2"),
        "colours leak after exit: {line:?}"
    );
}

#[test]
fn ctrl_c_quits_play_and_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_asciivid");
    clip(dir.path(), "clip.mp4", 20.0);
    let cmd = format!("{bin} play clip.mp4 --color 256; echo EXITED $?; sleep 120");
    let Some(t) = Tmux::start(dir.path(), &cmd, 80, 24) else {
        return;
    };
    t.wait_for("playback", |s| {
        s.contains(" fps │") && !s.contains("0.0 fps")
    });
    let esc = t.capture(true);
    assert!(esc.contains("38;5;"), "256-colour frame expected:\n{esc}");
    t.keys(&["C-c"]);
    t.wait_for("the exit", |s| s.contains("EXITED 0"));
    t.assert_restored("exit");
}

/// A `secs`-second 320×180 25 fps test-pattern clip with a sine soundtrack.
fn clip(dir: &Path, name: &str, secs: f64) -> PathBuf {
    let p = dir.join(name);
    let d = secs.to_string();
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &format!("testsrc2=size=320x180:rate=25:duration={d}"),
        "-f",
        "lavfi",
        "-i",
        &format!("sine=frequency=440:duration={d}"),
        "-shortest",
        p.to_str().unwrap(),
    ]);
    p
}

/// SGR colour parameters used on screen: (16-colour codes, 256-colour, 24-bit) counts.
fn colour_kinds(esc: &str) -> (usize, usize, usize) {
    let (mut c16, mut c256, mut c24) = (0, 0, 0);
    for sgr in esc.split("\x1b[").skip(1) {
        let Some(end) = sgr.find('m') else { continue };
        let params: Vec<&str> = sgr[..end].split(';').collect();
        let mut i = 0;
        while i < params.len() {
            match params[i] {
                "38" | "48" if params.get(i + 1) == Some(&"5") => {
                    c256 += 1;
                    i += 3;
                    continue;
                }
                "38" | "48" if params.get(i + 1) == Some(&"2") => {
                    c24 += 1;
                    i += 5;
                    continue;
                }
                p => {
                    if let Ok(n) = p.parse::<u32>()
                        && ((30..=37).contains(&n)
                            || (40..=47).contains(&n)
                            || (90..=97).contains(&n)
                            || (100..=107).contains(&n))
                    {
                        c16 += 1;
                    }
                }
            }
            i += 1;
        }
    }
    (c16, c256, c24)
}

/// Every line of an asciicast v2 file, checked: header, then `[time, "o", text]` events with
/// non-decreasing times.
fn check_cast(path: &Path) -> (serde_json::Value, Vec<(f64, String)>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(header["version"], 2);
    assert!(header["width"].as_u64().unwrap() > 0 && header["height"].as_u64().unwrap() > 0);
    let events: Vec<(f64, String)> = lines
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let a = v.as_array().expect("event array");
            assert_eq!(a.len(), 3, "{l}");
            assert_eq!(a[1], "o");
            (a[0].as_f64().unwrap(), a[2].as_str().unwrap().to_string())
        })
        .collect();
    assert!(events.windows(2).all(|w| w[0].0 <= w[1].0));
    (header, events)
}

#[test]
fn play_in_tmux_converts_video_in_16_colours_follows_a_resize_records_and_ends_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    clip(dir.path(), "clip.mp4", 8.0);
    let bin = env!("CARGO_BIN_EXE_asciivid");
    let cmd = format!(
        "{bin} play clip.mp4 --color 16 --glyphs edges --record c.cast; echo EXITED $?; sleep 120"
    );
    let Some(t) = Tmux::start(dir.path(), &cmd, 80, 24) else {
        return;
    };
    let s = t.wait_for("video playback", |s| {
        s.contains("cells edges/ascii") && s.contains(" fps │") && !s.contains("0.0 fps")
    });
    // The picture is characters of the palette, with line glyphs where the pattern has edges.
    let pane: String = s.lines().take(23).collect();
    let inked = pane.chars().filter(|c| c.is_ascii_graphic()).count();
    assert!(inked > 600, "only {inked} glyphs:\n{s}");
    assert!(
        pane.contains('|') || pane.contains('-') || pane.contains('/'),
        "no edge glyphs:\n{s}"
    );
    let (c16, c256, c24) = colour_kinds(&t.capture(true));
    assert!(
        c16 > 20 && c256 == 0 && c24 == 0,
        "16-colour output expected: {c16} {c256} {c24}"
    );
    // A bigger terminal: the picture and the status line follow.
    t.tmux(&["resize-window", "-t", "t", "-x", "120", "-y", "36"]);
    let s = t.wait_for("the resize", |s| {
        s.lines().count() >= 36
            && s.lines().nth(35).is_some_and(|l| l.contains(" fps │"))
            && s.lines()
                .any(|l| l.chars().skip(100).any(|c| c.is_ascii_graphic()))
    });
    assert!(s.lines().next().unwrap().chars().count() <= 120);
    // `m`: the same video as half blocks, live.
    t.keys(&["m"]);
    t.wait_for("pixels mode", |s| {
        s.contains("│ pixels │") && s.matches('▀').count() > 1000
    });
    // The end of the clip ends the app, status 0, terminal restored.
    t.wait_for("the exit", |s| s.contains("EXITED 0"));
    assert_eq!(
        t.tmux(&["display", "-p", "-t", "t", "#{alternate_on}"])
            .trim(),
        "0"
    );
    let (header, events) = check_cast(&dir.path().join("c.cast"));
    assert_eq!(header["width"], 80, "the pane at the start");
    assert!(events.len() > 20, "{} events", events.len());
    assert!(
        events
            .iter()
            .any(|(_, o)| o.contains('|') || o.contains('-'))
    );
}

#[test]
fn damaged_files_give_one_line_errors_and_restore_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    // Not media at all: refused before the screen is touched.
    let junk = dir.path().join("junk.mp4");
    std::fs::write(&junk, b"this is not a video at all").unwrap();
    let o = bin()
        .args(["play", "--headless", "80x24"])
        .arg(&junk)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let e = stderr(&o);
    assert_eq!(e.trim().lines().count(), 1, "{e}");
    assert!(e.contains("junk.mp4") && e.contains("cannot read"), "{e}");
    // An unknown palette, likewise.
    clip(dir.path(), "ok.mp4", 1.0);
    let o = run_in(
        dir.path(),
        &[
            "play",
            "--headless",
            "80x24",
            "ok.mp4",
            "--palette",
            "clasic",
        ],
    );
    assert!(!o.status.success());
    let e = stderr(&o);
    assert_eq!(e.trim().lines().count(), 1, "{e}");
    assert!(e.contains("did you mean classic"), "{e}");

    // Cut off mid-stream: the container promises 8 s, the data stops near 2 s. Playback stops
    // there with one error line, after the terminal is back to normal.
    let full = dir.path().join("full.mkv");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x180:rate=25:duration=8",
        "-g",
        "25",
        full.to_str().unwrap(),
    ]);
    let bytes = std::fs::read(&full).unwrap();
    std::fs::write(dir.path().join("cut.mkv"), &bytes[..bytes.len() / 4]).unwrap();
    let bin = env!("CARGO_BIN_EXE_asciivid");
    let cmd = format!("{bin} play cut.mkv --color 256; echo EXITED $?; sleep 120");
    let Some(t) = Tmux::start(dir.path(), &cmd, 80, 24) else {
        return;
    };
    let s = t.wait_for("the error exit", |s| s.contains("EXITED 1"));
    let errors: Vec<&str> = s
        .lines()
        .filter(|l| l.contains("asciivid: error"))
        .collect();
    assert_eq!(errors.len(), 1, "{s}");
    assert!(
        errors[0].contains("cut.mkv") && errors[0].contains("cannot decode"),
        "{s}"
    );
    t.assert_restored("exit");
}

#[test]
fn a_parameter_change_is_on_screen_by_the_next_frame() {
    // The real app (input, render and UI threads) on a headless terminal, with an effect
    // parameter stepped every 0.2 s: each edit must be in the next frame shown, or — when a
    // frame was already being drawn as the key arrived — the one after.
    let o = bin()
        .args(["preview", "--headless", "120x40", "--fps", "30"])
        .args(["--duration", "5", "--headless-edits", "0.2"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let report = stdout(&o);
    let num = |after: &str| -> u64 {
        let i = report
            .find(after)
            .unwrap_or_else(|| panic!("{after} in {report}"));
        report[..i]
            .trim_end()
            .rsplit(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let (edits, seen, stale) = (num(" edits"), num(" seen"), num(" stale frame"));
    assert!(edits >= 15, "{report}");
    // the last edit may come after the last frame
    assert!(seen + 1 >= edits, "{report}");
    assert!(stale <= 1, "{report}");
}

#[test]
fn headless_preview_records_the_pane_as_asciicast() {
    let dir = tempfile::tempdir().unwrap();
    let cast = dir.path().join("s.cast");
    let o = bin()
        .args([
            "preview",
            "--headless",
            "100x30",
            "--duration",
            "1",
            "--fps",
            "20",
        ])
        .args(["--color", "256", "--record", cast.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    // the report: frames, drops, bytes per second, one write per frame
    let report = stdout(&o);
    let frames: usize = report
        .split(" frames")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no frame count in {report:?}"));
    assert!((15..=20).contains(&frames), "{report}");
    assert!(
        report.contains("100x30:") && report.contains("writes/frame"),
        "{report}"
    );
    let text = std::fs::read_to_string(&cast).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["version"], 2);
    // the pane, not the whole screen: narrower than the terminal (the panel takes the rest)
    let w = lines[0]["width"].as_u64().unwrap();
    assert!((40..100).contains(&w), "width {w}");
    assert_eq!(lines.len(), frames + 1, "header + one event per frame");
    let first = lines[1][2].as_str().unwrap();
    assert!(
        first.contains("\x1b[") && first.contains("38;5;"),
        "256-colour output: {first:?}"
    );
    let times: Vec<f64> = lines[1..].iter().map(|l| l[0].as_f64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
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

/// A panic on the UI thread or on the render thread (injected with `ASCIIVID_FAULT`) leaves the
/// terminal restored (main screen, cursor shown) with the panic reported and a failing status.
#[test]
fn panics_restore_the_terminal_and_fail() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_asciivid");
    for (fault, status, says) in [
        (
            "render-panic",
            "EXITED 1",
            "render thread panicked: deliberate render panic",
        ),
        ("ui-panic", "EXITED 101", "panicked"),
    ] {
        let cmd = format!(
            "env -u RUST_BACKTRACE ASCIIVID_FAULT={fault} {bin} preview --color 256; echo EXITED $?; sleep 120"
        );
        let Some(t) = Tmux::start(dir.path(), &cmd, 100, 30) else {
            return;
        };
        let screen = t.wait_for("the exit", |s| s.contains("EXITED"));
        assert!(screen.contains(status), "{fault}: wrong status\n{screen}");
        assert!(
            screen.replace('\n', "").contains(says),
            "{fault}: no report\n{screen}"
        );
        t.assert_restored(fault);
        let esc = t.capture(true);
        let line = esc.lines().find(|l| l.contains("EXITED")).unwrap();
        assert!(!line.contains("38;"), "{fault}: colours leak: {line:?}");
    }
}

/// `play` is for videos: an audio-only file is a one-line error pointing at `preview`, before
/// anything touches the terminal.
#[test]
fn play_of_an_audio_only_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    click_track(dir.path(), "song.wav", 2.0, 120.0);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_asciivid"))
        .args(["play", "song.wav"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("song.wav has no video stream") && err.contains("asciivid preview song.wav"),
        "{err}"
    );
}
