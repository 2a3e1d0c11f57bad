//! The instrument editor: the selected instrument's source parameters, its
//! filter slot and its effect chain, one row per thing the cursor can be on.
//! Values move in steps of a fiftieth of their catalog range (frequencies by
//! ten percent, as ears hear them), clamped to the range.

use imbolc_types::catalog::SyncUnit;
use imbolc_types::catalog::mix::takes_key;
use imbolc_types::{
    Action, ChainOwner, EffectKind, EffectSlot, EnvelopeDef, EnvelopeStage, FilterDef, FilterKind, Instrument,
    NoteDivision, ParamSpec, ParamTarget, Params,
};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

use super::eq_curve;
use super::voice_rows::VoiceRow;
use super::{Intent, State, cursor_style, follow};
use crate::commands::CommandId;

/// Something the cursor can be on.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Row {
    Source(ParamSpec),
    Envelope(EnvelopeStage),
    /// Polyphony, voice mode, stealing and the LFO.
    Voice(VoiceRow),
    Filter,
    FilterParam(&'static ParamSpec),
    /// An effect, by position in the chain.
    Effect(usize),
    EffectParam(usize, &'static ParamSpec),
}

/// The editor's view state: which row the cursor is on.
#[derive(Debug, Default)]
pub struct EditorPane {
    cursor: usize,
}

fn rows(inst: &Instrument) -> Vec<Row> {
    let mut rows: Vec<Row> =
        imbolc_types::custom::source_specs(&inst.def.source).iter().copied().map(Row::Source).collect();
    rows.extend(STAGES.map(Row::Envelope));
    rows.extend(VoiceRow::ALL.map(Row::Voice));
    rows.push(Row::Filter);
    if let Some(f) = &inst.def.filter {
        rows.extend(f.kind.params().iter().map(Row::FilterParam));
        rows.extend(imbolc_types::filter_env::FILTER_ENV_PARAMS.iter().map(Row::FilterParam));
    }
    for (i, e) in inst.def.effects.iter().enumerate() {
        rows.push(Row::Effect(i));
        rows.extend(e.kind.params().iter().map(move |p| Row::EffectParam(i, p)));
    }
    rows
}

/// The amp envelope's stages, in the order they happen.
const STAGES: [EnvelopeStage; 4] =
    [EnvelopeStage::Attack, EnvelopeStage::Decay, EnvelopeStage::Sustain, EnvelopeStage::Release];

/// What the editor shows for an envelope stage. The ranges are those
/// dispatch accepts (times up to 30 s, sustain a level).
fn stage_spec(stage: EnvelopeStage) -> ParamSpec {
    let time = |id, label| ParamSpec::new(id, label, 0.1, 0.0, 30.0, "s");
    match stage {
        EnvelopeStage::Attack => time("attack", "Attack"),
        EnvelopeStage::Decay => time("decay", "Decay"),
        EnvelopeStage::Sustain => ParamSpec::new("sustain", "Sustain", 0.7, 0.0, 1.0, ""),
        EnvelopeStage::Release => time("release", "Release"),
    }
}

fn stage_value(env: &EnvelopeDef, stage: EnvelopeStage) -> f32 {
    match stage {
        EnvelopeStage::Attack => env.attack,
        EnvelopeStage::Decay => env.decay,
        EnvelopeStage::Sustain => env.sustain,
        EnvelopeStage::Release => env.release,
    }
}

/// The next envelope value: times move by a quarter of themselves (fine
/// near zero, coarse near 30 s), reaching zero from 5 ms down.
fn stage_step(stage: EnvelopeStage, value: f32, up: bool) -> f32 {
    let spec = stage_spec(stage);
    if stage == EnvelopeStage::Sustain {
        return step(&spec, value, up);
    }
    let next = match up {
        true => (value * 1.25).max(0.005),
        false if value <= 0.005 => 0.0,
        false => value / 1.25,
    };
    spec.clamp(next)
}

/// The value after one step up or down.
fn step(spec: &ParamSpec, value: f32, up: bool) -> f32 {
    let next = if spec.unit == "Hz" && spec.min > 0.0 {
        if up { value * 1.1 } else { value / 1.1 }
    } else if spec.unit == "s" && spec.min == 0.0 {
        // Times (the filter envelope's): ratio steps like the amp envelope.
        match up {
            true => (value * 1.25).max(0.005),
            false if value <= 0.005 => 0.0,
            false => value / 1.25,
        }
    } else if spec.unit == "oct" {
        if up { value + 0.25 } else { value - 0.25 }
    } else {
        let d = (spec.max - spec.min) / 50.0;
        if up { value + d } else { value - d }
    };
    spec.clamp(next)
}

fn value(params: &Params, spec: &ParamSpec) -> f32 {
    params.get(spec.id).copied().unwrap_or(spec.default)
}

impl EditorPane {
    /// The parameter under the cursor (for MIDI learn).
    pub fn selected_target(&self, state: &State) -> Option<ParamTarget> {
        let inst = state.selected_instrument()?;
        let rows = rows(inst);
        target_of(inst, *rows.get(self.cursor.min(rows.len().saturating_sub(1)))?)
    }

    /// Runs a command on the selected instrument.
    pub fn handle(&mut self, cmd: CommandId, state: &State) -> Option<Intent> {
        let Some(inst) = state.selected_instrument() else {
            return Some(Intent::Message("No instrument selected: add one in the instrument list (1)".to_owned()));
        };
        let rows = rows(inst);
        self.cursor = self.cursor.min(rows.len().saturating_sub(1));
        let row = rows.get(self.cursor).copied()?;
        let id = inst.id;
        let owner = ChainOwner::Instrument(id);
        let effect_at = |i: usize| inst.def.effects.get(i);
        let selected_effect = match row {
            Row::Effect(i) | Row::EffectParam(i, _) => effect_at(i),
            _ => None,
        };
        let action =
            match cmd {
                CommandId::Up => {
                    self.cursor = self.cursor.saturating_sub(1);
                    return None;
                }
                CommandId::Down => {
                    self.cursor = (self.cursor + 1).min(rows.len().saturating_sub(1));
                    return None;
                }
                CommandId::ParamDecrease | CommandId::ParamIncrease => {
                    let up = cmd == CommandId::ParamIncrease;
                    match row {
                        Row::Source(spec) => ParamTarget::Source { instrument: id, param: spec.id.to_owned() }
                            .set(step(&spec, value(&inst.def.source.params, &spec), up)),
                        Row::Envelope(stage) => ParamTarget::Envelope { instrument: id, stage }.set(stage_step(
                            stage,
                            stage_value(&inst.def.amp_env, stage),
                            up,
                        )),
                        Row::FilterParam(spec) => {
                            let f = inst.def.filter.as_ref()?;
                            ParamTarget::Filter { instrument: id, param: spec.id.to_owned() }.set(step(
                                spec,
                                f.value(spec.id).unwrap_or(spec.default),
                                up,
                            ))
                        }
                        Row::EffectParam(i, spec) => {
                            let e = effect_at(i)?;
                            if let (Some(unit), Some(d)) = (spec.sync, e.sync.get(spec.id)) {
                                // A synced value steps through the divisions: up
                                // is a longer time or a faster rate.
                                let longer = up == (unit == SyncUnit::Seconds);
                                let next = if longer { d.longer() } else { d.shorter() };
                                if next == *d {
                                    return None;
                                }
                                Action::SetEffectSync {
                                    owner,
                                    effect: e.id,
                                    param: spec.id.to_owned(),
                                    division: Some(next),
                                }
                            } else {
                                ParamTarget::Effect { owner, effect: e.id, param: spec.id.to_owned() }.set(step(
                                    spec,
                                    value(&e.params, spec),
                                    up,
                                ))
                            }
                        }
                        Row::Voice(v) => v.change(inst, up),
                        Row::Filter => {
                            let f = inst.def.filter.as_ref()?;
                            Action::SetFilter { instrument: id, filter: Some(next_filter_type(f, up)) }
                        }
                        Row::Effect(_) => return None,
                    }
                }
                CommandId::ToggleFilter => Action::SetFilter {
                    instrument: id,
                    filter: match inst.def.filter {
                        Some(_) => None,
                        None => Some(FilterDef::new(FilterKind::LOW_PASS)),
                    },
                },
                CommandId::AddEffect => return Some(Intent::ChooseEffect(owner)),
                CommandId::RemoveEffect => Action::RemoveEffect { owner, effect: selected_effect?.id },
                CommandId::EffectKeyNext => {
                    let e = selected_effect?;
                    if !takes_key(e.kind) {
                        return Some(Intent::Message("Only sidechain effects take a key".to_owned()));
                    }
                    // Other instruments in list order, then none.
                    let others: Vec<ChainOwner> = state
                        .project
                        .instruments
                        .keys()
                        .filter(|k| **k != id)
                        .map(|k| ChainOwner::Instrument(*k))
                        .collect();
                    let next = match e.key.and_then(|k| others.iter().position(|o| *o == k)) {
                        None if e.key.is_none() => others.first().copied(),
                        None => None,
                        Some(i) => others.get(i + 1).copied(),
                    };
                    Action::SetEffectKey { owner, effect: e.id, key: next }
                }
                CommandId::BypassEffect => match (row, selected_effect, &inst.def.filter) {
                    (_, Some(e), _) => Action::SetEffectEnabled { owner, effect: e.id, enabled: !e.enabled },
                    (Row::Filter | Row::FilterParam(_), None, Some(f)) => {
                        Action::SetFilterEnabled { instrument: id, enabled: !f.enabled }
                    }
                    _ => return None,
                },
                CommandId::MoveEffectUp | CommandId::MoveEffectDown => {
                    let e = selected_effect?;
                    let from = inst.def.effects.iter().position(|s| s.id == e.id)?;
                    let to = if cmd == CommandId::MoveEffectUp { from.checked_sub(1)? } else { from + 1 };
                    if to >= inst.def.effects.len() {
                        return None;
                    }
                    // Keep the cursor on the moved effect's header.
                    self.cursor = header_row(&rows, to, from);
                    Action::MoveEffect { owner, effect: e.id, index: to }
                }
                CommandId::TempoSync => {
                    let Row::EffectParam(i, spec) = row else {
                        return Some(Intent::Message("tempo sync: select an effect's time or rate".to_owned()));
                    };
                    let e = effect_at(i)?;
                    let Some(unit) = spec.sync else {
                        return Some(Intent::Message(format!("{} cannot follow the tempo", spec.label)));
                    };
                    let division = match e.sync.get(spec.id) {
                        Some(_) => None,
                        // Start from the division nearest what is heard now.
                        None => Some(NoteDivision::nearest(unit, value(&e.params, spec), state.project.tempo)),
                    };
                    Action::SetEffectSync { owner, effect: e.id, param: spec.id.to_owned(), division }
                }
                CommandId::MidiUnmap => {
                    let target = target_of(inst, row)?;
                    let Some(m) = state.project.midi_mappings.iter().find(|m| m.target == target) else {
                        return Some(Intent::Message("no MIDI controller is mapped to this parameter".to_owned()));
                    };
                    Action::UnmapMidiCc { channel: m.channel, cc: m.cc }
                }
                _ => return None,
            };
        Some(Intent::Dispatch(action))
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, state: &State) {
        let Some(inst) = state.selected_instrument() else {
            let text = vec![Line::raw(""), Line::raw("  No instrument selected. Add one in the instrument list (1).")];
            frame.render_widget(Paragraph::new(text).block(Block::bordered().title(" Editor ")), area);
            return;
        };
        let rows = rows(inst);
        let cursor = self.cursor.min(rows.len().saturating_sub(1));
        let header = Style::default().add_modifier(Modifier::BOLD);
        let mut lines: Vec<Line> = Vec::new();
        let mut cursor_line = 0;
        let source = super::instruments::source_label(&inst.def);
        let description = match (&inst.def.drums, &inst.def.source.custom) {
            (Some(_), _) => "",
            (None, Some(custom)) => {
                custom.broken.as_deref().map_or("your SynthDef", |_| "silent: its SynthDef is broken")
            }
            (None, None) => inst.def.source.kind.spec().description,
        };
        lines.push(Line::styled(format!("Source: {source}  {description}"), header));
        for (r, row) in rows.iter().enumerate() {
            match row {
                Row::Envelope(EnvelopeStage::Attack) => {
                    lines.push(Line::raw(""));
                    lines.push(Line::styled("Amp envelope", header));
                }
                Row::Voice(v) => {
                    if let Some(title) = v.header() {
                        lines.push(Line::raw(""));
                        lines.push(Line::styled(title, header));
                    }
                }
                Row::Filter => lines.push(Line::raw("")),
                Row::FilterParam(spec) if spec.id == imbolc_types::filter_env::ENV_AMOUNT.id => {
                    lines.push(Line::styled("Filter envelope (per note)", header));
                }
                Row::Effect(0) => {
                    lines.push(Line::raw(""));
                    lines.push(Line::styled("Effects", header));
                }
                _ => {}
            }
            let text = match *row {
                Row::Source(spec) => param_line(&spec, value(&inst.def.source.params, &spec), true),
                Row::Envelope(stage) => param_line(&stage_spec(stage), stage_value(&inst.def.amp_env, stage), true),
                Row::Voice(v) => v.text(inst),
                Row::Filter => match &inst.def.filter {
                    Some(f) => format!("Filter: {} {}  (h/l: type)", f.kind.name(), on_off(f.enabled)),
                    None => "Filter: none (f adds a low-pass, then h/l change its type)".to_owned(),
                },
                Row::FilterParam(spec) => {
                    let f = inst.def.filter.as_ref();
                    param_line(spec, f.and_then(|f| f.value(spec.id)).unwrap_or(spec.default), true)
                }
                Row::Effect(i) => {
                    inst.def.effects.get(i).map_or_else(String::new, |e| effect_line(i, e, state.project))
                }
                Row::EffectParam(i, spec) => match inst.def.effects.get(i) {
                    Some(e) => match (spec.sync, e.sync.get(spec.id)) {
                        (Some(_), Some(d)) => format!("  {}", synced_line(spec, e, *d, state.project.tempo)),
                        _ => format!("  {}", param_line(spec, value(&e.params, spec), true)),
                    },
                    None => format!("  {}", param_line(spec, spec.default, true)),
                },
            };
            let text = match mapping_note(state, inst, *row) {
                Some(note) => text + &note,
                None => text,
            };
            if r == cursor {
                cursor_line = lines.len();
                lines.push(Line::styled(text, cursor_style()));
            } else {
                lines.push(Line::raw(text));
            }
        }
        if inst.def.effects.is_empty() {
            lines.push(Line::raw(""));
            lines.push(Line::styled("Effects", header));
            lines.push(Line::raw("  none (a adds one)"));
        }
        // The cursor on an EQ (its header or a band): its curve underneath.
        let eq = match rows.get(cursor) {
            Some(Row::Effect(i) | Row::EffectParam(i, _)) => {
                inst.def.effects.get(*i).filter(|e| e.kind == EffectKind::EQ12).map(|e| (*i, e))
            }
            _ => None,
        };
        let (area, curve_area) = match eq {
            Some(_) if area.height >= 2 * eq_curve::HEIGHT => {
                let list = Rect { height: area.height - eq_curve::HEIGHT, ..area };
                (list, Some(Rect { y: area.y + list.height, height: eq_curve::HEIGHT, ..area }))
            }
            _ => (area, None),
        };
        let height = usize::from(area.height.saturating_sub(2));
        let first = follow(0, cursor_line, height);
        let title = format!(" Editor · {} ", inst.name);
        let lines: Vec<Line> = lines.into_iter().skip(first).collect();
        frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(title)), area);
        if let (Some((i, e)), Some(curve)) = (eq, curve_area) {
            let title = format!(" {}. EQ response, ±24 dB, 20 Hz – 20 kHz ", i + 1);
            frame.render_widget(eq_curve::EqCurve::new(&e.params, title), curve);
        }
    }
}

