//! [`Playback`]: the audio thread's transport, scheduler and voices, and
//! the one rule that keeps them consistent with the server.
//!
//! The rule: **voice batches are sent in the order they take effect**. The
//! [`VoiceAllocator`] changes its state when it produces ops, but a timed
//! `/s_new` runs later on the server; an op that ran *before* it (a steal's
//! `/n_free`, a release) would `/fail` and the voice would hang. So every
//! batch that touches voices is timed at or after the latest time already
//! sent ([`Playback::timing`]): timeline notes at their own time, live
//! voices and stop's releases no earlier than the scheduler's horizon. A
//! live voice only waits for batches of its own instrument (see
//! [`Horizons`]): while the timeline plays that instrument it waits up to
//! one lookahead; otherwise (or while stopped) it goes out at once.
//! scsynth keeps bundles of equal time in arrival order. Releases of voices
//! younger than a few control blocks are held back (see [`GateKeeper`]).
//!
//! Pure apart from reading the [`Clock`]: the engine sends the [`Batch`]es.

use std::collections::HashMap;

use imbolc_types::{AudioDiff, InstrumentId, Tick};

use crate::backend::{NodeId, ServerOp, Timing};
use crate::graph::SignalGraph;
use crate::scheduler::{Clock, LoopRegion, NoteEvent, NoteEventKind, NoteKey, Scheduler, SchedulerConfig};
use crate::voices::{VoiceAllocator, VoiceConfig, VoiceError};

use super::cmd::{TransportCmd, VoiceId};
use super::expression::Expression;
use super::feedback::{TempoAnchor, TransportFeedback};
use super::gates::GateKeeper;
use super::horizons::Horizons;

/// How long after the latest timed batch the server has surely run it, so a
/// batch may go out untimed (`Timing::Now`) without overtaking it.
const SETTLED: f64 = 0.05;

/// One bundle to send: its timing, its ops, and the voice nodes it starts
/// (for the registry, which lets voices end by themselves).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Batch {
    pub timing: Timing,
    pub ops: Vec<ServerOp>,
    pub started: Vec<NodeId>,
}

/// Transport, scheduler and voice allocator of the audio thread.
#[derive(Debug)]
pub(crate) struct Playback {
    clock: Clock,
    scheduler: Scheduler,
    allocator: VoiceAllocator,
    /// Voice of each timeline note sounding (poly instruments).
    timeline: HashMap<NoteKey, NodeId>,
    /// Live voices by the caller's id, and back.
    live: HashMap<VoiceId, NodeId>,
    live_of_node: HashMap<NodeId, VoiceId>,
    /// Latest clock time any voice batch was timed at.
    timed_until: f64,
    /// Song position play last started from (stop returns there).
    started_from: Tick,
    gates: GateKeeper,
    events: Vec<NoteEvent>,
    /// Pitch bend and aftertouch on live voices.
    expression: Expression,
    /// Latest timed batch per instrument, for live voices.
    horizons: Horizons,
}

/// Which instruments' voices a batch touches (see [`Horizons`]).
#[derive(Debug, Clone, Copy)]
enum Scope<'a> {
    /// Any (stop, panic, settings): later live voices of every instrument wait.
    All,
    /// Timeline notes of these instruments.
    Timeline(&'a [InstrumentId]),
    /// A live voice of this instrument: it waits only for its own batches.
    Live(InstrumentId),
}

impl Playback {
    pub fn new(scheduler: SchedulerConfig, voices: VoiceConfig) -> Self {
        Playback {
            clock: Clock::new(),
            scheduler: Scheduler::new(&imbolc_types::AudioScene::default(), scheduler),
            allocator: VoiceAllocator::new(voices),
            timeline: HashMap::new(),
            live: HashMap::new(),
            live_of_node: HashMap::new(),
            timed_until: f64::NEG_INFINITY,
            started_from: 0,
            gates: GateKeeper::default(),
            events: Vec::new(),
            expression: Expression::default(),
            horizons: Horizons::default(),
        }
    }

