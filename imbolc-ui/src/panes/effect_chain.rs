//! One effect chain as the editor shows and edits it, whoever owns it (an
//! instrument, a bus or the master): its rows (a header per effect, then
//! its parameters), what the effect keys do on them (add, remove, move,
//! bypass, step a parameter, tempo sync, sidechain key), each as one
//! action, and their text. The instrument editor and the bus and master
//! chains share this, so they behave alike.

use imbolc_types::catalog::SyncUnit;
use imbolc_types::catalog::mix::takes_key;
use imbolc_types::{Action, ChainOwner, EffectKind, EffectSlot, NoteDivision, ParamSpec, ParamTarget, Params, Project};

use super::{Intent, State};
use crate::commands::CommandId;

/// A row of a chain: an effect's header or one of its parameters, by the
/// effect's position in the chain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum ChainRow {
    Effect(usize),
    Param(usize, &'static ParamSpec),
}

impl ChainRow {
    /// The position in the chain of the effect the row belongs to.
    pub(super) fn index(self) -> usize {
        match self {
            ChainRow::Effect(i) | ChainRow::Param(i, _) => i,
        }
    }
}

/// What an effect command asks of the editor.
#[derive(Debug)]
pub(super) enum Reply {
    /// Carry out this intent (or nothing).
    Intent(Option<Intent>),
    /// An effect moves from `from` to `to` in the chain: the editor keeps
    /// its cursor on the moved effect's header, then dispatches.
    Moved { from: usize, to: usize, action: Action },
}

/// An effect chain and its owner.
#[derive(Debug, Clone, Copy)]
pub(super) struct Chain<'a> {
    pub owner: ChainOwner,
    pub effects: &'a [EffectSlot],
}

impl<'a> Chain<'a> {
    /// Every row, in order.
    pub(super) fn rows(self) -> impl Iterator<Item = ChainRow> + 'a {
        self.effects.iter().enumerate().flat_map(|(i, e)| {
            std::iter::once(ChainRow::Effect(i)).chain(e.kind.params().iter().map(move |p| ChainRow::Param(i, p)))
        })
    }

    fn effect(self, row: ChainRow) -> Option<&'a EffectSlot> {
        self.effects.get(row.index())
    }

    /// The parameter a row edits (headers edit none).
    pub(super) fn target(self, row: ChainRow) -> Option<ParamTarget> {
        match row {
            ChainRow::Param(i, spec) => Some(ParamTarget::Effect {
                owner: self.owner,
                effect: self.effects.get(i)?.id,
                param: spec.id.to_owned(),
            }),
            ChainRow::Effect(_) => None,
        }
    }

    /// The `eq12` effect the row belongs to, with its position: the
    /// editor draws its response curve.
    pub(super) fn eq_at(self, row: ChainRow) -> Option<(usize, &'a EffectSlot)> {
        self.effect(row).filter(|e| e.kind == EffectKind::EQ12).map(|e| (row.index(), e))
    }

    /// Runs an effect command on the row under the cursor (`None`: the
    /// cursor is not on this chain). `None` back when `cmd` is not an
    /// effect command.
    pub(super) fn command(self, cmd: CommandId, row: Option<ChainRow>, state: &State) -> Option<Reply> {
        let owner = self.owner;
        let selected = row.and_then(|r| self.effect(r));
        let none = || Some(Reply::Intent(None));
        let action = match cmd {
            CommandId::AddEffect => return Some(Reply::Intent(Some(Intent::ChooseEffect(owner)))),
            CommandId::ParamDecrease | CommandId::ParamIncrease => {
                let Some(ChainRow::Param(_, spec)) = row else { return none() };
                let Some(e) = selected else { return none() };
                match step_effect(owner, e, spec, cmd == CommandId::ParamIncrease) {
                    Some(a) => a,
                    None => return none(),
                }
            }
            CommandId::RemoveEffect => match selected {
                Some(e) => Action::RemoveEffect { owner, effect: e.id },
                None => return none(),
            },
            CommandId::BypassEffect => match selected {
                Some(e) => Action::SetEffectEnabled { owner, effect: e.id, enabled: !e.enabled },
                None => return none(),
            },
            CommandId::EffectKeyNext => {
                let Some(e) = selected else { return none() };
                if !takes_key(e.kind) {
                    return Some(Reply::Intent(Some(Intent::Message("Only sidechain effects take a key".to_owned()))));
                }
                let keys = key_candidates(state.project, owner);
                let next = match e.key.and_then(|k| keys.iter().position(|o| *o == k)) {
                    None if e.key.is_none() => keys.first().copied(),
                    None => None,
                    Some(i) => keys.get(i + 1).copied(),
                };
                Action::SetEffectKey { owner, effect: e.id, key: next }
            }
            CommandId::EffectIr => {
                let Some(e) = selected else { return none() };
                if e.kind.id() != imbolc_core::dispatch::CONVOLUTION {
                    let why = "Only a convolution reverb takes an impulse response";
                    return Some(Reply::Intent(Some(Intent::Message(why.to_owned()))));
                }
                return Some(Reply::Intent(Some(Intent::ChooseEffectIr { owner, effect: e.id })));
            }
            CommandId::MoveEffectUp | CommandId::MoveEffectDown => {
                let Some(e) = selected else { return none() };
                let Some(from) = self.effects.iter().position(|s| s.id == e.id) else { return none() };
                let to = match cmd {
                    CommandId::MoveEffectUp => match from.checked_sub(1) {
                        Some(t) => t,
                        None => return none(),
                    },
                    _ => from + 1,
                };
                if to >= self.effects.len() {
                    return none();
                }
                return Some(Reply::Moved { from, to, action: Action::MoveEffect { owner, effect: e.id, index: to } });
            }
            CommandId::TempoSync => {
                let (Some(ChainRow::Param(_, spec)), Some(e)) = (row, selected) else {
                    let text = "tempo sync: select an effect's time or rate".to_owned();
                    return Some(Reply::Intent(Some(Intent::Message(text))));
                };
                let Some(unit) = spec.sync else {
                    let text = format!("{} cannot follow the tempo", spec.label);
                    return Some(Reply::Intent(Some(Intent::Message(text))));
                };
                let division = match e.sync.get(spec.id) {
                    Some(_) => None,
                    // Start from the division nearest what is heard now.
                    None => Some(NoteDivision::nearest(unit, value(&e.params, spec), state.project.tempo)),
                };
                Action::SetEffectSync { owner, effect: e.id, param: spec.id.to_owned(), division }
            }
            _ => return None,
        };
        Some(Reply::Intent(Some(Intent::Dispatch(action))))
    }

    /// The text of a row.
    pub(super) fn line(self, row: ChainRow, project: &Project) -> String {
        match row {
            ChainRow::Effect(i) => self.effects.get(i).map_or_else(String::new, |e| effect_line(i, e, project)),
            ChainRow::Param(i, spec) => match self.effects.get(i) {
                Some(e) => match (spec.sync, e.sync.get(spec.id)) {
                    (Some(_), Some(d)) => format!("  {}", synced_line(spec, e, *d, project.tempo)),
                    _ => format!("  {}", param_line(spec, value(&e.params, spec), true)),
                },
                None => format!("  {}", param_line(spec, spec.default, true)),
            },
        }
    }
}

