//! Byte kernels shared by several shaders, multiversioned for SIMD.

use super::simd::multiversion;

multiversion! {
    /// `out = a + (b − a) · f / 256`, rounded; `f` ≤ 256.
    pub(super) fn lerp_bytes(out: &mut [u8], a: &[u8], b: &[u8], f: u16) {
        for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
            *o = ((x as u16 * (256 - f) + y as u16 * f + 128) >> 8) as u8;
        }
    }
}

multiversion! {
    /// `p · factor / 256`, rounded; `factor` ≤ 256.
    pub(super) fn scale_bytes(row: &mut [u8], factor: u16) {
        for p in row {
            *p = ((*p as u16 * factor + 128) >> 8) as u8;
        }
    }
}

/// Store packed `r | g << 8 | b << 16` words as RGB bytes: with AVX-512 VBMI one byte permute
/// per 16 pixels, otherwise two pixels per 6-byte store.
pub(super) fn pack_rgb(out: &mut [u8], words: &[u32]) {
    let n = words.len().min(out.len() / 3);
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if super::simd::vbmi() {
        // SAFETY: `vbmi()` checked the CPU.
        done = unsafe { vbmi::pack_rgb(&mut out[..3 * n], &words[..n]) };
    }
    let (out, words) = (&mut out[3 * done..3 * n], &words[done..n]);
    let mut pairs = out.chunks_exact_mut(6);
    let mut w = words.chunks_exact(2);
    for (dst, pair) in (&mut pairs).zip(&mut w) {
        let v = pair[0] as u64 | (pair[1] as u64) << 24;
        dst.copy_from_slice(&v.to_le_bytes()[..6]);
    }
    if let (Some(&last), Some(dst)) = (w.remainder().first(), pairs.into_remainder().get_mut(..3)) {
        dst.copy_from_slice(&last.to_le_bytes()[..3]);
    }
}

#[cfg(target_arch = "x86_64")]
mod vbmi {
    use std::arch::x86_64::*;

    /// Byte `b` of 16 packed pixels is byte `b % 3` of word `b / 3`.
    const PACK: [u8; 64] = {
        let mut t = [0u8; 64];
        let mut b = 0;
        while b < 48 {
            t[b] = (4 * (b / 3) + b % 3) as u8;
            b += 1;
        }
        t
    };

    /// Pack whole groups of 16 words; returns how many words were done.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    pub(super) fn pack_rgb(out: &mut [u8], words: &[u32]) -> usize {
        let groups = words.len().min(out.len() / 3) / 16;
        // SAFETY: the table is 64 bytes.
        let idx = unsafe { _mm512_loadu_si512(PACK.as_ptr().cast()) };
        for g in 0..groups {
            // SAFETY: group g reads words[16g..16g + 16] and writes out[48g..48g + 48], both
            // in bounds by `groups`.
            unsafe {
                let v = _mm512_loadu_si512(words.as_ptr().add(16 * g).cast());
                let bytes = _mm512_permutexvar_epi8(idx, v);
                _mm512_mask_storeu_epi8(
                    out.as_mut_ptr().add(48 * g).cast(),
                    (1u64 << 48) - 1,
                    bytes,
                );
            }
        }
        16 * groups
    }
}

/// `noise[6i..6i + 6] = blocks[i]` for the `n` blocks (two pixels × three channels each).
/// Both slices need 64 spare bytes past the used part, for the wide stores.
pub(super) fn expand6(noise: &mut [u8], blocks: &[u8], n: usize) {
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if super::simd::vbmi() {
        // SAFETY: `vbmi()` checked the CPU.
        done = unsafe { vbmi6::expand6(noise, blocks, n) };
    }
    for (i, &v) in blocks[..n].iter().enumerate().skip(done) {
        // Six copies of the byte in one 8-byte store; the next block overwrites the spare two.
        let six = v as u64 * 0x0000_0101_0101_0101;
        noise[6 * i..6 * i + 8].copy_from_slice(&six.to_le_bytes());
    }
}

#[cfg(target_arch = "x86_64")]
mod vbmi6 {
    use std::arch::x86_64::*;

    /// Byte `b` of a 60-byte output group takes block `b / 6`.
    const SIXES: [u8; 64] = {
        let mut t = [0u8; 64];
        let mut b = 0;
        while b < 60 {
            t[b] = (b / 6) as u8;
            b += 1;
        }
        t
    };

    /// Expand whole groups of 10 blocks with one byte permute each; returns blocks done.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    pub(super) fn expand6(noise: &mut [u8], blocks: &[u8], n: usize) -> usize {
        // Group g reads blocks[10g..10g + 64] and writes noise[60g..60g + 60].
        let groups = (n.min((blocks.len() + 10).saturating_sub(64)) / 10).min(noise.len() / 60);
        // SAFETY: the table is 64 bytes.
        let idx = unsafe { _mm512_loadu_si512(SIXES.as_ptr().cast()) };
        for g in 0..groups {
            // SAFETY: `groups` keeps both ranges inside their slices (see above).
            unsafe {
                let v = _mm512_loadu_si512(blocks.as_ptr().add(10 * g).cast());
                let out = _mm512_permutexvar_epi8(idx, v);
                _mm512_mask_storeu_epi8(
                    noise.as_mut_ptr().add(60 * g).cast(),
                    (1u64 << 60) - 1,
                    out,
                );
            }
        }
        groups * 10
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lerp_and_scale_round() {
        let mut out = [0u8; 3];
        lerp_bytes(&mut out, &[0, 100, 255], &[255, 200, 0], 128);
        assert_eq!(out, [128, 150, 128]);
        let mut row = [255u8, 100, 1];
        scale_bytes(&mut row, 128);
        assert_eq!(row, [128, 50, 1]);
        scale_bytes(&mut row, 256);
        assert_eq!(row, [128, 50, 1]);
    }

    #[test]
    fn pack_matches_on_every_path_and_length() {
        for n in [0usize, 1, 2, 3, 15, 16, 17, 33, 64] {
            let words: Vec<u32> = (0..n as u32)
                .map(|i| i * 0x0001_0203 + 0x0009_0807)
                .collect();
            let expect: Vec<u8> = words
                .iter()
                .flat_map(|w| w.to_le_bytes()[..3].to_vec())
                .collect();
            let mut fast = vec![0u8; 3 * n];
            pack_rgb(&mut fast, &words);
            super::super::simd::force_base(true);
            let mut base = vec![0u8; 3 * n];
            pack_rgb(&mut base, &words);
            super::super::simd::force_base(false);
            assert_eq!(fast, expect, "n = {n}");
            assert_eq!(base, expect, "n = {n}");
        }
    }
}
