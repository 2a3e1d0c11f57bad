//! The piano roll: the selected instrument's first clip as a grid of
//! pitches (rows) by time (columns of `zoom` ticks), with a cursor the view
//! scrolls to follow. The cursor moves by the snap, which is also the
//! length of a new note and the step of a move or resize.
//!
//! Edits act on the selection (a time range started with `v`: every note
//! starting in it, any pitch) or else on the note under the cursor. The
//! clipboard lives here, in the pane: it is view state, not project.

use std::cell::Cell;

use imbolc_types::notes::FULL_PROBABILITY;
use imbolc_types::{Action, Clip, ClipId, Note, NoteId, Project, TICKS_PER_QUARTER, Tick};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{Intent, State, cursor_style, follow, harmony};
use crate::commands::CommandId;

/// The default column and snap: an eighth note.
pub const STEP: Tick = TICKS_PER_QUARTER / 2;
/// Snaps and zooms to choose from: 1/32 to one 4/4 bar.
const GRID: [Tick; 7] = [60, 120, 240, 480, 960, 1920, 3840];
/// Characters per column.
const CELL: u16 = 2;
/// Width of the pitch labels on the left.
const LABEL: u16 = 5;
/// Velocity of a note placed with the keyboard.
const VELOCITY: u8 = 100;
/// Velocity change of one key press.
const VELOCITY_STEP: u8 = 8;
/// Probability change (percent) of one key press.
const PROBABILITY_STEP: u8 = 10;

/// The piano roll's view state. The scroll offsets live in cells because
/// only rendering knows the grid's size; they only ever move to keep the
/// cursor in view.
#[derive(Debug)]
pub struct PianoRollPane {
    /// Cursor position in ticks from the clip start.
    cursor: Tick,
    pitch: u8,
    snap: Tick,
    /// Ticks per column.
    zoom: Tick,
    /// Where the selection started, when there is one.
    anchor: Option<Tick>,
    /// Copied notes, starts relative to the copied range.
    clipboard: Vec<Note>,
    first_col: Cell<u32>,
    top_pitch: Cell<u8>,
}

impl Default for PianoRollPane {
    fn default() -> Self {
        PianoRollPane {
            cursor: 0,
            pitch: 60,
            snap: STEP,
            zoom: STEP,
            anchor: None,
            clipboard: Vec::new(),
            first_col: Cell::new(0),
            top_pitch: Cell::new(72),
        }
    }
}

/// The clip the piano roll edits: the instrument's first.
pub fn clip_of<'a>(state: &State<'a>) -> Option<&'a Clip> {
    let id = state.selected?;
    let notes = |c: &Clip| c.drums.is_none() && c.audio.is_none();
    state.picked_clip(notes).or_else(|| state.project.clips.values().find(|c| c.instrument == id))
}

