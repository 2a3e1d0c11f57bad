//! How [`Playback`] times its batches: the rule of `playback.rs` (voice
//! batches in the order they take effect), per instrument for live voices
//! ([`Horizons`]), and held-back releases ([`super::gates::GateKeeper`]).

use imbolc_types::{AudioDiff, InstrumentId};

use super::*;

impl Playback {
    /// A playback on a virtual clock at 0 whose timetags are seconds from
    /// the start (NRT rendering: `crate::offline` drives it window by window
    /// with [`Playback::set_virtual_now`] and [`Playback::advance`]).
    pub fn offline(scheduler: SchedulerConfig, voices: VoiceConfig) -> Self {
        let mut p = Playback::new(scheduler, voices);
        p.clock = Clock::virtual_at(0.0);
        p.gates = GateKeeper::offline();
        p.realtime = false;
        p
    }

    /// Releases wait only for timetags, as offline, though the clock is
    /// real: for tests of scheduling that have no server to send `/n_go`.
    #[cfg(test)]
    pub(crate) fn trusting_timetags(mut self) -> Self {
        self.gates = GateKeeper::offline();
        self
    }

    /// Moves the virtual clock of an [`Playback::offline`] playback.
    pub fn set_virtual_now(&mut self, secs: f64) {
        self.clock.set_virtual(secs);
    }

    /// The timing for a batch meant for clock time `at`: never before the
    /// latest time already sent (see the module docs). Also returns the clock time the batch will run at.
    pub(super) fn timing(&mut self, at: f64) -> (Timing, f64) {
        let now = self.clock.now();
        if self.timed_until + SETTLED < now && at <= now {
            return (Timing::Now, now);
        }
        let at = at.max(self.timed_until).max(now);
        self.timed_until = at;
        (Timing::At(self.clock.timetag(at)), at)
    }

    /// The timing of a graph batch (an applied diff): at once, unless voice
    /// batches are still timed ahead; then with the latest of them, so it
    /// runs after them (scsynth keeps equal times in arrival order) and a
    /// removed instrument's group is never freed under a pending note.
    /// Live voices of a new instrument (or of a new scene) wait for it
    /// too, so its group exists before their first `/s_new`; other live
    /// voices never wait for graph edits.
    pub fn graph_timing(&mut self, diff: &AudioDiff) -> Timing {
        let now = self.clock.now();
        let (timing, runs_at) = self.timing(now);
        match diff {
            AudioDiff::InstrumentAdded { instrument, .. } => self.horizons.mark(instrument.id, runs_at),
            AudioDiff::SceneLoaded(_) => self.horizons.mark_all(runs_at),
            _ => {}
        }
        timing
    }

    /// The timing for a live batch of `instrument` meant for `at`: like
    /// [`Playback::timing`], but only batches of that instrument (and
    /// batches touching all) must run first.
    pub(super) fn timing_live(&mut self, instrument: InstrumentId, at: f64) -> (Timing, f64) {
        let until = self.horizons.until(instrument);
        self.timing_after(until, at)
    }

    /// The timing for a live batch meant for `at` that must run after
    /// `until` (the latest batch of the instruments it touches).
    fn timing_after(&mut self, until: f64, at: f64) -> (Timing, f64) {
        let now = self.clock.now();
        if until + SETTLED < now && at <= now {
            return (Timing::Now, now);
        }
        let at = at.max(until).max(now);
        self.timed_until = self.timed_until.max(at);
        (Timing::At(self.clock.timetag(at)), at)
    }

    /// Sends the held-back releases due by `upto`, each at its own time.
    pub(super) fn flush_gates(&mut self, upto: f64, out: &mut Vec<Batch>) {
        let now = self.clock.now();
        for (due, node) in self.gates.due(upto, now) {
            let instrument = self.expression.instrument_of(node);
            let timing = self.release_timing(instrument, due);
            out.push(Batch {
                timing,
                ops: vec![ServerOp::Set { node, controls: vec![("gate", 0.0)] }],
                started: vec![],
            });
        }
    }

