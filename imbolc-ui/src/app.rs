//! [`App`]: the UI state around one [`Session`]: which pane is shown, the
//! selected instrument, an open dialog, the last message, the background
//! saver. It turns keys into commands (through the [`Keymap`]), commands
//! into pane [`Intent`]s, and intents into actions on the session.
//!
//! `App` is generic over the audio sink so tests drive it with a
//! `NullSink` and no server; the terminal loop in [`crate::run`] uses the
//! real audio handle.
//!
//! Submodules add to `App`: [`play`] (transport, note preview, musical
//! typing) and [`files`] (save-as, open, loading off the UI thread).

mod files;
mod play;

use std::path::PathBuf;
use std::time::Instant;

use crossterm::event::{Event, KeyEvent, KeyEventKind};
use imbolc_audio::engine::EngineFeedback;
use imbolc_core::Session;
use imbolc_core::persist::{BackgroundSaver, SaveJob};
use imbolc_types::{Action, EffectKind, InstrumentId, SourceKind, Tick};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use crate::audio::UiAudio;
use crate::commands::{CommandId, Context, PaneKind, command};
use crate::keys::{KeyChord, Keymap};
use crate::modal::{Modal, Outcome, Pick};
use crate::panes::arrangement::ArrangementPane;
use crate::panes::automation::AutomationPane;
use crate::panes::drums::DrumsPane;
use crate::panes::editor::EditorPane;
use crate::panes::help::HelpPane;
use crate::panes::mixer::MixerPane;
use crate::panes::piano_roll::PianoRollPane;
use crate::panes::{Intent, State, instruments, server};
use crate::render_dialog::{DialogOutcome, RenderDialog};
use crate::status::{self, Message};
use crate::transport::TransportView;

/// The view state of every pane.
#[derive(Debug, Default)]
struct Panes {
    editor: EditorPane,
    piano_roll: PianoRollPane,
    mixer: MixerPane,
    help: HelpPane,
    drums: DrumsPane,
    arrangement: ArrangementPane,
    automation: AutomationPane,
}

/// The whole UI.
pub struct App<S: UiAudio> {
    session: Session<S>,
    /// Where Ctrl-s saves; `None` when imbolc was started without a file
    /// or the file could not be read (it must never be overwritten then).
    path: Option<PathBuf>,
    saver: Option<BackgroundSaver>,
    keymap: Keymap,
    pane: PaneKind,
    selected: Option<InstrumentId>,
    panes: Panes,
    modal: Option<Modal>,
    feedback: EngineFeedback,
    message: Option<Message>,
    /// Quit once the save in flight succeeds.
    quit_after_save: bool,
    saving: bool,
    quit: bool,
    /// What the UI asked of the transport.
    transport: TransportView,
    /// Live voices (preview, musical typing) and everything they need.
    live: play::Live,
    /// A project being read on a loader thread.
    loading: Option<files::Loading>,
    /// The user asked for a new server; the event loop makes one.
    restart: bool,
    /// The render dialog, when open (it outlives a render in progress).
    render: Option<RenderDialog>,
    /// Live MIDI, when attached (the terminal app; tests run without).
    midi: Option<crate::midi::MidiUi>,
}

impl<S: UiAudio> std::fmt::Debug for App<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("pane", &self.pane).field("path", &self.path).finish_non_exhaustive()
    }
}

impl<S: UiAudio> App<S> {
    /// An app on `session`, saving to `path`. Without a saver thread,
    /// saving reports an error instead.
    pub fn new(session: Session<S>, path: Option<PathBuf>, keymap: Keymap, saver: Option<BackgroundSaver>) -> Self {
        let selected = session.project().instruments.keys().next().copied();
        App {
            session,
            path,
            saver,
            keymap,
            pane: PaneKind::Instruments,
            selected,
            panes: Panes::default(),
            modal: None,
            feedback: EngineFeedback::default(),
            message: None,
            quit_after_save: false,
            saving: false,
            quit: false,
            transport: TransportView::default(),
            live: play::Live::default(),
            loading: None,
            restart: false,
            render: None,
            midi: None,
        }
    }