/// Where a clip starts on the song timeline: its earliest placement.
pub fn clip_offset(project: &Project, clip: ClipId) -> Option<Tick> {
    project.placements.values().filter(|p| p.clip == clip).map(|p| p.start).min()
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

/// `1/8`, `1/8.` (dotted), `1 bar` for a length in ticks (4/4 names).
fn length_name(ticks: Tick) -> String {
    match ticks {
        3840 => "1 bar".to_owned(),
        t if t > 0 && 1920 % t == 0 => format!("1/{}", 1920 / t),
        t if t > 0 && t % 3 == 0 && 1920 % (t / 3 * 2) == 0 => format!("1/{}.", 1920 / (t / 3 * 2)),
        t => format!("{t} ticks"),
    }
}

/// The new values of the `notes` whose probability one key press changes
/// (a step of [`PROBABILITY_STEP`], never below it unless already so); the
/// unchanged ones are left out. `None` when none changes.
fn probability_edit(clip: &Clip, notes: &[NoteId], up: bool) -> Option<Vec<(NoteId, Note)>> {
    let changed: Vec<(NoteId, Note)> = notes
        .iter()
        .filter_map(|id| clip.notes.get(id).map(|n| (*id, *n)))
        .filter_map(|(id, n)| {
            let p = n.probability;
            let probability = if up {
                p.saturating_add(PROBABILITY_STEP).min(FULL_PROBABILITY)
            } else {
                p.saturating_sub(PROBABILITY_STEP).max(p.min(PROBABILITY_STEP))
            };
            (probability != p).then_some((id, Note { probability, ..n }))
        })
        .collect();
    (!changed.is_empty()).then_some(changed)
}

/// The next value of `GRID` after `now` (wrapping) or before it.
fn cycle(now: Tick, up: bool) -> Tick {
    let i = GRID.iter().position(|g| *g == now).unwrap_or(2);
    let j = if up { (i + 1) % GRID.len() } else { i.saturating_sub(1) };
    GRID[j]
}

impl PianoRollPane {
    /// The selected range `[lo, hi)` in clip ticks: from the anchor to the
    /// cursor's snap cell, both included.
    pub fn selection(&self) -> Option<(Tick, Tick)> {
        let a = self.anchor?;
        Some((a.min(self.cursor), a.max(self.cursor) + self.snap))
    }

    /// The notes an edit acts on: the selection's, else the one under the cursor.
    fn targets(&self, clip: &Clip) -> Vec<NoteId> {
        match self.selection() {
            Some((lo, hi)) => {
                clip.notes.iter().filter(|(_, n)| lo <= n.start && n.start < hi).map(|(i, _)| *i).collect()
            }
            None => note_at(clip, self.pitch, self.cursor).map(|(i, _)| i).into_iter().collect(),
        }
    }

    /// Copies the targets; returns their ids.
    fn copy(&mut self, clip: &Clip) -> Vec<NoteId> {
        let ids = self.targets(clip);
        let origin = self.selection().map_or_else(
            || ids.iter().filter_map(|i| clip.notes.get(i)).map(|n| n.start).min().unwrap_or(0),
            |(lo, _)| lo,
        );
        self.clipboard =
            ids.iter().filter_map(|i| clip.notes.get(i)).map(|n| Note { start: n.start - origin, ..*n }).collect();
        ids
    }

    /// On opening: when no note of the clip is within an octave of the
    /// cursor's pitch, the pitch to move the cursor to (the clip's first
    /// note's), so the notes are in view.
    pub fn pitch_to_show(&self, clip: Option<&Clip>) -> Option<u8> {
        let clip = clip?;
        if clip.notes.values().any(|n| n.pitch.abs_diff(self.pitch) <= 12) {
            return None;
        }
        clip.notes.values().min_by_key(|n| (n.start, n.pitch)).map(|n| n.pitch)
    }

    /// Moves the cursor to `pitch`.
    pub fn show_pitch(&mut self, pitch: u8) {
        self.pitch = pitch.min(127);
    }

    pub fn handle(&mut self, cmd: CommandId, state: &State) -> Option<Intent> {
        let Some(inst) = state.selected_instrument() else {
            return Some(Intent::Message("No instrument selected: add one in the instrument list (1)".to_owned()));
        };
        let clip = clip_of(state);
        let message = |t: &str| Some(Intent::Message(t.to_owned()));
        let lock = state.project.pitch_of(inst.id);
        let lock = lock.lock.then_some(lock.key);
        match cmd {
            CommandId::Left => self.cursor = self.cursor.saturating_sub(self.snap),
            CommandId::Right => self.cursor = self.cursor.saturating_add(self.snap),
            CommandId::Up | CommandId::Down if lock.is_some() => {
                let key = lock?;
                self.pitch = key.step(self.pitch, if cmd == CommandId::Up { 1 } else { -1 });
            }
            CommandId::NoteUp | CommandId::NoteDown if lock.is_some() => {
                let (key, clip) = (lock?, clip?);
                let notes = self.targets(clip);
                if notes.is_empty() {
                    return message("No note here: select with v or put the cursor on a note");
                }
                let dir = if cmd == CommandId::NoteUp { 1 } else { -1 };
                let (moved, cursor) = harmony::step_notes(clip, &notes, key, dir, self.pitch);
                if self.anchor.is_none() {
                    self.pitch = cursor;
                }
                return (!moved.is_empty())
                    .then_some(Intent::Dispatch(Action::ReplaceNotes { clip: clip.id, notes: moved }));
            }
            CommandId::ChordWrite => {
                let key = state.project.pitch_of(inst.id).key;
                let at = (self.pitch, self.cursor, self.snap, VELOCITY);
                let notes = harmony::chord_at(clip, inst.def.transforms.chord, key, at);
                if notes.is_empty() {
                    return message("The chord's notes are here already");
                }
                return Some(Intent::AddNotes { instrument: inst.id, notes });
            }
            CommandId::Harmonise => {
                let clip = clip?;
                let notes = harmony::harmonise(clip, &self.targets(clip), state.project.pitch_of(inst.id).key);
                if notes.is_empty() {
                    return message("Nothing to add: select notes with v (their thirds and fifths may be there)");
                }
                return Some(Intent::AddNotes { instrument: inst.id, notes });
            }
            CommandId::Up => self.pitch = (self.pitch + 1).min(127),
            CommandId::Down => self.pitch = self.pitch.saturating_sub(1),
            CommandId::OctaveUp => self.pitch = self.pitch.saturating_add(12).min(127),
            CommandId::OctaveDown => self.pitch = self.pitch.saturating_sub(12),
            CommandId::CursorStart => self.cursor = 0,
            CommandId::Snap => {
                self.snap = cycle(self.snap, true);
                self.cursor -= self.cursor % self.snap;
                return Some(Intent::Message(format!("snap {}", length_name(self.snap))));
            }
            CommandId::ZoomIn | CommandId::ZoomOut => {
                self.zoom = cycle(self.zoom, cmd == CommandId::ZoomOut);
                return Some(Intent::Message(format!("one column = {}", length_name(self.zoom))));
            }
            CommandId::Select => {
                self.anchor = if self.anchor.is_some() { None } else { Some(self.cursor) };
            }
            CommandId::AddNote => {
                let note = Note::new(self.pitch, VELOCITY, self.cursor, self.snap);
                if clip.is_some_and(|c| note_at(c, self.pitch, self.cursor).is_some()) {
                    return message("There is a note here already");
                }
                // The cursor stays on the new note, so the next key edits it.
                return Some(Intent::AddNote { instrument: inst.id, note });
            }
            CommandId::DeleteNote => {
                let clip = clip?;
                let notes = self.targets(clip);
                if notes.is_empty() {
                    return None;
                }
                return Some(Intent::Dispatch(Action::RemoveNotes { clip: clip.id, notes }));
            }
            CommandId::Copy => {
                let n = self.copy(clip?).len();
                // The copy is taken: the selection has done its job.
                self.anchor = None;
                return Some(Intent::Message(format!("copied {n} notes")));
            }
            CommandId::Cut => {
                let clip = clip?;
                let notes = self.copy(clip);
                if notes.is_empty() {
                    return message("Nothing to cut: select with v or put the cursor on a note");
                }
                return Some(Intent::Dispatch(Action::RemoveNotes { clip: clip.id, notes }));
            }
            CommandId::Paste => {
                if self.clipboard.is_empty() {
                    return message("Nothing copied yet: y copies, d cuts");
                }
                let notes = self.clipboard.iter().map(|n| Note { start: n.start + self.cursor, ..*n }).collect();
                self.anchor = None;
                return Some(Intent::AddNotes { instrument: inst.id, notes });
            }
            CommandId::NoteLeft | CommandId::NoteRight | CommandId::NoteUp | CommandId::NoteDown => {
                let clip = clip?;
                let notes = self.targets(clip);
                if notes.is_empty() {
                    return message("No note here: select with v or put the cursor on a note");
                }
                let snap = i64::from(self.snap);
                let (ticks, semitones) = match cmd {
                    CommandId::NoteLeft => (-snap, 0),
                    CommandId::NoteRight => (snap, 0),
                    CommandId::NoteUp => (0, 1),
                    _ => (0, -1),
                };
                // The cursor (and selection) follow, so the next press moves the same notes.
                let shift = |t: Tick| u32::try_from(i64::from(t) + ticks).unwrap_or(t);
                if self.notes_fit(clip, &notes, ticks, semitones) {
                    self.cursor = shift(self.cursor);
                    self.anchor = self.anchor.map(shift);
                    if self.anchor.is_none() {
                        self.pitch = u8::try_from(i16::from(self.pitch) + semitones).unwrap_or(self.pitch);
                    }
                }
                return Some(Intent::Dispatch(Action::MoveNotes { clip: clip.id, notes, ticks, semitones }));
            }
            CommandId::NoteShorter | CommandId::NoteLonger => {
                let clip = clip?;
                let notes = self.targets(clip);
                if notes.is_empty() {
                    return message("No note here: select with v or put the cursor on a note");
                }
                let snap = i64::from(self.snap);
                let ticks = if cmd == CommandId::NoteLonger { snap } else { -snap };
                return Some(Intent::Dispatch(Action::ResizeNotes { clip: clip.id, notes, ticks }));
            }
            CommandId::VelocityUp | CommandId::VelocityDown => {
                let clip = clip?;
                let notes = self.targets(clip);
                let first = notes.first().and_then(|i| clip.notes.get(i))?;
                let velocity = if cmd == CommandId::VelocityUp {
                    first.velocity.saturating_add(VELOCITY_STEP).min(127)
                } else {
                    first.velocity.saturating_sub(VELOCITY_STEP).max(1)
                };
                return Some(Intent::Dispatch(Action::SetNoteVelocity { clip: clip.id, notes, velocity }));
            }
            CommandId::ProbabilityUp | CommandId::ProbabilityDown => {
                let clip = clip?;
                let notes = self.targets(clip);
                if notes.is_empty() {
                    return message("No note here: select with v or put the cursor on a note");
                }
                let up = cmd == CommandId::ProbabilityUp;
                return match probability_edit(clip, &notes, up) {
                    Some(notes) => Some(Intent::Dispatch(Action::ReplaceNotes { clip: clip.id, notes })),
                    None => message(if up { "Already at 100 %" } else { "Already at the lowest chance" }),
                };
            }
            CommandId::LoopSet => {
                let (lo, hi) = match (self.selection(), clip) {
                    (Some(range), _) => range,
                    (None, Some(c)) => (0, c.length),
                    (None, None) => return message("No clip yet: add a note first"),
                };
                self.anchor = None;
                return Some(Intent::SetLoop { clip: clip.map(|c| c.id), start: lo, end: hi });
            }
            _ => {}
        }
        None
    }

    /// Whether moving `notes` stays in range (dispatch would refuse it).
    fn notes_fit(&self, clip: &Clip, notes: &[NoteId], ticks: i64, semitones: i16) -> bool {
        notes
            .iter()
            .filter_map(|i| clip.notes.get(i))
            .all(|n| i64::from(n.start) + ticks >= 0 && (0..=127).contains(&(i16::from(n.pitch) + semitones)))
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, state: &State) {
        let inst = state.selected_instrument();
        let clip = clip_of(state);
        let under = clip.and_then(|c| note_at(c, self.pitch, self.cursor));
        let detail = match under {
            Some((_, n)) => format!(
                " · {} vel {} len {} {}%",
                pitch_name(n.pitch),
                n.velocity,
                length_name(n.length),
                n.probability
            ),
            None => format!(" · {}", pitch_name(self.pitch)),
        };
        let pitch = inst.map(|i| state.project.pitch_of(i.id));
        let lock = pitch.filter(|p| p.lock).map(|p| p.key);
        let locked = lock.map(|k| format!(" · lock {}", k.name())).unwrap_or_default();
        let grid = format!(" · snap {} · col {}{locked}", length_name(self.snap), length_name(self.zoom));
        let title = match (inst, clip) {
            (None, _) => " Piano roll ".to_owned(),
            (Some(i), None) => format!(" Piano roll · {} · no clip yet (a adds a note){grid} ", i.name),
            (Some(i), Some(c)) => {
                // Which clip, once the instrument has several.
                let several = state.project.clips.values().filter(|o| o.instrument == i.id).nth(1).is_some();
                let name = if several { format!("{} · ", c.name) } else { String::new() };
                format!(" Piano roll · {} · {name}{} notes{detail}{grid} ", i.name, c.notes.len())
            }
        };
        let block = Block::bordered().title(title);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if inst.is_none() {
            frame.render_widget(Paragraph::new("No instrument selected. Add one in the instrument list (1)."), inner);
            return;
        }
        // A generator clip shows its generator on the last line.
        let generator = clip.and_then(|c| state.project.generators.get(&c.id));
        let rows = usize::from(inner.height.saturating_sub(1 + u16::from(generator.is_some())));
        let cols = usize::from(inner.width.saturating_sub(LABEL) / CELL);
        let top = follow(usize::from(127 - self.top_pitch.get()), usize::from(127 - self.pitch), rows);
        let top_pitch = 127 - u8::try_from(top.min(127)).unwrap_or(127);
        self.top_pitch.set(top_pitch);
        let zoom = self.zoom.max(1);
        let cursor_col = self.cursor / zoom;
        let first = follow(self.first_col.get() as usize, cursor_col as usize, cols);
        let first = u32::try_from(first).unwrap_or(0);
        self.first_col.set(first);
        let cols32 = u32::try_from(cols).unwrap_or(0);
        let view = View { first, cols: cols32, top_pitch, rows, zoom };
        let cells = view.paint(clip);
        let offset = clip.and_then(|c| clip_offset(state.project, c.id)).unwrap_or(0);
        let playhead = state.feedback.transport.tick.checked_sub(offset).map(|t| t / zoom);
        let region = state
            .transport
            .active_loop()
            .map(|r| (r.start.saturating_sub(offset) / zoom, r.end.saturating_sub(offset).saturating_sub(1) / zoom));
        let bar = crate::transport::bar_ticks(state.project.time_signature);
        let selection = self.selection().map(|(lo, hi)| (lo / zoom, (hi - 1) / zoom));

        let mut lines = Vec::with_capacity(rows + 1);
        lines.push(self.header(&view, bar, playhead, region));
        for r in 0..rows {
            let Some(pitch) = top_pitch.checked_sub(u8::try_from(r).unwrap_or(u8::MAX)) else { break };
            let black = match lock {
                Some(k) => !k.contains(pitch),
                None => matches!(pitch % 12, 1 | 3 | 6 | 8 | 10),
            };
            let label_style = if black { Style::default().fg(crate::theme::current().dim) } else { Style::default() };
            let mut spans = vec![Span::styled(format!("{:<4} ", pitch_name(pitch)), label_style)];
            for (k, col) in (first..first + cols32).enumerate() {
                let tick = col * zoom;
                let cell = cells[r * cols + k];
                let text = match cell {
                    GridCell::Start(_) => "█▌",
                    GridCell::MaybeStart(_) => "▒▌",
                    GridCell::Held(_) => "██",
                    GridCell::Empty if playhead == Some(col) => "┆ ",
                    GridCell::Empty if tick.is_multiple_of(bar) => "│ ",
                    GridCell::Empty if tick.is_multiple_of(TICKS_PER_QUARTER) => "· ",
                    GridCell::Empty => "  ",
                };
                let mut style = match cell {
                    GridCell::Start(v) | GridCell::MaybeStart(v) | GridCell::Held(v) => {
                        Style::default().fg(velocity_color(v))
                    }
                    GridCell::Empty if playhead == Some(col) => Style::default().fg(crate::theme::current().warn),
                    GridCell::Empty => Style::default().fg(crate::theme::current().dim),
                };
                if selection.is_some_and(|(lo, hi)| lo <= col && col <= hi) {
                    style = style.bg(crate::theme::current().highlight_bg);
                }
                if pitch == self.pitch && col == cursor_col {
                    style = cursor_style();
                }
                spans.push(Span::styled(text, style));
            }
            lines.push(Line::from(spans));
        }
        if let Some(g) = generator {
            let text = format!("generator: {}", g.summary());
            lines.push(Line::styled(text, Style::default().fg(crate::theme::current().accent)));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }

    /// Bar numbers, the loop region (underlined) and the playhead (`▼`).
    fn header(&self, view: &View, bar: Tick, playhead: Option<u32>, region: Option<(u32, u32)>) -> Line<'static> {
        let mut spans = vec![Span::raw(" ".repeat(usize::from(LABEL)))];
        let mut col = view.first;
        while col < view.first + view.cols {
            let tick = col * view.zoom;
            let in_loop = region.is_some_and(|(lo, hi)| lo <= col && col <= hi);
            let mut style = Style::default().fg(crate::theme::current().dim);
            if in_loop {
                style = style.fg(crate::theme::current().cool).add_modifier(Modifier::UNDERLINED);
            }
            let text = if playhead == Some(col) {
                style = style.fg(crate::theme::current().warn);
                "▼ ".to_owned()
            } else if tick.is_multiple_of(bar) {
                format!("{:<2}", tick / bar + 1)
            } else if in_loop {
                "──".to_owned()
            } else {
                "  ".to_owned()
            };
            // A two-digit bar number already fills its cell.
            spans.push(Span::styled(text.chars().take(2).collect::<String>(), style));
            col += 1;
        }
        Line::from(spans)
    }
}

/// The visible window of the grid.
#[derive(Debug, Clone, Copy)]
struct View {
    first: u32,
    cols: u32,
    top_pitch: u8,
    rows: usize,
    zoom: Tick,
}

/// What one grid cell shows (with the velocity of its note).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GridCell {
    Empty,
    Start(u8),
    /// The start of a note that plays only on some passes (below 100 %).
    MaybeStart(u8),
    Held(u8),
}

