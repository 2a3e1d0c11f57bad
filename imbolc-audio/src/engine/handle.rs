//! [`AudioHandle`]: the only way into the audio thread. Sending never
//! blocks (the normal lane is bounded and keeps what does not fit in a
//! coalescing backlog, see `lane.rs`; the realtime lane refuses when full)
//! and reading the feedback never waits on the audio thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};
use imbolc_types::{AudioDiff, InstrumentId, Tick};
use rosc::OscMessage;

use crate::status::ServerState;
use crate::views::{ViewFrame, ViewInput, ViewReader};

use super::cmd::{EngineCmd, EngineConfig, EngineError, TransportCmd, VoiceId};
use super::counters::{CounterSnapshot, EngineCounters};
use super::feedback::{EngineFeedback, FeedbackReader, Publisher, TransportFeedback};
use super::lane::{NORMAL_CAPACITY, NormalLane};
use super::live::LiveSender;
use super::meters::Meters;
use super::run::{Engine, Lanes};
use super::traffic::diff_payload_bytes;
use crate::scheduler::{LoopRegion, PlayMode};

/// Owns the audio thread. Dropping it shuts the thread down, which stops
/// scsynth and any JACK server it started.
#[derive(Debug)]
pub struct AudioHandle {
    realtime: Sender<EngineCmd>,
    normal: NormalLane,
    feedback: FeedbackReader,
    counters: Arc<EngineCounters>,
    stop: Arc<AtomicBool>,
    next_voice: Arc<AtomicU64>,
    /// Payload bytes of every diff sent (see [`diff_payload_bytes`]).
    diff_bytes: AtomicU64,
    thread: Option<JoinHandle<()>>,
    /// The views' analyser: its input (for a loudness reset) and its
    /// frames. Its thread ends once this handle and the audio thread are
    /// gone (every sender dropped).
    views: Sender<ViewInput>,
    view_reader: ViewReader,
}

impl AudioHandle {
    /// Starts the audio thread, which boots the server in the background:
    /// the handle is usable at once and [`AudioHandle::server_state`] shows
    /// the progress.
    ///
    /// # Errors
    /// [`EngineError::Spawn`] if the thread cannot be created.
    pub fn spawn(config: EngineConfig) -> Result<AudioHandle, EngineError> {
        let (realtime, realtime_rx) = bounded(config.realtime_capacity.max(1));
        let (normal, normal_rx) = bounded(NORMAL_CAPACITY);
        let (publisher, feedback) = Publisher::new();
        let counters = Arc::new(EngineCounters::default());
        let stop = Arc::new(AtomicBool::new(false));
        let lanes = Lanes { realtime: realtime_rx, normal: normal_rx };
        let (views, view_reader, _detached) = crate::views::spawn_analyser()?;
        let engine =
            Engine::new(config, lanes, publisher, Arc::clone(&counters), Arc::clone(&stop)).with_views(views.clone());
        // The server's children die with the thread that started them, so
        // the server is started on this long-lived thread.
        let thread = std::thread::Builder::new().name("imbolc-audio".into()).spawn(move || engine.run())?;
        Ok(AudioHandle {
            realtime,
            normal: NormalLane::new(normal),
            feedback,
            counters,
            stop,
            next_voice: Arc::new(AtomicU64::new(0)),
            diff_bytes: AtomicU64::new(0),
            thread: Some(thread),
            views,
            view_reader,
        })
    }

    /// Watches `target`'s sound in the views (scope, spectrum, loudness),
    /// or closes them (`None`): only one target is watched, and nothing
    /// runs on the server while no view is open.
    ///
    /// # Errors
    /// As [`AudioHandle::voice_on`].
    pub fn view(&self, target: Option<imbolc_types::ChainOwner>) -> Result<(), EngineError> {
        self.realtime(EngineCmd::View(target))
    }

    /// Starts the loudness of the open view afresh (integrated, true peak).
    ///
    /// # Errors
    /// [`EngineError::Stopped`] when the analyser has ended.
    pub fn reset_loudness(&self) -> Result<(), EngineError> {
        self.views.send(ViewInput::ResetLoudness).map_err(|_| EngineError::Stopped)
    }

    /// The views' latest frame (never waits).
    pub fn view_frame(&mut self) -> &ViewFrame {
        self.view_reader.read()
    }

    /// Queues diffs; each one's ops go to the server as one bundle.
    ///
    /// # Errors
    /// [`EngineError::Stopped`] when the audio thread has ended.
    pub fn send_diffs(&self, diffs: Vec<AudioDiff>) -> Result<(), EngineError> {
        let bytes: usize = diffs.iter().map(diff_payload_bytes).sum();
        self.diff_bytes.fetch_add(bytes as u64, Ordering::Relaxed);
        self.normal.diffs(diffs)
    }

