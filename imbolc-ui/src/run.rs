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
pub fn run(
    app: &mut App<AudioHandle>,
    term: &mut Term,
    respawn: impl Fn() -> std::io::Result<AudioHandle>,
    started: Instant,
    control: Option<&crate::control::ControlSocket>,
) -> std::io::Result<()> {
    let mut dirty = true;
    let mut last_draw: Option<Instant> = None;
    loop {
        if app.take_restart() {
            restart(app, &respawn);
            dirty = true;
        }
        let feedback = app.session_mut().audio_mut().feedback().clone();
        dirty |= app.set_feedback(&feedback);
        dirty |= app.pull_view_frame();
        dirty |= app.tick(Instant::now());
        dirty |= app.midi_frame();
        if let Some(socket) = control {
            dirty |= app.serve_control(socket);
        }
        if app.should_quit() {
            return Ok(());
        }
        let since = last_draw.map_or(FRAME, |t| t.elapsed());
        if dirty && since >= FRAME {
            term.draw(|f| app.draw(f))?;
            if last_draw.is_none() {
                // Startup cost as the user sees it; the server may still be booting.
                tracing::info!(
                    "first frame {} ms after start (server: {})",
                    started.elapsed().as_millis(),
                    feedback.server.summary()
                );
            }
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

/// Replaces the audio thread (and so the server) with a new one. The old
/// one stops on a thread of its own, so the UI does not wait for it.
fn restart(app: &mut App<AudioHandle>, respawn: &impl Fn() -> std::io::Result<AudioHandle>) {
    match respawn() {
        Ok(new) => {
            let old = std::mem::replace(app.session_mut().audio_mut(), new);
            let stopping = std::thread::Builder::new().name("imbolc-stop-audio".into()).spawn(move || old.shutdown());
            if let Err(e) = stopping {
                tracing::warn!("cannot stop the old server in the background: {e}");
            }
            app.restarted();
        }
        Err(e) => app.error(format!("cannot restart the server: {e}")),
    }
}
