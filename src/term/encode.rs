//! Escape-sequence encoder: cursor moves and SGR colour changes, each emitted only when the
//! terminal's state actually has to change.

use super::cell::{Ink, TCell, attr};
use super::color::ColorMode;

/// DEC private mode 2026: the terminal defers rendering until [`ESU`], so a frame never tears.
pub const BSU: &[u8] = b"\x1b[?2026h";
/// End of a synchronized update.
pub const ESU: &[u8] = b"\x1b[?2026l";

/// Writes cells into a byte buffer, tracking where the cursor is and which attributes are set.
#[derive(Clone, Debug)]
pub struct Encoder {
    mode: ColorMode,
    width: u16,
    /// Cursor position as the terminal has it; `None` when unknown. `x == width` means the
    /// "pending wrap" state after writing the last column.
    cursor: Option<(u16, u16)>,
    /// Attributes as the terminal has them; `None` when unknown (first frame, after a reset).
    style: Option<(Ink, Ink, u8)>,
}

/// Decimal digits of 0–255 without going through `fmt` (the encoder's hottest path).
#[inline]
fn push_u16(out: &mut Vec<u8>, v: u16) {
    if v >= 10000 {
        out.push(b'0' + (v / 10000) as u8);
    }
    if v >= 1000 {
        out.push(b'0' + (v / 1000 % 10) as u8);
    }
    if v >= 100 {
        out.push(b'0' + (v / 100 % 10) as u8);
    }
    if v >= 10 {
        out.push(b'0' + (v / 10 % 10) as u8);
    }
    out.push(b'0' + (v % 10) as u8);
}

impl Encoder {
    /// An encoder for a terminal `width` columns wide, in `mode`.
    pub fn new(mode: ColorMode, width: u16) -> Encoder {
        Encoder {
            mode,
            width,
            cursor: None,
            style: None,
        }
    }

    /// The colour mode.
    pub fn mode(&self) -> ColorMode {
        self.mode
    }

    /// Forget the cursor position and attributes (after anything else wrote to the terminal).
    pub fn invalidate(&mut self) {
        self.cursor = None;
        self.style = None;
    }

    /// Change the width (after a resize); the cursor becomes unknown.
    pub fn set_width(&mut self, width: u16) {
        self.width = width;
        self.cursor = None;
    }

    /// Where the terminal's cursor is, if known.
    pub fn cursor(&self) -> Option<(u16, u16)> {
        self.cursor
    }

    /// Move the cursor to (x, y) with the shortest sequence that is safe.
    pub fn move_to(&mut self, out: &mut Vec<u8>, x: u16, y: u16) {
        match self.cursor {
            Some((cx, cy)) if cy == y && cx == x && x < self.width => return,
            Some((_, cy)) if x == 0 && y == cy + 1 => out.extend_from_slice(b"\r\n"),
            Some((cx, cy)) if cy == y && x > cx && cx < self.width => {
                let n = x - cx;
                out.extend_from_slice(b"\x1b[");
                if n > 1 {
                    push_u16(out, n);
                }
                out.push(b'C');
            }
            Some((_, cy)) if cy == y && x == 0 => out.push(b'\r'),
            _ => {
                out.extend_from_slice(b"\x1b[");
                push_u16(out, y + 1);
                out.push(b';');
                push_u16(out, x + 1);
                out.push(b'H');
            }
        }
        self.cursor = Some((x, y));
    }

    /// Set the attributes of `cell` (already quantized), emitting one combined SGR for whatever
    /// changed. A space's foreground is irrelevant, so it is left as it is.
    pub fn set_style(&mut self, out: &mut Vec<u8>, cell: &TCell) {
        let (fg, bg, attrs) = (cell.fg, cell.bg, cell.attrs);
        // Unknown state, or an attribute to switch off: start from a reset (all defaults).
        let reset = !matches!(self.style, Some((_, _, a)) if a & !attrs == 0);
        let (cur_fg, cur_bg, cur_attrs) = match self.style {
            Some(s) if !reset => s,
            _ => (Ink::Default, Ink::Default, 0),
        };
        let want_fg = cur_fg != fg && !cell.is_space();
        let want_bg = cur_bg != bg;
        let add = attrs & !cur_attrs;
        if !(reset || want_fg || want_bg || add != 0) {
            return;
        }
        out.extend_from_slice(b"\x1b[");
        let mut first = true;
        let mut sep = |out: &mut Vec<u8>| {
            if !first {
                out.push(b';');
            }
            first = false;
        };
        if reset {
            sep(out);
            out.push(b'0');
        }
        for (bit, code) in [
            (attr::BOLD, b'1'),
            (attr::DIM, b'2'),
            (attr::ITALIC, b'3'),
            (attr::UNDERLINE, b'4'),
            (attr::REVERSED, b'7'),
        ] {
            if add & bit != 0 {
                sep(out);
                out.push(code);
            }
        }
        if want_fg {
            sep(out);
            self.push_ink(out, fg, false);
        }
        if want_bg {
            sep(out);
            self.push_ink(out, bg, true);
        }
        out.push(b'm');
        self.style = Some((if want_fg { fg } else { cur_fg }, bg, attrs));
    }

