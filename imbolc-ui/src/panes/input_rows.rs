//! The editor's rows for an audio input instrument: where the input comes
//! from (a hardware pair or an aux bus) and its gain; `m` turns monitoring
//! on or off. Each change is one undoable `SetAudioInput`.

use imbolc_types::audio_input::GAIN_DB_RANGE;
use imbolc_types::{Action, AudioInputDef, InstrumentId, Project};

use crate::commands::CommandId;

/// One input setting, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputRow {
    Source,
    Gain,
}

/// Gain step of `h`/`l`, dB.
const GAIN_STEP_DB: f32 = 0.5;

impl InputRow {
    pub const ALL: [InputRow; 2] = [InputRow::Source, InputRow::Gain];

    pub fn text(self, input: &AudioInputDef, project: &Project) -> String {
        match self {
            InputRow::Source => {
                let from = match input.source {
                    imbolc_types::InputSource::Hardware { first } => {
                        format!("hardware inputs {}-{}", u16::from(first) + 1, u16::from(first) + 2)
                    }
                    imbolc_types::InputSource::Bus(bus) => match project.buses.get(&bus) {
                        Some(b) => format!("bus {}", b.name),
                        None => format!("bus {bus} (removed: silent)"),
                    },
                };
                format!("Input: {from}  (h/l: pairs 1-8, then the aux buses)")
            }
            InputRow::Gain => format!("Gain: {:+.1} dB", input.gain_db),
        }
    }

    /// `h`/`l` on the row: the previous or next source, or half a dB.
    pub fn change(self, instrument: InstrumentId, input: &AudioInputDef, project: &Project, up: bool) -> Action {
        let mut next = *input;
        match self {
            InputRow::Source => next.source = input.source.cycle(project.buses.keys().copied(), up),
            InputRow::Gain => {
                let d = if up { GAIN_STEP_DB } else { -GAIN_STEP_DB };
                next.gain_db = (input.gain_db + d).clamp(GAIN_DB_RANGE.0, GAIN_DB_RANGE.1);
            }
        }
        Action::SetAudioInput { instrument, input: next }
    }
}

/// `m` on an input instrument: monitoring on or off.
pub fn monitor_command(instrument: InstrumentId, input: &AudioInputDef, cmd: CommandId) -> Option<Action> {
    (cmd == CommandId::InputMonitor)
        .then_some(Action::SetAudioInput { instrument, input: AudioInputDef { monitor: !input.monitor, ..*input } })
}
