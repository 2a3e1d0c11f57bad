//! Words to a typed [`Command`]: the one parser behind `imbolc run`,
//! `imbolc repl` and (later) the control socket. Names (instruments,
//! buses, clips, parameters) stay text here; `exec` resolves them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use imbolc_types::{DrumStep, EffectKind, FilterKind, Note, SourceKind, StepResolution, Tick, TimeSignature};

use super::ScriptError;
use super::lex;
use super::table::{self, CommandSpec};

/// One parsed line.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    ProjectName(String),
    ProjectArtist(String),
    Tempo(f32),
    Time(TimeSignature),
    InstrumentAdd { source: SourceKind, name: Option<String> },
    InstrumentRemove(String),
    InstrumentRename { instrument: String, name: String },
    KitAdd(String),
    FilterSet { instrument: String, kind: FilterKind },
    FilterOff(String),
    EffectAdd { owner: String, kind: EffectKind, at: Option<usize> },
    EffectRemove { owner: String, effect: String },
    EffectBypass { owner: String, effect: String, bypass: bool },
    ParamSet { param: String, value: f32 },
    Mute { instrument: String, on: bool },
    Solo { instrument: String, on: bool },
    BusAdd(String),
    BusRemove(String),
    BusMute { bus: String, on: bool },
    SendAdd { instrument: String, bus: String, level: f32 },
    SendRemove { instrument: String, bus: String },
    Output { instrument: String, target: String },
    ClipAdd { instrument: String, name: String, length: Tick },
    ClipLoop { clip: String, on: bool },
    ClipLength { clip: String, length: Tick },
    ClipRemove(String),
    Place { clip: String, start: Tick, length: Tick },
    NoteAdd { clip: String, note: Note },
    PatternAdd { kit: String, name: String, steps: u8, resolution: StepResolution },
    PatternSet { clip: String, steps: Option<u8>, resolution: Option<StepResolution>, swing: Option<f32> },
    StepSet { clip: String, steps: Vec<u8>, pad: String, step: DrumStep },
    StepClear { clip: String, steps: Vec<u8>, pad: String },
    LaneAdd(String),
    PointSet { param: String, tick: Tick, value: f32 },
    PointRemove { param: String, tick: Tick },
    Undo,
    Redo,
    Save(Option<PathBuf>),
    List,
    Checkpoint(String),
    Checkpoints,
    Restore(String),
    Quit,
    Help(Vec<String>),
}

/// The arguments after a command's name: positional words and
/// `--flag VALUE` pairs.
struct Args {
    spec: &'static CommandSpec,
    pos: std::vec::IntoIter<String>,
    flags: BTreeMap<String, String>,
}

impl Args {
    fn new(spec: &'static CommandSpec, words: &[String]) -> Result<Args, ScriptError> {
        let mut pos = Vec::new();
        let mut flags = BTreeMap::new();
        let mut it = words.iter();
        while let Some(w) = it.next() {
            if let Some(flag) = w.strip_prefix("--") {
                if !spec.args.contains(&format!("--{flag} ")) {
                    return Err(usage(spec, &format!("no option --{flag}")));
                }
                let value = it.next().ok_or_else(|| usage(spec, &format!("--{flag} needs a value")))?;
                flags.insert(flag.to_owned(), value.clone());
            } else {
                pos.push(w.clone());
            }
        }
        Ok(Args { spec, pos: pos.into_iter(), flags })
    }

    fn next(&mut self, what: &str) -> Result<String, ScriptError> {
        self.pos.next().ok_or_else(|| usage(self.spec, &format!("{what} is missing")))
    }

    fn opt(&mut self) -> Option<String> {
        self.pos.next()
    }

    fn flag(&mut self, name: &str) -> Option<String> {
        self.flags.remove(name)
    }

    fn rest(&mut self) -> Vec<String> {
        self.pos.by_ref().collect()
    }

    fn done<T>(mut self, command: T) -> Result<T, ScriptError> {
        match self.pos.next() {
            Some(extra) => Err(usage(self.spec, &format!("unexpected {extra:?}"))),
            None => Ok(command),
        }
    }
}

fn usage(spec: &CommandSpec, message: &str) -> ScriptError {
    ScriptError::Invalid(format!("{}: {message} (usage: {} {})", spec.name, spec.name, spec.args))
}

fn resolution(word: &str) -> Result<StepResolution, ScriptError> {
    match word {
        "1/4" => Ok(StepResolution::Quarter),
        "1/8" => Ok(StepResolution::Eighth),
        "1/16" => Ok(StepResolution::Sixteenth),
        "1/32" => Ok(StepResolution::ThirtySecond),
        _ => Err(ScriptError::Invalid(format!("{word:?} is not a step resolution (1/4, 1/8, 1/16, 1/32)"))),
    }
}

