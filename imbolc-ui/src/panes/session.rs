//! The session pane: the clip launcher as a grid, one column per
//! instrument and one row per scene, each slot holding one of that
//! instrument's clips. `h`/`j`/`k`/`l` move, `a` puts the instrument's next
//! clip into the slot, `d` empties it, `Enter` launches the slot (an empty
//! one stops its column), `e` launches the row's scene, `s` stops the
//! column, `X` stops every column, `b` hands the column back to the
//! arrangement and `B` every column, `Q` changes the launch quantization
//! and `w` the slot's clip's own,
//! `f`/`F`/`>`/`<`/`+`/`-` edit the slot's clip's follow action, `r`
//! reseeds the follow actions' choices, `c` captures the performance into
//! the arrangement, `]`/`[` nudge the music ahead or back, `t` taps the
//! tempo (from the next bar line), `Esc`
//! goes back to the arrangement.
//!
//! Slots and quantization are project edits (undoable actions); launches
//! are runtime requests to the audio thread ([`Intent::Launch`]), whose
//! state comes back in `EngineFeedback::launcher`: a queued slot blinks
//! with the playhead (on eighth notes, so snapshots are repeatable), a
//! playing one shows its position in the clip as bar.beat.

use imbolc_audio::scheduler::{ColumnFeedback, Launch};
use imbolc_types::{Action, ClipId, FollowAction, Instrument, InstrumentId, LaunchTarget, Launcher, TICKS_PER_QUARTER};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{Intent, State, cursor_style, follow};
use crate::commands::{CommandId, PaneKind};

/// Cursor and scroll of the pane, and the last launch group handed out.
#[derive(Debug, Default)]
pub struct SessionPane {
    pub column: usize,
    pub scene: u16,
    group: u32,
}

/// What a slot shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SlotState {
    Empty,
    Stopped,
    Queued,
    Playing(imbolc_types::Tick),
}

/// A launched column's state for `instrument`, if any.
fn column<'a>(state: &State<'a>, instrument: InstrumentId) -> Option<&'a ColumnFeedback> {
    state.feedback.launcher.iter().find(|c| c.instrument == instrument)
}

/// The clip in a slot, if it still exists and belongs to the column.
fn slot_clip(state: &State, instrument: InstrumentId, scene: u16) -> Option<ClipId> {
    let clip = state.project.launcher.clip_at(instrument, scene)?;
    state.project.clips.get(&clip).filter(|c| c.instrument == instrument).map(|c| c.id)
}

fn slot_state(col: Option<&ColumnFeedback>, clip: Option<ClipId>) -> SlotState {
    let Some(clip) = clip else { return SlotState::Empty };
    match col {
        Some(c) if c.queued == Some(LaunchTarget::Clip(clip)) => SlotState::Queued,
        Some(ColumnFeedback { playing: Some((playing, pos)), .. }) if *playing == clip => SlotState::Playing(*pos),
        _ => SlotState::Stopped,
    }
}

/// Ticks as bar.beat (1-based) in 4/4-style quarter beats of `ts`.
fn bar_beat(ticks: imbolc_types::Tick, ts: imbolc_types::TimeSignature) -> String {
    let beat = u64::from(TICKS_PER_QUARTER) * 4 / u64::from(ts.denominator.max(1));
    let bar = beat * u64::from(ts.numerator.max(1));
    let t = u64::from(ticks);
    format!("{}.{}", t / bar + 1, t % bar / beat + 1)
}

/// A follow action after one of the follow keys.
fn follow_edit(cmd: CommandId, old: Option<FollowAction>) -> Option<FollowAction> {
    if cmd == CommandId::FollowFirst {
        return match old {
            None => Some(FollowAction::default()),
            Some(f) if f.first == imbolc_types::FollowKind::Stop => None,
            Some(f) => Some(FollowAction { first: f.first.next(), ..f }),
        };
    }
    let mut f = old?;
    match cmd {
        CommandId::FollowSecond => f.second = f.second.next(),
        CommandId::FollowLonger => f.after_loops = (f.after_loops + 1).min(64),
        CommandId::FollowShorter => f.after_loops = f.after_loops.saturating_sub(1).max(1),
        CommandId::FollowChanceUp => f.first_chance = (f.first_chance + 10).min(100),
        CommandId::FollowChanceDown => f.first_chance = f.first_chance.saturating_sub(10),
        _ => {}
    }
    Some(f)
}

impl SessionPane {
    fn launches(&mut self, state: &State, targets: Vec<(InstrumentId, LaunchTarget)>) -> Option<Intent> {
        if targets.is_empty() {
            return Some(Intent::Message("nothing to launch: press a to put a clip in the slot".to_owned()));
        }
        let launcher = &state.project.launcher;
        let group = if targets.len() > 1 {
            self.group = self.group.wrapping_add(1).max(1);
            self.group
        } else {
            0
        };
        Some(Intent::Launch(
            targets.into_iter().map(|(instrument, target)| Launch::of(launcher, instrument, target, group)).collect(),
        ))
    }

