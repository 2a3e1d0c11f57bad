//! The application: an event loop that redraws only when something changed,
//! reading the server state from the audio engine's triple buffer each frame.

use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{self, Event, KeyCode, KeyEventKind};
use imbolc_audio::engine::AudioHandle;
use imbolc_audio::status::ServerState;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

use crate::terminal::Term;

/// At most 60 frames a second.
const FRAME: Duration = Duration::from_millis(16);

/// What the UI shows and reacts to.
pub struct App {
    project: Option<PathBuf>,
    audio: AudioHandle,
    server: ServerState,
    quit: bool,
}

impl App {
    pub fn new(project: Option<PathBuf>, audio: AudioHandle) -> Self {
        App { project, audio, server: ServerState::Booting, quit: false }
    }

    /// The audio engine, to shut it down after the terminal is restored.
    pub fn into_audio(self) -> AudioHandle {
        self.audio
    }

    /// Runs until the user quits.
    ///
    /// # Errors
    /// When the terminal cannot be read or drawn.
    pub fn run(&mut self, term: &mut Term) -> std::io::Result<()> {
        let mut dirty = true;
        while !self.quit {
            let server = self.audio.server_state();
            if *server != self.server {
                self.server = server.clone();
                dirty = true;
            }
            if dirty {
                term.draw(|f| self.draw(f))?;
                dirty = false;
            }
            if event::poll(FRAME)? {
                dirty |= self.handle(event::read()?);
            }
        }
        Ok(())
    }

    /// Reacts to one terminal event; true when the screen must be redrawn.
    fn handle(&mut self, event: Event) -> bool {
        match event {
            Event::Key(key) if key.kind == KeyEventKind::Press => {
                if key.code == KeyCode::Char('q') {
                    self.quit = true;
                }
                false
            }
            Event::Resize(..) => true,
            _ => false,
        }
    }

    fn draw(&self, frame: &mut Frame) {
        let [main, status] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(frame.area());
        let title = match &self.project {
            Some(path) => format!(" imbolc · {} ", path.display()),
            None => " imbolc ".to_owned(),
        };
        frame.render_widget(Paragraph::new("q: quit").block(Block::bordered().title(title)), main);
        let color = match self.server {
            ServerState::Running { .. } => Color::Green,
            ServerState::Booting | ServerState::Stopped => Color::Yellow,
            ServerState::Lost { .. } | ServerState::Failed { .. } => Color::Red,
        };
        frame.render_widget(Line::styled(self.server.summary(), Style::default().fg(color)), status);
    }
}
