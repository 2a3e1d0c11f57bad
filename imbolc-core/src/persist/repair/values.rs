//! Numbers brought into the ranges dispatch enforces, with the same
//! constants: catalog [`ParamSpec`] ranges for source, filter and effect
//! parameters, `dispatch::param`'s for envelopes, LFOs and strips, the drum
//! module's for pads and patterns. NaN and infinity become the default.

use std::collections::HashSet;

use imbolc_types::drums::{
    LEVEL_RANGE as PAD_LEVEL_RANGE, LOOP_BEATS_RANGE, MAX_STEPS, MAX_SWING, PAD_COUNT, PITCH_RANGE,
};
use imbolc_types::instrument::{BEND_RANGE_MAX, GLIDE_MAX};
use imbolc_types::notes::FULL_PROBABILITY;
use imbolc_types::project::{DEFAULT_TEMPO, TEMPO_RANGE};
use imbolc_types::{
    Clip, Curve, DrumKit, DrumPattern, EffectSlot, EnvelopeDef, LfoDef, MasterSettings, MixerSettings, Note, ParamSpec,
    Params, Project, TICKS_PER_QUARTER, Tick, TimeSignature, VoiceSettings,
};

use super::{RepairKind, Repairs, clamp_or, clamp_slot, num, set_f32};
use crate::dispatch::instrument::POLYPHONY_RANGE;
use crate::dispatch::param::{ENV_TIME_RANGE, LEVEL_RANGE, LFO_RATE_RANGE, PAN_RANGE, UNIT_RANGE};
use crate::dispatch::param_range;

/// Tempo, meter, instruments, buses, master, clips and placements.
pub(super) fn project_values(p: &mut Project, out: &mut Repairs) {
    let tempo = clamp_or(p.tempo, TEMPO_RANGE, DEFAULT_TEMPO);
    if tempo.to_bits() != p.tempo.to_bits() {
        out.push(RepairKind::Tempo, format!("{} → {}", num(p.tempo), num(tempo)));
        p.tempo = tempo;
    }
    if !p.time_signature.is_valid() {
        let (old, new) = (p.time_signature, TimeSignature::default());
        out.push(
            RepairKind::Meter,
            format!("{}/{} → {}/{}", old.numerator, old.denominator, new.numerator, new.denominator),
        );
        p.time_signature = new;
    }
    // A generator only runs when dispatch changes it (which checks it);
    // one out of range is dropped, its clip keeps its notes.
    p.generators.retain(|clip, g| match g.check() {
        Ok(()) => true,
        Err(e) => {
            out.push(RepairKind::Value, format!("clip {clip} generator dropped (its notes stay): {e}"));
            false
        }
    });
    for inst in p.instruments.values_mut() {
        let at = format!("instrument {}", inst.id);
        let def = &mut inst.def;
        // A custom source's parameters are the ones its def declares.
        let specs = imbolc_types::custom::source_specs(&def.source);
        fix_params(&mut def.source.params, &specs, &format!("{at} source"), out);
        if let Some(f) = &mut def.filter {
            fix_params(&mut f.params, f.kind.params(), &format!("{at} filter"), out);
            for spec in imbolc_types::filter_env::FILTER_ENV_PARAMS {
                if let Some(v) = f.env.get_mut(spec.id) {
                    let fixed = if v.is_finite() { spec.clamp(*v) } else { spec.default };
                    set_f32(v, fixed, RepairKind::Value, format_args!("{at} filter {}", spec.id), out);
                }
            }
        }
        fix_chain(&mut def.effects, &at, out);
        fix_envelope(&mut def.amp_env, &at, out);
        fix_lfo(&mut def.lfo, &at, out);
        let polyphony = def.voice.polyphony.clamp(*POLYPHONY_RANGE.start(), *POLYPHONY_RANGE.end());
        if polyphony != def.voice.polyphony {
            out.push(RepairKind::Value, format!("{at} polyphony: {} → {polyphony}", def.voice.polyphony));
            def.voice.polyphony = polyphony;
        }
        fix_expression(&mut def.voice, &at, out);
        if let Some(kit) = &mut def.drums {
            fix_kit(kit, &at, out);
        }
        if let Some(input) = &mut def.input {
            fix_input(input, &at, out);
        }
        fix_mixer(&mut inst.mixer, &at, out);
    }
    for bus in p.buses.values_mut() {
        let at = format!("bus {}", bus.id);
        fix_chain(&mut bus.effects, &at, out);
        fix_mixer(&mut bus.mixer, &at, out);
    }
    fix_chain(&mut p.master_effects, "master", out);
    let default = MasterSettings::default().level;
    clamp_slot(&mut p.master.level, LEVEL_RANGE, default, RepairKind::Value, "master level", out);
    let bar = bar_ticks(p.time_signature);
    for clip in p.clips.values_mut() {
        fix_clip(clip, bar, out);
    }
    let clips = &p.clips;
    p.placements.retain(|id, pl| {
        let (start, length) = (pl.start, pl.length);
        if start == Tick::MAX {
            out.push(RepairKind::Length, format!("placement {id} at the last tick removed"));
            return false;
        }
        if length == 0 {
            pl.length = clips.get(&pl.clip).map_or(1, |c| c.length.max(1));
        }
        pl.length = pl.length.min(Tick::MAX - start);
        if pl.length != length {
            out.push(RepairKind::Length, format!("placement {id} length: {length} → {}", pl.length));
        }
        true
    });
}

