//! From a key to what it does: terminal events, key presses (to the render
//! dialog, an open dialog, musical typing or the keymap) and the commands
//! they resolve to. App-wide commands run here; the rest go to the current
//! pane, whose answer [`super::intents`] carries out.

use std::path::PathBuf;
use std::time::Instant;

use crossterm::event::{Event, KeyEvent, KeyEventKind};

use super::App;
use crate::audio::UiAudio;
use crate::checkpoint_dialog::CheckpointDialog;
use crate::commands::{CommandId, PaneKind};
use crate::keys::KeyChord;
use crate::modal::{Modal, Outcome};
use crate::panes::{Intent, instruments};
use crate::render_dialog::{DialogOutcome, RenderDialog};

impl<S: UiAudio> App<S> {
    /// Reacts to one terminal event; true when the screen must be redrawn.
    pub fn handle_event(&mut self, event: &Event) -> bool {
        match event {
            Event::Key(key) if key.kind == KeyEventKind::Release => self.release(*key),
            Event::Key(key) => {
                self.press(*key);
                true
            }
            Event::Resize(..) => true,
            _ => false,
        }
    }

    /// Handles one key press.
    pub fn press(&mut self, key: KeyEvent) {
        if let Some(dialog) = &mut self.render {
            if dialog.key(key, self.session.project()) == DialogOutcome::Close {
                self.render = None;
            }
            return;
        }
        if let Some(dialog) = &mut self.checkpoints {
            let outcome = dialog.key(key);
            self.on_checkpoint(outcome);
            return;
        }
        if let Some(modal) = &mut self.modal {
            let outcome = modal.key(key);
            if let Modal::Browser(b) = modal {
                self.browse_dir = Some(b.dir.clone());
            }
            // Any key in the browser stops the preview; Space starts the next.
            self.stop_preview();
            if !matches!(outcome, Outcome::Open | Outcome::Preview(_)) {
                self.modal = None;
            }
            self.on_modal(outcome);
            return;
        }
        if self.type_key(key) {
            return;
        }
        match self.keymap.resolve(self.pane, KeyChord::from_event(key)) {
            Some(cmd) => self.run_command(cmd),
            None => self.message = None,
        }
    }

    pub(super) fn show(&mut self, pane: PaneKind) {
        if pane == PaneKind::Help && self.pane != PaneKind::Help {
            self.panes.help.topic = self.pane;
        }
        self.pane = pane;
    }

