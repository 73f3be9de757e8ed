//! Runtime CPU dispatch for hot loops outside the shader chain (raster, YUV conversion).
//!
//! The crate targets baseline x86-64 (SSE2), where LLVM does not vectorize loops over
//! interleaved RGB. [`multiversion!`] compiles one portable body for baseline, AVX2 and
//! AVX-512BW and picks the widest the CPU has at run time. Bodies are integer code, so every
//! variant computes the same bytes and output never depends on the machine.

use std::sync::OnceLock;

/// Widest instruction set a multiversioned function may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Portable code only.
    Base,
    /// AVX2.
    Avx2,
    /// AVX-512 BW (with AVX2).
    Avx512,
}

/// The level the running CPU supports (detected once).
pub fn level() -> Level {
    static LEVEL: OnceLock<Level> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            if std::env::var_os("ASCIIVID_NO_SIMD").is_some() {
                return Level::Base;
            }
            if is_x86_feature_detected!("avx512bw") && is_x86_feature_detected!("avx2") {
                return Level::Avx512;
            }
            if is_x86_feature_detected!("avx2") {
                return Level::Avx2;
            }
        }
        Level::Base
    })
}

/// Whether AVX-512 VBMI byte permutes (with BW and VL) are available, for the few kernels that
/// use them directly (detected once; off under `ASCIIVID_NO_SIMD` like [`level`]).
pub fn vbmi() -> bool {
    static VBMI: OnceLock<bool> = OnceLock::new();
    *VBMI.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            level() == Level::Avx512
                && is_x86_feature_detected!("avx512vbmi")
                && is_x86_feature_detected!("avx512vl")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    })
}

/// Define `fn name(args) body`, compiled for baseline, AVX2 and AVX-512BW and dispatched at
/// run time. The body must be safe code; it is inlined into each target-feature wrapper so LLVM
/// auto-vectorizes it at each width.
#[macro_export]
#[doc(hidden)]
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
                match $crate::simd::level() {
                    // SAFETY: `level()` only reports features the running CPU has.
                    $crate::simd::Level::Avx512 => return unsafe { avx512($($arg),*) },
                    // SAFETY: as above.
                    $crate::simd::Level::Avx2 => return unsafe { avx2($($arg),*) },
                    $crate::simd::Level::Base => {}
                }
            }
            generic($($arg),*)
        }
    };
}
