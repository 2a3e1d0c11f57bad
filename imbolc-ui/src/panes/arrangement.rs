//! The arrangement: every clip as a row, its placements drawn on a
//! timeline of beats. `j`/`k` pick a clip (and select its instrument),
//! `h`/`l` move the time cursor a bar; `a` places the clip at the cursor,
//! `x` deletes the placement under it, `D` repeats it right after itself,
//! `A-h`/`A-l` move it a bar; `m` switches song and pattern mode. On an
//! audio track `a` imports a file at the cursor instead, and the keys of
//! `arrangement_audio` trim, split, fade and change the gain of the audio
//! clip under the cursor; audio clips show their waveform.

use imbolc_audio::scheduler::PlayMode;
use imbolc_types::{Action, Clip, Placement, Project, TICKS_PER_QUARTER, Tick};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{Intent, State, cursor_style, follow, instruments::truncate};
use crate::commands::CommandId;

/// One column: a beat (a quarter note).
const COLUMN: Tick = TICKS_PER_QUARTER;
/// Width of the clip names.
const NAME: u16 = 20;

/// The arrangement's view state.
#[derive(Debug, Default)]
pub struct ArrangementPane {
    row: usize,
    /// Time cursor in ticks, on a bar line.
    cursor: Tick,
    overviews: super::arrangement_audio::Overviews,
}

/// Clips in instrument order, then by id.
fn rows(project: &Project) -> Vec<&Clip> {
    let mut clips: Vec<&Clip> = project.clips.values().collect();
    clips.sort_by_key(|c| (project.instruments.get_index_of(&c.instrument).unwrap_or(usize::MAX), c.id));
    clips
}

/// The placement of `clip` covering `tick`.
fn placement_at(project: &Project, clip: &Clip, tick: Tick) -> Option<Placement> {
    project.placements.values().find(|p| p.clip == clip.id && p.start <= tick && tick < p.start + p.length).copied()
}

impl ArrangementPane {
    /// Moves the row to `clip`.
    pub fn show_clip(&mut self, project: &Project, clip: imbolc_types::ClipId) {
        if let Some(row) = rows(project).iter().position(|c| c.id == clip) {
            self.row = row;
        }
    }

