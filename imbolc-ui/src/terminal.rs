//! Entering and leaving the full-screen terminal mode. A panic hook leaves
//! it too, so a crash never strands the user in a raw, blank terminal.
//!
//! Where the terminal supports crossterm's keyboard enhancement (the kitty
//! protocol), key releases are reported too, for musical typing.

use std::io::{Stdout, stdout};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{KeyboardEnhancementFlags, PopKeyboardEnhancementFlags, PushKeyboardEnhancementFlags};
use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Set while the keyboard enhancement flags are pushed.
static ENHANCED: AtomicBool = AtomicBool::new(false);

/// Switches to raw mode and the alternate screen.
///
/// # Errors
/// When the output is not a terminal.
pub fn enter() -> std::io::Result<Term> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = leave();
        previous(info);
    }));
    enable_raw_mode()?;
    execute!(stdout(), EnterAlternateScreen)?;
    Terminal::new(CrosstermBackend::new(stdout()))
}

/// Asks the terminal to report key releases; true when it will. Terminals
/// without the kitty keyboard protocol answer no (and musical typing falls
/// back to fixed note lengths).
pub fn report_key_releases() -> bool {
    if !crossterm::terminal::supports_keyboard_enhancement().unwrap_or(false) {
        return false;
    }
    let flags = KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES | KeyboardEnhancementFlags::REPORT_EVENT_TYPES;
    let pushed = execute!(stdout(), PushKeyboardEnhancementFlags(flags)).is_ok();
    ENHANCED.store(pushed, Ordering::Relaxed);
    pushed
}

/// Restores the terminal as it was.
///
/// # Errors
/// When the terminal cannot be written.
pub fn leave() -> std::io::Result<()> {
    if ENHANCED.swap(false, Ordering::Relaxed) {
        execute!(stdout(), PopKeyboardEnhancementFlags)?;
    }
    disable_raw_mode()?;
    execute!(stdout(), LeaveAlternateScreen, crossterm::cursor::Show)
}
