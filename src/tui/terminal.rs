//! Entering and leaving full-screen mode, and making sure the terminal is restored on every
//! way out: normal exit, error, Ctrl-C (raw mode delivers it as a key) and panic.

use std::cell::{Cell, RefCell};
use std::io::{IsTerminal, Write};
use std::sync::Once;

use anyhow::{Result, bail};
use ratatui::crossterm::{cursor, execute, terminal};

/// Fail with one clear line when there is no terminal to draw on.
pub fn require_tty(command: &str) -> Result<()> {
    if !std::io::stdout().is_terminal() {
        bail!(
            "`asciivid {command}` draws in a terminal, but stdout is not a TTY: run it in a terminal (use `asciivid render` to write a video file)"
        );
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "`asciivid {command}` reads keys from a terminal, but stdin is not a TTY: run it in a terminal"
        );
    }
    Ok(())
}

/// Put the terminal back: attributes, synchronized output off, cursor shown, main screen, cooked mode.
pub fn restore() {
    let mut out = std::io::stdout();
    let _ = out.write_all(b"\x1b[0m\x1b[?2026l");
    let _ = execute!(out, cursor::Show, terminal::LeaveAlternateScreen);
    let _ = terminal::disable_raw_mode();
    let _ = out.flush();
}

/// Full-screen mode for as long as it lives.
pub struct TerminalGuard(());

impl TerminalGuard {
    /// Raw mode, alternate screen, hidden cursor; a panic hook that restores the terminal before
    /// the panic message is printed. A panic on one of the app's worker threads ([`contain`])
    /// is not printed over the UI: the worker reports it as a message and the app quits.
    pub fn enter() -> Result<TerminalGuard> {
        static HOOK: Once = Once::new();
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                if CONTAINED.with(|c| c.get()) {
                    let at = info
                        .location()
                        .map(|l| format!(" at {}:{}", l.file(), l.line()))
                        .unwrap_or_default();
                    LOCATION.with_borrow_mut(|l| *l = at);
                    return;
                }
                restore();
                previous(info);
            }));
        });
        terminal::enable_raw_mode()?;
        let guard = TerminalGuard(());
        execute!(
            std::io::stdout(),
            terminal::EnterAlternateScreen,
            cursor::Hide
        )?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

thread_local! {
    /// Set while a [`contain`]ed thread body runs.
    static CONTAINED: Cell<bool> = const { Cell::new(false) };
    /// Where the last contained panic happened, for the report.
    static LOCATION: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Run a worker thread's body; if it panics, return the panic as one line (`thread name`,
/// message, location) instead of printing it over the full-screen UI, so the caller can send
/// it to the UI thread, which quits and restores the terminal before printing it.
pub fn contain<T>(name: &str, body: impl FnOnce() -> T) -> Result<T, String> {
    CONTAINED.with(|c| c.set(true));
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
    CONTAINED.with(|c| c.set(false));
    out.map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let at = LOCATION.with_borrow_mut(std::mem::take);
        format!("internal error: the {name} thread panicked: {what}{at} (please report this bug)")
    })
}

/// Deliberate failures for the end-to-end tests of the restore paths: `ASCIIVID_FAULT` set to
/// `ui-panic` or `render-panic` panics on that thread once the first frame is on screen.
pub fn fault(which: &str) -> bool {
    std::env::var("ASCIIVID_FAULT").is_ok_and(|v| v == which)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contained_panics_become_one_line_with_thread_and_message() {
        let err = contain("render", || -> u32 { panic!("boom {}", 7) }).unwrap_err();
        assert!(err.contains("render thread panicked: boom 7"), "{err}");
        assert!(!err.contains('\n'));
        assert_eq!(contain("render", || 5), Ok(5));
    }
}
