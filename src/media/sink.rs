//! Frame sinks: where rendered frames go. Every sink writes to a temporary name next to the
//! final output and renames it only when complete, so a failure never leaves a half-written
//! file under the name the user asked for.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use crossbeam_channel::{Receiver, Sender, bounded};
use ffmpeg_sidecar::command::FfmpegCommand;

use super::ffmpeg::{INSTALL_HINT, drain_events, find_ffmpeg, summarize_errors};
use super::yuv::{Chroma, rgb_to_yuv};
use crate::frame::Frame;

/// What the output path asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputKind {
    /// H.264 + AAC in MP4 (or MKV).
    Mp4,
    /// VP9 + Opus in WebM.
    Webm,
    /// Animated GIF through ffmpeg's palettegen/paletteuse.
    Gif,
    /// ProRes 4444 (optionally with alpha) + AAC in QuickTime.
    Mov,
    /// Uncompressed YUV4MPEG2 (for piping and measuring), written in Rust.
    Y4m,
    /// A directory of numbered PNG frames, written in Rust.
    PngDir,
}

impl OutputKind {
    /// Decide from the output path: by extension, or a directory for anything without one.
    pub fn from_path(path: &Path) -> Result<OutputKind> {
        if path.is_dir() || path.to_string_lossy().ends_with('/') {
            return Ok(OutputKind::PngDir);
        }
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        Ok(match ext.as_deref() {
            Some("mp4" | "m4v" | "mkv") => OutputKind::Mp4,
            Some("webm") => OutputKind::Webm,
            Some("gif") => OutputKind::Gif,
            Some("mov") => OutputKind::Mov,
            Some("y4m") => OutputKind::Y4m,
            None => OutputKind::PngDir,
            Some(other) => bail!(
                "output {}: unknown extension `.{other}`; use .mp4, .webm, .gif, .mov, .y4m, or a directory for PNG frames",
                path.display()
            ),
        })
    }

    /// Whether this kind carries sound.
    pub fn has_audio(self) -> bool {
        matches!(self, OutputKind::Mp4 | OutputKind::Webm | OutputKind::Mov)
    }

    /// Whether ffmpeg is needed to write it.
    pub fn needs_ffmpeg(self) -> bool {
        !matches!(self, OutputKind::Y4m | OutputKind::PngDir)
    }
}

/// Encoder settings for ffmpeg outputs.
#[derive(Clone, Debug, PartialEq)]
pub struct EncodeSettings {
    /// Frame width (even for 4:2:0).
    pub width: usize,
    /// Frame height.
    pub height: usize,
    /// Frames per second.
    pub fps: f64,
    /// Constant rate factor.
    pub crf: u32,
    /// x264 preset (ultrafast … veryslow).
    pub preset: String,
    /// Chroma subsampling.
    pub chroma: Chroma,
    /// ProRes with an alpha channel (alpha = pixel brightness, so black is transparent).
    pub alpha: bool,
    /// Audio to mux: file, start offset and duration in seconds.
    pub audio: Option<(PathBuf, f64, f64)>,
}

/// What a sink reports when done.
#[derive(Clone, Debug, Default)]
pub struct SinkReport {
    /// Frames written.
    pub frames: u64,
    /// Time the producer spent blocked waiting for the encoder (the encoder was the bottleneck).
    pub wait: Duration,
    /// Time spent converting colours in Rust.
    pub convert: Duration,
}

/// Where rendered frames go.
pub trait FrameSink: Send {
    /// Accept the next frame.
    fn write_frame(&mut self, frame: &Frame) -> Result<()>;
    /// Finish the output and move it to its final name.
    fn finish(self: Box<Self>) -> Result<SinkReport>;
    /// Stop and remove everything written so far.
    fn abort(self: Box<Self>);
}

/// A temporary path next to `final_path`, keeping its extension (ffmpeg picks muxers by it).
pub fn temp_path(final_path: &Path) -> PathBuf {
    let name = final_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let dir = final_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    dir.join(format!(".asciivid-{}-{name}", std::process::id()))
}

