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
            Err(e) => Playback::silent(Some(format!("no audio output ({e:#}): playing silently"))),
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
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

    use anyhow::{Context, Result};
    use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};

    use super::super::clock::Clock;

    /// The audio clock: how many sample frames the device has consumed.
    struct AudioClock {
        pos: AtomicU64,
        paused: AtomicBool,
        seeks: AtomicU64,
        rate: f64,
    }

    impl Clock for AudioClock {
        fn now(&self) -> f64 {
            self.pos.load(Ordering::Relaxed) as f64 / self.rate
        }
        fn set_paused(&self, paused: bool) {
            self.paused.store(paused, Ordering::Relaxed);
        }
        fn paused(&self) -> bool {
            self.paused.load(Ordering::Relaxed)
        }
        fn seek(&self, t: f64) {
            let t = if t.is_finite() { t.max(0.0) } else { 0.0 };
            self.pos.store((t * self.rate) as u64, Ordering::Relaxed);
            self.seeks.fetch_add(1, Ordering::Relaxed);
        }
        fn seeks(&self) -> u64 {
            self.seeks.load(Ordering::Relaxed)
        }
    }

    /// Keeps the cpal stream alive (it is not `Send`, so it stays on the UI thread).
    struct Holder(#[allow(dead_code)] cpal::Stream);

    pub fn open(
        path: &Path,
        start: f64,
        duration: f64,
    ) -> Result<(Arc<dyn Clock>, Box<dyn std::any::Any>)> {
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
        let clock = Arc::new(AudioClock {
            pos: AtomicU64::new(0),
            paused: AtomicBool::new(false),
            seeks: AtomicU64::new(0),
            rate: rate as f64,
        });
        let c = clock.clone();
        let s = samples.clone();
        let config: cpal::StreamConfig = cfg.into();
        let stream = dev
            .build_output_stream(
                config,
                move |out: &mut [f32], _| {
                    let paused = c.paused.load(Ordering::Relaxed);
                    let pos = c.pos.load(Ordering::Relaxed) as usize;
                    let mut n = 0usize;
                    for frame in out.chunks_mut(channels.max(1)) {
                        let v = if paused {
                            0.0
                        } else {
                            s.get(pos + n).copied().unwrap_or(0.0)
                        };
                        frame.fill(v);
                        if !paused {
                            n += 1;
                        }
                    }
                    // An add, not a store: a seek from the UI thread meanwhile is kept.
                    c.pos.fetch_add(n as u64, Ordering::Relaxed);
                },
                |_| {},
                None,
            )
            .context("cannot open the output stream")?;
        stream.play().context("cannot start the output stream")?;
        Ok((clock, Box::new(Holder(stream))))
    }
}
