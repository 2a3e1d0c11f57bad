//! The [`Scheduler`]'s clip launcher: launches, and the window's notes of
//! launched clips beside the arrangement's (see [`super::super::launcher`]).
//!
//! A window is cut at every launch boundary inside it. At a boundary the
//! column's sounding notes (arrangement or old clip) are cut to end there,
//! then the new owner plays: the notes of the window are collected piece
//! by piece with the launcher's state constant over each piece, so every
//! note of a launched clip lands on its own grid and none of the old one
//! sounds past the boundary.

use imbolc_types::{InstrumentId, Performance, Taken};

use super::super::launcher::{ColumnFeedback, Launch, grid, next_boundary};
use super::*;

impl Scheduler {
    /// Queues a launch for the next boundary of its quantization (or, while
    /// stopped, for when play starts).
    pub fn launch(&mut self, launch: Launch) {
        let (playing, cursor, from, ts) = (self.playing, self.cursor, self.next_tick, self.time_signature);
        self.launcher.launch(launch, || {
            playing.then(|| next_boundary(&cursor, from.max(cursor.origin_play), grid(launch.quantize, ts)))
        });
    }

    /// The launcher's columns at clock time `secs`, for the UI.
    pub fn launcher_feedback(&self, secs: f64) -> Vec<ColumnFeedback> {
        if self.launcher.is_idle() {
            return Vec::new();
        }
        let now = self.playing.then(|| {
            let t = self.tempo.tick_at(secs).floor();
            if t > 0.0 { t as u64 } else { 0 }
        });
        self.launcher.feedback(now, |c| self.index.clip(c).map_or(1, |e| u64::from(e.length)))
    }

    /// Notes and hits starting in play ticks `[next_tick, hi)`: the
    /// arrangement's (or pattern's) for instruments the launcher does not
    /// own, and the launched clips', cut at launch boundaries.
    pub(super) fn collect_window(&mut self, hi: u64, started: &mut Vec<Sounding>, pending: &mut Vec<PendingHit>) {
        let mut lo = self.next_tick;
        while lo < hi {
            self.apply_launches(lo, started);
            let index = &self.index;
            let length = |c| index.clip(c).map_or(1, |e| u64::from(e.length));
            let due = self.launcher.next_due_after(lo);
            let follow = self.launcher.next_follow_after(lo, length);
            let to = due.into_iter().chain(follow).min().map_or(hi, |t| t.min(hi));
            let (first, first_hit) = (started.len(), pending.len());
            self.cursor.pieces(lo, to, |piece| self.collect(piece, started, pending));
            if !self.launcher.is_idle() {
                let launcher = &self.launcher;
                let mut i = first;
                while i < started.len() {
                    if started.get(i).is_some_and(|s| launcher.owns(s.instrument)) {
                        started.remove(i);
                    } else {
                        i += 1;
                    }
                }
                let mut j = first_hit;
                while j < pending.len() {
                    if pending.get(j).is_some_and(|h| launcher.owns(h.instrument)) {
                        pending.remove(j);
                    } else {
                        j += 1;
                    }
                }
                let playing: Vec<_> = self.launcher.playing().collect();
                for (instrument, clip, since) in playing {
                    self.collect_launched(instrument, clip, since, (lo, to), started, pending);
                }
            }
            lo = to;
        }
    }

    /// Applies the launches due at play tick `at`: each changed column's
    /// sounding notes end at its boundary.
    fn apply_launches(&mut self, at: u64, started: &mut [Sounding]) {
        let (sounding, launcher, index) = (&mut self.sounding, &mut self.launcher, &self.index);
        let mut cut = |instrument: InstrumentId, tick: u64| {
            for s in sounding.iter_mut().chain(started.iter_mut()) {
                if s.instrument == instrument && s.off_tick > tick {
                    s.off_tick = tick.max(s.on_tick + 1);
                }
            }
        };
        launcher.apply_due(at, &mut cut);
        launcher.follow_due(at, |c| index.clip(c).map_or(1, |e| u64::from(e.length)), &mut cut);
        for (play, instrument, target, follow) in self.launcher.take_log() {
            let song = self.song_of(play);
            if follow {
                self.performance.seed = self.launcher.seed();
            }
            self.performance.taken.push(Taken { song, instrument, target, follow });
        }
    }

    /// Song tick at play tick `play`; marks the performance as jumped when
    /// a loop wrap lies before it.
    fn song_of(&mut self, play: u64) -> Tick {
        let (song, _) = self.cursor.locate(play);
        if let Wrap::Loop { end, .. } = self.cursor.wrap
            && play >= self.cursor.origin_play + (end - self.cursor.origin_song)
        {
            self.performance.jumped = true;
        }
        Tick::try_from(song).unwrap_or(Tick::MAX)
    }

    /// A new run of the transport: a new performance from the song
    /// position (and no tempo move left from the last run).
    pub(super) fn begin_performance(&mut self) {
        self.settle_tempo_moves();
        self.performance = Performance {
            start: Tick::try_from(self.position).unwrap_or(Tick::MAX),
            end: None,
            seed: self.launcher.seed(),
            taken: Vec::new(),
            jumped: false,
        };
    }

    /// Play stops where scheduling reached (`next_tick`); a tempo waiting
    /// for its bar line takes effect.
    pub(super) fn end_performance(&mut self) {
        self.settle_tempo_moves();
        let end = self.song_of(self.next_tick);
        self.performance.end = Some(end);
    }

    /// The launches this (or the last) run of the transport took, at the
    /// song ticks where they took effect.
    pub fn performance(&self) -> &Performance {
        &self.performance
    }

    /// The launcher's slots, follow actions and seed, as the UI has them.
    pub fn set_launcher_grid(&mut self, grid: imbolc_types::Launcher) {
        self.launcher.set_grid(grid);
    }

    /// Notes and hits of a launched clip (looped from play tick `since`)
    /// starting in play ticks `[lo, hi)`.
    fn collect_launched(
        &self,
        instrument: InstrumentId,
        clip_id: ClipId,
        since: u64,
        (lo, hi): (u64, u64),
        started: &mut Vec<Sounding>,
        pending: &mut Vec<PendingHit>,
    ) {
        let Some(clip) = self.index.clip(clip_id) else { return };
        if clip.audio.is_some() || clip.instrument != instrument || hi <= since {
            return;
        }
        let len = u64::from(clip.length).max(1);
        let lo = lo.max(since);
        let (first, last) = ((lo - since) / len, (hi - 1 - since) / len);
        for k in first..=last {
            let occ = since + k * len;
            let (x, y) = (lo.max(occ), hi.min(occ + len));
            if x >= y {
                continue;
            }
            for (note, n) in clip.starting_in(x - occ, y - occ) {
                if !note_plays(clip_id, note, k, n.probability) {
                    continue;
                }
                let on_tick = occ + u64::from(n.start);
                let off_tick = (on_tick + u64::from(n.length)).min(occ + len).max(on_tick + 1);
                started.push(Sounding {
                    on_tick,
                    off_tick,
                    instrument,
                    pitch: n.pitch,
                    velocity: n.velocity,
                    key: NoteKey { clip: clip_id, note, placement: None, tone: 0 },
                    audio_into: None,
                });
            }
            if let Some(pattern) = &clip.drums {
                let occurrence = Occurrence {
                    clip: clip_id,
                    instrument,
                    placement: None,
                    play_origin: occ as f64,
                    iteration: k,
                    lo: x - occ,
                    hi: y - occ,
                    length: len,
                };
                collect_hits(pattern, occurrence, pending);
            }
        }
    }
}
