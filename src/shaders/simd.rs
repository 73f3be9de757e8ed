//! Runtime CPU dispatch for the loops whose speed decides whether a shader fits its budget.
//!
//! The crate is built for baseline x86-64 (SSE2), where LLVM vectorizes byte loops only 16 lanes
//! wide and not at all across interleaved RGB. [`multiversion!`] compiles one portable loop body
//! three times (baseline, AVX2, AVX-512BW) and picks the widest the CPU supports; the LUT kernels
//! use AVX-512 VBMI byte permutes when available. All variants are integer code that computes
//! exactly the same bytes, so output never depends on the machine.

use std::sync::OnceLock;

/// Widest instruction set the multiversioned kernels may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Level {
    /// Portable code only.
    Base,
    /// AVX2 available.
    Avx2,
    /// AVX-512 BW (and AVX2) available.
    Avx512,
}

#[derive(Clone, Copy)]
struct Caps {
    level: Level,
    vbmi: bool,
}

fn caps() -> Caps {
    static CAPS: OnceLock<Caps> = OnceLock::new();
    *CAPS.get_or_init(detect)
}

#[cfg(target_arch = "x86_64")]
fn detect() -> Caps {
    // AVX-512 kernels may also use AVX2 intrinsics, so that level requires both.
    let level = if is_x86_feature_detected!("avx512bw") && is_x86_feature_detected!("avx2") {
        Level::Avx512
    } else if is_x86_feature_detected!("avx2") {
        Level::Avx2
    } else {
        Level::Base
    };
    let vbmi = is_x86_feature_detected!("avx512bw") && is_x86_feature_detected!("avx512vbmi");
    Caps { level, vbmi }
}

#[cfg(not(target_arch = "x86_64"))]
fn detect() -> Caps {
    Caps {
        level: Level::Base,
        vbmi: false,
    }
}

#[cfg(test)]
static FORCE_BASE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Tests call this (nested, balanced) to check that the portable path computes the same bytes as
/// the SIMD paths. Safe to race with other tests: it changes speed, never results.
#[cfg(test)]
pub(super) fn force_base(on: bool) {
    use std::sync::atomic::Ordering::SeqCst;
    if on {
        FORCE_BASE.fetch_add(1, SeqCst);
    } else {
        FORCE_BASE.fetch_sub(1, SeqCst);
    }
}

fn forced_base() -> bool {
    #[cfg(test)]
    {
        FORCE_BASE.load(std::sync::atomic::Ordering::SeqCst) > 0
    }
    #[cfg(not(test))]
    {
        false
    }
}

/// The instruction-set level multiversioned kernels run at.
pub(super) fn level() -> Level {
    if forced_base() {
        Level::Base
    } else {
        caps().level
    }
}

/// Whether AVX-512 VBMI byte permutes are available.
pub(super) fn vbmi() -> bool {
    !forced_base() && caps().vbmi
}

