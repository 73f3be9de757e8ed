//! Media I/O: finding ffmpeg, decoding audio, and the frame sinks (ffmpeg encoder, GIF, PNG, y4m).

pub mod decode;
pub mod ffmpeg;
pub mod sink;
pub mod wav;
pub mod yuv;

pub use ffmpeg::{FfmpegMissing, find_ffmpeg, find_ffprobe};
