//! A double-buffered screen: cells are written into the next frame, and [`Screen::flush_into`]
//! emits only the cells that differ from what the terminal already shows, wrapped in a
//! synchronized update so the frame appears at once.

use super::cell::TCell;
use super::color::ColorMode;
use super::encode::{BSU, ESU, Encoder};

/// Gaps of unchanged cells up to this long are reprinted instead of skipped with a cursor move
/// when they have the attributes already set (a 1-byte character beats a 3–4 byte `CUF`).
const REPRINT_GAP: u16 = 3;

/// What the terminal shows (`shown`) and what the next frame should show (`next`).
#[derive(Clone, Debug)]
pub struct Screen {
    width: u16,
    height: u16,
    shown: Vec<TCell>,
    next: Vec<TCell>,
    /// `shown` is not trustworthy (first frame, after a clear): redraw everything.
    full: bool,
    /// Wrap frames in BSU/ESU.
    pub sync: bool,
    /// 24-bit colour changes of at most this much per channel are not redrawn (0: exact). The
    /// shown colour never strays further than this from the wanted one.
    pub tolerance: u8,
    enc: Encoder,
}

#[inline]
fn close(a: super::cell::Ink, b: super::cell::Ink, tol: u8) -> bool {
    use super::cell::Ink;
    match (a, b) {
        (Ink::Rgb(r1, g1, b1), Ink::Rgb(r2, g2, b2)) => {
            r1.abs_diff(r2) <= tol && g1.abs_diff(g2) <= tol && b1.abs_diff(b2) <= tol
        }
        _ => a == b,
    }
}

/// True when the terminal showing `shown` needs no redraw to show `want`.
#[inline]
fn same_enough(want: &TCell, shown: &TCell, tol: u8) -> bool {
    if want == shown {
        return true;
    }
    tol > 0
        && want.ch == shown.ch
        && want.attrs == shown.attrs
        && close(want.bg, shown.bg, tol)
        && (want.is_space() || close(want.fg, shown.fg, tol))
}

/// Counters of one flush.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlushStats {
    /// Cells written.
    pub cells: usize,
    /// Bytes appended.
    pub bytes: usize,
}

impl Screen {
    /// A screen of `width × height` cells in colour `mode`; the first flush redraws everything.
    pub fn new(width: u16, height: u16, mode: ColorMode) -> Screen {
        let n = width as usize * height as usize;
        Screen {
            width,
            height,
            shown: vec![TCell::BLANK; n],
            next: vec![TCell::BLANK; n],
            full: true,
            sync: true,
            tolerance: 0,
            enc: Encoder::new(mode, width),
        }
    }

    /// Size in cells.
    pub fn size(&self) -> (u16, u16) {
        (self.width, self.height)
    }

    /// The colour mode.
    pub fn mode(&self) -> ColorMode {
        self.enc.mode()
    }

    /// Change the size; the next flush redraws everything.
    pub fn resize(&mut self, width: u16, height: u16) {
        if (width, height) == (self.width, self.height) {
            return;
        }
        let n = width as usize * height as usize;
        self.width = width;
        self.height = height;
        self.shown.clear();
        self.shown.resize(n, TCell::BLANK);
        self.next.clear();
        self.next.resize(n, TCell::BLANK);
        self.enc.set_width(width);
        self.full = true;
    }

    /// The terminal was cleared (to blanks in default colours) by someone else.
    pub fn cleared(&mut self) {
        self.shown.fill(TCell::BLANK);
        self.enc.invalidate();
    }

    /// Forget what the terminal shows: the next flush redraws every cell.
    pub fn invalidate(&mut self) {
        self.full = true;
        self.enc.invalidate();
    }

    /// Set a cell of the next frame (outside the screen: ignored). Colours are quantized here,
    /// so two colours the terminal cannot tell apart never cause a redraw.
    #[inline]
    pub fn set(&mut self, x: u16, y: u16, cell: TCell) {
        if x < self.width && y < self.height {
            let i = y as usize * self.width as usize + x as usize;
            self.next[i] = cell.quantize(self.enc.mode());
        }
    }

    /// Set a whole row-major frame of the screen's size (a shorter slice sets what it covers).
    pub fn set_all(&mut self, cells: &[TCell]) {
        let mode = self.enc.mode();
        for (d, s) in self.next.iter_mut().zip(cells) {
            *d = s.quantize(mode);
        }
    }

