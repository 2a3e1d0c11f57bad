//! Key, scale, tuning and note transforms from the UI: the prompt (`key-tuning`,
//! `instrument-key-tuning`) and the scale-lock toggle. Each is one
//! `Action::SetPitch`, so one undo step.

use imbolc_types::{Action, InstrumentId, PitchSettings};

use super::App;
use crate::audio::UiAudio;
use crate::modal::Modal;
use crate::pitch_text::{PitchEdit, parse};
use crate::transform_text::Prompt;

impl<S: UiAudio> App<S> {
    /// The settings the selected instrument plays in (the project's when
    /// none is selected).
    pub(super) fn effective_pitch(&self) -> PitchSettings {
        let p = self.session.project();
        match self.selected {
            Some(id) => p.pitch_of(id).clone(),
            None => p.pitch.clone(),
        }
    }

    /// Opens the prompt for the project (`None`) or the selected instrument.
    pub(super) fn ask_pitch(&mut self, instrument: bool) {
        let instrument = if instrument {
            let Some(id) = self.selected else { return self.inform("No instrument selected") };
            Some(id)
        } else {
            None
        };
        let p = self.session.project();
        let current = match instrument.and_then(|id| p.instruments.get(&id)) {
            Some(i) => {
                i.def.pitch.as_ref().map_or_else(|| format!("project's ({})", p.pitch.summary()), |s| s.summary())
            }
            None => p.pitch.summary(),
        };
        self.modal = Some(Modal::Pitch { instrument, current, text: String::new() });
    }

    /// Applies the prompt's words.
    pub(super) fn set_pitch_text(&mut self, instrument: Option<InstrumentId>, text: &str) {
        let p = self.session.project();
        let current = match instrument {
            Some(id) => p.pitch_of(id).clone(),
            None => p.pitch.clone(),
        };
        match parse(text, &current, instrument.is_some()) {
            Ok(PitchEdit::Set(s)) => {
                let summary = s.summary();
                if self.apply(Action::SetPitch { instrument, pitch: Some(s) }) {
                    self.inform(summary);
                }
            }
            Ok(PitchEdit::FollowProject) => {
                if self.apply(Action::SetPitch { instrument, pitch: None }) {
                    self.inform("follows the project's key and tuning");
                }
            }
            Err(e) => self.error(e),
        }
    }

    /// Scale lock on or off, where the selected instrument takes its key
    /// from (its own settings, else the project's).
    pub(super) fn toggle_scale_lock(&mut self) {
        let own = self
            .selected
            .filter(|id| self.session.project().instruments.get(id).is_some_and(|i| i.def.pitch.is_some()));
        let mut s = self.effective_pitch();
        s.lock = !s.lock;
        let text = if s.lock { format!("scale lock: {}", s.key.name()) } else { "scale lock off".to_owned() };
        if self.apply(Action::SetPitch { instrument: own, pitch: Some(s) }) {
            self.inform(text);
        }
    }
}

impl<S: UiAudio> App<S> {
    /// The selected instrument's transforms.
    fn selected_transforms(&self) -> Option<(InstrumentId, imbolc_types::transform::NoteTransforms)> {
        let id = self.selected?;
        Some((id, self.session.project().instruments.get(&id)?.def.transforms.clone()))
    }

    /// Arpeggiator on (defaults) or off for the selected instrument.
    pub(super) fn toggle_arp(&mut self) {
        let Some((instrument, t)) = self.selected_transforms() else { return self.inform("No instrument selected") };
        let transforms = crate::transform_text::toggle_arp(&t);
        let text = crate::transform_text::summary(&transforms);
        if self.apply(Action::SetTransforms { instrument, transforms }) {
            self.inform(text);
        }
    }

    /// Opens the arpeggiator, groove or chord prompt for the selected
    /// instrument.
    pub(super) fn ask_transforms(&mut self, prompt: Prompt) {
        let Some((instrument, t)) = self.selected_transforms() else { return self.inform("No instrument selected") };
        let current = crate::transform_text::summary(&t);
        self.modal = Some(Modal::Transforms { instrument, prompt, current, text: String::new() });
    }

    /// Opens the layer prompt for the selected instrument.
    pub(super) fn ask_layer(&mut self) {
        let Some(id) = self.selected else { return self.inform("No instrument selected") };
        let p = self.session.project();
        let current = crate::layer_text::summary(p, p.instruments.get(&id).and_then(|i| i.def.layer.as_ref()));
        self.modal = Some(Modal::Transforms { instrument: id, prompt: Prompt::Layer, current, text: String::new() });
    }

    /// Applies the layer prompt's words: one `Action::SetLayer`.
    fn set_layer_text(&mut self, instrument: InstrumentId, text: &str) {
        let p = self.session.project();
        match crate::layer_text::parse(text, p, instrument) {
            Ok(layer) => {
                let summary = crate::layer_text::summary(p, layer.as_ref());
                if self.apply(Action::SetLayer { instrument, layer }) {
                    self.inform(summary);
                }
            }
            Err(e) => self.error(e),
        }
    }

    /// Applies the prompt's words.
    pub(super) fn set_transforms_text(&mut self, instrument: InstrumentId, prompt: Prompt, text: &str) {
        if prompt == Prompt::Layer {
            return self.set_layer_text(instrument, text);
        }
        if let Prompt::Generator(clip) = prompt {
            return self.set_generator_text(clip, text);
        }
        let Some(t) = self.session.project().instruments.get(&instrument).map(|i| i.def.transforms.clone()) else {
            return;
        };
        match prompt.parse(text, &t) {
            Ok(transforms) => {
                let summary = crate::transform_text::summary(&transforms);
                if self.apply(Action::SetTransforms { instrument, transforms }) {
                    self.inform(summary);
                }
            }
            Err(e) => self.error(e),
        }
    }
}
