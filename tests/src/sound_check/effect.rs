//! The sound check of effects and filters: every effect processes the same
//! test signal (silence, an impulse, a sine sweep, pink noise fading out)
//! on its own pair of output channels, so one `scsynth -N` run per effect
//! renders it at defaults, bypassed, with each parameter at its ends, and
//! with the dry signal alone to compare; a second, two-channel run follows
//! its tail.
//!
//! Checked: silence in gives silence out (no DC, no self-oscillation),
//! output finite, peak at most +6 dB over the input (unless a gain stage),
//! the tail below −90 dBFS within the declared `tail_secs`, bypassed
//! (`/n_run 0`) output equal to the input, every parameter audible, and no
//! two effects nearly the same (see [`check_distinct_effects`]).

use rosc::OscType;

use super::analysis::{Fingerprint, db, first_non_finite, last_above, peak, rms, seconds};
use super::nrt::{self, Rendered, Score, msg, synth_new};
use super::{Failure, ParamRange};

/// The test signal SynthDef (tests/synthdefs/src/fx_input.scd).
pub const INPUT_DEF: &[u8] = include_bytes!("../../synthdefs/compiled/imbolc_test_fx_input.scsyndef");
const INPUT_DEF_NAME: &str = "imbolc_test_fx_input";

/// When the single impulse (0.5) comes; before it, silence.
pub const IMPULSE_AT: f64 = 0.5;
/// The sine sweep (40 Hz to 12 kHz at 0.25).
const SWEEP_AT: f64 = 0.8;
const SWEEP_SECS: f64 = 1.0;
/// Pink noise at 0.25, independent per side, fading out over its last third.
const NOISE_AT: f64 = 1.9;
const NOISE_SECS: f64 = 1.0;
/// When the input is over.
pub const INPUT_END: f64 = NOISE_AT + NOISE_SECS;
/// Level under which output counts as silence (dBFS).
pub const SILENCE_DB: f64 = -90.0;
/// Most an effect may raise the peak over its input, unless a gain stage.
pub const MAX_GAIN_DB: f64 = 6.0;
/// Most a bypassed effect's output may differ from its input.
pub const BYPASS_DB: f64 = -120.0;
/// A parameter is audible when moving it changes the output by at least
/// this much (difference RMS relative to the output at defaults) ...
pub const PARAM_MIN_CHANGE_DB: f64 = -40.0;
/// ... or changes its short-term level curve by this many dB on average.
pub const PARAM_MIN_LEVEL_DB: f64 = 1.0;
/// Two effects whose fingerprints stay closer than this (dB) at every
/// setting count as the same effect.
pub const MIN_DISTINCT_DB: f64 = 2.0;

/// An effect (or filter) SynthDef to check, described without the catalog
/// so the harness can be fed faulty defs.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectUnderTest {
    /// What failures are reported under (the catalog id).
    pub id: String,
    pub synthdef: String,
    /// Compiled SynthDef2 bytes.
    pub bytes: Vec<u8>,
    pub params: Vec<ParamRange>,
    /// Declared seconds of output after the input stops.
    pub tail_secs: f64,
    /// Allowed to raise the level by more than [`MAX_GAIN_DB`].
    pub gain_stage: bool,
    /// Parameters that act only through another one (an EQ band's
    /// frequency, Q and switch, while its gain is 0): `(param, enabling
    /// param, its value)`. Such a parameter is judged against the effect
    /// with just the enabling value set.
    pub enabled_by: Vec<(String, String, f32)>,
}

/// What the check measured of one effect.
#[derive(Debug, Clone)]
pub struct EffectReport {
    pub id: String,
    pub failures: Vec<Failure>,
    /// Output peak over input peak at defaults (dB).
    pub gain_db: f64,
    /// Seconds after the input ends until the output stays under −90 dBFS.
    pub tail_secs: f64,
    /// Impulse → output peak (ms), with `mix` at 1 where it has one;
    /// NaN when nothing came out within 300 ms.
    pub latency_ms: f64,
    /// Fingerprints of (output − input) at every rendered setting, with
    /// that difference's RMS level in dB.
    pub signature: Vec<(Fingerprint, f64)>,
}

/// One rendered setting: a pair of output channels.
#[derive(Debug, Clone, PartialEq)]
enum Lane {
    /// The input alone.
    Dry,
    /// The effect at defaults, then `/n_run 0`.
    Bypassed,
    Default,
    /// Defaults but parameter `index` set to `value`: the baseline of the
    /// parameters it enables.
    Enabled(usize, f32),
    /// Parameter `index` of the effect set to `value` (with its enabling
    /// setting, if any).
    Param(usize, f32),
}

