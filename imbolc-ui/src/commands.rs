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

pub use crate::pane_kind::PaneKind;

pub use crate::command_id::CommandId;

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

pub(crate) const fn cmd(
    id: CommandId,
    name: &'static str,
    help: &'static str,
    keys: &'static [&'static str],
    context: Context,
) -> Command {
    Command { id, name, help, keys, context }
}

use crate::commands_play::PLAYING;
use CommandId as C;
use Context::{Global as G, Pane};
use PaneKind as P;

/// The command table, in the order help and the palette list it: editing,
/// then recording, composing tools and the clip launcher.
pub const COMMANDS: &[Command] = &concat::<{ EDITING.len() + PLAYING.len() }>(EDITING, PLAYING);

/// `a` then `b` as one array (a const slice cannot be extended).
const fn concat<const N: usize>(a: &[Command], b: &[Command]) -> [Command; N] {
    let mut out = [a[0]; N];
    let mut i = 0;
    while i < N {
        out[i] = if i < a.len() { a[i] } else { b[i - a.len()] };
        i += 1;
    }
    out
}

const EDITING: &[Command] = &[
    cmd(C::Quit, "quit", "Quit (asks first when there are unsaved changes)", &["q"], G),
    cmd(C::Save, "save", "Save the project to its file", &["C-s"], G),
    cmd(C::Undo, "undo", "Undo the last edit", &["u"], G),
    cmd(C::Redo, "redo", "Redo the last undone edit", &["C-r"], G),
    cmd(C::Render, "render", "Render the song to WAV, FLAC, Ogg or MP3 (master and stems)", &["C-e"], G),
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
    cmd(
        C::AddAudioInput,
        "instrument-add-input",
        "Add an audio input instrument (plays hardware inputs 1-2 or a bus through its chain)",
        &["i"],
        Pane(P::Instruments),
    ),
    cmd(
        C::AddAudioTrack,
        "instrument-add-audio-track",
        "Add an audio track (its clips are audio files)",
        &["A"],
        Pane(P::Instruments),
    ),
    cmd(
        C::Freeze,
        "instrument-freeze",
        "Freeze the instrument into audio (no synthesis CPU), or unfreeze it",
        &["F"],
        Pane(P::Instruments),
    ),
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
    cmd(
        C::ParamDecrease,
        "param-decrease",
        "Decrease the selected parameter (filter row: previous filter type)",
        &["h", "Left", "-"],
        Pane(P::Editor),
    ),
    cmd(
        C::ParamIncrease,
        "param-increase",
        "Increase the selected parameter (filter row: next filter type)",
        &["l", "Right", "+"],
        Pane(P::Editor),
    ),
    cmd(
        C::ToggleFilter,
        "filter-toggle",
        "Add or remove the filter (a low-pass; h/l change its type)",
        &["f"],
        Pane(P::Editor),
    ),
    cmd(
        C::InputMonitor,
        "input-monitor",
        "Audio input instrument: turn monitoring on or off (off: the input is silent)",
        &["m"],
        Pane(P::Editor),
    ),
    cmd(C::AddEffect, "effect-add", "Add an effect to the chain (pick its kind)", &["a"], Pane(P::Editor)),
    cmd(C::RemoveEffect, "effect-remove", "Remove the selected effect", &["x"], Pane(P::Editor)),
    cmd(C::BypassEffect, "effect-bypass", "Bypass or enable the selected effect", &["b"], Pane(P::Editor)),
    cmd(
        C::EffectKeyNext,
        "effect-key-next",
        "Key the selected sidechain effect with the next instrument (none after the last)",
        &["i"],
        Pane(P::Editor),
    ),
    cmd(
        C::EffectIr,
        "effect-ir",
        "Load an impulse response file (WAV/AIFF) into the selected convolution effect",
        &["I"],
        Pane(P::Editor),
    ),
    cmd(C::MoveEffectUp, "effect-move-up", "Move the selected effect earlier in the chain", &["K"], Pane(P::Editor)),
    cmd(C::MoveEffectDown, "effect-move-down", "Move the selected effect later in the chain", &["J"], Pane(P::Editor)),
    cmd(
        C::TempoSync,
        "effect-tempo-sync",
        "Sync the selected time or rate to the tempo (h/l then pick the note division), or free it",
        &["s"],
        Pane(P::Editor),
    ),
    cmd(C::LevelUp, "level-up", "Raise the selected strip's level", &["k", "Up", "+"], Pane(P::Mixer)),
    cmd(C::LevelDown, "level-down", "Lower the selected strip's level", &["j", "Down", "-"], Pane(P::Mixer)),
    cmd(C::PanLeft, "pan-left", "Pan the selected strip left", &["["], Pane(P::Mixer)),
    cmd(C::PanRight, "pan-right", "Pan the selected strip right", &["]"], Pane(P::Mixer)),
    cmd(C::Mute, "mute", "Mute or unmute the selected strip", &["m"], Pane(P::Mixer)),
    cmd(C::Solo, "solo", "Solo or unsolo the selected instrument", &["s"], Pane(P::Mixer)),
    cmd(C::Limiter, "limiter", "Turn the master limiter on or off (master strip)", &["L"], Pane(P::Mixer)),
    cmd(
        C::EditChain,
        "strip-effects",
        "Edit the selected strip's effect chain (bus, master; an instrument opens in the editor)",
        &["e", "Enter"],
        Pane(P::Mixer),
    ),
    cmd(C::AddNote, "note-add", "Add a note at the cursor", &["a", "Enter"], Pane(P::PianoRoll)),
    cmd(
        C::DeleteNote,
        "note-delete",
        "Delete the selected notes (or the one under the cursor)",
        &["x"],
        Pane(P::PianoRoll),
    ),
    cmd(C::OctaveUp, "octave-up", "Move the cursor up an octave", &["K"], Pane(P::PianoRoll)),
    cmd(C::OctaveDown, "octave-down", "Move the cursor down an octave", &["J"], Pane(P::PianoRoll)),
    cmd(C::TapTempo, "tap-tempo", "Tap the tempo: two or more taps set it", &["t"], G),
    cmd(C::ShowDrums, "show-drums", "Program the selected drum kit's pattern", &["8"], G),
    cmd(C::AddDrumKit, "drum-kit-add", "Add a drum kit (16 built-in pads)", &["a"], Pane(P::Drums)),
    cmd(C::ToggleStep, "drum-step-toggle", "Set or clear the step under the cursor", &["Enter"], Pane(P::Drums)),
    cmd(
        C::StepVelocityUp,
        "drum-velocity-up",
        "Raise the velocity of the step under the cursor",
        &["+"],
        Pane(P::Drums),
    ),
    cmd(
        C::StepVelocityDown,
        "drum-velocity-down",
        "Lower the velocity of the step under the cursor",
        &["-"],
        Pane(P::Drums),
    ),
    cmd(C::PatternLonger, "drum-pattern-longer", "Add a step to the pattern", &["]"], Pane(P::Drums)),
    cmd(C::PatternShorter, "drum-pattern-shorter", "Remove the last step of the pattern", &["["], Pane(P::Drums)),
    cmd(C::PatternResolution, "drum-resolution", "Cycle the step length: 1/4, 1/8, 1/16, 1/32", &["r"], Pane(P::Drums)),
    cmd(C::SwingUp, "drum-swing-up", "More swing (every second step later)", &["w"], Pane(P::Drums)),
    cmd(C::SwingDown, "drum-swing-down", "Less swing", &["W"], Pane(P::Drums)),
    cmd(
        C::PadSample,
        "drum-pad-sample",
        "Browse for a sample file for the cursor's pad (Space previews it)",
        &["s"],
        Pane(P::Drums),
    ),
    cmd(C::PadVoice, "drum-pad-voice", "Give the cursor's pad the next built-in drum voice", &["v"], Pane(P::Drums)),
    cmd(C::PadSlice, "drum-pad-slice", "Slice the cursor's pad's sample (opens the slicer)", &["c"], Pane(P::Drums)),
    cmd(
        C::PadLoop,
        "drum-pad-loop",
        "Make the cursor's sample pad a tempo-synced loop (its beats estimated), or a one-shot again",
        &["y"],
        Pane(P::Drums),
    ),
    cmd(C::PadLoopHalve, "drum-pad-loop-halve", "Halve the cursor's loop's length in beats", &["b"], Pane(P::Drums)),
    cmd(C::PadLoopDouble, "drum-pad-loop-double", "Double the cursor's loop's length in beats", &["B"], Pane(P::Drums)),
    cmd(C::SliceZoomIn, "slice-zoom-in", "Zoom in on the cursor", &["z", "+"], Pane(P::Slicer)),
    cmd(C::SliceZoomOut, "slice-zoom-out", "Zoom out (down to the whole sample)", &["Z", "-"], Pane(P::Slicer)),
    cmd(C::SliceDivide, "slice-divide", "Divide into equal slices: 4, then 8, 16, 32", &["d"], Pane(P::Slicer)),
    cmd(C::SliceOnsets, "slice-onsets", "Slice at the detected onsets (spectral flux)", &["o"], Pane(P::Slicer)),
    cmd(
        C::SliceSensitivityUp,
        "slice-sensitivity-up",
        "More onsets: raise the detection sensitivity by 0.1 and detect again",
        &[">"],
        Pane(P::Slicer),
    ),
    cmd(
        C::SliceSensitivityDown,
        "slice-sensitivity-down",
        "Fewer onsets: lower the detection sensitivity by 0.1 and detect again",
        &["<"],
        Pane(P::Slicer),
    ),
    cmd(C::SliceMarkerAdd, "slice-marker-add", "Add a slice marker at the cursor", &["m", "Enter"], Pane(P::Slicer)),
    cmd(C::SliceMarkerDelete, "slice-marker-delete", "Delete the marker nearest the cursor", &["x"], Pane(P::Slicer)),
    cmd(C::SliceMarkerMove, "slice-marker-move", "Move the marker nearest the cursor to it", &["g"], Pane(P::Slicer)),
    cmd(C::SliceMarkerNext, "slice-marker-next", "Move the cursor to the next marker", &["n"], Pane(P::Slicer)),
    cmd(C::SliceMarkerPrev, "slice-marker-prev", "Move the cursor to the previous marker", &["N"], Pane(P::Slicer)),
    cmd(
        C::SliceAssign,
        "slice-assign",
        "Assign the slices to pads: slice 1 to pad 1 and so on (one undo step)",
        &["a"],
        Pane(P::Slicer),
    ),
    cmd(C::SliceClose, "slice-close", "Back to the drum pane", &["Esc", "c"], Pane(P::Slicer)),
    cmd(
        C::SliceSampler,
        "slice-sampler",
        "Make a new sampler with one slice per key, from C3 up (one undo step)",
        &["A"],
        Pane(P::Slicer),
    ),
    cmd(
        C::AddSampler,
        "sampler-add",
        "Add a sampler instrument (browse for its first sample; root key from its pitch)",
        &["s"],
        Pane(P::Instruments),
    ),
    cmd(C::SamplerZones, "sampler-zones", "Edit the selected sampler's zones", &["z"], Pane(P::Instruments)),
    cmd(
        C::ImportSfz,
        "sfz-import",
        "Import an SFZ file and its samples as a new sampler (browse for the .sfz)",
        &["I"],
        Pane(P::Instruments),
    ),
    cmd(C::ZoneIncrease, "zone-increase", "Increase the selected field of the zone", &["+"], Pane(P::Zones)),
    cmd(C::ZoneDecrease, "zone-decrease", "Decrease the selected field of the zone", &["-"], Pane(P::Zones)),
    cmd(
        C::ZoneIncreaseCoarse,
        "zone-increase-coarse",
        "Increase the selected field in big steps (octave, 10 %, 100 cents, 6 dB)",
        &["]"],
        Pane(P::Zones),
    ),
    cmd(
        C::ZoneDecreaseCoarse,
        "zone-decrease-coarse",
        "Decrease the selected field in big steps",
        &["["],
        Pane(P::Zones),
    ),
    cmd(C::ZoneAdd, "zone-add", "Add a zone (browse for its sample)", &["a"], Pane(P::Zones)),
    cmd(C::ZoneRoot, "zone-root", "Set the zone's root key from its sample's pitch", &["r"], Pane(P::Zones)),
    cmd(C::ZoneRemove, "zone-remove", "Remove the selected zone", &["x"], Pane(P::Zones)),
    cmd(C::ZonesClose, "zones-close", "Back to the instrument list", &["Esc"], Pane(P::Zones)),
    cmd(C::PlayStop, "play-stop", "Play, or stop and go back to where play started", &["Space"], G),
    cmd(C::Pause, "pause", "Pause (keep the position), or play on", &["P"], G),
    cmd(C::GoToStart, "go-start", "Move the playhead to the song start (playing: play on from there)", &["C-a"], G),
    cmd(C::TempoUp, "tempo-up", "Raise the tempo by 1 bpm", &["}"], G),
    cmd(C::TempoDown, "tempo-down", "Lower the tempo by 1 bpm", &["{"], G),
    cmd(C::LoopToggle, "loop-toggle", "Turn the loop region on or off", &["C-l"], G),
    cmd(C::MusicalTyping, "musical-typing", "Play the selected instrument on the keyboard (Esc leaves)", &["M"], G),
    cmd(C::SaveAs, "save-as", "Save the project to a new file", &["S"], G),
    cmd(C::Open, "open", "Open a project file", &["C-o"], G),
    cmd(C::ImportMidi, "import-midi", "Import a MIDI file into the project (one undo step)", &["C-f"], G),
    cmd(C::ShowArrangement, "show-arrangement", "Place clips on the song timeline", &["6"], G),
    cmd(C::ShowAutomation, "show-automation", "Automation lanes of the selected instrument", &["7"], G),
    cmd(C::Select, "select", "Start a selection at the cursor (again: clear it)", &["v"], Pane(P::PianoRoll)),
    cmd(C::Copy, "copy", "Copy the selected notes (or the one under the cursor)", &["y"], Pane(P::PianoRoll)),
    cmd(C::Cut, "cut", "Cut the selected notes (or the one under the cursor)", &["d"], Pane(P::PianoRoll)),
    cmd(C::Paste, "paste", "Paste the copied notes at the cursor", &["p"], Pane(P::PianoRoll)),
    cmd(C::NoteLeft, "note-move-left", "Move the notes one snap earlier", &["A-h"], Pane(P::PianoRoll)),
    cmd(C::NoteRight, "note-move-right", "Move the notes one snap later", &["A-l"], Pane(P::PianoRoll)),
    cmd(C::NoteUp, "note-move-up", "Move the notes a semitone up", &["A-k"], Pane(P::PianoRoll)),
    cmd(C::NoteDown, "note-move-down", "Move the notes a semitone down", &["A-j"], Pane(P::PianoRoll)),
    cmd(C::NoteShorter, "note-shorter", "Shorten the notes by one snap", &["<"], Pane(P::PianoRoll)),
    cmd(C::NoteLonger, "note-longer", "Lengthen the notes by one snap", &[">"], Pane(P::PianoRoll)),
    cmd(C::VelocityDown, "velocity-down", "Lower the notes' velocity", &["["], Pane(P::PianoRoll)),
    cmd(C::VelocityUp, "velocity-up", "Raise the notes' velocity", &["]"], Pane(P::PianoRoll)),
    cmd(C::Snap, "snap", "Next snap: the cursor step and new note length", &["s"], Pane(P::PianoRoll)),
    cmd(C::ZoomIn, "zoom-in", "Zoom in (fewer ticks per column)", &["z"], Pane(P::PianoRoll)),
    cmd(C::ZoomOut, "zoom-out", "Zoom out (more ticks per column)", &["Z"], Pane(P::PianoRoll)),
    cmd(
        C::LoopSet,
        "loop-set",
        "Loop the selection (or the whole clip) and turn looping on",
        &["L"],
        Pane(P::PianoRoll),
    ),
    cmd(C::CursorStart, "cursor-start", "Move the cursor to the clip start", &["0", "Home"], Pane(P::PianoRoll)),
    cmd(
        C::PlacementAdd,
        "placement-add",
        "Place the selected clip at the cursor (audio track: browse for a file)",
        &["a", "Enter"],
        Pane(P::Arrangement),
    ),
    cmd(C::PlacementDelete, "placement-delete", "Delete the placement under the cursor", &["x"], Pane(P::Arrangement)),
    cmd(
        C::PlacementDuplicate,
        "placement-duplicate",
        "Repeat the placement under the cursor right after it",
        &["D"],
        Pane(P::Arrangement),
    ),
    cmd(C::PlacementLeft, "placement-move-left", "Move the placement a bar earlier", &["A-h"], Pane(P::Arrangement)),
    cmd(C::PlacementRight, "placement-move-right", "Move the placement a bar later", &["A-l"], Pane(P::Arrangement)),
    cmd(C::PlayMode, "play-mode", "Song mode, or pattern mode (loop the selected clip)", &["m"], Pane(P::Arrangement)),
    cmd(C::ClipTrimEndShorter, "clip-trim-end-shorter", "Audio clip: end a beat earlier", &["<"], Pane(P::Arrangement)),
    cmd(C::ClipTrimEndLonger, "clip-trim-end-longer", "Audio clip: end a beat later", &[">"], Pane(P::Arrangement)),
    cmd(
        C::ClipTrimStartEarlier,
        "clip-trim-start-earlier",
        "Audio clip: start a beat earlier",
        &["("],
        Pane(P::Arrangement),
    ),
    cmd(C::ClipTrimStartLater, "clip-trim-start-later", "Audio clip: start a beat later", &[")"], Pane(P::Arrangement)),
    cmd(C::ClipSplit, "clip-split", "Audio clip: split at the cursor", &["s"], Pane(P::Arrangement)),
    cmd(
        C::ClipFadeInShorter,
        "clip-fade-in-shorter",
        "Audio clip: fade in 50 ms shorter",
        &["["],
        Pane(P::Arrangement),
    ),
    cmd(C::ClipFadeInLonger, "clip-fade-in-longer", "Audio clip: fade in 50 ms longer", &["]"], Pane(P::Arrangement)),
    cmd(
        C::ClipFadeOutShorter,
        "clip-fade-out-shorter",
        "Audio clip: fade out 50 ms shorter",
        &[","],
        Pane(P::Arrangement),
    ),
    cmd(
        C::ClipFadeOutLonger,
        "clip-fade-out-longer",
        "Audio clip: fade out 50 ms longer",
        &["."],
        Pane(P::Arrangement),
    ),
    cmd(C::ClipGainUp, "clip-gain-up", "Audio clip: gain 1 dB up", &["+"], Pane(P::Arrangement)),
    cmd(C::ClipGainDown, "clip-gain-down", "Audio clip: gain 1 dB down", &["-"], Pane(P::Arrangement)),
    cmd(C::LaneAdd, "lane-add", "Automate a parameter of the instrument (pick it)", &["a"], Pane(P::Automation)),
    cmd(C::LaneRemove, "lane-remove", "Remove the selected lane", &["D"], Pane(P::Automation)),
    cmd(C::PointRaise, "point-raise", "Raise the point at the cursor (adds one)", &["+", "]"], Pane(P::Automation)),
    cmd(C::PointLower, "point-lower", "Lower the point at the cursor (adds one)", &["-", "["], Pane(P::Automation)),
    cmd(C::PointDelete, "point-delete", "Delete the point at the cursor", &["x"], Pane(P::Automation)),
    cmd(C::PointLeft, "point-move-left", "Move the point at the cursor a beat earlier", &["A-h"], Pane(P::Automation)),
    cmd(C::PointRight, "point-move-right", "Move the point at the cursor a beat later", &["A-l"], Pane(P::Automation)),
    cmd(
        C::CurveNext,
        "curve-shape",
        "Next curve shape (linear, exponential, step, smooth) of the segment from the point at or before the cursor",
        &["c"],
        Pane(P::Automation),
    ),
    cmd(
        C::AutomationRecord,
        "automation-record",
        "Arm automation recording: parameter moves while playing go into lanes, one undo step per pass",
        &["r"],
        Pane(P::Automation),
    ),
    cmd(C::OutputNext, "output-next", "Send the strip's output to the next bus (or master)", &["o"], Pane(P::Mixer)),
    cmd(C::SendToggle, "send-toggle", "Add or remove a send to the next bus", &["w"], Pane(P::Mixer)),
    cmd(C::SendUp, "send-up", "Raise the strip's first send", &[">"], Pane(P::Mixer)),
    cmd(C::SendDown, "send-down", "Lower the strip's first send", &["<"], Pane(P::Mixer)),
    cmd(C::ServerRestart, "server-restart", "Restart the synthesis server", &["R"], Pane(P::Server)),
    cmd(C::TempoSet, "tempo-set", "Type a tempo in bpm", &["T"], G),
    cmd(C::ArtistSet, "artist-set", "Type the project's artist (the tag of rendered files)", &[], G),
    cmd(C::MidiPanic, "midi-panic", "Panic: release every sounding voice", &["!"], G),
    cmd(
        C::MidiLearn,
        "midi-learn",
        "Map the next MIDI controller moved to the selected parameter",
        &["L"],
        Pane(P::Editor),
    ),
    cmd(
        C::MidiUnmap,
        "midi-unmap",
        "Remove the MIDI controller mapped to the selected parameter",
        &["U"],
        Pane(P::Editor),
    ),
    cmd(C::MidiRecord, "midi-record", "Arm (or stop) recording MIDI into the selected instrument's clip", &["R"], G),
    cmd(C::ProbabilityDown, "probability-down", "Lower the notes' chance to play by 10 %", &["("], Pane(P::PianoRoll)),
    cmd(C::ProbabilityUp, "probability-up", "Raise the notes' chance to play by 10 %", &[")"], Pane(P::PianoRoll)),
    cmd(C::KeyHints, "key-hints", "Show or hide the line of the current pane's keys", &["C-k"], G),
    cmd(C::Messages, "messages", "Show the last 50 status-line messages in full", &["C-g"], G),
    cmd(
        C::ThemeNext,
        "theme-next",
        "Switch to the next colour theme: dark, light, high contrast (palette only; config.toml: theme)",
        &[],
        G,
    ),
    cmd(C::RenameProject, "project-rename", "Rename the project (its name in renders and tags)", &["N"], G),
    cmd(C::Checkpoint, "checkpoint", "Name the project's current state (a checkpoint to come back to)", &["C-n"], G),
    cmd(
        C::CheckpointList,
        "checkpoints",
        "List the checkpoints with what changed since; Enter restores one (undo takes it back)",
        &["@"],
        G,
    ),
    cmd(C::SetTimeSignature, "time-signature", "Type a time signature (3/4, 6/8, ...)", &["|"], G),
    cmd(
        C::ChangeSource,
        "instrument-source",
        "Change the selected instrument's sound source (pick it)",
        &["c"],
        Pane(P::Instruments),
    ),
    cmd(C::RenameClip, "clip-rename", "Rename the selected clip", &["r"], Pane(P::Arrangement)),
    cmd(
        C::DeleteClip,
        "clip-delete",
        "Delete the selected clip with its notes and placements",
        &["X"],
        Pane(P::Arrangement),
    ),
    cmd(
        C::ClipNew,
        "clip-new",
        "A new empty clip (a pattern on a kit) for the row's instrument, placed at the cursor",
        &["c"],
        Pane(P::Arrangement),
    ),
    cmd(C::ClipLoop, "clip-loop", "Loop the selected clip over its placements, or not", &["o"], Pane(P::Arrangement)),
    cmd(
        C::ClipDuplicate,
        "clip-duplicate",
        "Copy the selected clip as a new clip (a variation, e.g. a fill), selected for editing in 3 or 8",
        &["C"],
        Pane(P::Arrangement),
    ),
    cmd(C::AddBus, "bus-add", "Add an aux bus: a shared effect chain instruments send to", &["b"], Pane(P::Mixer)),
    cmd(C::RemoveBus, "bus-remove", "Remove the selected bus (sends to it go too)", &["X"], Pane(P::Mixer)),
    cmd(C::RenameBus, "bus-rename", "Rename the selected bus", &["r"], Pane(P::Mixer)),
    cmd(C::LaneEnable, "lane-enable", "Turn the selected lane's playback off or on", &["e"], Pane(P::Automation)),
    cmd(
        C::StepProbabilityDown,
        "drum-probability-down",
        "Lower the step's chance to play by 10 %",
        &["("],
        Pane(P::Drums),
    ),
    cmd(C::StepProbabilityUp, "drum-probability-up", "Raise the step's chance to play by 10 %", &[")"], Pane(P::Drums)),
    cmd(C::HelpClose, "help-close", "Close help, back to the pane it was opened from", &["Esc", "q"], Pane(P::Help)),
    cmd(C::ShowTogether, "show-together", "Collaborators: round trip, traffic, who owns what", &["C-w"], G),
    cmd(
        C::TogetherClaim,
        "together-claim",
        "Claim the instrument (host: give it to the collaborator)",
        &["c"],
        Pane(P::Together),
    ),
    cmd(C::TogetherRelease, "together-release", "Free the instrument (nobody owns it)", &["r"], Pane(P::Together)),
    cmd(
        C::TogetherGrant,
        "together-grant",
        "Host: give or take back the collaborator's project-wide grant",
        &["g"],
        Pane(P::Together),
    ),
    cmd(C::TogetherClose, "together-close", "Back to the server pane", &["Esc"], Pane(P::Together)),
];

/// Commands reached from the palette only (no default key).
pub const PALETTE_ONLY: [CommandId; 3] = [CommandId::ArtistSet, CommandId::TakeFolder, CommandId::ThemeNext];

/// The table row of a command.
pub fn command(id: CommandId) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.id == id)
}

/// The command with this stable name.
pub fn by_name(name: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.name == name)
}
