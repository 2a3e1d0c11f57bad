//! The zones pane: the selected sampler's zones as a table, one row per
//! zone and one column per field. `j`/`k` pick the zone, `h`/`l` the
//! field, `+`/`-` change it (`]`/`[` in big steps), `a` adds a zone from
//! the browser, `r` sets the root key from the sample's pitch, `x` removes
//! the zone, `Esc` goes back. Every change is one [`Action::SetSamplerZone`]
//! (one undo step, one diff).

use imbolc_types::Action;
use imbolc_types::sampler::{GAIN_RANGE, SamplerZone, TUNE_RANGE};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{Intent, State, cursor_style, follow};
use crate::commands::{CommandId, PaneKind};

/// The columns, in order.
pub const FIELDS: [&str; 15] = [
    "lokey", "hikey", "lovel", "hivel", "root", "start", "end", "loop", "lp start", "lp end", "xfade", "rev", "1shot",
    "tune", "gain",
];

/// Cursor of the pane.
#[derive(Debug, Default)]
pub struct ZonesPane {
    pub zone: usize,
    pub field: usize,
}

/// A MIDI note as a name (60 = C4).
pub fn note_name(key: u8) -> String {
    const NAMES: [&str; 12] = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];
    format!("{}{}", NAMES[usize::from(key % 12)], i32::from(key / 12) - 1)
}

fn step_key(v: u8, d: i32) -> u8 {
    (i32::from(v) + d).clamp(0, 127) as u8
}

fn step_frames(v: u64, frames: u64, coarse: bool, up: bool) -> u64 {
    let step = (frames / if coarse { 10 } else { 100 }).max(1);
    if up { v.saturating_add(step).min(frames) } else { v.saturating_sub(step) }
}

/// `zone` with field `field` moved up or down (`coarse`: big steps).
pub fn change(zone: &SamplerZone, field: usize, up: bool, coarse: bool) -> SamplerZone {
    let mut z = zone.clone();
    let sign = if up { 1 } else { -1 };
    let keys = sign * if coarse { 12 } else { 1 };
    let vels = sign * if coarse { 16 } else { 1 };
    let frames = z.sample.frames;
    match field {
        0 => z.lo_key = step_key(z.lo_key, keys).min(z.hi_key),
        1 => z.hi_key = step_key(z.hi_key, keys).max(z.lo_key),
        2 => z.lo_vel = step_key(z.lo_vel, vels).min(z.hi_vel),
        3 => z.hi_vel = step_key(z.hi_vel, vels).max(z.lo_vel),
        4 => z.root = step_key(z.root, keys),
        5 => z.start = step_frames(z.start, frames, coarse, up).min(z.end_frame().saturating_sub(1)),
        6 => {
            let end = step_frames(z.end_frame(), frames, coarse, up).max(z.start + 1).min(frames);
            z.end = if end >= frames { 0 } else { end };
        }
        7 => z.loop_mode = if up { z.loop_mode.next() } else { z.loop_mode.next().next() },
        8 => z.loop_start = step_frames(z.loop_range().0, frames, coarse, up).min(z.loop_range().1),
        9 => {
            let le = step_frames(z.loop_range().1, frames, coarse, up).max(z.loop_range().0);
            z.loop_end = if le >= z.end_frame() { 0 } else { le };
        }
        10 => {
            let step = if coarse { 4_800 } else { 480 };
            z.crossfade =
                if up { z.crossfade.saturating_add(step).min(frames / 2) } else { z.crossfade.saturating_sub(step) };
        }
        11 => z.reverse = !z.reverse,
        12 => z.one_shot = !z.one_shot,
        13 => z.tune = (z.tune + sign as f32 * if coarse { 100.0 } else { 1.0 }).clamp(TUNE_RANGE.0, TUNE_RANGE.1),
        14 => z.gain_db = (z.gain_db + sign as f32 * if coarse { 6.0 } else { 0.5 }).clamp(GAIN_RANGE.0, GAIN_RANGE.1),
        _ => {}
    }
    z
}

/// The cell text of field `field`.
fn cell(z: &SamplerZone, field: usize) -> String {
    match field {
        0 => note_name(z.lo_key),
        1 => note_name(z.hi_key),
        2 => z.lo_vel.to_string(),
        3 => z.hi_vel.to_string(),
        4 => note_name(z.root),
        5 => z.start.to_string(),
        6 => z.end_frame().to_string(),
        7 => z.loop_mode.name().to_owned(),
        8 => z.loop_range().0.to_string(),
        9 => z.loop_range().1.to_string(),
        10 => z.crossfade.to_string(),
        11 => if z.reverse { "on" } else { "off" }.to_owned(),
        12 => if z.one_shot { "on" } else { "off" }.to_owned(),
        13 => format!("{:+.0}c", z.tune),
        14 => format!("{:+.1}dB", z.gain_db),
        _ => String::new(),
    }
}