    pub fn handle(&mut self, cmd: CommandId, state: &State) -> Option<Intent> {
        let instruments: Vec<&Instrument> = state.project.instruments.values().collect();
        let scenes = state.project.launcher.scene_count();
        self.column = self.column.min(instruments.len().saturating_sub(1));
        self.scene = self.scene.min(scenes - 1);
        let current = instruments.get(self.column).map(|i| i.id);
        let all = |t: LaunchTarget| instruments.iter().map(|i| (i.id, t)).collect::<Vec<_>>();
        match cmd {
            CommandId::Up => self.scene = self.scene.saturating_sub(1),
            CommandId::Down => self.scene = (self.scene + 1).min(scenes - 1),
            CommandId::Left => self.column = self.column.saturating_sub(1),
            CommandId::Right => self.column = (self.column + 1).min(instruments.len().saturating_sub(1)),
            CommandId::SessionClose => return Some(Intent::Show(PaneKind::Arrangement)),
            CommandId::LaunchQuantize => {
                let q = state.project.launcher.quantize.next();
                return Some(Intent::DispatchThen(
                    Action::SetLaunchQuantize(q),
                    format!("launch quantize: {}", q.name()),
                ));
            }
            CommandId::StopAll => return self.launches(state, all(LaunchTarget::Stop)),
            CommandId::FollowReseed => {
                // A new seed from the old one: repeatable, and undo brings
                // the old chain back.
                let seed = state.project.launcher.seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                return Some(Intent::DispatchThen(Action::SetLauncherSeed { seed }, format!("follow seed {seed}")));
            }
            CommandId::AllToArrangement => return self.launches(state, all(LaunchTarget::Arrangement)),
            CommandId::CapturePerformance => return Some(Intent::CapturePerformance),
            CommandId::NudgeFaster | CommandId::NudgeSlower => {
                return Some(Intent::Nudge(cmd == CommandId::NudgeFaster));
            }
            CommandId::TapTempoBar => return Some(Intent::TapTempoBar),
            CommandId::LaunchScene => {
                let row = instruments
                    .iter()
                    .filter_map(|i| slot_clip(state, i.id, self.scene).map(|c| (i.id, LaunchTarget::Clip(c))))
                    .collect();
                return self.launches(state, row);
            }
            _ => {}
        }
        let Some(inst) = current else {
            return match cmd {
                CommandId::Up | CommandId::Down | CommandId::Left | CommandId::Right => None,
                _ => Some(Intent::Message("no instruments: add one in the instrument list (1)".to_owned())),
            };
        };
        match cmd {
            CommandId::LaunchSlot => {
                let target = slot_clip(state, inst, self.scene).map_or(LaunchTarget::Stop, LaunchTarget::Clip);
                self.launches(state, vec![(inst, target)])
            }
            CommandId::StopColumn => self.launches(state, vec![(inst, LaunchTarget::Stop)]),
            CommandId::ColumnToArrangement => self.launches(state, vec![(inst, LaunchTarget::Arrangement)]),
            CommandId::SlotAssign => {
                let clips: Vec<ClipId> = state
                    .project
                    .clips
                    .values()
                    .filter(|c| c.instrument == inst && c.audio.is_none())
                    .map(|c| c.id)
                    .collect();
                let now = slot_clip(state, inst, self.scene);
                let next = match now {
                    Some(c) => clips.iter().copied().find(|x| *x > c).or_else(|| clips.first().copied()),
                    None => clips.first().copied(),
                };
                match next {
                    Some(clip) if Some(clip) != now => Some(Intent::Dispatch(Action::SetLauncherSlot {
                        instrument: inst,
                        scene: self.scene,
                        clip: Some(clip),
                    })),
                    Some(_) => Some(Intent::Message("the instrument has no other clip".to_owned())),
                    None => {
                        Some(Intent::Message("the instrument has no clip: write one in the piano roll (3)".to_owned()))
                    }
                }
            }
            CommandId::FollowFirst
            | CommandId::FollowSecond
            | CommandId::FollowLonger
            | CommandId::FollowShorter
            | CommandId::FollowChanceUp
            | CommandId::FollowChanceDown => {
                let Some(clip) = slot_clip(state, inst, self.scene) else {
                    return Some(Intent::Message("the slot is empty: press a to put a clip in it".to_owned()));
                };
                let old = state.project.launcher.follow.get(&clip).copied();
                let follow = follow_edit(cmd, old);
                if follow == old {
                    return None;
                }
                let text = follow.map_or_else(
                    || "follow action: none (loops on)".to_owned(),
                    |f| format!("follow action: {}", f.describe()),
                );
                Some(Intent::DispatchThen(Action::SetFollowAction { clip, follow }, text))
            }
            CommandId::ClipLaunchQuantize => {
                let Some(clip) = slot_clip(state, inst, self.scene) else {
                    return Some(Intent::Message("the slot is empty: press a to put a clip in it".to_owned()));
                };
                let quantize = Launcher::next_clip_quantize(state.project.launcher.clip_quantize.get(&clip).copied());
                let text = quantize.map_or_else(
                    || "clip launch quantize: the project's".to_owned(),
                    |q| format!("clip launch quantize: {}", q.name()),
                );
                Some(Intent::DispatchThen(Action::SetClipLaunchQuantize { clip, quantize }, text))
            }
            CommandId::SlotClear if state.project.launcher.clip_at(inst, self.scene).is_some() => {
                Some(Intent::Dispatch(Action::SetLauncherSlot { instrument: inst, scene: self.scene, clip: None }))
            }
            _ => None,
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, state: &State) {
        let launcher = &state.project.launcher;
        let instruments: Vec<&Instrument> = state.project.instruments.values().collect();
        let here = instruments.get(self.column).and_then(|i| slot_clip(state, i.id, self.scene));
        let follows = here
            .and_then(|c| launcher.follow.get(&c))
            .map_or_else(String::new, |f| format!("· follow {} ", f.describe()));
        let own = here
            .and_then(|c| launcher.clip_quantize.get(&c))
            .map_or_else(String::new, |q| format!("· clip {} ", q.name()));
        let block = Block::bordered().title(format!(" Session · quantize {} {own}{follows}", launcher.quantize.name()));
        if instruments.is_empty() {
            let text = "No instruments: add one in the instrument list (1), write a clip, then press a here.";
            frame.render_widget(Paragraph::new(text).block(block), area);
            return;
        }
        let inner_w = usize::from(area.width.saturating_sub(2));
        let cell_w = 14usize.min(inner_w.saturating_sub(4).max(8));
        let visible_cols = (inner_w.saturating_sub(4) / cell_w).max(1);
        let first_column = follow(0, self.column, visible_cols);
        let visible_rows = usize::from(area.height.saturating_sub(6)).max(1);
        let scenes = launcher.scene_count();
        let first_scene = u16::try_from(follow(0, usize::from(self.scene), visible_rows)).unwrap_or(0).min(scenes - 1);
        let shown: Vec<&Instrument> = instruments.iter().copied().skip(first_column).take(visible_cols).collect();
        let blink_on = !state.feedback.transport.playing || (state.feedback.transport.tick / 240).is_multiple_of(2);
        let ts = state.project.time_signature;
        let fit = |s: &str| {
            let t: String = s.chars().take(cell_w - 1).collect();
            format!("{t:<w$}", w = cell_w)
        };

        let mut head = vec![Span::raw("    ")];
        let mut status = vec![Span::raw("    ")];
        for inst in &shown {
            head.push(Span::styled(fit(&inst.name), Style::default().add_modifier(Modifier::BOLD)));
            let (text, style) = match column(state, inst.id) {
                Some(c) if c.queued.is_some() => ("queued", Style::default().fg(crate::theme::current().warn)),
                Some(c) if c.playing.is_some() => ("session", Style::default().fg(crate::theme::current().good)),
                Some(c) if c.stopped => ("stopped", Style::default().fg(crate::theme::current().error)),
                _ => ("arrangement", Style::default().fg(crate::theme::current().dim)),
            };
            status.push(Span::styled(fit(text), style));
        }
        let mut lines = vec![Line::from(head), Line::from(status)];
        let last = (first_scene + u16::try_from(visible_rows).unwrap_or(u16::MAX)).min(scenes);
        for scene in first_scene..last {
            let mut spans =
                vec![Span::styled(format!("{:>3} ", scene + 1), Style::default().fg(crate::theme::current().muted))];
            for (ci, inst) in shown.iter().enumerate() {
                let clip = slot_clip(state, inst.id, scene);
                let name = clip.and_then(|c| state.project.clips.get(&c)).map_or("", |c| c.name.as_str());
                let st = slot_state(column(state, inst.id), clip);
                let (text, mut style) = match st {
                    SlotState::Empty => (fit("·"), Style::default().fg(crate::theme::current().dim)),
                    SlotState::Stopped => {
                        let arrow = if clip.is_some_and(|c| launcher.follow.contains_key(&c)) { " →" } else { "" };
                        (fit(&format!("□ {name}{arrow}")), Style::default())
                    }
                    SlotState::Queued => {
                        let style = if blink_on {
                            Style::default().fg(crate::theme::current().on_warn).bg(crate::theme::current().warn)
                        } else {
                            Style::default().fg(crate::theme::current().warn)
                        };
                        (fit(&format!("◇ {name}")), style)
                    }
                    SlotState::Playing(pos) => {
                        let pos = bar_beat(pos, ts);
                        let room = cell_w.saturating_sub(pos.len() + 4);
                        let short: String = name.chars().take(room).collect();
                        (fit(&format!("▶ {short:<room$} {pos}")), Style::default().fg(crate::theme::current().good))
                    }
                };
                if first_column + ci == self.column && scene == self.scene {
                    style = style.patch(cursor_style());
                }
                spans.push(Span::styled(text, style));
            }
            lines.push(Line::from(spans));
        }
        lines.push(Line::styled(
            " a/d slot · Enter launch · e scene · s/X stop · b back · Q/w quant · c capture",
            Style::default().fg(crate::theme::current().muted),
        ));
        frame.render_widget(Paragraph::new(lines).block(block), area);
    }
}
