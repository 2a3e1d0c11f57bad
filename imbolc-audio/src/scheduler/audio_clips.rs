//! Audio clips on the timeline: each occurrence of an audio clip is one
//! held "note" from the clip's start to its end (cut at the placement end
//! and the loop pass, like a note), so stop, seek, edits and loop wraps end
//! it the way they end notes.
//!
//! Unlike a note, an audio clip also starts when play reaches it in the
//! middle: whenever a window finds an occurrence that began before the
//! window and has no sounding voice (play or a seek started inside it, a
//! loop wrapped into it, or an edit ended its voice), it starts at the
//! window's first tick with [`AudioCue::into`] seconds of the clip already
//! past, so the voice reads the buffer from there. Nothing else restarts a
//! sounding clip, so a clip plays once per pass.

/// What an audio clip's note-on carries besides the note: where in the
/// clip it starts and how long it plays.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AudioCue {
    /// Seconds of the clip before this start (0 at the clip's start).
    pub into: f64,
    /// Seconds it plays, to its note-off (its fade out ends there).
    pub dur: f64,
}

/// Where an audio clip occurrence starts in a window, if it does: at its
/// own start `occ` when that lies in `[x, y)`, or at the window's first
/// tick `x` when it began earlier and has no voice (`sounding`). Returns
/// the song tick of the start.
pub(super) fn start_in(occ: u64, x: u64, y: u64, sounding: bool) -> Option<u64> {
    if (x..y).contains(&occ) {
        Some(occ)
    } else if occ < x && !sounding {
        Some(x)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::start_in;

    #[test]
    fn a_clip_starts_at_its_start_or_where_play_enters_it() {
        assert_eq!(start_in(100, 50, 150, false), Some(100));
        assert_eq!(start_in(100, 120, 150, false), Some(120));
        assert_eq!(start_in(100, 120, 150, true), None);
        assert_eq!(start_in(200, 120, 150, false), None);
    }
}