    pub fn is_playing(&self) -> bool {
        self.scheduler.is_playing()
    }

    /// How long the loop may sleep: half a lookahead while playing, so the
    /// next window is sent before its notes are due.
    /// Also while a held-back release waits (see [`GateKeeper`]).
    pub fn window_period(&self) -> Option<std::time::Duration> {
        let lookahead = self.scheduler.config().lookahead;
        (self.is_playing() || self.gates.waiting())
            .then(|| std::time::Duration::from_secs_f64((lookahead / 2.0).max(0.001)))
    }

    /// Sends held-back releases due within a lookahead (called every loop
    /// turn, playing or not).
    pub fn housekeeping(&mut self, out: &mut Vec<Batch>) {
        let upto = self.clock.now() + self.scheduler.config().lookahead;
        self.flush_gates(upto, out);
    }

    /// The timing for a batch meant for clock time `at`: never before the
    /// latest time already sent (see the module docs). Also returns the clock time the batch will run at.
    fn timing(&mut self, at: f64) -> (Timing, f64) {
        let now = self.clock.now();
        if self.timed_until + SETTLED < now && at <= now {
            return (Timing::Now, now);
        }
        let at = at.max(self.timed_until).max(now);
        self.timed_until = at;
        (Timing::At(self.clock.timetag(at)), at)
    }

    /// The timing for a live batch of `instrument` meant for `at`: like
    /// [`Playback::timing`], but only batches of that instrument (and
    /// batches touching all) must run first.
    fn timing_live(&mut self, instrument: InstrumentId, at: f64) -> (Timing, f64) {
        let now = self.clock.now();
        let until = self.horizons.until(instrument);
        if until + SETTLED < now && at <= now {
            return (Timing::Now, now);
        }
        let at = at.max(until).max(now);
        self.timed_until = self.timed_until.max(at);
        (Timing::At(self.clock.timetag(at)), at)
    }

    /// Sends the held-back releases due by `upto`, each at its own time.
    fn flush_gates(&mut self, upto: f64, out: &mut Vec<Batch>) {
        for (due, node) in self.gates.due(upto) {
            let timing = match self.expression.instrument_of(node) {
                Some(instrument) => {
                    let (timing, runs_at) = self.timing_live(instrument, due);
                    self.horizons.mark(instrument, runs_at);
                    timing
                }
                None => {
                    let (timing, runs_at) = self.timing(due);
                    self.horizons.mark_all(runs_at);
                    timing
                }
            };
            out.push(Batch {
                timing,
                ops: vec![ServerOp::Set { node, controls: vec![("gate", 0.0)] }],
                started: vec![],
            });
        }
    }

    /// Queues a batch meant for clock time `at` (see the module docs).
    fn push(&mut self, at: f64, ops: Vec<ServerOp>, out: &mut Vec<Batch>) {
        self.push_for(Scope::All, at, ops, out);
    }

    /// Queues a batch touching the voices of `scope`.
    fn push_for(&mut self, scope: Scope<'_>, at: f64, mut ops: Vec<ServerOp>, out: &mut Vec<Batch>) {
        self.flush_gates(at, out);
        if ops.is_empty() {
            return;
        }
        let (timing, runs_at) = match scope {
            Scope::Live(instrument) => self.timing_live(instrument, at),
            Scope::All | Scope::Timeline(_) => self.timing(at),
        };
        match scope {
            Scope::All => self.horizons.mark_all(runs_at),
            Scope::Timeline(instruments) => instruments.iter().for_each(|i| self.horizons.mark(*i, runs_at)),
            Scope::Live(instrument) => self.horizons.mark(instrument, runs_at),
        }
        self.gates.hold_back(runs_at, &mut ops);
        if ops.is_empty() {
            return;
        }
        let started: Vec<NodeId> = ops
            .iter()
            .filter_map(|op| match op {
                ServerOp::SynthNew { id, .. } => Some(*id),
                _ => None,
            })
            .collect();
        for node in &started {
            self.gates.started(*node, runs_at);
        }
        out.push(Batch { timing, ops, started });
    }

