//! The editor: the selected instrument's source parameters, its filter
//! slot and its effect chain, one row per thing the cursor can be on; or,
//! opened from a bus or the master strip in the mixer, that strip's effect
//! chain alone. Values move in steps of a fiftieth of their catalog range
//! (frequencies by ten percent, as ears hear them), clamped to the range.

use imbolc_types::{
    Action, ChainOwner, EnvelopeDef, EnvelopeStage, FilterDef, FilterKind, Instrument, ParamSpec, ParamTarget,
};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

use super::effect_chain::{Chain, ChainRow, Reply, on_off, param_line, step, value};
use super::eq_curve;
use super::input_rows::{InputRow, monitor_command};
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
    /// An effect's header or parameter.
    Chain(ChainRow),
    /// The master limiter's ceiling (master chain only).
    Ceiling,
    /// An audio input instrument's source or gain.
    Input(InputRow),
}

/// The editor's view state: which row the cursor is on, and whose chain
/// it shows when not the selected instrument's.
#[derive(Debug, Default)]
pub struct EditorPane {
    cursor: usize,
    /// A bus's or the master's chain, opened from the mixer; `None`: the
    /// selected instrument.
    chain: Option<ChainOwner>,
}

/// What the editor shows.
#[derive(Clone, Copy)]
enum Subject<'a> {
    Instrument(&'a Instrument),
    /// A bus or the master: its effect chain only.
    Strip {
        chain: Chain<'a>,
        name: &'a str,
    },
}

impl<'a> Subject<'a> {
    fn chain(self) -> Chain<'a> {
        match self {
            Subject::Instrument(inst) => Chain { owner: ChainOwner::Instrument(inst.id), effects: &inst.def.effects },
            Subject::Strip { chain, .. } => chain,
        }
    }

    fn rows(self) -> Vec<Row> {
        let Subject::Instrument(inst) = self else {
            let chain = self.chain();
            let limiter = (chain.owner == ChainOwner::Master).then_some(Row::Ceiling);
            return limiter.into_iter().chain(chain.rows().map(Row::Chain)).collect();
        };
        if inst.def.input.is_some() {
            // No notes: no source, envelope or voice rows, and no filter
            // envelope (it follows notes).
            let mut rows: Vec<Row> = InputRow::ALL.map(Row::Input).to_vec();
            rows.push(Row::Filter);
            if let Some(f) = &inst.def.filter {
                rows.extend(f.kind.params().iter().map(Row::FilterParam));
            }
            rows.extend(self.chain().rows().map(Row::Chain));
            return rows;
        }
        let mut rows: Vec<Row> =
            imbolc_types::custom::source_specs(&inst.def.source).iter().copied().map(Row::Source).collect();
        rows.extend(STAGES.map(Row::Envelope));
        rows.extend(VoiceRow::ALL.map(Row::Voice));
        rows.push(Row::Filter);
        if let Some(f) = &inst.def.filter {
            rows.extend(f.kind.params().iter().map(Row::FilterParam));
            rows.extend(imbolc_types::filter_env::FILTER_ENV_PARAMS.iter().map(Row::FilterParam));
        }
        rows.extend(self.chain().rows().map(Row::Chain));
        rows
    }

    /// The parameter a row edits (headers edit none).
    fn target(self, row: Row) -> Option<ParamTarget> {
        let id = match (self, row) {
            (_, Row::Chain(r)) => return self.chain().target(r),
            (_, Row::Ceiling) => return Some(ParamTarget::MasterLimiterCeiling),
            (Subject::Instrument(inst), _) => inst.id,
            (Subject::Strip { .. }, _) => return None,
        };
        Some(match row {
            Row::Source(spec) => ParamTarget::Source { instrument: id, param: spec.id.to_owned() },
            Row::Envelope(stage) => ParamTarget::Envelope { instrument: id, stage },
            Row::FilterParam(spec) => ParamTarget::Filter { instrument: id, param: spec.id.to_owned() },
            Row::Voice(_) | Row::Filter | Row::Chain(_) | Row::Ceiling | Row::Input(_) => return None,
        })
    }
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

impl EditorPane {
    /// Shows the effect chain of a bus or the master (from the mixer); an
    /// instrument's owner shows that instrument (the app selects it).
    pub fn edit_chain(&mut self, owner: ChainOwner) {
        self.chain = match owner {
            ChainOwner::Instrument(_) => None,
            other => Some(other),
        };
        self.cursor = 0;
    }

    /// Back to the selected instrument (`2`, or selecting an instrument).
    pub fn edit_instrument(&mut self) {
        if self.chain.take().is_some() {
            self.cursor = 0;
        }
    }

