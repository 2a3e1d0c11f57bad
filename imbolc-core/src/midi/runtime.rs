//! [`MidiRuntime`]: the UI side of MIDI. Called once per UI frame with the
//! session and the engine's transport, it drains what the callback queued:
//! controllers become `SetParam` actions through the session (so they are
//! undoable and automation recording sees them) or, while learning, a new
//! mapping; recorded notes go to the [`Recorder`], whose take is committed
//! as one undo step; an incoming clock sets the tempo and starts/stops
//! play when following is on. Notes themselves never pass here.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use crossbeam_channel::{Receiver, bounded};
use imbolc_audio::engine::{TransportCmd, TransportFeedback};
use imbolc_audio::scheduler::ColumnFeedback;
use imbolc_types::{Action, InstrumentId, LaunchTarget, MidiCurve, MidiMapping, Note, PadControl, ParamTarget, Tick};

use super::follow::ClockFollow;
use super::live::{LivePlayer, LiveSettings, LiveTarget, MidiInbound};
use super::pads::{PadPress, Pads};
use super::record::{RecordMode, RecordSettings, Recorder, Take};
use super::stats::{MidiStats, MidiStatsSnapshot};
use crate::dispatch::param_range;
use crate::session::{AudioSink, Session};

/// Capacity of the queue from the MIDI callback to the UI side.
pub const INBOUND_CAPACITY: usize = 4096;
/// Inbound events handled per poll at most (the rest wait a frame).
const PER_POLL: usize = 4096;

/// What one [`MidiRuntime::poll`] did, for the status line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PollReport {
    /// A mapping made by MIDI learn.
    pub learned: Option<MidiMapping>,
    /// Notes of a take committed to its clip.
    pub recorded: Option<usize>,
    /// What a pad press did (a launch, a learned pad), for the status line.
    pub pad: Option<String>,
    /// Actions the project refused (logged too).
    pub errors: Vec<String>,
}

/// The UI side of MIDI. See the module docs.
#[derive(Debug)]
pub struct MidiRuntime {
    player: Arc<Mutex<LivePlayer>>,
    inbound: Receiver<MidiInbound>,
    stats: Arc<MidiStats>,
    recording: Arc<AtomicBool>,
    learning: Option<ParamTarget>,
    recorder: Recorder,
    follow: ClockFollow,
    follow_clock: bool,
    pads: Pads,
    looping: Option<looper::Looping>,
}

impl MidiRuntime {
    /// A runtime whose live events go to `target` (the audio thread's
    /// [`imbolc_audio::engine::LiveSender`]).
    pub fn new(target: Box<dyn LiveTarget>) -> Self {
        let (tx, inbound) = bounded(INBOUND_CAPACITY);
        let stats = Arc::new(MidiStats::default());
        let recording = Arc::new(AtomicBool::new(false));
        let player = LivePlayer::new(target, tx, Arc::clone(&stats), Arc::clone(&recording));
        MidiRuntime {
            player: Arc::new(Mutex::new(player)),
            inbound,
            stats,
            recording,
            learning: None,
            recorder: Recorder::default(),
            follow: ClockFollow::default(),
            follow_clock: false,
            pads: Pads::default(),
            looping: None,
        }
    }

    /// The callback state, for the ports (see [`super::ports::MidiPorts`]).
    pub fn player(&self) -> Arc<Mutex<LivePlayer>> {
        Arc::clone(&self.player)
    }

    /// The counters shared with the callbacks.
    pub fn stats(&self) -> Arc<MidiStats> {
        Arc::clone(&self.stats)
    }

    /// Counters now (received, malformed, drops, device state).
    pub fn stats_snapshot(&self) -> MidiStatsSnapshot {
        self.stats.snapshot()
    }

    fn lock(&self) -> MutexGuard<'_, LivePlayer> {
        self.player.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Changes the live settings (routing, curves).
    pub fn configure(&self, f: impl FnOnce(&mut LiveSettings)) {
        f(&mut self.lock().settings);
    }

