//! Edits to the project: dispatching an action (errors go to the status
//! line), keeping the selection on an existing instrument afterwards, and
//! the edits that take several actions (a note's first clip, a kit's first
//! pattern) or a fresh instrument name.

use imbolc_core::Session;
use imbolc_types::{Action, InstrumentId, SourceDef, Tick, TimeSignature};

use super::{App, collab};
use crate::audio::UiAudio;
use crate::modal::{Choice, Outcome};

impl<S: UiAudio> App<S> {
    /// Dispatches an action; errors go to the status line. True on success.
    pub(super) fn apply(&mut self, action: Action) -> bool {
        let action = match action {
            Action::SetParam { target, value } => return self.set_param(target, value),
            other => other,
        };
        let label = action.label();
        #[cfg(test)]
        self.dispatched.push((&action).into());
        if let collab::Route::Sent(sent) = self.route(&action) {
            return sent;
        }
        let copy = self.collab.is_some().then(|| action.clone());
        match self.session.dispatch(action) {
            Ok(_) => {
                if let Some(action) = copy {
                    self.published(action);
                }
                self.after_edit();
                true
            }
            Err(e) => {
                self.error(format!("cannot {label}: {e}"));
                false
            }
        }
    }

    /// Carries out a pick of the source picker opened to replace the
    /// selected instrument's source.
    pub(super) fn replace_source(&mut self, outcome: Outcome) {
        let Some(instrument) = self.replacing_source.take() else { return };
        let source = match outcome {
            Outcome::Picked(Choice::Source(kind)) => SourceDef::new(kind),
            Outcome::Picked(Choice::Custom(custom)) => SourceDef::custom(*custom),
            _ => return self.inform("a drum kit is an instrument of its own: a in the list adds one"),
        };
        self.apply(Action::SetSource { instrument, source });
    }

    /// Sets the time signature typed as `3/4`.
    pub(super) fn set_time_signature(&mut self, text: &str) {
        let parsed = text.split_once('/').and_then(|(n, d)| {
            Some(TimeSignature { numerator: n.trim().parse().ok()?, denominator: d.trim().parse().ok()? })
        });
        match parsed.filter(TimeSignature::is_valid) {
            Some(sig) => {
                self.apply(Action::SetTimeSignature(sig));
            }
            None => self.error(format!("not a time signature: {text} (1-32 beats over 1, 2, 4, 8, 16 or 32)")),
        }
    }

    /// Keeps the selection on an existing instrument after any change
    /// (a removal selects the neighbour, an undo of an add the one before).
    pub(super) fn after_edit(&mut self) {
        let list = &self.session.project().instruments;
        if self.selected.is_some_and(|id| list.contains_key(&id)) {
            return;
        }
        self.selected = list.keys().last().copied();
    }

    /// `saw`, then `saw 2`, `saw 3`, … so new instruments are told apart.
    pub(super) fn fresh_name(&self, base: &str) -> String {
        let taken = |n: &str| self.session.project().instruments.values().any(|i| i.name == n);
        if !taken(base) {
            return base.to_owned();
        }
        (2..).map(|k| format!("{base} {k}")).find(|n| !taken(n)).unwrap_or_else(|| base.to_owned())
    }

    /// Sets a step on a kit with no pattern: a 16-step 1/16 pattern is
    /// created and placed first, all one undo step.
    pub(super) fn add_drum_step(&mut self, instrument: InstrumentId, key: imbolc_types::StepKey) {
        let mark = self.session.undo_mark();
        let resolution = imbolc_types::StepResolution::Sixteenth;
        if !self.apply(Action::AddDrumPattern { instrument, name: String::new(), steps: 16, resolution }) {
            return;
        }
        let clip = self.session.project().clips.values().rev().find(|c| c.instrument == instrument).map(|c| c.id);
        if let Some(clip) = clip {
            self.place_at_playhead(clip);
            self.apply(Action::ToggleDrumStep { clip, key });
        }
        self.session.join_since(mark, "edit steps");
    }

    /// Places a new clip at the playhead's bar, so play in song mode sounds
    /// it, unless a placement of its instrument already plays that bar.
    fn place_at_playhead(&mut self, clip: imbolc_types::ClipId) {
        let project = self.session.project();
        let Some(c) = project.clips.get(&clip) else { return };
        let bar: Tick = crate::transport::bar_ticks(project.time_signature).max(1);
        let start = self.feedback.transport.tick / bar * bar;
        let taken = project.placements.values().any(|p| {
            project.clips.get(&p.clip).is_some_and(|o| o.instrument == c.instrument)
                && p.start <= start
                && start < p.start + p.length
        });
        if !taken {
            let length = c.length;
            self.apply(Action::AddPlacement { clip, start, length });
        }
    }

    /// Picks `clip` for the piano roll and drum pane, selecting its
    /// instrument.
    pub(super) fn pick_clip(&mut self, clip: imbolc_types::ClipId) {
        let Some(instrument) = self.session.project().clips.get(&clip).map(|c| c.instrument) else { return };
        self.clip = Some(clip);
        self.selected = Some(instrument);
        self.panes.editor.edit_instrument();
    }