    /// A transport command.
    pub fn transport(&mut self, cmd: TransportCmd, graph: &mut SignalGraph, out: &mut Vec<Batch>) {
        match cmd {
            TransportCmd::Play => {
                if !self.is_playing() {
                    self.started_from = self.scheduler.position_at(0.0);
                    let at = (self.clock.now() + self.scheduler.config().lookahead).max(self.timed_until);
                    self.scheduler.play(at);
                }
            }
            TransportCmd::Stop => {
                self.halt(graph, out);
                self.scheduler.seek(self.started_from);
            }
            TransportCmd::Pause => self.halt(graph, out),
            TransportCmd::Seek(tick) => {
                self.scheduler.seek(tick);
                self.started_from = tick;
            }
            TransportCmd::SetTempo(bpm) => self.scheduler.set_tempo(bpm),
            TransportCmd::SetLoop(region) => {
                self.scheduler.set_loop(region.and_then(|r| LoopRegion::new(r.start, r.end)))
            }
            TransportCmd::SetMode(mode) => self.scheduler.set_mode(mode),
        }
    }

    /// Stops the scheduler and releases every voice, timed at the horizon:
    /// note-ons up to it may still be on their way.
    fn halt(&mut self, graph: &mut SignalGraph, out: &mut Vec<Batch>) {
        let mut events = std::mem::take(&mut self.events);
        events.clear();
        self.scheduler.stop(&mut events);
        self.play_events(&events, graph, out);
        self.events = events;
        let mut ops = Vec::new();
        self.allocator.release_everything(&mut ops);
        let at = self.scheduler.horizon();
        self.push(at, ops, out);
        self.flush_gates(f64::INFINITY, out);
        self.timeline.clear();
    }

    /// One lookahead window: the timeline's events up to now + lookahead,
    /// one batch per event time.
    pub fn window(&mut self, graph: &mut SignalGraph, out: &mut Vec<Batch>) {
        let to = self.clock.now() + self.scheduler.config().lookahead;
        self.advance(to, graph, out);
    }

    /// The events up to clock time `to` (tests pass a `to` of their own).
    fn advance(&mut self, to: f64, graph: &mut SignalGraph, out: &mut Vec<Batch>) {
        let mut events = std::mem::take(&mut self.events);
        events.clear();
        self.scheduler.advance(to, &mut events);
        self.play_events(&events, graph, out);
        self.events = events;
        self.flush_gates(to, out);
    }

    /// Turns sorted events into batches, one per distinct time.
    fn play_events(&mut self, events: &[NoteEvent], graph: &mut SignalGraph, out: &mut Vec<Batch>) {
        let mut rest = events;
        while let Some(first) = rest.first() {
            let time = first.time;
            let n = rest.iter().take_while(|e| e.time == time).count();
            let (now, later) = rest.split_at(n);
            let mut ops = Vec::new();
            let mut instruments = Vec::new();
            for event in now {
                if let Err(e) = self.note(event, graph, &mut ops) {
                    tracing::debug!("timeline note dropped: {e}");
                }
                if !instruments.contains(&event.instrument) {
                    instruments.push(event.instrument);
                }
            }
            self.push_for(Scope::Timeline(&instruments), time, ops, out);
            rest = later;
        }
    }