    /// The instrument omni channels play (the one selected in the UI).
    pub fn select_instrument(&self, instrument: Option<imbolc_types::InstrumentId>) {
        self.configure(|s| s.routing.selected = instrument);
    }

    /// Channels with zones of their own (from `midi.toml`, resolved
    /// against the project); the others stay omni.
    pub fn set_channel_zones(&self, channels: std::collections::BTreeMap<u8, Vec<super::routing::Zone>>) {
        self.configure(|s| s.routing.channels = channels);
    }

    /// Follow (or not) an incoming clock's tempo and start/stop.
    pub fn set_follow_clock(&mut self, on: bool) {
        self.follow_clock = on;
        self.follow = ClockFollow::default();
    }

    /// Panic: releases every voice and forgets held keys.
    pub fn panic(&self) {
        self.lock().panic();
    }

    /// The next controller moved is mapped to `target`.
    pub fn learn(&mut self, target: ParamTarget) {
        self.learning = Some(target);
    }

    /// Stops waiting for a controller.
    pub fn cancel_learn(&mut self) {
        self.learning = None;
    }

    /// The parameter waiting for a controller, if any.
    pub fn learning(&self) -> Option<&ParamTarget> {
        self.learning.as_ref()
    }

    /// The pad controller: layout, channel, learning, LEDs.
    pub fn pads(&self) -> &Pads {
        &self.pads
    }

    /// The pad controller, to change its layout or learn a pad.
    pub fn pads_mut(&mut self) -> &mut Pads {
        &mut self.pads
    }

    /// The LED messages that bring the pads to the launcher's state (only
    /// changes; see [`Pads::leds`]).
    pub fn pad_leds(&mut self, project: &imbolc_types::Project, columns: &[ColumnFeedback]) -> Vec<[u8; 3]> {
        let recording = self.looping.map(|l| l.clip());
        self.pads.leds(project, columns, recording)
    }

    /// Arms recording into `settings.clip`; the take starts at song tick
    /// `from` (play should start `settings.count_in` ticks earlier; see
    /// [`MidiRuntime::count_in_start`]).
    pub fn arm(&mut self, settings: RecordSettings, from: Tick) {
        self.recorder.arm(settings, from);
        self.recording.store(true, Ordering::Relaxed);
    }

    /// Arms and starts play `settings.count_in` ticks before `from` (the
    /// count-in); the take starts at `from`.
    pub fn arm_with_count_in(&mut self, settings: RecordSettings, from: Tick) {
        let start = Self::count_in_start(from, settings.count_in);
        self.recorder.arm_from(settings, from, start);
        self.recording.store(true, Ordering::Relaxed);
        let player = self.lock();
        player.transport(TransportCmd::Seek(start));
        player.transport(TransportCmd::Play);
    }

    /// Where play should start for a take at `from` with `count_in`.
    pub fn count_in_start(from: Tick, count_in: Tick) -> Tick {
        from.saturating_sub(count_in)
    }

    /// Whether recording is armed (or running).
    pub fn is_armed(&self) -> bool {
        self.recorder.is_armed()
    }

    /// Disarms; a take in progress is committed now.
    pub fn disarm<S: AudioSink>(&mut self, session: &mut Session<S>) -> PollReport {
        let mut report = PollReport::default();
        self.drain(session, None, &mut report);
        if let Some(take) = self.recorder.disarm() {
            self.commit(session, take, &mut report);
        }
        self.recording.store(false, Ordering::Relaxed);
        report
    }

    /// One UI frame: see the module docs.
    pub fn poll<S: AudioSink>(&mut self, session: &mut Session<S>, transport: &TransportFeedback) -> PollReport {
        let mut report = PollReport::default();
        // Play starting begins the take before this frame's events are
        // read, so notes played as it starts are in it.
        if transport.playing && !self.recorder.is_recording() {
            let _ = self.recorder.observe(transport);
        }
        // Events queued before a stop belong to the take: drain first.
        let playhead = transport.playing.then_some(transport.tick);
        self.drain(session, playhead, &mut report);
        if let Some(take) = self.recorder.observe(transport) {
            self.commit(session, take, &mut report);
            self.recording.store(self.recorder.is_armed(), Ordering::Relaxed);
        }
        self.forget_missing(session);
        let keys = self.pads.keys(session.project());
        let mut player = self.lock();
        if player.settings.pads != keys {
            player.settings.pads = keys;
        }
        drop(player);
        report
    }