    /// The next frame's cell at (x, y).
    pub fn get(&self, x: u16, y: u16) -> Option<&TCell> {
        (x < self.width && y < self.height)
            .then(|| &self.next[y as usize * self.width as usize + x as usize])
    }

    /// The encoder (to add cursor commands between frames).
    pub fn encoder(&mut self) -> &mut Encoder {
        &mut self.enc
    }

    /// Append the escape sequences that turn the shown frame into the next one to `out`
    /// (nothing at all when nothing changed), with `extra` (cursor commands) inside the update.
    pub fn flush_into(&mut self, out: &mut Vec<u8>, extra: &[u8]) -> FlushStats {
        self.flush_with(out, b"", extra)
    }

    /// [`Screen::flush_into`] with `before` (a clear) emitted ahead of the cells.
    pub fn flush_with(&mut self, out: &mut Vec<u8>, before: &[u8], extra: &[u8]) -> FlushStats {
        let start = out.len();
        let w = self.width as usize;
        let mut cells = 0;
        let mut began = false;
        if !before.is_empty() {
            if self.sync {
                out.extend_from_slice(BSU);
            }
            out.extend_from_slice(before);
            began = true;
        }
        for y in 0..self.height {
            let row = y as usize * w;
            let mut last_written: Option<u16> = None;
            for x in 0..self.width {
                let i = row + x as usize;
                let cell = self.next[i];
                if !self.full && same_enough(&cell, &self.shown[i], self.tolerance) {
                    continue;
                }
                if !began {
                    began = true;
                    if self.sync {
                        out.extend_from_slice(BSU);
                    }
                }
                if let Some(lx) = last_written {
                    self.bridge_gap(out, row, lx + 1, x, y);
                }
                self.enc.put(out, x, y, &cell);
                self.shown[i] = cell;
                cells += 1;
                last_written = Some(x);
            }
        }
        self.full = false;
        if !extra.is_empty() {
            if !began && self.sync {
                out.extend_from_slice(BSU);
            }
            began = true;
            out.extend_from_slice(extra);
        }
        if began && self.sync {
            out.extend_from_slice(ESU);
        }
        FlushStats {
            cells,
            bytes: out.len() - start,
        }
    }

    /// Between two changed cells of a row, reprint a short run of unchanged cells when that is
    /// cheaper than a cursor move (same attributes, narrow characters).
    fn bridge_gap(&mut self, out: &mut Vec<u8>, row: usize, from: u16, to: u16, y: u16) {
        let gap = to.saturating_sub(from);
        if gap == 0 || gap > REPRINT_GAP || self.enc.cursor() != Some((from, y)) {
            return;
        }
        let same = (from..to).all(|x| {
            let c = &self.shown[row + x as usize];
            c.is_ascii_printable() && self.enc.would_not_change_style(c)
        });
        if same {
            for x in from..to {
                let c = self.shown[row + x as usize];
                self.enc.print(out, c.ch);
            }
        }
    }
}

