//! LRC lyrics (`.lrc`) parsing, strict: every non-blank line is either an ID tag
//! (`[ar:Artist]`, `[ti:Title]`, `[offset:+250]`, …) or one or more timestamps followed by the
//! line's words (`[01:02.50]words`, `[00:12.00][00:45.00]a repeated chorus`). Enhanced
//! word times (`<01:02.80>`) are removed. Anything else is an error naming the file and line.
//!
//! A line is shown from its timestamp until the next timestamp; an empty line (`[01:10.00]`)
//! clears the text; the last line stays for [`LAST_LINE_SECONDS`] (or until `[length:]`).
//! `[offset:MS]` moves every line by MS milliseconds (positive: earlier, as the format says).

use super::cue::{Cue, Cues, TextError, numbered_lines};
use super::srt::short;

/// How long the last line of an LRC file stays when nothing ends it.
pub const LAST_LINE_SECONDS: f64 = 5.0;

/// Parse LRC text. `origin` names the file in errors.
pub fn parse(src: &str, origin: &str) -> Result<Cues, TextError> {
    // (time, text, line); an empty text ends the line before
    let mut stamps: Vec<(f64, String, usize)> = Vec::new();
    let mut offset = 0.0;
    let mut length = None;
    for (no, raw) in numbered_lines(src) {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if !line.starts_with('[') {
            return Err(TextError::at(
                origin,
                no,
                format!(
                    "`{}` has no timestamp: start lyric lines with [mm:ss.xx], e.g. [01:02.50]words",
                    short(line)
                ),
            ));
        }
        let mut rest = line;
        let mut times = Vec::new();
        while let Some(tail) = rest.strip_prefix('[') {
            let Some(close) = tail.find(']') else {
                return Err(TextError::at(
                    origin,
                    no,
                    format!("`{}`: a `[` without its `]`", short(line)),
                ));
            };
            let tag = &tail[..close];
            rest = &tail[close + 1..];
            if let Some(t) = timestamp(tag) {
                times.push(t);
                continue;
            }
            let Some((key, value)) = tag.split_once(':') else {
                return Err(bad_tag(origin, no, tag));
            };
            let key = key.trim();
            if !times.is_empty() || key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphabetic())
            {
                return Err(bad_tag(origin, no, tag));
            }
            match key.to_ascii_lowercase().as_str() {
                "offset" => {
                    offset = value.trim().parse::<f64>().map_err(|_| {
                        TextError::at(
                            origin,
                            no,
                            format!("[offset:{value}] needs a whole number of milliseconds, e.g. [offset:+250]"),
                        )
                    })? / 1000.0;
                }
                "length" => length = timestamp(value.trim()),
                _ => {} // ar, ti, al, by, re, ve, …: not shown
            }
            if !rest.trim().is_empty() {
                return Err(TextError::at(
                    origin,
                    no,
                    format!("text after the tag [{tag}]: put lyrics after a timestamp instead"),
                ));
            }
        }
        if times.is_empty() {
            continue; // a line of ID tags
        }
        let text = strip_word_times(rest).trim().to_string();
        for t in times {
            stamps.push((t, text.clone(), no));
        }
    }
    if !stamps.iter().any(|(_, text, _)| !text.is_empty()) {
        return Err(TextError {
            origin: origin.to_string(),
            line: None,
            message: "no lyric lines: an LRC line is a timestamp and its words, e.g. [00:12.50]first line".into(),
        });
    }
    // lines may repeat timestamps out of order ([00:12][01:40]chorus): sort, keeping file
    // order for equal times
    stamps.sort_by(|a, b| a.0.total_cmp(&b.0));
    let last_end = |start: f64| match length {
        Some(l) if l > start => l,
        _ => start + LAST_LINE_SECONDS,
    };
    let mut entries = Vec::new();
    for (i, (t, text, no)) in stamps.iter().enumerate() {
        if text.is_empty() {
            continue;
        }
        // the next stamp at a later time ends this line
        let end = stamps[i + 1..]
            .iter()
            .find(|s| s.0 > *t)
            .map_or_else(|| last_end(*t), |s| s.0);
        entries.push(Cue {
            start: (t - offset).max(0.0),
            end: (end - offset).max(0.0),
            text: text.clone(),
            line: *no,
        });
    }
    entries.retain(|c| c.end > c.start);
    Cues::from_entries(origin, entries)
}

