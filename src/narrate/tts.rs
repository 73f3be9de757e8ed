//! Speech from espeak-ng (a local engine from Debian's packages; no network), one WAV per
//! quote, decoded to mono samples.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// The one-line error when espeak-ng is missing.
pub const INSTALL_HINT: &str = "espeak-ng not found on PATH: `narrate` speaks with it (offline); install it with `sudo apt-get install -y espeak-ng` (macOS: `brew install espeak-ng`), or point ASCIIVID_ESPEAK at the binary";

/// The espeak-ng binary: `$ASCIIVID_ESPEAK`, else `espeak-ng` on PATH; checked by running it.
pub fn find_espeak() -> Result<std::path::PathBuf> {
    let bin = std::env::var_os("ASCIIVID_ESPEAK")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "espeak-ng".into());
    let ok = Command::new(&bin)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        bail!("{INSTALL_HINT}");
    }
    Ok(bin)
}

/// Voice settings passed to espeak-ng.
#[derive(Clone, Debug, PartialEq)]
pub struct Voice {
    /// espeak-ng voice name (`espeak-ng --voices` lists them), e.g. `en`, `en-us`, `de`.
    pub name: String,
    /// Words per minute.
    pub rate: u32,
    /// Pitch, 0 to 99.
    pub pitch: u32,
}

/// Speak `text` into `wav` (the text goes through stdin, so no quoting issues).
pub fn speak(espeak: &Path, voice: &Voice, text: &str, wav: &Path) -> Result<()> {
    use std::io::Write;
    let mut child = Command::new(espeak)
        .args(["-v", &voice.name, "-s", &voice.rate.to_string()])
        .args(["-p", &voice.pitch.to_string(), "--stdin", "-w"])
        .arg(wav)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {}", espeak.display()))?;
    child
        .stdin
        .take()
        .context("espeak-ng stdin")?
        .write_all(text.as_bytes())?;
    let out = child.wait_with_output()?;
    let err = String::from_utf8_lossy(&out.stderr);
    let err = err.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if !out.status.success() || !wav.is_file() {
        bail!(
            "espeak-ng failed to speak a quote{}: check the voice name (`espeak-ng --voices` lists them)",
            if err.is_empty() {
                String::new()
            } else {
                format!(" ({err})")
            }
        );
    }
    Ok(())
}
