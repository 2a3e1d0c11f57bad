//! The built-in demo song: a short project that shows what Imbolc does
//! (instruments with filters and effects, a drum kit with patterns, a
//! reverb bus fed by sends, a filter sweep automation lane, eight bars in
//! song mode), and `imbolc demo PATH` writes it to a file.
//!
//! It is built only through [`dispatch`], so it satisfies every invariant
//! dispatch keeps, and tests and benches can use it as a fixture.

use std::path::{Path, PathBuf};

use imbolc_types::{
    Action, BusId, ChainOwner, ClipId, DrumStep, EffectId, EffectKind, EnvelopeStage, FilterDef, FilterKind,
    InstrumentId, LaneId, MixerParam, Note, ParamTarget, Project, SourceKind, StepResolution, TICKS_PER_QUARTER, Tick,
};

use crate::dispatch::{DispatchError, dispatch};
use crate::persist::{PersistError, save};

/// Tempo of the demo, in beats per minute.
pub const DEMO_TEMPO: f32 = 118.0;
/// Length of the demo in bars (4/4).
pub const DEMO_BARS: Tick = 8;
const BAR: Tick = 4 * TICKS_PER_QUARTER;
const EIGHTH: Tick = TICKS_PER_QUARTER / 2;

/// Why `imbolc demo` wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The file exists; pass `--force` to replace it.
    #[error("{0} already exists (use --force to overwrite it)")]
    Exists(PathBuf),
    /// Building the demo failed (a bug: every action is fixed).
    #[error("building the demo failed: {0}")]
    Dispatch(#[from] DispatchError),
    /// The file could not be written.
    #[error(transparent)]
    Persist(#[from] PersistError),
}

/// The demo song.
///
/// # Errors
/// A [`DispatchError`] if an edit is refused, which a test rules out.
pub fn try_demo_project() -> Result<Project, DispatchError> {
    let mut b = Builder { p: Project::new("Imbolc demo") };
    b.run(Action::SetParam { target: ParamTarget::Tempo, value: DEMO_TEMPO })?;
    let reverb = b.reverb_bus()?;
    b.bass()?;
    b.lead(reverb)?;
    b.pad(reverb)?;
    b.drums(reverb)?;
    Ok(b.p)
}

/// The demo song (an empty project named "Imbolc demo" if building it
/// ever failed, which a test rules out; the error is logged).
pub fn demo_project() -> Project {
    try_demo_project().unwrap_or_else(|e| {
        tracing::error!("demo project: {e}");
        Project::new("Imbolc demo")
    })
}

/// Writes the demo song to `path`; an existing file is replaced only with
/// `force`.
///
/// # Errors
/// [`DemoError::Exists`] without `force`; otherwise as [`save`].
pub fn write_demo(path: &Path, force: bool) -> Result<(), DemoError> {
    if !force && path.exists() {
        return Err(DemoError::Exists(path.to_owned()));
    }
    let project = try_demo_project()?;
    save(path, &project)?;
    Ok(())
}

/// Applies actions and knows the id each one just allocated (ids come
/// from the project's counters, so the last one given is `counter - 1`).
struct Builder {
    p: Project,
}

impl Builder {
    fn run(&mut self, action: Action) -> Result<(), DispatchError> {
        dispatch(&mut self.p, action).map(|_| ())
    }

    fn last_instrument(&self) -> InstrumentId {
        InstrumentId(self.p.ids.instrument.saturating_sub(1))
    }
    fn last_effect(&self) -> EffectId {
        EffectId(self.p.ids.effect.saturating_sub(1))
    }
    fn last_clip(&self) -> ClipId {
        ClipId(self.p.ids.clip.saturating_sub(1))
    }

    fn instrument(&mut self, source: SourceKind, name: &str) -> Result<InstrumentId, DispatchError> {
        self.run(Action::AddInstrument { source, name: name.into() })?;
        Ok(self.last_instrument())
    }

    fn effect(&mut self, owner: ChainOwner, kind: EffectKind, params: &[(&str, f32)]) -> Result<(), DispatchError> {
        self.run(Action::AddEffect { owner, kind, index: None })?;
        let effect = self.last_effect();
        for (param, value) in params {
            self.run(Action::SetParam {
                target: ParamTarget::Effect { owner, effect, param: (*param).into() },
                value: *value,
            })?;
        }
        Ok(())
    }

    fn set(&mut self, target: ParamTarget, value: f32) -> Result<(), DispatchError> {
        self.run(Action::SetParam { target, value })
    }

    /// A looping clip of `notes` (pitch, start, length in ticks) placed at
    /// each `(start bar, bars)`.
    fn clip(
        &mut self,
        instrument: InstrumentId,
        name: &str,
        bars: Tick,
        notes: &[(u8, Tick, Tick, u8)],
        placements: &[(Tick, Tick)],
    ) -> Result<(), DispatchError> {
        self.run(Action::AddClip { instrument, name: name.into(), length: bars * BAR })?;
        let clip = self.last_clip();
        self.run(Action::SetClipLooping { clip, looping: true })?;
        let notes =
            notes.iter().map(|&(pitch, start, length, velocity)| Note::new(pitch, velocity, start, length)).collect();
        self.run(Action::AddNotes { clip, notes })?;
        self.place(clip, placements)
    }

    fn place(&mut self, clip: ClipId, placements: &[(Tick, Tick)]) -> Result<(), DispatchError> {
        for &(bar, bars) in placements {
            self.run(Action::AddPlacement { clip, start: bar * BAR, length: bars * BAR })?;
        }
        Ok(())
    }

    fn reverb_bus(&mut self) -> Result<BusId, DispatchError> {
        self.run(Action::AddBus { name: "reverb".into() })?;
        let bus = BusId(self.p.ids.bus.saturating_sub(1));
        self.effect(ChainOwner::Bus(bus), EffectKind::REVERB, &[("mix", 1.0), ("room", 0.85), ("damp", 0.4)])?;
        Ok(bus)
    }

    /// Saw bass through a resonant low-pass whose cutoff sweeps open over
    /// the eight bars (an automation lane).
    fn bass(&mut self) -> Result<(), DispatchError> {
        let bass = self.instrument(SourceKind::SAW, "bass")?;
        self.run(Action::SetFilter { instrument: bass, filter: Some(FilterDef::new(FilterKind::LOW_PASS)) })?;
        let cutoff = ParamTarget::Filter { instrument: bass, param: "cutoff".into() };
        self.set(ParamTarget::Filter { instrument: bass, param: "resonance".into() }, 0.45)?;
        self.set(ParamTarget::Envelope { instrument: bass, stage: EnvelopeStage::Release }, 0.08)?;
        self.set(ParamTarget::Mixer { instrument: bass, param: MixerParam::Level }, 0.8)?;
        // C minor: C2 C2 Eb2 C2 G1 C2 Bb1 C2, in eighths.
        let riff = [36, 36, 39, 36, 31, 36, 34, 36];
        let notes: Vec<_> = riff
            .iter()
            .enumerate()
            .map(|(i, &pitch)| (pitch, i as Tick * EIGHTH, EIGHTH - 40, if i % 2 == 0 { 110 } else { 85 }))
            .collect();
        self.clip(bass, "riff", 1, &notes, &[(0, DEMO_BARS)])?;
        self.run(Action::AddLane { target: cutoff })?;
        let lane = LaneId(self.p.ids.lane.saturating_sub(1));
        for (bar, hz) in [(0, 250.0), (4, 1200.0), (7, 4000.0), (8, 600.0)] {
            self.run(Action::SetAutomationPoint { lane, tick: bar * BAR, value: hz })?;
        }
        Ok(())
    }

    /// Square lead with a dotted-eighth delay, entering at bar 5.
    fn lead(&mut self, reverb: BusId) -> Result<(), DispatchError> {
        let lead = self.instrument(SourceKind::SQUARE, "lead")?;
        let dotted_eighth = 0.75 * 60.0 / DEMO_TEMPO;
        let owner = ChainOwner::Instrument(lead);
        self.effect(owner, EffectKind::DELAY, &[("time", dotted_eighth), ("feedback", 0.45), ("mix", 0.35)])?;
        self.set(ParamTarget::Source { instrument: lead, param: "width".into() }, 0.3)?;
        self.set(ParamTarget::Mixer { instrument: lead, param: MixerParam::Level }, 0.55)?;
        self.run(Action::AddSend { instrument: lead, bus: reverb, level: 0.3 })?;
        let q = TICKS_PER_QUARTER;
        let melody = [
            (72, 0, q, 100),
            (75, q, q / 2, 90),
            (79, 3 * q / 2, q / 2, 90),
            (77, 2 * q, q, 95),
            (75, 3 * q, q, 85),
            (72, BAR, 3 * q / 2, 100),
            (70, BAR + 3 * q / 2, q / 2, 80),
            (67, BAR + 2 * q, 2 * q, 90),
        ];
        self.clip(lead, "melody", 2, &melody, &[(4, 4)])
    }

    /// Sine pad with slow attack and release, two chords, through the
    /// reverb bus.
    fn pad(&mut self, reverb: BusId) -> Result<(), DispatchError> {
        let pad = self.instrument(SourceKind::SINE, "pad")?;
        self.set(ParamTarget::Envelope { instrument: pad, stage: EnvelopeStage::Attack }, 0.6)?;
        self.set(ParamTarget::Envelope { instrument: pad, stage: EnvelopeStage::Release }, 1.2)?;
        self.set(ParamTarget::Mixer { instrument: pad, param: MixerParam::Level }, 0.5)?;
        self.run(Action::AddSend { instrument: pad, bus: reverb, level: 0.6 })?;
        let mut chords = Vec::new();
        for (bar, chord) in [(0, [60, 63, 67]), (1, [58, 62, 65])] {
            chords.extend(chord.iter().map(|&pitch| (pitch, bar * BAR, BAR - 60, 70)));
        }
        self.clip(pad, "chords", 2, &chords, &[(2, 6)])
    }

    /// A drum kit: a main beat with light swing and ghost notes for seven
    /// bars, then a fill.
    fn drums(&mut self, reverb: BusId) -> Result<(), DispatchError> {
        self.run(Action::AddDrumKit { name: "drums".into() })?;
        let kit = self.last_instrument();
        // Built-in drum voices are loud: this keeps the mix below 0 dBFS.
        self.set(ParamTarget::Mixer { instrument: kit, param: MixerParam::Level }, 0.45)?;
        self.run(Action::AddSend { instrument: kit, bus: reverb, level: 0.15 })?;
        let (kick, snare, clap, hat, open_hat) = (0u8, 1u8, 2u8, 3u8, 4u8);
        let hit = |velocity: u8| Some(DrumStep { velocity, probability: 100, pitch: 0 });
        let ghost = Some(DrumStep { velocity: 45, probability: 60, pitch: 0 });

        self.pattern(kit, "beat", 0.12)?;
        let beat = self.last_clip();
        let mut steps = Vec::new();
        for s in [0, 4, 8, 12] {
            steps.push(((s, kick), hit(120)));
        }
        steps.push(((10, kick), hit(90)));
        for s in [4, 12] {
            steps.push(((s, snare), hit(110)));
            steps.push(((s, clap), hit(70)));
        }
        steps.push(((7, snare), ghost));
        steps.push(((15, snare), ghost));
        for s in (0..16).step_by(2) {
            steps.push(((s, hat), hit(if s % 4 == 0 { 100 } else { 75 })));
        }
        steps.push(((14, open_hat), hit(80)));
        self.run(Action::SetDrumSteps { clip: beat, steps })?;
        self.place(beat, &[(0, DEMO_BARS - 1)])?;

        self.pattern(kit, "fill", 0.0)?;
        let fill = self.last_clip();
        let (low_tom, tom, high_tom) = (13u8, 5u8, 14u8);
        let mut steps = vec![((0, kick), hit(120)), ((0, open_hat), hit(90))];
        for (s, pad) in [(8, high_tom), (9, high_tom), (10, tom), (11, tom), (12, low_tom), (13, low_tom)] {
            steps.push(((s, pad), hit(100 + s)));
        }
        for s in [4, 6, 14, 15] {
            steps.push(((s, snare), hit(90 + 2 * s)));
        }
        self.run(Action::SetDrumSteps { clip: fill, steps })?;
        self.place(fill, &[(DEMO_BARS - 1, 1)])
    }

    fn pattern(&mut self, kit: InstrumentId, name: &str, swing: f32) -> Result<(), DispatchError> {
        let resolution = StepResolution::Sixteenth;
        self.run(Action::AddDrumPattern { instrument: kit, name: name.into(), steps: 16, resolution })?;
        let clip = self.last_clip();
        self.run(Action::SetDrumPattern { clip, steps: 16, resolution, swing })
    }
}

#[cfg(test)]
#[path = "demo_tests.rs"]
mod tests;
