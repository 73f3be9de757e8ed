//! A ratatui backend that renders through [`Screen`]: ratatui's own buffer diff narrows the
//! cells handed over, the screen diff drops the ones the terminal already shows, and every frame
//! leaves in one `write` inside a synchronized update.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

use super::cell::TCell;
use super::color::ColorMode;
use super::screen::Screen;

/// Where the backend learns the terminal size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeSource {
    /// Ask the terminal (ioctl) on every frame.
    Terminal,
    /// A fixed size (headless benchmarks, tests).
    Fixed(u16, u16),
}

/// Bytes and writes that went to the terminal, shared with whoever shows statistics.
#[derive(Debug, Default)]
pub struct Traffic {
    /// Bytes written.
    pub bytes: AtomicU64,
    /// `write` calls (one per frame that changed anything).
    pub writes: AtomicU64,
}

/// The ratatui backend.
pub struct SinkBackend<W: Write> {
    screen: Screen,
    writer: W,
    out: Vec<u8>,
    /// Sequences for the start of the next frame (a clear).
    before: Vec<u8>,
    /// Sequences for the end of the next frame (cursor visibility and position).
    extra: Vec<u8>,
    size: SizeSource,
    traffic: Arc<Traffic>,
    /// Cursor visibility as the terminal has it (ratatui asks every frame; say it once).
    cursor_hidden: Option<bool>,
}

impl<W: Write> SinkBackend<W> {
    /// A backend writing to `writer` in colour `mode`.
    pub fn new(writer: W, mode: ColorMode, size: SizeSource) -> io::Result<Self> {
        let (w, h) = match size {
            SizeSource::Fixed(w, h) => (w, h),
            SizeSource::Terminal => ratatui::crossterm::terminal::size()?,
        };
        Ok(SinkBackend {
            screen: Screen::new(w, h, mode),
            writer,
            out: Vec::with_capacity(1 << 16),
            before: Vec::new(),
            extra: Vec::new(),
            size,
            traffic: Arc::new(Traffic::default()),
            cursor_hidden: None,
        })
    }

    /// Shared traffic counters.
    pub fn traffic(&self) -> Arc<Traffic> {
        self.traffic.clone()
    }

    /// Skip redrawing 24-bit colour changes up to `tol` per channel (see [`Screen::tolerance`]).
    pub fn set_tolerance(&mut self, tol: u8) {
        self.screen.tolerance = tol;
    }

    /// The writer (tests read what was written).
    pub fn writer(&self) -> &W {
        &self.writer
    }

    /// The writer, mutably (tests clear it between frames).
    pub fn writer_mut(&mut self) -> &mut W {
        &mut self.writer
    }

    /// Change the fixed size of a headless backend.
    pub fn set_fixed_size(&mut self, w: u16, h: u16) {
        self.size = SizeSource::Fixed(w, h);
    }

    fn current_size(&self) -> io::Result<(u16, u16)> {
        match self.size {
            SizeSource::Fixed(w, h) => Ok((w, h)),
            SizeSource::Terminal => ratatui::crossterm::terminal::size(),
        }
    }
}

