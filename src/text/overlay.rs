//! The generated text modes (the legacy overlays): a scrolling ticker, a word on each beat,
//! messages cycling every few seconds, and glitchy error stamps. Unlike the cue modes they make
//! their own text every frame; each is a pure function of time, frame, features and seed
//! (beat words also of the frame of the last beat, which the layer remembers and a replay
//! rebuilds), writing glyphs `(char, column, row, alpha)` on the layer's (virtual) grid.

use crate::rng::{hash2, hash3, unit};

/// One glyph to draw: character, column, row (cells, may be fractional) and intensity 0–1.
pub type Glyph = (char, f32, f32, f32);

/// Ticker speed in cells per second at `speed = 1` (the legacy `eff_ticker(speed=15)`).
pub const TICKER_RATE: f32 = 15.0;

/// Blank cells between the end of the ticker's text and its next repeat.
pub const TICKER_GAP: usize = 4;

/// The fake error strings `error_stamps` stamps when the layer gives no `words`.
pub const ERRORS: &[&str] = &[
    "ERR 0x3F SEGFAULT",
    "FATAL: STACK OVERFLOW",
    "0xDEADBEEF",
    "KERNEL PANIC",
    "SIGBUS @0x7FFE",
    "MEM FAULT 0x00A4",
    "CRC MISMATCH",
    "BUFFER UNDERRUN",
    "NULL PTR 0x0000",
    "SYNC LOST",
];

/// How many frames an error stamp stays before the next set is drawn.
pub const STAMP_FRAMES: u64 = 4;

/// At most this many stamps at once (one at rest, up to this many on loud beats and flux).
pub const MAX_STAMPS: usize = 4;

/// How far the ticker has scrolled at `time` seconds, in cells, wrapped to one repeat of
/// `period` cells (text plus gap), so the scroll is seamless.
pub fn ticker_offset(time: f32, speed: f32, period: usize) -> f32 {
    (time * TICKER_RATE * speed).rem_euclid(period.max(1) as f32)
}

/// The ticker: `text` repeated every `text.len() + TICKER_GAP` cells along `row`, scrolled left
/// by [`ticker_offset`]; only glyphs on the `cols` columns are written.
pub fn ticker(text: &[char], time: f32, speed: f32, cols: usize, row: f32, out: &mut Vec<Glyph>) {
    if text.is_empty() {
        return;
    }
    let period = text.len() + TICKER_GAP;
    let off = ticker_offset(time, speed, period);
    for copy in 0..cols / period + 2 {
        for (j, &ch) in text.iter().enumerate() {
            let x = (copy * period + j) as f32 - off;
            if ch != ' ' && x > -0.5 && x < cols as f32 - 0.5 {
                out.push((ch, x, row, 1.0));
            }
        }
    }
}

/// The word shown after the beat at frame `beat_frame`: its index among `n` words and its
/// offset from the centre, each in -1..1 (of an eighth of the grid).
pub fn beat_word(seed: u64, beat_frame: u64, n: usize) -> (usize, f32, f32) {
    let h = hash2(seed, beat_frame, 0xbea7);
    let i = (h % n.max(1) as u64) as usize;
    let dx = unit(hash2(h, 1, 0)) * 2.0 - 1.0;
    let dy = unit(hash2(h, 2, 0)) * 2.0 - 1.0;
    (i, dx, dy)
}

/// Beat words: the word of [`beat_word`] near the centre of a `cols × rows` grid at intensity
/// `decay` (the `beat_decay` feature: 1 on the beat, fading after it); nothing before the
/// first beat.
pub fn beat_words(
    words: &[Vec<char>],
    seed: u64,
    beat_frame: Option<u64>,
    decay: f32,
    cols: usize,
    rows: usize,
    out: &mut Vec<Glyph>,
) {
    let (Some(bf), false) = (beat_frame, words.is_empty()) else {
        return;
    };
    let (i, dx, dy) = beat_word(seed, bf, words.len());
    let w = &words[i];
    let x0 = ((cols as f32 - w.len() as f32) / 2.0 + dx * cols as f32 / 8.0).floor();
    let y = (rows as f32 / 2.0 + dy * rows as f32 / 8.0).floor();
    let a = decay.clamp(0.0, 1.0);
    for (j, &ch) in w.iter().enumerate() {
        if ch != ' ' {
            out.push((ch, x0 + j as f32, y, a));
        }
    }
}

