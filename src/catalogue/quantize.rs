//! Small PNGs for the catalogue: colours reduced to an exact or popularity palette of at most
//! 256 entries and written as an indexed PNG (about a third of the RGB size, and the
//! catalogue's stills are mostly black with a few hues, so little is lost).

use anyhow::Result;

use crate::frame::Frame;

/// Bits kept per channel when counting colours (32 levels: banding stays invisible on the
/// catalogue's small stills).
const BITS: u32 = 5;

#[inline]
fn bucket(p: &[u8]) -> usize {
    let s = 8 - BITS;
    ((p[0] as usize >> s) << (2 * BITS)) | ((p[1] as usize >> s) << BITS) | (p[2] as usize >> s)
}

/// The palette (RGB triples) and one index per pixel. Colours are first reduced to `BITS` per
/// channel; when more than 256 remain, median cut splits them into 256 boxes (the box with
/// the widest channel range is halved at its pixel-weighted median) and each box becomes its
/// mean colour of its pixels. Deterministic: every sort has a total order.
pub fn quantize(frame: &Frame) -> (Vec<[u8; 3]>, Vec<u8>) {
    let mut count = vec![0u32; 1 << (3 * BITS)];
    // exact colour sums per bucket, so a box's colour is the mean of its real pixels (pure
    // black stays 0, not the bucket's centre)
    let mut sums = vec![[0u64; 3]; 1 << (3 * BITS)];
    for p in frame.data.chunks_exact(3) {
        let b = bucket(p);
        count[b] += 1;
        for k in 0..3 {
            sums[b][k] += p[k] as u64;
        }
    }
    let centre = |b: usize| {
        let s = 8 - BITS;
        let m = (1usize << BITS) - 1;
        [(b >> (2 * BITS)) & m, (b >> BITS) & m, b & m].map(|v| ((v << s) | (1 << (s - 1))) as u32)
    };
    // (bucket, pixels) of every colour used
    let used: Vec<(usize, u32)> = count
        .iter()
        .enumerate()
        .filter(|(_, c)| **c > 0)
        .map(|(b, c)| (b, *c))
        .collect();
    let mut boxes: Vec<Vec<(usize, u32)>> = vec![used];
    while boxes.len() < 256 {
        // the box with the widest channel range (ties: the earlier box) that can split
        let widest = boxes
            .iter()
            .enumerate()
            .filter(|(_, b)| b.len() > 1)
            .map(|(i, b)| {
                let (ch, range) = (0..3)
                    .map(|k| {
                        let vals = b.iter().map(|&(x, _)| centre(x)[k]);
                        let (lo, hi) = vals.fold((u32::MAX, 0), |(l, h), v| (l.min(v), h.max(v)));
                        (k, hi - lo)
                    })
                    .max_by_key(|&(k, r)| (r, std::cmp::Reverse(k)))
                    .unwrap_or((0, 0));
                (range, std::cmp::Reverse(i), ch)
            })
            .max();
        let Some((_, std::cmp::Reverse(i), ch)) = widest else {
            break;
        };
        let mut b = std::mem::take(&mut boxes[i]);
        b.sort_by_key(|&(x, _)| (centre(x)[ch], x));
        let total: u64 = b.iter().map(|&(_, c)| c as u64).sum();
        let mut acc = 0u64;
        let mut cut = 1;
        for (j, &(_, c)) in b.iter().enumerate() {
            acc += c as u64;
            if 2 * acc >= total {
                cut = (j + 1).clamp(1, b.len() - 1);
                break;
            }
        }
        let right = b.split_off(cut);
        boxes[i] = b;
        boxes.push(right);
    }
    let mut index = vec![0u8; 1 << (3 * BITS)];
    let palette: Vec<[u8; 3]> = boxes
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut sum = [0u64; 3];
            let mut n = 0u64;
            for &(x, c) in b {
                index[x] = i as u8;
                for k in 0..3 {
                    sum[k] += sums[x][k];
                }
                n += c as u64;
            }
            sum.map(|v| ((v + n / 2) / n.max(1)).min(255) as u8)
        })
        .collect();
    let pixels = frame
        .data
        .chunks_exact(3)
        .map(|p| index[bucket(p)])
        .collect();
    (palette, pixels)
}

/// Encode `frame` as an indexed PNG (see [`quantize`]).
pub fn png_bytes(frame: &Frame) -> Result<Vec<u8>> {
    let (palette, pixels) = quantize(frame);
    let mut bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut bytes, frame.width as u32, frame.height as u32);
        enc.set_color(png::ColorType::Indexed);
        enc.set_depth(png::BitDepth::Eight);
        let flat: Vec<u8> = palette.iter().flatten().copied().collect();
        enc.set_palette(if flat.is_empty() { vec![0, 0, 0] } else { flat });
        enc.set_compression(png::Compression::High);
        let mut w = enc.write_header()?;
        w.write_image_data(&pixels)?;
        w.finish()?;
    }
    Ok(bytes)
}

/// Decode a PNG written by [`png_bytes`] (or any 8-bit RGB/indexed PNG) back to RGB.
pub fn decode_rgb(bytes: &[u8]) -> Result<Frame> {
    let mut dec = png::Decoder::new(std::io::Cursor::new(bytes));
    dec.set_transformations(png::Transformations::EXPAND);
    let mut reader = dec.read_info()?;
    let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let info = reader.next_frame(&mut buf)?;
    let (w, h) = (info.width as usize, info.height as usize);
    let mut frame = Frame::new(w, h);
    match info.color_type {
        png::ColorType::Rgb => frame.data.copy_from_slice(&buf[..w * h * 3]),
        png::ColorType::Rgba => {
            for (d, s) in frame.data.chunks_exact_mut(3).zip(buf.chunks_exact(4)) {
                d.copy_from_slice(&s[..3]);
            }
        }
        other => anyhow::bail!("unexpected PNG colour type {other:?}"),
    }
    Ok(frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_colours_round_trip_within_a_bucket() {
        let mut f = Frame::new(16, 8);
        for (i, p) in f.data.chunks_exact_mut(3).enumerate() {
            p.copy_from_slice(&[(i * 37 % 256) as u8, 200, (i % 3 * 100) as u8]);
        }
        let back = decode_rgb(&png_bytes(&f).unwrap()).unwrap();
        assert_eq!((back.width, back.height), (16, 8));
        for (a, b) in f.data.iter().zip(&back.data) {
            assert!((*a as i32 - *b as i32).abs() <= 4, "{a} vs {b}");
        }
    }

    #[test]
    fn many_colours_keep_at_most_256_and_stay_close() {
        // 1024 buckets, mostly dark: the popular ones are kept, the rest map to neighbours
        let mut f = Frame::new(128, 128);
        for (i, p) in f.data.chunks_exact_mut(3).enumerate() {
            let (x, y) = (i % 128, i / 128);
            let lit = (x + y) % 8 == 0;
            let c = if lit {
                [(x * 2) as u8, (y * 2) as u8, 90]
            } else {
                [0, 0, 0]
            };
            p.copy_from_slice(&c);
        }
        let (pal, idx) = quantize(&f);
        assert!(pal.len() <= 256);
        assert_eq!(idx.len(), 128 * 128);
        let back = decode_rgb(&png_bytes(&f).unwrap()).unwrap();
        let err: f64 = f
            .data
            .iter()
            .zip(&back.data)
            .map(|(a, b)| (*a as f64 - *b as f64).abs())
            .sum::<f64>()
            / f.data.len() as f64;
        assert!(err < 3.0, "mean error {err}");
    }
}
