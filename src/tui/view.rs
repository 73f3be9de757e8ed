//! Drawing the [`Model`]: the video pane, the parameter panel, the audio meters, the status
//! line, and the help and modulation overlays. Nothing here changes state.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget};

use super::knobs;
use super::model::Model;
use super::pane::PaneImage;
use crate::term::Ink;

/// Width of the parameter panel.
const PANEL_W: u16 = 42;
/// Height of the meters box.
const METERS_H: u16 = 5;

/// Where each part of the screen goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Areas {
    /// The video pane.
    pub pane: Rect,
    /// The parameter list.
    pub panel: Option<Rect>,
    /// The audio meters.
    pub meters: Option<Rect>,
    /// The status line.
    pub status: Rect,
}

/// Split the screen.
pub fn areas(area: Rect, show_panel: bool) -> Areas {
    let [main, status] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    if !show_panel {
        return Areas {
            pane: main,
            panel: None,
            meters: None,
            status,
        };
    }
    let w = PANEL_W.min(main.width / 2);
    let [pane, side] = Layout::horizontal([Constraint::Min(1), Constraint::Length(w)]).areas(main);
    let mh = METERS_H.min(side.height / 3);
    let [panel, meters] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(mh)]).areas(side);
    Areas {
        pane,
        panel: Some(panel),
        meters: (mh > 0).then_some(meters),
        status,
    }
}

fn color(ink: Ink) -> Color {
    match ink {
        Ink::Default => Color::Reset,
        Ink::Index(n) => Color::Indexed(n),
        Ink::Rgb(r, g, b) => Color::Rgb(r, g, b),
    }
}

/// The picture, centred in its area (black around it).
struct Pane<'a>(&'a PaneImage);

impl Widget for Pane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let img = self.0;
        let black = Color::Rgb(0, 0, 0);
        for y in area.top()..area.bottom() {
            for x in area.left()..area.right() {
                buf[(x, y)].set_char(' ').set_fg(black).set_bg(black);
            }
        }
        let (cols, rows) = (img.cols.min(area.width), img.rows.min(area.height));
        let x0 = area.x + (area.width - cols) / 2;
        let y0 = area.y + (area.height - rows) / 2;
        for y in 0..rows {
            let row = &img.cells[y as usize * img.cols as usize..][..cols as usize];
            for (x, c) in row.iter().enumerate() {
                buf[(x0 + x as u16, y0 + y)]
                    .set_char(c.ch)
                    .set_fg(color(c.fg))
                    .set_bg(color(c.bg));
            }
        }
    }
}

