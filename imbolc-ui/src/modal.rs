//! Modal dialogs drawn over the panes: a picker (source, drum kit or
//! effect; see [`crate::picker`]), the sample browser
//! ([`crate::browser`]), a
//! one-line text input (rename, a pad's sample file), the command palette
//! and the quit prompt.
//! While one is open it gets every key, so typing a name never runs a
//! command.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::PathBuf;

use imbolc_types::{InstrumentId, ParamTarget};
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::browser::{BrowseFor, BrowserKey};
use crate::commands::CommandId;
use crate::keys::Keymap;
use crate::palette;
use crate::panes::cursor_style;
use crate::picker::PickerKey;
pub use crate::picker::{Choice, Pick, Picker};

/// An open dialog.
#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    /// A source (or drum kit) or an effect to add.
    Picker(Picker),
    Rename {
        target: RenameTarget,
        text: String,
    },
    /// The status-line messages so far, newest last.
    Messages {
        lines: Vec<crate::status::Message>,
    },
    /// A time signature, typed as `3/4`.
    TimeSignature {
        text: String,
    },
    Palette {
        query: String,
        cursor: usize,
    },
    ConfirmQuit,
    /// The file has a newer autosave copy: restore it or keep the save.
    Recovery,
    /// The sample browser, for a drum pad.
    Browser(crate::browser::Browser),
    /// A sample file path for a drum pad.
    PadSample {
        instrument: InstrumentId,
        pad: u8,
        text: String,
    },
    /// An impulse response file for a convolution effect.
    EffectIr {
        owner: imbolc_types::ChainOwner,
        effect: imbolc_types::EffectId,
        text: String,
    },
    /// A file path, typed with `Tab` completion.
    Path {
        purpose: PathPurpose,
        text: String,
    },
    /// Opening a file would drop unsaved changes.
    ConfirmOpen(PathBuf),
    /// Which parameter a new automation lane targets; typing filters the
    /// list by name (`cutoff`), as in the other pickers.
    LanePicker {
        items: Vec<(String, ParamTarget)>,
        cursor: usize,
        query: String,
    },
    /// A tempo, typed in bpm.
    Tempo {
        text: String,
    },
    /// The project's artist (empty: none).
    Artist {
        text: String,
    },
    /// Key, scale and tuning words (see [`crate::pitch_text`]) for the
    /// project (`None`) or an instrument; `current` is shown above.
    Pitch {
        instrument: Option<InstrumentId>,
        current: String,
        text: String,
    },
    /// Arpeggiator, groove or chord words for an instrument (see
    /// [`crate::transform_text`]).
    Transforms {
        instrument: InstrumentId,
        prompt: crate::transform_text::Prompt,
        current: String,
        text: String,
    },
}

/// What a rename names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenameTarget {
    Instrument(InstrumentId),
    Clip(imbolc_types::ClipId),
    Bus(imbolc_types::BusId),
    Project,
}

/// What a typed path is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathPurpose {
    SaveAs,
    Open,
    /// A Standard MIDI File added to the open project.
    ImportMidi,
    /// The folder performance takes go to (`take-folder`).
    TakeFolder,
}

impl PathPurpose {
    /// The file extensions `Tab` offers (none: folders only).
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            PathPurpose::SaveAs | PathPurpose::Open => &[crate::complete::EXTENSION],
            PathPurpose::ImportMidi => &["mid", "midi", "smf"],
            PathPurpose::TakeFolder => &[],
        }
    }
}