    /// Copies `clip` as a new clip, picks the copy (the arrangement's row
    /// too) and says where to edit it.
    pub(super) fn duplicate_clip(&mut self, clip: imbolc_types::ClipId) {
        if !self.apply(Action::DuplicateClip { clip }) {
            return;
        }
        let project = self.session.project();
        let Some(copy) = project.clips.values().max_by_key(|c| c.id) else { return };
        let (id, kit) = (copy.id, copy.drums.is_some());
        let text = format!(
            "copied as \"{}\": edit it in {} and place it with a",
            copy.name,
            if kit { "the drum pane (8)" } else { "the piano roll (3)" }
        );
        self.panes.arrangement.show_clip(project, id);
        self.pick_clip(id);
        self.inform(text);
    }

    /// A new empty clip for `instrument` (two bars; a 16-step pattern on a
    /// kit) placed at `at`, picked for editing; one undo step. An audio
    /// track's clips come from files (`a`).
    pub(super) fn new_empty_clip(&mut self, instrument: InstrumentId, at: Tick) {
        let project = self.session.project();
        let Some(inst) = project.instruments.get(&instrument) else { return };
        if inst.def.audio_track {
            return self.inform("an audio track's clips are sound files: a imports one");
        }
        let kit = inst.def.drums.is_some();
        let length = 2 * crate::transport::bar_ticks(project.time_signature);
        let mark = self.session.undo_mark();
        let added = if kit {
            let resolution = imbolc_types::StepResolution::Sixteenth;
            self.apply(Action::AddDrumPattern { instrument, name: String::new(), steps: 16, resolution })
        } else {
            self.apply(Action::AddClip { instrument, name: String::new(), length })
        };
        if !added {
            return;
        }
        let project = self.session.project();
        let Some(clip) = project.clips.values().rev().find(|c| c.instrument == instrument) else { return };
        let (id, name, length) = (clip.id, clip.name.clone(), clip.length);
        self.apply(Action::AddPlacement { clip: id, start: at, length });
        self.session.join_since(mark, "new clip");
        self.panes.arrangement.show_clip(self.session.project(), id);
        self.pick_clip(id);
        self.inform(format!(
            "new clip \"{name}\": write it in {}",
            if kit { "the drum pane (8)" } else { "the piano roll (3)" }
        ));
    }

    /// Makes a clip of `length` ticks for `instrument` and places it at the
    /// playhead's bar (one undo step); its id, or `None` when refused (the
    /// error shown).
    pub(super) fn new_clip(&mut self, instrument: InstrumentId, length: Tick) -> Option<imbolc_types::ClipId> {
        let mark = self.session.undo_mark();
        if !self.apply(Action::AddClip { instrument, name: String::new(), length }) {
            return None;
        }
        let clip = self.session.project().clips.values().rev().find(|c| c.instrument == instrument)?.id;
        self.place_at_playhead(clip);
        self.session.join_since(mark, "add clip");
        Some(clip)
    }

    /// Adds notes to the instrument's clip. Its first note creates a clip
    /// two bars long (or long enough for the notes) and places it at the
    /// playhead's bar, so play sounds it at once; a clip too short for new
    /// notes grows to the bar after them (with the placements that played
    /// all of it); all one undo step. True when the notes were added.
    pub(super) fn add_notes(&mut self, instrument: InstrumentId, notes: Vec<imbolc_types::Note>) -> bool {
        // A new or grown clip and its placements undo with the notes.
        let mark = self.session.undo_mark();
        let added = self.add_notes_steps(instrument, notes);
        self.session.join_since(mark, "add notes");
        added
    }

    fn add_notes_steps(&mut self, instrument: InstrumentId, notes: Vec<imbolc_types::Note>) -> bool {
        let picked = self.clip;
        // The clip picked in the arrangement, else the instrument's first.
        let clip_of_instrument = |s: &Session<S>| {
            let notes = |c: &&imbolc_types::Clip| c.instrument == instrument && c.drums.is_none() && c.audio.is_none();
            let picked = picked.and_then(|id| s.project().clips.get(&id)).filter(notes);
            picked.or_else(|| s.project().clips.values().find(|c| c.instrument == instrument)).map(|c| (c.id, c.length))
        };
        let bar: Tick = crate::transport::bar_ticks(self.session.project().time_signature);
        let end = notes.iter().map(|n| n.start + n.length).max().unwrap_or(0);
        let needed = end.div_ceil(bar).max(2) * bar;
        match clip_of_instrument(&self.session) {
            None => {
                if self.new_clip(instrument, needed).is_none() {
                    return false;
                }
            }
            Some((clip, length)) if length < end => {
                if !self.apply(Action::SetClipLength { clip, length: needed }) {
                    return false;
                }
                // Placements that played the whole clip keep doing so.
                let whole: Vec<_> = self
                    .session
                    .project()
                    .placements
                    .values()
                    .filter(|p| p.clip == clip && p.length == length)
                    .map(|p| p.id)
                    .collect();
                for placement in whole {
                    self.apply(Action::ResizePlacement { placement, length: needed });
                }
            }
            Some(_) => {}
        }
        let Some((clip, _)) = clip_of_instrument(&self.session) else { return false };
        match <[_; 1]>::try_from(notes) {
            Ok([note]) => self.apply(Action::AddNote { clip, note }),
            Err(notes) => self.apply(Action::AddNotes { clip, notes }),
        }
    }
}
