//! Ableton Link: tempo, bar phase and start/stop shared with other apps on
//! the network (Live, Bitwig, VCV Rack, phones…).
//!
//! The only module that sees `rusty_link` (Ableton's own C++ Link through
//! its C wrapper): the rest of Imbolc talks to [`LinkSession`] in the
//! scheduler's clock seconds (see [`crate::scheduler::Clock`]) and in
//! quarter notes, so the binding could be swapped without touching them.
//!
//! Link counts time in microseconds of its own monotonic clock. Each
//! [`LinkSession::capture`] reads that clock next to ours and keeps the
//! offset, so a Link time is one subtraction away from a scheduler time;
//! reading both again every turn also follows any drift between the two
//! clocks. Link's beats are our quarter notes (Imbolc's tempo is in
//! quarters per minute), and its quantum is one bar of the time signature.

use crate::scheduler::Clock;

/// Two clock reads further apart than this were interrupted (the thread
/// was preempted between them); the pair is read again.
const READ_SPREAD_MICROS: i64 = 100;
/// How late (seconds) play may join a start another peer made.
const JOIN_LATE: f64 = 0.1;

/// Our handle on the Link session. Off (no network traffic at all) until
/// [`LinkSession::set_enabled`] turns it on.
pub struct LinkSession {
    link: rusty_link::AblLink,
    state: rusty_link::SessionState,
    /// Link's clock minus ours, in microseconds, at the last capture.
    offset_micros: f64,
}

impl std::fmt::Debug for LinkSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkSession").field("enabled", &self.link.is_enabled()).finish_non_exhaustive()
    }
}

/// The session as captured by [`LinkSession::capture`]: what the audio
/// thread follows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkMoment {
    /// Quarter notes per minute.
    pub tempo: f64,
    /// The session's transport (start/stop sync).
    pub playing: bool,
}

impl LinkSession {
    /// A session handle at `bpm`, not yet enabled.
    pub fn new(bpm: f64) -> Self {
        let link = rusty_link::AblLink::new(bpm);
        LinkSession { link, state: rusty_link::SessionState::new(), offset_micros: 0.0 }
    }

    /// Joins (or leaves) the Link session on the network. Start/stop sync
    /// is always on with it: Imbolc follows the session's transport.
    pub fn set_enabled(&mut self, on: bool) {
        self.link.enable_start_stop_sync(on);
        self.link.enable(on);
    }

    pub fn is_enabled(&self) -> bool {
        self.link.is_enabled()
    }

    /// Other apps in the session.
    pub fn peers(&self) -> u64 {
        self.link.num_peers()
    }

    /// Reads the session and the clock offset; `clock` is the scheduler's.
    /// Realtime-safe (Link's audio-thread capture takes no lock).
    pub fn capture(&mut self, clock: &Clock) -> LinkMoment {
        self.offset_micros = self.read_offset(clock);
        self.link.capture_audio_session_state(&mut self.state);
        LinkMoment { tempo: self.state.tempo(), playing: self.state.is_playing() }
    }

    /// Link time minus scheduler time, from a pair of reads taken close
    /// together (the best of three tries).
    fn read_offset(&self, clock: &Clock) -> f64 {
        let mut best = None;
        for _ in 0..3 {
            let before = self.link.clock_micros();
            let ours = clock.now() * 1e6;
            let after = self.link.clock_micros();
            let spread = after - before;
            let offset = (before as f64 + after as f64) / 2.0 - ours;
            if spread <= READ_SPREAD_MICROS {
                return offset;
            }
            if best.is_none_or(|(s, _)| spread < s) {
                best = Some((spread, offset));
            }
        }
        best.map_or(self.offset_micros, |(_, offset)| offset)
    }

    fn micros(&self, secs: f64) -> i64 {
        (secs * 1e6 + self.offset_micros).round() as i64
    }

    fn secs(&self, micros: i64) -> f64 {
        (micros as f64 - self.offset_micros) / 1e6
    }

    /// The session's beat (quarter note) at scheduler time `secs`, on the
    /// grid of bars `quantum` quarters long.
    pub fn beat_at(&self, secs: f64, quantum: f64) -> f64 {
        self.state.beat_at_time(self.micros(secs), quantum)
    }