/// What a key did to the dialog.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Still open.
    Open,
    /// Closed without a result.
    Cancel,
    Picked(Choice),
    Renamed(RenameTarget, String),
    TimeSignature(String),
    Run(CommandId),
    SaveAndQuit,
    QuitWithoutSaving,
    RestoreRecovery,
    /// A path typed or browsed for a drum pad (checked before use).
    PadSample(InstrumentId, u8, String),
    /// Preview this file; the dialog stays open.
    Preview(PathBuf),
    /// Type a path for this pad instead of browsing.
    TypePadPath(InstrumentId, u8),
    /// A file browsed for a new sampler instrument.
    NewSampler(PathBuf),
    /// A file browsed for a new zone of this sampler.
    SamplerZone(InstrumentId, PathBuf),
    /// An `.sfz` file browsed for import.
    ImportSfz(PathBuf),
    /// An audio file browsed for an audio track, to place at song tick `at`.
    AudioClip {
        instrument: InstrumentId,
        at: imbolc_types::Tick,
        path: PathBuf,
    },
    /// A path typed for a convolution effect's IR (checked before use).
    EffectIr(imbolc_types::ChainOwner, imbolc_types::EffectId, String),
    Path(PathPurpose, String),
    OpenAnyway(PathBuf),
    Lane(ParamTarget),
    Tempo(String),
    Artist(String),
    /// Key/tuning words for the project (`None`) or an instrument.
    Pitch(Option<InstrumentId>, String),
    /// Arpeggiator, groove or chord words for an instrument.
    Transforms(InstrumentId, crate::transform_text::Prompt, String),
}

