//! The editor's voice and LFO rows: polyphony, mono/legato, stealing,
//! pitch-bend range, glide, and the LFO that modulates a filter parameter. Each row shows a value and
//! turns `h`/`l` into one undoable `SetVoiceSettings` or `SetLfo`.

use imbolc_types::instrument::{BEND_RANGE_MAX, GLIDE_MAX};
use imbolc_types::{Action, FilterKind, Instrument, LfoShape, StealStrategy, VoiceSettings};

/// One voice or LFO setting, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoiceRow {
    Polyphony,
    Mode,
    Steal,
    BendRange,
    Glide,
    LfoOn,
    LfoRate,
    LfoDepth,
    LfoShape,
    LfoTarget,
}

impl VoiceRow {
    pub const ALL: [VoiceRow; 10] = [
        VoiceRow::Polyphony,
        VoiceRow::Mode,
        VoiceRow::Steal,
        VoiceRow::BendRange,
        VoiceRow::Glide,
        VoiceRow::LfoOn,
        VoiceRow::LfoRate,
        VoiceRow::LfoDepth,
        VoiceRow::LfoShape,
        VoiceRow::LfoTarget,
    ];

    /// The section title shown above the first row of a section.
    pub fn header(self) -> Option<&'static str> {
        match self {
            VoiceRow::Polyphony => Some("Voices"),
            VoiceRow::LfoOn => Some("LFO"),
            _ => None,
        }
    }

    /// `  Polyphony        32`
    pub fn text(self, inst: &Instrument) -> String {
        let (v, lfo) = (&inst.def.voice, &inst.def.lfo);
        let (label, value) = match self {
            VoiceRow::Polyphony => ("Polyphony", v.polyphony.to_string()),
            VoiceRow::Mode => ("Mode", mode_name(v).to_owned()),
            VoiceRow::Steal => ("Steal", steal_name(v.steal).to_owned()),
            VoiceRow::BendRange => ("Bend", format!("±{} st", v.bend_range)),
            VoiceRow::Glide => ("Glide", format!("{:.3} s", v.glide)),
            VoiceRow::LfoOn => ("LFO", if lfo.enabled { "on" } else { "off" }.to_owned()),
            VoiceRow::LfoRate => ("Rate", format!("{:.2} Hz", lfo.rate)),
            VoiceRow::LfoDepth => ("Depth", format!("{:.2}", lfo.depth)),
            VoiceRow::LfoShape => ("Shape", shape_name(lfo.shape).to_owned()),
            VoiceRow::LfoTarget => ("Target", lfo.target.clone().unwrap_or_else(|| "none".to_owned())),
        };
        format!("  {label:<10} {value:>9}")
    }

    /// The edit `h` (down) or `l` (up) makes on this row.
    pub fn change(self, inst: &Instrument, up: bool) -> Action {
        let instrument = inst.id;
        let mut voice = inst.def.voice;
        let mut lfo = inst.def.lfo.clone();
        match self {
            VoiceRow::Polyphony => voice.polyphony = step_polyphony(voice.polyphony, up),
            VoiceRow::Mode => (voice.mono, voice.legato) = next_mode(&voice, up),
            VoiceRow::Steal => voice.steal = cycle(&STEALS, voice.steal, up),
            VoiceRow::BendRange => {
                voice.bend_range = (voice.bend_range + if up { 1.0 } else { -1.0 }).clamp(0.0, BEND_RANGE_MAX);
            }
            VoiceRow::Glide => voice.glide = step_glide(voice.glide, up),
            VoiceRow::LfoOn => lfo.enabled = !lfo.enabled,
            VoiceRow::LfoRate => lfo.rate = (if up { lfo.rate * 1.25 } else { lfo.rate / 1.25 }).clamp(0.01, 100.0),
            VoiceRow::LfoDepth => lfo.depth = (lfo.depth + if up { 0.05 } else { -0.05 }).clamp(0.0, 1.0),
            VoiceRow::LfoShape => lfo.shape = cycle(&SHAPES, lfo.shape, up),
            VoiceRow::LfoTarget => {
                let kind = inst.def.filter.as_ref().map_or(FilterKind::LOW_PASS, |f| f.kind);
                let targets: Vec<Option<String>> =
                    std::iter::once(None).chain(kind.params().iter().map(|p| Some(p.id.to_owned()))).collect();
                lfo.target = cycle(&targets, lfo.target.clone(), up);
            }
        }
        match self {
            VoiceRow::Polyphony | VoiceRow::Mode | VoiceRow::Steal | VoiceRow::BendRange | VoiceRow::Glide => {
                Action::SetVoiceSettings { instrument, voice }
            }
            _ => Action::SetLfo { instrument, lfo },
        }
    }
}