    /// Where scheduler time `secs` lies in the session's bar of `quantum`
    /// quarters, from 0 up to `quantum`. Unlike a beat number, the phase
    /// is the same for every peer and never renumbered (Link renumbers
    /// an app's beats when it requests a beat at a time).
    pub fn phase_at(&self, secs: f64, quantum: f64) -> f64 {
        self.state.phase_at_time(self.micros(secs), quantum)
    }

    /// Scheduler time of the session's `beat`.
    pub fn time_at(&self, beat: f64, quantum: f64) -> f64 {
        self.secs(self.state.time_at_beat(beat, quantum))
    }

    /// Sends our tempo to the session from scheduler time `secs` on.
    pub fn set_tempo(&mut self, bpm: f64, secs: f64) {
        self.state.set_tempo(bpm, self.micros(secs));
        self.link.commit_audio_session_state(&self.state);
    }

    /// Starts (or stops) the session's transport and returns when play
    /// starts, in scheduler seconds: the first time at or after `secs`
    /// whose phase in the bar is `phase` quarters (so it lands on the
    /// other peers' bar grid; alone in the session, `secs` itself). Beat
    /// `phase` is then at that time.
    pub fn start(&mut self, secs: f64, phase: f64, quantum: f64) -> f64 {
        self.state.set_is_playing_and_request_beat_at_time(true, self.micros(secs), phase, quantum);
        self.link.commit_audio_session_state(&self.state);
        self.time_at(phase, quantum)
    }

    /// Where to join play another peer started: its start time (mapped so
    /// that beat `phase` falls there, in phase with the bar grid), even a
    /// little in the past (the peer's message took a moment: the notes
    /// already due are dropped, the rest land in phase); when that is
    /// more than `JOIN_LATE` before `now`, the next time after `now` whose
    /// phase is `phase`. Returns that time in scheduler seconds.
    pub fn join(&mut self, now: f64, phase: f64, quantum: f64) -> f64 {
        self.state.request_beat_at_start_playing_time(phase, quantum);
        let at = self.time_at(phase, quantum);
        if at >= now - JOIN_LATE {
            return at;
        }
        let earliest = now + JOIN_LATE;
        let beat = next_with_phase(self.beat_at(earliest, quantum), phase, quantum);
        self.time_at(beat, quantum)
    }

    /// Stops the session's transport at scheduler time `secs`.
    pub fn stop(&mut self, secs: f64) {
        self.state.set_is_playing(false, self.micros(secs));
        self.link.commit_audio_session_state(&self.state);
    }
}

/// How far (beats, within half a bar either way) phase `to` is from phase
/// `from` in a bar of `quantum` beats: the smallest correction.
pub fn phase_difference(from: f64, to: f64, quantum: f64) -> f64 {
    if quantum <= 0.0 {
        return 0.0;
    }
    let d = (to - from).rem_euclid(quantum);
    if d > quantum / 2.0 { d - quantum } else { d }
}

/// The first beat at or after `beat` whose phase in a bar of `quantum`
/// beats is `phase`.
pub fn next_with_phase(beat: f64, phase: f64, quantum: f64) -> f64 {
    if quantum <= 0.0 {
        return beat;
    }
    let bars = ((beat - phase) / quantum).ceil();
    phase + bars * quantum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_beat_with_a_phase_is_on_the_bar_grid() {
        assert_eq!(next_with_phase(0.5, 0.0, 4.0), 4.0);
        assert_eq!(next_with_phase(4.0, 0.0, 4.0), 4.0);
        assert_eq!(next_with_phase(5.0, 1.0, 4.0), 5.0);
        assert_eq!(next_with_phase(5.5, 1.0, 3.0), 7.0);
        assert_eq!(next_with_phase(-2.0, 0.0, 4.0), 0.0);
    }

    #[test]
    fn a_phase_difference_is_the_shortest_way_round_the_bar() {
        assert_eq!(phase_difference(0.0, 0.5, 4.0), 0.5);
        assert_eq!(phase_difference(0.5, 0.0, 4.0), -0.5);
        assert_eq!(phase_difference(3.75, 0.25, 4.0), 0.5);
        assert_eq!(phase_difference(0.25, 3.75, 4.0), -0.5);
        assert_eq!(phase_difference(1.0, 5.0, 4.0), 0.0);
        assert_eq!(phase_difference(0.0, 3.0, 3.0), 0.0);
    }
}