    /// Attaches live MIDI (see [`crate::midi::MidiUi`]).
    pub fn attach_midi(&mut self, midi: crate::midi::MidiUi) {
        self.midi = Some(midi);
    }

    /// Once per frame: runs MIDI (controllers, learn, recording, clock).
    /// True when the screen must be redrawn.
    pub fn midi_frame(&mut self) -> bool {
        let Some(midi) = self.midi.as_mut() else { return false };
        let transport = self.feedback.transport;
        match midi.frame(&mut self.session, &transport, self.selected) {
            Some(text) => {
                self.inform(text);
                true
            }
            None => false,
        }
    }

    pub fn session_mut(&mut self) -> &mut Session<S> {
        &mut self.session
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// Shows a message in the status line.
    pub fn inform(&mut self, text: impl Into<String>) {
        self.message = Some(Message::info(text));
    }

    /// Shows an error in the status line (and logs it).
    pub fn error(&mut self, text: impl Into<String>) {
        let text = text.into();
        tracing::warn!("{text}");
        self.message = Some(Message::error(text));
    }

    /// Takes this frame's engine feedback; true when it differs from the
    /// last (server state or any meter moved), i.e. a redraw is due.
    pub fn set_feedback(&mut self, feedback: &EngineFeedback) -> bool {
        if *feedback == self.feedback {
            return false;
        }
        self.feedback.clone_from(feedback);
        true
    }

    /// Once per frame: collects finished saves and starts an autosave when
    /// one is due. True when the screen must be redrawn.
    pub fn tick(&mut self, now: Instant) -> bool {
        let mut changed = false;
        while let Some(report) = self.saver.as_ref().and_then(BackgroundSaver::try_report) {
            changed = true;
            let full = report.kind == imbolc_core::persist::SaveKind::Full;
            let path = report.path.clone();
            if full {
                self.saving = false;
                if report.result.is_ok() {
                    self.path = Some(path.clone());
                }
            }
            match self.session.on_saved(report) {
                Some(e) => {
                    self.quit_after_save = false;
                    self.error(format!("save failed: {e}"));
                }
                None if full => {
                    self.inform(format!("saved {}", path.display()));
                    if self.quit_after_save {
                        self.quit = true;
                    }
                }
                None => {}
            }
        }
        if let Some(job) = self.session.autosave_job(now) {
            self.submit(job);
        }
        self.release_due(now);
        changed |= self.poll_loading();
        if let Some(dialog) = &mut self.render {
            changed |= dialog.poll();
        }
        changed
    }

    fn submit(&mut self, job: SaveJob) {
        let result = match &self.saver {
            Some(saver) => saver.submit(job).map_err(|e| e.to_string()),
            None => Err("no saver thread".to_owned()),
        };
        if let Err(e) = result {
            self.quit_after_save = false;
            self.error(format!("cannot save: {e}"));
        }
    }

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
        if let Some(modal) = &mut self.modal {
            let outcome = modal.key(key);
            if outcome != Outcome::Open {
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

    fn on_modal(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Open | Outcome::Cancel => {}
            Outcome::Picked(Pick::Source, i) => {
                let Some(&source) = SourceKind::ALL.get(i) else { return };
                let name = self.fresh_name(source.name());
                if self.apply(Action::AddInstrument { source, name }) {
                    self.selected = self.session.project().instruments.keys().last().copied();
                }
            }
            Outcome::Picked(Pick::Effect(owner), i) => {
                let Some(&kind) = EffectKind::ALL.get(i) else { return };
                self.apply(Action::AddEffect { owner, kind, index: None });
            }
            Outcome::Renamed(instrument, name) => {
                self.apply(Action::RenameInstrument { instrument, name });
            }
            Outcome::Run(cmd) => {
                // A pane command runs in its pane.
                if let Some(Context::Pane(p)) = command(cmd).map(|c| c.context)
                    && p != self.pane
                {
                    self.show(p);
                }
                self.run_command(cmd);
            }
            Outcome::SaveAndQuit => {
                self.quit_after_save = true;
                self.save();
                if !self.saving {
                    self.quit_after_save = false;
                }
            }
            Outcome::QuitWithoutSaving => self.quit = true,
            Outcome::PadSample(instrument, pad, path) => {
                match imbolc_core::drums::sample_pad_action(instrument, pad, std::path::Path::new(&path)) {
                    Ok(action) => {
                        self.apply(action);
                    }
                    Err(e) => self.error(e.to_string()),
                }
            }
            Outcome::RestoreRecovery => self.restore_recovery(),
            Outcome::Path(purpose, text) => self.on_path(purpose, &text),
            Outcome::OpenAnyway(path) => self.start_loading(path),
            Outcome::Lane(target) => {
                self.apply(Action::AddLane { target });
            }
            Outcome::Tempo(text) => self.set_tempo_text(&text),
        }
    }

    /// Asks whether to restore the file's newer autosave copy.
    pub fn offer_recovery(&mut self) {
        if self.path.is_some() {
            self.modal = Some(Modal::Recovery);
        }
    }

    /// Replaces the project with the file's autosave copy. It counts as
    /// unsaved (the saved copy is still the one on disk) and cannot be
    /// undone past.
    fn restore_recovery(&mut self) {
        let Some(path) = self.path.clone() else { return };
        match imbolc_core::persist::load_recovery(&path) {
            Ok(project) => {
                self.session.replace_project(project);
                self.selected = self.session.project().instruments.keys().next().copied();
                self.inform("restored the autosave copy (Ctrl-s keeps it)");
            }
            Err(e) => self.error(format!("cannot restore the autosave copy: {e}")),
        }
    }

    /// `saw`, then `saw 2`, `saw 3`, … so new instruments are told apart.
    fn fresh_name(&self, base: &str) -> String {
        let taken = |n: &str| self.session.project().instruments.values().any(|i| i.name == n);
        if !taken(base) {
            return base.to_owned();
        }
        (2..).map(|k| format!("{base} {k}")).find(|n| !taken(n)).unwrap_or_else(|| base.to_owned())
    }

    fn show(&mut self, pane: PaneKind) {
        if pane == PaneKind::Help && self.pane != PaneKind::Help {
            self.panes.help.topic = self.pane;
        }
        self.pane = pane;
    }

    /// Runs a command: app-wide ones here, the rest in the current pane.
    pub fn run_command(&mut self, cmd: CommandId) {
        self.message = None;
        match cmd {
            CommandId::Quit if self.session.is_dirty() => self.modal = Some(Modal::ConfirmQuit),
            CommandId::Quit => self.quit = true,
            CommandId::Save => self.save(),
            CommandId::Undo => match self.session.undo() {
                Ok(Some(_)) => self.after_edit(),
                Ok(None) => self.inform("nothing to undo"),
                Err(e) => self.error(format!("undo failed: {e}")),
            },
            CommandId::Redo => match self.session.redo() {
                Ok(Some(_)) => self.after_edit(),
                Ok(None) => self.inform("nothing to redo"),
                Err(e) => self.error(format!("redo failed: {e}")),
            },
            CommandId::Help if self.pane == PaneKind::Help => self.pane = self.panes.help.topic,
            CommandId::Help => self.show(PaneKind::Help),
            CommandId::Palette => self.modal = Some(Modal::Palette { query: String::new(), cursor: 0 }),
            CommandId::NextPane | CommandId::PrevPane => self.show(self.pane.cycle(cmd == CommandId::PrevPane)),
            CommandId::ShowInstruments => self.show(PaneKind::Instruments),
            CommandId::ShowEditor => self.show(PaneKind::Editor),
            CommandId::ShowPianoRoll => self.show(PaneKind::PianoRoll),
            CommandId::ShowMixer => self.show(PaneKind::Mixer),
            CommandId::ShowServer => self.show(PaneKind::Server),
            CommandId::TapTempo => match self.session.tap_tempo(Instant::now()) {
                Ok(Some(_)) => self.inform(format!("tempo {:.1} BPM", self.session.project().tempo)),
                Ok(None) => self.inform("tap again to set the tempo"),
                Err(e) => self.error(format!("tap tempo: {e}")),
            },
            CommandId::ShowDrums => self.show(PaneKind::Drums),
            CommandId::ShowArrangement => self.show(PaneKind::Arrangement),
            CommandId::ShowAutomation => self.show(PaneKind::Automation),
            CommandId::PlayStop | CommandId::Pause | CommandId::LoopToggle => self.transport_command(cmd),
            CommandId::TempoUp | CommandId::TempoDown => self.nudge_tempo(cmd == CommandId::TempoUp),
            CommandId::MusicalTyping => self.start_typing(),
            CommandId::TempoSet => self.modal = Some(Modal::Tempo { text: String::new() }),
            CommandId::SaveAs => self.ask_path(crate::modal::PathPurpose::SaveAs),
            CommandId::Open => self.ask_path(crate::modal::PathPurpose::Open),
            CommandId::Render => {
                let loop_region = self.transport.region.map(|r| (r.start, r.end));
                self.render = Some(RenderDialog::new(self.render_dir(), loop_region));
            }
            CommandId::MidiPanic | CommandId::MidiLearn | CommandId::MidiRecord => self.midi_command(cmd),
            _ => {
                let state = State {
                    project: self.session.project(),
                    feedback: &self.feedback,
                    selected: self.selected,
                    keymap: &self.keymap,
                    transport: self.transport,
                };
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
                };
                if let Some(intent) = intent {
                    self.on_intent(intent);
                }
            }
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

    fn midi_command(&mut self, cmd: CommandId) {
        let state = self.state();
        let target = self.panes.editor.selected_target(&state);
        let clip = crate::panes::piano_roll::clip_of(&state).map(|c| c.id);
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
                Some(clip) => midi.toggle_record(&mut self.session, clip, from, playing),
                None => "no clip to record into: add a note in the piano roll first".to_owned(),
            },
            _ => return,
        };
        self.inform(text);
    }

    fn on_intent(&mut self, intent: Intent) {
        match intent {
            Intent::Dispatch(action) => {
                self.apply(action);
            }
            Intent::Select(id) => self.selected = Some(id),
            Intent::Show(pane) => self.show(pane),
            Intent::ChooseSource => self.modal = Some(Modal::Picker { pick: Pick::Source, cursor: 0 }),
            Intent::ChooseEffect(owner) => self.modal = Some(Modal::Picker { pick: Pick::Effect(owner), cursor: 0 }),
            Intent::Rename { instrument, current } => self.modal = Some(Modal::Rename { instrument, text: current }),
            Intent::AddNote { instrument, note } => {
                if self.add_notes(instrument, vec![note]) {
                    self.preview(instrument, note);
                }
            }
            Intent::Message(text) => self.inform(text),
            Intent::AddNotes { instrument, notes } => {
                self.add_notes(instrument, notes);
            }
            Intent::SetLoop { clip, start, end } => self.set_loop(clip, start, end),
            Intent::ChooseLane(instrument) => self.choose_lane(instrument),
            Intent::SetMode(mode) => self.set_mode(mode),
            Intent::DispatchAll(actions) => {
                for a in actions {
                    if !self.apply(a) {
                        break;
                    }
                }
            }
            Intent::RestartServer => {
                self.restart = true;
                self.inform("restarting the server…");
            }
            Intent::AddDrumKit => {
                let name = self.fresh_name("drums");
                if self.apply(Action::AddDrumKit { name }) {
                    self.selected = self.session.project().instruments.keys().last().copied();
                }
            }
            Intent::AddDrumStep { instrument, key } => self.add_drum_step(instrument, key),
            Intent::ChoosePadSample { instrument, pad } => {
                self.modal = Some(Modal::PadSample { instrument, pad, text: String::new() })
            }
        }
    }

    /// Sets a step on a kit with no pattern: a 16-step 1/16 pattern is
    /// created first.
    fn add_drum_step(&mut self, instrument: InstrumentId, key: imbolc_types::StepKey) {
        let resolution = imbolc_types::StepResolution::Sixteenth;
        if !self.apply(Action::AddDrumPattern { instrument, name: String::new(), steps: 16, resolution }) {
            return;
        }
        let clip = self.session.project().clips.values().rev().find(|c| c.instrument == instrument).map(|c| c.id);
        if let Some(clip) = clip {
            self.apply(Action::ToggleDrumStep { clip, key });
        }
    }

    /// Adds notes to the instrument's clip. Its first note creates a clip
    /// two bars long (or long enough for the notes) and places it at the
    /// song start, so play sounds it at once; a clip too short for new
    /// notes grows to the bar after them (with the placements that played
    /// all of it). True when the notes were added.
    fn add_notes(&mut self, instrument: InstrumentId, notes: Vec<imbolc_types::Note>) -> bool {
        let clip_of_instrument =
            |s: &Session<S>| s.project().clips.values().find(|c| c.instrument == instrument).map(|c| (c.id, c.length));
        let bar: Tick = crate::transport::bar_ticks(self.session.project().time_signature);
        let end = notes.iter().map(|n| n.start + n.length).max().unwrap_or(0);
        let needed = end.div_ceil(bar).max(2) * bar;
        match clip_of_instrument(&self.session) {
            None => {
                if !self.apply(Action::AddClip { instrument, name: String::new(), length: needed }) {
                    return false;
                }
                if let Some((clip, length)) = clip_of_instrument(&self.session) {
                    self.apply(Action::AddPlacement { clip, start: 0, length });
                }
            }
            Some((clip, length)) if length < end => {
                if !self.apply(Action::SetClipLength { clip, length: needed }) {
                    return false;
                }
                // Placements that played the whole clip keep doing so.
                let whole: Vec<_> = self
                    .session
                    .project()
                    .placements
                    .values()
                    .filter(|p| p.clip == clip && p.length == length)
                    .map(|p| p.id)
                    .collect();
                for placement in whole {
                    self.apply(Action::ResizePlacement { placement, length: needed });
                }
            }
            Some(_) => {}
        }
        let Some((clip, _)) = clip_of_instrument(&self.session) else { return false };
        match <[_; 1]>::try_from(notes) {
            Ok([note]) => self.apply(Action::AddNote { clip, note }),
            Err(notes) => self.apply(Action::AddNotes { clip, notes }),
        }
    }

    /// Offers the parameters of `instrument` that have no lane yet.
    fn choose_lane(&mut self, instrument: InstrumentId) {
        let items = crate::panes::automation::automatable(self.session.project(), instrument);
        if items.is_empty() {
            self.inform("every parameter of this instrument has a lane");
        } else {
            self.modal = Some(Modal::LanePicker { items, cursor: 0 });
        }
    }

    /// Whether the user asked for a new server (and forgets the request).
    pub fn take_restart(&mut self) -> bool {
        std::mem::take(&mut self.restart)
    }

    /// After a new server replaced the old: the whole scene, and the
    /// transport settings, go to it; it starts stopped.
    pub fn restarted(&mut self) {
        let scene = self.session.project().audio_scene();
        self.session.audio_mut().send(vec![imbolc_types::AudioDiff::SceneLoaded(Box::new(scene))]);
        let t = self.transport;
        let _ = self.session.audio_mut().transport(imbolc_audio::engine::TransportCmd::SetLoop(t.active_loop()));
        let _ = self.session.audio_mut().transport(imbolc_audio::engine::TransportCmd::SetMode(t.mode));
        self.transport.playing = false;
        self.transport.paused = false;
        self.inform("server restarted");
    }

    /// Dispatches an action; errors go to the status line. True on success.
    fn apply(&mut self, action: Action) -> bool {
        let label = action.label();
        match self.session.dispatch(action) {
            Ok(_) => {
                self.after_edit();
                true
            }
            Err(e) => {
                self.error(format!("cannot {label}: {e}"));
                false
            }
        }
    }

    /// Keeps the selection on an existing instrument after any change
    /// (a removal selects the neighbour, an undo of an add the one before).
    fn after_edit(&mut self) {
        let list = &self.session.project().instruments;
        if self.selected.is_some_and(|id| list.contains_key(&id)) {
            return;
        }
        self.selected = list.keys().last().copied();
    }

    fn save(&mut self) {
        let Some(path) = self.path.clone() else {
            self.error("no file to save to: start imbolc with a file name (imbolc song.imbolc)");
            return;
        };
        if self.saving {
            self.inform("already saving");
            return;
        }
        if let Some(job) = self.session.save_job(Some(&path)) {
            self.saving = true;
            self.inform(format!("saving {}…", path.display()));
            self.submit(job);
            if self.message.as_ref().is_some_and(Message::is_error) {
                self.saving = false;
            }
        }
    }

    /// The state panes read, as of now.
    pub fn state(&self) -> State<'_> {
        State {
            project: self.session.project(),
            feedback: &self.feedback,
            selected: self.selected,
            keymap: &self.keymap,
            transport: self.transport,
        }
    }