    /// Starts a sustained voice on `instrument` at `freq` Hz, `velocity`
    /// 0..=1. Voices are not restored after a server restart.
    ///
    /// Voices take the realtime lane, so they overtake diffs still queued:
    /// a voice on an instrument whose `InstrumentAdded` has not been
    /// applied yet is dropped (and counted in `CounterSnapshot::dropped`).
    ///
    /// # Errors
    /// [`EngineError::Busy`] when the realtime lane is full,
    /// [`EngineError::Stopped`] when the audio thread has ended.
    pub fn voice_on(&self, instrument: InstrumentId, freq: f32, velocity: f32) -> Result<VoiceId, EngineError> {
        let voice = VoiceId(self.next_voice.fetch_add(1, Ordering::Relaxed));
        self.realtime(EngineCmd::VoiceOn { voice, instrument, freq, velocity })?;
        Ok(voice)
    }

    /// A cloneable sender on the realtime lane for another thread (the
    /// MIDI input callback): live events never wait for the UI loop.
    pub fn live_sender(&self) -> LiveSender {
        LiveSender::new(self.realtime.clone(), Arc::clone(&self.counters), Arc::clone(&self.next_voice))
    }

    /// Releases a voice.
    ///
    /// # Errors
    /// As [`AudioHandle::voice_on`].
    pub fn voice_off(&self, voice: VoiceId) -> Result<(), EngineError> {
        self.realtime(EngineCmd::VoiceOff { voice })
    }

    /// Sustain pedal of `instrument`: while down, released voices keep
    /// sounding; up releases them.
    ///
    /// # Errors
    /// As [`AudioHandle::voice_on`].
    pub fn sustain(&self, instrument: InstrumentId, down: bool) -> Result<(), EngineError> {
        self.realtime(EngineCmd::Pedal { instrument, down })
    }

    /// Total payload bytes of the diffs sent so far (an edit's share is
    /// the difference around its `send_diffs`): note edits must cost their
    /// own size, whatever the size of the clip.
    pub fn diff_bytes(&self) -> u64 {
        self.diff_bytes.load(Ordering::Relaxed)
    }

    /// Starts playing from the current position.
    ///
    /// # Errors
    /// As [`AudioHandle::voice_on`].
    pub fn play(&self) -> Result<(), EngineError> {
        self.transport(TransportCmd::Play)
    }

    /// Stops, releases every voice, and returns to where play started.
    ///
    /// # Errors
    /// As [`AudioHandle::voice_on`].
    pub fn stop(&self) -> Result<(), EngineError> {
        self.transport(TransportCmd::Stop)
    }

    /// Stops and releases every voice, keeping the position.
    ///
    /// # Errors
    /// As [`AudioHandle::voice_on`].
    pub fn pause(&self) -> Result<(), EngineError> {
        self.transport(TransportCmd::Pause)
    }

    /// Moves the song position to `tick`.
    ///
    /// # Errors
    /// As [`AudioHandle::voice_on`].
    pub fn seek(&self, tick: Tick) -> Result<(), EngineError> {
        self.transport(TransportCmd::Seek(tick))
    }

    /// Sets the tempo in beats per minute.
    ///
    /// # Errors
    /// As [`AudioHandle::voice_on`].
    pub fn set_tempo(&self, bpm: f32) -> Result<(), EngineError> {
        self.transport(TransportCmd::SetTempo(bpm))
    }

    /// Joins (`true`) or leaves the Ableton Link session on the network:
    /// tempo, bar phase and start/stop follow the other peers.
    ///
    /// # Errors
    /// As [`AudioHandle::voice_on`].
    pub fn set_link(&self, on: bool) -> Result<(), EngineError> {
        self.realtime(EngineCmd::Link(on))
    }

    /// With Link on, follows the session's tempo but never sends a tempo
    /// edit to it (`true`). Playing together, a collaborator's replica
    /// repeats the host's tempo edit a moment after the host's engine sent
    /// it to the session: sent again, it would be a second, later change
    /// of the session's timeline, and Link peers that adopt each other's
    /// near-simultaneous changes can end up on different ones.
    ///
    /// # Errors
    /// As [`AudioHandle::voice_on`].
    pub fn set_link_follow_only(&self, only: bool) -> Result<(), EngineError> {
        self.realtime(EngineCmd::LinkFollowOnly(only))
    }

    /// Sets or clears the loop region (song mode).
    ///
    /// # Errors
    /// As [`AudioHandle::voice_on`].
    pub fn set_loop(&self, region: Option<LoopRegion>) -> Result<(), EngineError> {
        self.transport(TransportCmd::SetLoop(region))
    }

