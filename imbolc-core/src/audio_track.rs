//! Audio clip edits as a musician makes them: import a file onto a track at
//! a tick, trim either end by a step, fade, change the gain. Each returns
//! one [`Action`] (one undo step) computed from the project, or a message
//! saying why nothing can be done; dispatch checks the values again.

use std::path::Path;

use imbolc_types::audio_clip::{CLIP_GAIN_DB_RANGE, FADE_MAX, secs_per_tick, ticks_for_secs};
use imbolc_types::{Action, AudioRegion, InstrumentId, Placement, Project, Tick, TrackInput};

use crate::store::{ImportError, import_sample};
use crate::take_clips::{TakeClipError, TakeSpot};

/// The action putting the audio file at `path` on audio track `instrument`
/// at song tick `start`: the whole file, as long as it lasts at the
/// project's tempo.
///
/// # Errors
/// [`ImportError`] when the file cannot be read or is not audio.
pub fn audio_clip_action(
    p: &Project,
    instrument: InstrumentId,
    path: &Path,
    start: Tick,
) -> Result<Action, ImportError> {
    let sample = import_sample(path)?;
    let length = ticks_for_secs(sample.seconds(), p.tempo);
    Ok(Action::AddAudioClip { instrument, region: Box::new(AudioRegion::new(sample)), start, length })
}

/// The action putting a recorded take (the file at `path`) on audio track
/// `instrument` where it was played: `song_start` is the song position
/// (ticks, fractional) of the take's first sample, `latency` the seconds
/// of capture latency at its head. The clip starts on the next whole tick;
/// its offset skips the latency and the part of a tick before that, so the
/// audio lands where it was played, to the sample. (Loop passes and punch:
/// [`crate::take_clips::take_clips_action`].)
///
/// # Errors
/// [`TakeClipError`] when the file cannot be read or holds no audio past
/// its latency.
pub fn take_clip_action(
    p: &Project,
    instrument: InstrumentId,
    path: &Path,
    song_start: f64,
    latency: f64,
) -> Result<Action, TakeClipError> {
    let spot = TakeSpot { song_start, latency, ..TakeSpot::default() };
    crate::take_clips::take_clips_action(p, instrument, path, &spot)
}

/// The inputs audio track `track` can record, in the order a key cycles
/// them: the input pairs of a server with `inputs` inputs (1-2, 3-4, …),
/// each aux bus, each other instrument, the master.
pub fn input_choices(p: &Project, track: InstrumentId, inputs: u32) -> Vec<TrackInput> {
    let pairs = (0..inputs.max(2) / 2).map(|k| TrackInput::Hardware { channel: 2 * k });
    let buses = p.buses.keys().map(|&b| TrackInput::Bus(b));
    let others = p.instruments.keys().filter(|&&id| id != track).map(|&id| TrackInput::Instrument(id));
    pairs.chain(buses).chain(others).chain([TrackInput::Master]).collect()
}

/// The action giving audio track `track` the input after its current one
/// in [`input_choices`] (one undo step).
///
/// # Errors
/// A message for the status line when `track` is not an audio track.
pub fn next_input_action(p: &Project, track: InstrumentId, inputs: u32) -> Result<Action, String> {
    let inst = p.instruments.get(&track).ok_or("No instrument selected")?;
    if !inst.def.audio_track {
        return Err(format!("{} is not an audio track: only audio tracks record an input", inst.name));
    }
    let choices = input_choices(p, track, inputs);
    let now = choices.iter().position(|c| *c == inst.def.record_input);
    let next = now.map_or(0, |i| (i + 1) % choices.len());
    Ok(Action::SetTrackInput { instrument: track, input: choices[next] })
}

/// What a track input is called on screen: `in 1-2`, `bus drums`, an
/// instrument's name, `master`.
pub fn input_label(p: &Project, input: TrackInput) -> String {
    match input {
        TrackInput::Hardware { channel } => format!("in {}-{}", channel + 1, channel + 2),
        TrackInput::Bus(b) => p.buses.get(&b).map_or_else(|| format!("bus {}", b.0), |bus| format!("bus {}", bus.name)),
        TrackInput::Instrument(id) => {
            p.instruments.get(&id).map_or_else(|| format!("instrument {}", id.0), |i| i.name.clone())
        }
        TrackInput::Master => "master".into(),
    }
}

/// One edit of an audio clip placement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ClipEdit {
    /// Move the end by this many ticks (negative: shorter).
    TrimEnd(i64),
    /// Move the start by this many ticks (negative: earlier, revealing
    /// audio before it); the audio stays where it was in the song.
    TrimStart(i64),
    /// Change the fade in by this many seconds.
    FadeIn(f32),
    /// Change the fade out by this many seconds.
    FadeOut(f32),
    /// Change the gain by this many dB.
    Gain(f32),
}

