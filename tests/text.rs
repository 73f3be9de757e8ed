//! End-to-end tests of timed text and narration through the real binary, real ffmpeg and
//! real espeak-ng: `render --lyrics` draws where the words are, a malformed file fails with
//! its file and line and writes nothing, `narrate` makes a loudness-normalized mp4 that covers
//! the speech.

#[allow(dead_code)] // each test binary uses a different part of the helpers
mod util;

use std::path::Path;
use std::process::Command;

use util::*;

const W: usize = 320;
const H: usize = 180;

/// Luma planes of a 4:2:0 y4m file, one per frame.
fn y4m_lumas(path: &Path) -> Vec<Vec<u8>> {
    let data = std::fs::read(path).unwrap();
    let end = data.iter().position(|&b| b == b'\n').unwrap();
    let size = W * H + 2 * W.div_ceil(2) * H.div_ceil(2);
    let mut out = Vec::new();
    let mut at = end + 1;
    while at < data.len() {
        let nl = at + data[at..].iter().position(|&b| b == b'\n').unwrap();
        out.push(data[nl + 1..nl + 1 + W * H].to_vec());
        at = nl + 1 + size;
    }
    out
}

/// How many pixels of rows `r0..r1` differ by more than 40 levels of luma between two frames.
fn changed(a: &[u8], b: &[u8], r0: usize, r1: usize) -> usize {
    let (a, b) = (&a[r0 * W..r1 * W], &b[r0 * W..r1 * W]);
    a.iter()
        .zip(b)
        .filter(|(x, y)| x.abs_diff(**y) > 40)
        .count()
}

fn render(dir: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "render",
        "song.wav",
        "-o",
        out,
        "--preset",
        "aurora",
        "--resolution",
        "320x180",
        "--fps",
        "12",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

#[test]
fn render_lyrics_draws_the_words_over_the_preset() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    click_track(d, "song.wav", 2.0, 120.0);
    std::fs::write(
        d.join("song.srt"),
        "1\r\n00:00:00,500 --> 00:00:01,900\r\nHELLO LYRICS WORLD\r\n",
    )
    .unwrap();
    let plain = render(d, "plain.y4m", &[]);
    assert!(plain.status.success(), "{}", stderr(&plain));
    let lyr = render(
        d,
        "lyrics.y4m",
        &[
            "--lyrics",
            "song.srt",
            "--lyrics-mode",
            "plain",
            "--lyrics-position",
            "center",
        ],
    );
    assert!(lyr.status.success(), "{}", stderr(&lyr));
    let (a, b) = (
        y4m_lumas(&d.join("plain.y4m")),
        y4m_lumas(&d.join("lyrics.y4m")),
    );
    assert_eq!(a.len(), b.len());
    // before the first entry the frames are the same, bit for bit
    assert_eq!(a[0], b[0], "frame 0 has no lyric yet but differs");
    // during it the centre rows (where the line sits) change, the rest keeps its exposure
    // (text layers go on after the tonemap)
    let k = 14; // 1.17 s
    let centre = changed(&a[k], &b[k], H * 2 / 5, H * 3 / 5);
    let rest = changed(&a[k], &b[k], 0, H / 3) + changed(&a[k], &b[k], H * 2 / 3, H);
    assert!(
        centre > 100,
        "the text region barely changed: {centre} pixels"
    );
    assert!(
        rest < 20,
        "{rest} pixels away from the text changed (centre {centre})"
    );
}

#[test]
fn a_malformed_srt_fails_naming_file_and_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    click_track(d, "song.wav", 1.0, 120.0);
    std::fs::write(
        d.join("bad.srt"),
        "1\n00:00:00,000 --> 00:00:01,000\nfine\n\n2\n00:00:01,000 -> 00:00:02,000\nbroken arrow\n",
    )
    .unwrap();
    let o = render(d, "out.mp4", &["--lyrics", "bad.srt"]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("bad.srt line 6:"), "{err}");
    assert!(err.contains("HH:MM:SS,mmm"), "the fix is not named: {err}");
    assert_eq!(
        listing(d),
        vec!["bad.srt", "song.wav"],
        "something was written"
    );
    // the same file named by a preset is reported the same way
    std::fs::write(
        d.join("look.toml"),
        "[[layers]]\neffect = \"lyrics\"\nlyrics = { file = \"bad.srt\" }\n",
    )
    .unwrap();
    let o = run_in(
        d,
        &[
            "render",
            "song.wav",
            "--preset",
            "look.toml",
            "-o",
            "out.mp4",
        ],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("bad.srt line 6:"), "{}", stderr(&o));
}

