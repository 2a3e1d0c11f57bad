//! [`Scheduler`]: walks the timeline window by window and emits the note
//! events that fall in each.
//!
//! Exactness: windows are consecutive and half-open. The scheduler keeps the
//! first play tick not yet scheduled (`next_tick`) and the clock time where
//! the last window ended (`horizon`); a window covers `[horizon, to)` and
//! the ticks `[next_tick, first tick at or after to)`. Each tick belongs to
//! exactly one window whatever the partition, so no note is doubled or lost.
//!
//! Note-offs: when a note-on is emitted, its off tick (its end, cut at the
//! end of its clip occurrence, placement and loop pass) is remembered in a
//! small set of sounding notes; each window emits the offs due in it. A note
//! that is edited, removed, or whose clip or placement changes while it
//! sounds, and every sounding note on seek, mode change and stop, is ended
//! at the horizon: never earlier, since its note-on may already be on its
//! way to the server with a timetag up to the horizon.
//!
//! Tempo changes re-anchor the tempo map at the horizon (see
//! [`TempoMap`]), so a change takes effect at most one lookahead after it
//! is made, and nothing already sent moves.
//!
//! Note probability: a note below 100 % plays on a pass only when
//! [`note_plays`] says so for its clip, id and loop iteration (the same
//! iteration the drum steps use, see [`super::drums`]); a skipped note
//! sends neither note-on nor note-off.
//!
//! Automation (see [`super::automation`]): in song mode each window also
//! samples the lanes over its ticks ([`Scheduler::drain_param_events`]);
//! a tempo lane is read at the window's first tick and applied like a
//! tempo change, so it bends time at window resolution without moving
//! what was already sent.

use std::collections::HashSet;

use imbolc_types::notes::note_plays;
use imbolc_types::project::DEFAULT_TEMPO;
use imbolc_types::{AudioDiff, AudioScene, ClipId, NoteId, ParamTarget, PlacementId, Tick, TimeSignature};

use super::ScheduleError;
use super::audio_clips::{self, AudioCue};
use super::automation::{AutomationPlayer, ParamEvent, STEP_SECS};
use super::drums::{DrumHit, Occurrence, PendingHit, collect_hits};
use super::event::{NoteEvent, NoteEventKind, NoteKey};
use super::index::TimelineIndex;
use super::layers::LayerStage;
use super::metronome::{ClickEvent, ClickWindow, bar_ticks};
use super::sounding::{Sounding, audio_sounding, note_event, sounding};
use super::tempo::{TempoMap, seconds_per_tick};
use super::transform::{TransformStage, Window};
use super::transport::{Cursor, LoopRegion, Piece, PlayMode, Wrap};

/// Scheduler settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SchedulerConfig {
    /// How far ahead of the clock the timeline is sent, in seconds. Longer
    /// survives more thread jitter; shorter makes edits and tempo changes
    /// audible sooner.
    pub lookahead: f64,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig { lookahead: 0.05 }
    }
}

/// The timeline player. Pure: it reads no clock; callers pass clock seconds
/// (see [`super::Clock`]).
#[derive(Debug, Clone)]
pub struct Scheduler {
    config: SchedulerConfig,
    index: TimelineIndex,
    bpm: f32,
    time_signature: TimeSignature,
    mode: PlayMode,
    loop_region: Option<LoopRegion>,
    playing: bool,
    /// Song position while stopped.
    position: u64,
    tempo: TempoMap,
    cursor: Cursor,
    /// First play tick not yet scheduled.
    next_tick: u64,
    /// Clock time where the last window ended.
    horizon: f64,
    sounding: Vec<Sounding>,
    /// Notes ended by an edit, seek or mode change, sent at the next window.
    ending: Vec<Sounding>,
    automation: AutomationPlayer,
    /// Click on every beat while playing.
    metronome: bool,
    /// Bars counted in before play starts (0 = none).
    count_in_bars: u8,
    /// First play tick of the song in the current play (after the count-in).
    count_in_end: u64,
    clicks: Vec<ClickEvent>,
    /// Drum hits emitted by windows and not yet taken (see
    /// [`Scheduler::take_hits`]).
    hits: Vec<DrumHit>,
    /// The clip launcher's columns (see [`super::launcher`]).
    launcher: super::launcher::LauncherState,
    /// Arpeggiator and groove (see [`super::transform`]).
    transforms: TransformStage,
    /// Layers, after the transforms (see [`super::layers`]).
    layers: LayerStage,
    live: live::LiveArp,
    /// The launches this run of the transport took, for capture.
    pub(super) performance: imbolc_types::Performance,
    /// Tempo changes waiting for their play tick (`None`: back to `bpm`).
    tempo_moves: Vec<(u64, Option<f32>)>,
    /// This play follows an outside timeline (Link): tempo lanes wait.
    following: bool,
}

