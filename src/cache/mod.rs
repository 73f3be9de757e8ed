//! The analysis cache: feature tables stored by content hash in the user's cache directory, so
//! rendering, previewing or analysing the same file again skips the analysis.
//!
//! An entry is one small binary file (`codec`) named by its key (`key`). Entries are written
//! under a temporary name and renamed, so readers never see half a file; an entry that fails
//! to decode for any reason is treated as missing and overwritten by the next analysis. The
//! cache never makes a command fail: when its directory cannot be written the command goes on
//! and says so once.

mod codec;
mod key;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

pub use key::{Request, content_hash, key};

use crate::features::Features;

/// Cleared by `--no-cache`. One process-wide switch rather than an argument threaded through
/// every loader, so `render`, `analyze` and the preview's loader all obey the same flag.
static ENABLED: AtomicBool = AtomicBool::new(true);

/// Turn the cache off for the rest of the process (`--no-cache`).
pub fn disable() {
    ENABLED.store(false, Ordering::Relaxed);
}

/// The directory the cache lives in: `$ASCIIVID_CACHE_DIR`, else the platform's user cache
/// directory + `asciivid` (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on
/// macOS, `%LOCALAPPDATA%` on Windows). `None` when no home can be found.
pub fn default_dir() -> Option<PathBuf> {
    dir_from(|name| std::env::var_os(name))
}

/// [`default_dir`] with the environment given as a lookup function (testable without touching
/// the process environment). Relative or empty values are ignored, as the XDG spec asks.
fn dir_from(env: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let var = |name: &str| env(name).map(PathBuf::from).filter(|p| p.is_absolute());
    if let Some(dir) = var("ASCIIVID_CACHE_DIR") {
        return Some(dir);
    }
    let base = if cfg!(target_os = "macos") {
        var("HOME").map(|h| h.join("Library").join("Caches"))
    } else if cfg!(windows) {
        var("LOCALAPPDATA")
    } else {
        var("XDG_CACHE_HOME").or_else(|| var("HOME").map(|h| h.join(".cache")))
    };
    base.map(|b| b.join("asciivid"))
}

/// Where analyses are looked up and stored; `dir: None` is a cache that is off.
#[derive(Clone, Debug, PartialEq)]
pub struct AnalysisCache {
    dir: Option<PathBuf>,
}

/// How a lookup went, for the stage report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Found and decoded.
    Hit,
    /// Not there (or damaged): analysed and stored.
    Miss,
    /// The cache is off (`--no-cache`, or no cache directory).
    Off,
}

impl AnalysisCache {
    /// The user's cache, unless `--no-cache` turned it off or there is no cache directory.
    pub fn user() -> AnalysisCache {
        AnalysisCache {
            dir: ENABLED.load(Ordering::Relaxed).then(default_dir).flatten(),
        }
    }

    /// A cache in `dir`.
    pub fn at(dir: impl Into<PathBuf>) -> AnalysisCache {
        AnalysisCache {
            dir: Some(dir.into()),
        }
    }

    /// A cache that finds nothing and stores nothing.
    pub fn off() -> AnalysisCache {
        AnalysisCache { dir: None }
    }

    /// True when lookups can hit.
    pub fn is_on(&self) -> bool {
        self.dir.is_some()
    }

    /// The file of the entry for `key`.
    pub fn entry_path(&self, key: &[u8; 16]) -> Option<PathBuf> {
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        self.dir
            .as_ref()
            .map(|d| d.join(format!("analysis-{hex}.bin")))
    }

    /// The cached table for `key`, if there is an intact one.
    pub fn load(&self, key: &[u8; 16]) -> Option<Features> {
        let path = self.entry_path(key)?;
        let bytes = std::fs::read(path).ok()?;
        codec::decode(key, &bytes)
    }

    /// Store `features` under `key`, atomically (temporary file + rename).
    pub fn store(&self, key: &[u8; 16], features: &Features) -> std::io::Result<()> {
        let Some(path) = self.entry_path(key) else {
            return Ok(());
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".analysis-")
            .suffix(".tmp")
            .tempfile_in(dir)?;
        std::io::Write::write_all(&mut tmp, &codec::encode(key, features))?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    }