impl ZonesPane {
    pub fn handle(&mut self, cmd: CommandId, state: &State) -> Option<Intent> {
        let Some(inst) = state.selected_instrument() else {
            return Some(Intent::Message("No instrument selected".to_owned()));
        };
        let Some(sampler) = inst.def.sampler.as_ref() else {
            return match cmd {
                CommandId::ZonesClose => Some(Intent::Show(PaneKind::Instruments)),
                _ => Some(Intent::Message(format!("{} is not a sampler: press s in the instrument list", inst.name))),
            };
        };
        let n = sampler.zones.len();
        self.zone = self.zone.min(n.saturating_sub(1));
        let id = inst.id;
        match cmd {
            CommandId::Up => self.zone = self.zone.saturating_sub(1),
            CommandId::Down => self.zone = (self.zone + 1).min(n.saturating_sub(1)),
            CommandId::Left => self.field = self.field.saturating_sub(1),
            CommandId::Right => self.field = (self.field + 1).min(FIELDS.len() - 1),
            CommandId::ZoneIncrease
            | CommandId::ZoneDecrease
            | CommandId::ZoneIncreaseCoarse
            | CommandId::ZoneDecreaseCoarse => {
                let z = sampler.zones.get(self.zone)?;
                let up = matches!(cmd, CommandId::ZoneIncrease | CommandId::ZoneIncreaseCoarse);
                let coarse = matches!(cmd, CommandId::ZoneIncreaseCoarse | CommandId::ZoneDecreaseCoarse);
                let zone = change(z, self.field, up, coarse);
                if zone == *z {
                    return None;
                }
                return Some(Intent::Dispatch(Action::SetSamplerZone { instrument: id, index: self.zone, zone }));
            }
            CommandId::ZoneAdd => return Some(Intent::ChooseZoneSample(id)),
            CommandId::ZoneRoot if n > 0 => return Some(Intent::EstimateRoot { instrument: id, index: self.zone }),
            CommandId::ZoneRemove if n > 0 => {
                return Some(Intent::Dispatch(Action::RemoveSamplerZone { instrument: id, index: self.zone }));
            }
            CommandId::ZonesClose => return Some(Intent::Show(PaneKind::Instruments)),
            _ => {}
        }
        None
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, state: &State) {
        let inst = state.selected_instrument();
        let Some((inst, sampler)) = inst.and_then(|i| Some((i, i.def.sampler.as_ref()?))) else {
            let block = Block::bordered().title(" Zones ");
            let text = "The selected instrument is not a sampler: press s in the instrument list to add one.";
            frame.render_widget(Paragraph::new(text).block(block), area);
            return;
        };
        let block = Block::bordered().title(format!(
            " Zones · {} · {} zone{} ",
            inst.name,
            sampler.zones.len(),
            if sampler.zones.len() == 1 { "" } else { "s" }
        ));
        let widths = [6usize, 6, 6, 6, 5, 8, 8, 9, 8, 8, 6, 4, 6, 6, 8];
        let mut head = vec![Span::raw(format!(" {:<3} {:<16}", "#", "sample"))];
        for (i, (name, w)) in FIELDS.iter().zip(widths).enumerate() {
            let style =
                if i == self.field { Style::default().fg(crate::theme::current().warn) } else { Style::default() };
            head.push(Span::styled(format!("{name:<w$}"), style));
        }
        let mut lines = vec![Line::from(head)];
        if sampler.zones.is_empty() {
            lines.push(Line::raw("  No zones: press a to add one."));
        }
        let visible = usize::from(area.height.saturating_sub(4)).max(1);
        let first = follow(0, self.zone, visible);
        for (zi, z) in sampler.zones.iter().enumerate().skip(first).take(visible) {
            let name: String = z.sample.name.chars().take(15).collect();
            let mut spans = vec![Span::raw(format!(" {:<3} {:<16}", zi + 1, name))];
            for (fi, w) in widths.iter().enumerate() {
                let text = format!("{:<w$}", cell(z, fi), w = *w);
                let selected = zi == self.zone && fi == self.field;
                spans.push(if selected { Span::styled(text, cursor_style()) } else { Span::raw(text) });
            }
            lines.push(Line::from(spans));
        }
        lines.push(Line::styled(
            " j/k zone · h/l field · +/- change · ]/[ big steps · a add · r root from pitch · x remove · Esc back",
            Style::default().fg(crate::theme::current().muted),
        ));
        frame.render_widget(Paragraph::new(lines).block(block), area);
    }
}