    /// The timing of a held-back release meant for `due`. Unlike other
    /// voice batches it need not wait for the latest time already sent:
    /// its voice has started on the server (or starts, by timetag, at
    /// least [`super::gates::MIN_GATE`] before), and the only later op on
    /// that voice, a steal's `/n_free`, is timed after it (the horizons
    /// are raised to it) or took the release out of the queue.
    pub(super) fn release_timing(&mut self, instrument: Option<InstrumentId>, due: f64) -> Timing {
        let now = self.clock.now();
        let until = instrument.map_or(self.timed_until, |i| self.horizons.until(i));
        if until + SETTLED < now && due <= now {
            return Timing::Now;
        }
        let at = due.max(now);
        match instrument {
            Some(i) => self.horizons.mark(i, at),
            None => self.horizons.mark_all(at),
        }
        self.timed_until = self.timed_until.max(at);
        Timing::At(self.clock.timetag(at))
    }

    /// Queues a batch meant for clock time `at` (see the module docs).
    pub(super) fn push(&mut self, at: f64, ops: Vec<ServerOp>, out: &mut Vec<Batch>) {
        self.push_for(Scope::All, at, ops, out);
    }

    /// Queues a batch touching the voices of `scope`.
    pub(super) fn push_for(&mut self, scope: Scope<'_>, at: f64, mut ops: Vec<ServerOp>, out: &mut Vec<Batch>) {
        self.flush_gates(at, out);
        if ops.is_empty() {
            return;
        }
        let (timing, runs_at) = match scope {
            Scope::Live(instrument) => self.timing_live(instrument, at),
            Scope::Layered(instruments) => {
                let until = instruments.iter().map(|i| self.horizons.until(*i)).fold(f64::NEG_INFINITY, f64::max);
                self.timing_after(until, at)
            }
            Scope::All | Scope::Timeline(_) => self.timing(at),
        };
        match scope {
            Scope::All => self.horizons.mark_all(runs_at),
            Scope::Timeline(instruments) | Scope::Layered(instruments) => {
                instruments.iter().for_each(|i| self.horizons.mark(*i, runs_at))
            }
            Scope::Live(instrument) => self.horizons.mark(instrument, runs_at),
        }
        let now = self.clock.now();
        self.gates.hold_back(runs_at, now, &mut ops);
        if ops.is_empty() {
            return;
        }
        // A voice is a synth, or a group holding a voice with its own
        // filter (then the group is the voice, not the synths inside it).
        let groups: Vec<NodeId> = ops
            .iter()
            .filter_map(|op| match op {
                ServerOp::GroupNew { id, .. } => Some(*id),
                _ => None,
            })
            .collect();
        let started: Vec<NodeId> = ops
            .iter()
            .filter_map(|op| match op {
                ServerOp::GroupNew { id, .. } => Some(*id),
                ServerOp::SynthNew { id, target, .. } if !groups.contains(target) => Some(*id),
                _ => None,
            })
            .collect();
        for node in &started {
            self.gates.started(*node, runs_at);
        }
        out.push(Batch { timing, ops, started });
    }

    /// Drops and counts what was due before now but no window has sent:
    /// the audio thread ran late and a stop came first (the realtime lane
    /// is drained before the window). Such notes are as late as any the
    /// window drops; uncounted, a stall after the last window lost notes
    /// with nothing to say so.
    pub(super) fn drop_overdue(&mut self) {
        if !self.realtime || !self.is_playing() {
            return;
        }
        let now = self.clock.now();
        let mut events = std::mem::take(&mut self.events);
        events.clear();
        self.scheduler.advance(now, &mut events);
        let ons = events.iter().filter(|e| e.kind == NoteEventKind::On).count();
        self.events = events;
        let mut hits = std::mem::take(&mut self.hits);
        hits.clear();
        self.scheduler.take_hits(&mut hits);
        let mut clicks = std::mem::take(&mut self.click_events);
        clicks.clear();
        self.scheduler.drain_clicks(&mut clicks);
        self.params.clear();
        self.scheduler.drain_param_events(&mut self.params);
        self.stats.late_dropped += (ons + hits.len() + clicks.len()) as u64;
        self.hits = hits;
        self.click_events = clicks;
    }
}
