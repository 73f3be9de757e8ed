//! Helpers shared by the effect tests.

use super::{EffectCtx, FieldBuf, find};
use crate::features::{Feature, FeatureFrame};
use crate::frame::FrameCtx;
use crate::grid::GridGeom;

/// Silence: every feature 0.
pub fn quiet() -> FeatureFrame {
    FeatureFrame::uniform(0.0)
}

/// Music-like features that change every frame, with a beat every 12 frames.
pub fn synthetic(frame: u64) -> (FeatureFrame, Vec<f32>) {
    let t = frame as f32 / 24.0;
    let mut f = FeatureFrame::uniform(0.0);
    for (k, &feat) in Feature::ALL.iter().enumerate() {
        f.set(
            feat,
            0.5 + 0.4 * (t * (0.7 + 0.13 * k as f32) + k as f32).sin(),
        );
    }
    let since = (frame % 12) as f32;
    f.set(
        Feature::Beat,
        if frame.is_multiple_of(12) { 1.0 } else { 0.0 },
    );
    f.set(
        Feature::Onset,
        if frame.is_multiple_of(6) { 1.0 } else { 0.0 },
    );
    f.set(Feature::BeatDecay, (-since * 0.3).exp());
    f.set(Feature::BeatPhase, since / 12.0);
    let spectrum = (0..32)
        .map(|b| 0.5 + 0.45 * (t * 1.3 + b as f32 * 0.4).sin())
        .collect();
    (f, spectrum)
}

/// Run a fresh instance of `name` over frames `0..=last`, features from `feat(frame)`, params
/// = defaults with `overrides` applied; return the output of every frame.
pub fn run(
    name: &str,
    geo: &GridGeom,
    last: u64,
    overrides: &[(usize, f32)],
    feat: impl Fn(u64) -> (FeatureFrame, Vec<f32>),
) -> Vec<FieldBuf> {
    let spec = find(name).unwrap_or_else(|| panic!("no effect {name}"));
    let mut params = crate::params::defaults(spec.params);
    for &(i, v) in overrides {
        params[i] = v;
    }
    let mut e = (spec.make)();
    (0..=last)
        .map(|i| {
            let (f, s) = feat(i);
            let ctx = EffectCtx {
                frame: FrameCtx::new(i, 24.0, 7),
                features: &f,
                spectrum: &s,
                seed: 99,
            };
            let mut out = FieldBuf::new(geo.len());
            e.render(geo, &params, &ctx, &mut out);
            out
        })
        .collect()
}

/// Output of frame `last` of `name` with default params and constant features.
pub fn render_defaults(
    name: &str,
    cols: usize,
    rows: usize,
    last: u64,
    f: &FeatureFrame,
) -> FieldBuf {
    render_params(name, cols, rows, last, f, &[])
}

/// Output of frame `last` with some params overridden and constant features.
pub fn render_params(
    name: &str,
    cols: usize,
    rows: usize,
    last: u64,
    f: &FeatureFrame,
    overrides: &[(usize, f32)],
) -> FieldBuf {
    let geo = GridGeom::new(cols, rows, 8, 16);
    let f = *f;
    run(name, &geo, last, overrides, move |_| (f, Vec::new()))
        .pop()
        .unwrap()
}

/// Mean absolute difference of two value buffers.
pub fn mean_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f32>() / a.len().max(1) as f32
}
