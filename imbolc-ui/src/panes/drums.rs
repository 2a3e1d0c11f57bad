//! The drum pane: the selected kit's first pattern as a grid of pads (rows)
//! by steps (columns), with a cursor. Toggling a step on a kit with no
//! pattern creates one (16 steps of 1/16, like the piano roll's first
//! note creates a clip). Velocity of the step under the cursor, the
//! pattern's length, resolution and swing are edited from here, and the
//! cursor's pad can get a sample file (checked first: a missing or unfit
//! file is an error in the status line) or the next built-in voice, a
//! sample pad opens in the slicer, and a sample pad becomes a tempo-synced
//! loop (`y`, its length in beats estimated; `b`/`B` halve and double it),
//! shown after its name in the pad list.

use std::cell::Cell;

use imbolc_types::drums::{LOOP_BEATS_RANGE, MAX_STEPS, MAX_SWING, PAD_COUNT, estimate_loop_beats};
use imbolc_types::{Action, Clip, DrumPad, DrumPattern, DrumStep, DrumVoice, PadSound, StepResolution};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use imbolc_audio::scheduler::PlayMode;

use super::{Intent, State, cursor_style, follow};
use crate::commands::CommandId;

/// Characters per step.
const CELL: u16 = 2;
/// Width of the pad names on the left.
const LABEL: u16 = 13;
/// Velocity change per key press.
const VELOCITY_STEP: u8 = 10;
/// Probability change per key press, in percent.
const PROBABILITY_STEP: u8 = 10;
/// Swing change per key press (a fraction of a step).
const SWING_STEP: f32 = 0.05;

/// The drum pane's view state: the cursor, and the first visible step
/// (only rendering knows the width; it moves only to follow the cursor).
#[derive(Debug, Default)]
pub struct DrumsPane {
    pad: u8,
    step: u8,
    first_step: Cell<u8>,
}

/// The pattern the pane edits: the selected kit's first pattern clip.
pub fn pattern_of<'a>(state: &State<'a>) -> Option<(&'a Clip, &'a DrumPattern)> {
    let id = state.selected?;
    let picked = state.picked_clip(|c| c.drums.is_some());
    picked
        .into_iter()
        .chain(state.project.clips.values().filter(|c| c.instrument == id))
        .find_map(|c| Some((c, c.drums.as_ref()?)))
}

/// The next resolution, cycling 1/4 → 1/8 → 1/16 → 1/32 → 1/4.
fn next_resolution(r: StepResolution) -> StepResolution {
    let i = StepResolution::ALL.iter().position(|x| *x == r).unwrap_or(0);
    StepResolution::ALL[(i + 1) % StepResolution::ALL.len()]
}

/// How a pad's name shows its loop length: ` 8b`, ` 0.5b`.
fn beats_label(beats: f32) -> String {
    format!(" {}b", (beats * 100.0).round() / 100.0)
}

/// The pad after `y` (loop on with estimated beats, or off), `b` (half
/// the beats) or `B` (twice), or why nothing changes.
fn loop_edit(cmd: CommandId, pad: &DrumPad, bpm: f32) -> Result<DrumPad, String> {
    if matches!(pad.sound, PadSound::Voice(_)) {
        return Err(format!("{} is a built-in voice: give the pad a sample (s) to loop it", pad.name));
    }
    let (lo, hi) = LOOP_BEATS_RANGE;
    let beats = match (cmd, pad.loop_beats) {
        (CommandId::PadLoop, Some(_)) => None,
        (CommandId::PadLoop, None) => {
            let Some(secs) = pad.seconds() else {
                return Err(format!("{}: the sample's file is missing, so its length is unknown", pad.name));
            };
            let name = pad.stored().map_or(pad.name.as_str(), |s| s.name.as_str());
            Some(estimate_loop_beats(secs, bpm, name))
        }
        (_, None) => return Err(format!("{} is not a loop: y makes it one", pad.name)),
        (CommandId::PadLoopHalve, Some(b)) if b / 2.0 < lo => {
            return Err(format!("{} is already as short as a loop gets ({lo} beat)", pad.name));
        }
        (CommandId::PadLoopDouble, Some(b)) if b * 2.0 > hi => {
            return Err(format!("{} is already as long as a loop gets ({hi} beats)", pad.name));
        }
        (CommandId::PadLoopHalve, Some(b)) => Some(b / 2.0),
        (_, Some(b)) => Some(b * 2.0),
    };
    Ok(DrumPad { loop_beats: beats, ..pad.clone() })
}

