//! RGB → Y'CbCr (BT.709, limited range) in Rust, in parallel, so ffmpeg's single-threaded
//! colour conversion never caps the encode rate (and the pipe carries half the bytes).

use rayon::prelude::*;

use crate::frame::Frame;

/// Chroma subsampling of the encoded video.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Chroma {
    /// 4:2:0, what every player plays (default).
    #[default]
    Yuv420,
    /// 4:4:4: sharper coloured glyph strokes, larger files, not every player.
    Yuv444,
}

impl Chroma {
    /// ffmpeg's pix_fmt name.
    pub fn pix_fmt(self) -> &'static str {
        match self {
            Chroma::Yuv420 => "yuv420p",
            Chroma::Yuv444 => "yuv444p",
        }
    }

    /// Bytes of one planar frame.
    pub fn frame_bytes(self, w: usize, h: usize) -> usize {
        match self {
            Chroma::Yuv420 => w * h + 2 * w.div_ceil(2) * h.div_ceil(2),
            Chroma::Yuv444 => 3 * w * h,
        }
    }
}

// BT.709 coefficients scaled by 2^16, with the limited-range gains (219/255, 224/255) folded in.
const YR: i32 = 11_966; // 0.2126 * 219/255 * 65536
const YG: i32 = 40_254; // 0.7152 * 219/255 * 65536
const YB: i32 = 4_064; // 0.0722 * 219/255 * 65536
const UR: i32 = -6_596; // -0.1146 * 224/255 * 65536
const UG: i32 = -22_189; // -0.3854 * 224/255 * 65536
const UB: i32 = 28_784; // 0.5 * 224/255 * 65536
const VR: i32 = 28_784;
const VG: i32 = -26_145; // -0.4542 * 224/255 * 65536
const VB: i32 = -2_639; // -0.0458 * 224/255 * 65536

#[inline(always)]
fn luma(r: i32, g: i32, b: i32) -> u8 {
    (((YR * r + YG * g + YB * b + 32_768) >> 16) + 16) as u8
}

crate::multiversion! {
    /// Luma of one RGB row (vectorized per CPU; same fixed-point formula as [`luma`]).
    fn luma_row(out: &mut [u8], src: &[u8]) {
        for (o, p) in out.iter_mut().zip(src.chunks_exact(3)) {
            let acc = YR as u32 * p[0] as u32 + YG as u32 * p[1] as u32 + YB as u32 * p[2] as u32;
            *o = (((acc + 32_768) >> 16) + 16) as u8;
        }
    }
}

crate::multiversion! {
    /// Chroma of a pair of RGB rows over whole 2x2 blocks.
    fn chroma_rows(ur: &mut [u8], vr: &mut [u8], top: &[u8], bottom: &[u8]) {
        for (((u, v), a), b) in ur
            .iter_mut()
            .zip(vr.iter_mut())
            .zip(top.chunks_exact(6))
            .zip(bottom.chunks_exact(6))
        {
            let r = (a[0] as i32 + a[3] as i32 + b[0] as i32 + b[3] as i32 + 2) >> 2;
            let g = (a[1] as i32 + a[4] as i32 + b[1] as i32 + b[4] as i32 + 2) >> 2;
            let bl = (a[2] as i32 + a[5] as i32 + b[2] as i32 + b[5] as i32 + 2) >> 2;
            let (cu, cv) = chroma(r, g, bl);
            *u = cu;
            *v = cv;
        }
    }
}

#[inline(always)]
fn chroma(r: i32, g: i32, b: i32) -> (u8, u8) {
    let u = ((UR * r + UG * g + UB * b + 32_768) >> 16) + 128;
    let v = ((VR * r + VG * g + VB * b + 32_768) >> 16) + 128;
    (u.clamp(16, 240) as u8, v.clamp(16, 240) as u8)
}