impl Modal {
    /// Handles one key.
    pub fn key(&mut self, key: KeyEvent) -> Outcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let filtering = matches!(self, Modal::Browser(b) if b.filtering);
        if (key.code == KeyCode::Esc && !filtering) || (ctrl && key.code == KeyCode::Char('c')) {
            return Outcome::Cancel;
        }
        match self {
            Modal::Picker(picker) => match picker.key(key) {
                PickerKey::Open => Outcome::Open,
                PickerKey::Picked(choice) => Outcome::Picked(choice),
                PickerKey::Nothing => Outcome::Cancel,
            },
            Modal::Browser(b) => match b.key(key) {
                BrowserKey::Open => Outcome::Open,
                BrowserKey::Cancel => Outcome::Cancel,
                BrowserKey::Preview(path) => Outcome::Preview(path),
                BrowserKey::Import(path) => match b.target {
                    BrowseFor::Pad => Outcome::PadSample(b.instrument, b.pad, path.display().to_string()),
                    BrowseFor::NewSampler => Outcome::NewSampler(path),
                    BrowseFor::Zone(id) => Outcome::SamplerZone(id, path),
                    BrowseFor::Sfz => Outcome::ImportSfz(path),
                    BrowseFor::AudioClip { instrument, at } => Outcome::AudioClip { instrument, at, path },
                },
                BrowserKey::NewSampler(path) => Outcome::NewSampler(path),
                BrowserKey::TypePath if b.target == BrowseFor::Pad => Outcome::TypePadPath(b.instrument, b.pad),
                BrowserKey::TypePath => Outcome::Open,
            },
            Modal::Rename { target, text } => {
                let target = *target;
                type_text(text, key.code, ctrl, |_| true, |t| Outcome::Renamed(target, t))
            }
            Modal::Palette { query, cursor } => {
                match key.code {
                    KeyCode::Enter => {
                        return palette::matches(query).get(*cursor).map_or(Outcome::Cancel, |c| Outcome::Run(c.id));
                    }
                    KeyCode::Down | KeyCode::Tab => *cursor += 1,
                    KeyCode::Up | KeyCode::BackTab => *cursor = cursor.saturating_sub(1),
                    KeyCode::Char('n') if ctrl => *cursor += 1,
                    KeyCode::Char('p') if ctrl => *cursor = cursor.saturating_sub(1),
                    KeyCode::Backspace => {
                        query.pop();
                        *cursor = 0;
                    }
                    KeyCode::Char(c) if !ctrl => {
                        query.push(c);
                        *cursor = 0;
                    }
                    _ => {}
                }
                *cursor = (*cursor).min(palette::matches(query).len().saturating_sub(1));
                Outcome::Open
            }
            Modal::Messages { .. } => Outcome::Cancel,
            Modal::Recovery => match key.code {
                KeyCode::Char('r') => Outcome::RestoreRecovery,
                KeyCode::Char('k') | KeyCode::Enter => Outcome::Cancel,
                _ => Outcome::Open,
            },
            Modal::ConfirmQuit => match key.code {
                KeyCode::Char('y' | 's') => Outcome::SaveAndQuit,
                KeyCode::Char('n' | 'd') => Outcome::QuitWithoutSaving,
                _ => Outcome::Open,
            },
            Modal::Path { purpose, text } => match key.code {
                // An empty take folder goes back to the default.
                KeyCode::Enter if !text.trim().is_empty() || *purpose == PathPurpose::TakeFolder => {
                    Outcome::Path(*purpose, text.trim().to_owned())
                }
                KeyCode::Tab => {
                    *text = crate::complete::complete_with(text, purpose.extensions());
                    Outcome::Open
                }
                _ => edit_path(text, key.code, ctrl),
            },
            Modal::PadSample { instrument, pad, text } => match key.code {
                KeyCode::Enter if !text.trim().is_empty() => {
                    Outcome::PadSample(*instrument, *pad, text.trim().to_owned())
                }
                _ => edit_path(text, key.code, ctrl),
            },
            Modal::EffectIr { owner, effect, text } => match key.code {
                KeyCode::Enter if !text.trim().is_empty() => Outcome::EffectIr(*owner, *effect, text.trim().to_owned()),
                _ => edit_path(text, key.code, ctrl),
            },
            Modal::ConfirmOpen(path) => match key.code {
                KeyCode::Char('o' | 'y') => Outcome::OpenAnyway(path.clone()),
                _ => Outcome::Open,
            },
            Modal::Artist { text } => match key.code {
                // An empty artist clears the tag.
                KeyCode::Enter => Outcome::Artist(text.trim().to_owned()),
                code => type_text(text, code, ctrl, |_| true, |_| Outcome::Open),
            },
            Modal::Tempo { text } => {
                type_text(text, key.code, ctrl, |c| c.is_ascii_digit() || c == '.', Outcome::Tempo)
            }
            Modal::Pitch { instrument, text, .. } => {
                let instrument = *instrument;
                type_text(text, key.code, ctrl, |_| true, |t| Outcome::Pitch(instrument, t))
            }
            Modal::Transforms { instrument, prompt, text, .. } => {
                let (instrument, prompt) = (*instrument, *prompt);
                type_text(text, key.code, ctrl, |_| true, |t| Outcome::Transforms(instrument, prompt, t))
            }
            Modal::TimeSignature { text } => {
                type_text(text, key.code, ctrl, |c| c.is_ascii_digit() || c == '/', Outcome::TimeSignature)
            }
            Modal::LanePicker { items, cursor, query } => {
                let shown = lanes_matching(items, query);
                match key.code {
                    KeyCode::Down | KeyCode::Tab => *cursor = (*cursor + 1).min(shown.len().saturating_sub(1)),
                    KeyCode::Char('n') if ctrl => *cursor = (*cursor + 1).min(shown.len().saturating_sub(1)),
                    KeyCode::Up | KeyCode::BackTab => *cursor = cursor.saturating_sub(1),
                    KeyCode::Char('p') if ctrl => *cursor = cursor.saturating_sub(1),
                    KeyCode::Enter => {
                        return shown.get(*cursor).map_or(Outcome::Cancel, |(_, t)| Outcome::Lane((*t).clone()));
                    }
                    KeyCode::Backspace => {
                        query.pop();
                        *cursor = 0;
                    }
                    KeyCode::Char(c) if !ctrl => {
                        query.push(c);
                        *cursor = 0;
                    }
                    _ => {}
                }
                Outcome::Open
            }
        }
    }

    pub fn render(&self, frame: &mut Frame, keymap: &Keymap) {
        let area = frame.area();
        match self {
            Modal::Picker(picker) => {
                let title = match picker.pick {
                    Pick::Source => " Add instrument ",
                    Pick::Effect(_) => " Add effect ",
                };
                let height = area.height.saturating_sub(4).clamp(8, 30);
                let rect = centered(area, 76, height);
                frame.render_widget(Clear, rect);
                let lines = picker.lines(usize::from(height.saturating_sub(2)));
                frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(title)), rect);
            }
            Modal::Browser(b) => {
                let height = area.height.saturating_sub(4).clamp(8, 30);
                let rect = centered(area, 76, height);
                frame.render_widget(Clear, rect);
                let lines = b.lines(usize::from(height.saturating_sub(2)));
                let title = match b.target {
                    BrowseFor::Pad => format!(" Sample for pad {} ", b.pad + 1),
                    BrowseFor::NewSampler => " Sample for a new sampler ".to_owned(),
                    BrowseFor::Zone(_) => " Sample for a new zone ".to_owned(),
                    BrowseFor::Sfz => " SFZ instrument to import ".to_owned(),
                    BrowseFor::AudioClip { .. } => " Audio file for the track ".to_owned(),
                };
                frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(title)), rect);
            }
            Modal::Rename { text, target } => {
                let title = match target {
                    RenameTarget::Instrument(_) => " Rename instrument ",
                    RenameTarget::Clip(_) => " Rename clip ",
                    RenameTarget::Bus(_) => " Rename bus ",
                    RenameTarget::Project => " Rename project ",
                };
                let rect = centered(area, 50, 4);
                frame.render_widget(Clear, rect);
                let lines = vec![Line::raw(format!(" {text}▏")), Line::raw(" Enter renames · Esc cancels")];
                frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(title)), rect);
            }
            Modal::Palette { query, cursor } => {
                let found = palette::matches(query);
                let h = area.height.saturating_sub(4).clamp(7, 22);
                let w = area.width.saturating_sub(4).clamp(40, 116);
                let rect = centered(area, w, h);
                frame.render_widget(Clear, rect);
                // The query, the list, a rule and the chosen command's help in full.
                let visible = usize::from(h.saturating_sub(6));
                let first = crate::panes::follow(0, *cursor, visible);
                let mut lines = vec![Line::raw(format!(" :{query}▏"))];
                lines.extend(found.iter().enumerate().skip(first).take(visible).map(|(i, c)| {
                    let line = Line::raw(format!(" {:<22} {:<10} {}", c.name, keymap.describe(c.id), c.help));
                    if i == *cursor { line.style(cursor_style()) } else { line }
                }));
                lines.resize(visible + 1, Line::raw(""));
                let rule = format!(" {}", "─".repeat(usize::from(w.saturating_sub(4))));
                lines.push(Line::styled(rule, Style::default().fg(crate::theme::current().dim)));
                if let Some(c) = found.get(*cursor) {
                    let room = usize::from(w.saturating_sub(4)).max(10);
                    lines.extend(wrap(c.help, room).into_iter().take(2).map(|l| Line::raw(format!(" {l}"))));
                }
                let title = format!(" Commands ({}) · Enter runs · Esc closes ", found.len());
                frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(title)), rect);
            }
            Modal::Messages { lines } => {
                let w = area.width.saturating_sub(4).clamp(30, 116);
                let h = area.height.saturating_sub(4).clamp(5, 30);
                let rect = centered(area, w, h);
                frame.render_widget(Clear, rect);
                let room = usize::from(w.saturating_sub(4)).max(10);
                let mut text: Vec<Line> = lines
                    .iter()
                    .flat_map(|m| {
                        let style = crate::theme::current().error_if(m.is_error());
                        wrap(&m.text, room).into_iter().map(move |l| Line::styled(format!(" {l}"), style))
                    })
                    .collect();
                if text.is_empty() {
                    text.push(Line::raw(" No messages yet."));
                }
                // The newest at the bottom, in view.
                let skip = text.len().saturating_sub(usize::from(h.saturating_sub(2)));
                let title = " Messages (newest last) · any key closes ";
                frame.render_widget(Paragraph::new(text.split_off(skip)).block(Block::bordered().title(title)), rect);
            }
            Modal::Recovery => {
                let rect = centered(area, 60, 5);
                frame.render_widget(Clear, rect);
                let lines = vec![
                    Line::raw(" This file has an autosave copy newer than its last save"),
                    Line::raw(" (imbolc did not quit cleanly)."),
                    Line::raw(" r: restore the autosave · k or Esc: keep the saved one"),
                ];
                frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(" Recover? ")), rect);
            }
            Modal::PadSample { pad, text, .. } => {
                let rect = centered(area, 70, 4);
                frame.render_widget(Clear, rect);
                let lines = vec![
                    Line::raw(format!(" {text}▏")),
                    Line::raw(" WAV, AIFF, FLAC or Ogg, mono or stereo · Tab completes · Enter loads · Esc cancels"),
                ];
                let title = format!(" Sample file for pad {} ", pad + 1);
                frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(title)), rect);
            }
            Modal::EffectIr { text, .. } => {
                let rect = centered(area, 70, 4);
                frame.render_widget(Clear, rect);
                let lines = vec![
                    Line::raw(format!(" {text}▏")),
                    Line::raw(
                        " WAV, AIFF, FLAC or Ogg, first channel used · Tab completes · Enter loads · Esc cancels",
                    ),
                ];
                let title = " Impulse response file ";
                frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(title)), rect);
            }
            Modal::Path { purpose, text } => {
                let rect = centered(area, 70, 5);
                frame.render_widget(Clear, rect);
                let title = match purpose {
                    PathPurpose::SaveAs => " Save as ",
                    PathPurpose::Open => " Open ",
                    PathPurpose::ImportMidi => " Import MIDI file (one undo step) ",
                    PathPurpose::TakeFolder => " Take folder (empty: takes/ beside the project) ",
                };
                let found = crate::complete::candidates_with(text, purpose.extensions()).len();
                let lines = vec![
                    Line::raw(format!(" {text}▏")),
                    Line::raw(match purpose.extensions().first() {
                        Some(ext) => format!(" {found} matching *.{ext} files and folders"),
                        None => format!(" {found} matching folders"),
                    }),
                    Line::raw(" Tab completes · Enter confirms · Esc cancels"),
                ];
                frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(title)), rect);
            }
            Modal::ConfirmOpen(path) => {
                let rect = centered(area, 60, 5);
                frame.render_widget(Clear, rect);
                let lines = vec![
                    Line::raw(" There are unsaved changes."),
                    Line::raw(format!(" o: open {} anyway", path.display())),
                    Line::raw(" Esc: go back (Ctrl-s saves first)"),
                ];
                frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(" Open? ")), rect);
            }
            Modal::LanePicker { items, cursor, query } => {
                let items = lanes_matching(items, query);
                let h = u16::try_from(items.len().max(1)).unwrap_or(20).min(area.height.saturating_sub(7)) + 4;
                let rect = centered(area, 58, h);
                frame.render_widget(Clear, rect);
                let visible = usize::from(h.saturating_sub(4));
                let first = crate::panes::follow(0, *cursor, visible);
                let mut lines = vec![Line::raw(format!(" filter: {query}▏"))];
                lines.extend(items.iter().enumerate().skip(first).take(visible).map(|(i, (name, _))| {
                    let line = Line::raw(format!(" {name}"));
                    if i == *cursor { line.style(cursor_style()) } else { line }
                }));
                if items.is_empty() {
                    lines.push(Line::raw(" no parameter matches"));
                }
                lines.push(Line::raw(" type to filter · ↑/↓ move · Enter picks · Esc cancels"));
                frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(" Automate ")), rect);
            }
            Modal::TimeSignature { text } => {
                let rect = centered(area, 44, 4);
                frame.render_widget(Clear, rect);
                let lines =
                    vec![Line::raw(format!(" {text}▏ (e.g. 3/4, 6/8)")), Line::raw(" Enter sets · Esc cancels")];
                frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(" Time signature ")), rect);
            }
            Modal::Artist { text } => {
                let rect = centered(area, 50, 4);
                frame.render_widget(Clear, rect);
                let lines = vec![Line::raw(format!(" {text}▏")), Line::raw(" Enter sets · Esc cancels")];
                frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(" Artist ")), rect);
            }
            Modal::Pitch { instrument, current, text } => {
                let rect = centered(area, 72, 5);
                frame.render_widget(Clear, rect);
                let title = if instrument.is_some() { " Instrument key & tuning " } else { " Key & tuning " };
                let lines = vec![
                    Line::raw(format!(" now: {current}")),
                    Line::raw(format!(" {text}▏")),
                    Line::raw(" e.g. D dorian 5-limit · a4=432 · lock · FILE.scl FILE.kbm · Enter sets"),
                ];
                frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(title)), rect);
            }
            Modal::Transforms { prompt, current, text, .. } => {
                let rect = centered(area, 86, 5);
                frame.render_widget(Clear, rect);
                let lines = vec![
                    Line::raw(format!(" now: {current}")),
                    Line::raw(format!(" {text}▏")),
                    Line::raw(prompt.hint()),
                ];
                frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(prompt.title())), rect);
            }
            Modal::Tempo { text } => {
                let rect = centered(area, 40, 4);
                frame.render_widget(Clear, rect);
                let lines = vec![Line::raw(format!(" {text}▏ bpm")), Line::raw(" Enter sets · Esc cancels")];
                frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(" Tempo ")), rect);
            }
            Modal::ConfirmQuit => {
                let rect = centered(area, 52, 4);
                frame.render_widget(Clear, rect);
                let lines = vec![
                    Line::raw(" There are unsaved changes."),
                    Line::raw(" y: save and quit · n: quit without saving · Esc"),
                ];
                frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(" Quit? ")), rect);
            }
        }
    }
}

