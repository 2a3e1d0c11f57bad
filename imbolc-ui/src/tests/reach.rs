//! Every kind of edit a musician is meant to make is reachable from a key.
//!
//! [`REACH`] says, for each `Action` variant, how a musician causes it: a
//! command whose key, pressed on the demo song, dispatches it (checked
//! here by pressing it); a command tested elsewhere, in a test named here
//! (for edits that need a file, a MIDI controller or a take); or why no
//! key does (the inverses undo uses). A new variant fails
//! [`every_action_variant_is_listed_once`] until it is given one.

use imbolc_types::Action;
use strum::VariantNames;

use super::fixture::{demo_app, press};
use crate::commands::{COMMANDS, by_name};

/// How a musician causes an action.
enum Reach {
    /// `before` keys, then the command's first key, then `after` keys,
    /// dispatch it on the demo song.
    Key { command: &'static str, before: &'static str, after: &'static str },
    /// A palette-only command: `:`, its name, `Enter`, then `after` keys.
    Palette { command: &'static str, after: &'static str },
    /// The command causes it; the named test proves it (it needs a file,
    /// a MIDI controller or a recorded pass).
    Elsewhere { command: &'static str, test: &'static str },
    /// No command: why.
    Internal(&'static str),
}

use Reach::{Elsewhere, Internal, Key, Palette};

const UNDO_ONLY: Reach = Internal("the inverse of a removal: only undo and redo apply it");

const fn key(command: &'static str, before: &'static str, after: &'static str) -> Reach {
    Key { command, before, after }
}

const fn elsewhere(command: &'static str, test: &'static str) -> Reach {
    Elsewhere { command, test }
}

const REACH: &[(&str, Reach)] = &[
    ("RenameProject", key("project-rename", "", "x Enter")),
    ("SetTimeSignature", key("time-signature", "", "3 / 4 Enter")),
    ("RestoreCheckpoint", key("checkpoints", "C-n x Enter", "Enter")),
    ("SetPitch", key("key-tuning", "", "D Enter")),
    ("SetTransforms", key("arp", "1", "")),
    ("SetLayer", key("layer", "1 Down", "0 Enter")),
    ("SetArtist", Palette { command: "artist-set", after: "x Enter" }),
    ("SetTakeFolder", Palette { command: "take-folder", after: "x Enter" }),
    ("SetCountIn", key("count-in", "", "")),
    ("SetLauncherSlot", key("slot-assign", "9", "")),
    ("SetLaunchQuantize", key("launch-quantize", "9", "")),
    ("SetFollowAction", key("follow-first", "9 a", "")),
    ("SetLauncherSeed", key("follow-reseed", "9", "")),
    ("SetClipLaunchQuantize", key("clip-launch-quantize", "9 a", "")),
    ("SetPadMapping", elsewhere("pad-learn", "an_unknown_controller_works_by_learning_and_the_learning_is_undone")),
    ("AddInstrument", key("instrument-add", "1", "j Enter")),
    ("AddCustomInstrument", elsewhere("instrument-add", "the_picker_offers_the_users_defs_and_enter_adds_one")),
    ("RemoveInstrument", key("instrument-delete", "1", "")),
    ("RestoreInstrument", UNDO_ONLY),
    ("RenameInstrument", key("instrument-rename", "1", "x Enter")),
    ("DuplicateInstrument", key("instrument-duplicate", "1", "")),
    ("MoveInstrument", key("instrument-move-down", "1", "")),
    ("SetSource", key("instrument-source", "1", "j Enter")),
    ("SetFilter", key("filter-toggle", "2", "")),
    ("SetFilterEnabled", elsewhere("effect-bypass", "voice_and_lfo_rows_edit_the_instrument_and_undo")),
    ("SetLfo", elsewhere("param-increase", "voice_and_lfo_rows_edit_the_instrument_and_undo")),
    ("SetVoiceSettings", elsewhere("param-increase", "voice_and_lfo_rows_edit_the_instrument_and_undo")),
    ("AddAudioInput", key("instrument-add-input", "1", "")),
    ("SetAudioInput", elsewhere("param-increase", "editor_rows_change_source_and_gain_and_m_toggles_monitoring")),
    ("SetParam", key("level-up", "4", "")),
    ("AddEffect", key("effect-add", "2", "Enter")),
    (
        "RemoveEffect",
        elsewhere("effect-remove", "e_on_the_bus_strip_edits_its_chain_one_undo_step_and_one_diff_per_key"),
    ),
    ("RestoreEffect", UNDO_ONLY),
    (
        "MoveEffect",
        elsewhere("effect-move-down", "e_on_the_bus_strip_edits_its_chain_one_undo_step_and_one_diff_per_key"),
    ),
    (
        "SetEffectEnabled",
        elsewhere("effect-bypass", "e_on_the_bus_strip_edits_its_chain_one_undo_step_and_one_diff_per_key"),
    ),
    ("SetEffectSync", elsewhere("effect-tempo-sync", "s_syncs_the_delay_time_and_h_l_step_the_division")),
    ("SetEffectKey", elsewhere("effect-key-next", "i_keys_a_bus_compressor_with_an_instrument_then_none")),
    ("SetEffectIr", elsewhere("effect-ir", "changing_the_ir_replaces_the_node_and_swaps_buffers")),
    ("SetMute", key("mute", "4", "")),
    ("SetSolo", key("solo", "4", "")),
    ("SetOutput", key("output-next", "4", "")),
    ("AddSend", key("send-toggle", "4", "")),
    ("RemoveSend", key("send-toggle", "4 w", "")),
    ("RestoreSend", UNDO_ONLY),
    ("AddBus", key("bus-add", "4", "")),
    ("RemoveBus", key("bus-remove", "4 l l l", "")),
    ("RestoreBus", UNDO_ONLY),
    ("RenameBus", key("bus-rename", "4 l l l", "x Enter")),
    ("SetBusMute", key("mute", "4 l l l", "")),
    ("SetMasterMute", key("mute", "4 l l l l", "")),
    ("SetMasterLimiter", key("limiter", "4 l l l l", "")),
    ("AddClip", key("note-add", "1 a Enter 3", "")),
    ("RemoveClip", key("clip-delete", "6", "")),
    ("RestoreClip", UNDO_ONLY),
    ("DuplicateClip", key("clip-duplicate", "6", "")),
    ("RenameClip", key("clip-rename", "6", "x Enter")),
    ("SetClipLength", elsewhere("note-add", "notes_move_resize_change_velocity_and_copy_cut_paste_with_undo")),
    ("SetClipLooping", key("clip-loop", "6", "")),
    ("AddPlacement", key("placement-add", "6 l l", "")),
    ("RemovePlacement", key("placement-delete", "6", "")),
    ("RestorePlacement", UNDO_ONLY),
    ("MovePlacement", key("placement-move-right", "6", "")),
    ("ResizePlacement", elsewhere("note-add", "notes_move_resize_change_velocity_and_copy_cut_paste_with_undo")),
    ("AddNote", key("note-add", "3 K", "")),
    ("AddNotes", key("paste", "3 0 v l l l l l l l l y K", "")),
    ("RestoreNotes", UNDO_ONLY),
    ("RemoveNotes", key("note-delete", "3 K a", "")),
    ("MoveNotes", key("note-move-right", "3 K a", "")),
    ("ResizeNotes", key("note-longer", "3 K a", "")),
    ("SetNoteVelocity", key("velocity-up", "3 K a", "")),
    ("ReplaceNotes", key("probability-down", "3 K a", "")),
    ("AddLane", key("lane-add", "7", "Enter")),
    ("RemoveLane", key("lane-remove", "7", "")),
    ("RestoreLane", UNDO_ONLY),
    ("SetLaneEnabled", key("lane-enable", "7", "")),
    ("SetAutomationPoint", key("point-raise", "7", "")),
    ("RemoveAutomationPoint", key("point-delete", "7", "")),
    ("MapMidiCc", elsewhere("midi-learn", "learn_maps_the_next_controller_and_mapped_moves_are_undoable_set_params")),
    ("UnmapMidiCc", elsewhere("midi-unmap", "a_mapping_shows_next_to_its_parameter_and_u_removes_it")),
    ("RestoreMidiMapping", UNDO_ONLY),
    ("SetAutomationCurve", key("curve-shape", "7", "")),
    (
        "ReplaceAutomationPoints",
        elsewhere("automation-record", "knob_moves_while_playing_are_recorded_into_a_lane_as_one_undo_step"),
    ),
    ("AddAudioTrack", key("instrument-add-audio-track", "1", "")),
    ("AddAudioClip", elsewhere("placement-add", "add_a_track_import_a_file_and_edit_the_clip_with_keys")),
    ("SetTrackInput", key("track-input", "1 A", "")),
    ("SetAudioRegion", elsewhere("clip-gain-up", "add_a_track_import_a_file_and_edit_the_clip_with_keys")),
    ("SetAudioClipSpan", elsewhere("clip-trim-start-later", "add_a_track_import_a_file_and_edit_the_clip_with_keys")),
    ("SplitAudioClip", elsewhere("clip-split", "add_a_track_import_a_file_and_edit_the_clip_with_keys")),
    (
        "FreezeInstrument",
        elsewhere("instrument-freeze", "f_freezes_the_selected_instrument_in_the_background_and_f_or_undo_unfreezes"),
    ),
    (
        "SetFrozen",
        elsewhere("instrument-freeze", "f_freezes_the_selected_instrument_in_the_background_and_f_or_undo_unfreezes"),
    ),
    ("AddDrumKit", key("drum-kit-add", "8", "")),
    ("SetDrumPad", key("drum-pad-voice", "8 a", "")),
    ("AddSampler", elsewhere("sampler-add", "add_a_sampler_edit_its_zones_and_undo")),
    ("AddSamplerZone", elsewhere("zone-add", "add_a_sampler_edit_its_zones_and_undo")),
    ("SetSamplerZone", elsewhere("zone-increase", "add_a_sampler_edit_its_zones_and_undo")),
    ("RemoveSamplerZone", elsewhere("zone-remove", "add_a_sampler_edit_its_zones_and_undo")),
    ("SetDrumPads", elsewhere("slice-assign", "divide_assign_and_undo_in_one_step")),
    ("AddDrumPattern", key("drum-step-toggle", "8 a", "")),
    ("SetDrumSteps", key("drum-velocity-up", "8 a Enter", "")),
    ("ToggleDrumStep", key("drum-step-toggle", "8 a Enter", "")),
    ("SetDrumPattern", key("drum-pattern-longer", "8 a Enter", "")),
    ("SetGenerator", key("generator", "3", "")),
    ("RestoreGenerator", Internal("the inverse of a generator change: only undo and redo apply it")),
    ("CaptureGenerator", key("generator-capture", "3 E", "")),
];

#[test]
fn every_action_variant_is_listed_once() {
    for name in Action::VARIANTS {
        let n = REACH.iter().filter(|(v, _)| v == name).count();
        assert_eq!(n, 1, "Action::{name} is listed {n} times in REACH: give it a command or a reason");
    }
    for (variant, reach) in REACH {
        assert!(Action::VARIANTS.contains(variant), "REACH lists {variant}, which Action has not");
        if let Internal(why) = reach {
            assert!(!why.is_empty(), "{variant}: say why no command causes it");
        }
    }
}

#[test]
fn every_listed_command_exists_with_a_key_unless_palette_only() {
    for (variant, reach) in REACH {
        let (command, palette) = match reach {
            Key { command, .. } | Elsewhere { command, .. } => (command, false),
            Palette { command, .. } => (command, true),
            Internal(_) => continue,
        };
        let c = by_name(command).unwrap_or_else(|| panic!("{variant}: no command {command}"));
        assert_eq!(c.keys.is_empty(), palette, "{variant}: {command} has keys {:?}", c.keys);
    }
}

#[test]
fn the_tests_named_for_the_other_edits_exist() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let sources: String = ["imbolc-ui/src/tests", "imbolc-core/src/midi", "tests/tests"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root.join(dir)).into_iter().flatten().flatten())
        .filter_map(|entry| std::fs::read_to_string(entry.path()).ok())
        .collect();
    for (variant, reach) in REACH {
        if let Elsewhere { test, .. } = reach {
            assert!(sources.contains(&format!("fn {test}()")), "{variant}: no test {test}");
        }
    }
}

#[test]
fn each_command_key_dispatches_its_action_on_the_demo_song() {
    super::fixture::temp_cache();
    let mut missed = Vec::new();
    for (variant, reach) in REACH {
        let (command, before, after) = match reach {
            Key { command, before, after } => (command, *before, *after),
            Palette { command, after } => (command, "", *after),
            _ => continue,
        };
        let Some(c) = COMMANDS.iter().find(|c| c.name == *command) else { continue };
        let mut app = demo_app();
        press(&mut app, before);
        app.dispatched.clear();
        match c.keys.first() {
            Some(key) => press(&mut app, key),
            None => {
                press(&mut app, ":");
                super::fixture::type_text(&mut app, command);
                press(&mut app, "Enter");
            }
        }
        press(&mut app, after);
        if !app.dispatched.contains(variant) {
            missed.push(format!(
                "{variant}: `{before}` then {command} ({:?}) then `{after}` dispatched {:?} ({:?})",
                c.keys.first(),
                app.dispatched,
                app.message().map(|m| m.text.clone())
            ));
        }
    }
    assert!(missed.is_empty(), "not reached:\n{}", missed.join("\n"));
}