/// Which of `n` messages shows at `time` (one every `period` seconds, in turn) and its
/// intensity: fading in over the first `fade` seconds of its turn and out over the last
/// (`fade` at most half the period).
pub fn message_at(time: f32, period: f32, fade: f32, n: usize) -> (usize, f32) {
    let period = period.max(0.1);
    let turn = (time / period).floor().max(0.0);
    let since = time - turn * period;
    let f = fade.clamp(1e-3, period / 2.0);
    let ramp = |x: f32| {
        let x = (x / f).clamp(0.0, 1.0);
        x * x * (3.0 - 2.0 * x)
    };
    (turn as usize % n.max(1), ramp(since) * ramp(period - since))
}

/// Error stamps on frame `frame`: `1 + drive · (MAX_STAMPS − 1)` strings of `strings` (drive:
/// the louder of beat and flux, 0–1), each at a seeded random place, held for [`STAMP_FRAMES`]
/// frames before the next set.
pub fn error_stamps(
    strings: &[Vec<char>],
    seed: u64,
    frame: u64,
    drive: f32,
    cols: usize,
    rows: usize,
    out: &mut Vec<Glyph>,
) {
    if strings.is_empty() || cols == 0 || rows == 0 {
        return;
    }
    let epoch = frame / STAMP_FRAMES;
    let count = 1 + (drive.clamp(0.0, 1.0) * (MAX_STAMPS - 1) as f32).round() as usize;
    for k in 0..count {
        let h = hash3(seed, epoch, k as u64, 0xe440);
        let s = &strings[(h % strings.len() as u64) as usize];
        let room = cols.saturating_sub(s.len()) + 1;
        let x0 = (unit(hash2(h, 1, 0)) * room as f32).floor();
        let y = (unit(hash2(h, 2, 0)) * rows as f32).floor();
        // older stamps of the set a little dimmer, like a flickering overlay
        let a = 1.0 - 0.15 * k as f32;
        for (j, &ch) in s.iter().enumerate() {
            if ch != ' ' {
                out.push((ch, x0 + j as f32, y, a));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn ticker_advances_by_speed_and_wraps() {
        // 15 cells a second, twice as fast at speed 2, wrapped at text + gap
        assert!((ticker_offset(0.2, 1.0, 100) - 3.0).abs() < 1e-4);
        assert!((ticker_offset(0.2, 2.0, 100) - 6.0).abs() < 1e-4);
        assert!((ticker_offset(1.0, 1.0, 10) - 5.0).abs() < 1e-4);
        let text = chars("NEWS");
        let draw = |t: f32| {
            let mut v = Vec::new();
            ticker(&text, t, 1.0, 40, 3.0, &mut v);
            v
        };
        let (a, b) = (draw(0.0), draw(0.2));
        // every glyph moved 3 cells left
        let first_n = |v: &[Glyph]| v.iter().find(|g| g.0 == 'N' && g.1 >= 10.0).unwrap().1;
        assert!((first_n(&a) - first_n(&b) - 3.0).abs() < 1e-4);
        // one period later the picture is the same: seamless
        let period = (text.len() + TICKER_GAP) as f32 / TICKER_RATE;
        let same = |x: &[Glyph], y: &[Glyph]| {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(p, q)| p.0 == q.0 && (p.1 - q.1).abs() < 1e-3)
        };
        assert!(same(&draw(0.1), &draw(0.1 + period)));
        // the row is filled across, the repeat covers the wrap at the left edge
        assert!(a.iter().all(|g| g.1 > -0.5 && g.1 < 39.5 && g.2 == 3.0));
        assert!(b.iter().any(|g| g.1 < 1.0) && b.iter().any(|g| g.1 > 35.0));
    }

    #[test]
    fn beat_words_change_per_beat_and_fade_with_the_decay() {
        let words: Vec<Vec<char>> = ["ONE", "TWO", "THREE", "FOUR", "FIVE"]
            .iter()
            .map(|w| chars(w))
            .collect();
        let mut v = Vec::new();
        beat_words(&words, 7, None, 1.0, 40, 20, &mut v);
        assert!(v.is_empty(), "a word before the first beat");
        beat_words(&words, 7, Some(12), 1.0, 40, 20, &mut v);
        assert!(!v.is_empty() && v.iter().all(|g| g.3 == 1.0));
        // near the centre
        assert!(
            v.iter()
                .all(|g| (10.0..30.0).contains(&g.1) && (7.0..13.0).contains(&g.2))
        );
        let mut faded = Vec::new();
        beat_words(&words, 7, Some(12), 0.3, 40, 20, &mut faded);
        assert!(faded.iter().all(|g| (g.3 - 0.3).abs() < 1e-6));
        // different beats pick different words, the same beat and seed the same one
        let picks: std::collections::BTreeSet<usize> =
            (0..40).map(|b| beat_word(7, b * 12, 5).0).collect();
        assert!(picks.len() >= 4, "{picks:?}");
        assert_eq!(beat_word(7, 12, 5), beat_word(7, 12, 5));
    }

    #[test]
    fn messages_change_every_period_and_fade_in_and_out() {
        assert_eq!(message_at(0.5, 4.0, 0.4, 3).0, 0);
        assert_eq!(message_at(4.5, 4.0, 0.4, 3).0, 1);
        assert_eq!(message_at(8.5, 4.0, 0.4, 3).0, 2);
        assert_eq!(message_at(12.5, 4.0, 0.4, 3).0, 0);
        assert_eq!(message_at(2.5, 2.0, 0.4, 3).0, 1);
        assert_eq!(message_at(0.0, 4.0, 0.4, 3).1, 0.0);
        assert_eq!(message_at(2.0, 4.0, 0.4, 3).1, 1.0);
        assert!(message_at(3.9, 4.0, 0.4, 3).1 < 0.2);
        assert!(message_at(4.1, 4.0, 0.4, 3).1 < 0.5);
    }

    #[test]
    fn stamps_are_deterministic_per_seed_and_held_for_a_few_frames() {
        let strings: Vec<Vec<char>> = ERRORS.iter().map(|s| chars(s)).collect();
        let draw = |seed, frame, drive| {
            let mut v = Vec::new();
            error_stamps(&strings, seed, frame, drive, 60, 30, &mut v);
            v
        };
        assert_eq!(draw(1, 9, 0.5), draw(1, 9, 0.5));
        assert_ne!(draw(1, 9, 0.5), draw(2, 9, 0.5), "the seed changes nothing");
        // held within a stamp's frames, new ones after
        assert_eq!(draw(1, 8, 0.5), draw(1, 8 + STAMP_FRAMES - 1, 0.5));
        assert_ne!(draw(1, 8, 0.5), draw(1, 8 + STAMP_FRAMES, 0.5));
        // more stamps when driven harder, all inside the grid
        let rows = |v: &[Glyph]| {
            let mut r: Vec<u32> = v.iter().map(|g| g.2 as u32).collect();
            r.sort_unstable();
            r.dedup();
            r.len()
        };
        assert!(draw(1, 9, 1.0).len() > draw(1, 9, 0.0).len());
        assert!(rows(&draw(1, 9, 0.0)) == 1);
        assert!(
            draw(3, 40, 1.0)
                .iter()
                .all(|g| g.1 >= 0.0 && g.1 < 60.0 && g.2 < 30.0)
        );
    }
}