fn remove_any(p: &Path) {
    if p.is_dir() {
        let _ = std::fs::remove_dir_all(p);
    } else {
        let _ = std::fs::remove_file(p);
    }
}

fn commit(tmp: &Path, final_path: &Path) -> Result<()> {
    if final_path.exists() {
        remove_any(final_path);
    }
    std::fs::rename(tmp, final_path).with_context(|| {
        format!(
            "cannot move the finished output to {}",
            final_path.display()
        )
    })
}

/// Open the sink for `path`.
pub fn open_sink(path: &Path, kind: OutputKind, s: &EncodeSettings) -> Result<Box<dyn FrameSink>> {
    Ok(match kind {
        OutputKind::Y4m => Box::new(Y4mSink::new(path, s)?),
        OutputKind::PngDir => Box::new(PngDirSink::new(path)?),
        _ => Box::new(FfmpegSink::new(path, kind, s)?),
    })
}

/// Frames piped to an ffmpeg process: converted to YUV in Rust, written by a dedicated thread
/// while another thread drains ffmpeg's log (writing without draining deadlocks ffmpeg).
pub struct FfmpegSink {
    tx: Option<Sender<Vec<u8>>>,
    pool: Receiver<Vec<u8>>,
    writer: Option<JoinHandle<std::io::Result<()>>>,
    events: Option<JoinHandle<Vec<String>>>,
    child: ffmpeg_sidecar::child::FfmpegChild,
    tmp: PathBuf,
    final_path: PathBuf,
    rgb_input: bool,
    chroma: Chroma,
    report: SinkReport,
}

fn ffmpeg_args(kind: OutputKind, s: &EncodeSettings, rgb_input: bool) -> Vec<String> {
    let mut a: Vec<String> = Vec::new();
    let mut push = |v: &[&str]| a.extend(v.iter().map(|s| s.to_string()));
    let size = format!("{}x{}", s.width, s.height);
    let fps = format!("{}", s.fps);
    let in_fmt = if rgb_input {
        if s.alpha { "rgba" } else { "rgb24" }
    } else {
        s.chroma.pix_fmt()
    };
    push(&[
        "-f", "rawvideo", "-pix_fmt", in_fmt, "-s", &size, "-r", &fps,
    ]);
    if !rgb_input {
        push(&[
            "-colorspace",
            "bt709",
            "-color_primaries",
            "bt709",
            "-color_trc",
            "bt709",
            "-color_range",
            "tv",
        ]);
    }
    push(&["-i", "-"]);
    let with_audio = kind.has_audio() && s.audio.is_some();
    if let Some((audio, start, dur)) = s.audio.as_ref().filter(|_| with_audio) {
        if *start > 0.0 {
            push(&["-ss", &format!("{start:.6}")]);
        }
        push(&["-t", &format!("{dur:.6}"), "-i", &audio.to_string_lossy()]);
        push(&["-map", "0:v:0", "-map", "1:a:0"]);
    }
    let crf = s.crf.to_string();
    match kind {
        OutputKind::Mp4 => {
            push(&[
                "-c:v",
                "libx264",
                "-preset",
                &s.preset,
                "-crf",
                &crf,
                "-pix_fmt",
                s.chroma.pix_fmt(),
            ]);
            push(&[
                "-colorspace",
                "bt709",
                "-color_primaries",
                "bt709",
                "-color_trc",
                "bt709",
                "-color_range",
                "tv",
            ]);
            push(&["-movflags", "+faststart"]);
            if with_audio {
                push(&["-c:a", "aac", "-b:a", "192k"]);
            }
        }
        OutputKind::Webm => {
            let crf = (s.crf + 12).min(63).to_string();
            push(&[
                "-c:v",
                "libvpx-vp9",
                "-deadline",
                "realtime",
                "-cpu-used",
                "8",
                "-row-mt",
                "1",
                "-crf",
                &crf,
                "-b:v",
                "0",
                "-pix_fmt",
                s.chroma.pix_fmt(),
            ]);
            push(&[
                "-colorspace",
                "bt709",
                "-color_primaries",
                "bt709",
                "-color_trc",
                "bt709",
                "-color_range",
                "tv",
            ]);
            if with_audio {
                push(&["-c:a", "libopus", "-b:a", "160k"]);
            }
        }
        OutputKind::Gif => {
            push(&[
                "-vf",
                "split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=3",
                "-loop",
                "0",
            ]);
        }
        OutputKind::Mov => {
            let pix = if s.alpha {
                "yuva444p10le"
            } else {
                "yuv444p10le"
            };
            push(&["-c:v", "prores_ks", "-profile:v", "4444", "-pix_fmt", pix]);
            if with_audio {
                push(&["-c:a", "aac", "-b:a", "192k"]);
            }
        }
        OutputKind::Y4m | OutputKind::PngDir => {}
    }
    if with_audio {
        push(&["-shortest"]);
    }
    a
}

