//! Timed text: cues (start, end, text) as read from SRT or LRC files, and the rule for
//! overlapping entries.
//!
//! **Overlap rule**: one cue is shown at a time. When an entry starts before the previous one
//! ends, the previous one is cut where the new one starts (the newer line replaces the older,
//! as a singer's next line replaces the last); an entry cut to nothing (two entries with the
//! same start) is dropped, so the later one in the file wins. [`Cues::overlaps`] counts how
//! many entries were cut, so the command line can say so.

use std::path::Path;

/// One timed line (or block) of text.
#[derive(Clone, Debug, PartialEq)]
pub struct Cue {
    /// Start in seconds.
    pub start: f64,
    /// End in seconds (exclusive), after the overlap rule.
    pub end: f64,
    /// The text; `\n` separates lines the file broke explicitly.
    pub text: String,
    /// 1-based line of the entry in its file (0 for generated cues).
    pub line: usize,
}

/// A file's cues in time order, none overlapping.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cues {
    /// Where they came from (a path, or a description for generated cues), for messages.
    pub origin: String,
    /// The cues, sorted by start, each ending at or before the next one's start.
    pub cues: Vec<Cue>,
    /// How many entries the overlap rule cut short or dropped.
    pub overlaps: usize,
}

/// A timed-text file that cannot be used: the file, the line and how to fix it.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.line_text())]
pub struct TextError {
    /// The file.
    pub origin: String,
    /// 1-based line, when the problem is at one.
    pub line: Option<usize>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl TextError {
    /// An error at line `line` of `origin`.
    pub fn at(origin: &str, line: usize, message: impl Into<String>) -> TextError {
        TextError {
            origin: origin.to_string(),
            line: Some(line),
            message: message.into(),
        }
    }

    fn line_text(&self) -> String {
        match self.line {
            Some(l) => format!("{} line {}: {}", self.origin, l, self.message),
            None => format!("{}: {}", self.origin, self.message),
        }
    }
}

impl Cues {
    /// Build from entries in file order: checks that starts never go backwards (an error at
    /// the offending entry's line) and applies the overlap rule. `what` names the format for
    /// messages.
    pub fn from_entries(origin: &str, entries: Vec<Cue>) -> Result<Cues, TextError> {
        for w in entries.windows(2) {
            if w[1].start < w[0].start {
                return Err(TextError::at(
                    origin,
                    w[1].line,
                    format!(
                        "this entry starts at {} but the one before (line {}) starts later, at {}: entries must be in time order",
                        clock(w[1].start),
                        w[0].line,
                        clock(w[0].start)
                    ),
                ));
            }
        }
        let mut cues: Vec<Cue> = Vec::with_capacity(entries.len());
        let mut overlaps = 0;
        for cue in entries {
            if let Some(prev) = cues.last_mut()
                && prev.end > cue.start
            {
                overlaps += 1;
                prev.end = cue.start;
                if prev.end <= prev.start {
                    cues.pop();
                }
            }
            cues.push(cue);
        }
        Ok(Cues {
            origin: origin.to_string(),
            cues,
            overlaps,
        })
    }

    /// The cue shown at `time` seconds, with its index.
    pub fn at(&self, time: f64) -> Option<(usize, &Cue)> {
        // cues are sorted and disjoint: the last one starting at or before `time`
        let i = self.cues.partition_point(|c| c.start <= time);
        let i = i.checked_sub(1)?;
        let c = &self.cues[i];
        (time < c.end).then_some((i, c))
    }

    /// End of the last cue in seconds (0 without cues).
    pub fn end(&self) -> f64 {
        self.cues.last().map_or(0.0, |c| c.end)
    }