    pub fn handle(&mut self, cmd: CommandId, state: &State) -> Option<Intent> {
        let p = state.project;
        let all = rows(p);
        // On an audio track (the row's, or the selected one) `a` imports.
        let track = match all.get(self.row.min(all.len().saturating_sub(1))) {
            Some(c) if c.audio.is_some() => Some(c.instrument),
            _ => state.selected_instrument().filter(|i| i.def.audio_track).map(|i| i.id),
        };
        if let (CommandId::PlacementAdd, Some(instrument)) = (cmd, track) {
            return Some(Intent::ChooseAudioClip { instrument, at: self.cursor });
        }
        if cmd == CommandId::ClipNew {
            let row = all.get(self.row.min(all.len().saturating_sub(1))).map(|c| c.instrument);
            return Some(match row.or(state.selected_instrument().map(|i| i.id)) {
                Some(instrument) => Intent::NewClip { instrument, at: self.cursor },
                None => Intent::Message("No instrument yet: add one in the instrument list (1, a)".to_owned()),
            });
        }
        if all.is_empty() {
            return Some(Intent::Message(
                "No clips yet: write notes in the piano roll (3), or add an audio track (A in 1)".to_owned(),
            ));
        }
        self.row = self.row.min(all.len() - 1);
        let bar = crate::transport::bar_ticks(p.time_signature);
        let clip = all[self.row];
        let here = placement_at(p, clip, self.cursor);
        let nothing = || Some(Intent::Message("No placement under the cursor".to_owned()));
        // A trimmed start may leave the cursor's bar line just before the
        // clip: audio edits also take a placement starting in that bar.
        let near = here.or_else(|| {
            let end = self.cursor.saturating_add(bar);
            p.placements.values().find(|pl| pl.clip == clip.id && (self.cursor..end).contains(&pl.start)).copied()
        });
        if let Some(intent) = super::arrangement_audio::handle(cmd, p, near, self.cursor) {
            return Some(intent);
        }
        let action = match cmd {
            CommandId::Up | CommandId::Down => {
                self.row =
                    if cmd == CommandId::Up { self.row.saturating_sub(1) } else { (self.row + 1).min(all.len() - 1) };
                return Some(Intent::SelectClip(all[self.row].id));
            }
            CommandId::Left => {
                self.cursor = self.cursor.saturating_sub(bar);
                return None;
            }
            CommandId::Right => {
                self.cursor += bar;
                return None;
            }
            CommandId::PlacementAdd if here.is_some() => {
                return Some(Intent::Message("Already placed here".to_owned()));
            }
            CommandId::PlacementAdd => Action::AddPlacement { clip: clip.id, start: self.cursor, length: clip.length },
            CommandId::PlacementDelete => match here {
                Some(pl) => Action::RemovePlacement { placement: pl.id },
                None => return nothing(),
            },
            CommandId::PlacementDuplicate => match here {
                Some(pl) => {
                    self.cursor = pl.start + pl.length;
                    Action::AddPlacement { clip: clip.id, start: pl.start + pl.length, length: pl.length }
                }
                None => return nothing(),
            },
            CommandId::PlacementLeft | CommandId::PlacementRight => match here {
                Some(pl) => {
                    let start =
                        if cmd == CommandId::PlacementRight { pl.start + bar } else { pl.start.checked_sub(bar)? };
                    self.cursor = if cmd == CommandId::PlacementRight { self.cursor + bar } else { self.cursor - bar };
                    Action::MovePlacement { placement: pl.id, start }
                }
                None => return nothing(),
            },
            CommandId::RenameClip => {
                let target = crate::modal::RenameTarget::Clip(clip.id);
                return Some(Intent::Rename { target, current: clip.name.clone() });
            }
            CommandId::DeleteClip => Action::RemoveClip { clip: clip.id },
            CommandId::ClipDuplicate => return Some(Intent::DuplicateClip(clip.id)),
            CommandId::ClipLoop => Action::SetClipLooping { clip: clip.id, looping: !clip.looping },
            CommandId::PlayMode => {
                let mode = match state.transport.mode {
                    PlayMode::Song => PlayMode::Pattern(clip.id),
                    PlayMode::Pattern(_) => PlayMode::Song,
                };
                return Some(Intent::SetMode(mode));
            }
            _ => return None,
        };
        Some(Intent::Dispatch(action))
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, state: &State) {
        let p = state.project;
        let all = rows(p);
        let mode = match state.transport.mode {
            PlayMode::Song => "song mode".to_owned(),
            PlayMode::Pattern(c) => {
                format!("pattern mode: {}", p.clips.get(&c).map_or("?".to_owned(), clip_label_of(p)))
            }
        };
        let audio = all
            .get(self.row.min(all.len().saturating_sub(1)))
            .and_then(|c| c.audio.as_ref())
            .map_or_else(String::new, |r| format!("· {} ", super::arrangement_audio::describe(r)));
        let title = format!(
            " Arrangement · {} clips · {} placements · {mode} · cursor {} {audio}",
            all.len(),
            p.placements.len(),
            crate::transport::bar_beat(self.cursor, p.time_signature)
        );
        let block = Block::bordered().title(title);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if all.is_empty() {
            frame.render_widget(Paragraph::new(" No clips yet: write notes in the piano roll (3)."), inner);
            return;
        }
        let row = self.row.min(all.len() - 1);
        let bar = crate::transport::bar_ticks(p.time_signature);
        let cols = usize::from(inner.width.saturating_sub(NAME));
        let cursor_col = (self.cursor / COLUMN) as usize;
        let first = follow(0, cursor_col, cols);
        let playhead = (state.feedback.transport.tick / COLUMN) as usize;
        let region = state
            .transport
            .active_loop()
            .map(|r| ((r.start / COLUMN) as usize, (r.end.saturating_sub(1) / COLUMN) as usize));
        let mut header = vec![Span::raw(" ".repeat(usize::from(NAME)))];
        let numbers = bar_numbers(first, cols, bar);
        for c in first..first + cols {
            let in_loop = region.is_some_and(|(lo, hi)| lo <= c && c <= hi);
            let (text, style) = if c == playhead {
                ("▼".to_owned(), Style::default().fg(crate::theme::current().warn))
            } else if let Some(ch) = numbers[c - first] {
                (ch.to_string(), Style::default().fg(crate::theme::current().dim))
            } else if in_loop {
                ("─".to_owned(), Style::default().fg(crate::theme::current().cool))
            } else {
                (" ".to_owned(), Style::default())
            };
            header.push(Span::styled(text, style));
        }
        let mut lines = vec![Line::from(header)];
        let visible = usize::from(inner.height.saturating_sub(1));
        let top = follow(0, row, visible);
        for (i, clip) in all.iter().enumerate().skip(top).take(visible) {
            let label =
                format!("{:<w$}", truncate(&clip_label_of(p)(clip), usize::from(NAME) - 1), w = usize::from(NAME));
            let mut spans = vec![Span::styled(label, if i == row { cursor_style() } else { Style::default() })];
            let mut cells = vec![' '; cols];
            for pl in p.placements.values().filter(|pl| pl.clip == clip.id) {
                if let Some(region) = &clip.audio {
                    let wave = self.overviews.cells(p, pl, region, first, cols);
                    for (cell, w) in cells.iter_mut().zip(wave) {
                        if let Some(w) = w {
                            *cell = w;
                        }
                    }
                    continue;
                }
                let c0 = (pl.start / COLUMN) as usize;
                let c1 = ((pl.start + pl.length).saturating_sub(1) / COLUMN) as usize;
                for c in c0.max(first)..=c1.min(first + cols.saturating_sub(1)) {
                    if c >= first {
                        cells[c - first] = if c == c0 { '▐' } else { '█' };
                    }
                }
            }
            for (k, ch) in cells.into_iter().enumerate() {
                let c = first + k;
                let tick = Tick::try_from(c).unwrap_or(0) * COLUMN;
                let ch = if ch == ' ' && tick.is_multiple_of(bar) { '·' } else { ch };
                let mut style = if ch == '·' {
                    Style::default().fg(crate::theme::current().dim)
                } else {
                    Style::default().fg(crate::theme::current().accent)
                };
                if i == row && c == cursor_col {
                    style = cursor_style();
                }
                spans.push(Span::styled(ch.to_string(), style));
            }
            lines.push(Line::from(spans));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

/// The header's bar numbers for columns `first..first + cols`: each from
/// its bar's first column, whole when it fits before the next bar (`10`,
/// not `0`), else its last digit.
fn bar_numbers(first: usize, cols: usize, bar: Tick) -> Vec<Option<char>> {
    let mut out = vec![None; cols];
    let width = (bar / COLUMN).max(1) as usize;
    for c in first..first + cols {
        let tick = Tick::try_from(c).unwrap_or(0) * COLUMN;
        if !tick.is_multiple_of(bar.max(1)) {
            continue;
        }
        let digits: Vec<char> = (tick / bar.max(1) + 1).to_string().chars().collect();
        let shown = if digits.len() <= width { &digits[..] } else { &digits[digits.len() - 1..] };
        for (k, ch) in shown.iter().enumerate() {
            if let Some(slot) = out.get_mut(c - first + k) {
                *slot = Some(*ch);
            }
        }
    }
    out
}

/// `bass · riff`, or `bass · clip 3` for an unnamed clip.
fn clip_label_of(p: &Project) -> impl Fn(&Clip) -> String + '_ {
    move |c: &Clip| {
        let inst = p.instruments.get(&c.instrument).map_or("?", |i| i.name.as_str());
        if c.name.is_empty() { format!("{inst} · clip {}", c.id) } else { format!("{inst} · {}", c.name) }
    }
}
