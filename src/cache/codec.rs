//! The on-disk form of a cached [`Features`] table: a fixed header, the event times as `f64`,
//! the feature columns and the spectrum as `f32`, all little-endian, and a checksum trailer.
//!
//! Values are stored bit-exactly, so a render from the cache equals a render from a fresh
//! analysis. Anything that does not decode cleanly (wrong magic, other format, another key,
//! short, long or altered bytes) is rejected as a whole: the caller re-analyses.

use xxhash_rust::xxh3::xxh3_64;

use crate::features::{Feature, Features};

/// File signature.
const MAGIC: &[u8; 8] = b"ASCVFEAT";
/// Layout version of this encoding (not of the analysis: that one is in the key).
const FORMAT: u32 = 1;
/// Trailer: xxh3-64 of everything before it.
const CHECKSUM_LEN: usize = 8;
/// Upper bound on any stored count, so a damaged header cannot ask for terabytes.
const MAX_COUNT: u64 = 1 << 32;

/// Serialize `f` under `key` (16 bytes, stored to guard against renamed or swapped files).
pub(crate) fn encode(key: &[u8; 16], f: &Features) -> Vec<u8> {
    let frames = f.len();
    let bands = f.spectrum.first().map_or(0, Vec::len);
    let floats = frames * (f.columns.len() + bands);
    let events = f.beats.len() + f.downbeats.len() + f.onsets.len();
    let mut out = Vec::with_capacity(96 + 8 * events + 4 * floats + CHECKSUM_LEN);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(key);
    out.extend_from_slice(&f.fps.to_le_bytes());
    out.extend_from_slice(&f.duration.to_le_bytes());
    out.extend_from_slice(&f.tempo_bpm.to_le_bytes());
    out.extend_from_slice(&f.tempo_confidence.to_le_bytes());
    for n in [
        frames,
        f.columns.len(),
        bands,
        f.beats.len(),
        f.downbeats.len(),
        f.onsets.len(),
    ] {
        out.extend_from_slice(&(n as u64).to_le_bytes());
    }
    for times in [&f.beats, &f.downbeats, &f.onsets] {
        times
            .iter()
            .for_each(|t| out.extend_from_slice(&t.to_le_bytes()));
    }
    for col in &f.columns {
        // Columns are padded or cut to the frame count so the layout is always rectangular.
        (0..frames)
            .for_each(|i| out.extend_from_slice(&col.get(i).copied().unwrap_or(0.0).to_le_bytes()));
    }
    for row in &f.spectrum {
        (0..bands)
            .for_each(|b| out.extend_from_slice(&row.get(b).copied().unwrap_or(0.0).to_le_bytes()));
    }
    let sum = xxh3_64(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

/// A cursor over the payload that fails (returns `None`) instead of reading past the end.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.bytes.len() {
            return None;
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }

    fn f32(&mut self) -> Option<f32> {
        self.array().map(f32::from_le_bytes)
    }

    fn f64(&mut self) -> Option<f64> {
        self.array().map(f64::from_le_bytes)
    }

    fn count(&mut self) -> Option<usize> {
        let n = u64::from_le_bytes(self.array()?);
        (n <= MAX_COUNT).then_some(n as usize)
    }

    fn f64s(&mut self, n: usize) -> Option<Vec<f64>> {
        let raw = self.take(n.checked_mul(8)?)?;
        Some(
            raw.chunks_exact(8)
                .map(|b| f64::from_le_bytes(b.try_into().unwrap_or_default()))
                .collect(),
        )
    }

    fn f32s(&mut self, n: usize) -> Option<Vec<f32>> {
        let raw = self.take(n.checked_mul(4)?)?;
        Some(
            raw.chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().unwrap_or_default()))
                .collect(),
        )
    }
}

/// Decode bytes written by [`encode`] for `key`; `None` for anything else.
pub(crate) fn decode(key: &[u8; 16], bytes: &[u8]) -> Option<Features> {
    let body_len = bytes.len().checked_sub(CHECKSUM_LEN)?;
    let (body, sum) = bytes.split_at(body_len);
    if xxh3_64(body).to_le_bytes() != sum {
        return None;
    }
    let mut r = Reader { bytes: body };
    if r.take(MAGIC.len())? != MAGIC || r.u32()? != FORMAT || r.take(16)? != key {
        return None;
    }
    let fps = r.f64()?;
    let duration = r.f64()?;
    let tempo_bpm = r.f32()?;
    let tempo_confidence = r.f32()?;
    let frames = r.count()?;
    let n_columns = r.count()?;
    let bands = r.count()?;
    let (n_beats, n_downbeats, n_onsets) = (r.count()?, r.count()?, r.count()?);
    if n_columns != Feature::COUNT {
        return None;
    }
    let beats = r.f64s(n_beats)?;
    let downbeats = r.f64s(n_downbeats)?;
    let onsets = r.f64s(n_onsets)?;
    let columns = (0..n_columns)
        .map(|_| r.f32s(frames))
        .collect::<Option<Vec<_>>>()?;
    let spectrum = if bands == 0 {
        Vec::new()
    } else {
        (0..frames)
            .map(|_| r.f32s(bands))
            .collect::<Option<Vec<_>>>()?
    };
    if !r.bytes.is_empty() {
        return None;
    }
    Some(Features {
        fps,
        duration,
        tempo_bpm,
        tempo_confidence,
        beats,
        downbeats,
        onsets,
        columns,
        spectrum,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::{AnalysisParams, analyze, synth_demo_track};

    fn sample() -> Features {
        let sr = 22050;
        let x = synth_demo_track(sr, 3.0, 124.0, 3);
        analyze(&x, sr, 24.0, &AnalysisParams::default())
    }

    #[test]
    fn round_trip_is_bit_exact() {
        let f = sample();
        assert!(!f.beats.is_empty() && !f.spectrum.is_empty());
        let key = [7u8; 16];
        let bytes = encode(&key, &f);
        assert_eq!(decode(&key, &bytes), Some(f.clone()));
        // Far smaller than the JSON of the same table.
        let json = crate::listing::features_json(&f);
        assert!(
            bytes.len() * 2 < json.len(),
            "{} vs {}",
            bytes.len(),
            json.len()
        );
        // Another key never decodes.
        assert_eq!(decode(&[8u8; 16], &bytes), None);
    }

    #[test]
    fn every_truncation_and_any_flipped_byte_is_rejected() {
        let f = sample();
        let key = [1u8; 16];
        let bytes = encode(&key, &f);
        for len in (0..bytes.len()).step_by(97).chain([bytes.len() - 1]) {
            assert_eq!(decode(&key, &bytes[..len]), None, "truncated to {len}");
        }
        for pos in (0..bytes.len()).step_by(211) {
            let mut bad = bytes.clone();
            bad[pos] ^= 0x10;
            assert_eq!(decode(&key, &bad), None, "flip at {pos}");
        }
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(decode(&key, &long), None);
    }

    #[test]
    fn empty_table_round_trips() {
        let f = analyze(&[], 22050, 30.0, &AnalysisParams::default());
        let key = [0u8; 16];
        assert_eq!(decode(&key, &encode(&key, &f)), Some(f));
    }
}