/// Convert `frame` to planar Y'CbCr into `out` (resized as needed; no allocation when reused).
pub fn rgb_to_yuv(frame: &Frame, chroma_mode: Chroma, out: &mut Vec<u8>) {
    let (w, h) = (frame.width, frame.height);
    out.resize(chroma_mode.frame_bytes(w, h), 0);
    if w == 0 || h == 0 {
        return;
    }
    let (y_plane, rest) = out.split_at_mut(w * h);
    let stride = w * 3;
    match chroma_mode {
        Chroma::Yuv444 => {
            let (u_plane, v_plane) = rest.split_at_mut(w * h);
            y_plane
                .par_chunks_mut(w)
                .zip(u_plane.par_chunks_mut(w))
                .zip(v_plane.par_chunks_mut(w))
                .zip(frame.data.par_chunks(stride))
                .for_each(|(((yr, ur), vr), src)| {
                    for x in 0..w {
                        let (r, g, b) = (
                            src[3 * x] as i32,
                            src[3 * x + 1] as i32,
                            src[3 * x + 2] as i32,
                        );
                        yr[x] = luma(r, g, b);
                        let (u, v) = chroma(r, g, b);
                        ur[x] = u;
                        vr[x] = v;
                    }
                });
        }
        Chroma::Yuv420 => {
            let cw = w.div_ceil(2);
            let (u_plane, v_plane) = rest.split_at_mut(cw * h.div_ceil(2));
            y_plane
                .par_chunks_mut(2 * w)
                .zip(u_plane.par_chunks_mut(cw))
                .zip(v_plane.par_chunks_mut(cw))
                .zip(frame.data.par_chunks(2 * stride))
                .for_each(|(((yrows, ur), vr), src)| {
                    let two = src.len() > stride;
                    let (y0, y1) = yrows.split_at_mut(w.min(yrows.len()));
                    luma_row(y0, &src[..stride]);
                    if two {
                        luma_row(y1, &src[stride..2 * stride]);
                    }
                    // Whole 2x2 blocks: shifts, no division (this runs 500k times per 1080p frame).
                    let full = if two { w / 2 } else { 0 };
                    if two {
                        chroma_rows(
                            &mut ur[..full],
                            &mut vr[..full],
                            &src[..stride],
                            &src[stride..2 * stride],
                        );
                    }
                    // Edge blocks (odd width or a last single row).
                    for cx in full..cw {
                        let (mut r, mut g, mut b, mut n) = (0, 0, 0, 0);
                        for dy in 0..if two { 2 } else { 1 } {
                            for dx in 0..2 {
                                let x = 2 * cx + dx;
                                if x < w {
                                    let i = dy * stride + 3 * x;
                                    r += src[i] as i32;
                                    g += src[i + 1] as i32;
                                    b += src[i + 2] as i32;
                                    n += 1;
                                }
                            }
                        }
                        let (u, v) = chroma((r + n / 2) / n, (g + n / 2) / n, (b + n / 2) / n);
                        ur[cx] = u;
                        vr[cx] = v;
                    }
                });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn black_white_and_grey_are_exact_limited_range() {
        let mut f = Frame::new(2, 2);
        let mut out = Vec::new();
        rgb_to_yuv(&f, Chroma::Yuv420, &mut out);
        assert_eq!(out, vec![16, 16, 16, 16, 128, 128]);
        f.data.fill(255);
        rgb_to_yuv(&f, Chroma::Yuv420, &mut out);
        assert_eq!(out, vec![235, 235, 235, 235, 128, 128]);
    }

    #[test]
    fn red_has_bt709_values_and_444_keeps_full_chroma() {
        let mut f = Frame::new(2, 1);
        f.data[..3].copy_from_slice(&[255, 0, 0]);
        let mut out = Vec::new();
        rgb_to_yuv(&f, Chroma::Yuv444, &mut out);
        // BT.709 red: Y=63, Cb=102, Cr=240
        assert_eq!(&out[0..2], &[63, 16]);
        assert_eq!(out[2], 102);
        assert_eq!(out[4], 240);
        assert_eq!(out[3], 128);
    }

    #[test]
    fn odd_sizes_do_not_panic() {
        let f = Frame::new(3, 3);
        let mut out = Vec::new();
        rgb_to_yuv(&f, Chroma::Yuv420, &mut out);
        assert_eq!(out.len(), 9 + 2 * 4);
    }
}