fn input_messages(lane: usize, base_id: i32) -> Vec<(f64, rosc::OscMessage)> {
    let out = (2 * lane) as f32;
    [(IMPULSE_AT, 0.0, 0.05), (SWEEP_AT, 1.0, SWEEP_SECS), (NOISE_AT, 2.0, NOISE_SECS)]
        .iter()
        .enumerate()
        .map(|(i, &(at, kind, dur))| {
            // Each lane's noise on its own generator (1..=63), so every lane hears the same.
            let rgen = (1 + lane % 63) as f32;
            let controls = [("out", out), ("kind", kind), ("dur", dur as f32), ("seed", 7.0), ("rgen", rgen)];
            (at, synth_new(INPUT_DEF_NAME, base_id + i as i32, 0, 1, &controls))
        })
        .collect()
}

/// A score with `lanes`, each on output channels 2k, 2k+1: inputs in group
/// 1, effects in group 2 after it.
fn score(fx: &EffectUnderTest, lanes: &[Lane], length: f64) -> Score {
    let mut s = Score::with_defs([INPUT_DEF, fx.bytes.as_slice()]);
    let mut setup = vec![msg("/g_new", vec![OscType::Int(2), OscType::Int(3), OscType::Int(1)])];
    for (k, lane) in lanes.iter().enumerate() {
        for (at, m) in input_messages(k, 10_000 + 10 * k as i32) {
            s.at(at, vec![m]);
        }
        let node = 1000 + k as i32;
        let bus = ("bus", (2 * k) as f32);
        let mut controls: Vec<(&str, f32)> = vec![bus];
        controls.extend(fx.params.iter().map(|p| (p.id.as_str(), p.default)));
        match lane {
            Lane::Dry => continue,
            Lane::Default => {}
            Lane::Bypassed => {
                setup.push(synth_new(&fx.synthdef, node, 1, 2, &controls));
                setup.push(msg("/n_run", vec![OscType::Int(node), OscType::Int(0)]));
                continue;
            }
            Lane::Enabled(i, v) => controls[i + 1].1 = *v,
            Lane::Param(i, v) => {
                if let Some((j, ev)) = enabler(fx, *i) {
                    controls[j + 1].1 = ev;
                }
                controls[i + 1].1 = *v;
            }
        }
        setup.push(synth_new(&fx.synthdef, node, 1, 2, &controls));
    }
    s.at(0.0, setup);
    s.until(length);
    s
}

/// The parameter (index) and value that parameter `i` needs to be heard.
fn enabler(fx: &EffectUnderTest, i: usize) -> Option<(usize, f32)> {
    let id = &fx.params.get(i)?.id;
    let (_, by, value) = fx.enabled_by.iter().find(|(p, _, _)| p == id)?;
    Some((fx.params.iter().position(|p| &p.id == by)?, *value))
}

fn lanes_of(fx: &EffectUnderTest) -> Vec<Lane> {
    let mut lanes = vec![Lane::Dry, Lane::Bypassed, Lane::Default];
    for i in 0..fx.params.len() {
        if let Some((j, v)) = enabler(fx, i)
            && !lanes.contains(&Lane::Enabled(j, v))
        {
            lanes.push(Lane::Enabled(j, v));
        }
    }
    for (i, p) in fx.params.iter().enumerate() {
        for v in [p.min, p.max] {
            if v != p.default {
                lanes.push(Lane::Param(i, v));
            }
        }
    }
    lanes
}

fn channel_pair(r: &Rendered, lane: usize) -> [&[f32]; 2] {
    let ch = |c: usize| r.channels.get(c).map_or(&[][..], Vec::as_slice);
    [ch(2 * lane), ch(2 * lane + 1)]
}

fn diff(a: &[f32], b: &[f32]) -> Vec<f32> {
    a.iter().zip(b).map(|(x, y)| x - y).collect()
}

/// Short-term levels (dB, floored at −120) of 20 ms windows.
fn level_curve(samples: &[f32]) -> Vec<f64> {
    samples.chunks(960).map(|c| db(rms(c)).max(-120.0)).collect()
}

fn mean_abs_db(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len()).max(1);
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f64>() / n as f64
}

