//! Audio clip edits as a musician makes them: import a file onto a track at
//! a tick, trim either end by a step, fade, change the gain. Each returns
//! one [`Action`] (one undo step) computed from the project, or a message
//! saying why nothing can be done; dispatch checks the values again.

use std::path::Path;

use imbolc_types::audio_clip::{CLIP_GAIN_DB_RANGE, FADE_MAX, secs_per_tick, ticks_for_secs};
use imbolc_types::{Action, AudioRegion, InstrumentId, Placement, Project, Tick};

use crate::store::{ImportError, import_sample};

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
