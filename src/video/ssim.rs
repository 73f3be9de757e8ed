//! SSIM between two frames, on luma after a Gaussian blur: the fidelity measure of
//! docs/BENCHMARKS.md. Blurring both frames first (σ about a cell's width) compares what the
//! eye integrates from a character cell, not the individual glyph strokes.

use super::cells::luma;
use crate::frame::Frame;

/// Separable Gaussian kernel of `sigma`, radius `ceil(3σ)`, normalized.
fn kernel(sigma: f32) -> Vec<f32> {
    let r = (3.0 * sigma).ceil().max(1.0) as i32;
    let k: Vec<f32> = (-r..=r)
        .map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp())
        .collect();
    let s: f32 = k.iter().sum();
    k.into_iter().map(|v| v / s).collect()
}

/// Blur a `w × h` plane in place with `k` (edges clamped).
fn blur(p: &mut [f32], w: usize, h: usize, k: &[f32]) {
    let r = (k.len() / 2) as isize;
    let mut tmp = vec![0f32; p.len()];
    for y in 0..h {
        for x in 0..w {
            let mut acc = 0.0;
            for (j, kv) in k.iter().enumerate() {
                let sx = (x as isize + j as isize - r).clamp(0, w as isize - 1) as usize;
                acc += kv * p[y * w + sx];
            }
            tmp[y * w + x] = acc;
        }
    }
    for y in 0..h {
        for x in 0..w {
            let mut acc = 0.0;
            for (j, kv) in k.iter().enumerate() {
                let sy = (y as isize + j as isize - r).clamp(0, h as isize - 1) as usize;
                acc += kv * tmp[sy * w + x];
            }
            p[y * w + x] = acc;
        }
    }
}

fn luma_plane(f: &Frame) -> Vec<f32> {
    f.data
        .chunks_exact(3)
        .map(|p| luma(p[0], p[1], p[2]) as f32)
        .collect()
}

/// Mean SSIM (Gaussian window σ = 1.5, the usual constants for 8-bit data) of the luma of `a`
/// and `b` after blurring both with σ = `pre_blur` pixels (0 = no blur). `None` when the sizes
/// differ or a frame is empty.
pub fn ssim(a: &Frame, b: &Frame, pre_blur: f32) -> Option<f64> {
    if a.width != b.width || a.height != b.height || a.width == 0 || a.height == 0 {
        return None;
    }
    let (w, h) = (a.width, a.height);
    let (mut x, mut y) = (luma_plane(a), luma_plane(b));
    if pre_blur > 0.0 {
        let k = kernel(pre_blur);
        blur(&mut x, w, h, &k);
        blur(&mut y, w, h, &k);
    }
    let win = kernel(1.5);
    let mut mx = x.clone();
    let mut my = y.clone();
    let mut xx: Vec<f32> = x.iter().map(|v| v * v).collect();
    let mut yy: Vec<f32> = y.iter().map(|v| v * v).collect();
    let mut xy: Vec<f32> = x.iter().zip(&y).map(|(a, b)| a * b).collect();
    for p in [&mut mx, &mut my, &mut xx, &mut yy, &mut xy] {
        blur(p, w, h, &win);
    }
    let c1 = (0.01f64 * 255.0).powi(2);
    let c2 = (0.03f64 * 255.0).powi(2);
    let mut sum = 0.0f64;
    for i in 0..w * h {
        let (ux, uy) = (mx[i] as f64, my[i] as f64);
        let vx = (xx[i] as f64 - ux * ux).max(0.0);
        let vy = (yy[i] as f64 - uy * uy).max(0.0);
        let cov = xy[i] as f64 - ux * uy;
        sum +=
            ((2.0 * ux * uy + c1) * (2.0 * cov + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
    }
    Some(sum / (w * h) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(w: usize, h: usize, seed: u64) -> Frame {
        let mut f = Frame::new(w, h);
        for (i, v) in f.data.iter_mut().enumerate() {
            *v = (crate::rng::hash2(seed, i as u64, 0) >> 56) as u8;
        }
        f
    }

    #[test]
    fn identical_frames_score_one_and_different_ones_less() {
        let a = noise(40, 30, 1);
        assert!((ssim(&a, &a, 0.0).unwrap() - 1.0).abs() < 1e-6);
        let b = noise(40, 30, 2);
        let s = ssim(&a, &b, 0.0).unwrap();
        assert!(s < 0.2, "{s}");
        // blurring removes the pixel noise, so unrelated noise frames look alike
        assert!(ssim(&a, &b, 6.0).unwrap() > s);
        assert!(ssim(&a, &Frame::new(4, 4), 0.0).is_none());
    }
}
