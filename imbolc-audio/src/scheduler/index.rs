//! [`TimelineIndex`]: the scheduler's own copy of clips and placements,
//! indexed for range queries and kept up to date by timeline diffs.
//!
//! Why its own copy: the audio thread never reads the project, and the
//! scheduler must answer "which notes start in ticks `[lo, hi)`" in time
//! proportional to the answer, not to the clip. Notes are kept per clip in a
//! `BTreeMap` ordered by `(start, NoteId)` (ordered search, O(log n) insert
//! and remove), so a `NotesChanged` costs O(delta · log n) and nothing is
//! ever re-flattened. Placements are ordered by start, with a multiset of
//! their lengths so "placements overlapping `[lo, hi)`" only looks back as
//! far as the longest placement.
//!
//! Known limit: a single placement far longer than the others widens every
//! overlap query to its length (still O(log n) plus the placements started
//! in that span).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use imbolc_types::{
    Clip, ClipId, DrumPattern, InstrumentId, Note, NoteDelta, NoteId, Placement, PlacementId, StepDelta,
    StepResolution, Tick,
};

use super::ScheduleError;

/// One clip, indexed by note start.
#[derive(Debug, Clone, PartialEq)]
pub struct ClipEntry {
    pub instrument: InstrumentId,
    /// At least one tick.
    pub length: Tick,
    pub looping: bool,
    /// Notes ordered by `(start, id)`. Invariant: holds exactly the valid
    /// notes of `starts`, each under its current start.
    by_start: BTreeMap<(Tick, NoteId), Note>,
    /// Current start of every indexed note, to find it on update/remove.
    starts: HashMap<NoteId, Tick>,
    /// The clip's drum pattern, if it is one (its steps are already
    /// ordered by step, so it is indexed as it is).
    pub drums: Option<DrumPattern>,
    /// The clip's audio, if it is an audio clip.
    pub audio: Option<imbolc_types::AudioRegion>,
}

impl ClipEntry {
    fn new(clip: &Clip) -> Self {
        let mut entry = ClipEntry {
            instrument: clip.instrument,
            length: clip.length.max(1),
            looping: clip.looping,
            by_start: BTreeMap::new(),
            starts: HashMap::with_capacity(clip.notes.len()),
            drums: clip.drums.clone(),
            audio: clip.audio.clone(),
        };
        for (&id, note) in &clip.notes {
            entry.upsert(id, *note);
        }
        entry
    }

    /// Adds or replaces a note. An invalid note (see [`Note::is_valid`]) is
    /// not playable: it is dropped, and any older version removed.
    fn upsert(&mut self, id: NoteId, note: Note) {
        self.remove(id);
        if note.is_valid() {
            self.by_start.insert((note.start, id), note);
            self.starts.insert(id, note.start);
        }
    }

    fn remove(&mut self, id: NoteId) {
        if let Some(start) = self.starts.remove(&id) {
            self.by_start.remove(&(start, id));
        }
    }

    /// Notes starting in `[lo, hi)` (clip-relative ticks), in start order.
    pub fn starting_in(&self, lo: u64, hi: u64) -> impl Iterator<Item = (NoteId, &Note)> {
        let lo = Tick::try_from(lo).unwrap_or(Tick::MAX);
        let hi = Tick::try_from(hi).unwrap_or(Tick::MAX);
        let range = if lo < hi { Some(self.by_start.range((lo, NoteId(0))..(hi, NoteId(0)))) } else { None };
        range.into_iter().flatten().map(|(&(_, id), note)| (id, note))
    }

    /// Number of indexed notes.
    pub fn len(&self) -> usize {
        self.by_start.len()
    }

    /// Whether the clip has no playable note.
    pub fn is_empty(&self) -> bool {
        self.by_start.is_empty()
    }
}

/// Clips and placements as the scheduler needs them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimelineIndex {
    clips: HashMap<ClipId, ClipEntry>,
    placements: HashMap<PlacementId, Placement>,
    /// `(start, id)` of every placement.
    by_start: BTreeSet<(Tick, PlacementId)>,
    /// How many placements have each length (to know the longest).
    lengths: BTreeMap<Tick, usize>,
}

impl TimelineIndex {
    /// An index of `clips` and `placements` (e.g. from an `AudioScene`).
    /// Later duplicates replace earlier ones.
    pub fn new(clips: &[Clip], placements: &[Placement]) -> Self {
        let mut index = TimelineIndex::default();
        for clip in clips {
            index.clips.insert(clip.id, ClipEntry::new(clip));
        }
        for p in placements {
            index.remove_placement(p.id);
            index.insert_placement(*p);
        }
        index
    }

    /// The clip, if indexed.
    pub fn clip(&self, id: ClipId) -> Option<&ClipEntry> {
        self.clips.get(&id)
    }

    /// The placement, if indexed.
    pub fn placement(&self, id: PlacementId) -> Option<&Placement> {
        self.placements.get(&id)
    }

    /// Number of playable notes over all clips.
    pub fn note_count(&self) -> usize {
        self.clips.values().map(ClipEntry::len).sum()
    }

    /// Applies a note delta to a clip: O(delta · log n).
    ///
    /// # Errors
    /// [`ScheduleError::UnknownClip`]; nothing changed.
    pub fn notes_changed(&mut self, clip: ClipId, delta: &NoteDelta) -> Result<(), ScheduleError> {
        let entry = self.clips.get_mut(&clip).ok_or(ScheduleError::UnknownClip(clip))?;
        for &id in &delta.removed {
            entry.remove(id);
        }
        for &(id, note) in &delta.upserted {
            entry.upsert(id, note);
        }
        Ok(())
    }