/// Define `fn name(args) body` compiled for baseline, AVX2 and AVX-512BW, dispatched at runtime.
/// The body must be plain safe code; it is inlined into each target-feature wrapper so LLVM
/// auto-vectorizes it at each width.
macro_rules! multiversion {
    ($(#[$attr:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $body:block) => {
        $(#[$attr])*
        $vis fn $name($($arg: $ty),*) {
            #[inline(always)]
            fn generic($($arg: $ty),*) $body

            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512bw")]
                fn avx512($($arg: $ty),*) {
                    generic($($arg),*)
                }
                #[target_feature(enable = "avx2")]
                fn avx2($($arg: $ty),*) {
                    generic($($arg),*)
                }
                match $crate::shaders::simd::level() {
                    // SAFETY: `level()` only reports features the running CPU has.
                    $crate::shaders::simd::Level::Avx512 => return unsafe { avx512($($arg),*) },
                    // SAFETY: as above.
                    $crate::shaders::simd::Level::Avx2 => return unsafe { avx2($($arg),*) },
                    $crate::shaders::simd::Level::Base => {}
                }
            }
            generic($($arg),*)
        }
    };
}
pub(super) use multiversion;

/// Map every byte through `lut`.
pub(super) fn lut1(data: &mut [u8], lut: &[u8; 256]) {
    #[cfg(target_arch = "x86_64")]
    if vbmi() {
        // SAFETY: `vbmi()` checked AVX-512 F/BW/VBMI at runtime.
        unsafe { x86::lut1_vbmi(data, lut) };
        return;
    }
    lut1_scalar(data, lut);
}

/// Map interleaved RGB bytes through one LUT per channel; `data` must start at a pixel boundary.
pub(super) fn lut3(data: &mut [u8], luts: &[[u8; 256]; 3]) {
    #[cfg(target_arch = "x86_64")]
    if vbmi() {
        // SAFETY: `vbmi()` checked AVX-512 F/BW/VBMI at runtime.
        unsafe { x86::lut3_vbmi(data, luts) };
        return;
    }
    lut3_scalar(data, luts, 0);
}

fn lut1_scalar(data: &mut [u8], lut: &[u8; 256]) {
    for b in data {
        *b = lut[*b as usize];
    }
}

/// `phase` is the channel of `data[0]`.
fn lut3_scalar(data: &mut [u8], luts: &[[u8; 256]; 3], phase: usize) {
    for (i, b) in data.iter_mut().enumerate() {
        *b = luts[(i + phase) % 3][*b as usize];
    }
}

#[cfg(target_arch = "x86_64")]
pub(super) mod x86 {
    use std::arch::x86_64::*;

    /// A 256-entry table as four 64-byte registers.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    pub(in crate::shaders) fn load_table(lut: &[u8; 256]) -> [__m512i; 4] {
        // SAFETY: each load reads 64 bytes inside the 256-byte table.
        std::array::from_fn(|i| unsafe { _mm512_loadu_si512(lut.as_ptr().add(64 * i).cast()) })
    }

    /// 64 table lookups: two 128-entry permutes selected by each index's top bit.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    pub(in crate::shaders) fn lookup(t: &[__m512i; 4], v: __m512i) -> __m512i {
        let lo = _mm512_permutex2var_epi8(t[0], v, t[1]);
        let hi = _mm512_permutex2var_epi8(t[2], v, t[3]);
        _mm512_mask_blend_epi8(_mm512_movepi8_mask(v), lo, hi)
    }

    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    pub(super) fn lut1_vbmi(data: &mut [u8], lut: &[u8; 256]) {
        let t = load_table(lut);
        let mut chunks = data.chunks_exact_mut(64);
        for c in &mut chunks {
            // SAFETY: `c` is exactly 64 bytes.
            unsafe {
                let v = _mm512_loadu_si512(c.as_ptr().cast());
                _mm512_storeu_si512(c.as_mut_ptr().cast(), lookup(&t, v));
            }
        }
        super::lut1_scalar(chunks.into_remainder(), lut);
    }

    /// Bit `i` set where `i % 3 == r`, for the 64 bytes of one register.
    const fn mod3_mask(r: u64) -> u64 {
        let mut m = 0;
        let mut i = 0;
        while i < 64 {
            if i % 3 == r {
                m |= 1 << i;
            }
            i += 1;
        }
        m
    }
    const MOD3: [u64; 3] = [mod3_mask(0), mod3_mask(1), mod3_mask(2)];

    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    pub(super) fn lut3_vbmi(data: &mut [u8], luts: &[[u8; 256]; 3]) {
        let t = [
            load_table(&luts[0]),
            load_table(&luts[1]),
            load_table(&luts[2]),
        ];
        let mut chunks = data.chunks_exact_mut(64);
        // 64 ≡ 1 (mod 3): each register starts one channel later than the previous one.
        let mut phase = 0;
        for c in &mut chunks {
            // Byte i has channel (phase + i) % 3.
            let m1 = MOD3[(4 - phase) % 3];
            let m2 = MOD3[(5 - phase) % 3];
            // SAFETY: `c` is exactly 64 bytes.
            unsafe {
                let v = _mm512_loadu_si512(c.as_ptr().cast());
                let r = _mm512_mask_blend_epi8(m1, lookup(&t[0], v), lookup(&t[1], v));
                let r = _mm512_mask_blend_epi8(m2, r, lookup(&t[2], v));
                _mm512_storeu_si512(c.as_mut_ptr().cast(), r);
            }
            phase = (phase + 1) % 3;
        }
        super::lut3_scalar(chunks.into_remainder(), luts, phase);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 97 + i / 7) as u8).collect()
    }

    fn tables() -> [[u8; 256]; 3] {
        std::array::from_fn(|c| {
            std::array::from_fn(|v| (v as u8).wrapping_mul(3 + 2 * c as u8) ^ 0x5A)
        })
    }

    #[test]
    fn lut1_matches_scalar_at_every_length() {
        let lut = tables()[1];
        for n in [0, 1, 63, 64, 65, 200, 1000] {
            let mut a = bytes(n);
            let mut b = a.clone();
            lut1(&mut a, &lut);
            lut1_scalar(&mut b, &lut);
            assert_eq!(a, b, "len {n}");
            assert!(n == 0 || a != bytes(n));
        }
    }

    #[test]
    fn lut3_uses_the_channel_of_each_byte() {
        let luts = tables();
        for n in [0, 3, 63, 64, 66, 192, 195, 999] {
            let src = bytes(n);
            let mut a = src.clone();
            lut3(&mut a, &luts);
            for (i, (&o, &s)) in a.iter().zip(&src).enumerate() {
                assert_eq!(o, luts[i % 3][s as usize], "len {n} byte {i}");
            }
        }
    }

    multiversion! {
        fn add_one(d: &mut [u8]) {
            for b in d {
                *b = b.wrapping_add(1);
            }
        }
    }

    #[test]
    fn multiversion_runs_the_body() {
        let mut d = vec![1u8, 255, 7];
        add_one(&mut d);
        assert_eq!(d, [2, 0, 8]);
    }
}
