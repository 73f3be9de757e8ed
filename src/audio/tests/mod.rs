//! End-to-end tests of the analysis on synthesized signals.

mod frames;
mod rhythm;
mod signals;
mod slow;

use crate::features::{Feature, Features};

const SR: u32 = 22050;

/// Every column present, every value finite and in [0, 1], spectrum too.
fn assert_valid(f: &Features, frames: usize) {
    assert_eq!(f.columns.len(), Feature::COUNT);
    assert_eq!(f.len(), frames);
    for &feat in Feature::ALL {
        let c = f.column(feat);
        assert_eq!(c.len(), frames, "{}", feat.name());
        assert!(
            c.iter().all(|v| (0.0..=1.0).contains(v)),
            "{} out of range",
            feat.name()
        );
    }
    assert_eq!(f.spectrum.len(), frames);
    assert!(f.spectrum.iter().flatten().all(|v| (0.0..=1.0).contains(v)));
    assert!(f.tempo_bpm.is_finite() && (0.0..=1.0).contains(&f.tempo_confidence));
}

fn mean(c: &[f32]) -> f32 {
    c.iter().sum::<f32>() / c.len().max(1) as f32
}
