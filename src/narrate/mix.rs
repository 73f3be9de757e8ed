//! The narration's sound: the speech track over (optional) background music, the music
//! ducked under the voice if asked, the whole loudness-normalized with ffmpeg's `loudnorm`.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// How the speech and the music are mixed.
#[derive(Clone, Debug, PartialEq)]
pub struct MixSettings {
    /// Integrated loudness target in LUFS (EBU R128), e.g. −16.
    pub loudness: f64,
    /// Gain of the music under the voice, 0–1 (after the music is brought to the target
    /// loudness itself).
    pub music_volume: f64,
    /// Lower the music further while the voice speaks (sidechain compression).
    pub duck: bool,
    /// Length of the result in seconds (the music loops or is cut to it, and fades out).
    pub seconds: f64,
}

/// The `-filter_complex` graph mixing input 0 (speech) with input 1 (music, if `music`).
pub fn filter_graph(s: &MixSettings, music: bool) -> String {
    let norm = format!("loudnorm=I={:.1}:TP=-1.5:LRA=11", s.loudness);
    let speech = "[0:a]aresample=44100,aformat=sample_fmts=fltp:channel_layouts=stereo";
    if !music {
        return format!("{speech},{norm},aresample=44100[out]");
    }
    let fade_at = (s.seconds - 2.0).max(0.0);
    let mut g = format!(
        "{speech},asplit=2[voice][key];\
         [1:a]aresample=44100,aformat=sample_fmts=fltp:channel_layouts=stereo,\
         atrim=0:{secs:.3},asetpts=N/SR/TB,{norm},volume={vol:.3},\
         afade=t=out:st={fade_at:.3}:d=2[music];",
        secs = s.seconds,
        vol = s.music_volume.clamp(0.0, 1.0),
    );
    if s.duck {
        g.push_str(
            "[music][key]sidechaincompress=threshold=0.03:ratio=6:attack=20:release=500[bed];",
        );
    } else {
        g.push_str("[key]anullsink;[music]anull[bed];");
    }
    g.push_str(&format!(
        "[voice][bed]amix=inputs=2:duration=first:normalize=0,{norm},aresample=44100[out]"
    ));
    g
}

/// Mix `speech` (and `music`) into `out` (16-bit stereo WAV at 44.1 kHz).
pub fn mix(speech: &Path, music: Option<&Path>, s: &MixSettings, out: &Path) -> Result<()> {
    let ffmpeg = crate::media::find_ffmpeg()?;
    let mut cmd = Command::new(ffmpeg);
    cmd.args(["-hide_banner", "-nostdin", "-y", "-i"])
        .arg(speech);
    if let Some(m) = music {
        crate::media::decode::check_input_file(m)?;
        // the music loops if it is shorter than the narration
        cmd.args(["-stream_loop", "-1", "-i"]).arg(m);
    }
    cmd.args(["-filter_complex", &filter_graph(s, music.is_some())])
        .args(["-map", "[out]", "-t", &format!("{:.3}", s.seconds)])
        .args(["-c:a", "pcm_s16le", "-ar", "44100", "-ac", "2"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let res = cmd
        .output()
        .context("cannot run ffmpeg to mix the narration")?;
    if !res.status.success() {
        let err = String::from_utf8_lossy(&res.stderr);
        let last = err
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message");
        bail!(
            "ffmpeg could not mix the narration{}: {last}",
            music.map_or(String::new(), |m| format!(" with {}", m.display()))
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphs_normalize_and_duck_only_when_asked() {
        let mut s = MixSettings {
            loudness: -16.0,
            music_volume: 0.3,
            duck: false,
            seconds: 10.0,
        };
        let plain = filter_graph(&s, false);
        assert!(plain.contains("loudnorm=I=-16.0") && !plain.contains("[1:a]"));
        let bed = filter_graph(&s, true);
        assert!(bed.contains("amix") && !bed.contains("sidechaincompress"));
        s.duck = true;
        assert!(filter_graph(&s, true).contains("sidechaincompress"));
    }
}
