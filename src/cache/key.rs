//! Cache keys: what a cached analysis depends on, hashed to 128 bits.
//!
//! The key covers the input's bytes (streamed, never loaded whole), the analysis version, the
//! crate version, every analysis parameter, and the request (frame rate, start, duration).
//! Changing any of them gives another key, so a stale entry is simply never found.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use xxhash_rust::xxh3::Xxh3;

use crate::audio::AnalysisParams;

/// Read size of the content hash.
const CHUNK: usize = 1 << 20;

/// 128-bit hash of a file's bytes, read in 1 MiB chunks.
pub fn content_hash(path: &Path) -> io::Result<u128> {
    let mut file = File::open(path)?;
    let mut hasher = Xxh3::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
    }
    Ok(hasher.digest128())
}

/// Everything an analysis result depends on besides the file's bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct Request<'a> {
    /// Output frame rate of the feature rows.
    pub fps: f64,
    /// Seconds into the input the analysis starts at.
    pub start: f64,
    /// Seconds analysed (None: to the end).
    pub duration: Option<f64>,
    /// Every analysis tunable.
    pub params: &'a AnalysisParams,
    /// [`crate::audio::ANALYSIS_VERSION`] (a field so tests can vary it).
    pub version: u32,
}

/// The key of `request` on content with hash `content`.
pub fn key(content: u128, request: &Request) -> [u8; 16] {
    let mut h = Xxh3::new();
    h.update(b"asciivid-analysis\0");
    h.update(&content.to_le_bytes());
    h.update(&request.version.to_le_bytes());
    // The crate version too: a release may change decoding (ffmpeg arguments) without an
    // analysis change, and a stale entry costs more than a recomputation.
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(&[0]);
    h.update(&request.fps.to_bits().to_le_bytes());
    h.update(&request.start.to_bits().to_le_bytes());
    match request.duration {
        Some(d) => {
            h.update(&[1]);
            h.update(&d.to_bits().to_le_bytes());
        }
        None => h.update(&[0]),
    }
    // Serializing the whole struct means a field added later is part of the key without
    // anyone having to remember it.
    let params = serde_json::to_vec(request.params).unwrap_or_default();
    h.update(&params);
    h.digest128().to_le_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hash_streams_and_tells_files_apart() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        // Larger than one chunk, differing only in the last byte.
        let mut bytes = vec![5u8; CHUNK + 17];
        std::fs::write(&a, &bytes).unwrap();
        *bytes.last_mut().unwrap() = 6;
        std::fs::write(&b, &bytes).unwrap();
        let ha = content_hash(&a).unwrap();
        assert_eq!(ha, content_hash(&a).unwrap());
        assert_ne!(ha, content_hash(&b).unwrap());
        assert_eq!(
            ha,
            xxhash_rust::xxh3::xxh3_128(&[vec![5u8; CHUNK + 17]].concat())
        );
        assert!(content_hash(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn every_input_of_the_key_changes_it() {
        let p = AnalysisParams::default();
        let base = Request {
            fps: 24.0,
            start: 0.0,
            duration: None,
            params: &p,
            version: 1,
        };
        let k = key(42, &base);
        assert_eq!(k, key(42, &base.clone()));
        let hop = AnalysisParams {
            onset_hop: 256,
            ..AnalysisParams::default()
        };
        let window = AnalysisParams {
            n_fft: 1024,
            ..AnalysisParams::default()
        };
        let rate = AnalysisParams {
            sample_rate: 44100,
            ..AnalysisParams::default()
        };
        let variants = [
            key(43, &base),
            key(
                42,
                &Request {
                    version: 2,
                    ..base.clone()
                },
            ),
            key(
                42,
                &Request {
                    fps: 30.0,
                    ..base.clone()
                },
            ),
            key(
                42,
                &Request {
                    start: 1.0,
                    ..base.clone()
                },
            ),
            key(
                42,
                &Request {
                    duration: Some(5.0),
                    ..base.clone()
                },
            ),
            key(
                42,
                &Request {
                    params: &hop,
                    ..base.clone()
                },
            ),
            key(
                42,
                &Request {
                    params: &window,
                    ..base.clone()
                },
            ),
            key(
                42,
                &Request {
                    params: &rate,
                    ..base.clone()
                },
            ),
        ];
        for (i, v) in variants.iter().enumerate() {
            assert_ne!(*v, k, "variant {i} kept the key");
        }
    }
}