fn panel(m: &Model, area: Rect, f: &mut Frame) {
    let title = format!(
        " {} ",
        if m.preset.name.is_empty() {
            "preset"
        } else {
            &m.preset.name
        }
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title)
        .title_bottom(" ? help ");
    let inner = block.inner(area);
    f.render_widget(block, area);
    let h = inner.height as usize;
    // Keep the selection in view, a few rows from the edge.
    let top = m
        .selected
        .saturating_sub(h.saturating_sub(1) / 2)
        .min(m.rows.len().saturating_sub(h));
    let w = inner.width as usize;
    let lines: Vec<Line> = m
        .rows
        .iter()
        .enumerate()
        .skip(top)
        .take(h)
        .map(|(i, r)| {
            let pad = w.saturating_sub(r.label.chars().count() + r.value.chars().count() + 1);
            let text = format!("{}{} {}", r.label, " ".repeat(pad), r.value);
            let mut style = Style::default();
            if r.header {
                style = style.add_modifier(Modifier::BOLD).fg(Color::Cyan);
            }
            if !r.active {
                style = style.fg(Color::DarkGray);
            } else if r.modulated && !r.header {
                style = style.fg(Color::Yellow);
            }
            if i == m.selected {
                style = style.add_modifier(Modifier::REVERSED);
            }
            Line::styled(text, style)
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

const LEVELS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

fn meters(m: &Model, area: Rect, f: &mut Frame) {
    let block = Block::default().borders(Borders::ALL).title(" audio ");
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(mt) = m.frame.as_ref().and_then(|fr| fr.meters) else {
        f.render_widget(Paragraph::new("no audio features"), inner);
        return;
    };
    let names = ["sub", "bas", "lom", "mid", "him", "hi "];
    let mut top = Vec::new();
    let mut bottom = Vec::new();
    let mut labels = Vec::new();
    for (v, name) in mt.bands.iter().zip(names) {
        // Two rows of eighth blocks: 16 levels.
        let lv = (v.clamp(0.0, 1.0) * 16.0).round() as usize;
        let lo = LEVELS[lv.min(8)];
        let hi = LEVELS[lv.saturating_sub(8)];
        let style = Style::default().fg(Color::Green);
        top.push(Span::styled(format!(" {hi}{hi} "), style));
        bottom.push(Span::styled(format!(" {lo}{lo} "), style));
        labels.push(Span::raw(format!("{name} ")));
    }
    let beat = if mt.beat > 0.5 {
        "●"
    } else if mt.beat > 0.2 {
        "•"
    } else {
        "·"
    };
    let beat_style = Style::default().fg(if mt.beat > 0.5 {
        Color::LightRed
    } else {
        Color::DarkGray
    });
    top.push(Span::styled(
        format!(" {beat}"),
        beat_style.add_modifier(Modifier::BOLD),
    ));
    if mt.bpm > 0.0 {
        bottom.push(Span::raw(format!(" {:.0} BPM", mt.bpm)));
    }
    let lines = vec![Line::from(top), Line::from(bottom), Line::from(labels)];
    f.render_widget(Paragraph::new(lines), inner);
}

fn clock(t: f64) -> String {
    let t = t.max(0.0);
    format!("{}:{:04.1}", (t / 60.0).floor() as u64, t % 60.0)
}

fn human_rate(b: f64) -> String {
    if b >= 1e6 {
        format!("{:.2} MB/s", b / 1e6)
    } else {
        format!("{:.0} kB/s", b / 1e3)
    }
}

fn status(m: &Model, area: Rect, f: &mut Frame) {
    let sep = Span::styled(" │ ", Style::default().fg(Color::DarkGray));
    let mut spans = Vec::new();
    if let Some(e) = &m.preset_error {
        spans.push(Span::styled(
            format!("✗ {e}"),
            Style::default().fg(Color::White).bg(Color::Red),
        ));
        spans.push(sep.clone());
    }
    let state = if m.paused { "❚❚" } else { "▶" };
    spans.push(Span::raw(format!(
        "{state} {}/{}",
        clock(m.time()),
        clock(m.duration)
    )));
    for part in [
        format!("{:.1} fps", m.stats.fps),
        format!("drop {}", m.stats.dropped),
        human_rate(m.stats.bytes_per_sec),
        match (&m.look, m.mode) {
            (Some(look), super::pane::PaneMode::Cells) => format!("cells {look}"),
            _ => m.mode.name().to_string(),
        },
        m.color.clone(),
    ] {
        spans.push(sep.clone());
        spans.push(Span::raw(part));
    }
    if let Some(n) = &m.notice {
        spans.push(sep.clone());
        spans.push(Span::styled(n.clone(), Style::default().fg(Color::Yellow)));
    }
    if let Some(msg) = &m.message {
        spans.push(sep.clone());
        spans.push(Span::styled(msg.clone(), Style::default().fg(Color::Cyan)));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The keys, as the `?` overlay lists them.
pub const HELP: &[(&str, &str)] = &[
    ("j/k ↑/↓", "select a parameter"),
    ("←/→ h/l", "change it (shift or H/L: coarse)"),
    (
        "enter",
        "edit its modulation (feature, amount, attack, release)",
    ),
    ("t", "toggle the layer / shader / feedback"),
    ("p", "next character palette of the layer"),
    ("P", "next built-in preset"),
    ("m / tab", "cells ↔ pixels pane"),
    ("space", "pause"),
    ("[ ]", "seek −5 s / +5 s"),
    ("s", "save the preset (prints how to render it)"),
    ("?", "this help"),
    ("q / esc", "quit"),
];

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn help(area: Rect, f: &mut Frame) {
    let r = centered(area, 66, HELP.len() as u16 + 2);
    let lines: Vec<Line> = HELP
        .iter()
        .map(|(k, d)| {
            Line::from(vec![
                Span::styled(
                    format!(" {k:<10}"),
                    Style::default()
                        .fg(Color::Cyan)
                        .add_modifier(Modifier::BOLD),
                ),
                Span::raw(*d),
            ])
        })
        .collect();
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(" keys ")),
        r,
    );
}

fn editor(m: &Model, field: usize, area: Rect, f: &mut Frame) {
    let Some(knob) = m.knob() else { return };
    let Some(par) = knobs::param(&m.preset, knob) else {
        return;
    };
    let label = m.rows.get(m.selected).map_or("", |r| r.label.trim());
    let r = centered(area, 40, 6);
    let lines: Vec<Line> = knobs::MOD_FIELDS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let text = format!(" {name:<8} {}", knobs::modulation_value(&par, i));
            let st = if i == field {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            };
            Line::styled(text, st)
        })
        .collect();
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" modulate {label} "))
                .title_bottom(" ←/→ change · enter done "),
        ),
        r,
    );
}