impl Scheduler {
    /// A stopped scheduler at song position 0 holding `scene`'s timeline.
    pub fn new(scene: &AudioScene, config: SchedulerConfig) -> Self {
        let bpm = sane_tempo(scene.tempo);
        Scheduler {
            config: SchedulerConfig { lookahead: config.lookahead.max(0.0) },
            index: TimelineIndex::new(&scene.clips, &scene.placements),
            bpm,
            time_signature: scene.time_signature,
            mode: PlayMode::Song,
            loop_region: None,
            playing: false,
            position: 0,
            tempo: TempoMap::new(0.0, 0.0, bpm),
            cursor: Cursor::new(0, 0, Wrap::Linear),
            next_tick: 0,
            horizon: 0.0,
            sounding: Vec::new(),
            ending: Vec::new(),
            automation: AutomationPlayer::new(&scene.automation),
            metronome: false,
            count_in_bars: 0,
            count_in_end: 0,
            clicks: Vec::new(),
            hits: Vec::new(),
            launcher: super::launcher::LauncherState::default(),
            transforms: TransformStage::new(scene),
            layers: LayerStage::new(scene),
            live: live::LiveArp::default(),
            performance: imbolc_types::Performance::default(),
            tempo_moves: Vec::new(),
            following: false,
        }
    }

    /// The automation lanes (read-only).
    pub fn automation(&self) -> &AutomationPlayer {
        &self.automation
    }

    /// The indexed timeline (read-only).
    pub fn index(&self) -> &TimelineIndex {
        &self.index
    }

    pub fn config(&self) -> SchedulerConfig {
        self.config
    }

    pub fn is_playing(&self) -> bool {
        self.playing
    }

    /// Beats per minute.
    pub fn tempo(&self) -> f32 {
        self.bpm
    }

    pub fn time_signature(&self) -> TimeSignature {
        self.time_signature
    }

    pub fn mode(&self) -> PlayMode {
        self.mode
    }

    pub fn loop_region(&self) -> Option<LoopRegion> {
        self.loop_region
    }

    /// While playing, where the current tempo line starts: clock seconds,
    /// fractional play tick and tempo. Play tick `t` (from the start of
    /// play, not wrapping) sounds at `secs + (t - tick) * 60 / (bpm * PPQ)`;
    /// shown so the UI (and tests) can check notes against musical time.
    pub fn tempo_anchor(&self) -> Option<(f64, f64, f32)> {
        self.playing.then(|| {
            let (secs, tick) = self.tempo.anchor();
            (secs, tick, self.bpm)
        })
    }

    /// Clock time up to which events have been emitted.
    pub fn horizon(&self) -> f64 {
        self.horizon
    }

    /// Number of notes whose note-on was emitted and note-off not yet.
    pub fn sounding(&self) -> usize {
        self.sounding.len() + self.ending.len()
    }

    /// Song position (ticks) at clock time `secs`, for the playhead. While
    /// stopped, the position where play will start.
    pub fn position_at(&self, secs: f64) -> Tick {
        let song = if self.playing {
            let tick = self.tempo.tick_at(secs).floor();
            let tick = if tick > 0.0 { tick as u64 } else { 0 };
            self.cursor.locate(tick.max(self.cursor.origin_play)).0
        } else {
            self.position
        };
        Tick::try_from(song).unwrap_or(Tick::MAX)
    }

    /// Starts playing from the current position; its first tick sounds at
    /// clock time `at`. Does nothing while playing.
    pub fn play(&mut self, at: f64) {
        if self.playing {
            return;
        }
        self.playing = true;
        self.following = false;
        self.tempo = TempoMap::new(at, 0.0, self.bpm);
        self.next_tick = 0;
        self.horizon = at;
        self.count_in_end = u64::from(self.count_in_bars) * bar_ticks(self.time_signature);
        self.launcher.play_from(self.count_in_end);
        self.cursor = self.cursor_at(0, self.position);
        self.automation.resend();
        self.begin_performance();
    }

