//! Sampler instruments in the graph: the buffers of their zones and the
//! voice that plays one zone.
//!
//! Each distinct sample of a sampler owns one buffer (two zones on one
//! sample share it), read from its cache file with `/b_allocRead` when it
//! first appears and freed with `/b_free` when its last zone goes. A note
//! plays the first zone holding its key and velocity with
//! [`crate::synthdefs::SAMPLER_ZONE`]: a sustained voice with the instrument's envelope, so
//! polyphony, the filter (shared or per voice), effects and the strip work
//! as for any source.

use std::collections::BTreeSet;

use imbolc_types::InstrumentId;
use imbolc_types::sampler::{LoopMode, SamplerZone, hz_note, note_hz};

use super::{GraphError, SignalGraph};
use crate::backend::{ControlName, ServerOp};

impl SignalGraph {
    /// Whether the instrument is a sampler.
    pub fn is_sampler(&self, instrument: InstrumentId) -> bool {
        self.instruments.get(&instrument).is_some_and(|s| s.def.sampler.is_some())
    }

    /// The buffer holding the sample with `hash` for a sampler.
    pub fn zone_buffer(&self, instrument: InstrumentId, hash: &str) -> Option<u32> {
        self.samples.by_zone.get(&(instrument, hash.to_owned())).copied()
    }

    /// The voice controls of the zone of a sampler that plays `freq` Hz at
    /// velocity `vel` (0..=1): the zone's buffer, rate, gain and frames.
    ///
    /// # Errors
    /// [`GraphError::NoSamplerZone`] when no zone holds the note (or its
    /// buffer is missing).
    pub(super) fn zone_controls(
        &self,
        instrument: InstrumentId,
        freq: f32,
        vel: f32,
    ) -> Result<Vec<(ControlName, f32)>, GraphError> {
        let st = self.instruments.get(&instrument).ok_or(GraphError::UnknownInstrument(instrument))?;
        let sampler = st.def.sampler.as_ref().ok_or(GraphError::NoSamplerZone(instrument))?;
        let key = hz_note(freq);
        let midi_vel = (vel.clamp(0.0, 1.0) * 127.0).round() as u8;
        let zone = sampler
            .zone_for(key, midi_vel)
            .and_then(|i| sampler.zones.get(i))
            .ok_or(GraphError::NoSamplerZone(instrument))?;
        let buf = self.zone_buffer(instrument, &zone.sample.hash).ok_or(GraphError::NoSamplerZone(instrument))?;
        Ok(zone_voice_controls(zone, buf, freq))
    }

    /// Loads the buffers a sampler's zones need that are not loaded and
    /// frees those no zone uses any more.
    pub(super) fn sync_zone_buffers(&mut self, instrument: InstrumentId) -> Vec<ServerOp> {
        let needed: BTreeSet<(String, String)> = self
            .instruments
            .get(&instrument)
            .and_then(|s| s.def.sampler.as_ref())
            .map(|s| {
                s.zones
                    .iter()
                    .filter(|z| imbolc_types::SampleRef::is_valid_hash(&z.sample.hash))
                    .map(|z| (z.sample.hash.clone(), crate::sample_cache::path_of(&z.sample).display().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let mut ops = Vec::new();
        let stale: Vec<String> = self
            .samples
            .by_zone
            .keys()
            .filter(|(i, h)| *i == instrument && !needed.iter().any(|(n, _)| n == h))
            .map(|(_, h)| h.clone())
            .collect();
        for hash in stale {
            if let Some(buf) = self.samples.by_zone.remove(&(instrument, hash)) {
                self.samples.numbers.free(buf);
                ops.push(ServerOp::BufferFree { buf });
            }
        }
        for (hash, path) in needed {
            let key = (instrument, hash);
            if !self.samples.by_zone.contains_key(&key) {
                let buf = self.samples.numbers.alloc();
                self.samples.by_zone.insert(key, buf);
                ops.push(ServerOp::BufferAllocRead { buf, path });
            }
        }
        ops
    }

    /// Frees every zone buffer of an instrument (it is being removed).
    pub(super) fn free_zone_buffers(&mut self, instrument: InstrumentId) -> Vec<ServerOp> {
        let keys: Vec<(InstrumentId, String)> =
            self.samples.by_zone.keys().filter(|(i, _)| *i == instrument).cloned().collect();
        let mut ops = Vec::new();
        for key in keys {
            if let Some(buf) = self.samples.by_zone.remove(&key) {
                self.samples.numbers.free(buf);
                ops.push(ServerOp::BufferFree { buf });
            }
        }
        ops
    }

    /// A zone was inserted, replaced or removed: only buffers change on the
    /// server (sounding voices keep playing what they started).
    pub(super) fn sampler_zone_edit(
        &mut self,
        instrument: InstrumentId,
        index: usize,
        edit: ZoneEdit<'_>,
    ) -> Result<Vec<ServerOp>, GraphError> {
        let st = self.instruments.get_mut(&instrument).ok_or(GraphError::UnknownInstrument(instrument))?;
        let sampler = st.def.sampler.get_or_insert_with(Default::default);
        match edit {
            ZoneEdit::Insert(zone) if index <= sampler.zones.len() => sampler.zones.insert(index, zone.clone()),
            ZoneEdit::Set(zone) if index < sampler.zones.len() => {
                if let Some(slot) = sampler.zones.get_mut(index) {
                    *slot = zone.clone();
                }
            }
            ZoneEdit::Remove if index < sampler.zones.len() => {
                sampler.zones.remove(index);
            }
            _ => return Err(GraphError::NoSamplerZone(instrument)),
        }
        Ok(self.sync_zone_buffers(instrument))
    }
}

/// An edit of one zone, as the diffs carry it.
pub(super) enum ZoneEdit<'a> {
    Insert(&'a SamplerZone),
    Set(&'a SamplerZone),
    Remove,
}

/// The zone-specific controls of [`crate::synthdefs::SAMPLER_ZONE`] for a note at `freq`.
/// Reversed zones get their loop points mirrored (the voice reads them in
/// playing order).
pub fn zone_voice_controls(zone: &SamplerZone, buf: u32, freq: f32) -> Vec<(ControlName, f32)> {
    let end = zone.end_frame();
    let start = zone.start.min(end.saturating_sub(1));
    let (ls, le) = zone.loop_range();
    let (ls, le) = if zone.reverse { (start + end - le, start + end - ls) } else { (ls, le) };
    let tune = if zone.tune.is_finite() { zone.tune.clamp(-1200.0, 1200.0) } else { 0.0 };
    let rate = freq / note_hz(f32::from(zone.root.min(127))) * 2f32.powf(tune / 1200.0);
    let gain_db = if zone.gain_db.is_finite() { zone.gain_db.clamp(-60.0, 12.0) } else { 0.0 };
    let gain = 10f32.powf(gain_db / 20.0);
    let loop_mode = if le > ls { zone.loop_mode } else { LoopMode::Off };
    vec![
        ("buf", buf as f32),
        ("rate", rate),
        ("gain", gain),
        ("start", start as f32),
        ("end", end as f32),
        ("loop", loop_mode.control()),
        ("loopstart", ls as f32),
        ("loopend", le as f32),
        ("xfade", zone.crossfade as f32),
        ("reverse", if zone.reverse { 1.0 } else { 0.0 }),
        ("oneshot", if zone.one_shot { 1.0 } else { 0.0 }),
    ]
}
