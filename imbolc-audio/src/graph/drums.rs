//! Drum kits in the graph: hits of pads as one-shot voices, and the server
//! buffers holding sample pads.
//!
//! A hit is one `/s_new` of the pad's drum voice (or of the sampler with
//! the pad's buffer) at the tail of the kit's `voices` group; it frees
//! itself. Every sample pad owns one buffer, allocated and read with
//! `/b_allocRead` when the pad (or its kit) appears, freed with `/b_free`
//! when it goes, and read again on every rebuild (a new server has none).
//! Buffer numbers come from an allocator with a free list starting at
//! [`FIRST_SAMPLE_BUFFER`], so churn never grows them.
//!
//! A sample pad with a loop length in beats (`DrumPad::loop_beats`) plays
//! by [`STRETCH`] instead, with the graph's tempo; a tempo change sets
//! `tempo` on the voices group of every kit that has a loop pad (see
//! `sync.rs`), so loops already playing follow it, live and in renders.
//!
//! Notes played on a kit (timeline or live) hit pad `pitch - 36` (C1 is
//! pad 0, as on General MIDI drum maps); see [`pad_of_note`].
//!
//! A stored pad ([`PadSound::Stored`]) is read from its cache file
//! ([`crate::sample_cache::path_of`]), which the core writes when it
//! imports or opens the sample; an old project's path pad is read from its
//! path. The graph reads no files: checks are done before the edit. A file
//! that disappears later makes the server answer `/fail /b_allocRead`; the
//! pad then plays an empty buffer (silence), nothing crashes.

use std::collections::HashMap;

use imbolc_types::InstrumentId;
use imbolc_types::drums::{DrumPad, PadSound};

use super::alloc::BusAllocator;
use super::{GraphError, SignalGraph};
use crate::backend::{AddAction, NodeId, ServerOp};
use crate::synthdefs::{SAMPLER, STRETCH};

/// First server buffer used for samples (lower ones are left for other
/// uses such as recording).
pub const FIRST_SAMPLE_BUFFER: u32 = 64;

/// MIDI note of pad 0 when notes play a kit (C1, the GM kick).
pub const FIRST_PAD_NOTE: u8 = 36;

/// The pad a note plays on a kit, if any.
pub fn pad_of_note(pitch: u8) -> Option<u8> {
    pitch.checked_sub(FIRST_PAD_NOTE).filter(|p| usize::from(*p) < imbolc_types::drums::PAD_COUNT)
}

/// The file the server reads for a pad: the cache file of a stored
/// sample, or an old project's path; `None` for a drum voice.
fn server_path(pad: &DrumPad) -> Option<String> {
    match &pad.sound {
        PadSound::Voice(_) => None,
        PadSound::Sample { path } => Some(path.clone()),
        // Dispatch and repair refuse a malformed hash; never a path here.
        PadSound::Stored(sample) if imbolc_types::SampleRef::is_valid_hash(&sample.hash) => {
            Some(crate::sample_cache::path_of(sample).display().to_string())
        }
        PadSound::Stored(_) => None,
    }
}

/// The length in beats of a sample pad played as a tempo-synced loop (by
/// [`STRETCH`]), clamped into range; `None` for a one-shot or a voice.
fn loop_beats(pad: &DrumPad) -> Option<f32> {
    let (lo, hi) = imbolc_types::drums::LOOP_BEATS_RANGE;
    match pad.sound {
        PadSound::Voice(_) => None,
        PadSound::Sample { .. } | PadSound::Stored(_) => {
            pad.loop_beats.filter(|b| b.is_finite()).map(|b| b.clamp(lo, hi))
        }
    }
}

/// Buffers of sample pads.
#[derive(Debug, Clone)]
pub(super) struct SampleBuffers {
    pub(super) numbers: BusAllocator,
    by_pad: HashMap<(InstrumentId, u8), u32>,
    /// Buffers of sampler zones, by instrument and sample hash.
    pub(super) by_zone: HashMap<(InstrumentId, String), u32>,
    /// IR and spectral buffers of convolution effects, by effect node
    /// (see `convolution.rs`).
    pub(super) by_effect: HashMap<NodeId, super::convolution::IrBuffers>,
    /// Buffers of audio clips' samples, by hash (see `audio_clip.rs`).
    pub(super) by_clip_sample: HashMap<String, u32>,
}

