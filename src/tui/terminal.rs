//! Entering and leaving full-screen mode, and making sure the terminal is restored on every
//! way out: normal exit, error, Ctrl-C (raw mode delivers it as a key) and panic.

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
    /// the panic message is printed.
    pub fn enter() -> Result<TerminalGuard> {
        static HOOK: Once = Once::new();
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
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