/// The cursor row of the effect header that will be at `to` after a move
/// from `from` (headers are found in the current rows by position).
fn header_row(rows: &[Row], to: usize, from: usize) -> usize {
    let headers: Vec<usize> =
        rows.iter().enumerate().filter(|(_, r)| matches!(r, Row::Effect(_))).map(|(i, _)| i).collect();
    let params_of = |k: usize| headers.get(k + 1).copied().unwrap_or(rows.len()) - headers.get(k).copied().unwrap_or(0);
    if to < from {
        headers.get(to).copied().unwrap_or(0)
    } else {
        // The moved effect lands after the one that was at `to`.
        headers.get(from).copied().unwrap_or(0) + params_of(to)
    }
}

/// The instrument's filter changed to the next (or previous) type of the
/// catalog: parameters with the same id (cutoff, resonance) keep their
/// values (clamped to the new range), the others start at their defaults;
/// bypass, envelope and key tracking stay as
/// they were. One `SetFilter`: one undo step, and one
/// replacing `/s_new` on the server.
fn next_filter_type(f: &FilterDef, forward: bool) -> FilterDef {
    let mut next = FilterDef::new(f.kind.cycle(forward));
    for spec in next.kind.params() {
        if let (Some(old), Some(slot)) = (f.params.get(spec.id), next.params.get_mut(spec.id)) {
            *slot = spec.clamp(*old);
        }
    }
    next.enabled = f.enabled;
    next.env = f.env;
    next
}

