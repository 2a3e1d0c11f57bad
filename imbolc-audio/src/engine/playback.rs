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
//! scsynth keeps bundles of equal time in arrival order. A release is held
//! back until its voice has surely started on the server (its `/n_go`, see
//! [`GateKeeper`]) and then needs to follow only that voice's start.
//! Panic frees every voice node on the server (see
//! [`Playback::release_everything`]).
//!
//! Pure apart from reading the [`Clock`]: the engine sends the [`Batch`]es.

use std::collections::HashMap;

use imbolc_types::{AudioDiff, InstrumentId, Tick};

use crate::backend::{NodeId, ServerOp, Timing};
use crate::graph::{SignalGraph, pad_of_note};
use crate::scheduler::{
    ClickEvent, Clock, DrumHit, LoopRegion, NoteEvent, NoteEventKind, NoteKey, ParamEvent, Scheduler, SchedulerConfig,
};
use crate::voices::{VoiceAllocator, VoiceConfig, VoiceError};

use super::cmd::{TransportCmd, VoiceId};
use super::expression::Expression;
use super::feedback::{TempoAnchor, TransportFeedback};
use super::gates::GateKeeper;
use super::horizons::Horizons;

/// How long after the latest timed batch the server has surely run it, so a
/// batch may go out untimed (`Timing::Now`) without overtaking it.
const SETTLED: f64 = 0.05;

/// How long a panic lets voices release before it frees what is left.
pub(crate) const PANIC_FADE: f64 = 0.05;

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
    timeline: HashMap<(InstrumentId, NoteKey), NodeId>,
    /// Live voices by the caller's id and layer (0: the key's own
    /// instrument, 1..: its layers), and back.
    live: HashMap<(VoiceId, u8), NodeId>,
    live_of_node: HashMap<NodeId, (VoiceId, u8)>,
    /// Latest clock time any voice batch was timed at.
    timed_until: f64,
    /// A stop asked to re-read the wall clock; done once nothing timed is
    /// pending, so a batch sent later is never tagged before one sent
    /// earlier (the new anchor differs from the old by the clocks' drift).
    reanchor_when_idle: bool,
    /// Song position play last started from (stop returns there).
    started_from: Tick,
    gates: GateKeeper,
    events: Vec<NoteEvent>,
    /// Scratch for the automation events of a window.
    params: Vec<ParamEvent>,
    /// Scratch for the metronome clicks of a window.
    click_events: Vec<ClickEvent>,
    /// Scratch for the drum hits of a window.
    hits: Vec<DrumHit>,
    /// Pitch bend and aftertouch on live voices.
    expression: Expression,
    /// Latest timed batch per instrument, for live voices.
    horizons: Horizons,
    /// Real time (not a render): notes too late to play are dropped.
    realtime: bool,
    stats: PlaybackStats,
}

/// What playback dropped or corrected, counted since it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PlaybackStats {
    /// Note-ons, hits and clicks more than a lookahead late (after a stall
    /// of the audio thread), dropped rather than played in a burst.
    pub late_dropped: u64,
    /// Wall-clock steps seen while running, each followed by a re-anchor.
    pub clock_steps: u64,
    /// Releases sent without their voice's `/n_go` (see `gates.rs`).
    pub unconfirmed_releases: u64,
}

/// A wall clock this far from the anchor has stepped (NTP, suspend): the
/// clock is re-anchored. Far above the jitter of reading two clocks.
const WALL_STEP: f64 = 0.02;