/// Ticks in one bar of `ts` (a valid signature).
fn bar_ticks(ts: TimeSignature) -> Tick {
    TICKS_PER_QUARTER * 4 * Tick::from(ts.numerator.max(1)) / Tick::from(ts.denominator.max(1))
}

/// Exactly the catalog's parameter ids, each within its spec's range.
fn fix_params(params: &mut Params, specs: &[ParamSpec], at: &str, out: &mut Repairs) {
    params.retain(|name, _| {
        let known = specs.iter().any(|s| s.id == name);
        if !known {
            out.push(RepairKind::Structure, format!("{at}: unknown parameter {name:?} removed"));
        }
        known
    });
    for spec in specs {
        match params.get_mut(spec.id) {
            Some(v) => {
                // The catalog's own clamp; NaN and infinity take the spec's default.
                let fixed = if v.is_finite() { spec.clamp(*v) } else { spec.default };
                set_f32(v, fixed, RepairKind::Value, format_args!("{at} {}", spec.id), out);
            }
            None => {
                out.push(RepairKind::Structure, format!("{at}: missing parameter {:?} set to its default", spec.id));
                params.insert(spec.id.to_owned(), spec.default);
            }
        }
    }
}

fn fix_chain(chain: &mut [EffectSlot], at: &str, out: &mut Repairs) {
    for slot in chain {
        let at = format!("{at} effect {}", slot.id);
        fix_params(&mut slot.params, slot.kind.params(), &at, out);
        let specs = slot.kind.params();
        slot.sync.retain(|param, _| {
            let syncable = imbolc_types::catalog::find_param(specs, param).is_some_and(|s| s.sync.is_some());
            if !syncable {
                out.push(RepairKind::Structure, format!("{at}: {param:?} cannot follow the tempo; sync removed"));
            }
            syncable
        });
        // Only a convolution takes an IR, and its hash names a cache file.
        let bad_ir = slot.ir.as_ref().is_some_and(|s| {
            slot.kind.id() != crate::dispatch::CONVOLUTION || !imbolc_types::SampleRef::is_valid_hash(&s.hash)
        });
        if bad_ir {
            out.push(RepairKind::Structure, format!("{at}: an impulse response it cannot use; built-in one instead"));
            slot.ir = None;
        }
    }
}

fn fix_envelope(env: &mut EnvelopeDef, at: &str, out: &mut Repairs) {
    let d = EnvelopeDef::default();
    let mut one = |v: &mut f32, range, default, stage: &str| {
        clamp_slot(v, range, default, RepairKind::Value, format_args!("{at} {stage}"), out);
    };
    one(&mut env.attack, ENV_TIME_RANGE, d.attack, "attack");
    one(&mut env.decay, ENV_TIME_RANGE, d.decay, "decay");
    one(&mut env.sustain, UNIT_RANGE, d.sustain, "sustain");
    one(&mut env.release, ENV_TIME_RANGE, d.release, "release");
}

fn fix_lfo(lfo: &mut LfoDef, at: &str, out: &mut Repairs) {
    let d = LfoDef::default();
    clamp_slot(&mut lfo.rate, LFO_RATE_RANGE, d.rate, RepairKind::Value, format_args!("{at} LFO rate"), out);
    clamp_slot(&mut lfo.depth, UNIT_RANGE, d.depth, RepairKind::Value, format_args!("{at} LFO depth"), out);
}

fn fix_expression(voice: &mut VoiceSettings, at: &str, out: &mut Repairs) {
    let d = VoiceSettings::default();
    let bend = (0.0, BEND_RANGE_MAX);
    clamp_slot(&mut voice.bend_range, bend, d.bend_range, RepairKind::Value, format_args!("{at} bend range"), out);
    clamp_slot(&mut voice.glide, (0.0, GLIDE_MAX), d.glide, RepairKind::Value, format_args!("{at} glide"), out);
}

