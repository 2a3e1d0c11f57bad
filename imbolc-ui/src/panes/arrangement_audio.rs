//! Audio clips in the arrangement: the keys that trim, split, fade and
//! change the gain of the audio placement under the cursor, and the
//! waveform drawn in its cells (one level per beat column, from the
//! sample's overview, decoded once per sample and kept).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use imbolc_core::analysis::Overview;
use imbolc_core::audio_track::{ClipEdit, edit_action};
use imbolc_types::audio_clip::secs_per_tick;
use imbolc_types::{Action, AudioRegion, Placement, Project, TICKS_PER_QUARTER, Tick};

use super::Intent;
use crate::commands::CommandId;

/// A beat, the step of trims.
const BEAT: i64 = TICKS_PER_QUARTER as i64;
/// Step of fades, seconds.
const FADE_STEP: f32 = 0.05;
/// Step of the gain, dB.
const GAIN_STEP: f32 = 1.0;
/// Levels of a waveform cell, quiet to loud.
const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The intent of an audio clip command on the placement `here` (under the
/// cursor at `cursor`), or `None` for other commands.
pub fn handle(cmd: CommandId, p: &Project, here: Option<Placement>, cursor: Tick) -> Option<Intent> {
    let edit = match cmd {
        CommandId::ClipTrimEndShorter => ClipEdit::TrimEnd(-BEAT),
        CommandId::ClipTrimEndLonger => ClipEdit::TrimEnd(BEAT),
        CommandId::ClipTrimStartEarlier => ClipEdit::TrimStart(-BEAT),
        CommandId::ClipTrimStartLater => ClipEdit::TrimStart(BEAT),
        CommandId::ClipFadeInShorter => ClipEdit::FadeIn(-FADE_STEP),
        CommandId::ClipFadeInLonger => ClipEdit::FadeIn(FADE_STEP),
        CommandId::ClipFadeOutShorter => ClipEdit::FadeOut(-FADE_STEP),
        CommandId::ClipFadeOutLonger => ClipEdit::FadeOut(FADE_STEP),
        CommandId::ClipGainUp => ClipEdit::Gain(GAIN_STEP),
        CommandId::ClipGainDown => ClipEdit::Gain(-GAIN_STEP),
        CommandId::ClipNextTake => {
            let Some(pl) = here else { return Some(nothing()) };
            return Some(match imbolc_core::take_clips::next_take_action(p, pl.clip) {
                Ok(action) => Intent::Dispatch(action),
                Err(why) => Intent::Message(why),
            });
        }
        CommandId::ClipSplit => {
            let Some(pl) = here else { return Some(nothing()) };
            if p.clips.get(&pl.clip).is_none_or(|c| c.audio.is_none()) {
                return Some(Intent::Message("Not an audio clip: only audio clips split".to_owned()));
            }
            if cursor <= pl.start {
                return Some(Intent::Message("Move the cursor inside the clip to split it there".to_owned()));
            }
            return Some(Intent::Dispatch(Action::SplitAudioClip { placement: pl.id, at: cursor }));
        }
        _ => return None,
    };
    let Some(pl) = here else { return Some(nothing()) };
    Some(match edit_action(p, &pl, edit) {
        Ok(action) => Intent::Dispatch(action),
        Err(why) => Intent::Message(why),
    })
}

fn nothing() -> Intent {
    Intent::Message("No placement under the cursor".to_owned())
}

/// What the status of an audio clip says: gain and fades.
pub fn describe(region: &AudioRegion) -> String {
    let take =
        imbolc_core::take_clips::take_number(region).map_or_else(String::new, |(n, of)| format!(" · take {n}/{of}"));
    format!(
        "{}{take} · {:+.0} dB · fades {:.2}/{:.2} s",
        region.sample.name, region.gain_db, region.fade_in, region.fade_out
    )
}

/// Overviews of the samples drawn so far, by hash (`None`: unreadable).
#[derive(Debug, Default)]
pub struct Overviews(RefCell<HashMap<String, Option<Rc<Overview>>>>);

impl Overviews {
    fn get(&self, region: &AudioRegion) -> Option<Rc<Overview>> {
        let mut map = self.0.borrow_mut();
        map.entry(region.sample.hash.clone())
            .or_insert_with(|| {
                let path = imbolc_audio::sample_cache::path_of(&region.sample);
                Overview::from_file(&path).ok().map(Rc::new)
            })
            .clone()
    }

    /// The waveform cells of placement `pl` of an audio clip for beat
    /// columns `first..first + n` (one char per column, `None` outside
    /// the placement; `▒` throughout when its audio cannot be read).
    pub fn cells(
        &self,
        p: &Project,
        pl: &Placement,
        region: &AudioRegion,
        first: usize,
        n: usize,
    ) -> Vec<Option<char>> {
        let mut out = vec![None; n];
        let ov = self.get(region);
        let spt = secs_per_tick(p.tempo);
        let rate = f64::from(region.sample.sample_rate);
        let col = u64::from(TICKS_PER_QUARTER);
        let (start, end) = (u64::from(pl.start), u64::from(pl.start) + u64::from(pl.length));
        for (k, cell) in out.iter_mut().enumerate() {
            let (a, b) = (((first + k) as u64) * col, ((first + k + 1) as u64) * col);
            let (a, b) = (a.max(start), b.min(end));
            if a >= b {
                continue;
            }
            let Some(ov) = &ov else {
                *cell = Some('▒');
                continue;
            };
            let frame = |t: u64| ((region.offset + (t - start) as f64 * spt) * rate) as u64;
            let peak = ov.peaks(frame(a), frame(b).max(frame(a) + 1), 1);
            let level = peak.first().map_or(0.0, |pk| {
                let (lo, hi) = pk.range();
                lo.abs().max(hi.abs())
            });
            let i = ((level * LEVELS.len() as f32).ceil() as usize).clamp(1, LEVELS.len()) - 1;
            *cell = Some(LEVELS[i]);
        }
        out
    }
}
