//! The transport as the UI runs it: whether it plays, the loop region,
//! song or pattern mode. The audio thread owns the real transport (and
//! reports the playhead in `EngineFeedback`); this is what the UI asked
//! for, so a key toggles from what the user last did, not from a frame of
//! feedback that may lag behind. None of it is saved in the project.

use imbolc_audio::scheduler::{LoopRegion, PlayMode};
use imbolc_types::{TICKS_PER_QUARTER, Tick, TimeSignature};

/// What the UI asked of the transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TransportView {
    pub playing: bool,
    /// Stopped by pause (keeps the position) rather than by stop.
    pub paused: bool,
    /// The last loop region set, kept while looping is off.
    pub region: Option<LoopRegion>,
    pub looping: bool,
    pub mode: PlayMode,
    /// Takes onto an audio track keep only the loop region.
    pub punch: bool,
}

impl TransportView {
    /// The region the audio thread should loop now.
    pub fn active_loop(&self) -> Option<LoopRegion> {
        self.region.filter(|_| self.looping)
    }
}

/// Ticks in one beat of `sig` (a quarter in 4/4, an eighth in 6/8).
pub fn beat_ticks(sig: TimeSignature) -> Tick {
    TICKS_PER_QUARTER * 4 / Tick::from(sig.denominator.max(1))
}

/// Ticks in one bar of `sig`.
pub fn bar_ticks(sig: TimeSignature) -> Tick {
    beat_ticks(sig) * Tick::from(sig.numerator.max(1))
}

/// `bar.beat`, both counted from 1: tick 0 is `1.1`; in 6/8 tick 1440 is
/// `2.1`.
pub fn bar_beat(tick: Tick, sig: TimeSignature) -> String {
    let bar = bar_ticks(sig).max(1);
    let beat = beat_ticks(sig).max(1);
    format!("{}.{}", tick / bar + 1, tick % bar / beat + 1)
}

/// The transport for the status line: `▶ 2.3 · 120 bpm · loop 1.1–3.1`.
pub fn summary(view: &TransportView, tick: Tick, tempo: f32, sig: TimeSignature) -> String {
    let state = if view.playing {
        "▶"
    } else if view.paused {
        "‖"
    } else {
        "■"
    };
    let mut text = format!("{state} {} · {tempo:.0} bpm", bar_beat(tick, sig));
    if let PlayMode::Pattern(_) = view.mode {
        text.push_str(" · pattern");
    }
    if let Some(r) = view.active_loop() {
        text.push_str(&format!(" · loop {}–{}", bar_beat(r.start, sig), bar_beat(r.end, sig)));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_bars_and_beats_in_the_time_signature() {
        let four = TimeSignature { numerator: 4, denominator: 4 };
        let six_eight = TimeSignature { numerator: 6, denominator: 8 };
        assert_eq!(bar_beat(0, four), "1.1");
        assert_eq!(bar_beat(480 * 5, four), "2.2");
        assert_eq!(bar_beat(1440, six_eight), "2.1");
        assert_eq!(bar_beat(240 * 5, six_eight), "1.6");
        let three_two = TimeSignature { numerator: 3, denominator: 2 };
        assert_eq!(bar_beat(960 * 4, three_two), "2.2");
    }
}