    /// Moves the cursor to the last effect's header (a new effect goes at
    /// the end), so it is in view and its parameters are the next rows.
    pub fn show_last_effect(&mut self, state: &State) {
        let Some(subject) = self.subject(state) else { return };
        let rows = subject.rows();
        if let Some(at) = rows.iter().rposition(|r| matches!(r, Row::Chain(ChainRow::Effect(_)))) {
            self.cursor = at;
        }
    }

    /// What the editor shows: the bus or master chain it was opened on
    /// (while that bus exists), else the selected instrument.
    fn subject<'a>(&self, state: &State<'a>) -> Option<Subject<'a>> {
        let p = state.project;
        match self.chain {
            Some(owner @ ChainOwner::Bus(b)) => p
                .buses
                .get(&b)
                .map(|bus| Subject::Strip { chain: Chain { owner, effects: &bus.effects }, name: &bus.name }),
            Some(owner @ ChainOwner::Master) => {
                Some(Subject::Strip { chain: Chain { owner, effects: &p.master_effects }, name: "master" })
            }
            _ => state.selected_instrument().map(Subject::Instrument),
        }
    }

    /// The parameter under the cursor (for MIDI learn).
    pub fn selected_target(&self, state: &State) -> Option<ParamTarget> {
        let subject = self.subject(state)?;
        let rows = subject.rows();
        subject.target(*rows.get(self.cursor.min(rows.len().saturating_sub(1)))?)
    }

    /// Runs a command on what the editor shows.
    pub fn handle(&mut self, cmd: CommandId, state: &State) -> Option<Intent> {
        let Some(subject) = self.subject(state) else {
            return Some(Intent::Message("No instrument selected: add one in the instrument list (1)".to_owned()));
        };
        let rows = subject.rows();
        self.cursor = self.cursor.min(rows.len().saturating_sub(1));
        let row = rows.get(self.cursor).copied();
        match cmd {
            CommandId::Up => {
                self.cursor = self.cursor.saturating_sub(1);
                return None;
            }
            CommandId::Down => {
                self.cursor = (self.cursor + 1).min(rows.len().saturating_sub(1));
                return None;
            }
            CommandId::MidiUnmap => {
                let target = subject.target(row?)?;
                let Some(m) = state.project.midi_mappings.iter().find(|m| m.target == target) else {
                    return Some(Intent::Message("no MIDI controller is mapped to this parameter".to_owned()));
                };
                return Some(Intent::Dispatch(Action::UnmapMidiCc { channel: m.channel, cc: m.cc }));
            }
            _ => {}
        }
        if let Some(intent) = input_command(subject, row, cmd, state) {
            return Some(intent);
        }
        let chain_row = match row {
            Some(Row::Chain(r)) => Some(r),
            _ => None,
        };
        let instrument_cmd = match (subject, row) {
            (Subject::Instrument(inst), Some(row)) => instrument_command(inst, row, cmd),
            (_, Some(Row::Ceiling)) => ceiling_command(state, cmd),
            _ => None,
        };
        if let Some(action) = instrument_cmd {
            return Some(Intent::Dispatch(action));
        }
        match subject.chain().command(cmd, chain_row, state) {
            Some(Reply::Intent(intent)) => intent,
            Some(Reply::Moved { from, to, action }) => {
                // Keep the cursor on the moved effect's header.
                self.cursor = header_row(&rows, to, from);
                Some(Intent::Dispatch(action))
            }
            None if cmd == CommandId::ToggleFilter => {
                Some(Intent::Message("Only instruments have a filter slot; add a filter effect here".to_owned()))
            }
            None => None,
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, state: &State) {
        let Some(subject) = self.subject(state) else {
            let text = vec![Line::raw(""), Line::raw("  No instrument selected. Add one in the instrument list (1).")];
            frame.render_widget(Paragraph::new(text).block(Block::bordered().title(" Editor ")), area);
            return;
        };
        let rows = subject.rows();
        let chain = subject.chain();
        let cursor = self.cursor.min(rows.len().saturating_sub(1));
        let header = Style::default().add_modifier(Modifier::BOLD);
        let mut lines: Vec<Line> = Vec::new();
        let mut cursor_line = 0;
        let title = match subject {
            Subject::Instrument(inst) => {
                let source = super::instruments::source_label(&inst.def);
                let description = match (&inst.def.drums, &inst.def.source.custom) {
                    _ if inst.def.input.is_some() => monitoring(inst),
                    (Some(_), _) => "",
                    (None, Some(custom)) => {
                        custom.broken.as_deref().map_or("your SynthDef", |_| "silent: its SynthDef is broken")
                    }
                    (None, None) => inst.def.source.kind.spec().description,
                };
                lines.push(Line::styled(format!("Source: {source}  {description}"), header));
                format!(" Editor · {} ", inst.name)
            }
            Subject::Strip { name, chain } => {
                let what = match chain.owner {
                    ChainOwner::Master => "Master".to_owned(),
                    _ => format!("Bus {name}"),
                };
                let limiter = match chain.owner {
                    ChainOwner::Master => ", then the limiter",
                    _ => "",
                };
                lines.push(Line::styled(format!("{what}: effects after its inputs are summed{limiter}"), header));
                lines.push(Line::raw("  (2 or selecting an instrument goes back to the instrument)"));
                format!(" Effects · {what} ")
            }
        };
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
                Row::Ceiling => {
                    lines.push(Line::raw(""));
                    lines.push(Line::styled("Limiter (the last stage)", header));
                }
                Row::FilterParam(spec) if spec.id == imbolc_types::filter_env::ENV_AMOUNT.id => {
                    lines.push(Line::styled("Filter envelope (per note)", header));
                }
                Row::Chain(ChainRow::Effect(0)) => {
                    lines.push(Line::raw(""));
                    lines.push(Line::styled("Effects", header));
                }
                _ => {}
            }
            let text = match (*row, subject) {
                (Row::Chain(r), _) => chain.line(r, state.project),
                (Row::Source(spec), Subject::Instrument(inst)) => {
                    param_line(&spec, value(&inst.def.source.params, &spec), true)
                }
                (Row::Envelope(stage), Subject::Instrument(inst)) => {
                    param_line(&stage_spec(stage), stage_value(&inst.def.amp_env, stage), true)
                }
                (Row::Voice(v), Subject::Instrument(inst)) => v.text(inst),
                (Row::Input(r), Subject::Instrument(inst)) => {
                    inst.def.input.as_ref().map_or_else(String::new, |input| r.text(input, state.project))
                }
                (Row::Filter, Subject::Instrument(inst)) => match &inst.def.filter {
                    Some(f) => format!("Filter: {} {}  (h/l: type)", f.kind.name(), on_off(f.enabled)),
                    None => "Filter: none (f adds a low-pass, then h/l change its type)".to_owned(),
                },
                (Row::FilterParam(spec), Subject::Instrument(inst)) => {
                    let f = inst.def.filter.as_ref();
                    param_line(spec, f.and_then(|f| f.value(spec.id)).unwrap_or(spec.default), true)
                }
                (Row::Ceiling, _) => {
                    let m = &state.project.master;
                    let line = param_line(&CEILING, m.limiter_ceiling_db, true);
                    if m.limiter { line } else { format!("{line} (limiter off: L on the master strip)") }
                }
                (_, Subject::Strip { .. }) => String::new(),
            };
            let text = match mapping_note(state, subject, *row) {
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
        if chain.effects.is_empty() {
            lines.push(Line::raw(""));
            lines.push(Line::styled("Effects", header));
            lines.push(Line::raw("  none (a adds one)"));
        }
        // The cursor on an EQ (its header or a band): its curve underneath.
        let eq = match rows.get(cursor) {
            Some(Row::Chain(r)) => chain.eq_at(*r),
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
        let lines: Vec<Line> = lines.into_iter().skip(first).collect();
        frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(title)), area);
        if let (Some((i, e)), Some(curve)) = (eq, curve_area) {
            let title = format!(" {}. EQ response, ±24 dB, 20 Hz – 20 kHz ", i + 1);
            frame.render_widget(eq_curve::EqCurve::new(&e.params, title), curve);
        }
    }
}

