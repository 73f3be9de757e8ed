//! Watching the preset file: editors save by writing a new file and renaming it over the old
//! one, so the directory is watched and events are filtered by name; bursts of events are
//! debounced into one reload.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Sender};
use std::time::Duration;

use anyhow::{Context, Result};
use notify::{RecursiveMode, Watcher};

use super::model::Msg;
use crate::scene::Preset;

/// Quiet time after the last event before the file is read.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// A running watch; dropping it stops watching.
pub struct PresetWatcher {
    path: PathBuf,
    _watcher: notify::RecommendedWatcher,
}

impl PresetWatcher {
    /// The watched file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Read and validate the preset at `path` as a message for the UI.
pub fn load(path: &Path) -> Msg {
    Msg::PresetFile(Preset::load(path).map(Box::new).map_err(|e| e.to_string()))
}

/// Watch `path`, sending [`Msg::PresetFile`] to `tx` after each settled change.
pub fn watch(path: &Path, tx: Sender<Msg>) -> Result<PresetWatcher> {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let name = path
        .file_name()
        .map(|n| n.to_os_string())
        .context("the preset path has no file name")?;
    let (raw_tx, raw_rx) = mpsc::channel::<()>();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if let Ok(ev) = res
            && ev
                .paths
                .iter()
                .any(|p| p.file_name() == Some(name.as_os_str()))
            && !ev.kind.is_access()
        {
            let _ = raw_tx.send(());
        }
    })
    .context("cannot watch the preset file")?;
    watcher
        .watch(&dir, RecursiveMode::NonRecursive)
        .with_context(|| format!("cannot watch {}", dir.display()))?;
    let file = path.clone();
    std::thread::Builder::new()
        .name("preset-watch".into())
        .spawn(move || {
            // Ends when the watcher (and with it raw_tx) is dropped.
            while raw_rx.recv().is_ok() {
                while raw_rx.recv_timeout(DEBOUNCE).is_ok() {}
                if !file.exists() {
                    // Mid-rename: the new file follows with its own event.
                    continue;
                }
                if tx.send(load(&file)).is_err() {
                    break;
                }
            }
        })
        .context("cannot start the watcher thread")?;
    Ok(PresetWatcher {
        path,
        _watcher: watcher,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn next_preset(rx: &mpsc::Receiver<Msg>) -> Result<Preset, String> {
        match rx.recv_timeout(Duration::from_secs(5)) {
            Ok(Msg::PresetFile(r)) => r.map(|p| *p),
            other => panic!("expected a preset message, got {other:?}"),
        }
    }

    #[test]
    fn edits_by_rename_are_seen_and_errors_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("look.toml");
        let good = crate::scene::preset::resolve("default").unwrap().to_toml();
        std::fs::write(&path, &good).unwrap();
        let (tx, rx) = mpsc::channel();
        let _w = watch(&path, tx).unwrap();
        // an editor-style save: write elsewhere, rename over
        let tmp = dir.path().join(".look.toml.swp");
        std::fs::write(&tmp, good.replace("gamma = 0.75", "gamma = 0.9")).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        let p = next_preset(&rx).unwrap();
        assert_eq!(p.gamma.base, 0.9);
        // a broken edit: one line naming the file and line
        std::fs::write(&path, "layers = [\n{ effect = \"nope\" }]\n").unwrap();
        let e = next_preset(&rx).unwrap_err();
        assert!(e.contains("look.toml") && e.contains("nope"), "{e}");
        assert!(!e.contains('\n'));
        // other files in the directory are ignored
        std::fs::write(dir.path().join("other.toml"), "x").unwrap();
        assert!(rx.recv_timeout(Duration::from_millis(400)).is_err());
    }
}