impl DrumsPane {
    pub fn handle(&mut self, cmd: CommandId, state: &State) -> Option<Intent> {
        // Before anything else: an empty project starts here.
        if cmd == CommandId::AddDrumKit {
            return Some(Intent::AddDrumKit);
        }
        let Some(inst) = state.selected_instrument() else {
            return Some(Intent::Message("No instrument selected: press a to add a drum kit".to_owned()));
        };
        if inst.def.drums.is_none() {
            return Some(Intent::Message(format!("{} is not a drum kit: press a to add one", inst.name)));
        }
        let pattern = pattern_of(state);
        let steps = pattern.map_or(16, |(_, p)| p.steps);
        let key = (self.step, self.pad);
        match cmd {
            CommandId::Up => self.pad = self.pad.saturating_sub(1),
            CommandId::Down => self.pad = (self.pad + 1).min(PAD_COUNT as u8 - 1),
            CommandId::Left => self.step = self.step.saturating_sub(1),
            CommandId::Right => self.step = (self.step + 1).min(steps.saturating_sub(1)),
            CommandId::PadSample => return Some(Intent::ChoosePadSample { instrument: inst.id, pad: self.pad }),
            CommandId::PadSlice => return Some(Intent::OpenSlicer { instrument: inst.id, pad: self.pad }),
            CommandId::PadVoice => {
                let current = inst.def.drums.as_ref()?.pads.get(usize::from(self.pad))?;
                let next = match &current.sound {
                    PadSound::Voice(v) => {
                        let i = DrumVoice::ALL.iter().position(|x| x == v).unwrap_or(0);
                        DrumVoice::ALL[(i + 1) % DrumVoice::ALL.len()]
                    }
                    PadSound::Sample { .. } | PadSound::Stored(_) => DrumVoice::Kick,
                };
                let kit = inst.def.drums.as_ref()?;
                // Named after the voice, numbered when another pad has that name.
                let taken =
                    |n: &str| kit.pads.iter().enumerate().any(|(i, p)| i != usize::from(self.pad) && p.name == n);
                let base = next.name();
                let name = (1..)
                    .map(|k| if k == 1 { base.to_owned() } else { format!("{base} {k}") })
                    .find(|n| !taken(n))
                    .unwrap_or_else(|| base.to_owned());
                let def = DrumPad { level: current.level, pitch: current.pitch, name, ..DrumPad::voice(next) };
                return Some(Intent::Dispatch(Action::SetDrumPad { instrument: inst.id, pad: self.pad, def }));
            }
            CommandId::PadLoop | CommandId::PadLoopHalve | CommandId::PadLoopDouble => {
                let current = inst.def.drums.as_ref()?.pads.get(usize::from(self.pad))?;
                return Some(match loop_edit(cmd, current, state.project.tempo) {
                    Ok(def) => Intent::Dispatch(Action::SetDrumPad { instrument: inst.id, pad: self.pad, def }),
                    Err(why) => Intent::Message(why),
                });
            }
            CommandId::ToggleStep => {
                return Some(match pattern {
                    Some((clip, _)) => Intent::Dispatch(Action::ToggleDrumStep { clip: clip.id, key }),
                    None => Intent::AddDrumStep { instrument: inst.id, key },
                });
            }
            CommandId::StepVelocityUp
            | CommandId::StepVelocityDown
            | CommandId::StepProbabilityUp
            | CommandId::StepProbabilityDown => {
                let (clip, p) = pattern?;
                let Some(s) = p.hits.get(&key) else {
                    return Some(Intent::Message("No step here: Enter sets one".to_owned()));
                };
                let step = match cmd {
                    CommandId::StepVelocityUp => {
                        DrumStep { velocity: s.velocity.saturating_add(VELOCITY_STEP).min(127), ..*s }
                    }
                    CommandId::StepVelocityDown => {
                        DrumStep { velocity: s.velocity.saturating_sub(VELOCITY_STEP).max(1), ..*s }
                    }
                    CommandId::StepProbabilityUp => {
                        DrumStep { probability: s.probability.saturating_add(PROBABILITY_STEP).min(100), ..*s }
                    }
                    _ => DrumStep { probability: s.probability.saturating_sub(PROBABILITY_STEP), ..*s },
                };
                return Some(Intent::Dispatch(Action::SetDrumSteps { clip: clip.id, steps: vec![(key, Some(step))] }));
            }
            CommandId::PatternLonger | CommandId::PatternShorter => {
                let (clip, p) = pattern?;
                let steps = if cmd == CommandId::PatternLonger {
                    (p.steps + 1).min(MAX_STEPS)
                } else {
                    p.steps.saturating_sub(1).max(1)
                };
                self.step = self.step.min(steps - 1);
                let (resolution, swing) = (p.resolution, p.swing);
                return Some(Intent::Dispatch(Action::SetDrumPattern { clip: clip.id, steps, resolution, swing }));
            }
            CommandId::PatternResolution => {
                let (clip, p) = pattern?;
                let resolution = next_resolution(p.resolution);
                return Some(Intent::Dispatch(Action::SetDrumPattern {
                    clip: clip.id,
                    steps: p.steps,
                    resolution,
                    swing: p.swing,
                }));
            }
            CommandId::SwingUp | CommandId::SwingDown => {
                let (clip, p) = pattern?;
                let delta = if cmd == CommandId::SwingUp { SWING_STEP } else { -SWING_STEP };
                // Rounded to whole percents so repeated presses land on 0 and 75 %.
                let swing = ((p.swing + delta).clamp(0.0, MAX_SWING) * 100.0).round() / 100.0;
                return Some(Intent::Dispatch(Action::SetDrumPattern {
                    clip: clip.id,
                    steps: p.steps,
                    resolution: p.resolution,
                    swing,
                }));
            }
            _ => {}
        }
        None
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, state: &State) {
        let inst = state.selected_instrument();
        let kit = inst.and_then(|i| i.def.drums.as_ref());
        let pattern = pattern_of(state);
        let title = match (inst, kit, pattern) {
            (Some(i), Some(_), Some((c, p))) => format!(
                " Drums · {} · {} · {} steps of {} · swing {:.0}% ",
                i.name,
                c.name,
                p.steps,
                p.resolution.name(),
                p.swing * 100.0
            ),
            (Some(i), Some(_), None) => format!(" Drums · {} · no pattern yet (Enter sets a step) ", i.name),
            _ => " Drums ".to_owned(),
        };
        let block = Block::bordered().title(title);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let Some(kit) = kit else {
            let text = match inst {
                Some(i) => format!("{} is not a drum kit. Press a to add a drum kit.", i.name),
                None => "No instrument selected. Press a to add a drum kit.".to_owned(),
            };
            frame.render_widget(Paragraph::new(text), inner);
            return;
        };
        let steps = pattern.map_or(16, |(_, p)| p.steps);
        let cols = usize::from(inner.width.saturating_sub(LABEL) / CELL);
        let first = follow(usize::from(self.first_step.get()), usize::from(self.step), cols);
        let first = u8::try_from(first).unwrap_or(0);
        self.first_step.set(first);
        let last = (usize::from(first) + cols).min(usize::from(steps));
        let last = u8::try_from(last).unwrap_or(steps);

        let mut lines = Vec::with_capacity(PAD_COUNT + 3);
        let playhead = pattern.and_then(|(c, p)| playhead_step(state, c, p));
        let mut header = vec![Span::raw(" ".repeat(usize::from(LABEL)))];
        for s in first..last {
            header.push(match s {
                _ if playhead == Some(s) => Span::styled("▼ ", Style::default().fg(crate::theme::current().warn)),
                _ if s % 4 == 0 => {
                    Span::styled(format!("{:<2}", s + 1), Style::default().fg(crate::theme::current().dim))
                }
                _ => Span::raw("  "),
            });
        }
        lines.push(Line::from(header));
        let rows = usize::from(inner.height.saturating_sub(2));
        for (i, pad) in kit.pads.iter().enumerate().take(rows) {
            let pad_index = u8::try_from(i).unwrap_or(u8::MAX);
            // A loop shows its beats after the name (` 8b`).
            let beats = pad.loop_beats.map(beats_label).unwrap_or_default();
            let room = usize::from(LABEL).saturating_sub(2 + beats.chars().count());
            let mut name: String = pad.name.chars().take(room).collect();
            // `~` a stored sample; `!` a path an old project named that
            // was not found when it was opened (silent until replaced).
            if pad.stored().is_some() {
                name.push('~');
            } else if pad.sample().is_some() {
                name.push('!');
            }
            name.push_str(&beats);
            let mut spans = vec![Span::raw(format!("{name:<w$}", w = usize::from(LABEL)))];
            for s in first..last {
                let hit = pattern.and_then(|(_, p)| p.hits.get(&(s, pad_index)));
                let text = match hit {
                    Some(h) if h.velocity >= 96 => "█ ",
                    Some(h) if h.velocity >= 64 => "▓ ",
                    Some(_) => "▒ ",
                    None if s % 4 == 0 => "│ ",
                    None => "· ",
                };
                let mut style = match hit {
                    Some(h) if h.probability < 100 => Style::default().fg(crate::theme::current().warn),
                    Some(_) => Style::default().fg(crate::theme::current().accent),
                    None => Style::default().fg(crate::theme::current().dim),
                };
                if pad_index == self.pad && s == self.step {
                    style = cursor_style();
                }
                spans.push(Span::styled(text, style));
            }
            lines.push(Line::from(spans));
        }
        let cursor_pad = kit.pads.get(usize::from(self.pad));
        let pad_name = match cursor_pad {
            Some(p) => match p.loop_beats {
                Some(b) => {
                    format!("{} (loop of {} beats at {} BPM)", p.name, (b * 100.0).round() / 100.0, state.project.tempo)
                }
                None => p.name.clone(),
            },
            None => String::new(),
        };
        let info = match pattern.and_then(|(_, p)| p.hits.get(&(self.step, self.pad))) {
            Some(h) => format!(
                "{pad_name} · step {} · velocity {} · probability {}% · pitch {:+}",
                self.step + 1,
                h.velocity,
                h.probability,
                h.pitch
            ),
            None => format!("{pad_name} · step {} · off", self.step + 1),
        };
        lines.push(Line::styled(info, Style::default().fg(crate::theme::current().muted)));
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

/// The step the transport is playing in `clip`'s pattern: in pattern mode
/// when it is that clip, in song mode inside one of its placements.
fn playhead_step(state: &State, clip: &Clip, pattern: &DrumPattern) -> Option<u8> {
    let transport = &state.feedback.transport;
    if !transport.playing {
        return None;
    }
    let length = clip.length.max(1);
    let into = match state.transport.mode {
        PlayMode::Pattern(c) if c == clip.id => transport.tick % length,
        PlayMode::Pattern(_) => return None,
        PlayMode::Song => {
            let p = state
                .project
                .placements
                .values()
                .find(|p| p.clip == clip.id && p.start <= transport.tick && transport.tick < p.start + p.length)?;
            (transport.tick - p.start) % length
        }
    };
    u8::try_from(into / pattern.resolution.ticks().max(1)).ok()
}