impl<W: Write> Backend for SinkBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        for (x, y, c) in content {
            self.screen.set(x, y, TCell::from(c));
        }
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.cursor_hidden != Some(true) {
            self.extra.extend_from_slice(b"\x1b[?25l");
            self.cursor_hidden = Some(true);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if self.cursor_hidden != Some(false) {
            self.extra.extend_from_slice(b"\x1b[?25h");
            self.cursor_hidden = Some(false);
        }
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        let (x, y) = self.screen.encoder().cursor().unwrap_or((0, 0));
        Ok(Position { x, y })
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let p = position.into();
        let mut buf = std::mem::take(&mut self.extra);
        self.screen.encoder().move_to(&mut buf, p.x, p.y);
        self.extra = buf;
        Ok(())
    }

    fn clear(&mut self) -> io::Result<()> {
        let (w, h) = self.current_size()?;
        self.screen.resize(w, h);
        self.before.clear();
        self.before.extend_from_slice(b"\x1b[0m\x1b[2J");
        self.screen.encoder().invalidate();
        self.screen.cleared();
        Ok(())
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        match clear_type {
            ClearType::All => self.clear(),
            // ratatui only clears regions for inline viewports, which this app does not use;
            // forgetting the screen makes the next frame correct whatever was erased.
            _ => {
                self.before.extend_from_slice(match clear_type {
                    ClearType::AfterCursor => b"\x1b[0J",
                    ClearType::BeforeCursor => b"\x1b[1J",
                    ClearType::CurrentLine => b"\x1b[2K",
                    ClearType::UntilNewLine => b"\x1b[0K",
                    ClearType::All => b"",
                });
                self.screen.invalidate();
                Ok(())
            }
        }
    }

    fn size(&self) -> io::Result<Size> {
        let (w, h) = self.current_size()?;
        Ok(Size {
            width: w,
            height: h,
        })
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        let (w, h) = self.current_size()?;
        Ok(WindowSize {
            columns_rows: Size {
                width: w,
                height: h,
            },
            pixels: Size {
                width: 0,
                height: 0,
            },
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        let (w, h) = self.current_size()?;
        if (w, h) != self.screen.size() {
            self.screen.resize(w, h);
        }
        self.out.clear();
        let extra = std::mem::take(&mut self.extra);
        let before = std::mem::take(&mut self.before);
        self.screen.flush_with(&mut self.out, &before, &extra);
        self.extra = extra;
        self.extra.clear();
        self.before = before;
        self.before.clear();
        if self.out.is_empty() {
            return Ok(());
        }
        self.writer.write_all(&self.out)?;
        self.writer.flush()?;
        self.traffic
            .bytes
            .fetch_add(self.out.len() as u64, Ordering::Relaxed);
        self.traffic.writes.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::style::{Color, Style};
    use ratatui::widgets::Paragraph;

    /// Counts write calls so the test can check "one write per frame".
    #[derive(Default)]
    struct Sink {
        data: Vec<u8>,
        writes: usize,
    }

    impl Write for Sink {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.data.extend_from_slice(b);
            self.writes += 1;
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_frame_is_one_write_wrapped_in_bsu_esu_and_unchanged_frames_write_nothing() {
        let be = SinkBackend::new(
            Sink::default(),
            ColorMode::TrueColor,
            SizeSource::Fixed(20, 3),
        )
        .unwrap();
        let mut term = Terminal::new(be).unwrap();
        let draw = |term: &mut Terminal<SinkBackend<Sink>>, text: &str| {
            term.draw(|f| {
                let p = Paragraph::new(text.to_string())
                    .style(Style::default().fg(Color::Rgb(9, 8, 7)));
                f.render_widget(p, f.area());
            })
            .unwrap();
        };
        term.clear().unwrap();
        draw(&mut term, "hello");
        let s = String::from_utf8(term.backend().writer().data.clone()).unwrap();
        assert_eq!(term.backend().writer().writes, 1);
        // the clear is part of the same frame, ahead of the cells it would otherwise erase
        let clear = s.find("\x1b[2J").expect("clear sent");
        assert!(clear < s.find("hello").unwrap(), "{s:?}");
        assert!(
            s.starts_with("\x1b[?2026h") && s.ends_with("\x1b[?2026l"),
            "{s:?}"
        );
        assert!(s.contains("38;2;9;8;7") && s.contains("hello"));
        term.backend_mut().writer_mut().data.clear();
        draw(&mut term, "hello");
        assert_eq!(
            term.backend().writer().writes,
            1,
            "an unchanged frame writes nothing"
        );
        draw(&mut term, "hallo");
        let s = String::from_utf8(term.backend().writer().data.clone()).unwrap();
        assert_eq!(term.backend().writer().writes, 2);
        // only the changed letter is sent
        assert!(s.contains('a') && !s.contains("llo"), "{s:?}");
    }
}