const STEALS: [StealStrategy; 3] = [StealStrategy::Oldest, StealStrategy::Quietest, StealStrategy::SameNote];
const SHAPES: [LfoShape; 4] = [LfoShape::Sine, LfoShape::Triangle, LfoShape::Saw, LfoShape::Square];
/// Polyphony steps: fine where it matters, coarse up to the limit of 256.
const POLYPHONY: [u16; 14] = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64, 128, 192, 256];

/// The next item after (or before) `current`; the first when it is absent.
fn cycle<T: Clone + PartialEq>(items: &[T], current: T, up: bool) -> T {
    let n = items.len();
    let i = items.iter().position(|x| *x == current).unwrap_or(0);
    let j = if up { (i + 1) % n } else { (i + n - 1) % n };
    items.get(j).cloned().unwrap_or(current)
}

fn step_polyphony(p: u16, up: bool) -> u16 {
    if up {
        POLYPHONY.iter().copied().find(|s| *s > p).unwrap_or(256)
    } else {
        POLYPHONY.iter().rev().copied().find(|s| *s < p).unwrap_or(1)
    }
}

/// Glide steps: off, then doubling from 10 ms up to the limit.
fn step_glide(g: f32, up: bool) -> f32 {
    if up {
        if g < 0.01 { 0.01 } else { (g * 2.0).min(GLIDE_MAX) }
    } else if g <= 0.01 {
        0.0
    } else {
        g / 2.0
    }
}

fn mode_name(v: &VoiceSettings) -> &'static str {
    match (v.mono, v.legato) {
        (false, _) => "poly",
        (true, false) => "mono",
        (true, true) => "legato",
    }
}

/// poly → mono → legato → poly (and back).
fn next_mode(v: &VoiceSettings, up: bool) -> (bool, bool) {
    let modes = [(false, false), (true, false), (true, true)];
    cycle(&modes, (v.mono, v.mono && v.legato), up)
}

fn steal_name(s: StealStrategy) -> &'static str {
    match s {
        StealStrategy::Oldest => "oldest",
        StealStrategy::Quietest => "quietest",
        StealStrategy::SameNote => "same note",
    }
}

fn shape_name(s: LfoShape) -> &'static str {
    match s {
        LfoShape::Sine => "sine",
        LfoShape::Triangle => "triangle",
        LfoShape::Saw => "saw",
        LfoShape::Square => "square",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polyphony_steps_stay_in_range() {
        assert_eq!(step_polyphony(32, true), 64);
        assert_eq!(step_polyphony(32, false), 24);
        assert_eq!(step_polyphony(256, true), 256);
        assert_eq!(step_polyphony(1, false), 1);
        assert_eq!(step_polyphony(5, true), 6, "a value between steps goes to the next one");
    }

    #[test]
    fn glide_steps_from_off_and_back() {
        assert_eq!(step_glide(0.0, true), 0.01);
        assert_eq!(step_glide(0.01, true), 0.02);
        assert_eq!(step_glide(0.01, false), 0.0);
        assert_eq!(step_glide(8.0, true), GLIDE_MAX);
    }
}
