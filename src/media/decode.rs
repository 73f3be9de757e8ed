//! Decoding any audio ffmpeg can read (or a video's audio track) to mono f32 samples.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result, bail};
use ffmpeg_sidecar::command::FfmpegCommand;

use super::ffmpeg::{drain_events, find_ffmpeg, summarize_errors};

/// Check that `path` is a readable, non-empty file, with a message naming it otherwise.
pub fn check_input_file(path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path).with_context(|| {
        format!(
            "input file {} does not exist or cannot be read: check the path",
            path.display()
        )
    })?;
    if meta.is_dir() {
        bail!(
            "input {} is a directory: give an audio or video file",
            path.display()
        );
    }
    if meta.len() == 0 {
        bail!(
            "input file {} is empty (0 bytes): give a real audio or video file",
            path.display()
        );
    }
    Ok(())
}

/// Decode `path` to mono f32 at `sample_rate`, optionally from `start` seconds for `duration`.
///
/// Samples are converted as they stream out of ffmpeg, so the file is never held twice.
pub fn decode_audio(
    path: &Path,
    sample_rate: u32,
    start: f64,
    duration: Option<f64>,
) -> Result<Vec<f32>> {
    check_input_file(path)?;
    let ffmpeg = find_ffmpeg()?;
    let mut cmd = FfmpegCommand::new_with_path(&ffmpeg);
    cmd.hide_banner();
    if start > 0.0 {
        cmd.args(["-ss", &format!("{start:.6}")]);
    }
    cmd.input(path);
    if let Some(d) = duration {
        cmd.args(["-t", &format!("{d:.6}")]);
    }
    cmd.args([
        "-map",
        "0:a:0",
        "-vn",
        "-ac",
        "1",
        "-ar",
        &sample_rate.to_string(),
        "-f",
        "f32le",
    ])
    .output("-");
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot start {}", ffmpeg.display()))?;
    let mut stdout = child.take_stdout().context("ffmpeg gave no stdout")?;
    let iter = child.iter()?;
    let events = std::thread::spawn(move || drain_events(iter, |_| {}));
    let mut samples = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut carry = Vec::with_capacity(4);
    loop {
        let n = stdout.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let mut bytes = &buf[..n];
        if !carry.is_empty() {
            let need = 4 - carry.len();
            let take = need.min(bytes.len());
            carry.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if carry.len() == 4 {
                samples.push(f32::from_le_bytes([carry[0], carry[1], carry[2], carry[3]]));
                carry.clear();
            }
        }
        let whole = bytes.len() / 4 * 4;
        samples.extend(
            bytes[..whole]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        );
        carry.extend_from_slice(&bytes[whole..]);
    }
    let errors = events.join().unwrap_or_default();
    let status = child.wait()?;
    if !status.success() {
        let why = summarize_errors(&errors);
        let why = if why.contains("matches no streams") {
            "it has no audio track".to_string()
        } else {
            why
        };
        bail!(
            "cannot decode audio from {}: {why} (give an audio file ffmpeg can read: mp3, ogg, flac, wav, m4a, opus, or a video with sound)",
            path.display()
        );
    }
    for s in samples.iter_mut() {
        if !s.is_finite() {
            *s = 0.0;
        }
    }
    Ok(samples)
}
