//! Drum hits: the steps of drum pattern clips, found in the same windows
//! and clip occurrences as notes, with swing and probability applied.
//!
//! Window membership: a step belongs to the window holding its *swung*
//! position, rounded up to a whole tick (and kept inside its pass), so hits
//! come out in time order with the notes around them and no hit is sent
//! later than a batch that follows it. Its time is exact: the fractional
//! swung tick through the tempo map.
//!
//! Probability is decided by [`imbolc_types::drums::step_plays`] from the
//! clip id, the step, the pad and the loop iteration: in song mode the
//! iteration is the occurrence's index on the arrangement (song tick /
//! clip length), in pattern mode the pass since play started. So the same
//! song renders the same hits every time.

use imbolc_types::drums::step_plays;
use imbolc_types::{ClipId, DrumPattern, InstrumentId, PlacementId};

use super::Clock;
use crate::backend::Timetag;

/// Which step of the timeline a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HitKey {
    pub clip: ClipId,
    pub step: u8,
    pub pad: u8,
    /// The placement playing it (`None` in pattern mode).
    pub placement: Option<PlacementId>,
}

/// One drum hit at an exact clock time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrumHit {
    /// Clock seconds at which it must sound.
    pub time: f64,
    pub instrument: InstrumentId,
    pub pad: u8,
    /// MIDI velocity 1..=127.
    pub velocity: u8,
    /// Semitones added to the pad's tune.
    pub pitch: i8,
    pub key: HitKey,
}

impl DrumHit {
    /// The OSC timetag of this hit on `clock`.
    pub fn timetag(&self, clock: &Clock) -> Timetag {
        clock.timetag(self.time)
    }
}

/// A hit found in a window, before its time is known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct PendingHit {
    /// Fractional play tick (swing included).
    pub play_tick: f64,
    pub instrument: InstrumentId,
    pub velocity: u8,
    pub pitch: i8,
    pub key: HitKey,
}

/// One occurrence of a pattern clip, as the window sees it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Occurrence {
    pub clip: ClipId,
    pub instrument: InstrumentId,
    pub placement: Option<PlacementId>,
    /// Play tick of the occurrence's first tick. An f64: when play starts
    /// mid-pattern it lies before play tick 0.
    pub play_origin: f64,
    /// Loop iteration, for probability.
    pub iteration: u64,
    /// Clip-relative window `[lo, hi)`, within the clip's length.
    pub lo: u64,
    pub hi: u64,
    /// Clip length in ticks.
    pub length: u64,
}

/// Appends the hits of `pattern` whose swung position falls in the
/// occurrence's window.
pub(super) fn collect_hits(pattern: &DrumPattern, occ: Occurrence, out: &mut Vec<PendingHit>) {
    let res = u64::from(pattern.resolution.ticks().max(1));
    if occ.lo >= occ.hi || occ.length == 0 {
        return;
    }
    // Swing delays a step by less than one step: candidates start one step
    // before the window.
    let first = (occ.lo / res).saturating_sub(1);
    let last = occ.hi.div_ceil(res).min(u64::from(pattern.steps));
    if first >= last {
        return;
    }
    let (Ok(first), Ok(last)) = (u8::try_from(first), u8::try_from(last)) else { return };
    for (&(step, pad), s) in pattern.hits.range((first, 0)..(last, 0)) {
        let at = pattern.step_tick(step);
        let window_tick = (at.ceil() as u64).min(occ.length - 1);
        if window_tick < occ.lo || window_tick >= occ.hi {
            continue;
        }
        if !step_plays(occ.clip.0, (step, pad), occ.iteration, s.probability) {
            continue;
        }
        out.push(PendingHit {
            play_tick: occ.play_origin + at,
            instrument: occ.instrument,
            velocity: s.velocity,
            pitch: s.pitch,
            key: HitKey { clip: occ.clip, step, pad, placement: occ.placement },
        });
    }
}