    /// Stops and appends the note-offs of every sounding note, timed at the
    /// horizon (their note-ons may be timed up to it). The position stays
    /// where scheduling reached.
    pub fn stop(&mut self, out: &mut Vec<NoteEvent>) {
        let first = out.len();
        self.before_stop();
        if self.playing {
            self.position = self.cursor.locate(self.next_tick).0;
            self.end_performance();
        }
        self.playing = false;
        self.launcher.reset();
        self.end_all();
        self.flush_ending(out);
        self.transforms.stop(out, first, self.horizon);
        self.layers.stop(out, first, self.horizon);
        self.after_stop();
    }

    /// Moves the song position to `song`. While playing, sounding notes end
    /// at the horizon and play continues from `song` there.
    pub fn seek(&mut self, song: Tick) {
        self.position = u64::from(song);
        if self.playing {
            self.performance.jumped = true;
            self.end_all();
            self.cursor = self.cursor_at(self.next_tick, u64::from(song));
            self.automation.resend();
        }
    }

    /// Sets the tempo; while playing it takes effect at the horizon.
    pub fn set_tempo(&mut self, bpm: f32) {
        if self.tempo_move_pending(bpm) {
            return;
        }
        self.bpm = sane_tempo(bpm);
        if self.playing {
            self.tempo = self.tempo.reanchored(self.horizon, self.bpm);
        }
    }

    /// Switches between song and pattern mode. Sounding notes end; while
    /// playing, the new mode continues from the current song position
    /// (folded into the clip in pattern mode).
    pub fn set_mode(&mut self, mode: PlayMode) {
        if mode == self.mode {
            return;
        }
        self.mode = mode;
        self.end_all();
        self.reorigin();
    }

    /// Sets or clears the loop region (song mode). Sounding notes go on.
    pub fn set_loop(&mut self, region: Option<LoopRegion>) {
        self.loop_region = region;
        self.reorigin();
    }

    /// Emits, in time order, the events of the window `[horizon, horizon of
    /// now + lookahead)`: the usual call once per audio-thread iteration.
    pub fn lookahead_window(&mut self, now: f64, out: &mut Vec<NoteEvent>) {
        self.advance(now + self.config.lookahead, out);
    }

    /// One window of [`Scheduler::advance`] without a tempo move inside.
    fn advance_once(&mut self, to: f64, out: &mut Vec<NoteEvent>) {
        let first = out.len();
        self.hits.clear();
        self.flush_ending(out);
        if !self.playing || to.is_nan() || to <= self.horizon {
            return self.stopped_window(to, out, first);
        }
        self.end_free_run(out, first);
        self.follow_tempo_lane();
        let hi = self.tempo.first_tick_at_or_after(to, self.next_tick);
        if self.mode == PlayMode::Song && !self.automation.is_empty() {
            let step = (STEP_SECS / seconds_per_tick(self.bpm)).round().max(1.0) as u64;
            self.automation.window(&self.cursor, &self.tempo, self.next_tick, hi, step);
        }
        if self.metronome || self.next_tick < self.count_in_end {
            let window = ClickWindow {
                cursor: &self.cursor,
                tempo: &self.tempo,
                time_signature: self.time_signature,
                count_in_end: self.count_in_end,
                metronome: self.metronome,
            };
            window.clicks(self.next_tick, hi, &mut self.clicks);
        }
        let mut started = Vec::new();
        let mut pending = Vec::new();
        self.collect_window(hi, &mut started, &mut pending);
        self.push_hits(pending);
        for s in started {
            let mut e = note_event(self.tempo.time_of(s.on_tick), NoteEventKind::On, &s);
            e.audio = s.audio_into.map(|into| AudioCue {
                into: into as f64 * seconds_per_tick(self.bpm),
                dur: self.tempo.time_of(s.off_tick) - e.time,
            });
            out.push(e);
            self.sounding.push(s);
        }
        let tempo = self.tempo;
        self.sounding.retain(|s| {
            if s.off_tick < hi {
                out.push(note_event(tempo.time_of(s.off_tick), NoteEventKind::Off, s));
                false
            } else {
                true
            }
        });
        self.feed_live(out);
        let lo = self.next_tick;
        self.next_tick = hi;
        self.horizon = to;
        if let Some(new) = out.get_mut(first..) {
            new.sort_by(|a, b| {
                a.time
                    .total_cmp(&b.time)
                    .then(a.kind.cmp(&b.kind))
                    .then(a.instrument.cmp(&b.instrument))
                    .then(a.pitch.cmp(&b.pitch).then(a.key.cmp(&b.key)))
            });
        }
        self.transforms.window(out, first, Window { lo, hi, tempo: &self.tempo, cursor: &self.cursor });
        self.layers.window(out, first);
    }

