//! Generator clips from the UI (piano roll): `generator` attaches or
//! cycles the generator of the piano roll's clip (euclid → markov →
//! lsystem → none), `generator-settings` types its parameters,
//! `generator-capture` writes its notes into an ordinary clip. Each is one
//! undo step.

use imbolc_types::generate::Generator;
use imbolc_types::{Action, ClipId};

use super::App;
use crate::audio::UiAudio;
use crate::modal::Modal;
use crate::transform_text::Prompt;

impl<S: UiAudio> App<S> {
    /// The piano roll's clip (the picked one, else the selected
    /// instrument's first) and its generator.
    fn generator_clip(&self) -> Option<(ClipId, Option<Generator>)> {
        let state = state_of!(self);
        let clip = crate::panes::piano_roll::clip_of(&state)?.id;
        Some((clip, self.session.project().generators.get(&clip).cloned()))
    }

    /// Attaches a Euclidean generator, or moves on to the next algorithm,
    /// or (after the L-system) detaches it: the clip keeps its notes. With
    /// no clip yet, one is made (the same undo step).
    pub(super) fn cycle_generator(&mut self) {
        let Some(instrument) = self.selected else { return self.inform("No instrument selected") };
        let key = self.session.project().pitch_of(instrument).key;
        let mark = self.session.undo_mark();
        let found = match self.generator_clip() {
            Some(found) => Some(found),
            None => self.new_clip(instrument, 1).map(|clip| (clip, None)),
        };
        let Some((clip, current)) = found else { return };
        let next = Generator::cycled(current.as_ref(), key);
        let text = next.as_ref().map_or_else(|| "generator off: the notes stay".to_owned(), Generator::summary);
        if self.apply(Action::SetGenerator { clip, generator: next.map(Box::new) }) {
            self.inform(text);
        }
        self.session.join_since(mark, "change generator");
    }

    /// Opens the generator prompt for the piano roll's generator clip.
    pub(super) fn ask_generator(&mut self) {
        let Some(instrument) = self.selected else { return self.inform("No instrument selected") };
        match self.generator_clip() {
            Some((clip, Some(g))) => {
                let current = g.summary();
                let prompt = Prompt::Generator(clip);
                self.modal = Some(Modal::Transforms { instrument, prompt, current, text: String::new() });
            }
            _ => self.inform("No generator on this clip: E attaches one"),
        }
    }

    /// Applies the generator prompt's words.
    pub(super) fn set_generator_text(&mut self, clip: ClipId, text: &str) {
        let Some(g) = self.session.project().generators.get(&clip).cloned() else { return };
        match crate::generate_text::parse(text, &g) {
            Ok(g) => {
                let summary = g.summary();
                if self.apply(Action::SetGenerator { clip, generator: Some(Box::new(g)) }) {
                    self.inform(summary);
                }
            }
            Err(e) => self.error(e),
        }
    }

    /// Writes the generator clip's notes into a new ordinary clip.
    pub(super) fn capture_generator(&mut self) {
        match self.generator_clip() {
            Some((clip, Some(_))) => {
                if self.apply(Action::CaptureGenerator { clip }) {
                    self.inform("captured into a new clip (place it in the arrangement, 6)");
                }
            }
            _ => self.inform("No generator on this clip: E attaches one"),
        }
    }
}
