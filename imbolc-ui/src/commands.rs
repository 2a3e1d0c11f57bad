//! The one command table. Every user command has a stable name (used in
//! `keys.toml` and the palette), a help text, its default keys and the
//! context where those keys apply. Help, the command palette and the keymap
//! loader all read [`COMMANDS`], so a new command shows up everywhere at
//! once and a test can check that every default key resolves.

/// Where a command's keys apply. Pane keys are looked up before global
/// ones, so a pane may give a global key (e.g. `h`) a local meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    Global,
    Pane(PaneKind),
}

/// The panes, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaneKind {
    Instruments,
    Editor,
    PianoRoll,
    Mixer,
    Server,
    Help,
}

impl PaneKind {
    /// Tab order; the number keys follow it.
    pub const ALL: [PaneKind; 6] = [
        PaneKind::Instruments,
        PaneKind::Editor,
        PaneKind::PianoRoll,
        PaneKind::Mixer,
        PaneKind::Server,
        PaneKind::Help,
    ];

    pub fn title(self) -> &'static str {
        match self {
            PaneKind::Instruments => "Instruments",
            PaneKind::Editor => "Editor",
            PaneKind::PianoRoll => "Piano roll",
            PaneKind::Mixer => "Mixer",
            PaneKind::Server => "Server",
            PaneKind::Help => "Help",
        }
    }

    fn index(self) -> usize {
        PaneKind::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    /// The next pane in tab order (wrapping); `back` goes the other way.
    pub fn cycle(self, back: bool) -> PaneKind {
        let n = PaneKind::ALL.len();
        let i = if back { self.index() + n - 1 } else { self.index() + 1 };
        PaneKind::ALL[i % n]
    }
}

/// Every command a key, the palette or `keys.toml` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommandId {
    Quit,
    Save,
    Undo,
    Redo,
    Help,
    Palette,
    NextPane,
    PrevPane,
    ShowInstruments,
    ShowEditor,
    ShowPianoRoll,
    ShowMixer,
    ShowServer,
    Up,
    Down,
    Left,
    Right,
    AddInstrument,
    DeleteInstrument,
    RenameInstrument,
    DuplicateInstrument,
    MoveInstrumentUp,
    MoveInstrumentDown,
    EditInstrument,
    ParamDecrease,
    ParamIncrease,
    ToggleFilter,
    AddEffect,
    RemoveEffect,
    BypassEffect,
    MoveEffectUp,
    MoveEffectDown,
    LevelUp,
    LevelDown,
    PanLeft,
    PanRight,
    Mute,
    Solo,
    AddNote,
    DeleteNote,
    OctaveUp,
    OctaveDown,
    MidiPanic,
    MidiLearn,
    MidiRecord,
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Command {
    pub id: CommandId,
    /// Stable name, as written in `keys.toml` and typed in the palette.
    pub name: &'static str,
    pub help: &'static str,
    /// Default keys, in the notation of [`crate::keys::KeyChord::parse`].
    pub keys: &'static [&'static str],
    pub context: Context,
}

const fn cmd(
    id: CommandId,
    name: &'static str,
    help: &'static str,
    keys: &'static [&'static str],
    context: Context,
) -> Command {
    Command { id, name, help, keys, context }
}

use CommandId as C;
use Context::{Global as G, Pane};
use PaneKind as P;

