//! A take recorded into an audio track becoming a clip: where it lands
//! (past the capture latency, to the sample), one take per pass of the
//! loop region, punch in and out with the loop region.
//!
//! The take is one file; each pass over the loop region is a stretch of
//! it. The clip sits on the region and plays the last whole pass; the
//! other passes are kept as offsets into the same audio
//! ([`AudioRegion::takes`]), so choosing another is one region change.

use std::path::Path;

use imbolc_types::audio_clip::{secs_per_tick, ticks_for_secs};
use imbolc_types::{Action, AudioRegion, InstrumentId, Project, Tick};

use crate::store::{ImportError, import_sample};

/// Where and how a take was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TakeSpot {
    /// The song position (ticks, fractional) of the take's first sample.
    pub song_start: f64,
    /// Seconds of capture latency at the head of the file.
    pub latency: f64,
    /// The loop region while it was recorded (ticks), if one was set.
    pub region: Option<(Tick, Tick)>,
    /// Play looped over the region.
    pub looping: bool,
    /// Keep only the part inside the region.
    pub punch: bool,
}

/// Where a take's clip goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub start: Tick,
    pub length: Tick,
    /// Seconds into the file where the clip starts.
    pub offset: f64,
    /// Every pass's offset when the take looped (else empty).
    pub takes: Vec<f64>,
}

/// Why a take does not become a clip.
#[derive(Debug, thiserror::Error)]
pub enum TakeClipError {
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error("nothing was recorded inside the punch region")]
    NothingInside,
}

/// Where a take of `seconds` of audio goes at `tempo` (see the module).
/// `None` when nothing of it is left to place (the punch region missed it,
/// or the file holds less than its latency).
pub fn place_take(seconds: f64, tempo: f32, spot: &TakeSpot) -> Option<Placed> {
    let spt = secs_per_tick(tempo);
    let s = if spot.song_start.is_finite() { spot.song_start.max(0.0) } else { 0.0 };
    let lat = spot.latency.max(0.0);
    let avail = seconds - lat;
    if avail <= 0.0 {
        return None;
    }
    if let (Some((a, b)), true) = (spot.region, spot.looping)
        && a < b
        && s < f64::from(b)
    {
        // Seconds of audio until play first wrapped at the loop's end.
        let first = (f64::from(b) - s) * spt;
        let pass = f64::from(b - a) * spt;
        if avail > first {
            let mut takes = Vec::new();
            if s <= f64::from(a) {
                takes.push(lat + (f64::from(a) - s) * spt);
            }
            let whole = ((avail - first) / pass + 1e-9).floor() as usize;
            takes.extend((0..whole).map(|k| lat + first + k as f64 * pass));
            if let Some(&offset) = takes.last() {
                let takes = if takes.len() > 1 { takes } else { Vec::new() };
                return Some(Placed { start: a, length: b - a, offset, takes });
            }
            // Not one whole pass: the first, up to the loop's end.
            let start = s.ceil();
            let length = (f64::from(b) - start).max(0.0) as Tick;
            let offset = lat + (start - s) * spt;
            return (length > 0).then(|| Placed { start: start as Tick, length, offset, takes: Vec::new() });
        }
    }
    let start = s.ceil();
    let mut offset = lat + (start - s) * spt;
    let length = f64::from(ticks_for_secs(avail - (start - s) * spt, tempo));
    let (mut start, mut end) = (start, start + length);
    if let (Some((a, b)), true) = (spot.region, spot.punch) {
        if start < f64::from(a) {
            offset += (f64::from(a) - start) * spt;
            start = f64::from(a);
        }
        end = end.min(f64::from(b));
    }
    if end <= start || start >= f64::from(Tick::MAX) {
        return None;
    }
    Some(Placed { start: start as Tick, length: (end - start) as Tick, offset, takes: Vec::new() })
}

/// The action putting the take at `path` on audio track `instrument` as
/// [`place_take`] says (one undo step).
///
/// # Errors
/// [`TakeClipError::Import`] when the file cannot be read,
/// [`TakeClipError::NothingInside`] when nothing of it is left to place.
pub fn take_clips_action(
    p: &Project,
    instrument: InstrumentId,
    path: &Path,
    spot: &TakeSpot,
) -> Result<Action, TakeClipError> {
    let sample = import_sample(path)?;
    let placed = place_take(sample.seconds(), p.tempo, spot).ok_or(TakeClipError::NothingInside)?;
    let region = AudioRegion { offset: placed.offset, takes: placed.takes, ..AudioRegion::new(sample) };
    Ok(Action::AddAudioClip { instrument, region: Box::new(region), start: placed.start, length: placed.length })
}

