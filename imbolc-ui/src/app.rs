//! [`App`]: the UI state around one [`Session`]: which pane is shown, the
//! selected instrument, an open dialog, the last message, the background
//! saver. It turns keys into commands (through the [`Keymap`]), commands
//! into pane [`Intent`]s, and intents into actions on the session.
//!
//! `App` is generic over the audio sink so tests drive it with a
//! `NullSink` and no server; the terminal loop in [`crate::run`] uses the
//! real audio handle.
//!
//! Submodules add to `App`, one concern each:
//! - [`input`]: terminal events and key presses → commands; app-wide
//!   commands run there, the rest go to the current pane.
//! - [`intents`]: carrying out what panes ([`Intent`]) and dialogs
//!   ([`Outcome`]) ask for.
//! - [`edits`]: dispatching actions, keeping the selection valid, edits
//!   that take several actions.
//! - [`saving`]: `Ctrl-s`, autosave submission, restoring the autosave copy.
//! - [`files`]: save-as, open, loading off the UI thread.
//! - [`play`]: transport, note preview, musical typing.
//! - [`takes`]: performance takes (`C-t`) and the take folder.
//! - [`draw`]: the whole screen.
//! - [`control`]: lines from the control socket.
//! - [`link`]: Ableton Link: the toggle, the status line's part, a peer's
//!   tempo into the project.
//!
//! [`Intent`]: crate::panes::Intent
//! [`Outcome`]: crate::modal::Outcome

/// The panes' [`State`] from an app's fields, each borrowed on its own,
/// so a pane can be borrowed mutably beside it (`self.state()` borrows all).
macro_rules! state_of {
    ($app:expr) => {
        crate::state::State {
            project: $app.session.project(),
            feedback: &$app.feedback,
            selected: $app.selected,
            clip: $app.clip,
            keymap: &$app.keymap,
            transport: $app.transport,
        }
    };
}

mod checkpoints;
mod collab;
mod control;
mod draw;
mod edits;
mod files;
mod freeze;
mod generate;
mod input;
mod intents;
mod link;
mod pitch;
mod play;
mod saving;
mod takes;
mod views;

use std::path::PathBuf;
use std::time::Instant;

use imbolc_audio::engine::EngineFeedback;
use imbolc_core::Session;
use imbolc_core::persist::BackgroundSaver;
use imbolc_types::InstrumentId;

use crate::audio::UiAudio;
use crate::commands::PaneKind;
use crate::keys::Keymap;
use crate::modal::Modal;
use crate::panes::State;
use crate::panes::arrangement::ArrangementPane;
use crate::panes::automation::AutomationPane;
use crate::panes::drums::DrumsPane;
use crate::panes::editor::EditorPane;
use crate::panes::help::HelpPane;
use crate::panes::mixer::MixerPane;
use crate::panes::piano_roll::PianoRollPane;
use crate::panes::slicer::SlicerPane;
use crate::render_dialog::RenderDialog;
use crate::status::Message;
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
    slicer: SlicerPane,
    zones: crate::panes::zones::ZonesPane,
    session: crate::panes::session::SessionPane,
    together: crate::panes::together::TogetherPane,
    views: crate::panes::views::ViewsPane,
}