/// Which instruments' voices a batch touches (see [`Horizons`]).
#[derive(Debug, Clone, Copy)]
enum Scope<'a> {
    /// Any (stop, panic, settings): later live voices of every instrument wait.
    All,
    /// Timeline notes of these instruments.
    Timeline(&'a [InstrumentId]),
    /// A live voice of this instrument: it waits only for its own batches.
    Live(InstrumentId),
    /// A live key's voices on a lead and its layers: one bundle, waiting for theirs.
    Layered(&'a [InstrumentId]),
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
            reanchor_when_idle: false,
            started_from: 0,
            gates: GateKeeper::realtime(),
            events: Vec::new(),
            params: Vec::new(),
            click_events: Vec::new(),
            hits: Vec::new(),
            expression: Expression::default(),
            horizons: Horizons::default(),
            realtime: true,
            stats: PlaybackStats::default(),
        }
    }

    pub fn is_playing(&self) -> bool {
        self.scheduler.is_playing()
    }

    /// Stopped, with the arpeggiator running on live keys: windows go on.
    pub fn is_free_running(&self) -> bool {
        self.scheduler.is_free_running()
    }

    /// How long the loop may sleep: half a lookahead while playing, so the
    /// next window is sent before its notes are due.
    /// Also while a held-back release waits (see [`GateKeeper`]).
    pub fn window_period(&self) -> Option<std::time::Duration> {
        let lookahead = self.scheduler.config().lookahead;
        (self.is_playing() || self.is_free_running() || self.gates.waiting() || self.reanchor_when_idle)
            .then(|| std::time::Duration::from_secs_f64((lookahead / 2.0).max(0.001)))
    }

    /// Sends held-back releases due within a lookahead (called every loop
    /// turn, playing or not).
    pub fn housekeeping(&mut self, out: &mut Vec<Batch>) {
        let now = self.clock.now();
        self.flush_gates(now + self.scheduler.config().lookahead, out);
        if self.reanchor_when_idle && self.timed_until + SETTLED < now {
            self.clock.reanchor();
            self.reanchor_when_idle = false;
        }
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
                self.reanchor_when_idle = true;
            }
            TransportCmd::Pause => {
                self.halt(graph, out);
                self.reanchor_when_idle = true;
            }
            TransportCmd::Seek(tick) => {
                self.scheduler.seek(tick);
                self.started_from = tick;
            }
            TransportCmd::SetTempo(bpm) => self.scheduler.set_tempo(bpm),
            TransportCmd::SetLoop(region) => {
                self.scheduler.set_loop(region.and_then(|r| LoopRegion::new(r.start, r.end)))
            }
            TransportCmd::SetMode(mode) => self.scheduler.set_mode(mode),
            TransportCmd::SetMetronome(on) => self.scheduler.set_metronome(on),
            TransportCmd::SetCountIn(bars) => self.scheduler.set_count_in(bars),
            TransportCmd::Launch(launch) => self.scheduler.launch(launch),
            TransportCmd::TempoAtBar(bpm) => self.scheduler.set_tempo_at_bar(bpm),
            TransportCmd::Nudge(faster) => self.scheduler.nudge(faster),
        }
        let from = self.scheduler.horizon();
        self.follow_tempo(from, graph, out);
    }

    /// Stops the scheduler and releases every voice, timed at the horizon:
    /// note-ons up to it may still be on their way.
    fn halt(&mut self, graph: &mut SignalGraph, out: &mut Vec<Batch>) {
        self.drop_overdue();
        let mut events = std::mem::take(&mut self.events);
        events.clear();
        self.scheduler.stop(&mut events);
        self.play_events(&events, &[], &[], graph, out);
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

    /// The events up to clock time `to`: one scheduler window → batches.
    /// The live loop calls it through [`Playback::window`]; rendering and
    /// tests pass a `to` of their own.
    pub(crate) fn advance(&mut self, to: f64, graph: &mut SignalGraph, out: &mut Vec<Batch>) {
        let mut events = std::mem::take(&mut self.events);
        events.clear();
        let mut params = std::mem::take(&mut self.params);
        params.clear();
        // A tempo lane re-anchors the tempo line where this window starts.
        let from = self.scheduler.horizon();
        self.scheduler.advance(to, &mut events);
        self.follow_tempo(from, graph, out);
        self.scheduler.drain_param_events(&mut params);
        let mut hits = std::mem::take(&mut self.hits);
        hits.clear();
        self.scheduler.take_hits(&mut hits);
        self.play_events(&events, &hits, &params, graph, out);
        self.events = events;
        self.hits = hits;
        self.params = params;
        self.clicks(graph, out);
        self.flush_gates(to, out);
    }

    /// Turns sorted note events, drum hits and automation events into
    /// batches, one per distinct time, in time order (automation first at
    /// equal times, so a note starting there gets the new value).
    fn play_events(
        &mut self,
        events: &[NoteEvent],
        hits: &[DrumHit],
        params: &[ParamEvent],
        graph: &mut SignalGraph,
        out: &mut Vec<Batch>,
    ) {
        let (mut rest, mut rest_hits, mut params) = (events, hits, params);
        loop {
            let time = match (rest.first(), rest_hits.first()) {
                (Some(e), Some(h)) => Some(e.time.min(h.time)),
                (Some(e), None) => Some(e.time),
                (None, Some(h)) => Some(h.time),
                (None, None) => None,
            };
            if let Some(p) = params.first()
                && time.is_none_or(|t| p.time <= t)
            {
                let n = params.iter().take_while(|q| q.time == p.time).count();
                let (now, later) = params.split_at(n);
                self.automate(now, graph, out);
                params = later;
                continue;
            }
            let Some(time) = time else { return };
            let n = rest.iter().take_while(|e| e.time == time).count();
            let (now, later) = rest.split_at(n);
            let k = rest_hits.iter().take_while(|h| h.time == time).count();
            let (now_hits, later_hits) = rest_hits.split_at(k);
            let mut ops = Vec::new();
            let mut instruments = Vec::new();
            let late = self.is_too_late(time);
            for event in now {
                if late && event.kind == NoteEventKind::On {
                    self.stats.late_dropped += 1;
                    continue;
                }
                if let Err(e) = self.note(event, graph, &mut ops) {
                    tracing::debug!("timeline note dropped: {e}");
                }
                if !instruments.contains(&event.instrument) {
                    instruments.push(event.instrument);
                }
            }
            for hit in now_hits {
                // A frozen kit plays its audio, not its steps.
                if graph.is_audio_track(hit.instrument) {
                    continue;
                }
                if late {
                    self.stats.late_dropped += 1;
                    continue;
                }
                if !instruments.contains(&hit.instrument) {
                    instruments.push(hit.instrument);
                }
                let (pad, vel, pitch) = (hit.pad, f32::from(hit.velocity) / 127.0, f32::from(hit.pitch));
                let made = self.allocator.trigger(
                    hit.instrument,
                    pad,
                    hit.velocity,
                    || graph.drum_hit(hit.instrument, pad, vel, pitch),
                    &mut ops,
                );
                if let Err(e) = made {
                    tracing::debug!("drum hit dropped: {e}");
                }
            }
            self.push_for(Scope::Timeline(&instruments), time, ops, out);
            rest = later;
            rest_hits = later_hits;
        }
    }

    /// The metronome's clicks of the window, one timed batch each. A click
    /// is a new node that frees itself: nothing to order it against.
    fn clicks(&mut self, graph: &mut SignalGraph, out: &mut Vec<Batch>) {
        let mut clicks = std::mem::take(&mut self.click_events);
        clicks.clear();
        self.scheduler.drain_clicks(&mut clicks);
        for c in &clicks {
            if self.is_too_late(c.time) {
                self.stats.late_dropped += 1;
                continue;
            }
            let (node, op) = graph.click(c.accent);
            out.push(Batch { timing: Timing::At(self.clock.timetag(c.time)), ops: vec![op], started: vec![node] });
        }
        self.click_events = clicks;
    }

    /// Whether a note due at `time` is more than a lookahead late (the audio
    /// thread stalled): it is dropped, not played at once with all the
    /// others missed (in real time only; a render's clock never stalls).
    fn is_too_late(&self, time: f64) -> bool {
        self.realtime && time < self.clock.now() - self.scheduler.config().lookahead.max(super::gates::MIN_GATE)
    }

    /// Automation values due at one time, as one timed batch. These ops
    /// touch no voice node, so they need no ordering against voice batches:
    /// scsynth runs bundles by timetag.
    fn automate(&mut self, params: &[ParamEvent], graph: &mut SignalGraph, out: &mut Vec<Batch>) {
        let Some(time) = params.first().map(|p| p.time) else { return };
        let mut ops = Vec::new();
        for p in params {
            let Some(lane) = self.scheduler.automation().lane(p.lane) else { continue };
            match graph.automate(&lane.target, p.value) {
                Ok(more) => ops.extend(more),
                Err(e) => tracing::trace!("automation lane {} plays nothing: {e}", p.lane),
            }
        }
        if !ops.is_empty() {
            out.push(Batch { timing: Timing::At(self.clock.timetag(time)), ops, started: vec![] });
        }
    }

    fn note(&mut self, e: &NoteEvent, graph: &mut SignalGraph, ops: &mut Vec<ServerOp>) -> Result<(), VoiceError> {
        if graph.is_audio_track(e.instrument) {
            return self.audio_clip(e, graph, ops);
        }
        let mono = self.allocator.is_mono(e.instrument);
        if graph.is_drum_kit(e.instrument) {
            // Notes on a kit hit pads; one-shots have no note-off.
            let (Some(pad), NoteEventKind::On) = (pad_of_note(e.pitch), e.kind) else { return Ok(()) };
            let vel = f32::from(e.velocity) / 127.0;
            return self.allocator.trigger(
                e.instrument,
                pad,
                e.velocity,
                || graph.drum_hit(e.instrument, pad, vel, 0.0),
                ops,
            );
        }
        match e.kind {
            NoteEventKind::On if mono => self.allocator.note_on(graph, e.instrument, e.pitch, e.velocity, ops),
            NoteEventKind::On => {
                // A key the instrument's tuning leaves unmapped plays nothing.
                let Some(freq) = graph.note_freq(e.instrument, e.pitch) else { return Ok(()) };
                let vel = f32::from(e.velocity) / 127.0;
                let node = self.allocator.start_held(
                    e.instrument,
                    e.pitch,
                    e.velocity,
                    || graph.voice_on(e.instrument, freq, vel),
                    ops,
                )?;
                self.timeline.insert((e.instrument, e.key), node);
                Ok(())
            }
            NoteEventKind::Off => match self.timeline.remove(&(e.instrument, e.key)) {
                Some(node) => {
                    self.allocator.release_node(graph, node, ops);
                    Ok(())
                }
                None if mono => self.allocator.note_off(graph, e.instrument, e.pitch, ops),
                None => Ok(()),
            },
        }
    }

    /// A diff the graph accepted: the timeline part goes to the scheduler
    /// (deltas only), voice settings and instrument removal to the allocator.
    pub fn diff(&mut self, diff: &AudioDiff, out: &mut Vec<Batch>) {
        let retuned = self.clip_retuned(diff);
        if let Err(e) = self.scheduler.apply(diff) {
            tracing::warn!("timeline diff refused by the scheduler: {e}");
        }
        let mut ops = retuned;
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

    /// `/n_go` of a voice node: the server runs it, so its release may go.
    pub fn node_started(&mut self, node: NodeId) {
        self.gates.confirmed(node);
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

    /// What playback dropped or corrected so far.
    pub fn stats(&self) -> PlaybackStats {
        PlaybackStats { unconfirmed_releases: self.gates.unconfirmed_releases(), ..self.stats }
    }

    /// Re-anchors the clock to the wall clock (nothing is in flight: a new
    /// server). See [`Clock::reanchor`].
    pub fn reanchor_clock(&mut self) {
        self.clock.reanchor();
        self.reanchor_when_idle = false;
    }

    /// Checks the wall clock against the anchor; after a step (more than
    /// [`WALL_STEP`]) re-anchors and returns the step in seconds.
    pub fn follow_wall_clock(&mut self) -> Option<f64> {
        let step = self.clock.wall_step().filter(|s| s.abs() > WALL_STEP)?;
        self.clock.reanchor();
        self.stats.clock_steps += 1;
        Some(step)
    }

    /// While playing, the scheduler's tempo line (clock seconds ↔ play
    /// ticks), so the offline planner can step in ticks.
    pub fn tempo_line(&self) -> Option<crate::scheduler::tempo::TempoMap> {
        let (secs, tick, bpm) = self.scheduler.tempo_anchor()?;
        Some(crate::scheduler::tempo::TempoMap::new(secs, tick, bpm))
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
            counting_in: self.scheduler.counting_in_at(now),
        }
    }
}

#[path = "playback_timing.rs"]
mod timing;

#[path = "playback_tempo.rs"]
mod tempo;

#[path = "playback_link.rs"]
mod link_follow;

#[path = "playback_audio.rs"]
mod audio;
#[path = "playback_live.rs"]
mod live_voices;
#[cfg(test)]
use live_voices::freq_to_midi;

#[path = "resume.rs"]
mod resume;
pub(crate) use resume::Resume;

#[cfg(test)]
#[path = "playback_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "playback_automation_tests.rs"]
mod automation_tests;

#[cfg(test)]
#[path = "drum_playback_tests.rs"]
mod drum_tests;

#[cfg(test)]
#[path = "playback_audio_tests.rs"]
mod audio_tests;

#[cfg(test)]
#[path = "playback_sync_tests.rs"]
mod sync_tests;

#[cfg(test)]
#[path = "playback_layers_tests.rs"]
mod layers_tests;
