//! The piano roll: the selected instrument's first clip as a grid of
//! pitches (rows) by eighth-note steps (columns), with a cursor that the
//! view scrolls to follow. `a` puts a one-step note at the cursor (the app
//! creates the clip on the first note), `x` deletes the note under it.

use std::cell::Cell;

use imbolc_types::{Action, Clip, Note, NoteId, TICKS_PER_QUARTER, Tick};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{Intent, State, cursor_style, follow};
use crate::commands::CommandId;

/// One column of the grid: an eighth note.
pub const STEP: Tick = TICKS_PER_QUARTER / 2;
/// Characters per step.
const CELL: u16 = 2;
/// Width of the pitch labels on the left.
const LABEL: u16 = 5;
/// Velocity of a note placed with the keyboard.
const VELOCITY: u8 = 100;

/// The piano roll's view state. The scroll offsets live in cells because
/// only rendering knows the grid's size; they only ever move to keep the
/// cursor in view.
#[derive(Debug)]
pub struct PianoRollPane {
    /// Cursor column, in steps from the clip start.
    step: u32,
    pitch: u8,
    first_step: Cell<u32>,
    top_pitch: Cell<u8>,
}

impl Default for PianoRollPane {
    fn default() -> Self {
        PianoRollPane { step: 0, pitch: 60, first_step: Cell::new(0), top_pitch: Cell::new(72) }
    }
}

/// The clip the piano roll edits: the instrument's first.
pub fn clip_of<'a>(state: &State<'a>) -> Option<&'a Clip> {
    let id = state.selected?;
    state.project.clips.values().find(|c| c.instrument == id)
}

/// The note covering `pitch` at `tick`.
fn note_at(clip: &Clip, pitch: u8, tick: Tick) -> Option<(NoteId, &Note)> {
    clip.notes
        .iter()
        .find(|(_, n)| n.pitch == pitch && n.start <= tick && tick < n.start + n.length)
        .map(|(i, n)| (*i, n))
}

/// `C4`, `F#3`; MIDI 60 is C4.
pub fn pitch_name(pitch: u8) -> String {
    const NAMES: [&str; 12] = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];
    format!("{}{}", NAMES[usize::from(pitch % 12)], i32::from(pitch / 12) - 1)
}

impl PianoRollPane {
    pub fn handle(&mut self, cmd: CommandId, state: &State) -> Option<Intent> {
        let Some(inst) = state.selected_instrument() else {
            return Some(Intent::Message("No instrument selected: add one in the instrument list (1)".to_owned()));
        };
        let tick = self.step * STEP;
        match cmd {
            CommandId::Left => self.step = self.step.saturating_sub(1),
            CommandId::Right => self.step = self.step.saturating_add(1),
            CommandId::Up => self.pitch = (self.pitch + 1).min(127),
            CommandId::Down => self.pitch = self.pitch.saturating_sub(1),
            CommandId::OctaveUp => self.pitch = self.pitch.saturating_add(12).min(127),
            CommandId::OctaveDown => self.pitch = self.pitch.saturating_sub(12),
            CommandId::AddNote => {
                let note = Note { pitch: self.pitch, velocity: VELOCITY, start: tick, length: STEP };
                if clip_of(state).is_some_and(|c| note_at(c, self.pitch, tick).is_some()) {
                    return Some(Intent::Message("There is a note here already".to_owned()));
                }
                self.step += 1;
                return Some(Intent::AddNote { instrument: inst.id, note });
            }
            CommandId::DeleteNote => {
                let clip = clip_of(state)?;
                let (id, _) = note_at(clip, self.pitch, tick)?;
                return Some(Intent::Dispatch(Action::RemoveNotes { clip: clip.id, notes: vec![id] }));
            }
            _ => {}
        }
        None
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, state: &State) {
        let inst = state.selected_instrument();
        let clip = clip_of(state);
        let title = match (inst, clip) {
            (None, _) => " Piano roll ".to_owned(),
            (Some(i), None) => format!(" Piano roll · {} · no clip yet (a adds a note) ", i.name),
            (Some(i), Some(c)) => format!(" Piano roll · {} · {} · {} notes ", i.name, c.name, c.notes.len()),
        };
        let block = Block::bordered().title(title);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if inst.is_none() {
            frame.render_widget(Paragraph::new("No instrument selected. Add one in the instrument list (1)."), inner);
            return;
        }
        // One header row with bar numbers; the rest are pitches.
        let rows = usize::from(inner.height.saturating_sub(1));
        let cols = usize::from(inner.width.saturating_sub(LABEL) / CELL);
        let top = usize::from(127 - self.top_pitch.get());
        let top = follow(top, usize::from(127 - self.pitch), rows);
        let top_pitch = 127 - u8::try_from(top.min(127)).unwrap_or(127);
        self.top_pitch.set(top_pitch);
        let first = follow(self.first_step.get() as usize, self.step as usize, cols);
        let first = u32::try_from(first).unwrap_or(0);
        self.first_step.set(first);
        let steps_per_bar = u32::from(state.project.time_signature.numerator) * 2;
        let cols32 = u32::try_from(cols).unwrap_or(0);

        let mut lines = Vec::with_capacity(rows + 1);
        let mut header = " ".repeat(usize::from(LABEL));
        for s in first..first + cols32 {
            let cell = if s % steps_per_bar == 0 { format!("{:<2}", s / steps_per_bar + 1) } else { "  ".to_owned() };
            header.push_str(&cell);
        }
        lines.push(Line::styled(header, Style::default().fg(Color::DarkGray)));
        for r in 0..rows {
            let Some(pitch) = top_pitch.checked_sub(u8::try_from(r).unwrap_or(u8::MAX)) else { break };
            let black = matches!(pitch % 12, 1 | 3 | 6 | 8 | 10);
            let label_style = if black { Style::default().fg(Color::DarkGray) } else { Style::default() };
            let mut spans = vec![Span::styled(format!("{:<4} ", pitch_name(pitch)), label_style)];
            for s in first..first + cols32 {
                let tick = s * STEP;
                let note = clip.and_then(|c| note_at(c, pitch, tick));
                let text = match note {
                    Some((_, n)) if n.start >= tick => "█▌",
                    Some(_) => "██",
                    None if s % steps_per_bar == 0 => "│ ",
                    None if s % 2 == 0 => "· ",
                    None => "  ",
                };
                let mut style = match note {
                    Some(_) => Style::default().fg(Color::Cyan),
                    None => Style::default().fg(Color::DarkGray),
                };
                if pitch == self.pitch && s == self.step {
                    style = cursor_style();
                }
                spans.push(Span::styled(text, style));
            }
            lines.push(Line::from(spans));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