fn on_off(enabled: bool) -> &'static str {
    if enabled { "[on]" } else { "[bypassed]" }
}

fn effect_line(i: usize, e: &EffectSlot, project: &imbolc_types::Project) -> String {
    let line = format!("{}. {} {}", i + 1, e.kind.name(), on_off(e.enabled));
    if !takes_key(e.kind) {
        return line;
    }
    let key = match e.key {
        None => "itself (i picks a key)".to_owned(),
        Some(ChainOwner::Instrument(k)) => project.instruments.get(&k).map_or("?".to_owned(), |x| x.name.clone()),
        Some(ChainOwner::Bus(b)) => project.buses.get(&b).map_or("?".to_owned(), |x| format!("bus {}", x.name)),
        Some(ChainOwner::Master) => "master".to_owned(),
    };
    format!("{line}  key: {key}")
}

/// The parameter a row edits (headers edit none).
fn target_of(inst: &Instrument, row: Row) -> Option<ParamTarget> {
    let id = inst.id;
    Some(match row {
        Row::Source(spec) => ParamTarget::Source { instrument: id, param: spec.id.to_owned() },
        Row::Envelope(stage) => ParamTarget::Envelope { instrument: id, stage },
        Row::FilterParam(spec) => ParamTarget::Filter { instrument: id, param: spec.id.to_owned() },
        Row::EffectParam(i, spec) => ParamTarget::Effect {
            owner: ChainOwner::Instrument(id),
            effect: inst.def.effects.get(i)?.id,
            param: spec.id.to_owned(),
        },
        Row::Voice(_) | Row::Filter | Row::Effect(_) => return None,
    })
}