#[test]
fn overlapping_entries_render_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    click_track(d, "song.wav", 1.0, 120.0);
    std::fs::write(
        d.join("o.lrc"),
        "[00:00.00]one\n[00:00.50]two\n[00:00.20]three\n",
    )
    .unwrap();
    // LRC lines are sorted, so these do not overlap; an SRT that overlaps gets the note
    std::fs::write(
        d.join("o.srt"),
        "1\n00:00:00,000 --> 00:00:00,800\none\n\n2\n00:00:00,400 --> 00:00:00,900\ntwo\n",
    )
    .unwrap();
    let o = run_in(
        d,
        &[
            "render",
            "song.wav",
            "--lyrics",
            "o.srt",
            "--resolution",
            "160x90",
            "--fps",
            "8",
            "-o",
            "o.y4m",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("1 entries overlap"), "{}", stderr(&o));
    let o = render(d, "l.y4m", &["--lyrics", "o.lrc"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Integrated loudness (LUFS) of a file's audio, from ffmpeg's ebur128 summary.
fn loudness(path: &Path) -> f64 {
    let o = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(path)
        .args(["-af", "ebur128", "-f", "null", "-"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&o.stderr);
    let summary = &log[log.rfind("Integrated loudness").expect("ebur128 summary")..];
    summary
        .lines()
        .find_map(|l| l.trim().strip_prefix("I:"))
        .and_then(|v| v.trim().trim_end_matches("LUFS").trim().parse().ok())
        .expect("an integrated loudness")
}

/// Seconds of speech espeak-ng makes for `text` (what narrate must cover).
fn speech_seconds(dir: &Path, text: &str) -> f64 {
    let wav = dir.join("probe.wav");
    let o = Command::new("espeak-ng")
        .args(["-v", "en", "-s", "155", "-p", "45", "-w"])
        .arg(&wav)
        .arg(text)
        .output()
        .expect("espeak-ng must be installed for the narrate tests (apt-get install -y espeak-ng)");
    assert!(o.status.success());
    let p = probe(&wav);
    p["format"]["duration"].as_str().unwrap().parse().unwrap()
}

#[test]
fn narrate_mixes_speech_over_music_at_the_loudness_target() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    click_track(d, "bed.wav", 2.0, 100.0);
    std::fs::write(
        d.join("q.txt"),
        "# two quotes\nFirst quote.\n\nAnd the second one.\n",
    )
    .unwrap();
    let o = run_in(
        d,
        &[
            "narrate",
            "q.txt",
            "--music",
            "bed.wav",
            "--duck",
            "--loudness",
            "-20",
            "--gap",
            "0.5",
            "--pad",
            "0.5",
            "--resolution",
            "160x90",
            "--fps",
            "10",
            "--quiet",
            "-o",
            "n.mp4",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let p = probe(&d.join("n.mp4"));
    assert!(stream(&p, "audio").is_some(), "no audio stream");
    assert!(stream(&p, "video").is_some(), "no video stream");
    let dur: f64 = p["format"]["duration"].as_str().unwrap().parse().unwrap();
    let speech = speech_seconds(d, "First quote.") + speech_seconds(d, "And the second one.");
    let need = speech + 0.5 + 0.5 + 0.5;
    assert!(
        dur >= need - 0.15,
        "{dur:.2} s does not cover {need:.2} s of speech and pauses"
    );
    assert!(
        dur < need + 1.0,
        "{dur:.2} s is far longer than {need:.2} s"
    );
    let lufs = loudness(&d.join("n.mp4"));
    assert!(
        (lufs + 20.0).abs() < 1.5,
        "integrated loudness {lufs} LUFS, target -20"
    );
}

#[test]
fn narrate_without_espeak_names_the_install_command() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("q.txt"), "Hello.\n").unwrap();
    let o = bin()
        .current_dir(d)
        .env("ASCIIVID_ESPEAK", d.join("no-such-espeak"))
        .args(["narrate", "q.txt", "-o", "n.mp4"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = stderr(&o);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("apt-get install -y espeak-ng"), "{err}");
    assert_eq!(listing(d), vec!["q.txt"]);
}

#[test]
fn a_ticker_layer_scrolls_across_its_row_and_renders_the_same_twice() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    click_track(d, "song.wav", 1.0, 120.0);
    std::fs::write(
        d.join("ticker.toml"),
        "[[layers]]\neffect = \"lyrics\"\ngrid = \"lg\"\nblend = \"normal\"\ncolor = { mode = \"mono\", colors = [\"#ffffff\"] }\nlyrics = { mode = \"ticker\", text = \"BREAKING NEWS\", position = \"center\" }\n",
    )
    .unwrap();
    let go = |out: &str| {
        let o = run_in(
            d,
            &[
                "render",
                "song.wav",
                "-o",
                out,
                "--preset",
                "ticker.toml",
                "--resolution",
                "320x180",
                "--fps",
                "12",
                "--seed",
                "3",
                "--quiet",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        y4m_lumas(&d.join(out))
    };
    let frames = go("a.y4m");
    assert_eq!(frames.len(), 12);
    assert_eq!(frames, go("b.y4m"), "the same render differs");
    let lit =
        |f: &[u8], r0: usize, r1: usize| f[r0 * W..r1 * W].iter().filter(|&&v| v > 60).count();
    for (k, f) in frames.iter().enumerate() {
        // the text sits on the middle row only, and fills it across (repeats, no gap)
        let mid = lit(f, H * 2 / 5, H * 3 / 5);
        assert!(mid > 300, "frame {k}: the ticker row is dark ({mid})");
        assert_eq!(lit(f, 0, H / 3) + lit(f, H * 2 / 3, H), 0, "frame {k}");
        let bright = |c0: usize, c1: usize| {
            (H * 2 / 5..H * 3 / 5)
                .flat_map(|r| &f[r * W + c0..r * W + c1])
                .filter(|&&v| v > 60)
                .count()
        };
        let (left, right) = (bright(0, W / 3), bright(W * 2 / 3, W));
        assert!(
            left > 0 && right > 0,
            "frame {k}: the row is not filled across"
        );
    }
    // it scrolls: every frame differs from the one before
    for k in 1..frames.len() {
        assert!(
            changed(&frames[k - 1], &frames[k], H * 2 / 5, H * 3 / 5) > 50,
            "frame {k} did not move"
        );
    }
    // and `list text` names the generated modes
    let o = run_in(d, &["list", "text", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let names: Vec<&str> = v["modes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["generated"] == true)
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ticker", "beat_words", "messages", "error_stamps"]);
}

#[test]
fn beat_words_and_error_stamps_agree_between_a_shard_and_one_pass() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    click_track(d, "song.wav", 2.0, 120.0);
    std::fs::write(
        d.join("words.toml"),
        "[[layers]]\neffect = \"lyrics\"\ngrid = \"lg\"\nlyrics = { mode = \"beat_words\", words = [\"DROP\", \"BASS\", \"NOW\"] }\n[[layers]]\neffect = \"lyrics\"\nlyrics = { mode = \"error_stamps\" }\n",
    )
    .unwrap();
    let go = |out: &str, extra: &[&str]| {
        let mut args = vec![
            "render",
            "song.wav",
            "-o",
            out,
            "--preset",
            "words.toml",
            "--resolution",
            "320x180",
            "--fps",
            "12",
            "--quiet",
        ];
        args.extend_from_slice(extra);
        let o = run_in(d, &args);
        assert!(o.status.success(), "{}", stderr(&o));
        y4m_lumas(&d.join(out))
    };
    let full = go("full.y4m", &[]);
    let part = go("part.y4m", &["--frames", "10..24"]);
    assert_eq!(part.len(), 14);
    assert!(
        full[10..24] == part[..],
        "a shard differs from the one-pass render"
    );
    assert!(
        full.iter().all(|f| f.iter().any(|&v| v > 60)),
        "a frame without any text (stamps are always on)"
    );
}