/// What the editor shows for the master limiter's ceiling.
const CEILING: ParamSpec = ParamSpec::new(
    "ceiling",
    "Ceiling",
    imbolc_types::mixer::LIMITER_CEILING_DB,
    imbolc_types::mixer::LIMITER_CEILING_RANGE.0,
    imbolc_types::mixer::LIMITER_CEILING_RANGE.1,
    "dB",
);

/// `h`/`l` on the ceiling row: half a dB down or up.
fn ceiling_command(state: &State, cmd: CommandId) -> Option<Action> {
    let d = match cmd {
        CommandId::ParamDecrease => -0.5,
        CommandId::ParamIncrease => 0.5,
        _ => return None,
    };
    let value = CEILING.clamp(((state.project.master.limiter_ceiling_db + d) * 2.0).round() / 2.0);
    Some(ParamTarget::MasterLimiterCeiling.set(value))
}

/// The value of a filter row after one step: the envelope's times move
/// by a quarter of themselves like the amp envelope's, its amount by a
/// quarter octave; the filter's own parameters as effect parameters do.
fn filter_step(spec: &ParamSpec, value: f32, up: bool) -> f32 {
    let next = if spec.unit == "s" && spec.min == 0.0 {
        match up {
            true => (value * 1.25).max(0.005),
            false if value <= 0.005 => 0.0,
            false => value / 1.25,
        }
    } else if spec.unit == "oct" {
        if up { value + 0.25 } else { value - 0.25 }
    } else {
        return step(spec, value, up);
    };
    spec.clamp(next)
}

