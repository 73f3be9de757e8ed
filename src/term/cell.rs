//! One terminal cell as the sink sees it: a character, two colours and text attributes.

use super::color::{ColorMode, rgb_to_16, rgb_to_256};

/// A colour as the terminal receives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub enum Ink {
    /// The terminal's default foreground or background.
    #[default]
    Default,
    /// A palette index (0–15 basic, 16–255 extended).
    Index(u8),
    /// 24-bit colour.
    Rgb(u8, u8, u8),
}

impl Ink {
    /// This colour as the given mode can show it (24-bit colours become palette indices).
    #[inline]
    pub fn quantize(self, mode: ColorMode) -> Ink {
        match (self, mode) {
            (Ink::Rgb(r, g, b), ColorMode::Ansi256) => Ink::Index(rgb_to_256([r, g, b])),
            (Ink::Rgb(r, g, b), ColorMode::Ansi16) => Ink::Index(rgb_to_16([r, g, b])),
            (Ink::Index(n), ColorMode::Ansi16) if n >= 16 => {
                Ink::Index(rgb_to_16(super::color::palette_rgb(n)))
            }
            (ink, _) => ink,
        }
    }
}

/// Text attributes (a subset of SGR that the UI uses).
pub mod attr {
    /// Bold.
    pub const BOLD: u8 = 1;
    /// Dim.
    pub const DIM: u8 = 2;
    /// Italic.
    pub const ITALIC: u8 = 4;
    /// Underlined.
    pub const UNDERLINE: u8 = 8;
    /// Reversed video.
    pub const REVERSED: u8 = 16;
}

/// A terminal cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TCell {
    /// The character shown (the first one of a multi-character grapheme).
    pub ch: char,
    /// Foreground.
    pub fg: Ink,
    /// Background.
    pub bg: Ink,
    /// [`attr`] bits.
    pub attrs: u8,
}

impl Default for TCell {
    fn default() -> Self {
        TCell::BLANK
    }
}

impl TCell {
    /// A space in default colours: what a cleared terminal shows.
    pub const BLANK: TCell = TCell {
        ch: ' ',
        fg: Ink::Default,
        bg: Ink::Default,
        attrs: 0,
    };

    /// A character in 24-bit colours.
    pub fn rgb(ch: char, fg: [u8; 3], bg: [u8; 3]) -> TCell {
        TCell {
            ch,
            fg: Ink::Rgb(fg[0], fg[1], fg[2]),
            bg: Ink::Rgb(bg[0], bg[1], bg[2]),
            attrs: 0,
        }
    }

    /// The same cell with colours the mode can show.
    #[inline]
    pub fn quantize(self, mode: ColorMode) -> TCell {
        if mode == ColorMode::TrueColor {
            return self;
        }
        TCell {
            fg: self.fg.quantize(mode),
            bg: self.bg.quantize(mode),
            ..self
        }
    }

    /// True when the cell shows nothing but its background (so the foreground does not matter).
    #[inline]
    pub fn is_space(&self) -> bool {
        self.ch == ' ' && self.attrs & (attr::UNDERLINE | attr::REVERSED) == 0
    }
}

impl From<&ratatui::buffer::Cell> for TCell {
    fn from(c: &ratatui::buffer::Cell) -> TCell {
        use ratatui::style::Modifier;
        let m = c.modifier;
        let mut attrs = 0;
        for (bit, flag) in [
            (attr::BOLD, Modifier::BOLD),
            (attr::DIM, Modifier::DIM),
            (attr::ITALIC, Modifier::ITALIC),
            (attr::UNDERLINE, Modifier::UNDERLINED),
            (attr::REVERSED, Modifier::REVERSED),
        ] {
            if m.contains(flag) {
                attrs |= bit;
            }
        }
        TCell {
            ch: c.symbol().chars().next().unwrap_or(' '),
            fg: ink_of(c.fg),
            bg: ink_of(c.bg),
            attrs,
        }
    }
}

/// ratatui's colours as terminal inks (named colours are the 16 basic indices).
pub fn ink_of(c: ratatui::style::Color) -> Ink {
    use ratatui::style::Color as C;
    match c {
        C::Reset => Ink::Default,
        C::Black => Ink::Index(0),
        C::Red => Ink::Index(1),
        C::Green => Ink::Index(2),
        C::Yellow => Ink::Index(3),
        C::Blue => Ink::Index(4),
        C::Magenta => Ink::Index(5),
        C::Cyan => Ink::Index(6),
        C::Gray => Ink::Index(7),
        C::DarkGray => Ink::Index(8),
        C::LightRed => Ink::Index(9),
        C::LightGreen => Ink::Index(10),
        C::LightYellow => Ink::Index(11),
        C::LightBlue => Ink::Index(12),
        C::LightMagenta => Ink::Index(13),
        C::LightCyan => Ink::Index(14),
        C::White => Ink::Index(15),
        C::Indexed(n) => Ink::Index(n),
        C::Rgb(r, g, b) => Ink::Rgb(r, g, b),
    }
}
