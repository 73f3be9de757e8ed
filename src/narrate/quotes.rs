//! The quotes file of `narrate`: UTF-8 text, one quote per paragraph (quotes are separated
//! by blank lines; a quote's own line breaks are kept on screen and read as spaces), lines
//! starting with `#` are comments.

use crate::text::TextError;

/// One quote: what is shown and what is spoken.
#[derive(Clone, Debug, PartialEq)]
pub struct Quote {
    /// The text as written (line breaks kept).
    pub display: String,
    /// The text on one line, for the speech engine.
    pub spoken: String,
    /// 1-based line where the quote starts.
    pub line: usize,
}

/// Parse a quotes file. An empty file (or only comments) is an error naming it.
pub fn parse(src: &str, origin: &str) -> Result<Vec<Quote>, TextError> {
    let mut quotes = Vec::new();
    let mut lines: Vec<&str> = Vec::new();
    let mut first = 0;
    let mut flush = |lines: &mut Vec<&str>, first: usize| {
        if !lines.is_empty() {
            quotes.push(Quote {
                display: lines.join("\n"),
                spoken: lines.join(" "),
                line: first,
            });
            lines.clear();
        }
    };
    for (no, raw) in crate::text::cue::numbered_lines(src) {
        let l = raw.trim();
        if l.starts_with('#') {
            continue;
        }
        if l.is_empty() {
            flush(&mut lines, first);
            continue;
        }
        if lines.is_empty() {
            first = no;
        }
        lines.push(l);
    }
    flush(&mut lines, first);
    if quotes.is_empty() {
        return Err(TextError {
            origin: origin.to_string(),
            line: None,
            message: "no quotes: write one quote per paragraph, separated by blank lines".into(),
        });
    }
    Ok(quotes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_are_quotes_and_comments_are_skipped() {
        let q = parse(
            "\u{feff}# my quotes\r\nFirst quote,\r\non two lines.\r\n\r\n\r\nSecond.\r\n",
            "q.txt",
        )
        .unwrap();
        assert_eq!(q.len(), 2);
        assert_eq!(q[0].display, "First quote,\non two lines.");
        assert_eq!(q[0].spoken, "First quote, on two lines.");
        assert_eq!((q[0].line, q[1].line), (2, 6));
    }

    #[test]
    fn no_quotes_is_an_error() {
        for src in ["", "# only a comment\n\n"] {
            let e = parse(src, "q.txt").unwrap_err().to_string();
            assert!(e.starts_with("q.txt: no quotes"), "{e}");
        }
    }
}