/// The action playing the next pass of a take recorded over the loop
/// region (after the last, the first again).
///
/// # Errors
/// A message for the status line when the clip holds one take.
pub fn next_take_action(p: &Project, clip: imbolc_types::ClipId) -> Result<Action, String> {
    let c = p.clips.get(&clip).ok_or("No clip there")?;
    let region = c.audio.as_ref().ok_or("Not an audio clip: only a take recorded over the loop has passes")?;
    if region.takes.len() < 2 {
        return Err("This clip holds one take (record with the loop on for one take per pass)".into());
    }
    let now = region.takes.iter().position(|t| (t - region.offset).abs() < 1e-9);
    let next = now.map_or(0, |i| (i + 1) % region.takes.len());
    let region = AudioRegion { offset: region.takes[next], ..region.clone() };
    Ok(Action::SetAudioRegion { clip, region: Box::new(region) })
}

/// Which pass a clip plays, as `(number, of)` from 1, when it has passes.
pub fn take_number(region: &AudioRegion) -> Option<(usize, usize)> {
    let i = region.takes.iter().position(|t| (t - region.offset).abs() < 1e-9)?;
    Some((i + 1, region.takes.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPT: f64 = 0.5 / 480.0;

    fn spot(song_start: f64) -> TakeSpot {
        TakeSpot { song_start, latency: 256.0 / 48_000.0, ..TakeSpot::default() }
    }

    #[test]
    fn a_take_without_a_loop_lands_where_it_was_played() {
        let p = place_take(2.0, 120.0, &spot(100.4)).expect("placed");
        assert_eq!(p.start, 101);
        // The first sample after the latency plays where it was recorded.
        let heard = f64::from(p.start) * SPT + (256.0 / 48_000.0 - p.offset);
        assert!((heard - 100.4 * SPT).abs() < 1e-9);
        assert!(p.takes.is_empty());
        assert!(place_take(0.001, 120.0, &spot(0.0)).is_none(), "all latency: nothing to place");
    }

    #[test]
    fn punch_keeps_only_the_loop_region() {
        // 4 s from tick 0: bars 1-2 (0..3840 ticks); punch 960..1920.
        let s = TakeSpot { region: Some((960, 1920)), punch: true, ..spot(0.0) };
        let p = place_take(4.0 + s.latency, 120.0, &s).expect("placed");
        assert_eq!((p.start, p.length), (960, 960));
        assert!((p.offset - (s.latency + 960.0 * SPT)).abs() < 1e-9, "the audio played at tick 960");
        // Without punch the whole take is kept.
        let whole = place_take(4.0 + s.latency, 120.0, &TakeSpot { punch: false, ..s }).expect("placed");
        assert_eq!((whole.start, whole.length), (0, 3840));
        // A take wholly outside the region leaves nothing.
        let late = TakeSpot { song_start: 2000.0, ..s };
        assert!(place_take(1.0, 120.0, &late).is_none());
    }

    #[test]
    fn a_looped_take_is_one_take_per_pass_the_last_whole_one_playing() {
        // Loop 960..1920 (0.5 s a pass), started at 800: 160 ticks to the
        // first wrap, then 3 whole passes and a bit.
        let s = TakeSpot { region: Some((960, 1920)), looping: true, ..spot(800.0) };
        let secs = s.latency + 1120.0 * SPT + 3.0 * 960.0 * SPT + 0.1;
        let p = place_take(secs, 120.0, &s).expect("placed");
        assert_eq!((p.start, p.length), (960, 960));
        assert_eq!(p.takes.len(), 4, "the first pass (from 960) and three wrapped: {:?}", p.takes);
        for (k, t) in p.takes.iter().enumerate() {
            let expected = s.latency + 160.0 * SPT + k as f64 * 960.0 * SPT;
            assert!((t - expected).abs() < 1e-9, "pass {k}: {t} vs {expected}");
        }
        assert_eq!(p.offset, p.takes[3], "the last whole pass plays");
        // Started inside the region: its first pass is not whole.
        let inside = TakeSpot { song_start: 1000.0, ..s };
        let p = place_take(secs, 120.0, &inside).expect("placed");
        assert!((p.takes[0] - (inside.latency + 920.0 * SPT)).abs() < 1e-9, "{:?}", p.takes);
        // Stopped before the loop's end: one take from where it started.
        let short = place_take(s.latency + 0.1, 120.0, &s).expect("placed");
        assert_eq!((short.start, short.takes.len()), (800, 0));
    }
}