    fn note(&mut self, e: &NoteEvent, graph: &mut SignalGraph, ops: &mut Vec<ServerOp>) -> Result<(), VoiceError> {
        let mono = self.allocator.is_mono(e.instrument);
        match e.kind {
            NoteEventKind::On if mono => self.allocator.note_on(graph, e.instrument, e.pitch, e.velocity, ops),
            NoteEventKind::On => {
                let (freq, vel) = (e.freq(), f32::from(e.velocity) / 127.0);
                let node = self.allocator.start_held(
                    e.instrument,
                    e.pitch,
                    e.velocity,
                    || graph.voice_on(e.instrument, freq, vel),
                    ops,
                )?;
                self.timeline.insert(e.key, node);
                Ok(())
            }
            NoteEventKind::Off => match self.timeline.remove(&e.key) {
                Some(node) => {
                    self.allocator.release_node(graph, node, ops);
                    Ok(())
                }
                None if mono => self.allocator.note_off(graph, e.instrument, e.pitch, ops),
                None => Ok(()),
            },
        }
    }

    /// A live voice at `freq` Hz (velocity 0..=1).
    ///
    /// # Errors
    /// [`VoiceError`] when the graph refuses it; nothing is sent.
    pub fn voice_on(
        &mut self,
        voice: VoiceId,
        instrument: InstrumentId,
        freq: f32,
        velocity: f32,
        graph: &mut SignalGraph,
        out: &mut Vec<Batch>,
    ) -> Result<(), VoiceError> {
        let mut ops = Vec::new();
        let pitch = freq_to_midi(freq);
        let vel = (velocity.clamp(0.0, 1.0) * 127.0).round().max(1.0) as u8;
        let (shaped_freq, shaped_vel) = self.expression.shape(instrument, freq, velocity);
        let node = self.allocator.start_held(
            instrument,
            pitch,
            vel,
            || graph.voice_on(instrument, shaped_freq, shaped_vel),
            &mut ops,
        )?;
        self.expression.started(node, instrument, freq, velocity);
        self.live.insert(voice, node);
        self.live_of_node.insert(node, voice);
        let now = self.clock.now();
        self.push_for(Scope::Live(instrument), now, ops, out);
        Ok(())
    }

    /// Releases a live voice (nothing if it already ended or was stolen).
    pub fn voice_off(&mut self, voice: VoiceId, graph: &SignalGraph, out: &mut Vec<Batch>) {
        let Some(node) = self.live.remove(&voice) else { return };
        self.live_of_node.remove(&node);
        let mut ops = Vec::new();
        self.allocator.release_node(graph, node, &mut ops);
        let now = self.clock.now();
        match self.expression.instrument_of(node) {
            Some(instrument) => self.push_for(Scope::Live(instrument), now, ops, out),
            None => self.push(now, ops, out),
        }
    }

    /// A diff the graph accepted: the timeline part goes to the scheduler
    /// (deltas only), voice settings and instrument removal to the allocator.
    pub fn diff(&mut self, diff: &AudioDiff, out: &mut Vec<Batch>) {
        if let Err(e) = self.scheduler.apply(diff) {
            tracing::warn!("timeline diff refused by the scheduler: {e}");
        }
        let mut ops = Vec::new();
        match diff {
            AudioDiff::InstrumentAdded { instrument, .. } => {
                self.allocator.set_settings(instrument.id, instrument.def.voice, &mut ops);
            }
            AudioDiff::VoiceSettingsChanged { instrument, voice } => {
                self.allocator.set_settings(*instrument, *voice, &mut ops);
            }
            AudioDiff::InstrumentRemoved { instrument } => {
                self.allocator.forget_instrument(*instrument);
                self.expression.forget_instrument(*instrument);
            }
            AudioDiff::SceneLoaded(scene) => {
                // The graph replaced every instrument group, voices and all.
                for id in self.allocator.instruments() {
                    self.allocator.forget_instrument(id);
                }
                self.live.clear();
                self.live_of_node.clear();
                self.timeline.clear();
                self.expression.reset();
                for i in &scene.instruments {
                    self.allocator.set_settings(i.id, i.def.voice, &mut ops);
                }
            }
            _ => {}
        }
        let at = self.clock.now();
        self.push(at, ops, out);
    }

    /// `/n_end` of a voice node.
    pub fn node_ended(&mut self, node: NodeId) {
        self.allocator.on_node_end(node);
        self.gates.ended(node);
        self.expression.ended(node);
        if let Some(voice) = self.live_of_node.remove(&node) {
            self.live.remove(&voice);
        }
    }