    /// Applies a timeline diff (others are accepted and ignored).
    ///
    /// # Errors
    /// [`ScheduleError`] when the diff names a clip or placement the
    /// scheduler does not have (or already has); nothing changed. The
    /// caller should resend the scene.
    pub fn apply(&mut self, diff: &AudioDiff) -> Result<(), ScheduleError> {
        self.transforms.apply(diff);
        self.layers.apply(diff);
        match diff {
            AudioDiff::SceneLoaded(scene) => {
                self.index = TimelineIndex::new(&scene.clips, &scene.placements);
                self.time_signature = scene.time_signature;
                self.end_all();
                self.set_tempo(scene.tempo);
                self.reorigin();
            }
            AudioDiff::ParamSet { target: ParamTarget::Tempo, value } => self.set_tempo(*value),
            AudioDiff::TimeSignatureChanged(ts) => self.time_signature = *ts,
            AudioDiff::NotesChanged { clip, delta } => {
                self.index.notes_changed(*clip, delta)?;
                if !self.sounding.is_empty() {
                    let touched: HashSet<NoteId> =
                        delta.removed.iter().copied().chain(delta.upserted.iter().map(|(id, _)| *id)).collect();
                    self.end_where(|k| k.clip == *clip && touched.contains(&k.note));
                }
            }
            AudioDiff::ClipAdded { clip } => self.index.clip_added(clip)?,
            AudioDiff::ClipRemoved { clip } => {
                self.index.clip_removed(*clip)?;
                self.clip_reshaped(*clip);
            }
            AudioDiff::AudioRegionChanged { clip, region } => {
                // Gain and fades follow on the sounding voice (see
                // `engine/playback_audio.rs`); other changes restart it.
                let moved = self.index.audio_region_changed(*clip, region)?;
                if moved {
                    self.end_where(|k| k.clip == *clip);
                }
            }
            AudioDiff::ClipChanged { clip, length, looping } => {
                self.index.clip_changed(*clip, *length, *looping)?;
                self.clip_reshaped(*clip);
            }
            AudioDiff::DrumStepsChanged { clip, delta } => self.index.drum_steps_changed(*clip, delta)?,
            AudioDiff::DrumPatternChanged { clip, steps, resolution, swing } => {
                self.index.drum_pattern_changed(*clip, *steps, *resolution, *swing)?
            }
            AudioDiff::PlacementAdded { placement } => self.index.placement_added(*placement)?,
            AudioDiff::PlacementRemoved { placement } => {
                self.index.placement_removed(*placement)?;
                self.end_placement(*placement);
            }
            AudioDiff::PlacementChanged { placement } => {
                self.index.placement_changed(*placement)?;
                self.end_placement(placement.id);
            }
            _ => {}
        }
        self.automation.apply(diff)
    }

    /// Notes starting in `piece`, as sounding notes with their off ticks,
    /// and the drum hits in it.
    fn collect(&self, piece: Piece, started: &mut Vec<Sounding>, hits: &mut Vec<PendingHit>) {
        let (lo, hi) = (piece.song_lo, piece.song_hi);
        match self.mode {
            PlayMode::Pattern(clip_id) => {
                let Some(clip) = self.index.clip(clip_id) else { return };
                let end = piece.pass_end.min(u64::from(clip.length));
                let length = u64::from(clip.length);
                let iteration = (piece.play + length - lo.min(length)) / length.max(1);
                for (note, n) in clip.starting_in(lo, hi.min(end)) {
                    if !note_plays(clip_id, note, iteration, n.probability) {
                        continue;
                    }
                    let key = NoteKey { clip: clip_id, note, placement: None, tone: 0 };
                    started.push(sounding(piece, clip.instrument, n, 0, end, key));
                }
                if let Some(pattern) = &clip.drums {
                    let occ = Occurrence {
                        clip: clip_id,
                        instrument: clip.instrument,
                        placement: None,
                        play_origin: piece.play as f64 - lo as f64,
                        iteration,
                        lo,
                        hi: hi.min(end),
                        length,
                    };
                    collect_hits(pattern, occ, hits);
                }
            }
            PlayMode::Song => {
                for p in self.index.placements_overlapping(lo, hi) {
                    let Some(clip) = self.index.clip(p.clip) else { continue };
                    let (p_start, len) = (u64::from(p.start), u64::from(clip.length));
                    let p_end = p_start + u64::from(p.length);
                    let (a, b) = (lo.max(p_start), hi.min(p_end));
                    if a >= b {
                        continue;
                    }
                    let (first, last) =
                        if clip.looping { ((a - p_start) / len, (b - 1 - p_start) / len) } else { (0, 0) };
                    for k in first..=last {
                        let occ = p_start + k * len;
                        let occ_end = (occ + len).min(p_end);
                        let (x, y) = (a.max(occ), b.min(occ_end));
                        if x >= y {
                            continue;
                        }
                        if clip.audio.is_some() {
                            let key = NoteKey { clip: p.clip, note: NoteId(0), placement: Some(p.id), tone: 0 };
                            let play_x = piece.play + (x - piece.song_lo);
                            let busy =
                                self.sounding.iter().chain(started.iter()).any(|s| s.key == key && s.off_tick > play_x);
                            if let Some(at) = audio_clips::start_in(occ, x, y, busy) {
                                let cut = occ_end.min(piece.pass_end);
                                started.push(audio_sounding(piece, clip.instrument, (occ, at, cut), key));
                            }
                            continue;
                        }
                        for (note, n) in clip.starting_in(x - occ, y - occ) {
                            if !note_plays(p.clip, note, occ / len, n.probability) {
                                continue;
                            }
                            let key = NoteKey { clip: p.clip, note, placement: Some(p.id), tone: 0 };
                            started.push(sounding(piece, clip.instrument, n, occ, occ_end.min(piece.pass_end), key));
                        }
                        if let Some(pattern) = &clip.drums {
                            let occurrence = Occurrence {
                                clip: p.clip,
                                instrument: clip.instrument,
                                placement: Some(p.id),
                                play_origin: piece.play as f64 + occ as f64 - piece.song_lo as f64,
                                iteration: occ / len,
                                lo: x - occ,
                                hi: y - occ,
                                length: len,
                            };
                            collect_hits(pattern, occurrence, hits);
                        }
                    }
                }
            }
        }
    }