/// Draw everything.
pub fn view(m: &Model, f: &mut Frame) {
    let a = areas(f.area(), m.show_panel);
    match m.frame.as_ref() {
        Some(fr) => f.render_widget(Pane(&fr.image), a.pane),
        None => f.render_widget(Paragraph::new("starting…"), a.pane),
    }
    if let Some(p) = a.panel {
        panel(m, p, f);
    }
    if let Some(r) = a.meters {
        meters(m, r, f);
    }
    status(m, a.status, f);
    if let Some(field) = m.editing {
        editor(m, field, a.panel.unwrap_or(a.pane), f);
    }
    if m.help {
        help(f.area(), f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::preset::resolve;
    use crate::term::TCell;
    use crate::tui::model::{Msg, Origin, RenderArgs, update};
    use crate::tui::render::FrameMsg;
    use crate::tui::source::Meters;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn model() -> Model {
        let args = RenderArgs {
            duration: Some(60.0),
            fps: 30.0,
            width: 960,
            height: 540,
            seed: 1,
            bpm: 120.0,
            ..RenderArgs::default()
        };
        let mut m = Model::new(
            resolve("default").unwrap(),
            Origin::Builtin("default".into()),
            args,
            true,
        );
        m.duration = 60.0;
        m.color = "truecolor".into();
        m.stats.fps = 30.0;
        m.stats.bytes_per_sec = 1.5e6;
        let cells = (0..16 * 4)
            .map(|i| TCell::rgb(if i % 2 == 0 { '#' } else { '.' }, [200, 40, 90], [0, 0, 0]))
            .collect();
        update(
            &mut m,
            Msg::Frame(Box::new(FrameMsg {
                image: PaneImage {
                    cols: 16,
                    rows: 4,
                    cells,
                },
                index: 375,
                time: 12.5,
                dropped: 2,
                render_ms: 3.0,
                meters: Some(Meters {
                    bands: [1.0, 0.8, 0.5, 0.3, 0.1, 0.0],
                    beat: 0.9,
                    bpm: 124.0,
                }),
                generation: 0,
                exact: true,
            })),
        );
        m
    }

    fn lines(m: &Model, w: u16, h: u16) -> (Vec<String>, Buffer) {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| view(m, f)).unwrap();
        let buf = t.backend().buffer().clone();
        let lines = (0..h)
            .map(|y| {
                (0..w)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
            })
            .collect();
        (lines, buf)
    }

    /// Compare with a stored snapshot; `UPDATE_SNAPSHOTS=1` rewrites it.
    fn snapshot(name: &str, lines: &[String]) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/tui/snapshots")
            .join(name);
        let text = lines.join("\n") + "\n";
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() || !path.exists() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &text).unwrap();
        }
        let want = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text, want,
            "snapshot {name} differs (UPDATE_SNAPSHOTS=1 to accept)"
        );
    }

    #[test]
    fn main_screen_snapshot() {
        let m = model();
        let (l, buf) = lines(&m, 100, 30);
        snapshot("preview_100x30.txt", &l);
        // the picture is centred in the pane, in colour
        let pane = areas(Rect::new(0, 0, 100, 30), true).pane;
        let (x0, y0) = (
            pane.x + (pane.width - 16) / 2,
            pane.y + (pane.height - 4) / 2,
        );
        assert_eq!(buf[(x0, y0)].symbol(), "#");
        assert_eq!(buf[(x0, y0)].fg, Color::Rgb(200, 40, 90));
        // the selected (first) row is highlighted, the status line has the numbers
        assert!(l[1].contains("tonemap"));
        let sel = l[1].find("tonemap").unwrap() as u16;
        assert!(buf[(sel, 1)].modifier.contains(Modifier::REVERSED));
        let status = &l[29];
        for want in [
            "0:12.5/1:00.0",
            "30.0 fps",
            "drop 2",
            "1.50 MB/s",
            "cells",
            "truecolor",
        ] {
            assert!(status.contains(want), "{want} not in {status:?}");
        }
        assert!(l.iter().any(|r| r.contains("124 BPM")));
    }

    #[test]
    fn a_key_changes_the_value_on_screen() {
        let mut m = model();
        let (before, _) = lines(&m, 100, 30);
        update(
            &mut m,
            Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)),
        );
        update(
            &mut m,
            Msg::Key(KeyEvent::new(KeyCode::Right, KeyModifiers::SHIFT)),
        );
        let (after, _) = lines(&m, 100, 30);
        assert!(
            before[2].contains("gamma") && before[2].contains("0.750"),
            "{}",
            before[2]
        );
        assert!(after[2].contains("1.140"), "{}", after[2]);
    }

    #[test]
    fn help_and_modulation_overlays_snapshot() {
        let mut m = model();
        m.help = true;
        let (l, _) = lines(&m, 100, 30);
        snapshot("help_100x30.txt", &l);
        assert!(l.iter().any(|r| r.contains("seek −5 s / +5 s")));
        m.help = false;
        m.selected = 1;
        m.editing = Some(1);
        let (l, _) = lines(&m, 100, 30);
        snapshot("modulation_100x30.txt", &l);
        assert!(l.iter().any(|r| r.contains("modulate gamma")));
        assert!(l.iter().any(|r| r.contains("feature  none")));
    }

    #[test]
    fn play_screen_is_all_picture_with_the_conversion_in_the_status_line() {
        let mut m = model();
        m.show_panel = false;
        m.look = Some("ramp/ascii".into());
        let (l, _) = lines(&m, 100, 30);
        assert!(l[29].contains("│ cells ramp/ascii │"), "{}", l[29]);
        assert!(!l.iter().any(|r| r.contains("tonemap")), "no panel in play");
        assert_eq!(areas(Rect::new(0, 0, 100, 30), false).pane.width, 100);
        // pixels mode names itself alone
        m.mode = crate::tui::pane::PaneMode::Pixels;
        let (l, _) = lines(&m, 100, 30);
        assert!(l[29].contains("│ pixels │"), "{}", l[29]);
    }

    #[test]
    fn tiny_terminals_do_not_panic() {
        let m = model();
        for (w, h) in [(1, 1), (5, 3), (20, 4), (300, 2)] {
            lines(&m, w, h);
        }
    }
}