impl Default for SampleBuffers {
    fn default() -> Self {
        SampleBuffers {
            numbers: BusAllocator::new(FIRST_SAMPLE_BUFFER, 1),
            by_pad: HashMap::new(),
            by_zone: HashMap::new(),
            by_effect: HashMap::new(),
            by_clip_sample: HashMap::new(),
        }
    }
}

impl SampleBuffers {
    /// One past the highest buffer number in use.
    pub fn high_water(&self) -> u32 {
        self.numbers.high_water()
    }
}

impl SignalGraph {
    /// Whether the instrument is a drum kit (its notes play pads).
    pub fn is_drum_kit(&self, instrument: InstrumentId) -> bool {
        self.instruments.get(&instrument).is_some_and(|s| s.def.drums.is_some())
    }

    /// The buffer a sample pad plays, if it has one.
    pub fn sample_buffer(&self, instrument: InstrumentId, pad: u8) -> Option<u32> {
        self.samples.by_pad.get(&(instrument, pad)).copied()
    }

    /// Starts a hit of `pad` at velocity `vel` (0..=1), tuned by the pad's
    /// pitch plus `pitch` semitones: the node and its one op, for
    /// [`crate::voices::VoiceAllocator::trigger`].
    ///
    /// # Errors
    /// [`GraphError::UnknownInstrument`]; [`GraphError::NotADrumKit`] when
    /// the instrument has no kit or no such pad.
    pub fn drum_hit(
        &mut self,
        instrument: InstrumentId,
        pad: u8,
        vel: f32,
        pitch: f32,
    ) -> Result<(NodeId, ServerOp), GraphError> {
        let st = self.instruments.get(&instrument).ok_or(GraphError::UnknownInstrument(instrument))?;
        let def = st
            .def
            .drums
            .as_ref()
            .and_then(|k| k.pads.get(usize::from(pad)))
            .ok_or(GraphError::NotADrumKit(instrument))?;
        let vel = if vel.is_finite() { vel.clamp(0.0, 1.0) } else { 1.0 };
        let semitones = (def.pitch + pitch).clamp(-48.0, 48.0);
        let amp = def.level.clamp(0.0, 2.0);
        match &def.sound {
            PadSound::Voice(voice) => {
                let synthdef = voice.synthdef();
                let seed = super::voice::voice_seed(instrument, &[u32::from(pad), vel.to_bits(), semitones.to_bits()]);
                self.one_shot_on(
                    instrument,
                    synthdef,
                    &[("amp", amp), ("vel", vel), ("pitch", semitones), ("seed", seed)],
                )
            }
            PadSound::Sample { .. } | PadSound::Stored(_) => {
                let buf = self.sample_buffer(instrument, pad).ok_or(GraphError::NotADrumKit(instrument))?;
                let rate = 2f32.powf(semitones / 12.0);
                // A slice plays `frames` from `start`; 0 frames plays to the
                // end. Frames as f32 are exact up to 2^24 (about 5.8 min at
                // 48 kHz), within a frame or two beyond.
                let (start, frames) = match def.region {
                    Some((s, e)) if s < e => (s as f32, (e - s) as f32),
                    _ => (0.0, 0.0),
                };
                let mut controls = vec![
                    ("buf", buf as f32),
                    ("amp", amp),
                    ("vel", vel),
                    ("rate", rate),
                    ("start", start),
                    ("frames", frames),
                ];
                match loop_beats(def) {
                    Some(beats) => {
                        controls.extend([("beats", beats), ("tempo", self.tempo)]);
                        self.one_shot_on(instrument, STRETCH, &controls)
                    }
                    None => self.one_shot_on(instrument, SAMPLER, &controls),
                }
            }
        }
    }

    /// The sampler playing preview buffer `buf` once at unity gain at the
    /// head of the master group (before the master's effects and strip),
    /// for the sample browser's preview.
    pub fn preview_synth(&mut self, buf: u32) -> (NodeId, ServerOp) {
        let id = self.node_ids.next_id();
        let controls = vec![("out", self.master.chain.bus as f32), ("buf", buf as f32), ("amp", 1.0), ("vel", 1.0)];
        let target = self.master.chain.group;
        (id, ServerOp::SynthNew { def: SAMPLER, id, action: AddAction::Head, target, controls })
    }

