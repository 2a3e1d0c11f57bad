//! Layers: the last stage between the scheduler's note events and the
//! engine. Each note of a lead (after its chords, arpeggio and groove,
//! see [`super::transform`]) also sounds on each of its layers: same time
//! (so in the same timetagged bundle), same key, the layer's pitch offset
//! and velocity scale. A layered note-off ends exactly the notes its
//! note-on started, whatever the links are by then, so a link edited,
//! removed or added while notes sound never leaves one hanging.
//!
//! A layer plays the lead's notes as the lead's transforms made them; the
//! layer's own transforms apply only to its own clips.

use std::collections::BTreeMap;

use imbolc_types::{AudioDiff, AudioScene, InstrumentId, LayerLink};

use super::event::{NoteEvent, NoteEventKind, NoteKey};

/// Keyed by project ids (see `transform`): foldhash.
type IdMap<K, V> = foldhash::HashMap<K, V>;

/// One layered note sounding: the layer and the pitch and velocity it got.
type LayerNote = (InstrumentId, u8, u8);

/// The layer links of a scene and the layered notes sounding.
#[derive(Debug, Clone, Default)]
pub struct LayerStage {
    /// Each layer's link.
    links: BTreeMap<InstrumentId, LayerLink>,
    /// The layers of each lead, in id order (derived from `links`).
    leads: IdMap<InstrumentId, Vec<(InstrumentId, LayerLink)>>,
    /// Layered notes sounding, by the lead's note.
    sounding: IdMap<(InstrumentId, NoteKey), Vec<LayerNote>>,
}

impl LayerStage {
    /// The stage for a scene's instruments.
    pub fn new(scene: &AudioScene) -> Self {
        let mut stage = LayerStage::default();
        for i in &scene.instruments {
            if let Some(l) = i.def.layer {
                stage.links.insert(i.id, l);
            }
        }
        stage.rebuild();
        stage
    }

    /// The layers of `lead` with their links (empty for most instruments).
    pub fn of(&self, lead: InstrumentId) -> &[(InstrumentId, LayerLink)] {
        self.leads.get(&lead).map_or(&[], Vec::as_slice)
    }

    /// Whether nothing is linked and nothing layered sounds.
    pub fn is_idle(&self) -> bool {
        self.leads.is_empty() && self.sounding.is_empty()
    }

    /// Follows the links.
    pub fn apply(&mut self, diff: &AudioDiff) {
        match diff {
            AudioDiff::SceneLoaded(scene) => *self = LayerStage::new(scene),
            AudioDiff::InstrumentAdded { instrument, .. } => self.set(instrument.id, instrument.def.layer),
            AudioDiff::InstrumentRemoved { instrument } => {
                self.set(*instrument, None);
                // A removed lead's layers are unlinked by their own diffs.
                let gone = *instrument;
                self.links.retain(|_, l| l.lead != gone);
                self.rebuild();
                for notes in self.sounding.values_mut() {
                    notes.retain(|(layer, ..)| *layer != gone);
                }
                self.sounding.retain(|_, notes| !notes.is_empty());
            }
            AudioDiff::LayerChanged { instrument, layer } => self.set(*instrument, *layer),
            _ => {}
        }
    }

    fn set(&mut self, instrument: InstrumentId, layer: Option<LayerLink>) {
        let changed = match layer {
            Some(l) => self.links.insert(instrument, l) != Some(l),
            None => self.links.remove(&instrument).is_some(),
        };
        if changed {
            self.rebuild();
        }
    }

    fn rebuild(&mut self) {
        self.leads.clear();
        for (layer, link) in &self.links {
            // One level only (dispatch refuses chains): a layer's own
            // layers are ignored here too.
            if !self.links.contains_key(&link.lead) {
                self.leads.entry(link.lead).or_default().push((*layer, *link));
            }
        }
    }

    /// Adds the layered notes of the events appended to `out` from `first`
    /// on (one window, sorted) and sorts them again.
    pub(crate) fn window(&mut self, out: &mut Vec<NoteEvent>, first: usize) {
        if self.is_idle() {
            return;
        }
        let mut added = Vec::new();
        for e in out.iter().skip(first) {
            self.layer(e, &mut added);
        }
        if !added.is_empty() {
            out.extend(added);
            sort(&mut out[first..]);
        }
    }

    /// At stop: after the window's note-offs are layered, every layered
    /// note still sounding ends at `at`.
    pub(crate) fn stop(&mut self, out: &mut Vec<NoteEvent>, first: usize, at: f64) {
        if self.sounding.is_empty() {
            return;
        }
        self.window(out, first);
        for ((_, key), notes) in self.sounding.drain() {
            for (instrument, pitch, velocity) in notes {
                out.push(NoteEvent {
                    time: at,
                    kind: NoteEventKind::Off,
                    instrument,
                    pitch,
                    velocity,
                    key,
                    audio: None,
                });
            }
        }
        sort(&mut out[first..]);
    }

    /// The layered events of one event of a lead.
    fn layer(&mut self, e: &NoteEvent, added: &mut Vec<NoteEvent>) {
        let id = (e.instrument, e.key);
        match e.kind {
            NoteEventKind::On => {
                let Some(layers) = self.leads.get(&e.instrument) else { return };
                if e.audio.is_some() {
                    return;
                }
                let mut notes = Vec::with_capacity(layers.len());
                for (layer, link) in layers {
                    let Some(pitch) = link.pitch(e.pitch) else { continue };
                    let velocity = link.velocity(e.velocity);
                    added.push(NoteEvent { instrument: *layer, pitch, velocity, ..*e });
                    notes.push((*layer, pitch, velocity));
                }
                if !notes.is_empty() {
                    self.sounding.insert(id, notes);
                }
            }
            NoteEventKind::Off => {
                let Some(notes) = self.sounding.remove(&id) else { return };
                for (instrument, pitch, velocity) in notes {
                    added.push(NoteEvent { instrument, pitch, velocity, ..*e });
                }
            }
        }
    }
}

/// The scheduler's event order: time, offs first, then instrument, pitch
/// and key.
pub(crate) fn sort(events: &mut [NoteEvent]) {
    events.sort_by(|a, b| {
        a.time
            .total_cmp(&b.time)
            .then(a.kind.cmp(&b.kind))
            .then(a.instrument.cmp(&b.instrument))
            .then(a.pitch.cmp(&b.pitch).then(a.key.cmp(&b.key)))
    });
}