/// Steps counted from 1, comma-separated, to indices from 0.
fn steps(word: &str) -> Result<Vec<u8>, ScriptError> {
    word.split(',')
        .map(|s| {
            lex::whole::<u8>(s)?
                .checked_sub(1)
                .ok_or_else(|| ScriptError::Invalid(format!("steps count from 1, not {s:?}")))
        })
        .collect()
}

fn catalog<K>(
    word: &str,
    from_id: fn(&str) -> Option<K>,
    ids: Vec<&'static str>,
    what: &str,
) -> Result<K, ScriptError> {
    from_id(word).ok_or_else(|| ScriptError::Invalid(format!("no {what} {word:?} (one of: {})", ids.join(", "))))
}

fn source(word: &str) -> Result<SourceKind, ScriptError> {
    catalog(word, SourceKind::from_id, SourceKind::ALL.iter().map(|k| k.id()).collect(), "source")
}

fn effect_kind(word: &str) -> Result<EffectKind, ScriptError> {
    catalog(word, EffectKind::from_id, EffectKind::ALL.iter().map(|k| k.id()).collect(), "effect kind")
}

fn filter_kind(word: &str) -> Result<FilterKind, ScriptError> {
    catalog(word, FilterKind::from_id, FilterKind::ALL.iter().map(|k| k.id()).collect(), "filter kind")
}

fn time_signature(word: &str) -> Result<TimeSignature, ScriptError> {
    let bad = || ScriptError::Invalid(format!("{word:?} is not a time signature (4/4, 6/8)"));
    let (n, d) = word.split_once('/').ok_or_else(bad)?;
    let sig = TimeSignature { numerator: n.parse().map_err(|_| bad())?, denominator: d.parse().map_err(|_| bad())? };
    if sig.is_valid() { Ok(sig) } else { Err(bad()) }
}

