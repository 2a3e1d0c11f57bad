//! [`Routing`]: which instruments a note on a MIDI channel plays. By
//! default every channel (omni) plays the selected instrument; a channel
//! can instead have its own [`Zone`]s. Zones may overlap (layering: one key
//! plays several instruments) or sit side by side (key splits).

use std::collections::BTreeMap;

use imbolc_types::{InstrumentId, Project};

use super::config::ZoneConfig;

/// A key range of one channel played by one instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone {
    pub instrument: InstrumentId,
    /// Lowest and highest key, inclusive.
    pub low: u8,
    pub high: u8,
    /// Semitones added to the key (a split's lower half an octave up, …).
    pub transpose: i8,
}

impl Zone {
    /// The whole keyboard on `instrument`.
    pub fn full(instrument: InstrumentId) -> Self {
        Zone { instrument, low: 0, high: 127, transpose: 0 }
    }

    /// The key this zone plays for `key`, if `key` is in its range and the
    /// transposed key is a MIDI key.
    pub fn play(&self, key: u8) -> Option<u8> {
        if key < self.low || key > self.high {
            return None;
        }
        u8::try_from(i16::from(key) + i16::from(self.transpose)).ok().filter(|k| *k <= 127)
    }
}

/// Where notes go. See the module docs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Routing {
    /// The instrument omni channels play (the one selected in the UI).
    pub selected: Option<InstrumentId>,
    /// Channels (0..=15) with zones of their own; other channels are omni.
    pub channels: BTreeMap<u8, Vec<Zone>>,
}

impl Routing {
    /// The (instrument, key) pairs a key on `channel` plays, in zone order.
    pub fn targets(&self, channel: u8, key: u8, mut f: impl FnMut(InstrumentId, u8)) {
        match self.channels.get(&channel) {
            Some(zones) => {
                for z in zones {
                    if let Some(k) = z.play(key) {
                        f(z.instrument, k);
                    }
                }
            }
            None => {
                if let Some(i) = self.selected {
                    f(i, key);
                }
            }
        }
    }

    /// Every instrument a channel plays (for pedal, bend and pressure).
    pub fn instruments(&self, channel: u8, mut f: impl FnMut(InstrumentId)) {
        match self.channels.get(&channel) {
            Some(zones) => {
                let mut seen: Vec<InstrumentId> = Vec::with_capacity(zones.len());
                for z in zones {
                    if !seen.contains(&z.instrument) {
                        seen.push(z.instrument);
                        f(z.instrument);
                    }
                }
            }
            None => {
                if let Some(i) = self.selected {
                    f(i);
                }
            }
        }
    }

    /// Forgets an instrument that was removed (its zones go).
    pub fn forget(&mut self, instrument: InstrumentId) {
        if self.selected == Some(instrument) {
            self.selected = None;
        }
        for zones in self.channels.values_mut() {
            zones.retain(|z| z.instrument != instrument);
        }
    }
}

/// The channel zones `zones` describe for `project`: names resolve to the
/// first instrument of that name; unknown names and channels outside 1..=16
/// are skipped (the config may name instruments of another project).
pub fn channel_zones(zones: &[ZoneConfig], project: &Project) -> BTreeMap<u8, Vec<Zone>> {
    let mut channels: BTreeMap<u8, Vec<Zone>> = BTreeMap::new();
    for z in zones {
        let Some(channel) = z.channel.checked_sub(1).filter(|c| *c < 16) else { continue };
        let Some(instrument) = project.instruments.values().find(|i| i.name == z.instrument).map(|i| i.id) else {
            continue;
        };
        let zone = Zone { instrument, low: z.low.min(127), high: z.high.min(127), transpose: z.transpose };
        channels.entry(channel).or_default().push(zone);
    }
    channels
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: InstrumentId = InstrumentId(1);
    const B: InstrumentId = InstrumentId(2);

    fn targets(r: &Routing, ch: u8, key: u8) -> Vec<(InstrumentId, u8)> {
        let mut v = Vec::new();
        r.targets(ch, key, |i, k| v.push((i, k)));
        v
    }

    #[test]
    fn zones_from_midi_toml_split_and_layer_the_named_instruments() {
        use imbolc_types::{Action, SourceKind};
        let mut p = Project::new("p");
        for name in ["bass", "lead"] {
            crate::dispatch(&mut p, Action::AddInstrument { source: SourceKind::SAW, name: name.into() }).unwrap();
        }
        let (bass, lead) = (InstrumentId(0), InstrumentId(1));
        let text = r#"
            [[zone]]
            channel = 1
            instrument = "bass"
            high = 59
            transpose = 12
            [[zone]]
            channel = 1
            instrument = "lead"
            low = 60
            [[zone]]
            channel = 2
            instrument = "lead"
            [[zone]]
            channel = 2
            instrument = "bass"
            [[zone]]
            channel = 3
            instrument = "not in this project"
            [[zone]]
            channel = 17
            instrument = "bass"
        "#;
        let config: super::super::config::MidiConfig = toml::from_str(text).unwrap();
        let r = Routing { selected: Some(bass), channels: channel_zones(&config.zones, &p) };
        assert_eq!(targets(&r, 0, 48), vec![(bass, 60)], "channel 1 below the split: bass an octave up");
        assert_eq!(targets(&r, 0, 72), vec![(lead, 72)], "channel 1 above it: lead");
        assert_eq!(targets(&r, 1, 64), vec![(lead, 64), (bass, 64)], "channel 2 layers both");
        assert_eq!(targets(&r, 2, 64), vec![(bass, 64)], "a zone naming no instrument leaves the channel omni");
        assert_eq!(r.channels.len(), 2, "channel 17 does not exist");
    }

    #[test]
    fn omni_plays_the_selected_instrument() {
        let mut r = Routing::default();
        assert!(targets(&r, 0, 60).is_empty());
        r.selected = Some(A);
        assert_eq!(targets(&r, 9, 60), vec![(A, 60)]);
    }

    #[test]
    fn splits_and_layers() {
        let mut r = Routing { selected: Some(A), ..Routing::default() };
        r.channels.insert(
            1,
            vec![
                Zone { instrument: A, low: 0, high: 59, transpose: 12 },
                Zone { instrument: B, low: 60, high: 127, transpose: 0 },
                Zone { instrument: A, low: 60, high: 127, transpose: 0 },
            ],
        );
        assert_eq!(targets(&r, 1, 40), vec![(A, 52)]);
        assert_eq!(targets(&r, 1, 72), vec![(B, 72), (A, 72)]);
        assert_eq!(targets(&r, 0, 40), vec![(A, 40)], "other channels stay omni");
        let mut all = Vec::new();
        r.instruments(1, |i| all.push(i));
        assert_eq!(all, vec![A, B]);
        r.forget(A);
        assert_eq!(targets(&r, 1, 40), vec![]);
        assert_eq!(targets(&r, 0, 40), vec![]);
    }

    #[test]
    fn transposing_off_the_keyboard_plays_nothing() {
        let z = Zone { instrument: A, low: 0, high: 127, transpose: 10 };
        assert_eq!(z.play(120), None);
        assert_eq!(z.play(117), Some(127));
    }
}