/// The action making `edit` on placement `pl` of an audio clip.
///
/// # Errors
/// A message for the status line when the placement is not of an audio
/// clip or the edit would leave nothing to play or go past the audio.
pub fn edit_action(p: &Project, pl: &Placement, edit: ClipEdit) -> Result<Action, String> {
    let clip = p.clips.get(&pl.clip).ok_or("No clip there")?;
    let region = clip.audio.as_ref().ok_or("Not an audio clip: notes have no audio to trim or fade")?;
    let spt = secs_per_tick(p.tempo);
    let set = |r: AudioRegion| Ok(Action::SetAudioRegion { clip: clip.id, region: Box::new(r) });
    match edit {
        ClipEdit::TrimEnd(d) => {
            let length = i64::from(pl.length) + d;
            if length < 1 {
                return Err("The clip cannot get shorter".into());
            }
            let audio_end = ticks_for_secs(region.remaining_secs(), p.tempo).min(clip.length);
            if d > 0 && length > i64::from(audio_end) {
                return Err("The audio ends here".into());
            }
            Ok(Action::ResizePlacement { placement: pl.id, length: Tick::try_from(length).map_err(|_| "Too long")? })
        }
        ClipEdit::TrimStart(d) => {
            // Earlier than the audio's own start there is nothing to reveal.
            let before = (region.offset / spt).floor() as i64;
            let d = d.max(-before).max(-i64::from(pl.start));
            let length = i64::from(pl.length) - d;
            if d == 0 {
                return Err("The clip starts with its audio here".into());
            }
            if length < 1 {
                return Err("The clip cannot get shorter".into());
            }
            let start = Tick::try_from(i64::from(pl.start) + d).map_err(|_| "Out of the song")?;
            let length = Tick::try_from(length).map_err(|_| "Too long")?;
            let offset = (region.offset + d as f64 * spt).max(0.0);
            Ok(Action::SetAudioClipSpan { placement: pl.id, start, length, offset })
        }
        ClipEdit::FadeIn(d) => {
            set(AudioRegion { fade_in: (region.fade_in + d).clamp(0.0, FADE_MAX), ..region.clone() })
        }
        ClipEdit::FadeOut(d) => {
            set(AudioRegion { fade_out: (region.fade_out + d).clamp(0.0, FADE_MAX), ..region.clone() })
        }
        ClipEdit::Gain(d) => set(AudioRegion {
            gain_db: (region.gain_db + d).clamp(CLIP_GAIN_DB_RANGE.0, CLIP_GAIN_DB_RANGE.1),
            ..region.clone()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch;
    use imbolc_types::{PlacementId, SampleFormat, SampleRef};

    fn project() -> Project {
        let mut p = Project::new("t");
        dispatch(&mut p, Action::AddAudioTrack { name: String::new() }).expect("track");
        let sample = SampleRef {
            hash: "ef".repeat(32),
            name: "x.wav".into(),
            format: SampleFormat::Wav,
            channels: 1,
            sample_rate: 48_000,
            frames: 96_000,
            bytes: 1,
        };
        let region = Box::new(AudioRegion::new(sample));
        let a = Action::AddAudioClip { instrument: InstrumentId(0), region, start: 960, length: 1920 };
        dispatch(&mut p, a).expect("clip");
        p
    }

    #[test]
    fn a_take_lands_where_it_was_played_past_its_latency() {
        crate::test_cache();
        let dir = std::env::temp_dir().join(format!("imbolc-take-clip-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("take-001.wav");
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 48_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&path, spec).expect("wav");
        for k in 0..48_000 {
            w.write_sample(((k as f32 * 0.05).sin() * 8000.0) as i16).expect("sample");
        }
        w.finalize().expect("wav");
        let p = project();
        let latency = 256.0 / 48_000.0;
        let a = take_clip_action(&p, InstrumentId(0), &path, 3840.4, latency).expect("action");
        let Action::AddAudioClip { start, region, length, .. } = a else { panic!("{a:?}") };
        assert_eq!(start, 3841, "the next whole tick");
        let spt = secs_per_tick(p.tempo);
        // The first sample after the latency plays at the song position
        // where it was recorded.
        let heard_at = f64::from(start) * spt + (latency - region.offset);
        assert!((heard_at - 3840.4 * spt).abs() < 1.0 / 48_000.0, "{heard_at} vs {}", 3840.4 * spt);
        assert_eq!(length, ticks_for_secs(1.0 - region.offset, p.tempo));
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn trims_stay_inside_the_audio_and_fades_and_gain_step() {
        let mut p = project();
        let pl = p.placements[&PlacementId(0)];
        assert!(edit_action(&p, &pl, ClipEdit::TrimEnd(480)).is_err(), "2 s of audio fill the clip");
        assert!(edit_action(&p, &pl, ClipEdit::TrimStart(-480)).is_err(), "nothing before the audio's start");
        let a = edit_action(&p, &pl, ClipEdit::TrimStart(480)).expect("trim");
        assert_eq!(a, Action::SetAudioClipSpan { placement: pl.id, start: 1440, length: 1440, offset: 0.5 });
        dispatch(&mut p, a).expect("applies");
        let pl = p.placements[&PlacementId(0)];
        // Now half a second can be revealed again, but no more.
        let a = edit_action(&p, &pl, ClipEdit::TrimStart(-960)).expect("reveal");
        assert_eq!(a, Action::SetAudioClipSpan { placement: pl.id, start: 960, length: 1920, offset: 0.0 });
        let Action::SetAudioRegion { region, .. } = edit_action(&p, &pl, ClipEdit::Gain(-100.0)).expect("gain") else {
            panic!()
        };
        assert_eq!(region.gain_db, -60.0);
        let Action::SetAudioRegion { region, .. } = edit_action(&p, &pl, ClipEdit::FadeOut(0.1)).expect("fade") else {
            panic!()
        };
        assert!((region.fade_out - 0.1).abs() < 1e-6);
    }
}