/// Parses one line's words; `sig` is the project's time signature, which
/// positions and lengths count in. `Ok(None)` for an empty line.
///
/// # Errors
/// [`ScriptError::Invalid`] naming what is wrong and the usage.
pub fn parse(words: &[String], sig: TimeSignature) -> Result<Option<Command>, ScriptError> {
    if words.is_empty() {
        return Ok(None);
    }
    let (spec, n) =
        table::find(words).ok_or_else(|| ScriptError::Invalid(format!("unknown command {:?} (try help)", words[0])))?;
    let mut a = Args::new(spec, &words[n..])?;
    let pos = |w: &str| lex::position(w, sig);
    let len = |w: &str| lex::length(w, sig);
    let command = match spec.name {
        "project name" => Command::ProjectName(a.next("NAME")?),
        "project artist" => Command::ProjectArtist(a.next("NAME")?),
        "tempo" => Command::Tempo(lex::float(&a.next("BPM")?)?),
        "time" => Command::Time(time_signature(&a.next("N/D")?)?),
        "instrument add" => {
            let source = source(&a.next("SOURCE")?)?;
            Command::InstrumentAdd { source, name: a.flag("name") }
        }
        "instrument remove" => Command::InstrumentRemove(a.next("INSTRUMENT")?),
        "instrument rename" => Command::InstrumentRename { instrument: a.next("INSTRUMENT")?, name: a.next("NAME")? },
        "kit add" => Command::KitAdd(a.next("NAME")?),
        "filter set" => Command::FilterSet { instrument: a.next("INSTRUMENT")?, kind: filter_kind(&a.next("KIND")?)? },
        "filter off" => Command::FilterOff(a.next("INSTRUMENT")?),
        "effect add" => {
            let (owner, kind) = (a.next("OWNER")?, effect_kind(&a.next("KIND")?)?);
            let at = a.flag("at").map(|w| lex::whole::<usize>(&w)).transpose()?;
            let at = at.map(|n| n.checked_sub(1).ok_or_else(|| usage(spec, "--at counts from 1"))).transpose()?;
            Command::EffectAdd { owner, kind, at }
        }
        "effect remove" => Command::EffectRemove { owner: a.next("OWNER")?, effect: a.next("EFFECT")? },
        "effect bypass" => Command::EffectBypass {
            owner: a.next("OWNER")?,
            effect: a.next("EFFECT")?,
            bypass: lex::switch(&a.next("on|off")?)?,
        },
        "param set" => Command::ParamSet { param: a.next("PARAM")?, value: lex::float(&a.next("VALUE")?)? },
        "mute" => Command::Mute { instrument: a.next("INSTRUMENT")?, on: lex::switch(&a.next("on|off")?)? },
        "solo" => Command::Solo { instrument: a.next("INSTRUMENT")?, on: lex::switch(&a.next("on|off")?)? },
        "bus add" => Command::BusAdd(a.next("NAME")?),
        "bus remove" => Command::BusRemove(a.next("BUS")?),
        "bus mute" => Command::BusMute { bus: a.next("BUS")?, on: lex::switch(&a.next("on|off")?)? },
        "send add" => Command::SendAdd {
            instrument: a.next("INSTRUMENT")?,
            bus: a.next("BUS")?,
            level: lex::float(&a.next("LEVEL")?)?,
        },
        "send remove" => Command::SendRemove { instrument: a.next("INSTRUMENT")?, bus: a.next("BUS")? },
        "output" => Command::Output { instrument: a.next("INSTRUMENT")?, target: a.next("master|BUS")? },
        "clip add" => Command::ClipAdd {
            instrument: a.next("INSTRUMENT")?,
            name: a.next("NAME")?,
            length: len(&a.next("LENGTH")?)?,
        },
        "clip loop" => Command::ClipLoop { clip: a.next("CLIP")?, on: lex::switch(&a.next("on|off")?)? },
        "clip length" => Command::ClipLength { clip: a.next("CLIP")?, length: len(&a.next("LENGTH")?)? },
        "clip remove" => Command::ClipRemove(a.next("CLIP")?),
        "place" => Command::Place {
            clip: a.next("CLIP")?,
            start: pos(&a.next("POSITION")?)?,
            length: len(&a.next("LENGTH")?)?,
        },
        "note add" => {
            let clip = a.next("CLIP")?;
            let pitch = lex::pitch(&a.next("PITCH")?)?;
            let start = pos(&a.next("POSITION")?)?;
            let length = len(&a.next("LENGTH")?)?;
            let velocity = a.opt().map_or(Ok(100), |v| lex::whole::<u8>(&v))?;
            let mut note = Note::new(pitch, velocity, start, length);
            if let Some(p) = a.flag("prob") {
                note.probability = lex::whole(&p)?;
            }
            if !note.is_valid() {
                return Err(usage(spec, "velocity is 1 to 127 and probability 1 to 100"));
            }
            Command::NoteAdd { clip, note }
        }
        "pattern add" => {
            let (kit, name) = (a.next("KIT")?, a.next("NAME")?);
            let steps = a.flag("steps").map_or(Ok(16), |s| lex::whole::<u8>(&s))?;
            let resolution = a.flag("res").map_or(Ok(StepResolution::Sixteenth), |r| resolution(&r))?;
            Command::PatternAdd { kit, name, steps, resolution }
        }
        "pattern set" => Command::PatternSet {
            clip: a.next("CLIP")?,
            steps: a.flag("steps").map(|s| lex::whole::<u8>(&s)).transpose()?,
            resolution: a.flag("res").map(|r| resolution(&r)).transpose()?,
            swing: a.flag("swing").map(|s| lex::float(&s)).transpose()?,
        },
        "step set" => {
            let (clip, steps, pad) = (a.next("CLIP")?, steps(&a.next("STEPS")?)?, a.next("PAD")?);
            let velocity = a.opt().map_or(Ok(100), |v| lex::whole::<u8>(&v))?;
            let probability = a.flag("prob").map_or(Ok(100), |p| lex::whole::<u8>(&p))?;
            let pitch = a.flag("pitch").map_or(Ok(0), |p| lex::whole::<i8>(&p))?;
            Command::StepSet { clip, steps, pad, step: DrumStep { velocity, probability, pitch } }
        }
        "step clear" => {
            Command::StepClear { clip: a.next("CLIP")?, steps: steps(&a.next("STEPS")?)?, pad: a.next("PAD")? }
        }
        "lane add" => Command::LaneAdd(a.next("PARAM")?),
        "point set" => Command::PointSet {
            param: a.next("PARAM")?,
            tick: pos(&a.next("POSITION")?)?,
            value: lex::float(&a.next("VALUE")?)?,
        },
        "point remove" => Command::PointRemove { param: a.next("PARAM")?, tick: pos(&a.next("POSITION")?)? },
        "undo" => Command::Undo,
        "redo" => Command::Redo,
        "save" => Command::Save(a.opt().map(PathBuf::from)),
        "list" => Command::List,
        "checkpoint" => Command::Checkpoint(a.next("NAME")?),
        "checkpoints" => Command::Checkpoints,
        "restore" => Command::Restore(a.next("NAME")?),
        "quit" => Command::Quit,
        "help" => Command::Help(a.rest()),
        other => return Err(ScriptError::Invalid(format!("{other}: not handled (a bug)"))),
    };
    if let Some(flag) = a.flags.keys().next() {
        return Err(usage(spec, &format!("--{flag} does not apply here")));
    }
    a.done(Some(command))
}