    /// Applies a step delta to a drum pattern: O(delta · log n).
    ///
    /// # Errors
    /// [`ScheduleError::UnknownClip`] (also when the clip is no pattern);
    /// nothing changed.
    pub fn drum_steps_changed(&mut self, clip: ClipId, delta: &StepDelta) -> Result<(), ScheduleError> {
        let pattern = self.pattern_mut(clip)?;
        delta.apply_to(&mut pattern.hits);
        Ok(())
    }

    /// New step count, resolution and swing of a drum pattern (its length
    /// comes with `ClipChanged`).
    ///
    /// # Errors
    /// [`ScheduleError::UnknownClip`] (also when the clip is no pattern).
    pub fn drum_pattern_changed(
        &mut self,
        clip: ClipId,
        steps: u8,
        resolution: StepResolution,
        swing: f32,
    ) -> Result<(), ScheduleError> {
        let pattern = self.pattern_mut(clip)?;
        pattern.steps = steps;
        pattern.resolution = resolution;
        pattern.swing = swing;
        Ok(())
    }

    fn pattern_mut(&mut self, clip: ClipId) -> Result<&mut DrumPattern, ScheduleError> {
        self.clips.get_mut(&clip).and_then(|c| c.drums.as_mut()).ok_or(ScheduleError::UnknownClip(clip))
    }

    /// # Errors
    /// [`ScheduleError::DuplicateClip`]; nothing changed.
    pub fn clip_added(&mut self, clip: &Clip) -> Result<(), ScheduleError> {
        if self.clips.contains_key(&clip.id) {
            return Err(ScheduleError::DuplicateClip(clip.id));
        }
        self.clips.insert(clip.id, ClipEntry::new(clip));
        Ok(())
    }

    /// Removes a clip. Placements of it stay indexed but play nothing.
    ///
    /// # Errors
    /// [`ScheduleError::UnknownClip`].
    pub fn clip_removed(&mut self, clip: ClipId) -> Result<(), ScheduleError> {
        self.clips.remove(&clip).map(|_| ()).ok_or(ScheduleError::UnknownClip(clip))
    }

    /// An audio clip's region changed. Says whether what plays moved
    /// (another sample or offset) rather than only its gain or fades.
    ///
    /// # Errors
    /// [`ScheduleError::UnknownClip`].
    pub fn audio_region_changed(
        &mut self,
        clip: ClipId,
        region: &imbolc_types::AudioRegion,
    ) -> Result<bool, ScheduleError> {
        let c = self.clips.get_mut(&clip).ok_or(ScheduleError::UnknownClip(clip))?;
        let moved = c.audio.as_ref().is_none_or(|old| old.sample != region.sample || old.offset != region.offset);
        c.audio = Some(region.clone());
        Ok(moved)
    }

    /// # Errors
    /// [`ScheduleError::UnknownClip`].
    pub fn clip_changed(&mut self, clip: ClipId, length: Tick, looping: bool) -> Result<(), ScheduleError> {
        let entry = self.clips.get_mut(&clip).ok_or(ScheduleError::UnknownClip(clip))?;
        entry.length = length.max(1);
        entry.looping = looping;
        Ok(())
    }

    /// # Errors
    /// [`ScheduleError::DuplicatePlacement`].
    pub fn placement_added(&mut self, placement: Placement) -> Result<(), ScheduleError> {
        if self.placements.contains_key(&placement.id) {
            return Err(ScheduleError::DuplicatePlacement(placement.id));
        }
        self.insert_placement(placement);
        Ok(())
    }

    /// # Errors
    /// [`ScheduleError::UnknownPlacement`].
    pub fn placement_removed(&mut self, placement: PlacementId) -> Result<(), ScheduleError> {
        self.remove_placement(placement).map(|_| ()).ok_or(ScheduleError::UnknownPlacement(placement))
    }

    /// # Errors
    /// [`ScheduleError::UnknownPlacement`].
    pub fn placement_changed(&mut self, placement: Placement) -> Result<(), ScheduleError> {
        self.remove_placement(placement.id).ok_or(ScheduleError::UnknownPlacement(placement.id))?;
        self.insert_placement(placement);
        Ok(())
    }

    fn insert_placement(&mut self, p: Placement) {
        let p = Placement { length: p.length.max(1), ..p };
        self.by_start.insert((p.start, p.id));
        *self.lengths.entry(p.length).or_insert(0) += 1;
        self.placements.insert(p.id, p);
    }

    fn remove_placement(&mut self, id: PlacementId) -> Option<Placement> {
        let p = self.placements.remove(&id)?;
        self.by_start.remove(&(p.start, p.id));
        if let Some(n) = self.lengths.get_mut(&p.length) {
            *n -= 1;
            if *n == 0 {
                self.lengths.remove(&p.length);
            }
        }
        Some(p)
    }

    /// Placements overlapping song ticks `[lo, hi)`.
    pub fn placements_overlapping(&self, lo: u64, hi: u64) -> impl Iterator<Item = &Placement> {
        let longest = self.lengths.last_key_value().map_or(0, |(&l, _)| u64::from(l));
        let from = Tick::try_from(lo.saturating_sub(longest)).unwrap_or(Tick::MAX);
        let to = Tick::try_from(hi).unwrap_or(Tick::MAX);
        let range =
            if from < to { Some(self.by_start.range((from, PlacementId(0))..(to, PlacementId(0)))) } else { None };
        range
            .into_iter()
            .flatten()
            .filter_map(|(_, id)| self.placements.get(id))
            .filter(move |p| u64::from(p.start) + u64::from(p.length) > lo)
    }
}
