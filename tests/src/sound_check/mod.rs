//! The sound check: renders sounds with `scsynth -N` and measures the
//! samples, so that "this sound is good" is a test result.
//!
//! - [`nrt`]: scores and rendering (reusable for any SynthDef, effects too:
//!   build a [`nrt::Score`], render it, read the channels).
//! - [`analysis`]: levels, DC, ends, fundamentals, spectral fingerprints.
//! - [`source`]: the fixed phrase every instrument source must pass.
//! - [`effect`]: the test signal every effect and filter must pass.
//!
//! Every problem is a [`Failure`] naming the sound and the failing point,
//! so one run reports everything wrong with every sound at once.

pub mod analysis;
pub mod effect;
pub mod nrt;
pub mod source;

pub use effect::{EffectReport, EffectUnderTest, check_distinct_effects, check_effect, cpu_per_instance};
use imbolc_types::catalog::{EffectKind, SourceKind};
pub use source::{ParamRange, SourceReport, SourceUnderTest, check_distinct, check_source, cpu_per_voice};

/// The probe the phrase adds after a voice to see whether it still exists
/// (tests/synthdefs/src/probe.scd: writes 1 to `out`).
pub const PROBE_DEF: &[u8] = include_bytes!("../../synthdefs/compiled/imbolc_test_probe.scsyndef");
/// Its name.
pub const PROBE_DEF_NAME: &str = "imbolc_test_probe";

/// Two sources whose C4 fingerprints are closer than this (dB) count as the
/// same sound.
pub const MIN_DISTINCT_DB: f64 = 3.0;

/// One thing wrong with one sound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The sound (its catalog id).
    pub subject: String,
    /// Where it failed: a note of the phrase, a parameter, "velocity", ...
    pub point: String,
    pub detail: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.subject, self.point, self.detail)
    }
}

impl SourceUnderTest {
    /// The catalog entry `kind` with its embedded compiled SynthDef.
    pub fn from_catalog(kind: SourceKind) -> Option<SourceUnderTest> {
        let spec = kind.spec();
        let def = imbolc_audio::synthdefs::find(spec.synthdef)?;
        Some(SourceUnderTest {
            id: spec.id.to_owned(),
            synthdef: spec.synthdef.to_owned(),
            bytes: def.bytes.to_vec(),
            params: spec
                .params
                .iter()
                .map(|p| ParamRange { id: p.id.to_owned(), default: p.default, min: p.min, max: p.max })
                .collect(),
            pitched: spec.pitched,
            envelope: [spec.envelope.attack, spec.envelope.decay, spec.envelope.sustain, spec.envelope.release],
        })
    }
}

impl EffectUnderTest {
    /// The catalog entry `kind` with its embedded compiled SynthDef.
    pub fn from_catalog(kind: EffectKind) -> Option<EffectUnderTest> {
        let spec = kind.spec();
        let def = imbolc_audio::synthdefs::find(spec.synthdef)?;
        Some(EffectUnderTest {
            id: spec.id.to_owned(),
            synthdef: spec.synthdef.to_owned(),
            bytes: def.bytes.to_vec(),
            params: spec
                .params
                .iter()
                .map(|p| ParamRange { id: p.id.to_owned(), default: p.default, min: p.min, max: p.max })
                .collect(),
            tail_secs: f64::from(spec.tail_secs),
            gain_stage: spec.gain_stage,
            enabled_by: enabled_by(kind),
        })
    }
}

/// Parameters of `kind` heard only with another one moved: an EQ band's
/// frequency, Q and switch act when its gain is not 0 (a new EQ is flat).
fn enabled_by(kind: EffectKind) -> Vec<(String, String, f32)> {
    if kind != EffectKind::EQ12 {
        return Vec::new();
    }
    (1..=imbolc_types::catalog::mix::EQ_BANDS)
        .flat_map(|b| ["freq", "q", "on"].map(|what| (format!("b{b}_{what}"), format!("b{b}_gain"), 12.0)))
        .collect()
}

/// Checks every effect on `workers` threads, then checks they are
/// distinct. Returns the reports in input order and the distinctness failures.
pub fn check_all_effects(effects: &[EffectUnderTest], workers: usize) -> (Vec<EffectReport>, Vec<Failure>) {
    let reports = parallel(effects, workers, check_effect);
    let distinct = check_distinct_effects(&reports, effect::MIN_DISTINCT_DB);
    (reports, distinct)
}

/// Measures [`cpu_per_instance`] of every effect on `workers` threads.
pub fn cpu_all_effects(effects: &[EffectUnderTest], workers: usize) -> Vec<Result<f64, Failure>> {
    let baseline = effect::cpu_baseline(CPU_SECONDS);
    parallel(effects, workers, |fx| {
        baseline.clone().and_then(|b| cpu_per_instance(fx, CPU_SECONDS, b)).map_err(|detail| Failure {
            subject: fx.id.clone(),
            point: "CPU".to_owned(),
            detail,
        })
    })
}

/// Seconds of sound the CPU measurement renders (32 voices).
pub const CPU_SECONDS: f64 = 2.0;

/// Measures [`cpu_per_voice`] of every source on `workers` threads, in
/// input order; a failed render is an error naming the source.
pub fn cpu_all(sources: &[SourceUnderTest], workers: usize) -> Vec<Result<f64, Failure>> {
    parallel(sources, workers, |src| {
        cpu_per_voice(src, CPU_SECONDS).map_err(|detail| Failure {
            subject: src.id.clone(),
            point: "CPU".to_owned(),
            detail,
        })
    })
}

/// Runs `f` on every source on `workers` threads; results in input order.
fn parallel<S: Sync, T: Send>(sources: &[S], workers: usize, f: impl Fn(&S) -> T + Sync) -> Vec<T> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(src) = sources.get(i) else { break };
                    let r = f(src);
                    if let Ok(mut all) = results.lock() {
                        all.push((i, r));
                    }
                }
            });
        }
    });
    let mut all = results.into_inner().unwrap_or_default();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

/// Checks every source on `workers` threads (each render is one scsynth
/// process), then checks they are distinct. Returns the reports in input
/// order and the distinctness failures.
pub fn check_all(sources: &[SourceUnderTest], workers: usize) -> (Vec<SourceReport>, Vec<Failure>) {
    let reports = parallel(sources, workers, check_source);
    let distinct = check_distinct(&reports, MIN_DISTINCT_DB);
    (reports, distinct)
}