fn fix_mixer(m: &mut MixerSettings, at: &str, out: &mut Repairs) {
    let d = MixerSettings::default();
    clamp_slot(&mut m.level, LEVEL_RANGE, d.level, RepairKind::Value, format_args!("{at} level"), out);
    clamp_slot(&mut m.pan, PAN_RANGE, d.pan, RepairKind::Value, format_args!("{at} pan"), out);
    for s in &mut m.sends {
        clamp_slot(&mut s.level, UNIT_RANGE, 0.0, RepairKind::Value, format_args!("{at} send to bus {}", s.bus), out);
    }
}

/// Exactly [`PAD_COUNT`] pads, each valid (a sample pad needs a path, a
/// stored one a well-formed hash).
fn fix_kit(kit: &mut DrumKit, at: &str, out: &mut Repairs) {
    let defaults = DrumKit::default().pads;
    if kit.pads.len() != PAD_COUNT {
        out.push(RepairKind::Structure, format!("{at}: {} drum pads → {PAD_COUNT}", kit.pads.len()));
        kit.pads.truncate(PAD_COUNT);
        let have = kit.pads.len();
        kit.pads.extend(defaults.iter().skip(have).cloned());
    }
    for (i, (pad, default)) in kit.pads.iter_mut().zip(&defaults).enumerate() {
        if pad.sample().is_some_and(str::is_empty) {
            out.push(RepairKind::Structure, format!("{at} pad {i}: a sample without a path → {}", default.name));
            *pad = default.clone();
        }
        // The hash becomes a cache file name: never a path of another shape.
        if pad.stored().is_some_and(|s| !imbolc_types::SampleRef::is_valid_hash(&s.hash)) {
            out.push(
                RepairKind::Structure,
                format!("{at} pad {i}: a stored sample with a bad hash → {}", default.name),
            );
            *pad = default.clone();
        }
        clamp_slot(&mut pad.level, PAD_LEVEL_RANGE, 1.0, RepairKind::Value, format_args!("{at} pad {i} level"), out);
        clamp_slot(&mut pad.pitch, PITCH_RANGE, 0.0, RepairKind::Value, format_args!("{at} pad {i} tune"), out);
        // A loop length that is not a number plays the pad as a one-shot;
        // one out of range is clamped.
        match pad.loop_beats.as_mut() {
            Some(b) if !b.is_finite() => {
                out.push(RepairKind::Value, format!("{at} pad {i} loop beats: {} → one-shot", num(*b)));
                pad.loop_beats = None;
            }
            Some(b) => {
                clamp_slot(b, LOOP_BEATS_RANGE, 4.0, RepairKind::Value, format_args!("{at} pad {i} loop beats"), out)
            }
            None => {}
        }
    }
}

fn fix_clip(clip: &mut Clip, bar: Tick, out: &mut Repairs) {
    let at = format!("clip {}", clip.id);
    for (id, note) in clip.notes.iter_mut() {
        let fixed = fixed_note(*note);
        if fixed != *note {
            out.push(RepairKind::Note, format!("{at} note {id}: {note:?} → {fixed:?}"));
            *note = fixed;
        }
    }
    if let Some(region) = &mut clip.audio
        && !region.is_valid()
    {
        if imbolc_types::SampleRef::is_valid_hash(&region.sample.hash) {
            let fixed = imbolc_types::AudioRegion {
                offset: if region.offset.is_finite() { region.offset.max(0.0) } else { 0.0 },
                gain_db: clamp_or(region.gain_db, imbolc_types::audio_clip::CLIP_GAIN_DB_RANGE, 0.0),
                fade_in: clamp_or(region.fade_in, (0.0, imbolc_types::audio_clip::FADE_MAX), 0.0),
                fade_out: clamp_or(region.fade_out, (0.0, imbolc_types::audio_clip::FADE_MAX), 0.0),
                sample: region.sample.clone(),
                takes: region.takes.iter().copied().filter(|t| t.is_finite() && *t >= 0.0).collect(),
            };
            out.push(RepairKind::Structure, format!("{at}: audio gain, fades or offset out of range, clamped"));
            *region = fixed;
        } else {
            out.push(RepairKind::Structure, format!("{at}: audio with a bad sample hash removed"));
            clip.audio = None;
        }
    }
    let length = match &mut clip.drums {
        Some(pattern) => {
            fix_pattern(pattern, &at, out);
            pattern.length_ticks()
        }
        // A note clip of no length gets one bar (notes past a clip's
        // end never play, as in any clip).
        None if clip.length == 0 => bar.max(1),
        None => clip.length,
    };
    if length != clip.length {
        out.push(RepairKind::Length, format!("{at} length: {} → {length}", clip.length));
        clip.length = length;
    }
}

