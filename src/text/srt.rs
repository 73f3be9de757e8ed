//! SubRip (`.srt`) parsing, strict: every entry is an index line, a time line
//! `HH:MM:SS,mmm --> HH:MM:SS,mmm` and at least one line of text, entries separated by blank
//! lines. Anything else is an error naming the file and line. Formatting tags (`<i>`, `</b>`,
//! `<font ...>`, `{\an8}`) are removed; line breaks inside an entry are kept.

use super::cue::{Cue, Cues, TextError, numbered_lines};

/// Parse SRT text. `origin` names the file in errors.
pub fn parse(src: &str, origin: &str) -> Result<Cues, TextError> {
    let mut entries = Vec::new();
    let mut lines = numbered_lines(src).peekable();
    loop {
        // skip blank lines between entries
        while lines.next_if(|(_, l)| l.trim().is_empty()).is_some() {}
        let Some((index_no, index)) = lines.next() else {
            break;
        };
        if index.trim().parse::<u64>().is_err() {
            let hint = if index.contains("-->") {
                "a time line without the entry number above it: add the number (1, 2, ...) on its own line"
            } else {
                "expected the entry number (1, 2, ...) on its own line, then the time line, then the text, with a blank line after each entry"
            };
            return Err(TextError::at(
                origin,
                index_no,
                format!("`{}` is not an entry number: {hint}", short(index)),
            ));
        }
        let Some((time_no, time)) = lines.next().filter(|(_, l)| !l.trim().is_empty()) else {
            return Err(TextError::at(
                origin,
                index_no,
                "entry ends after its number: add a time line `HH:MM:SS,mmm --> HH:MM:SS,mmm` and the text",
            ));
        };
        let (start, end) = time_range(time).map_err(|m| TextError::at(origin, time_no, m))?;
        let mut text = Vec::new();
        while let Some((no, l)) = lines.next_if(|(_, l)| !l.trim().is_empty()) {
            if l.contains("-->") && time_range(l).is_ok() {
                // two entries run together: without this check the next entry would silently
                // become text of this one
                return Err(TextError::at(
                    origin,
                    no,
                    "a time line inside the text of the entry above: separate entries with a blank line",
                ));
            }
            let clean = strip_tags(l);
            if !clean.trim().is_empty() {
                text.push(clean.trim().to_string());
            }
        }
        if text.is_empty() {
            return Err(TextError::at(
                origin,
                time_no,
                "entry has no text: put the words on the line after the time line (or delete the entry)",
            ));
        }
        entries.push(Cue {
            start,
            end,
            text: text.join("\n"),
            line: index_no,
        });
    }
    if entries.is_empty() {
        return Err(TextError {
            origin: origin.to_string(),
            line: None,
            message: "no entries: an SRT entry is a number, `00:00:01,000 --> 00:00:03,500` and a line of text".into(),
        });
    }
    Cues::from_entries(origin, entries)
}

/// `HH:MM:SS,mmm --> HH:MM:SS,mmm` (a `.` before the milliseconds is accepted too; position
/// hints after the second time are ignored).
fn time_range(line: &str) -> Result<(f64, f64), String> {
    let bad = || {
        format!(
            "`{}` is not a time line: write HH:MM:SS,mmm --> HH:MM:SS,mmm, e.g. 00:01:02,500 --> 00:01:04,000",
            short(line)
        )
    };
    let (a, b) = line.split_once("-->").ok_or_else(bad)?;
    let b = b.split_whitespace().next().ok_or_else(bad)?;
    let start = timestamp(a.trim()).ok_or_else(bad)?;
    let end = timestamp(b).ok_or_else(bad)?;
    if end <= start {
        return Err(format!(
            "the entry ends ({}) before or when it starts ({}): the second time must be later",
            b,
            a.trim()
        ));
    }
    Ok((start, end))
}