    /// The cached table for `request` on the file at `path`, or `analyse()`'s result (then
    /// stored). Cache trouble (unreadable input for hashing, unwritable directory) never fails
    /// the call: it is reported once on stderr and the analysis runs uncached.
    pub fn get_or_analyze<E>(
        &self,
        path: &Path,
        request: &Request,
        analyse: impl FnOnce() -> Result<Features, E>,
    ) -> Result<(Features, Lookup), E> {
        if !self.is_on() {
            return analyse().map(|f| (f, Lookup::Off));
        }
        // An unreadable input fails the analysis itself, with its own clear message.
        let Ok(content) = content_hash(path) else {
            return analyse().map(|f| (f, Lookup::Off));
        };
        let k = key(content, request);
        if let Some(f) = self.load(&k) {
            return Ok((f, Lookup::Hit));
        }
        let f = analyse()?;
        if let Err(e) = self.store(&k, &f) {
            warn_once(&format!(
                "warning: cannot write the analysis cache in {}: {e} (set ASCIIVID_CACHE_DIR to a writable directory, or pass --no-cache)",
                self.dir.as_deref().unwrap_or(Path::new("?")).display()
            ));
        }
        Ok((f, Lookup::Miss))
    }
}

/// Print a cache warning at most once per process.
fn warn_once(msg: &str) {
    static WARNED: AtomicBool = AtomicBool::new(false);
    if !WARNED.swap(true, Ordering::Relaxed) {
        eprintln!("{msg}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::{ANALYSIS_VERSION, AnalysisParams, analyze, synth_demo_track};

    fn request(p: &AnalysisParams) -> Request<'_> {
        Request {
            fps: 24.0,
            start: 0.0,
            duration: None,
            params: p,
            version: ANALYSIS_VERSION,
        }
    }

    #[test]
    fn miss_then_hit_then_damaged_entry_is_recomputed() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.raw");
        std::fs::write(&input, b"pretend audio").unwrap();
        let cache = AnalysisCache::at(dir.path().join("cache"));
        let p = AnalysisParams::default();
        let x = synth_demo_track(22050, 2.0, 120.0, 1);
        let run = |calls: &mut u32| {
            cache
                .get_or_analyze(&input, &request(&p), || {
                    *calls += 1;
                    Ok::<_, ()>(analyze(&x, 22050, 24.0, &p))
                })
                .unwrap()
        };
        let mut calls = 0;
        let (first, l1) = run(&mut calls);
        let (second, l2) = run(&mut calls);
        assert_eq!((l1, l2, calls), (Lookup::Miss, Lookup::Hit, 1));
        assert_eq!(first, second);
        // Damage the entry: it is ignored, recomputed and rewritten.
        let k = key(content_hash(&input).unwrap(), &request(&p));
        let entry = cache.entry_path(&k).unwrap();
        let len = std::fs::metadata(&entry).unwrap().len();
        std::fs::write(&entry, &std::fs::read(&entry).unwrap()[..len as usize / 2]).unwrap();
        let (third, l3) = run(&mut calls);
        assert_eq!((l3, calls), (Lookup::Miss, 2));
        assert_eq!(third, first);
        assert_eq!(std::fs::metadata(&entry).unwrap().len(), len);
        assert_eq!(run(&mut calls).1, Lookup::Hit);
        // Only the entry is left: no temporary files.
        assert_eq!(
            std::fs::read_dir(entry.parent().unwrap()).unwrap().count(),
            1
        );
    }

    #[test]
    fn cache_dir_precedence() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            }
        };
        let all = env(&[
            ("ASCIIVID_CACHE_DIR", "/c/mine"),
            ("XDG_CACHE_HOME", "/x"),
            ("HOME", "/h"),
        ]);
        assert_eq!(dir_from(all), Some(PathBuf::from("/c/mine")));
        // A relative override is ignored.
        let relative = env(&[("ASCIIVID_CACHE_DIR", "rel"), ("HOME", "/h")]);
        let home = env(&[("HOME", "/h")]);
        assert_eq!(dir_from(relative), dir_from(home));
        assert_eq!(dir_from(env(&[])), None);
        if cfg!(target_os = "linux") {
            assert_eq!(dir_from(home), Some(PathBuf::from("/h/.cache/asciivid")));
            let xdg = env(&[("XDG_CACHE_HOME", "/x"), ("HOME", "/h")]);
            assert_eq!(dir_from(xdg), Some(PathBuf::from("/x/asciivid")));
        }
    }

    #[test]
    fn off_cache_always_analyses_and_unwritable_dir_does_not_fail() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.raw");
        std::fs::write(&input, b"x").unwrap();
        let p = AnalysisParams::default();
        let empty = || Ok::<_, ()>(analyze(&[], 22050, 24.0, &p));
        let off = AnalysisCache::off();
        assert_eq!(
            off.get_or_analyze(&input, &request(&p), empty).unwrap().1,
            Lookup::Off
        );
        // A cache "directory" that is a file cannot be written: the analysis still succeeds.
        let blocked = AnalysisCache::at(input.join("sub"));
        assert_eq!(
            blocked
                .get_or_analyze(&input, &request(&p), empty)
                .unwrap()
                .1,
            Lookup::Miss
        );
    }
}
