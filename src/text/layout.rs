//! Text layout on a character grid: words wrapped to the grid's width (so a portrait grid,
//! being narrower, reflows the same text onto more lines), lines centred, the block placed
//! at the top, centre or bottom.

/// Where the block of lines sits vertically.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// Its top at 1/8 of the height.
    Top,
    /// Centred.
    Center,
    /// Its bottom at 7/8 of the height (subtitles).
    Bottom,
}

impl Position {
    /// Names as written in presets.
    pub const NAMES: &[&str] = &["top", "center", "bottom"];

    /// Parse a name of [`Position::NAMES`].
    pub fn from_name(s: &str) -> Option<Position> {
        match s {
            "top" => Some(Position::Top),
            "center" => Some(Position::Center),
            "bottom" => Some(Position::Bottom),
            _ => None,
        }
    }
}

/// One character placed on the grid.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placed {
    /// The character (never a space).
    pub ch: char,
    /// Column of its home cell.
    pub col: i32,
    /// Row of its home cell.
    pub row: i32,
    /// Its index among the cue's visible characters, in reading order.
    pub index: usize,
}

/// Wrap `text` to at most `width` characters per line: explicit `\n` breaks are kept, words
/// move to the next line when they do not fit, and a word longer than a line is split.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut len = 0;
        for word in para.split_whitespace() {
            let mut w: Vec<char> = word.chars().collect();
            // a word longer than a line: fill lines with pieces of it
            while w.len() > width {
                if len > 0 {
                    out.push(std::mem::take(&mut line));
                    len = 0;
                }
                out.push(w[..width].iter().collect());
                w.drain(..width);
            }
            if w.is_empty() {
                continue;
            }
            let need = if len == 0 { w.len() } else { len + 1 + w.len() };
            if need > width {
                out.push(std::mem::take(&mut line));
                len = 0;
            }
            if len > 0 {
                line.push(' ');
                len += 1;
            }
            line.extend(w.iter());
            len += w.len();
        }
        if len > 0 || para.trim().is_empty() {
            out.push(line);
        }
    }
    // blank lines at either end only push the text around
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    while out.first().is_some_and(|l| l.is_empty()) {
        out.remove(0);
    }
    out
}

/// Place `text` on a `cols × rows` grid: wrapped to `width_share` of the columns, each line
/// centred, the block at `pos`; lines beyond the grid's height are dropped. Appends to `out`
/// (cleared first) so a caller can reuse the buffer.
pub fn place(
    text: &str,
    cols: usize,
    rows: usize,
    width_share: f32,
    pos: Position,
    out: &mut Vec<Placed>,
) {
    out.clear();
    if cols == 0 || rows == 0 {
        return;
    }
    let width = ((cols as f32 * width_share.clamp(0.05, 1.0)).floor() as usize).clamp(1, cols);
    let mut lines = wrap(text, width);
    lines.truncate(rows);
    let n = lines.len() as i32;
    let rows_i = rows as i32;
    let top = match pos {
        Position::Top => rows_i / 8,
        Position::Center => (rows_i - n) / 2,
        Position::Bottom => rows_i - rows_i / 8 - n,
    }
    .clamp(0, (rows_i - n).max(0));
    let mut index = 0;
    for (r, line) in lines.iter().enumerate() {
        let len = line.chars().count() as i32;
        let left = (cols as i32 - len) / 2;
        for (c, ch) in line.chars().enumerate() {
            if ch == ' ' {
                continue;
            }
            out.push(Placed {
                ch,
                col: left + c as i32,
                row: top + r as i32,
                index,
            });
            index += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_on_words_and_keeps_breaks() {
        assert_eq!(
            wrap("the quick brown fox", 10),
            vec!["the quick", "brown fox"]
        );
        assert_eq!(wrap("a\nb c", 10), vec!["a", "b c"]);
        assert_eq!(wrap("abcdefghij k", 4), vec!["abcd", "efgh", "ij k"]);
        assert_eq!(wrap("  ", 4), Vec::<String>::new());
        assert_eq!(wrap("a\n\nb", 4), vec!["a", "", "b"]);
    }

    #[test]
    fn portrait_grids_reflow_onto_more_lines() {
        let text = "every word of this lyric line has to fit somewhere on the screen";
        let mut land = Vec::new();
        let mut port = Vec::new();
        place(text, 96, 27, 0.9, Position::Center, &mut land);
        place(text, 27, 48, 0.9, Position::Center, &mut port);
        let lines = |p: &[Placed]| {
            let mut r: Vec<i32> = p.iter().map(|x| x.row).collect();
            r.dedup();
            r.len()
        };
        assert_eq!(lines(&land), 1);
        assert!(lines(&port) >= 3, "{}", lines(&port));
        // nothing leaves the narrow grid, and every character is still there
        assert!(port.iter().all(|p| (0..27).contains(&p.col)));
        assert_eq!(port.len(), land.len());
    }

    #[test]
    fn lines_are_centred_and_positioned() {
        let mut p = Vec::new();
        place("ab", 10, 16, 1.0, Position::Bottom, &mut p);
        assert_eq!((p[0].col, p[0].row), (4, 13));
        place("ab", 10, 16, 1.0, Position::Top, &mut p);
        assert_eq!(p[1].row, 2);
        place("ab", 10, 16, 1.0, Position::Center, &mut p);
        assert_eq!(p[1].row, 7);
    }
}
