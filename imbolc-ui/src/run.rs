//! The terminal event loop: reads the engine's feedback each frame, polls
//! the saver, handles keys, and draws at most 60 times a second, only when
//! something changed (a key, a resize, a save, a meter, the server state).

use std::time::{Duration, Instant};

use crossterm::event;
use imbolc_audio::engine::AudioHandle;

use crate::app::App;
use crate::terminal::Term;

/// At most 60 frames a second.
const FRAME: Duration = Duration::from_micros(16_667);

/// Runs until the user quits.
///
/// # Errors
/// When the terminal cannot be read or drawn.
pub fn run(app: &mut App<AudioHandle>, term: &mut Term) -> std::io::Result<()> {
    let mut dirty = true;
    let mut last_draw: Option<Instant> = None;
    loop {
        let feedback = app.session_mut().audio_mut().feedback().clone();
        dirty |= app.set_feedback(&feedback);
        dirty |= app.tick(Instant::now());
        dirty |= app.midi_frame();
        if app.should_quit() {
            return Ok(());
        }
        let since = last_draw.map_or(FRAME, |t| t.elapsed());
        if dirty && since >= FRAME {
            term.draw(|f| app.draw(f))?;
            last_draw = Some(Instant::now());
            dirty = false;
        }
        // Wait for input at most until the next frame is due.
        let wait = if dirty { FRAME.saturating_sub(since) } else { FRAME };
        if event::poll(wait)? {
            dirty |= app.handle_event(&event::read()?);
            // Drain what else is queued so a burst of keys costs one frame.
            while !app.should_quit() && event::poll(Duration::ZERO)? {
                dirty |= app.handle_event(&event::read()?);
            }
        }
    }
}