/// A `width`×`height` rectangle in the middle of `area` (smaller if it
/// does not fit).
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))]).flex(Flex::Center).areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(width.min(area.width))]).flex(Flex::Center).areas(row);
    rect
}

/// A key typed into a path field: Tab completes from the file system,
/// Backspace deletes, a printable key appends; the dialog stays open.
fn edit_path(text: &mut String, code: KeyCode, ctrl: bool) -> Outcome {
    match code {
        KeyCode::Tab => *text = crate::complete::complete(text),
        KeyCode::Backspace => _ = text.pop(),
        KeyCode::Char(c) if !ctrl => text.push(c),
        _ => {}
    }
    Outcome::Open
}

/// `text` broken into lines of at most `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines
}

/// A key in a one-line text prompt: `Enter` gives the trimmed text to
/// `done` (not when empty), `Backspace` deletes, characters `allowed` are
/// typed.
fn type_text(
    text: &mut String,
    code: KeyCode,
    ctrl: bool,
    allowed: impl Fn(char) -> bool,
    done: impl FnOnce(String) -> Outcome,
) -> Outcome {
    match code {
        KeyCode::Enter if !text.trim().is_empty() => done(text.trim().to_owned()),
        KeyCode::Backspace => {
            text.pop();
            Outcome::Open
        }
        KeyCode::Char(c) if !ctrl && allowed(c) => {
            text.push(c);
            Outcome::Open
        }
        _ => Outcome::Open,
    }
}

/// The lanes whose name holds every word of `query` (any case).
fn lanes_matching<'a>(items: &'a [(String, ParamTarget)], query: &str) -> Vec<(&'a str, &'a ParamTarget)> {
    let query = query.to_lowercase();
    items
        .iter()
        .filter(|(name, _)| query.split_whitespace().all(|w| name.to_lowercase().contains(w)))
        .map(|(name, target)| (name.as_str(), target))
        .collect()
}
