//! The mixer: a strip per instrument, per bus and the master, each with a
//! live peak meter read from the engine's feedback this frame, its level,
//! pan, mute and solo. `h`/`l` pick a strip; the rest acts on it (`e`
//! opens its effect chain in the editor).

use imbolc_audio::engine::Meter;
use imbolc_types::{Action, BusId, ChainOwner, InstrumentId, MixerParam, MixerSettings, OutputTarget, ParamTarget};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{Intent, State, cursor_style, follow, instruments::truncate};
use crate::commands::CommandId;

/// Width of one strip, borders included.
const STRIP_WIDTH: u16 = 12;
/// Level step of one key press (linear gain).
const LEVEL_STEP: f32 = 0.05;
/// Pan step of one key press.
const PAN_STEP: f32 = 0.1;
/// The meter's floor: anything quieter shows as empty.
const FLOOR_DB: f32 = -60.0;

/// One strip of the mixer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strip {
    Instrument(InstrumentId),
    Bus(BusId),
    Master,
}

/// The mixer's view state: which strip is selected.
#[derive(Debug, Default)]
pub struct MixerPane {
    cursor: usize,
}

fn strips(state: &State) -> Vec<Strip> {
    let p = state.project;
    p.instruments
        .keys()
        .map(|id| Strip::Instrument(*id))
        .chain(p.buses.keys().map(|id| Strip::Bus(*id)))
        .chain([Strip::Master])
        .collect()
}

/// The settings shown for a strip (master has level and mute only).
fn settings(state: &State, strip: Strip) -> Option<MixerSettings> {
    let p = state.project;
    match strip {
        Strip::Instrument(id) => p.instruments.get(&id).map(|i| i.mixer.clone()),
        Strip::Bus(id) => p.buses.get(&id).map(|b| b.mixer.clone()),
        Strip::Master => Some(MixerSettings { level: p.master.level, mute: p.master.mute, ..MixerSettings::default() }),
    }
}

fn level_target(strip: Strip) -> ParamTarget {
    match strip {
        Strip::Instrument(instrument) => ParamTarget::Mixer { instrument, param: MixerParam::Level },
        Strip::Bus(bus) => ParamTarget::BusMixer { bus, param: MixerParam::Level },
        Strip::Master => ParamTarget::MasterLevel,
    }
}

impl MixerPane {
    pub fn handle(&mut self, cmd: CommandId, state: &State) -> Option<Intent> {
        let all = strips(state);
        self.cursor = self.cursor.min(all.len() - 1);
        let strip = all[self.cursor];
        let m = settings(state, strip)?;
        let action = match cmd {
            CommandId::Left => {
                self.cursor = self.cursor.saturating_sub(1);
                return self.select(&all);
            }
            CommandId::Right => {
                self.cursor = (self.cursor + 1).min(all.len() - 1);
                return self.select(&all);
            }
            CommandId::LevelUp | CommandId::LevelDown => {
                let d = if cmd == CommandId::LevelUp { LEVEL_STEP } else { -LEVEL_STEP };
                // Rounded so repeated steps land on tidy values.
                let value = ((m.level + d) * 100.0).round() / 100.0;
                Action::SetParam { target: level_target(strip), value: value.clamp(0.0, 2.0) }
            }
            CommandId::PanLeft | CommandId::PanRight => {
                let d = if cmd == CommandId::PanRight { PAN_STEP } else { -PAN_STEP };
                let value = (((m.pan + d) * 10.0).round() / 10.0).clamp(-1.0, 1.0);
                let target = match strip {
                    Strip::Instrument(instrument) => ParamTarget::Mixer { instrument, param: MixerParam::Pan },
                    Strip::Bus(bus) => ParamTarget::BusMixer { bus, param: MixerParam::Pan },
                    Strip::Master => return Some(Intent::Message("The master strip has no pan".to_owned())),
                };
                Action::SetParam { target, value }
            }
            CommandId::Mute => match strip {
                Strip::Instrument(instrument) => Action::SetMute { instrument, mute: !m.mute },
                Strip::Bus(bus) => Action::SetBusMute { bus, mute: !m.mute },
                Strip::Master => Action::SetMasterMute { mute: !m.mute },
            },
            CommandId::Limiter => match strip {
                Strip::Master => Action::SetMasterLimiter { on: !state.project.master.limiter },
                _ => return Some(Intent::Message("Only the master strip has a limiter".to_owned())),
            },
            CommandId::EditChain => {
                return Some(Intent::EditChain(match strip {
                    Strip::Instrument(id) => ChainOwner::Instrument(id),
                    Strip::Bus(id) => ChainOwner::Bus(id),
                    Strip::Master => ChainOwner::Master,
                }));
            }
            CommandId::AddBus => {
                let n = state.project.buses.len() + 1;
                // The cursor goes to the new bus: after the instruments and
                // the buses there are now, before the master.
                self.cursor = state.project.instruments.len() + state.project.buses.len();
                let text = format!("bus {n} added: e edits its effects, r renames it; w on a strip sends to it");
                return Some(Intent::DispatchThen(Action::AddBus { name: format!("bus {n}") }, text));
            }
            CommandId::RemoveBus | CommandId::RenameBus => {
                let Strip::Bus(bus) = strip else {
                    return Some(Intent::Message("Select a bus strip first (h/l)".to_owned()));
                };
                if cmd == CommandId::RemoveBus {
                    Action::RemoveBus { bus }
                } else {
                    let current = state.project.buses.get(&bus).map(|b| b.name.clone()).unwrap_or_default();
                    return Some(Intent::Rename { target: crate::modal::RenameTarget::Bus(bus), current });
                }
            }
            CommandId::Solo => match strip {
                Strip::Instrument(instrument) => Action::SetSolo { instrument, solo: !m.solo },
                _ => return Some(Intent::Message("Only instruments can be soloed".to_owned())),
            },
            CommandId::OutputNext | CommandId::SendToggle | CommandId::SendUp | CommandId::SendDown => {
                let Strip::Instrument(instrument) = strip else {
                    return Some(Intent::Message("Only instrument strips have outputs and sends here".to_owned()));
                };
                return routing(cmd, instrument, &m, state);
            }
            _ => return None,
        };
        Some(Intent::Dispatch(action))
    }