impl TCell {
    #[inline]
    fn is_ascii_printable(&self) -> bool {
        self.ch.is_ascii_graphic() || self.ch == ' '
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::term::cell::Ink;

    fn text(b: &[u8]) -> String {
        String::from_utf8_lossy(b).replace('\x1b', "␛")
    }

    fn red(ch: char) -> TCell {
        TCell::rgb(ch, [255, 0, 0], [0, 0, 0])
    }

    #[test]
    fn second_identical_frame_emits_nothing() {
        let mut s = Screen::new(4, 2, ColorMode::TrueColor);
        s.set_all(&[red('a'); 8]);
        let mut out = Vec::new();
        let st = s.flush_into(&mut out, b"");
        assert_eq!(st.cells, 8);
        out.clear();
        s.set_all(&[red('a'); 8]);
        let st = s.flush_into(&mut out, b"");
        assert_eq!(st, FlushStats { cells: 0, bytes: 0 });
        assert!(out.is_empty(), "{}", text(&out));
    }

    #[test]
    fn only_changed_cells_are_written_inside_bsu_esu() {
        let mut s = Screen::new(8, 3, ColorMode::TrueColor);
        s.set_all(&[red('a'); 24]);
        let mut out = Vec::new();
        s.flush_into(&mut out, b"");
        out.clear();
        s.set(6, 1, red('Z'));
        s.set(2, 2, TCell::rgb('Q', [0, 255, 0], [0, 0, 0]));
        let st = s.flush_into(&mut out, b"");
        assert_eq!(st.cells, 2);
        let t = text(&out);
        assert_eq!(t, "␛[?2026h␛[2;7HZ␛[3;3H␛[38;2;0;255;0mQ␛[?2026l");
    }

    #[test]
    fn no_sgr_is_repeated_across_a_full_frame() {
        let mut s = Screen::new(50, 10, ColorMode::TrueColor);
        let mut cells = Vec::new();
        for i in 0..500 {
            // runs of 5 equal colours
            let v = ((i / 5) % 7 * 30) as u8;
            cells.push(TCell::rgb('#', [v, 100, 200], [0, 0, 0]));
        }
        s.set_all(&cells);
        let mut out = Vec::new();
        s.flush_into(&mut out, b"");
        let t = String::from_utf8(out).unwrap();
        let sgrs: Vec<&str> = t
            .split('\x1b')
            .filter(|p| p.ends_with('m') || p.contains('m'))
            .collect();
        // one colour change per run, never two SGRs in a row for the same colour
        let runs = 100;
        assert!(
            sgrs.len() <= runs + 1,
            "{} SGRs for {runs} runs",
            sgrs.len()
        );
        for w in sgrs.windows(2) {
            assert_ne!(w[0], w[1], "repeated SGR");
        }
    }

    #[test]
    fn short_gaps_are_reprinted_long_gaps_skipped() {
        let mut s = Screen::new(20, 1, ColorMode::TrueColor);
        s.set_all(&[red('a'); 20]);
        let mut out = Vec::new();
        s.flush_into(&mut out, b"");
        out.clear();
        s.set(0, 0, red('b'));
        s.set(3, 0, red('c'));
        s.set(15, 0, red('d'));
        s.flush_into(&mut out, b"");
        assert_eq!(text(&out), "␛[?2026h\rbaac␛[11Cd␛[?2026l");
    }

    #[test]
    fn quantized_modes_ignore_invisible_changes() {
        let mut s = Screen::new(2, 1, ColorMode::Ansi256);
        s.set(0, 0, TCell::rgb('x', [250, 0, 0], [0, 0, 0]));
        let mut out = Vec::new();
        s.flush_into(&mut out, b"");
        out.clear();
        // 252 quantizes to the same index as 250
        s.set(0, 0, TCell::rgb('x', [252, 0, 0], [0, 0, 0]));
        assert_eq!(s.flush_into(&mut out, b"").cells, 0);
        assert_eq!(s.get(0, 0).unwrap().fg, Ink::Index(196));
    }

    #[test]
    fn tolerance_skips_tiny_colour_changes_but_never_drifts_further() {
        let mut s = Screen::new(1, 1, ColorMode::TrueColor);
        s.tolerance = 3;
        let mut out = Vec::new();
        s.set(0, 0, TCell::rgb('x', [100, 100, 100], [0, 0, 0]));
        s.flush_into(&mut out, b"");
        // creeping up one step at a time: redrawn once it is 4 away from what is shown
        let mut redraws = Vec::new();
        for v in 101..=108u8 {
            out.clear();
            s.set(0, 0, TCell::rgb('x', [v, 100, 100], [0, 0, 0]));
            if s.flush_into(&mut out, b"").cells > 0 {
                redraws.push(v);
            }
        }
        assert_eq!(redraws, vec![104, 108]);
        // a different character is always drawn
        out.clear();
        s.set(0, 0, TCell::rgb('y', [108, 100, 100], [0, 0, 0]));
        assert_eq!(s.flush_into(&mut out, b"").cells, 1);
    }

    #[test]
    fn resize_redraws_everything() {
        let mut s = Screen::new(2, 1, ColorMode::TrueColor);
        let mut out = Vec::new();
        s.flush_into(&mut out, b"");
        s.resize(3, 2);
        out.clear();
        assert_eq!(s.flush_into(&mut out, b"").cells, 6);
    }
}