/// The MIDI controller mapped to a row's parameter, as shown next to it.
fn mapping_note(state: &State, inst: &Instrument, row: Row) -> Option<String> {
    let target = target_of(inst, row)?;
    let m = state.project.midi_mappings.iter().find(|m| m.target == target)?;
    Some(format!("  ← CC{} ch{}", m.cc, m.channel + 1))
}

/// `  Cutoff     2000.0 Hz  [20 – 20000] ██████────`
fn param_line(spec: &ParamSpec, v: f32, bar: bool) -> String {
    let value = if spec.max >= 100.0 {
        format!("{v:.0}")
    } else if spec.unit == "s" && v < 1.0 {
        // Short times matter to the millisecond.
        format!("{v:.3}")
    } else {
        format!("{v:.2}")
    };
    // A linear bar over 0–30 s would look empty for every useful time.
    let bar = bar && !(spec.unit == "s" && spec.max >= 10.0);
    let range = format!("[{} – {}]", spec.min, spec.max);
    let mut s = format!("  {:<10} {:>7} {:<3} {range:<14}", spec.label, value, spec.unit);
    if bar {
        let frac = ((v - spec.min) / (spec.max - spec.min)).clamp(0.0, 1.0);
        // Truncation is the intent: a bar of whole cells.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let full = (frac * 20.0).round() as usize;
        s.push_str(&format!(" {}{}", "█".repeat(full), "─".repeat(20 - full)));
    }
    s
}

/// `  Time       1/8.  sync  = 0.375 s`: a parameter following the tempo,
/// with the value the server gets now (clamped into its range).
fn synced_line(spec: &ParamSpec, e: &EffectSlot, d: NoteDivision, bpm: f32) -> String {
    let v = spec.clamp(e.effective(spec, bpm));
    let shown = if v < 1.0 { format!("{v:.3}") } else { format!("{v:.2}") };
    format!("  {:<10} {:>7} sync  = {shown} {}", spec.label, d.name(), spec.unit)
}

/// Shorthand for a `SetParam` on a target.
trait SetParam {
    fn set(self, value: f32) -> Action;
}

impl SetParam for ParamTarget {
    fn set(self, value: f32) -> Action {
        Action::SetParam { target: self, value }
    }
}