impl FfmpegSink {
    /// Start ffmpeg writing `final_path` (via a temporary name).
    pub fn new(final_path: &Path, kind: OutputKind, s: &EncodeSettings) -> Result<FfmpegSink> {
        let ffmpeg = find_ffmpeg()?;
        let tmp = temp_path(final_path);
        // GIF and ProRes convert from RGB inside ffmpeg anyway; everything else gets planar YUV.
        let rgb_input = matches!(kind, OutputKind::Gif | OutputKind::Mov);
        let mut cmd = FfmpegCommand::new_with_path(&ffmpeg);
        cmd.hide_banner()
            .args(ffmpeg_args(kind, s, rgb_input))
            .overwrite()
            .output(&tmp);
        let mut child = cmd.spawn().with_context(|| {
            format!("cannot start ffmpeg ({}): {INSTALL_HINT}", ffmpeg.display())
        })?;
        let mut stdin = child.take_stdin().context("ffmpeg gave no stdin")?;
        let iter = child.iter()?;
        let events = std::thread::spawn(move || drain_events(iter, |_| {}));
        let (tx, rx) = bounded::<Vec<u8>>(3);
        let (pool_tx, pool) = bounded::<Vec<u8>>(4);
        for _ in 0..4 {
            let _ = pool_tx.send(Vec::new());
        }
        let writer = std::thread::spawn(move || -> std::io::Result<()> {
            let mut out = BufWriter::with_capacity(1 << 20, &mut stdin);
            for buf in rx {
                out.write_all(&buf)?;
                let _ = pool_tx.send(buf);
            }
            out.flush()?;
            drop(out);
            drop(stdin); // EOF: ffmpeg finalizes the file
            Ok(())
        });
        Ok(FfmpegSink {
            tx: Some(tx),
            pool,
            writer: Some(writer),
            events: Some(events),
            child,
            tmp,
            final_path: final_path.to_path_buf(),
            rgb_input,
            chroma: s.chroma,
            report: SinkReport::default(),
        })
    }

    fn failure(&mut self) -> anyhow::Error {
        self.tx.take();
        let _ = self.child.kill();
        let errors = self
            .events
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        let _ = self.child.wait();
        remove_any(&self.tmp);
        anyhow!(
            "ffmpeg failed while encoding {}: {}",
            self.final_path.display(),
            summarize_errors(&errors)
        )
    }
}