    fn push_ink(&self, out: &mut Vec<u8>, ink: Ink, bg: bool) {
        match ink.quantize(self.mode) {
            Ink::Default => out.extend_from_slice(if bg { b"49" } else { b"39" }),
            Ink::Index(n) if n < 8 => push_u16(out, if bg { 40 } else { 30 } + n as u16),
            Ink::Index(n) if n < 16 => push_u16(out, if bg { 100 } else { 90 } + (n - 8) as u16),
            Ink::Index(n) => {
                out.extend_from_slice(if bg { b"48;5;" } else { b"38;5;" });
                push_u16(out, n as u16);
            }
            Ink::Rgb(r, g, b) => {
                out.extend_from_slice(if bg { b"48;2;" } else { b"38;2;" });
                push_u16(out, r as u16);
                out.push(b';');
                push_u16(out, g as u16);
                out.push(b';');
                push_u16(out, b as u16);
            }
        }
    }

    /// Write `cell` at (x, y): move, set attributes, print the character.
    pub fn put(&mut self, out: &mut Vec<u8>, x: u16, y: u16, cell: &TCell) {
        self.move_to(out, x, y);
        self.set_style(out, cell);
        self.print(out, cell.ch);
    }

    /// True when writing `cell` would need no SGR (its attributes are already set).
    pub fn would_not_change_style(&self, cell: &TCell) -> bool {
        match self.style {
            Some((f, b, a)) => a == cell.attrs && b == cell.bg && (f == cell.fg || cell.is_space()),
            None => false,
        }
    }

    /// Print a character at the cursor with the current attributes.
    pub fn print(&mut self, out: &mut Vec<u8>, ch: char) {
        // Control characters would move the cursor behind our back.
        let ch = if ch.is_control() { ' ' } else { ch };
        let mut b = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut b).as_bytes());
        let w = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(1) as u16;
        self.cursor = self.cursor.map(|(x, y)| ((x + w).min(self.width), y));
    }

    /// Reset attributes to the terminal defaults.
    pub fn reset_style(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"\x1b[0m");
        self.style = Some((Ink::Default, Ink::Default, 0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(b: &[u8]) -> String {
        String::from_utf8_lossy(b).replace('\x1b', "␛")
    }

    #[test]
    fn repeated_style_is_not_re_emitted() {
        let mut e = Encoder::new(ColorMode::TrueColor, 80);
        let mut out = Vec::new();
        let c = TCell::rgb('a', [255, 0, 0], [0, 0, 0]);
        e.put(&mut out, 0, 0, &c);
        e.put(&mut out, 1, 0, &c);
        e.put(&mut out, 2, 0, &TCell { ch: 'b', ..c });
        assert_eq!(s(&out), "␛[1;1H␛[0;38;2;255;0;0;48;2;0;0;0maab");
    }

    #[test]
    fn only_the_changed_colour_is_sent() {
        let mut e = Encoder::new(ColorMode::TrueColor, 80);
        let mut out = Vec::new();
        e.put(&mut out, 0, 0, &TCell::rgb('a', [1, 2, 3], [4, 5, 6]));
        out.clear();
        e.put(&mut out, 1, 0, &TCell::rgb('a', [1, 2, 3], [7, 8, 9]));
        assert_eq!(s(&out), "␛[48;2;7;8;9ma");
        out.clear();
        // a space ignores its foreground: no SGR at all
        e.put(&mut out, 2, 0, &TCell::rgb(' ', [200, 2, 3], [7, 8, 9]));
        assert_eq!(s(&out), " ");
    }

    #[test]
    fn cursor_moves_are_short() {
        let mut e = Encoder::new(ColorMode::TrueColor, 10);
        let mut out = Vec::new();
        let c = TCell::BLANK;
        e.put(&mut out, 0, 0, &c);
        out.clear();
        e.put(&mut out, 5, 0, &c);
        assert_eq!(s(&out), "␛[4C ");
        out.clear();
        e.put(&mut out, 0, 1, &c);
        assert_eq!(s(&out), "\r\n ");
        out.clear();
        e.put(&mut out, 3, 4, &c);
        assert_eq!(s(&out), "␛[5;4H ");
        out.clear();
        // after the last column the cursor is in the pending-wrap state: never a relative move
        e.put(&mut out, 9, 4, &c);
        out.clear();
        e.put(&mut out, 9, 4, &c);
        assert_eq!(s(&out), "␛[5;10H ");
    }

    #[test]
    fn palette_modes_use_short_codes() {
        let mut e = Encoder::new(ColorMode::Ansi256, 10);
        let mut out = Vec::new();
        e.put(&mut out, 0, 0, &TCell::rgb('x', [255, 0, 0], [0, 0, 0]));
        assert_eq!(s(&out), "␛[1;1H␛[0;38;5;196;48;5;16mx");
        let mut e = Encoder::new(ColorMode::Ansi16, 10);
        out.clear();
        e.put(&mut out, 0, 0, &TCell::rgb('x', [255, 0, 0], [0, 0, 0]));
        assert_eq!(s(&out), "␛[1;1H␛[0;91;40mx");
    }

    #[test]
    fn removing_an_attribute_resets_first() {
        let mut e = Encoder::new(ColorMode::TrueColor, 10);
        let mut out = Vec::new();
        let bold = TCell {
            attrs: attr::BOLD,
            ..TCell::BLANK
        };
        e.put(&mut out, 0, 0, &TCell { ch: 'a', ..bold });
        out.clear();
        e.put(
            &mut out,
            1,
            0,
            &TCell {
                ch: 'b',
                ..TCell::BLANK
            },
        );
        assert_eq!(s(&out), "␛[0mb");
    }
}