    /// Song mode or pattern mode (one clip looped).
    ///
    /// # Errors
    /// As [`AudioHandle::voice_on`].
    pub fn set_mode(&self, mode: PlayMode) -> Result<(), EngineError> {
        self.transport(TransportCmd::SetMode(mode))
    }

    /// Sends a transport command on the realtime lane (it overtakes queued
    /// diffs, like voices do).
    ///
    /// # Errors
    /// As [`AudioHandle::voice_on`].
    pub fn transport(&self, cmd: TransportCmd) -> Result<(), EngineError> {
        self.realtime(EngineCmd::Transport(cmd))
    }

    /// Plays a sound file once through the master (`Some`), replacing any
    /// preview still sounding, or stops the preview (`None`); its buffer is
    /// freed either way. Realtime lane, like transport commands.
    ///
    /// # Errors
    /// As [`AudioHandle::voice_on`].
    pub fn preview(&self, file: Option<String>) -> Result<(), EngineError> {
        self.realtime(EngineCmd::Preview(file))
    }

    /// Starts recording `request.source` into `request.path` (a WAV file
    /// the server creates; its folder must exist, see
    /// [`crate::take::prepare`]). The take shows in
    /// [`EngineFeedback::recording`]. Realtime lane.
    ///
    /// # Errors
    /// As [`AudioHandle::voice_on`].
    pub fn record(&self, request: super::recorder::RecordRequest) -> Result<(), EngineError> {
        self.realtime(EngineCmd::Record(Some(request)))
    }

    /// Stops the take and closes its file; it ends in
    /// [`EngineFeedback::recording`] once the server closed the file.
    ///
    /// # Errors
    /// As [`AudioHandle::voice_on`].
    pub fn stop_recording(&self) -> Result<(), EngineError> {
        self.realtime(EngineCmd::Record(None))
    }

    /// The latest transport state (playhead, playing, tempo). Never blocks.
    pub fn transport_state(&mut self) -> TransportFeedback {
        self.normal.flush();
        self.feedback.read().transport
    }

    /// Sends the clip launcher's grid (slots, follow actions, seed), which
    /// launches and follow actions use from then on.
    ///
    /// # Errors
    /// When the audio thread is busy or gone.
    pub fn launcher_grid(&self, grid: imbolc_types::Launcher) -> Result<(), EngineError> {
        self.realtime(EngineCmd::LauncherGrid(Box::new(grid)))
    }

    fn realtime(&self, cmd: EngineCmd) -> Result<(), EngineError> {
        self.realtime.try_send(cmd).map_err(|e| match e {
            TrySendError::Full(_) => {
                self.counters.bump(super::counters::Counter::Dropped);
                EngineError::Busy
            }
            TrySendError::Disconnected(_) => EngineError::Stopped,
        })
    }

    /// Asks for the server's node tree (`/g_queryTree 0 1`). The reply
    /// arrives on the returned channel after every diff sent before this
    /// call has reached the server; the channel disconnects instead if
    /// there is no server to ask.
    ///
    /// # Errors
    /// [`EngineError::Stopped`] when the audio thread has ended.
    pub fn request_tree(&self) -> Result<Receiver<OscMessage>, EngineError> {
        let (tx, rx) = bounded(1);
        self.normal.query(tx)?;
        Ok(rx)
    }

    /// The latest feedback (server state, meters). Never blocks.
    pub fn feedback(&mut self) -> &EngineFeedback {
        // Read every frame: a backlog left by a busy audio thread moves on.
        self.normal.flush();
        self.feedback.read()
    }

    /// The latest server state. Never blocks.
    pub fn server_state(&mut self) -> &ServerState {
        &self.feedback.read().server
    }

    /// The latest meters, by instrument, bus and master. Never blocks.
    pub fn meters(&mut self) -> &Meters {
        &self.feedback.read().meters
    }

    /// Problems counted so far (malformed OSC, mismatches, restarts, …).
    pub fn counters(&self) -> CounterSnapshot {
        self.counters.snapshot()
    }

    /// Diffs and queries waiting for room in the normal lane, and value
    /// changes replaced by later ones so far (see `lane.rs`).
    pub fn backlog(&self) -> (usize, u64) {
        (self.normal.waiting(), self.normal.coalesced())
    }

    /// Whether the audio thread is still running.
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Stops the server and the audio thread and waits for both; no
    /// process is left behind. Also done on drop.
    pub fn shutdown(mut self) {
        self.stop_thread();
    }

    fn stop_thread(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wakes the thread if it is waiting; a full lane is fine, the flag
        // is checked on every loop.
        let _ = self.realtime.try_send(EngineCmd::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for AudioHandle {
    fn drop(&mut self) {
        self.stop_thread();
    }
}
