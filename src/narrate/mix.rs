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

/// The `-filter_complex` graph mixing input 0 (speech) with input 1 (music, if `music`),
/// ending in `last` (the final loudness stage) and `[out]`.
pub fn filter_graph(s: &MixSettings, music: bool, last: &str) -> String {
    let norm = format!("loudnorm=I={:.1}:TP=-1.5:LRA=11", s.loudness);
    let speech = "[0:a]aresample=44100,aformat=sample_fmts=fltp:channel_layouts=stereo";
    if !music {
        return format!("{speech},{last},aresample=44100[out]");
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
        "[voice][bed]amix=inputs=2:duration=first:normalize=0,{last},aresample=44100[out]"
    ));
    g
}

/// What loudnorm's first pass measured (its `print_format=json` block).
#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    input_i: String,
    input_tp: String,
    input_lra: String,
    input_thresh: String,
    target_offset: String,
}

impl Measured {
    /// Pull the measurement out of ffmpeg's log (None if it is not there).
    pub fn from_log(log: &str) -> Option<Measured> {
        let json = &log[log.rfind('{')?..=log.rfind('}')?];
        let v: serde_json::Value = serde_json::from_str(json).ok()?;
        let get = |k: &str| -> Option<String> {
            let s = v.get(k)?.as_str()?.trim().to_string();
            s.parse::<f64>().ok().filter(|x| x.is_finite())?;
            Some(s)
        };
        Some(Measured {
            input_i: get("input_i")?,
            input_tp: get("input_tp")?,
            input_lra: get("input_lra")?,
            input_thresh: get("input_thresh")?,
            target_offset: get("target_offset")?,
        })
    }

    /// The second pass: a linear gain to the target computed from the measurement.
    fn filter(&self, s: &MixSettings) -> String {
        format!(
            "loudnorm=I={:.1}:TP=-1.5:LRA=11:measured_I={}:measured_TP={}:measured_LRA={}:measured_thresh={}:offset={}:linear=true",
            s.loudness,
            self.input_i,
            self.input_tp,
            self.input_lra,
            self.input_thresh,
            self.target_offset
        )
    }
}

/// Mix `speech` (and `music`) into `out` (16-bit stereo WAV at 44.1 kHz), normalized in two
/// passes: loudnorm measures the mix, then applies one linear gain to reach the target
/// (the one-pass dynamic mode lands up to a unit or so off and pumps).
pub fn mix(speech: &Path, music: Option<&Path>, s: &MixSettings, out: &Path) -> Result<()> {
    let measure = format!(
        "loudnorm=I={:.1}:TP=-1.5:LRA=11:print_format=json",
        s.loudness
    );
    let log = run(speech, music, s, &measure, None)?;
    let last = match Measured::from_log(&log) {
        Some(m) => m.filter(s),
        // silence (nothing to measure): the one-pass filter is as good as any
        None => format!("loudnorm=I={:.1}:TP=-1.5:LRA=11", s.loudness),
    };
    run(speech, music, s, &last, Some(out)).map(|_| ())
}

/// One ffmpeg run of the graph ending in `last`, into `out` (or nowhere, to measure); its log.
fn run(
    speech: &Path,
    music: Option<&Path>,
    s: &MixSettings,
    last: &str,
    out: Option<&Path>,
) -> Result<String> {
    let ffmpeg = crate::media::find_ffmpeg()?;
    let mut cmd = Command::new(ffmpeg);
    cmd.args(["-hide_banner", "-nostdin", "-y", "-i"])
        .arg(speech);
    if let Some(m) = music {
        crate::media::decode::check_input_file(m)?;
        // the music loops if it is shorter than the narration
        cmd.args(["-stream_loop", "-1", "-i"]).arg(m);
    }
    cmd.args(["-filter_complex", &filter_graph(s, music.is_some(), last)])
        .args(["-map", "[out]", "-t", &format!("{:.3}", s.seconds)]);
    match out {
        Some(o) => cmd
            .args(["-c:a", "pcm_s16le", "-ar", "44100", "-ac", "2"])
            .arg(o),
        None => cmd.args(["-f", "null", "-"]),
    };
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
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
    Ok(String::from_utf8_lossy(&res.stderr).into_owned())
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
        let plain = filter_graph(&s, false, "LAST");
        assert!(plain.contains("LAST") && !plain.contains("[1:a]"));
        let bed = filter_graph(&s, true, "LAST");
        assert!(bed.contains("amix") && bed.ends_with("LAST,aresample=44100[out]"));
        assert!(!bed.contains("sidechaincompress"));
        s.duck = true;
        assert!(filter_graph(&s, true, "LAST").contains("sidechaincompress"));
    }

    #[test]
    fn the_second_pass_uses_the_measurement() {
        let log = "[Parsed_loudnorm_0 @ 0x1]\n{\n\t\"input_i\" : \"-27.61\",\n\t\"input_tp\" : \"-4.47\",\n\t\"input_lra\" : \"18.10\",\n\t\"input_thresh\" : \"-39.20\",\n\t\"output_i\" : \"-16.58\",\n\t\"target_offset\" : \"0.58\"\n}\n";
        let m = Measured::from_log(log).unwrap();
        let s = MixSettings {
            loudness: -16.0,
            music_volume: 0.3,
            duck: false,
            seconds: 1.0,
        };
        let f = m.filter(&s);
        assert!(
            f.contains("measured_I=-27.61")
                && f.contains("offset=0.58")
                && f.contains("linear=true"),
            "{f}"
        );
        assert!(Measured::from_log("no json here").is_none());
        assert!(Measured::from_log("{ \"input_i\" : \"-inf\" }").is_none());
    }
}
