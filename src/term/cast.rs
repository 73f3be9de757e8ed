//! asciicast v2 recordings (asciinema's format): a JSON header line, then one
//! `[seconds, "o", "output"]` line per frame.

use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Writes an asciicast v2 file as frames arrive.
pub struct CastWriter<W: Write> {
    out: W,
    last_t: f64,
}

impl CastWriter<BufWriter<std::fs::File>> {
    /// Create `path` for a `width × height` recording.
    pub fn create(path: &Path, width: u16, height: u16) -> io::Result<Self> {
        let f = std::fs::File::create(path)?;
        CastWriter::new(BufWriter::new(f), width, height)
    }
}

impl<W: Write> CastWriter<W> {
    /// Start a recording on `out` with its header.
    pub fn new(mut out: W, width: u16, height: u16) -> io::Result<Self> {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let header = serde_json::json!({
            "version": 2,
            "width": width,
            "height": height,
            "timestamp": stamp,
            "env": { "TERM": "xterm-256color" },
            "title": "asciivid",
        });
        writeln!(out, "{header}")?;
        Ok(CastWriter { out, last_t: 0.0 })
    }

    /// Append terminal output at `t` seconds (times never go backwards; empty output is skipped).
    pub fn output(&mut self, t: f64, bytes: &[u8]) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        let t = if t.is_finite() {
            t.max(self.last_t)
        } else {
            self.last_t
        };
        self.last_t = t;
        let text = String::from_utf8_lossy(bytes);
        let line = serde_json::json!([(t * 1e6).round() / 1e6, "o", text]);
        writeln!(self.out, "{line}")
    }

    /// Flush and hand back the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_events_are_json_lines() {
        let mut c = CastWriter::new(Vec::new(), 80, 24).unwrap();
        c.output(0.5, b"\x1b[1;1Hhi").unwrap();
        c.output(0.25, b"x").unwrap(); // clamped to 0.5
        c.output(1.0, b"").unwrap(); // skipped
        let text = String::from_utf8(c.finish().unwrap()).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["version"], 2);
        assert_eq!(lines[0]["width"], 80);
        assert_eq!(lines[1][0], 0.5);
        assert_eq!(lines[1][1], "o");
        assert_eq!(lines[1][2], "\u{1b}[1;1Hhi");
        assert_eq!(lines[2][0], 0.5);
    }
}