    /// Runs a command: app-wide ones here, the rest in the current pane.
    pub fn run_command(&mut self, cmd: CommandId) {
        self.message = None;
        match cmd {
            CommandId::Quit if self.take_running() => self.quit_after_take(),
            CommandId::Quit if self.session.is_dirty() => self.modal = Some(Modal::ConfirmQuit),
            CommandId::Quit => self.quit = true,
            CommandId::Save => self.save(),
            CommandId::Undo | CommandId::Redo if self.undo_is_remote() => self.remote_undo(cmd == CommandId::Redo),
            CommandId::ShowTogether => self.show(PaneKind::Together),
            CommandId::ShowViews => self.show(PaneKind::Views),
            CommandId::ViewMaster
            | CommandId::ViewInstrument
            | CommandId::ViewBus
            | CommandId::ViewResetLoudness
            | CommandId::ViewClose => self.views_key(cmd),
            CommandId::TogetherClaim
            | CommandId::TogetherRelease
            | CommandId::TogetherGrant
            | CommandId::TogetherClose => self.together_key(cmd),
            CommandId::Undo => {
                let label = self.session.undo_label().unwrap_or_default();
                let publish = self.undo_to_publish(false);
                match self.session.undo() {
                    Ok(Some(_)) => {
                        self.publish_all(publish);
                        self.after_edit();
                        self.inform(format!("undid: {label}"));
                    }
                    Ok(None) => self.inform("nothing to undo"),
                    Err(e) => self.error(format!("undo failed: {e}")),
                }
            }
            CommandId::Redo => {
                let label = self.session.redo_label().unwrap_or_default();
                let publish = self.undo_to_publish(true);
                match self.session.redo() {
                    Ok(Some(_)) => {
                        self.publish_all(publish);
                        self.after_edit();
                        self.inform(format!("redid: {label}"));
                    }
                    Ok(None) => self.inform("nothing to redo"),
                    Err(e) => self.error(format!("redo failed: {e}")),
                }
            }
            CommandId::Help | CommandId::HelpClose if self.pane == PaneKind::Help => self.pane = self.panes.help.topic,
            CommandId::Help => self.show(PaneKind::Help),
            CommandId::Palette => self.modal = Some(Modal::Palette { query: String::new(), cursor: 0 }),
            CommandId::NextPane | CommandId::PrevPane => self.show(self.pane.cycle(cmd == CommandId::PrevPane)),
            CommandId::ShowInstruments => self.show(PaneKind::Instruments),
            CommandId::ShowEditor => {
                self.panes.editor.edit_instrument();
                self.show(PaneKind::Editor);
            }
            CommandId::ShowPianoRoll => {
                let state = self.state();
                let pitch = self.panes.piano_roll.pitch_to_show(crate::panes::piano_roll::clip_of(&state));
                if let Some(pitch) = pitch {
                    self.panes.piano_roll.show_pitch(pitch);
                }
                self.show(PaneKind::PianoRoll);
            }
            CommandId::ShowMixer => self.show(PaneKind::Mixer),
            CommandId::ShowServer => self.show(PaneKind::Server),
            CommandId::TapTempo => match self.session.tap_tempo(Instant::now()) {
                Ok(Some(_)) => self.inform(format!("tempo {:.1} BPM", self.session.project().tempo)),
                Ok(None) => self.inform("tap again to set the tempo"),
                Err(e) => self.error(format!("tap tempo: {e}")),
            },
            CommandId::ShowDrums => {
                self.select_a_kit();
                self.show(PaneKind::Drums);
            }
            CommandId::ShowArrangement => self.show(PaneKind::Arrangement),
            CommandId::ShowAutomation => self.show(PaneKind::Automation),
            CommandId::ShowSession => self.show(PaneKind::Session),
            CommandId::PlayStop | CommandId::Pause | CommandId::GoToStart | CommandId::LoopToggle => {
                self.transport_command(cmd)
            }
            CommandId::ThemeNext => {
                let next = crate::theme::current_name().next();
                crate::theme::set(next);
                self.inform(format!("theme: {}", next.id()));
            }
            CommandId::TempoUp | CommandId::TempoDown => self.nudge_tempo(cmd == CommandId::TempoUp),
            CommandId::MusicalTyping => self.start_typing(),
            CommandId::TempoSet => self.modal = Some(Modal::Tempo { text: String::new() }),
            CommandId::TakeToggle => self.toggle_take(),
            CommandId::Punch => self.toggle_punch(),
            CommandId::Link => self.toggle_link(),
            CommandId::TakeToTrack => self.toggle_take_to_track(),
            CommandId::CountIn => self.cycle_count_in(),
            CommandId::TakeFolder => {
                let text = format!("{}/", self.take_folder().display());
                self.modal = Some(Modal::Path { purpose: crate::modal::PathPurpose::TakeFolder, text });
            }
            CommandId::ArtistSet => {
                self.modal = Some(Modal::Artist { text: self.session.project().artist.clone() });
            }
            CommandId::SaveAs => self.ask_path(crate::modal::PathPurpose::SaveAs),
            CommandId::Open => self.ask_path(crate::modal::PathPurpose::Open),
            CommandId::ImportMidi => self.ask_path(crate::modal::PathPurpose::ImportMidi),
            CommandId::Render => {
                let loop_region = self.transport.region.map(|r| (r.start, r.end));
                self.render = Some(RenderDialog::new(self.render_dir(), loop_region));
            }
            CommandId::MidiPanic | CommandId::MidiLearn | CommandId::MidiRecord => self.midi_command(cmd),
            CommandId::PadLearn
            | CommandId::PadLayout
            | CommandId::LoopArm
            | CommandId::LoopLength
            | CommandId::LoopQuantise => self.pad_command(cmd),
            CommandId::AutomationRecord => self.toggle_automation_record(),
            CommandId::KeyHints => self.key_hints = !self.key_hints,
            CommandId::Messages => {
                let lines = self.message_history().cloned().collect();
                self.modal = Some(Modal::Messages { lines });
            }
            CommandId::RenameProject => {
                let current = self.session.project().name.clone();
                self.on_intent(Intent::Rename { target: crate::modal::RenameTarget::Project, current });
            }
            CommandId::Checkpoint => self.checkpoints = Some(CheckpointDialog::Name { text: String::new() }),
            CommandId::CheckpointList => {
                self.checkpoints = Some(CheckpointDialog::list(self.session.checkpoints(), self.session.project()));
            }
            CommandId::SetTimeSignature => self.on_intent(Intent::AskTimeSignature),
            CommandId::KeyTuning => self.ask_pitch(false),
            CommandId::InstrumentKeyTuning => self.ask_pitch(true),
            CommandId::ScaleLock => self.toggle_scale_lock(),
            CommandId::Arp => self.toggle_arp(),
            CommandId::ArpSettings => self.ask_transforms(crate::transform_text::Prompt::Arp),
            CommandId::Groove => self.ask_transforms(crate::transform_text::Prompt::Groove),
            CommandId::Chord => self.ask_transforms(crate::transform_text::Prompt::Chord),
            CommandId::Layer => self.ask_layer(),
            CommandId::Generator => self.cycle_generator(),
            CommandId::GeneratorSettings => self.ask_generator(),
            CommandId::GeneratorCapture => self.capture_generator(),
            _ => {
                let rows = if self.pane == PaneKind::Together { self.together_view().rows.len() } else { 0 };
                let state = state_of!(self);
                let intent = match self.pane {
                    PaneKind::Instruments => instruments::handle(cmd, &state),
                    PaneKind::Editor => self.panes.editor.handle(cmd, &state),
                    PaneKind::PianoRoll => self.panes.piano_roll.handle(cmd, &state),
                    PaneKind::Mixer => self.panes.mixer.handle(cmd, &state),
                    PaneKind::Help => {
                        if matches!(cmd, CommandId::Up | CommandId::Down) {
                            self.panes.help.scroll(cmd == CommandId::Down);
                        }
                        None
                    }
                    PaneKind::Server => (cmd == CommandId::ServerRestart).then_some(Intent::RestartServer),
                    PaneKind::Arrangement => self.panes.arrangement.handle(cmd, &state),
                    PaneKind::Automation => self.panes.automation.handle(cmd, &state),
                    PaneKind::Drums => self.panes.drums.handle(cmd, &state),
                    PaneKind::Slicer => self.panes.slicer.handle(cmd, &state),
                    PaneKind::Zones => self.panes.zones.handle(cmd, &state),
                    PaneKind::Session => self.panes.session.handle(cmd, &state),
                    PaneKind::Together => self.panes.together.handle(cmd, &state, rows),
                    PaneKind::Views => None,
                };
                if let Some(intent) = intent {
                    self.on_intent(intent);
                }
            }
        }
    }