/// `HH:MM:SS,mmm` in seconds; minutes and seconds below 60, exactly three millisecond digits.
fn timestamp(s: &str) -> Option<f64> {
    let (hms, ms) = s.split_once([',', '.'])?;
    let mut parts = hms.split(':');
    let (h, m, sec) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || ms.len() != 3 {
        return None;
    }
    let num = |p: &str| -> Option<u64> {
        (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let (h, m, sec, ms) = (num(h)?, num(m)?, num(sec)?, num(ms)?);
    if m >= 60 || sec >= 60 {
        return None;
    }
    Some(h as f64 * 3600.0 + m as f64 * 60.0 + sec as f64 + ms as f64 / 1000.0)
}

/// Remove `<...>` and `{\...}` formatting tags.
pub(crate) fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(['<', '{']) {
        out.push_str(&rest[..i]);
        let close = if rest[i..].starts_with('<') { '>' } else { '}' };
        let is_tag = rest[i..].starts_with('<') || rest[i..].starts_with("{\\");
        match rest[i..].find(close) {
            Some(j) if is_tag => rest = &rest[i + j + 1..],
            _ => {
                out.push_str(&rest[i..i + 1]);
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The start of a line for messages (long lines are cut).
pub(crate) fn short(line: &str) -> String {
    let t = line.trim();
    if t.chars().count() > 40 {
        format!("{}…", t.chars().take(40).collect::<String>())
    } else {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "1\n00:00:01,000 --> 00:00:02,500\nHello <i>world</i>\n\n2\n00:00:03,000 --> 00:00:04,000\n{\\an8}Two\nlines\n";

    #[test]
    fn parses_entries_with_tags_and_line_breaks() {
        let c = parse(GOOD, "a.srt").unwrap();
        assert_eq!(c.cues.len(), 2);
        assert_eq!(c.cues[0].start, 1.0);
        assert_eq!(c.cues[0].end, 2.5);
        assert_eq!(c.cues[0].text, "Hello world");
        assert_eq!(c.cues[1].text, "Two\nlines");
        assert_eq!(c.cues[1].line, 5);
        assert_eq!(c.overlaps, 0);
    }

    #[test]
    fn bom_and_crlf_give_the_same_cues() {
        let crlf = format!("\u{feff}{}", GOOD.replace('\n', "\r\n"));
        assert_eq!(
            parse(&crlf, "a.srt").unwrap().cues,
            parse(GOOD, "a.srt").unwrap().cues
        );
    }

    #[test]
    fn hours_and_dot_milliseconds() {
        let c = parse("7\n01:02:03.045 --> 01:02:04.000 X1:10 Y1:20\nhi\n", "a").unwrap();
        assert!((c.cues[0].start - 3723.045).abs() < 1e-9);
    }

    #[test]
    fn overlapping_entries_follow_the_rule() {
        let src =
            "1\n00:00:01,000 --> 00:00:05,000\nfirst\n\n2\n00:00:03,000 --> 00:00:06,000\nsecond\n";
        let c = parse(src, "a.srt").unwrap();
        assert_eq!(c.overlaps, 1);
        assert_eq!(c.cues[0].end, 3.0);
        assert_eq!(c.at(4.0).unwrap().1.text, "second");
    }

    fn err(src: &str) -> TextError {
        parse(src, "song.srt").unwrap_err()
    }

    #[test]
    fn malformed_entries_name_file_and_line() {
        let e = err("1\n00:00:01,000 -> 00:00:02,000\nx\n");
        assert_eq!(e.line, Some(2));
        assert!(e.to_string().starts_with("song.srt line 2: "), "{e}");
        assert!(e.to_string().contains("HH:MM:SS,mmm"), "{e}");
        // missing number
        assert_eq!(err("00:00:01,000 --> 00:00:02,000\nx\n").line, Some(1));
        // text where the number should be
        assert_eq!(
            err("1\n00:00:01,000 --> 00:00:02,000\nx\n\nhello\n").line,
            Some(5)
        );
        // ends before it starts
        let e = err("1\n00:00:03,000 --> 00:00:02,000\nx\n");
        assert!(e.to_string().contains("later"), "{e}");
        // no text
        assert_eq!(
            err("1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:03,000 --> 00:00:04,000\ny\n").line,
            Some(2)
        );
        // number then end of file
        assert_eq!(
            err("1\n00:00:01,000 --> 00:00:02,000\nx\n\n2\n").line,
            Some(5)
        );
        // entries without the blank line between them
        let e = err("1\n00:00:01,000 --> 00:00:02,000\nx\n2\n00:00:03,000 --> 00:00:04,000\ny\n");
        assert_eq!(e.line, Some(5));
        assert!(e.to_string().contains("blank line"), "{e}");
        // 61 seconds, two millisecond digits
        assert_eq!(err("1\n00:00:61,000 --> 00:01:02,000\nx\n").line, Some(2));
        assert_eq!(err("1\n00:00:01,00 --> 00:00:02,000\nx\n").line, Some(2));
    }

    #[test]
    fn empty_files_are_an_error() {
        for src in ["", "\u{feff}", "\n\r\n  \n"] {
            let e = err(src);
            assert!(e.to_string().contains("no entries"), "{e}");
        }
    }

    #[test]
    fn tags_are_removed_but_braces_kept() {
        assert_eq!(strip_tags("<b>a</b> {x} {\\pos(1,2)}b"), "a {x} b");
        assert_eq!(strip_tags("a < b"), "a < b");
    }
}