impl FrameSink for FfmpegSink {
    fn write_frame(&mut self, frame: &Frame) -> Result<()> {
        let t0 = Instant::now();
        let mut buf = self.pool.recv().unwrap_or_default();
        self.report.wait += t0.elapsed();
        let t1 = Instant::now();
        if self.rgb_input {
            buf.clear();
            buf.extend_from_slice(&frame.data);
        } else {
            rgb_to_yuv(frame, self.chroma, &mut buf);
        }
        self.report.convert += t1.elapsed();
        let t2 = Instant::now();
        let sent = self.tx.as_ref().is_some_and(|tx| tx.send(buf).is_ok());
        self.report.wait += t2.elapsed();
        if !sent || self.writer.as_ref().is_some_and(|w| w.is_finished()) {
            return Err(self.failure());
        }
        self.report.frames += 1;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<SinkReport> {
        self.tx.take();
        let t0 = Instant::now();
        let wrote = self.writer.take().map(|w| w.join());
        let errors = self
            .events
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        let status = self.child.wait()?;
        self.report.wait += t0.elapsed();
        let write_ok = matches!(wrote, Some(Ok(Ok(()))));
        if !status.success() || !write_ok {
            remove_any(&self.tmp);
            bail!(
                "ffmpeg failed while encoding {}: {}",
                self.final_path.display(),
                summarize_errors(&errors)
            );
        }
        commit(&self.tmp, &self.final_path)?;
        Ok(self.report.clone())
    }

    fn abort(mut self: Box<Self>) {
        self.tx.take();
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
        if let Some(e) = self.events.take() {
            let _ = e.join();
        }
        remove_any(&self.tmp);
    }
}

/// YUV4MPEG2 written directly (no ffmpeg needed).
pub struct Y4mSink {
    out: Option<BufWriter<File>>,
    tmp: PathBuf,
    final_path: PathBuf,
    chroma: Chroma,
    buf: Vec<u8>,
    report: SinkReport,
}

impl Y4mSink {
    /// Start writing `final_path` (via a temporary name).
    pub fn new(final_path: &Path, s: &EncodeSettings) -> Result<Y4mSink> {
        let tmp = temp_path(final_path);
        let f = File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        let mut out = BufWriter::with_capacity(1 << 20, f);
        let (num, den) = fps_fraction(s.fps);
        let c = match s.chroma {
            Chroma::Yuv420 => "420jpeg",
            Chroma::Yuv444 => "444",
        };
        writeln!(
            out,
            "YUV4MPEG2 W{} H{} F{num}:{den} Ip A1:1 C{c} XCOLORRANGE=LIMITED",
            s.width, s.height
        )?;
        Ok(Y4mSink {
            out: Some(out),
            tmp,
            final_path: final_path.to_path_buf(),
            chroma: s.chroma,
            buf: Vec::new(),
            report: SinkReport::default(),
        })
    }
}

/// A frame rate as a fraction (exact for integer and NTSC rates).
pub fn fps_fraction(fps: f64) -> (u64, u64) {
    if (fps - fps.round()).abs() < 1e-9 {
        return (fps.round() as u64, 1);
    }
    ((fps * 1001.0).round() as u64, 1001)
}

impl FrameSink for Y4mSink {
    fn write_frame(&mut self, frame: &Frame) -> Result<()> {
        let t = Instant::now();
        rgb_to_yuv(frame, self.chroma, &mut self.buf);
        self.report.convert += t.elapsed();
        let out = self.out.as_mut().context("sink already finished")?;
        out.write_all(b"FRAME\n")?;
        out.write_all(&self.buf)?;
        self.report.frames += 1;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<SinkReport> {
        if let Some(mut out) = self.out.take() {
            out.flush()?;
        }
        commit(&self.tmp, &self.final_path)?;
        Ok(self.report.clone())
    }

    fn abort(mut self: Box<Self>) {
        self.out.take();
        remove_any(&self.tmp);
    }
}

/// A directory of `frame_000000.png` files written directly (no ffmpeg needed).
pub struct PngDirSink {
    tmp: PathBuf,
    final_path: PathBuf,
    report: SinkReport,
}

impl PngDirSink {
    /// Start writing frames into `final_path` (via a temporary directory).
    pub fn new(final_path: &Path) -> Result<PngDirSink> {
        let final_path = PathBuf::from(final_path.to_string_lossy().trim_end_matches('/'));
        let tmp = temp_path(&final_path);
        std::fs::create_dir_all(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        Ok(PngDirSink {
            tmp,
            final_path,
            report: SinkReport::default(),
        })
    }
}

/// Write one RGB frame as a PNG file.
pub fn write_png(path: &Path, frame: &Frame) -> Result<()> {
    let f = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut enc = png::Encoder::new(BufWriter::new(f), frame.width as u32, frame.height as u32);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    let mut w = enc.write_header()?;
    w.write_image_data(&frame.data)?;
    w.finish()?;
    Ok(())
}

impl FrameSink for PngDirSink {
    fn write_frame(&mut self, frame: &Frame) -> Result<()> {
        let p = self
            .tmp
            .join(format!("frame_{:06}.png", self.report.frames));
        write_png(&p, frame)?;
        self.report.frames += 1;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<SinkReport> {
        commit(&self.tmp, &self.final_path)?;
        Ok(self.report.clone())
    }

    fn abort(self: Box<Self>) {
        remove_any(&self.tmp);
    }
}

/// Animated GIF written in pure Rust: the fallback when ffmpeg is missing.
pub struct GifSink {
    enc: Option<gif::Encoder<BufWriter<File>>>,
    tmp: PathBuf,
    final_path: PathBuf,
    delay: u16,
    report: SinkReport,
    rgba: Vec<u8>,
}

impl GifSink {
    /// Start writing `final_path` at `fps`.
    pub fn new(final_path: &Path, width: usize, height: usize, fps: f64) -> Result<GifSink> {
        let tmp = temp_path(final_path);
        let f = File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        let mut enc = gif::Encoder::new(BufWriter::new(f), width as u16, height as u16, &[])?;
        enc.set_repeat(gif::Repeat::Infinite)?;
        Ok(GifSink {
            enc: Some(enc),
            tmp,
            final_path: final_path.to_path_buf(),
            delay: (100.0 / fps).round().max(2.0) as u16,
            report: SinkReport::default(),
            rgba: Vec::new(),
        })
    }
}

impl FrameSink for GifSink {
    fn write_frame(&mut self, frame: &Frame) -> Result<()> {
        self.rgba.clear();
        for p in frame.data.chunks_exact(3) {
            self.rgba.extend_from_slice(&[p[0], p[1], p[2], 255]);
        }
        let mut gf = gif::Frame::from_rgba_speed(
            frame.width as u16,
            frame.height as u16,
            &mut self.rgba,
            20,
        );
        gf.delay = self.delay;
        self.enc
            .as_mut()
            .context("sink already finished")?
            .write_frame(&gf)?;
        self.report.frames += 1;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<SinkReport> {
        drop(self.enc.take());
        commit(&self.tmp, &self.final_path)?;
        Ok(self.report.clone())
    }

    fn abort(mut self: Box<Self>) {
        self.enc.take();
        remove_any(&self.tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_extension() {
        assert_eq!(
            OutputKind::from_path(Path::new("a.mp4")).unwrap(),
            OutputKind::Mp4
        );
        assert_eq!(
            OutputKind::from_path(Path::new("a.WEBM")).unwrap(),
            OutputKind::Webm
        );
        assert_eq!(
            OutputKind::from_path(Path::new("frames/")).unwrap(),
            OutputKind::PngDir
        );
        assert_eq!(
            OutputKind::from_path(Path::new("frames")).unwrap(),
            OutputKind::PngDir
        );
        let e = OutputKind::from_path(Path::new("a.avi"))
            .unwrap_err()
            .to_string();
        assert!(e.contains(".avi") && e.contains(".mp4"), "{e}");
    }

    #[test]
    fn temp_path_is_hidden_next_to_the_output() {
        let t = temp_path(Path::new("out/video.mp4"));
        assert_eq!(t.parent(), Some(Path::new("out")));
        let name = t.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with(".asciivid-") && name.ends_with("video.mp4"));
    }

    #[test]
    fn y4m_and_png_sinks_commit_only_on_finish() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("x.y4m");
        let s = EncodeSettings {
            width: 4,
            height: 2,
            fps: 24.0,
            crf: 20,
            preset: "veryfast".into(),
            chroma: Chroma::Yuv420,
            alpha: false,
            audio: None,
        };
        let mut sink = open_sink(&out, OutputKind::Y4m, &s).unwrap();
        sink.write_frame(&Frame::new(4, 2)).unwrap();
        assert!(!out.exists());
        sink.finish().unwrap();
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.starts_with(b"YUV4MPEG2 W4 H2 F24:1"));
        let pngs = dir.path().join("pngs");
        let mut sink = open_sink(&pngs, OutputKind::PngDir, &s).unwrap();
        sink.write_frame(&Frame::new(4, 2)).unwrap();
        sink.abort();
        assert!(!pngs.exists());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp files left"
        );
    }
}