    /// The drum pane shows the selected kit: when the selection is not a
    /// kit, the first kit there is gets selected instead.
    fn select_a_kit(&mut self) {
        let list = &self.session.project().instruments;
        if self.selected.and_then(|id| list.get(&id)).is_some_and(|i| i.def.drums.is_some()) {
            return;
        }
        if let Some(kit) = list.values().find(|i| i.def.drums.is_some()) {
            self.selected = Some(kit.id);
        }
    }

    /// Where renders go: `<song>-render/` next to the project file, else
    /// `render/` in the working directory.
    fn render_dir(&self) -> PathBuf {
        match &self.path {
            Some(p) => {
                let stem = p.file_stem().map_or_else(|| "song".into(), |s| s.to_string_lossy().into_owned());
                p.with_file_name(format!("{stem}-render"))
            }
            None => PathBuf::from("render"),
        }
    }

    /// Pad controllers and live looping in the session pane: learn the
    /// cursor's slot (then its scene, its column's stop, stop all,
    /// cancel), the next layout; arm a loop into the slot, its length,
    /// its input quantization.
    fn pad_command(&mut self, cmd: CommandId) {
        let scene = self.panes.session.scene;
        let instrument = self.session.project().instruments.get_index(self.panes.session.column).map(|(id, _)| *id);
        let transport = self.feedback.transport;
        let Some(midi) = self.midi.as_mut() else {
            return self.inform("MIDI is not running");
        };
        let text = match (cmd, instrument) {
            (CommandId::PadLayout, _) => midi.next_pad_layout(),
            (CommandId::LoopLength, _) => midi.next_loop_length(),
            (CommandId::LoopQuantise, _) => midi.toggle_loop_quantise(),
            (CommandId::LoopArm, _) if midi.is_looping() => midi.close_loop(&mut self.session, &transport),
            (_, None) => "no column: add an instrument (1)".to_owned(),
            (CommandId::LoopArm, Some(instrument)) => midi.arm_loop(&mut self.session, instrument, scene, &transport),
            (_, Some(instrument)) => midi.learn_pad(self.session.project(), instrument, scene),
        };
        self.inform(text);
    }

    fn midi_command(&mut self, cmd: CommandId) {
        let state = self.state();
        let target = self.panes.editor.selected_target(&state);
        let mut clip = crate::panes::piano_roll::clip_of(&state).map(|c| c.id);
        // Recording into an instrument with no clip makes one (four bars),
        // as its first typed note would.
        if cmd == CommandId::MidiRecord
            && clip.is_none()
            && self.midi.is_some()
            && let Some(instrument) = self.selected
        {
            let bar = crate::transport::bar_ticks(self.session.project().time_signature);
            clip = self.new_clip(instrument, 4 * bar);
        }
        let from = self.feedback.transport.tick;
        let playing = self.feedback.transport.playing;
        let Some(midi) = self.midi.as_mut() else {
            return self.inform("MIDI is not running");
        };
        let text = match cmd {
            CommandId::MidiPanic => {
                midi.panic();
                "all notes off".to_owned()
            }
            CommandId::MidiLearn if self.pane == PaneKind::Editor && target.is_some() => midi.learn(target),
            CommandId::MidiLearn => "MIDI learn: select a parameter in the editor first".to_owned(),
            CommandId::MidiRecord => match clip {
                Some(clip) => {
                    let (text, started) = midi.toggle_record(&mut self.session, clip, from, playing);
                    if started {
                        self.transport.playing = true;
                        self.transport.paused = false;
                    }
                    text
                }
                None => "no instrument to record into: add one in the instrument list (1)".to_owned(),
            },
            _ => return,
        };
        self.inform(text);
    }
}