    /// Every character the cues use, sorted and without duplicates (no spaces or line breaks).
    pub fn chars(&self) -> Vec<char> {
        let mut set: Vec<char> = self
            .cues
            .iter()
            .flat_map(|c| c.text.chars())
            .filter(|ch| !ch.is_whitespace() && !ch.is_control())
            .collect();
        set.sort_unstable();
        set.dedup();
        set
    }
}

/// Read and parse a timed-text file by its extension: `.srt` or `.lrc`.
pub fn load(path: &Path) -> Result<Cues, TextError> {
    let origin = path.display().to_string();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if ext != "srt" && ext != "lrc" {
        return Err(TextError {
            origin,
            line: None,
            message: "unknown timed-text format: give a .srt (SubRip) or .lrc (lyrics) file".into(),
        });
    }
    let bytes = std::fs::read(path).map_err(|e| TextError {
        origin: origin.clone(),
        line: None,
        message: format!("cannot read it: {e} (check the path)"),
    })?;
    let src = String::from_utf8(bytes).map_err(|e| {
        let line = e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        TextError::at(
            &origin,
            line,
            "not UTF-8 text: save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)",
        )
    })?;
    if ext == "srt" {
        super::srt::parse(&src, &origin)
    } else {
        super::lrc::parse(&src, &origin)
    }
}

/// The lines of a file's text: without a leading byte-order mark, split on `\n`, `\r\n` or a
/// lone `\r`, numbered from 1.
pub(crate) fn numbered_lines(src: &str) -> impl Iterator<Item = (usize, &str)> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    src.split('\n')
        .flat_map(|l| {
            // a lone `\r` (old Mac files) also ends a line; `\r\n` leaves a trailing `\r`
            let l = l.strip_suffix('\r').unwrap_or(l);
            l.split('\r')
        })
        .enumerate()
        .map(|(i, l)| (i + 1, l))
}

/// `HH:MM:SS.mmm` for messages.
pub(crate) fn clock(t: f64) -> String {
    let ms = (t * 1000.0).round() as u64;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cue(start: f64, end: f64, text: &str, line: usize) -> Cue {
        Cue {
            start,
            end,
            text: text.into(),
            line,
        }
    }

    #[test]
    fn overlapping_entries_are_cut_where_the_next_starts() {
        let c = Cues::from_entries(
            "x",
            vec![
                cue(0.0, 3.0, "a", 1),
                cue(2.0, 4.0, "b", 5),
                cue(4.0, 5.0, "c", 9),
            ],
        )
        .unwrap();
        assert_eq!(c.overlaps, 1);
        assert_eq!(c.cues[0].end, 2.0);
        assert_eq!(c.at(1.0).unwrap().1.text, "a");
        assert_eq!(c.at(2.5).unwrap().1.text, "b");
        assert_eq!(c.at(4.0).unwrap().1.text, "c");
        assert!(c.at(5.0).is_none());
    }

    #[test]
    fn same_start_keeps_the_later_entry() {
        let c =
            Cues::from_entries("x", vec![cue(1.0, 3.0, "a", 1), cue(1.0, 2.0, "b", 5)]).unwrap();
        assert_eq!(c.cues.len(), 1);
        assert_eq!(c.cues[0].text, "b");
        assert_eq!(c.overlaps, 1);
    }

    #[test]
    fn entries_out_of_order_name_the_line() {
        let e = Cues::from_entries("f.srt", vec![cue(5.0, 6.0, "a", 1), cue(1.0, 2.0, "b", 5)])
            .unwrap_err();
        assert_eq!(e.line, Some(5));
        assert!(e.to_string().starts_with("f.srt line 5: "), "{e}");
    }

    #[test]
    fn lines_handle_bom_crlf_and_cr() {
        let l: Vec<_> = numbered_lines("\u{feff}a\r\nb\rc\n").collect();
        assert_eq!(l, vec![(1, "a"), (2, "b"), (3, "c"), (4, "")]);
    }

    #[test]
    fn gaps_show_nothing() {
        let c =
            Cues::from_entries("x", vec![cue(1.0, 2.0, "a", 1), cue(3.0, 4.0, "b", 5)]).unwrap();
        assert!(c.at(0.5).is_none());
        assert!(c.at(2.5).is_none());
        assert_eq!(c.chars(), vec!['a', 'b']);
    }
}