fn bad_tag(origin: &str, no: usize, tag: &str) -> TextError {
    TextError::at(
        origin,
        no,
        format!(
            "[{}] is neither a timestamp [mm:ss.xx] nor a tag like [ar:Artist]",
            short(tag)
        ),
    )
}

/// `mm:ss`, `mm:ss.x…` or `mm:ss:xx` in seconds (seconds below 60).
fn timestamp(s: &str) -> Option<f64> {
    let (m, rest) = s.split_once(':')?;
    let (sec, frac) = match rest.split_once(['.', ':']) {
        Some((a, b)) => (a, Some(b)),
        None => (rest, None),
    };
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(m) || !digits(sec) || frac.is_some_and(|f| !digits(f) || f.len() > 3) {
        return None;
    }
    let sec_v: f64 = sec.parse().ok()?;
    if sec_v >= 60.0 {
        return None;
    }
    let frac_v = frac.map_or(0.0, |f| {
        f.parse::<f64>().unwrap_or(0.0) / 10f64.powi(f.len() as i32)
    });
    Some(m.parse::<f64>().ok()? * 60.0 + sec_v + frac_v)
}

/// Remove enhanced-LRC word times `<mm:ss.xx>`.
fn strip_word_times(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        match rest[i + 1..].find('>') {
            Some(j) if timestamp(&rest[i + 1..i + 1 + j]).is_some() => rest = &rest[i + j + 2..],
            _ => {
                out.push('<');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "[ti:Song]\n[ar:Someone]\n\n[00:01.00]first line\n[00:03.50]<00:03.50>second <00:04.00>line\n[00:06.00]\n[00:08.00]last\n";

    #[test]
    fn lines_last_until_the_next_timestamp() {
        let c = parse(GOOD, "a.lrc").unwrap();
        let got: Vec<_> = c
            .cues
            .iter()
            .map(|c| (c.start, c.end, c.text.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (1.0, 3.5, "first line"),
                (3.5, 6.0, "second line"),
                (8.0, 8.0 + LAST_LINE_SECONDS, "last")
            ]
        );
        assert_eq!(c.cues[0].line, 4);
    }

    #[test]
    fn repeated_timestamps_offset_and_length() {
        let c = parse(
            "[offset:+500]\n[length:00:20]\n[00:10.00][00:02.00]chorus\n[00:05.00]verse\n",
            "a.lrc",
        )
        .unwrap();
        let got: Vec<_> = c.cues.iter().map(|c| (c.start, c.end)).collect();
        assert_eq!(got, vec![(1.5, 4.5), (4.5, 9.5), (9.5, 19.5)]);
        assert_eq!(c.cues[0].text, "chorus");
        assert_eq!(c.cues[1].text, "verse");
    }

    #[test]
    fn bom_crlf_and_fraction_forms() {
        let c = parse("\u{feff}[00:01:50]a\r\n[00:02.5]b\r\n[00:03.125]c\r\n", "a").unwrap();
        let s: Vec<_> = c.cues.iter().map(|c| c.start).collect();
        assert_eq!(s, vec![1.5, 2.5, 3.125]);
    }

    fn err(src: &str) -> TextError {
        parse(src, "song.lrc").unwrap_err()
    }

    #[test]
    fn malformed_lines_name_file_and_line() {
        let e = err("[00:01.00]ok\nno stamp here\n");
        assert_eq!(e.line, Some(2));
        assert!(e.to_string().starts_with("song.lrc line 2: "), "{e}");
        assert_eq!(err("[00:01.00]ok\n[00:61.00]bad\n").line, Some(2));
        assert_eq!(err("[00:01.00]ok\n[1:02.x]bad\n").line, Some(2));
        assert_eq!(err("[00:01.00]ok\n[00:02.00 missing close\n").line, Some(2));
        assert_eq!(err("[ar:x] words\n[00:01.00]ok\n").line, Some(1));
        assert_eq!(err("[offset:soon]\n[00:01.00]ok\n").line, Some(1));
    }

    #[test]
    fn empty_or_tags_only_is_an_error() {
        for src in ["", "[ti:x]\n", "[00:01.00]\n"] {
            assert!(err(src).to_string().contains("no lyric lines"), "{src:?}");
        }
    }
}