    /// Moving onto an instrument's strip selects that instrument too.
    fn select(&self, all: &[Strip]) -> Option<Intent> {
        match all.get(self.cursor) {
            Some(Strip::Instrument(id)) => Some(Intent::Select(*id)),
            _ => None,
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, state: &State) {
        let all = strips(state);
        let cursor = self.cursor.min(all.len() - 1);
        let block = Block::bordered().title(format!(" Mixer ({} strips) ", all.len()));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let visible = usize::from((inner.width / STRIP_WIDTH).max(1));
        let first = follow(0, cursor, visible);
        for (slot, (i, strip)) in all.iter().enumerate().skip(first).take(visible).enumerate() {
            // `slot` < visible, which came from a u16.
            let x = inner.x + STRIP_WIDTH * u16::try_from(slot).unwrap_or(0);
            let rect =
                Rect { x, y: inner.y, width: STRIP_WIDTH.min(inner.right().saturating_sub(x)), height: inner.height };
            render_strip(frame, rect, state, *strip, i == cursor);
        }
        // Only the master: say what fills the mixer.
        if state.project.instruments.is_empty() {
            let x = inner.x + STRIP_WIDTH + 1;
            let rect = Rect { x, y: inner.y, width: inner.right().saturating_sub(x), height: 2 };
            let text = "No instruments yet: add one in the instrument list (1). b adds an aux bus.";
            frame.render_widget(Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: true }), rect);
        }
    }
}