/// Renders `fx` and checks every point; failures name the effect and point.
pub fn check_effect(fx: &EffectUnderTest) -> EffectReport {
    let mut report = EffectReport {
        id: fx.id.clone(),
        failures: Vec::new(),
        gain_db: 0.0,
        tail_secs: 0.0,
        latency_ms: 0.0,
        signature: Vec::new(),
    };
    let mut failures: Vec<Failure> = Vec::new();
    macro_rules! fail {
        ($point:expr, $detail:expr $(,)?) => {
            failures.push(Failure { subject: fx.id.clone(), point: ($point).to_string(), detail: $detail })
        };
    }
    let lanes = lanes_of(fx);
    let main = match nrt::render(&score(fx, &lanes, INPUT_END + 0.5), 2 * lanes.len()) {
        Ok(r) => r,
        Err(e) => {
            fail!("render", e);
            report.failures = failures;
            return report;
        }
    };
    for (k, lane) in lanes.iter().enumerate() {
        for (c, samples) in channel_pair(&main, k).iter().enumerate() {
            if let Some(i) = first_non_finite(samples) {
                fail!("finite", format!("{lane:?} channel {c}: sample {i} ({:.3} s) is not finite", seconds(i)));
            }
        }
    }
    if !failures.is_empty() {
        report.failures = failures;
        return report;
    }
    let [dry_l, dry_r] = channel_pair(&main, 0);
    let [def_l, def_r] = channel_pair(&main, 2);

    // Silence in, silence out (before the impulse).
    let quiet = Rendered::index(0.05)..Rendered::index(IMPULSE_AT);
    let before = db(peak(&def_l[quiet.clone()]).max(peak(&def_r[quiet])));
    if before > SILENCE_DB {
        fail!("silence", format!("{before:.1} dBFS out of silence (needs under {SILENCE_DB} dBFS)"));
    }

    // Bypassed equals the input.
    let [byp_l, byp_r] = channel_pair(&main, 1);
    let bypass = db(peak(&diff(byp_l, dry_l)).max(peak(&diff(byp_r, dry_r))));
    if bypass > BYPASS_DB {
        fail!("bypass", format!("differs from the input by {bypass:.1} dB (needs under {BYPASS_DB} dB)"));
    }

    // Peak over the input.
    let input_peak = peak(dry_l).max(peak(dry_r));
    report.gain_db = db(peak(def_l).max(peak(def_r))) - db(input_peak);
    if !fx.gain_stage && report.gain_db > MAX_GAIN_DB {
        fail!("peak", format!("{:+.1} dB over the input (at most {MAX_GAIN_DB:+} dB)", report.gain_db));
    }

    // Every parameter audible (against the defaults, or the defaults with
    // its enabling setting).
    for (i, p) in fx.params.iter().enumerate() {
        let base = enabler(fx, i).and_then(|(j, v)| lanes.iter().position(|l| *l == Lane::Enabled(j, v))).unwrap_or(2);
        let [def_l, def_r] = channel_pair(&main, base);
        let def_rms = rms(def_l).hypot(rms(def_r)).max(1e-9);
        let (def_curve_l, def_curve_r) = (level_curve(def_l), level_curve(def_r));
        let mut best: Option<(f64, f64)> = None;
        for (k, lane) in lanes.iter().enumerate() {
            if !matches!(lane, Lane::Param(j, _) if *j == i) {
                continue;
            }
            let [l, r] = channel_pair(&main, k);
            let change = db(rms(&diff(l, def_l)).hypot(rms(&diff(r, def_r))) / def_rms);
            let level = (mean_abs_db(&level_curve(l), &def_curve_l) + mean_abs_db(&level_curve(r), &def_curve_r)) / 2.0;
            best = Some(best.map_or((change, level), |(c, lv)| (c.max(change), lv.max(level))));
        }
        match best {
            None => fail!(&format!("parameter {}", p.id), "its range is a single value".to_owned()),
            Some((change, level)) if change < PARAM_MIN_CHANGE_DB && level < PARAM_MIN_LEVEL_DB => fail!(
                &format!("parameter {}", p.id),
                format!(
                    "moving it changes the output by {change:.1} dB / level {level:.2} dB (needs {PARAM_MIN_CHANGE_DB} dB or {PARAM_MIN_LEVEL_DB} dB)"
                ),
            ),
            Some(_) => {}
        }
    }

    // Latency: impulse → peak of the wettest setting, within 0.3 s.
    let wet = fx
        .params
        .iter()
        .position(|p| p.id == "mix")
        .and_then(|i| lanes.iter().position(|l| *l == Lane::Param(i, fx.params[i].max)))
        .unwrap_or(2);
    let [wl, wr] = channel_pair(&main, wet);
    let window = Rendered::index(IMPULSE_AT)..Rendered::index(SWEEP_AT);
    let m: Vec<f32> = wl[window.clone()].iter().zip(&wr[window]).map(|(a, b)| a.abs().max(b.abs())).collect();
    let (at, top) = m.iter().enumerate().fold((0, 0.0f32), |best, (i, v)| if *v > best.1 { (i, *v) } else { best });
    // Nothing in the window: a longer delay, or an effect that hides a
    // lone impulse (ring modulator at a zero crossing, expander, stutter).
    report.latency_ms = if f64::from(top) < 1e-4 { f64::NAN } else { seconds(at) * 1000.0 };

    // Signature: fingerprints of what the effect adds, at every setting.
    let span = Rendered::index(IMPULSE_AT)..Rendered::index(INPUT_END + 0.3);
    for k in 1..lanes.len() {
        let [l, r] = channel_pair(&main, k);
        let (dl, dr) = (diff(&l[span.clone()], &dry_l[span.clone()]), diff(&r[span.clone()], &dry_r[span.clone()]));
        let level = db(rms(&dl).hypot(rms(&dr))).max(-120.0);
        report.signature.push((Fingerprint::of_channels(&[&dl, &dr]), level));
    }

    // The tail, at defaults, in a render of its own.
    let length = INPUT_END + fx.tail_secs + 0.5;
    match nrt::render(&score(fx, &[Lane::Default], length), 2) {
        Err(e) => fail!("tail render", e),
        Ok(tail) => {
            let [l, r] = channel_pair(&tail, 0);
            let level = 10f64.powf(SILENCE_DB / 20.0);
            let end = last_above(l, level).max(last_above(r, level)).map_or(0.0, seconds);
            report.tail_secs = (end - INPUT_END).max(0.0);
            if end > INPUT_END + fx.tail_secs {
                let after = db(peak(&l[Rendered::index(INPUT_END + fx.tail_secs).min(l.len())..]));
                fail!(
                    "tail",
                    format!(
                        "still {after:.1} dBFS {:.2} s after the input (declared tail {} s, needs under {SILENCE_DB} dBFS)",
                        end - INPUT_END,
                        fx.tail_secs
                    ),
                );
            }
        }
    }
    report.failures = failures;
    report
}