    /// `playhead`: where play is (`None` stopped), for recording mapped
    /// controllers into automation when that is armed.
    fn drain<S: AudioSink>(&mut self, session: &mut Session<S>, playhead: Option<Tick>, report: &mut PollReport) {
        for event in self.inbound.try_iter().take(PER_POLL).collect::<Vec<_>>() {
            match event {
                MidiInbound::Pad { channel, key } => self.pad(session, channel, PadControl::Note(key), report),
                MidiInbound::Control { channel, cc, value } if self.is_pad_cc(session, channel, cc) && value > 0 => {
                    self.pad(session, channel, PadControl::Cc(cc), report);
                }
                // A pad button's release.
                MidiInbound::Control { channel, cc, .. } if self.is_pad_cc(session, channel, cc) => {}
                MidiInbound::Control { channel, cc, value } => {
                    self.control(session, (channel, cc, value), playhead, report);
                }
                MidiInbound::Note { .. } | MidiInbound::Pedal { .. } => self.recorder.event(&event),
                MidiInbound::Clock { at } if self.follow_clock => {
                    if let Some(bpm) = self.follow.tick(at)
                        && (bpm - session.project().tempo).abs() >= 0.5
                    {
                        let action = Action::SetParam { target: ParamTarget::Tempo, value: bpm };
                        refuse(session.dispatch(action), report);
                    }
                }
                MidiInbound::Start | MidiInbound::Continue if self.follow_clock => {
                    self.follow = ClockFollow::default();
                    self.lock().transport(TransportCmd::Play);
                }
                MidiInbound::Stop if self.follow_clock => self.lock().transport(TransportCmd::Pause),
                _ => {}
            }
        }
    }

    fn control<S: AudioSink>(
        &mut self,
        session: &mut Session<S>,
        (channel, cc, value): (u8, u8, u8),
        playhead: Option<Tick>,
        r: &mut PollReport,
    ) {
        if let Some(target) = self.learning.take() {
            let (min, max) = match param_range(session.project(), &target) {
                Ok(range) => range,
                Err(e) => {
                    r.errors.push(e.to_string());
                    return;
                }
            };
            let mapping = MidiMapping { channel, cc, target, min, max, curve: MidiCurve::Linear };
            if refuse(session.dispatch(Action::MapMidiCc(Box::new(mapping.clone()))), r) {
                r.learned = Some(mapping);
            }
            return;
        }
        let mapping = session.project().midi_mappings.iter().find(|m| m.channel == channel && m.cc == cc).cloned();
        if let Some(m) = mapping {
            let recorded = session.record_param(m.target.clone(), m.value_for(value), playhead, Instant::now());
            refuse(recorded, r);
        } else if cc == CC_MOD_WHEEL {
            // Unmapped, the mod wheel moves each played instrument's timbre
            // parameter (the catalog names one per source) over its range.
            let mut instruments = Vec::new();
            self.lock().settings.routing.instruments(channel, |i| instruments.push(i));
            for instrument in instruments {
                if let Some(action) = mod_wheel_action(session.project(), instrument, value) {
                    refuse(session.dispatch(action), r);
                }
            }
        }
    }

    /// Whether controller `cc` of `channel` is a pad (learned, in the
    /// layout, or any while a pad is learned).
    fn is_pad_cc<S: AudioSink>(&self, session: &Session<S>, channel: u8, cc: u8) -> bool {
        self.pads.learning().is_some()
            || session.project().launcher.pad(channel, PadControl::Cc(cc)).is_some()
            || (channel == self.pads.channel && self.pads.layout.cc(cc).is_some())
    }

