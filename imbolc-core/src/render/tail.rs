//! The automatic tail (`--tail auto`, the dialog's "auto"): how long the
//! project can keep sounding after its last note ends, from what it
//! declares rather than from listening.
//!
//! Each sound path is an instrument's voice release, its filter's tail and
//! its chain's effect tails, then (for its output and for each send) the
//! bus's chain, then the master's chain. A path's tail is the sum of those
//! (a reverb into a delay rings for both); the project's is the longest
//! path, capped. Tails are the catalog's `tail_secs` (the sound check
//! verifies each effect goes below −90 dBFS within it), or for a
//! convolution with a stored impulse response that response's length plus
//! the convolution's latency, when longer; bypassed effects and filters
//! count zero. The render then lasts exactly the range plus
//! this tail, so a long reverb is never cut short and a dry project gets
//! a short tail.

use imbolc_types::project::Project;
use imbolc_types::{EffectSlot, Instrument, OutputTarget};

/// PartConv's latency is half its FFT (2048 frames at 48 kHz); a margin
/// over it for any server rate.
const CONVOLUTION_LATENCY_SECS: f64 = 0.05;

/// Seconds one effect can ring on: its declared tail, or its impulse
/// response's length when that is longer (only a convolution has one).
fn effect_tail(e: &EffectSlot) -> f64 {
    let declared = f64::from(e.kind.tail_secs());
    e.ir.as_ref().map_or(declared, |ir| declared.max(ir.seconds() + CONVOLUTION_LATENCY_SECS))
}

/// Seconds the effects of `chain` can ring on, in series.
fn chain_tail(chain: &[EffectSlot]) -> f64 {
    chain.iter().filter(|e| e.enabled).map(effect_tail).sum()
}

/// The instrument's own part of every path it starts: voice release,
/// filter and chain.
fn instrument_tail(inst: &Instrument) -> f64 {
    let filter = inst.def.filter.as_ref().filter(|f| f.enabled).map_or(0.0, |f| f64::from(f.kind.spec().tail_secs));
    f64::from(inst.def.amp_env.release.max(0.0)) + filter + chain_tail(&inst.def.effects)
}

/// The tail the project declares (see the module docs), at most `cap`
/// seconds; never negative or NaN.
pub fn declared_tail_secs(project: &Project, cap: f64) -> f64 {
    let master = chain_tail(&project.master_effects);
    let bus = |b| project.buses.get(&b).map_or(0.0, |bus| chain_tail(&bus.effects));
    let longest = project
        .instruments
        .values()
        .map(|inst| {
            let own = instrument_tail(inst);
            let out = match inst.mixer.output {
                OutputTarget::Master => 0.0,
                OutputTarget::Bus(b) => bus(b),
            };
            let sends = inst.mixer.sends.iter().map(|s| bus(s.bus)).fold(0.0, f64::max);
            own + out.max(sends)
        })
        .fold(0.0, f64::max);
    let total = longest + master;
    if total.is_finite() { total.clamp(0.0, cap.max(0.0)) } else { cap.max(0.0) }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use imbolc_types::{Action, ChainOwner, EffectKind, EnvelopeStage, InstrumentId, ParamTarget, SourceKind};

    use super::*;
    use crate::dispatch;

    fn apply(p: &mut Project, a: Action) {
        dispatch(p, a).unwrap();
    }

    fn one_instrument(release: f32) -> Project {
        let mut p = Project::new("tail");
        apply(&mut p, Action::AddInstrument { source: SourceKind::SINE, name: "a".into() });
        let target = ParamTarget::Envelope { instrument: InstrumentId(0), stage: EnvelopeStage::Release };
        apply(&mut p, Action::SetParam { target, value: release });
        p
    }

    #[test]
    fn a_dry_instrument_declares_its_release() {
        let p = one_instrument(0.25);
        assert!((declared_tail_secs(&p, 30.0) - 0.25).abs() < 1e-6);
        assert_eq!(declared_tail_secs(&Project::new("empty"), 30.0), 0.0);
    }

    #[test]
    fn tails_add_along_a_path_and_the_longest_path_wins() {
        let mut p = one_instrument(0.5);
        let inst = ChainOwner::Instrument(InstrumentId(0));
        apply(&mut p, Action::AddEffect { owner: inst, kind: EffectKind::DELAY, index: None });
        apply(&mut p, Action::AddBus { name: "verb".into() });
        let bus = *p.buses.keys().next().unwrap();
        apply(&mut p, Action::AddEffect { owner: ChainOwner::Bus(bus), kind: EffectKind::REVERB, index: None });
        apply(&mut p, Action::AddEffect { owner: ChainOwner::Master, kind: EffectKind::DELAY, index: None });
        let delay = f64::from(EffectKind::DELAY.tail_secs());
        let reverb = f64::from(EffectKind::REVERB.tail_secs());
        let dry_path = 0.5 + delay + delay;
        assert!((declared_tail_secs(&p, 600.0) - dry_path).abs() < 1e-6, "the bus has no input yet");
        apply(&mut p, Action::AddSend { instrument: InstrumentId(0), bus, level: 0.5 });
        assert!((declared_tail_secs(&p, 600.0) - (dry_path + reverb)).abs() < 1e-6, "through the send and bus");
        assert!((declared_tail_secs(&p, 1.0) - 1.0).abs() < 1e-9, "capped");
        // A bypassed effect rings no longer.
        let e = p.master_effects[0].id;
        apply(&mut p, Action::SetEffectEnabled { owner: ChainOwner::Master, effect: e, enabled: false });
        assert!((declared_tail_secs(&p, 600.0) - (0.5 + delay + reverb)).abs() < 1e-6);
    }

    #[test]
    fn a_long_impulse_response_lengthens_the_tail() {
        let mut p = one_instrument(0.5);
        let kind = EffectKind::from_id("convolution").unwrap();
        apply(&mut p, Action::AddEffect { owner: ChainOwner::Master, kind, index: None });
        let declared = f64::from(kind.tail_secs());
        assert!((declared_tail_secs(&p, 600.0) - (0.5 + declared)).abs() < 1e-6, "the built-in response");
        p.master_effects[0].ir = Some(imbolc_types::SampleRef {
            hash: "b".repeat(64),
            name: "hall.wav".into(),
            format: imbolc_types::SampleFormat::Wav,
            channels: 2,
            sample_rate: 48_000,
            frames: 48_000 * 6,
            bytes: 0,
        });
        let want = 0.5 + 6.0 + CONVOLUTION_LATENCY_SECS;
        assert!((declared_tail_secs(&p, 600.0) - want).abs() < 1e-6, "a 6 s response rings 6 s");
    }
}