impl View {
    /// Paints every note of `clip` into a rows × cols grid: one pass over
    /// the notes, so a frame costs the notes plus the cells, never their
    /// product.
    fn paint(&self, clip: Option<&Clip>) -> Vec<GridCell> {
        let cols = self.cols as usize;
        let mut cells = vec![GridCell::Empty; self.rows * cols];
        let Some(clip) = clip else { return cells };
        let lo = u64::from(self.first) * u64::from(self.zoom);
        let hi = u64::from(self.first + self.cols) * u64::from(self.zoom);
        for n in clip.notes.values() {
            let Some(row) = self.top_pitch.checked_sub(n.pitch).map(usize::from) else { continue };
            if row >= self.rows {
                continue;
            }
            let (start, end) = (u64::from(n.start), u64::from(n.start) + u64::from(n.length));
            if end <= lo || start >= hi {
                continue;
            }
            let zoom = u64::from(self.zoom);
            let c0 = start.max(lo) / zoom - u64::from(self.first);
            let c1 = (end.min(hi) - 1) / zoom - u64::from(self.first);
            for c in c0..=c1 {
                let Ok(c) = usize::try_from(c) else { break };
                let slot = &mut cells[row * cols + c];
                let starts_here = start >= lo && start / zoom - u64::from(self.first) == c as u64;
                *slot = match (*slot, starts_here) {
                    (_, true) if n.probability < FULL_PROBABILITY => GridCell::MaybeStart(n.velocity),
                    (_, true) => GridCell::Start(n.velocity),
                    (GridCell::Start(v), false) => GridCell::Start(v),
                    (GridCell::MaybeStart(v), false) => GridCell::MaybeStart(v),
                    (_, false) => GridCell::Held(n.velocity),
                };
            }
        }
        cells
    }
}

/// Louder notes are brighter.
fn velocity_color(velocity: u8) -> Color {
    match velocity {
        0..=48 => crate::theme::current().cool,
        49..=96 => crate::theme::current().accent,
        _ => crate::theme::current().accent_strong,
    }
}