/// A command on an instrument's own rows (source, envelope, voice,
/// filter); `None` when it is not one (effect commands go to the chain).
fn instrument_command(inst: &Instrument, row: Row, cmd: CommandId) -> Option<Action> {
    let id = inst.id;
    match cmd {
        CommandId::ParamDecrease | CommandId::ParamIncrease => {
            let up = cmd == CommandId::ParamIncrease;
            Some(match row {
                Row::Source(spec) => ParamTarget::Source { instrument: id, param: spec.id.to_owned() }.set(step(
                    &spec,
                    value(&inst.def.source.params, &spec),
                    up,
                )),
                Row::Envelope(stage) => ParamTarget::Envelope { instrument: id, stage }.set(stage_step(
                    stage,
                    stage_value(&inst.def.amp_env, stage),
                    up,
                )),
                Row::FilterParam(spec) => {
                    let f = inst.def.filter.as_ref()?;
                    ParamTarget::Filter { instrument: id, param: spec.id.to_owned() }.set(filter_step(
                        spec,
                        f.value(spec.id).unwrap_or(spec.default),
                        up,
                    ))
                }
                Row::Voice(v) => v.change(inst, up),
                Row::Filter => {
                    let f = inst.def.filter.as_ref()?;
                    Action::SetFilter { instrument: id, filter: Some(next_filter_type(f, up)) }
                }
                Row::Chain(_) | Row::Ceiling | Row::Input(_) => return None,
            })
        }
        CommandId::ToggleFilter => Some(Action::SetFilter {
            instrument: id,
            filter: match inst.def.filter {
                Some(_) => None,
                None => Some(FilterDef::new(FilterKind::LOW_PASS)),
            },
        }),
        // On the filter rows, bypass is the filter's.
        CommandId::BypassEffect => match (row, &inst.def.filter) {
            (Row::Filter | Row::FilterParam(_), Some(f)) => {
                Some(Action::SetFilterEnabled { instrument: id, enabled: !f.enabled })
            }
            _ => None,
        },
        _ => None,
    }
}

/// What an audio input instrument's header says about monitoring.
fn monitoring(inst: &Instrument) -> &'static str {
    match inst.def.input {
        Some(i) if i.monitor => "audio input, monitoring on (m: off)",
        _ => "audio input, monitoring OFF: silent (m: on)",
    }
}

/// `m` anywhere, and `h`/`l` on the input rows, of an audio input
/// instrument; `m` on another instrument says what it is for.
fn input_command(subject: Subject, row: Option<Row>, cmd: CommandId, state: &State) -> Option<Intent> {
    let Subject::Instrument(inst) = subject else { return None };
    let Some(input) = &inst.def.input else {
        return (cmd == CommandId::InputMonitor).then(|| {
            Intent::Message(
                "m turns monitoring on or off for an audio input (i in the instrument list adds one)".into(),
            )
        });
    };
    if let Some(action) = monitor_command(inst.id, input, cmd) {
        return Some(Intent::Dispatch(action));
    }
    match (row, cmd) {
        (Some(Row::Input(r)), CommandId::ParamDecrease | CommandId::ParamIncrease) => {
            let up = cmd == CommandId::ParamIncrease;
            Some(Intent::Dispatch(r.change(inst.id, input, state.project, up)))
        }
        _ => None,
    }
}

/// The cursor row of the effect header that will be at `to` after a move
/// from `from` (headers are found in the current rows by position).
fn header_row(rows: &[Row], to: usize, from: usize) -> usize {
    let headers: Vec<usize> =
        rows.iter().enumerate().filter(|(_, r)| matches!(r, Row::Chain(ChainRow::Effect(_)))).map(|(i, _)| i).collect();
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
/// bypass stays as it was. One `SetFilter`: one undo step, and one
/// replacing `/s_new` on the server.
fn next_filter_type(f: &FilterDef, forward: bool) -> FilterDef {
    let mut next = FilterDef::new(f.kind.cycle(forward));
    for spec in next.kind.params() {
        if let (Some(old), Some(slot)) = (f.params.get(spec.id), next.params.get_mut(spec.id)) {
            *slot = spec.clamp(*old);
        }
    }
    next.enabled = f.enabled;
    next
}

/// The MIDI controller mapped to a row's parameter, as shown next to it.
fn mapping_note(state: &State, subject: Subject, row: Row) -> Option<String> {
    let target = subject.target(row)?;
    let m = state.project.midi_mappings.iter().find(|m| m.target == target)?;
    Some(format!("  ← CC{} ch{}", m.cc, m.channel + 1))
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