    /// A pad press: learned, or launches sent to the audio thread.
    fn pad<S: AudioSink>(&mut self, session: &mut Session<S>, channel: u8, control: PadControl, r: &mut PollReport) {
        match self.pads.press(session.project(), channel, control) {
            PadPress::Unmapped => {}
            PadPress::Learn(action) => {
                if let Action::SetPadMapping { channel, control, target: Some(target) } = action
                    && refuse(session.dispatch(action), r)
                {
                    let m = imbolc_types::PadMapping { channel, control, target };
                    r.pad = Some(format!("pad learned: {}", super::pads::describe(session.project(), &m)));
                }
            }
            PadPress::Launch(launches) => {
                let Some(first) = launches.first().copied() else {
                    r.pad = Some("pad: nothing to launch in that scene".to_owned());
                    return;
                };
                if self.lock().launch(&session.project().launcher, &launches) {
                    let what = match (launches.len(), first.target) {
                        (1, LaunchTarget::Clip(_)) => "clip launched",
                        (1, _) => "column stops",
                        (_, LaunchTarget::Clip(_)) => "scene launched",
                        (_, _) => "every column stops",
                    };
                    r.pad = Some(format!("pad: {what}"));
                } else {
                    r.errors.push("pad: the audio thread is busy; press again".to_owned());
                }
            }
        }
    }

    /// Puts a take into its clip as one undo step.
    fn commit<S: AudioSink>(&mut self, session: &mut Session<S>, take: Take, r: &mut PollReport) {
        let Some(clip) = session.project().clips.get(&take.clip) else {
            r.errors.push(format!("the clip {} of the take is gone", take.clip.0));
            return;
        };
        let notes: Vec<Note> = take
            .notes
            .iter()
            .filter_map(|n| {
                let start = if clip.looping && clip.length > 0 { n.start % clip.length } else { n.start };
                (start < clip.length).then_some(Note { start, ..*n })
            })
            .collect();
        if notes.is_empty() {
            return;
        }
        let mut actions = Vec::new();
        if take.mode == RecordMode::Replace {
            let (from, to) = take.span;
            let old: Vec<_> =
                clip.notes.iter().filter(|(_, n)| n.start >= from && n.start < to).map(|(id, _)| *id).collect();
            if !old.is_empty() {
                actions.push(Action::RemoveNotes { clip: take.clip, notes: old });
            }
        }
        let count = notes.len();
        actions.push(Action::AddNotes { clip: take.clip, notes });
        if refuse(session.dispatch_group("record take", actions), r) {
            r.recorded = Some(count);
        }
    }

    /// Routes to instruments that were removed are dropped.
    fn forget_missing<S: AudioSink>(&self, session: &Session<S>) {
        let project = session.project();
        let mut player = self.lock();
        let routing = &player.settings.routing;
        let missing: Vec<_> = routing
            .selected
            .into_iter()
            .chain(routing.channels.values().flatten().map(|z| z.instrument))
            .filter(|i| !project.instruments.contains_key(i))
            .collect();
        for i in missing {
            player.settings.routing.forget(i);
        }
    }
}

/// Logs and reports a refused action; true when it was applied.
fn refuse<T>(result: Result<T, crate::DispatchError>, r: &mut PollReport) -> bool {
    match result {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!("MIDI action refused: {e}");
            r.errors.push(e.to_string());
            false
        }
    }
}

#[cfg(test)]
#[path = "runtime_tests.rs"]
mod tests;

#[path = "looper.rs"]
mod looper;

/// The controller number of the mod wheel.
const CC_MOD_WHEEL: u8 = 1;

/// What an unmapped mod wheel at `value` (0..=127) does to `instrument`:
/// set its source's timbre parameter, on the parameter's own scale.
fn mod_wheel_action(project: &imbolc_types::Project, instrument: InstrumentId, value: u8) -> Option<Action> {
    let inst = project.instruments.get(&instrument)?;
    if inst.def.drums.is_some() {
        return None;
    }
    let spec = match &inst.def.source.custom {
        Some(custom) => custom.timbre_param()?,
        None => *inst.def.source.kind.spec().timbre_param()?,
    };
    let target = ParamTarget::Source { instrument, param: spec.id.to_owned() };
    Some(Action::SetParam { target, value: spec.from_unit(f32::from(value) / 127.0) })
}