fn render_strip(frame: &mut Frame, area: Rect, state: &State, strip: Strip, selected: bool) {
    let p = state.project;
    let meters = &state.feedback.meters;
    let (name, meter) = match strip {
        Strip::Instrument(id) => (p.instruments.get(&id).map_or("?", |i| i.name.as_str()), meters.instrument(id)),
        Strip::Bus(id) => (p.buses.get(&id).map_or("?", |b| b.name.as_str()), meters.bus(id)),
        Strip::Master => ("master", meters.master()),
    };
    let Some(m) = settings(state, strip) else { return };
    let width = usize::from(area.width.saturating_sub(2));
    let title = Span::styled(truncate(name, width), if selected { cursor_style() } else { Style::default() });
    let block = Block::bordered().title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // Rows: meter bar (all that is left), dB, level, pan, flags, routing.
    let info_rows = 5u16;
    let bar_height = inner.height.saturating_sub(info_rows);
    let db = meter.map_or(f32::NEG_INFINITY, Meter::peak_dbfs);
    let frac = ((db - FLOOR_DB) / -FLOOR_DB).clamp(0.0, 1.0);
    // Whole cells, rounded: the truncation is the intent.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let lit = (frac * f32::from(bar_height)).round() as u16;
    let mut lines: Vec<Line> = (0..bar_height)
        .map(|row| {
            let from_bottom = bar_height - row;
            if from_bottom <= lit {
                let level = f32::from(from_bottom) / f32::from(bar_height.max(1));
                let color = if level > 0.9 {
                    crate::theme::current().error
                } else if level > 0.7 {
                    crate::theme::current().warn
                } else {
                    crate::theme::current().good
                };
                Line::styled(format!("   {}", "█".repeat(width.saturating_sub(6).max(1))), Style::default().fg(color))
            } else {
                Line::raw(format!("   {}", "·".repeat(width.saturating_sub(6).max(1))))
            }
        })
        .collect();
    let db_text = match meter {
        None => "  --".to_owned(),
        // A decaying tail reads -372 dB long after it stopped being heard.
        Some(_) if db.is_finite() && db > -100.0 => format!("{db:>5.1}dB"),
        Some(_) => " -inf".to_owned(),
    };
    lines.push(Line::raw(db_text));
    lines.push(Line::raw(format!("lvl {:.2}", m.level)));
    lines.push(Line::raw(match strip {
        Strip::Master => limiter_text(p.master.limiter, meter),
        _ => format!("pan {}", pan_text(m.pan)),
    }));
    lines.push(Line::raw(format!(
        "{} {}",
        if m.mute { "[M]" } else { " m " },
        if m.solo {
            "[S]"
        } else if matches!(strip, Strip::Instrument(_)) {
            " s "
        } else {
            ""
        }
    )));
    lines.push(Line::raw(match strip {
        Strip::Instrument(_) => routing_text(p, &m, usize::from(inner.width)),
        Strip::Bus(id) => chain_text(p.buses.get(&id).map_or(0, |b| b.effects.len())),
        Strip::Master => chain_text(p.master_effects.len()),
    }));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// `fx 2 (e)`: a bus or the master has effects, which `e` edits.
fn chain_text(effects: usize) -> String {
    if effects == 0 { String::new() } else { format!("fx {effects} (e)") }
}

/// The master limiter's row: off, or its gain reduction in the latest
/// meter window.
fn limiter_text(on: bool, meter: Option<&Meter>) -> String {
    if !on {
        return "lim off".to_owned();
    }
    let gr = meter.map_or(0.0, Meter::limiter_reduction_db);
    if gr >= 0.05 { format!("lim -{gr:.1}") } else { "lim  0.0".to_owned() }
}

/// Output and sends of an instrument strip: the output steps through
/// master and every bus; a send goes to the first bus without one (or the
/// last send is removed when every bus has one); `<`/`>` set the first send.
fn routing(cmd: CommandId, instrument: InstrumentId, m: &MixerSettings, state: &State) -> Option<Intent> {
    let buses: Vec<BusId> = state.project.buses.keys().copied().collect();
    if buses.is_empty() {
        return Some(Intent::Message("No bus yet: outputs and sends need an aux bus".to_owned()));
    }
    let action = match cmd {
        CommandId::OutputNext => {
            let output = match m.output {
                OutputTarget::Master => OutputTarget::Bus(buses[0]),
                OutputTarget::Bus(b) => match buses.iter().position(|x| *x == b) {
                    Some(i) if i + 1 < buses.len() => OutputTarget::Bus(buses[i + 1]),
                    _ => OutputTarget::Master,
                },
            };
            Action::SetOutput { instrument, output }
        }
        CommandId::SendToggle => match buses.iter().find(|b| m.sends.iter().all(|s| s.bus != **b)) {
            Some(bus) => Action::AddSend { instrument, bus: *bus, level: 0.5 },
            None => Action::RemoveSend { instrument, bus: m.sends.last()?.bus },
        },
        _ => {
            let Some(send) = m.sends.first() else {
                return Some(Intent::Message("No send yet: w adds one".to_owned()));
            };
            let d = if cmd == CommandId::SendUp { LEVEL_STEP } else { -LEVEL_STEP };
            let value = (((send.level + d) * 100.0).round() / 100.0).clamp(0.0, 1.0);
            let target = ParamTarget::Mixer { instrument, param: MixerParam::Send(send.bus) };
            Action::SetParam { target, value }
        }
    };
    Some(Intent::Dispatch(action))
}

/// `→verb`, `+verb 50%`: where the strip writes, else its first send,
/// the bus name shortened so the level fits in `width`.
fn routing_text(p: &imbolc_types::Project, m: &MixerSettings, width: usize) -> String {
    let name = |b: BusId| p.buses.get(&b).map_or("?", |x| x.name.as_str()).to_owned();
    match (m.output, m.sends.first()) {
        (OutputTarget::Bus(b), _) => format!("→{}", name(b)),
        (OutputTarget::Master, Some(s)) => {
            let level = format!(" {:.0}%", s.level * 100.0);
            let room = width.saturating_sub(1 + level.len()).max(1);
            format!("+{}{level}", name(s.bus).chars().take(room).collect::<String>())
        }
        (OutputTarget::Master, None) => String::new(),
    }
}

/// `C`, `L30`, `R100`.
fn pan_text(pan: f32) -> String {
    // Percent, rounded: the truncation is the intent.
    #[allow(clippy::cast_possible_truncation)]
    let pct = (pan * 100.0).round() as i32;
    match pct {
        0 => "C".to_owned(),
        p if p < 0 => format!("L{}", -p),
        p => format!("R{p}"),
    }
}