/// The nearest valid note (see [`Note::is_valid`]).
fn fixed_note(n: Note) -> Note {
    let start = n.start.min(Tick::MAX - 1);
    Note {
        pitch: n.pitch.min(127),
        velocity: n.velocity.clamp(1, 127),
        start,
        length: n.length.clamp(1, Tick::MAX - start),
        probability: n.probability.clamp(1, FULL_PROBABILITY),
    }
}

fn fix_pattern(pattern: &mut DrumPattern, at: &str, out: &mut Repairs) {
    let steps = pattern.steps.clamp(1, MAX_STEPS);
    if steps != pattern.steps {
        out.push(RepairKind::Value, format!("{at} steps: {} → {steps}", pattern.steps));
        pattern.steps = steps;
    }
    clamp_slot(&mut pattern.swing, (0.0, MAX_SWING), 0.0, RepairKind::Value, format_args!("{at} swing"), out);
    pattern.hits.retain(|&(step, pad), hit| {
        if step >= MAX_STEPS || usize::from(pad) >= PAD_COUNT {
            out.push(RepairKind::Structure, format!("{at}: step {step} of pad {pad} removed"));
            return false;
        }
        let (lo, hi) = (PITCH_RANGE.0 as i8, PITCH_RANGE.1 as i8);
        let fixed = imbolc_types::DrumStep {
            velocity: hit.velocity.clamp(1, 127),
            probability: hit.probability.min(100),
            pitch: hit.pitch.clamp(lo, hi),
        };
        if fixed != *hit {
            out.push(RepairKind::Value, format!("{at} step {step} of pad {pad}: {hit:?} → {fixed:?}"));
            *hit = fixed;
        }
        true
    });
}

/// Automation points and MIDI mappings, once every slot has its catalog
/// parameters (so ranges resolve as dispatch resolves them).
pub(super) fn automation_and_mappings(p: &mut Project, out: &mut Repairs) {
    let ranges: Vec<_> = p.automation.values().map(|l| param_range(p, &l.target).ok()).collect();
    for (lane, range) in p.automation.values_mut().zip(ranges) {
        let at = format!("lane {}", lane.id);
        lane.points.retain(|tick, v| {
            if !v.is_finite() {
                out.push(RepairKind::AutomationPoint, format!("{at} point at {tick}: {} removed", num(*v)));
                return false;
            }
            if let Some((lo, hi)) = range {
                set_f32(v, v.clamp(lo, hi), RepairKind::AutomationPoint, format_args!("{at} point at {tick}"), out);
            }
            true
        });
        let points = &lane.points;
        let before = lane.curves.len();
        lane.curves.retain(|t, c| *c != Curve::Linear && points.contains_key(t));
        if lane.curves.len() != before {
            out.push(
                RepairKind::Structure,
                format!("{at}: {} curves without a point removed", before - lane.curves.len()),
            );
        }
    }
    let mappings = std::mem::take(&mut p.midi_mappings);
    let mut seen = HashSet::new();
    for mut m in mappings {
        let at = format!("MIDI mapping channel {} CC {}", m.channel, m.cc);
        if m.channel > 15 || m.cc > 127 || !seen.insert((m.channel, m.cc)) {
            out.push(RepairKind::Structure, format!("{at}: invalid or repeated, removed"));
            continue;
        }
        if !m.min.is_finite() || !m.max.is_finite() {
            let Ok((lo, hi)) = param_range(p, &m.target) else {
                out.push(RepairKind::Structure, format!("{at}: bounds not finite, removed"));
                continue;
            };
            clamp_slot(&mut m.min, (lo, hi), lo, RepairKind::Value, format_args!("{at} min"), out);
            clamp_slot(&mut m.max, (lo, hi), hi, RepairKind::Value, format_args!("{at} max"), out);
        }
        p.midi_mappings.push(m);
    }
}

/// An audio input's gain into range (NaN: 0 dB) and a hardware pair the
/// server has (else inputs 1-2).
fn fix_input(input: &mut imbolc_types::AudioInputDef, at: &str, out: &mut Repairs) {
    use imbolc_types::audio_input::{GAIN_DB_RANGE, HARDWARE_INPUTS};
    clamp_slot(&mut input.gain_db, GAIN_DB_RANGE, 0.0, RepairKind::Value, format_args!("{at} input gain"), out);
    if let imbolc_types::InputSource::Hardware { first } = &mut input.source
        && (*first >= HARDWARE_INPUTS || *first % 2 != 0)
    {
        out.push(RepairKind::Value, format!("{at} input channel {} → 1", u16::from(*first) + 1));
        *first = 0;
    }
}