    /// The wrap rule of the current mode and loop region.
    fn wrap(&self) -> Wrap {
        match self.mode {
            PlayMode::Song => self
                .loop_region
                .map_or(Wrap::Linear, |r| Wrap::Loop { start: u64::from(r.start), end: u64::from(r.end) }),
            PlayMode::Pattern(clip) => {
                self.index.clip(clip).map_or(Wrap::Linear, |c| Wrap::Loop { start: 0, end: u64::from(c.length) })
            }
        }
    }

    /// A cursor at song tick `song` from play tick `play`, folded into the
    /// clip in pattern mode.
    fn cursor_at(&self, play: u64, song: u64) -> Cursor {
        // Nothing of the song plays during a count-in.
        let play = play.max(self.count_in_end);
        let wrap = self.wrap();
        let song = match (self.mode, wrap) {
            (PlayMode::Pattern(_), Wrap::Loop { end, .. }) if end > 0 => song % end,
            _ => song,
        };
        Cursor::new(play, song, wrap)
    }

    /// Continues from the current position under the current wrap rule.
    fn reorigin(&mut self) {
        if self.playing {
            let song = self.cursor.locate(self.next_tick).0;
            self.cursor = self.cursor_at(self.next_tick, song);
        }
    }

    /// A clip's length, looping or existence changed.
    fn clip_reshaped(&mut self, clip: ClipId) {
        self.end_where(|k| k.clip == clip);
        if self.mode == PlayMode::Pattern(clip) {
            self.reorigin();
        }
    }

    fn end_placement(&mut self, placement: PlacementId) {
        self.end_where(|k| k.placement == Some(placement));
    }

    fn end_all(&mut self) {
        self.ending.append(&mut self.sounding);
    }

    fn end_where(&mut self, mut pred: impl FnMut(&NoteKey) -> bool) {
        let mut i = 0;
        while i < self.sounding.len() {
            if self.sounding.get(i).is_some_and(|s| pred(&s.key)) {
                self.ending.push(self.sounding.swap_remove(i));
            } else {
                i += 1;
            }
        }
    }

    fn flush_ending(&mut self, out: &mut Vec<NoteEvent>) {
        let time = self.horizon;
        out.extend(self.ending.drain(..).map(|s| note_event(time, NoteEventKind::Off, &s)));
    }
}

/// A usable tempo: a scene's missing (0) tempo is the default. The graph
/// follows the same rule for tempo-synced values, so both agree.
pub(crate) fn sane_tempo(bpm: f32) -> f32 {
    if bpm.is_finite() && bpm > 0.0 { bpm } else { DEFAULT_TEMPO }
}

#[path = "player_live.rs"]
mod live;
#[path = "player_outputs.rs"]
mod outputs;

#[path = "player_launch.rs"]
mod launch;

#[path = "player_tempo.rs"]
mod tempo_moves;
