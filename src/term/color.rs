//! Terminal colour depth: detection from the environment and quantization of 24-bit colours
//! to the xterm 256-colour and 16-colour palettes.

/// How many colours the terminal can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ColorMode {
    /// 24-bit `ESC[38;2;r;g;bm`.
    #[default]
    TrueColor,
    /// xterm 256 colours `ESC[38;5;nm` (6×6×6 cube + 24 greys).
    Ansi256,
    /// The 16 basic colours `ESC[30..37m` / `ESC[90..97m`.
    Ansi16,
}

impl ColorMode {
    /// Guess from `COLORTERM` and `TERM` the way most terminal programs do: `COLORTERM=truecolor`
    /// (or `24bit`, or a `*-direct` TERM) is 24-bit, a `*256color*` TERM is 256 colours, anything
    /// else (`linux`, `vt100`, `screen`) gets the 16 basic colours.
    pub fn detect(colorterm: Option<&str>, term: Option<&str>) -> ColorMode {
        let ct = colorterm.unwrap_or("").to_ascii_lowercase();
        let term = term.unwrap_or("").to_ascii_lowercase();
        if ct == "truecolor" || ct == "24bit" || term.ends_with("-direct") {
            ColorMode::TrueColor
        } else if term.contains("256color") {
            ColorMode::Ansi256
        } else {
            ColorMode::Ansi16
        }
    }

    /// [`ColorMode::detect`] on this process's environment.
    pub fn from_env() -> ColorMode {
        let ct = std::env::var("COLORTERM").ok();
        let term = std::env::var("TERM").ok();
        ColorMode::detect(ct.as_deref(), term.as_deref())
    }

    /// Name as accepted by `--color`.
    pub fn name(self) -> &'static str {
        match self {
            ColorMode::TrueColor => "truecolor",
            ColorMode::Ansi256 => "256",
            ColorMode::Ansi16 => "16",
        }
    }
}

/// The six levels of each channel of the xterm 256-colour cube (indices 16–231).
const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

/// xterm's default RGB values of the 16 basic colours.
pub const ANSI16: [[u8; 3]; 16] = [
    [0, 0, 0],
    [205, 0, 0],
    [0, 205, 0],
    [205, 205, 0],
    [0, 0, 238],
    [205, 0, 205],
    [0, 205, 205],
    [229, 229, 229],
    [127, 127, 127],
    [255, 0, 0],
    [0, 255, 0],
    [255, 255, 0],
    [92, 92, 255],
    [255, 0, 255],
    [0, 255, 255],
    [255, 255, 255],
];

#[inline]
fn dist2(a: [u8; 3], b: [u8; 3]) -> u32 {
    // Weights roughly follow luminance sensitivity, so greens are matched more carefully.
    let d = |i: usize, w: u32| {
        let x = a[i] as i32 - b[i] as i32;
        (x * x) as u32 * w
    };
    d(0, 3) + d(1, 4) + d(2, 2)
}

#[inline]
fn cube_index(v: u8) -> usize {
    // Midpoints between the cube levels: 47, 115, 155, 195, 235.
    match v {
        0..=47 => 0,
        48..=114 => 1,
        115..=154 => 2,
        155..=194 => 3,
        195..=234 => 4,
        _ => 5,
    }
}

/// The RGB value xterm shows for palette index `n`.
pub fn palette_rgb(n: u8) -> [u8; 3] {
    match n {
        0..=15 => ANSI16[n as usize],
        16..=231 => {
            let k = (n - 16) as usize;
            [CUBE[k / 36], CUBE[(k / 6) % 6], CUBE[k % 6]]
        }
        _ => {
            let g = 8 + 10 * (n - 232);
            [g, g, g]
        }
    }
}

/// The nearest xterm 256-colour index (cube or grey ramp, never the 16 basics, whose RGB values
/// differ between terminals).
pub fn rgb_to_256(c: [u8; 3]) -> u8 {
    let (r, g, b) = (cube_index(c[0]), cube_index(c[1]), cube_index(c[2]));
    let cube = (16 + 36 * r + 6 * g + b) as u8;
    let cube_rgb = [CUBE[r], CUBE[g], CUBE[b]];
    let mean = (c[0] as u32 + c[1] as u32 + c[2] as u32) / 3;
    let grey_step = (mean.saturating_sub(3) / 10).min(23) as u8;
    let grey = 232 + grey_step;
    if dist2(c, palette_rgb(grey)) < dist2(c, cube_rgb) {
        grey
    } else {
        cube
    }
}

/// The nearest of the 16 basic colours (0–7 normal, 8–15 bright).
pub fn rgb_to_16(c: [u8; 3]) -> u8 {
    let mut best = 0u8;
    let mut best_d = u32::MAX;
    for (i, p) in ANSI16.iter().enumerate() {
        let d = dist2(c, *p);
        if d < best_d {
            best_d = d;
            best = i as u8;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_follows_colorterm_then_term() {
        assert_eq!(
            ColorMode::detect(Some("truecolor"), Some("xterm")),
            ColorMode::TrueColor
        );
        assert_eq!(ColorMode::detect(Some("24bit"), None), ColorMode::TrueColor);
        assert_eq!(
            ColorMode::detect(None, Some("xterm-direct")),
            ColorMode::TrueColor
        );
        assert_eq!(
            ColorMode::detect(None, Some("tmux-256color")),
            ColorMode::Ansi256
        );
        assert_eq!(ColorMode::detect(None, Some("linux")), ColorMode::Ansi16);
        assert_eq!(ColorMode::detect(None, None), ColorMode::Ansi16);
    }

    #[test]
    fn exact_palette_colours_map_to_themselves() {
        for n in 16..=255u8 {
            let back = rgb_to_256(palette_rgb(n));
            assert_eq!(palette_rgb(back), palette_rgb(n), "index {n} → {back}");
        }
        for n in 0..16u8 {
            assert_eq!(rgb_to_16(ANSI16[n as usize]), n);
        }
    }

    #[test]
    fn quantization_picks_the_nearest_entry() {
        assert_eq!(rgb_to_256([255, 0, 0]), 196);
        assert_eq!(rgb_to_256([0, 0, 0]), 16);
        // a mid grey is closer to the grey ramp than to the cube
        let g = rgb_to_256([128, 128, 128]);
        assert!((232..=255).contains(&g), "{g}");
        assert_eq!(rgb_to_16([250, 10, 10]), 9);
        assert_eq!(rgb_to_16([10, 10, 10]), 0);
        assert_eq!(rgb_to_16([250, 250, 250]), 15);
        assert_eq!(rgb_to_16([225, 225, 225]), 7);
        // brute force agrees with the formula on a coarse sweep
        for r in (0..=255u32).step_by(17) {
            for g in (0..=255u32).step_by(51) {
                for b in (0..=255u32).step_by(85) {
                    let c = [r as u8, g as u8, b as u8];
                    let fast = dist2(c, palette_rgb(rgb_to_256(c)));
                    let best = (16..=255u8)
                        .map(|n| dist2(c, palette_rgb(n)))
                        .min()
                        .unwrap();
                    // the per-channel cube rounding is not always the global optimum, but close
                    assert!(fast <= best * 2 + 300, "{c:?}: {fast} vs {best}");
                }
            }
        }
    }
}