/// The command table, in the order help and the palette list it.
pub const COMMANDS: &[Command] = &[
    cmd(C::Quit, "quit", "Quit (asks first when there are unsaved changes)", &["q"], G),
    cmd(C::Save, "save", "Save the project to its file", &["C-s"], G),
    cmd(C::Undo, "undo", "Undo the last edit", &["u"], G),
    cmd(C::Redo, "redo", "Redo the last undone edit", &["C-r"], G),
    cmd(C::Help, "help", "Show the keys of the current pane", &["?"], G),
    cmd(C::Palette, "palette", "Find and run any command by name", &[":"], G),
    cmd(C::NextPane, "next-pane", "Go to the next pane", &["Tab"], G),
    cmd(C::PrevPane, "prev-pane", "Go to the previous pane", &["S-Tab"], G),
    cmd(C::ShowInstruments, "show-instruments", "Go to the instrument list", &["1"], G),
    cmd(C::ShowEditor, "show-editor", "Edit the selected instrument", &["2"], G),
    cmd(C::ShowPianoRoll, "show-piano-roll", "Write notes for the selected instrument", &["3"], G),
    cmd(C::ShowMixer, "show-mixer", "Levels, pan, mute, solo and meters", &["4"], G),
    cmd(C::ShowServer, "show-server", "The synthesis server's state", &["5"], G),
    cmd(C::Up, "up", "Move up", &["k", "Up"], G),
    cmd(C::Down, "down", "Move down", &["j", "Down"], G),
    cmd(C::Left, "left", "Move left", &["h", "Left"], G),
    cmd(C::Right, "right", "Move right", &["l", "Right"], G),
    cmd(C::AddInstrument, "instrument-add", "Add an instrument (pick its sound source)", &["a"], Pane(P::Instruments)),
    cmd(C::DeleteInstrument, "instrument-delete", "Delete the selected instrument", &["d"], Pane(P::Instruments)),
    cmd(C::RenameInstrument, "instrument-rename", "Rename the selected instrument", &["r"], Pane(P::Instruments)),
    cmd(
        C::DuplicateInstrument,
        "instrument-duplicate",
        "Duplicate the selected instrument",
        &["D"],
        Pane(P::Instruments),
    ),
    cmd(C::MoveInstrumentUp, "instrument-move-up", "Move the selected instrument up", &["K"], Pane(P::Instruments)),
    cmd(
        C::MoveInstrumentDown,
        "instrument-move-down",
        "Move the selected instrument down",
        &["J"],
        Pane(P::Instruments),
    ),
    cmd(
        C::EditInstrument,
        "instrument-edit",
        "Open the selected instrument in the editor",
        &["Enter"],
        Pane(P::Instruments),
    ),
    cmd(C::ParamDecrease, "param-decrease", "Decrease the selected parameter", &["h", "Left", "-"], Pane(P::Editor)),
    cmd(C::ParamIncrease, "param-increase", "Increase the selected parameter", &["l", "Right", "+"], Pane(P::Editor)),
    cmd(C::ToggleFilter, "filter-toggle", "Add or remove the low-pass filter", &["f"], Pane(P::Editor)),
    cmd(C::AddEffect, "effect-add", "Add an effect to the chain (pick its kind)", &["a"], Pane(P::Editor)),
    cmd(C::RemoveEffect, "effect-remove", "Remove the selected effect", &["x"], Pane(P::Editor)),
    cmd(C::BypassEffect, "effect-bypass", "Bypass or enable the selected effect", &["b"], Pane(P::Editor)),
    cmd(C::MoveEffectUp, "effect-move-up", "Move the selected effect earlier in the chain", &["K"], Pane(P::Editor)),
    cmd(C::MoveEffectDown, "effect-move-down", "Move the selected effect later in the chain", &["J"], Pane(P::Editor)),
    cmd(C::LevelUp, "level-up", "Raise the selected strip's level", &["k", "Up", "+"], Pane(P::Mixer)),
    cmd(C::LevelDown, "level-down", "Lower the selected strip's level", &["j", "Down", "-"], Pane(P::Mixer)),
    cmd(C::PanLeft, "pan-left", "Pan the selected strip left", &["["], Pane(P::Mixer)),
    cmd(C::PanRight, "pan-right", "Pan the selected strip right", &["]"], Pane(P::Mixer)),
    cmd(C::Mute, "mute", "Mute or unmute the selected strip", &["m"], Pane(P::Mixer)),
    cmd(C::Solo, "solo", "Solo or unsolo the selected instrument", &["s"], Pane(P::Mixer)),
    cmd(C::AddNote, "note-add", "Add a note at the cursor", &["a", "Enter"], Pane(P::PianoRoll)),
    cmd(C::DeleteNote, "note-delete", "Delete the note under the cursor", &["x"], Pane(P::PianoRoll)),
    cmd(C::OctaveUp, "octave-up", "Move the cursor up an octave", &["K"], Pane(P::PianoRoll)),
    cmd(C::OctaveDown, "octave-down", "Move the cursor down an octave", &["J"], Pane(P::PianoRoll)),
    cmd(C::MidiPanic, "midi-panic", "Panic: release every sounding voice", &["!"], G),
    cmd(
        C::MidiLearn,
        "midi-learn",
        "Map the next MIDI controller moved to the selected parameter",
        &["L"],
        Pane(P::Editor),
    ),
    cmd(C::MidiRecord, "midi-record", "Arm (or stop) recording MIDI into the selected instrument's clip", &["R"], G),
];

/// The table row of a command.
pub fn command(id: CommandId) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.id == id)
}

/// The command with this stable name.
pub fn by_name(name: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.name == name)
}