/// A parameter one step up or down; a synced one steps through the note
/// divisions instead (up is a longer time or a faster rate). `None` at the
/// end of the divisions.
fn step_effect(owner: ChainOwner, e: &EffectSlot, spec: &ParamSpec, up: bool) -> Option<Action> {
    if let (Some(unit), Some(d)) = (spec.sync, e.sync.get(spec.id)) {
        let longer = up == (unit == SyncUnit::Seconds);
        let next = if longer { d.longer() } else { d.shorter() };
        if next == *d {
            return None;
        }
        return Some(Action::SetEffectSync { owner, effect: e.id, param: spec.id.to_owned(), division: Some(next) });
    }
    let target = ParamTarget::Effect { owner, effect: e.id, param: spec.id.to_owned() };
    Some(Action::SetParam { target, value: step(spec, value(&e.params, spec), up) })
}

/// The chains `i` steps through as a sidechain key of an effect owned by
/// `owner`, in order (after the last: none). Only those that run earlier
/// in the block (see docs/architecture.md): an instrument is keyed by the
/// other instruments, a bus by the instruments and the buses before it,
/// the master by any instrument or bus.
fn key_candidates(p: &Project, owner: ChainOwner) -> Vec<ChainOwner> {
    let instruments = p.instruments.keys().map(|k| ChainOwner::Instrument(*k));
    match owner {
        ChainOwner::Instrument(id) => instruments.filter(|k| *k != ChainOwner::Instrument(id)).collect(),
        ChainOwner::Bus(b) => {
            instruments.chain(p.buses.keys().take_while(|k| **k != b).map(|k| ChainOwner::Bus(*k))).collect()
        }
        ChainOwner::Master => instruments.chain(p.buses.keys().map(|k| ChainOwner::Bus(*k))).collect(),
    }
}

/// The value after one step up or down: a fiftieth of the range, or ten
/// percent for frequencies (as ears hear them), clamped to the range.
pub(super) fn step(spec: &ParamSpec, value: f32, up: bool) -> f32 {
    let next = if spec.unit == "Hz" && spec.min > 0.0 {
        if up { value * 1.1 } else { value / 1.1 }
    } else {
        let d = (spec.max - spec.min) / 50.0;
        if up { value + d } else { value - d }
    };
    spec.clamp(next)
}

/// A parameter's value, its default when the map lacks it.
pub(super) fn value(params: &Params, spec: &ParamSpec) -> f32 {
    params.get(spec.id).copied().unwrap_or(spec.default)
}

pub(super) fn on_off(enabled: bool) -> &'static str {
    if enabled { "[on]" } else { "[bypassed]" }
}

fn effect_line(i: usize, e: &EffectSlot, project: &Project) -> String {
    let line = format!("{}. {} {}", i + 1, e.kind.name(), on_off(e.enabled));
    if e.kind.id() == imbolc_core::dispatch::CONVOLUTION {
        let ir = e.ir.as_ref().map_or("built-in (I loads a file)", |s| s.name.as_str());
        return format!("{line}  ir: {ir}");
    }
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

/// `  Cutoff     2000.0 Hz  [20 – 20000] ██████────`
pub(super) fn param_line(spec: &ParamSpec, v: f32, bar: bool) -> String {
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
