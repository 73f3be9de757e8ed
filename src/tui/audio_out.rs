//! Sound for `preview` and `play`. With the `audio` cargo feature the track plays through the
//! default output device and the device's position is the master clock; without it (or without
//! a device) playback is silent, timed by the wall clock, with a one-line notice.

use std::path::Path;
use std::sync::Arc;

use super::clock::{Clock, WallClock};

/// A clock to drive playback, the stream that must stay alive while it plays, and a notice for
/// the status line when there is no sound.
pub struct Playback {
    /// The master clock.
    pub clock: Arc<dyn Clock>,
    /// Why there is no sound, if there is none.
    pub notice: Option<String>,
    /// Keeps the output stream alive.
    _stream: Option<Box<dyn std::any::Any>>,
}

impl Playback {
    /// Silent playback on the wall clock.
    pub fn silent(notice: Option<String>) -> Playback {
        Playback {
            clock: Arc::new(WallClock::new()),
            notice,
            _stream: None,
        }
    }
}

/// Start playing `path` from `start` for `duration` seconds (paused until the UI starts the
/// clock is not needed: the clock starts at 0 when this returns).
pub fn open(path: &Path, start: f64, duration: f64) -> Playback {
    #[cfg(feature = "audio")]
    {
        match device::open(path, start, duration) {
            Ok((clock, stream)) => Playback {
                clock,
                notice: None,
                _stream: Some(stream),
            },
            // The outermost context only: the status line has room for one short reason.
            Err(e) => Playback::silent(Some(format!("silent: no audio output ({e})"))),
        }
    }
    #[cfg(not(feature = "audio"))]
    {
        let _ = (path, start, duration);
        Playback::silent(Some(
            "silent: built without the `audio` feature (see README)".to_string(),
        ))
    }
}

#[cfg(feature = "audio")]
mod device {
    //! cpal output: mono samples decoded by ffmpeg at the device rate, copied to every channel.

    use std::path::Path;
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    use anyhow::{Context, Result};
    use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};

    use super::super::clock::{Clock, DeviceClock};

    /// The audio clock: the position heard, from the device's buffer callbacks.
    struct AudioClock(Mutex<DeviceClock>);

    impl AudioClock {
        fn lock(&self) -> std::sync::MutexGuard<'_, DeviceClock> {
            self.0.lock().unwrap_or_else(|e| e.into_inner())
        }
    }

    impl Clock for AudioClock {
        fn now(&self) -> f64 {
            self.lock().now(Instant::now())
        }
        fn set_paused(&self, paused: bool) {
            self.lock().set_paused(paused, Instant::now());
        }
        fn paused(&self) -> bool {
            self.lock().paused
        }
        fn seek(&self, t: f64) {
            self.lock().seek(t, Instant::now());
        }
        fn seeks(&self) -> u64 {
            self.lock().seeks
        }
    }

    /// Keeps the cpal stream alive (it is not `Send`, so it stays on the UI thread).
    struct Holder(#[allow(dead_code)] cpal::Stream);

    pub fn open(
        path: &Path,
        start: f64,
        duration: f64,
    ) -> Result<(Arc<dyn Clock>, Box<dyn std::any::Any>)> {
        // alsa-lib reports a missing card on stderr, which would land on top of the UI: send
        // this thread's ALSA messages to a buffer instead (the error below says what failed).
        #[cfg(target_os = "linux")]
        let _alsa_messages = alsa::Output::local_error_handler().ok();
        let host = cpal::default_host();
        let dev = host.default_output_device().context("no output device")?;
        let cfg = dev
            .default_output_config()
            .context("no usable output configuration")?;
        let rate = cfg.sample_rate();
        let channels = cfg.channels() as usize;
        let samples = Arc::new(crate::media::decode::decode_audio(
            path,
            rate,
            start,
            Some(duration),
        )?);
        let clock = Arc::new(AudioClock(Mutex::new(DeviceClock::new(
            rate as f64,
            Instant::now(),
        ))));
        let c = clock.clone();
        let s = samples.clone();
        // ~50 ms buffers: the clock subtracts the reported latency, so a larger buffer costs no
        // sync, and it rides out scheduling stalls (VMs, loaded machines) that make a few-ms
        // buffer run dry: every underrun is a gap in the sound and a pause of the clock.
        let want = rate / 20;
        let buffer_size = match *cfg.buffer_size() {
            cpal::SupportedBufferSize::Range { min, max } => {
                cpal::BufferSize::Fixed(want.clamp(min, max.max(min)))
            }
            cpal::SupportedBufferSize::Unknown => cpal::BufferSize::Default,
        };
        let mut config: cpal::StreamConfig = cfg.into();
        config.buffer_size = buffer_size;
        let stream = dev
            .build_output_stream(
                config,
                move |out: &mut [f32], info: &cpal::OutputCallbackInfo| {
                    let ts = info.timestamp();
                    // saturating: 0 when the backend reports no latency
                    let delay = ts.playback.duration_since(ts.callback).as_secs_f64();
                    let mut clock = c.lock();
                    let (pos, paused) = (clock.pos as usize, clock.paused);
                    let frames = out.len() / channels.max(1);
                    for (i, frame) in out.chunks_mut(channels.max(1)).enumerate() {
                        let v = if paused {
                            0.0
                        } else {
                            s.get(pos + i).copied().unwrap_or(0.0)
                        };
                        frame.fill(v);
                    }
                    clock.on_buffer(frames as u64, delay, Instant::now());
                },
                |_| {},
                None,
            )
            .context("cannot open the output stream")?;
        stream.play().context("cannot start the output stream")?;
        Ok((clock, Box::new(Holder(stream))))
    }
}