    /// The voices groups of kits with a loop pad: a tempo change sets
    /// `tempo` on each (one `/n_set`), which moves their playing loops.
    pub(super) fn loop_groups(&self) -> Vec<NodeId> {
        self.order
            .iter()
            .filter_map(|id| self.instruments.get(id))
            .filter(|st| st.def.drums.as_ref().is_some_and(|k| k.pads.iter().any(|p| loop_beats(p).is_some())))
            .map(|st| st.voices)
            .collect()
    }

    /// Loads every sample pad of a kit (a new kit, or a rebuild).
    pub(super) fn load_kit_samples(&mut self, instrument: InstrumentId) -> Vec<ServerOp> {
        if self.is_sampler(instrument) {
            return self.sync_zone_buffers(instrument);
        }
        let Some(kit) = self.instruments.get(&instrument).and_then(|s| s.def.drums.as_ref()) else {
            return Vec::new();
        };
        let files: Vec<(u8, String)> = kit
            .pads
            .iter()
            .enumerate()
            .filter_map(|(i, pad)| Some((u8::try_from(i).ok()?, server_path(pad)?)))
            .collect();
        files.into_iter().map(|(pad, path)| self.load_sample(instrument, pad, path)).collect()
    }

    /// Frees every buffer of a kit (it is being removed).
    pub(super) fn free_kit_samples(&mut self, instrument: InstrumentId) -> Vec<ServerOp> {
        let pads: Vec<u8> = self.samples.by_pad.keys().filter(|(i, _)| *i == instrument).map(|(_, p)| *p).collect();
        let mut ops: Vec<ServerOp> = pads.into_iter().filter_map(|pad| self.free_sample(instrument, pad)).collect();
        ops.extend(self.free_zone_buffers(instrument));
        ops
    }

    /// Frees every sample buffer (the scene is replaced on a live server).
    pub(super) fn free_all_samples(&mut self) -> Vec<ServerOp> {
        let pads = self
            .samples
            .by_pad
            .values()
            .chain(self.samples.by_zone.values())
            .chain(self.samples.by_clip_sample.values())
            .copied();
        let irs = self.samples.by_effect.values().flat_map(|b| [b.ir, b.spec]);
        let ops = pads.chain(irs).map(|buf| ServerOp::BufferFree { buf }).collect();
        self.samples = SampleBuffers::default();
        ops
    }

    /// Forgets every buffer and loads all sample pads again (build on a
    /// server that has none of them).
    pub(super) fn reload_samples(&mut self) -> Vec<ServerOp> {
        self.samples = SampleBuffers::default();
        let order = self.order.clone();
        let mut ops: Vec<ServerOp> = order.into_iter().flat_map(|id| self.load_kit_samples(id)).collect();
        ops.extend(self.sync_clip_buffers());
        ops
    }

    /// A pad changed: its buffer is replaced only when its file changed.
    pub(super) fn drum_pad_changed(
        &mut self,
        instrument: InstrumentId,
        pad: u8,
        def: &DrumPad,
    ) -> Result<Vec<ServerOp>, GraphError> {
        let st = self.instruments.get_mut(&instrument).ok_or(GraphError::UnknownInstrument(instrument))?;
        let slot = st
            .def
            .drums
            .as_mut()
            .and_then(|k| k.pads.get_mut(usize::from(pad)))
            .ok_or(GraphError::NotADrumKit(instrument))?;
        let old = std::mem::replace(slot, def.clone());
        let mut ops = Vec::new();
        if server_path(&old) != server_path(def) {
            ops.extend(self.free_sample(instrument, pad));
            if let Some(path) = server_path(def) {
                ops.push(self.load_sample(instrument, pad, path));
            }
        }
        Ok(ops)
    }

    fn load_sample(&mut self, instrument: InstrumentId, pad: u8, path: String) -> ServerOp {
        let buf = self.samples.numbers.alloc();
        self.samples.by_pad.insert((instrument, pad), buf);
        ServerOp::BufferAllocRead { buf, path }
    }

    fn free_sample(&mut self, instrument: InstrumentId, pad: u8) -> Option<ServerOp> {
        let buf = self.samples.by_pad.remove(&(instrument, pad))?;
        self.samples.numbers.free(buf);
        Some(ServerOp::BufferFree { buf })
    }
}