/// Two effects are nearly the same when each setting of one has a setting
/// of the other closer than `min_distance` dB (spectral fingerprint
/// distance plus level difference of what they add to the input) and the
/// other way round.
pub fn check_distinct_effects(reports: &[EffectReport], min_distance: f64) -> Vec<Failure> {
    let one_way = |a: &EffectReport, b: &EffectReport| {
        a.signature
            .iter()
            .map(|(fa, la)| {
                b.signature.iter().map(|(fb, lb)| fa.distance(fb) + (la - lb).abs()).fold(f64::INFINITY, f64::min)
            })
            .fold(0.0f64, f64::max)
    };
    let mut failures = Vec::new();
    for (i, a) in reports.iter().enumerate() {
        for b in &reports[i + 1..] {
            if a.signature.is_empty() || b.signature.is_empty() {
                continue;
            }
            let d = one_way(a, b).max(one_way(b, a));
            if d < min_distance {
                failures.push(Failure {
                    subject: b.id.clone(),
                    point: "distinct".to_owned(),
                    detail: format!(
                        "sounds like {} at every setting (distance {d:.2} dB, needs {min_distance} dB)",
                        a.id
                    ),
                });
            }
        }
    }
    failures
}

/// Instances rendered by the CPU measurement.
const INSTANCES: i32 = 8;

/// The CPU measurement's score: pink noise for `secs` through
/// [`INSTANCES`] of `fx` in series (none: the noise alone).
fn cpu_score(fx: Option<&EffectUnderTest>, secs: f64) -> Score {
    let mut s = Score::with_defs(std::iter::once(INPUT_DEF).chain(fx.map(|f| f.bytes.as_slice())));
    let mut setup = vec![
        msg("/g_new", vec![OscType::Int(2), OscType::Int(3), OscType::Int(1)]),
        synth_new(INPUT_DEF_NAME, 900, 0, 1, &[("out", 0.0), ("kind", 2.0), ("dur", secs as f32), ("seed", 7.0)]),
    ];
    if let Some(fx) = fx {
        for n in 0..INSTANCES {
            let mut controls: Vec<(&str, f32)> = vec![("bus", 0.0)];
            controls.extend(fx.params.iter().map(|p| (p.id.as_str(), p.default)));
            setup.push(synth_new(&fx.synthdef, 1000 + n, 1, 2, &controls));
        }
    }
    s.at(0.0, setup);
    s.until(secs);
    s
}

/// CPU seconds of the best of two renders (other load only ever adds time).
fn best_cpu(s: &Score) -> Result<f64, String> {
    Ok(nrt::render(s, 2)?.cpu_secs.min(nrt::render(s, 2)?.cpu_secs))
}

/// CPU seconds of the noise alone for `secs` (the baseline every
/// [`cpu_per_instance`] subtracts; measure it once).
pub fn cpu_baseline(secs: f64) -> Result<f64, String> {
    best_cpu(&cpu_score(None, secs))
}

/// Share of one core one instance costs in real time: [`INSTANCES`] in
/// series on pink noise for `secs`, minus `baseline` ([`cpu_baseline`]).
pub fn cpu_per_instance(fx: &EffectUnderTest, secs: f64, baseline: f64) -> Result<f64, String> {
    let with = best_cpu(&cpu_score(Some(fx), secs))?;
    Ok(((with - baseline) / f64::from(INSTANCES) / secs).max(0.0))
}