    /// The server is gone: no voice survives, and play stops (what was
    /// scheduled died with it).
    pub fn server_lost(&mut self) {
        self.events.clear();
        self.scheduler.stop(&mut self.events);
        self.events.clear();
        self.allocator.server_lost();
        self.gates.clear();
        self.timeline.clear();
        self.live.clear();
        self.live_of_node.clear();
        self.expression.reset();
        self.horizons.reset();
        self.timed_until = f64::NEG_INFINITY;
    }

    /// Sustain pedal of an instrument: while down, released voices keep
    /// sounding until it comes up (timeline notes included).
    pub fn pedal(&mut self, instrument: InstrumentId, down: bool, graph: &SignalGraph, out: &mut Vec<Batch>) {
        let mut ops = Vec::new();
        self.allocator.pedal(graph, instrument, down, &mut ops);
        let now = self.clock.now();
        self.push_for(Scope::Live(instrument), now, ops, out);
    }

    /// Pitch bend of an instrument's live voices, in semitones.
    pub fn bend(&mut self, instrument: InstrumentId, semitones: f32, out: &mut Vec<Batch>) {
        let mut ops = Vec::new();
        self.expression.bend(instrument, semitones, &mut ops);
        let now = self.clock.now();
        self.push_for(Scope::Live(instrument), now, ops, out);
    }

    /// Channel aftertouch on an instrument's live voices, 0..=1.
    pub fn press(&mut self, instrument: InstrumentId, amount: f32, out: &mut Vec<Batch>) {
        let mut ops = Vec::new();
        self.expression.press(instrument, amount, &mut ops);
        let now = self.clock.now();
        self.push_for(Scope::Live(instrument), now, ops, out);
    }

    /// Polyphonic aftertouch on one live voice, 0..=1.
    pub fn press_voice(&mut self, voice: VoiceId, amount: f32, out: &mut Vec<Batch>) {
        let Some(node) = self.live.get(&voice).copied() else { return };
        let mut ops = Vec::new();
        self.expression.press_voice(node, amount, &mut ops);
        let now = self.clock.now();
        match self.expression.instrument_of(node) {
            Some(instrument) => self.push_for(Scope::Live(instrument), now, ops, out),
            None => self.push(now, ops, out),
        }
    }

    /// Panic: releases every voice of every instrument (pedals up, bends
    /// and pressures reset), timed at the horizon so note-ons already on
    /// their way are released too. Play goes on.
    pub fn release_everything(&mut self, out: &mut Vec<Batch>) {
        let mut ops = Vec::new();
        self.allocator.release_everything(&mut ops);
        self.expression.reset();
        let at = self.scheduler.horizon().max(self.clock.now());
        self.push(at, ops, out);
        self.flush_gates(f64::INFINITY, out);
        self.timeline.clear();
    }

    /// Playhead and tempo, for the UI.
    pub fn feedback(&self) -> TransportFeedback {
        let now = self.clock.now();
        let anchor = self.scheduler.tempo_anchor().filter(|_| self.is_playing()).map(|(secs, tick, bpm)| TempoAnchor {
            timetag: self.clock.timetag(secs),
            play_tick: tick,
            bpm,
        });
        TransportFeedback {
            tick: self.scheduler.position_at(now),
            playing: self.is_playing(),
            bpm: self.scheduler.tempo(),
            anchor,
            voices: self.allocator.total(),
        }
    }
}

/// The nearest MIDI note to `freq` Hz (for same-note stealing of live
/// voices, which carry a frequency).
fn freq_to_midi(freq: f32) -> u8 {
    if !freq.is_finite() || freq <= 0.0 {
        return 69;
    }
    (69.0 + 12.0 * (freq / 440.0).log2()).round().clamp(0.0, 127.0) as u8
}

#[cfg(test)]
#[path = "playback_tests.rs"]
mod tests;