    /// Draws the whole screen: tabs, the current pane, the status line and
    /// any open dialog.
    pub fn draw(&self, frame: &mut Frame) {
        let [tabs, main, status_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(1)]).areas(frame.area());
        let state = self.state();
        status::render_tabs(frame, tabs, self.pane);
        match self.pane {
            PaneKind::Instruments => instruments::render(frame, main, &state),
            PaneKind::Editor => self.panes.editor.render(frame, main, &state),
            PaneKind::PianoRoll => self.panes.piano_roll.render(frame, main, &state),
            PaneKind::Mixer => self.panes.mixer.render(frame, main, &state),
            PaneKind::Server => match &self.midi {
                Some(midi) => {
                    let [top, bottom] = Layout::vertical([Constraint::Min(1), Constraint::Length(6)]).areas(main);
                    server::render(frame, top, &state);
                    midi.render(frame, bottom);
                }
                None => server::render(frame, main, &state),
            },
            PaneKind::Drums => self.panes.drums.render(frame, main, &state),
            PaneKind::Help => self.panes.help.render(frame, main, &state),
            PaneKind::Arrangement => self.panes.arrangement.render(frame, main, &state),
            PaneKind::Automation => self.panes.automation.render(frame, main, &state),
        }
        let name = self
            .path
            .as_ref()
            .and_then(|p| p.file_name())
            .map_or_else(|| self.session.project().name.clone(), |n| n.to_string_lossy().into_owned());
        status::render_status(
            frame,
            status_area,
            &name,
            self.session.is_dirty(),
            &self.feedback,
            self.message.as_ref(),
            &self.transport_summary(),
        );
        if let Some(modal) = &self.modal {
            modal.render(frame, &self.keymap);
        }
        if let Some(dialog) = &self.render {
            dialog.render(frame);
        }
    }
}

/// Read access for tests.
#[cfg(test)]
impl<S: UiAudio> App<S> {
    pub fn session(&self) -> &Session<S> {
        &self.session
    }

    pub fn pane(&self) -> PaneKind {
        self.pane
    }

    pub fn modal(&self) -> Option<&Modal> {
        self.modal.as_ref()
    }

    pub fn selected(&self) -> Option<InstrumentId> {
        self.selected
    }

    pub fn message(&self) -> Option<&Message> {
        self.message.as_ref()
    }

    /// The status line's transport text.
    pub fn transport_text(&self) -> String {
        self.transport_summary()
    }

    /// The clip the piano roll shows, for tests.
    pub fn piano_clip(&self) -> Option<&imbolc_types::Clip> {
        crate::panes::piano_roll::clip_of(&self.state())
    }
}