/// How many status-line messages the history keeps.
pub const MESSAGE_HISTORY: usize = 50;

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
    /// The clip picked in the arrangement (see [`State::clip`]).
    clip: Option<imbolc_types::ClipId>,
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
    /// The checkpoint prompt or list, when open.
    checkpoints: Option<crate::checkpoint_dialog::CheckpointDialog>,
    /// A freeze render in progress (see `app/freeze.rs`).
    freezing: Option<freeze::FreezeJob>,
    /// Live MIDI, when attached (the terminal app; tests run without).
    midi: Option<crate::midi::MidiUi>,
    /// The user's own SynthDefs (none until [`App::scan_user_synthdefs`]).
    user_defs: crate::user_defs::UserSynthDefs,
    /// The folder the sample browser showed last (this session only).
    browse_dir: Option<PathBuf>,
    /// A file preview may be sounding (the next key in the browser stops it).
    previewing: bool,
    /// The instrument whose source the open source picker replaces
    /// (`None`: the picker adds an instrument).
    replacing_source: Option<InstrumentId>,
    /// Whether the line of the current pane's keys shows (`C-k` toggles).
    key_hints: bool,
    /// The last [`MESSAGE_HISTORY`] messages, oldest first (`C-g` shows them).
    history: std::collections::VecDeque<Message>,
    /// The kinds of action dispatched, for the reachability test.
    #[cfg(test)]
    pub(crate) dispatched: Vec<&'static str>,
    /// The performance take running, if any.
    take: Option<takes::TakeRun>,
    /// A performance take also becomes a clip on a new audio track.
    take_to_track: bool,
    /// Hosting or joined (see [`crate::collab`]).
    collab: Option<crate::collab::Collab>,
    /// Ableton Link asked for (the toggle, `--link`).
    link: bool,
    /// The views' latest frame (see `app/views.rs`).
    view: imbolc_audio::views::ViewFrame,
    /// What the engine was last told to watch (`None`: nothing, as an
    /// engine starts).
    view_sent: Option<imbolc_types::ChainOwner>,
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
            clip: None,
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
            checkpoints: None,
            freezing: None,
            midi: None,
            user_defs: crate::user_defs::UserSynthDefs::default(),
            browse_dir: None,
            previewing: false,
            replacing_source: None,
            history: std::collections::VecDeque::new(),
            key_hints: true,
            #[cfg(test)]
            dispatched: Vec::new(),
            take: None,
            take_to_track: false,
            collab: None,
            link: false,
            view: imbolc_audio::views::ViewFrame::default(),
            view_sent: None,
        }
    }

    /// Offers the SynthDefs in `dir` as sources (`.scd` files compiled with
    /// `sclang` when given), scanned on a thread now and whenever the
    /// source picker opens.
    pub fn scan_user_synthdefs(&mut self, dir: PathBuf, sclang: Option<PathBuf>) {
        self.user_defs = crate::user_defs::UserSynthDefs::start(dir, sclang);
    }

    /// Takes a finished scan of the user's SynthDefs: an open source picker
    /// shows it, refused files are reported. True when something changed.
    fn poll_user_defs(&mut self) -> bool {
        let Some(defs) = self.user_defs.poll() else { return false };
        if let Some(Modal::Picker(picker)) = &mut self.modal
            && picker.pick == crate::modal::Pick::Source
        {
            picker.user = defs.clone();
        }
        if let Some(note) = crate::user_defs::refusals_note(&defs) {
            self.error(note);
        }
        true
    }

    /// Attaches live MIDI (see [`crate::midi::MidiUi`]).
    pub fn attach_midi(&mut self, midi: crate::midi::MidiUi) {
        self.midi = Some(midi);
    }

    /// Once per frame: runs MIDI (controllers, learn, recording, clock).
    /// True when the screen must be redrawn.
    pub fn midi_frame(&mut self) -> bool {
        let Some(midi) = self.midi.as_mut() else { return false };
        match midi.frame(&mut self.session, &self.feedback, self.selected) {
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
        self.show_message(Message::info(text));
    }

    /// The messages shown so far this session, oldest first.
    pub fn message_history(&self) -> impl Iterator<Item = &Message> {
        self.history.iter()
    }

    /// Puts `message` on the status line and in the history.
    fn show_message(&mut self, message: Message) {
        if self.history.len() == MESSAGE_HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(message.clone());
        self.message = Some(message);
    }

    /// Shows an error in the status line (and logs it).
    pub fn error(&mut self, text: impl Into<String>) {
        let text = text.into();
        tracing::warn!("{text}");
        self.show_message(Message::error(text));
    }

    /// Takes this frame's engine feedback; true when it differs from the
    /// last (server state or any meter moved), i.e. a redraw is due.
    pub fn set_feedback(&mut self, feedback: &EngineFeedback) -> bool {
        if *feedback == self.feedback {
            return false;
        }
        let stopped = &feedback.stopped;
        if stopped.count != self.feedback.stopped.count && stopped.count > 0 {
            // The engine stopped play by itself (a server it could not
            // bring back): the transport shows it, and why.
            self.transport.playing = false;
            self.transport.paused = false;
            self.error(stopped.reason.clone());
        }
        if feedback.refusals.count > self.feedback.refusals.count {
            self.error(format!("scsynth refused: {}", feedback.refusals.last));
        }
        self.follow_link(feedback);
        self.feedback.clone_from(feedback);
        true
    }

    /// Once per frame: collects finished saves and starts an autosave when
    /// one is due. True when the screen must be redrawn.
    pub fn tick(&mut self, now: Instant) -> bool {
        let mut changed = self.sync_view();
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
        changed |= self.take_tick(now);
        changed |= self.poll_loading();
        changed |= self.poll_user_defs();
        changed |= self.poll_freeze();
        changed |= self.collab_frame();
        if let Some(dialog) = &mut self.render {
            changed |= dialog.poll();
        }
        changed
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
        self.forget_view();
        self.inform("server restarted");
        self.abandon_take();
    }

    /// The state panes read, as of now.
    pub fn state(&self) -> State<'_> {
        state_of!(self)
    }
}

/// Read access for tests.
#[cfg(test)]
impl<S: UiAudio> App<S> {
    pub fn session(&self) -> &Session<S> {
        &self.session
    }

    /// Selects an instrument (as the instrument list does).
    pub fn set_selected(&mut self, id: InstrumentId) {
        self.selected = Some(id);
    }

    /// Where the next browser opens (as after browsing there).
    pub fn set_browse_dir(&mut self, dir: PathBuf) {
        self.browse_dir = Some(dir);
    }

    pub fn pane(&self) -> PaneKind {
        self.pane
    }

    /// The sample open in the slicer, if any.
    pub fn slicer(&self) -> Option<&crate::panes::slicer::Slicing> {
        self.panes.slicer.slicing.as_ref()
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

    /// The piano roll's selected range in clip ticks, if any.
    pub fn piano_roll_selection(&self) -> Option<(imbolc_types::Tick, imbolc_types::Tick)> {
        self.panes.piano_roll.selection()
    }
}
