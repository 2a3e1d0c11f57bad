//! The sound check of one voice SynthDef: a fixed phrase rendered with
//! `scsynth -N` and the measurements every source must pass.
//!
//! The phrase plays every note at once, each on its own stereo pair of
//! output channels ("lanes"), so one short render holds all of it:
//! C2, C4, C6 at velocity 30 and 127 (1 s each), C4 held for 2 s, and C4 at
//! each parameter's minimum and maximum. After each lane's release plus a
//! second, a probe synth is added right after the lane's voice node; if the
//! voice freed itself the probe is refused (its target is gone), otherwise
//! it writes 1 to the lane's probe channel: a voice that never ends shows.

use super::analysis::{self, Fingerprint, db, peak, rms};
use super::nrt::{self, Rendered, Score, node_set, synth_new};
use super::{Failure, PROBE_DEF, PROBE_DEF_NAME};

/// One parameter's range, as the check moves it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamRange {
    pub id: String,
    pub default: f32,
    pub min: f32,
    pub max: f32,
}

/// A voice SynthDef to check, described without the catalog so the
/// harness can be fed faulty defs.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceUnderTest {
    /// What failures are reported under (the catalog id).
    pub id: String,
    pub synthdef: String,
    /// Compiled SynthDef2 bytes.
    pub bytes: Vec<u8>,
    pub params: Vec<ParamRange>,
    /// Whether the fundamental must match the note.
    pub pitched: bool,
    /// Attack, decay, sustain, release of the default envelope.
    pub envelope: [f32; 4],
}

/// Notes of the phrase: (label, MIDI note, velocity 0..=127).
const NOTES: [(&str, u8, u8); 6] = [
    ("C2 vel 30", 36, 30),
    ("C2 vel 127", 36, 127),
    ("C4 vel 30", 60, 30),
    ("C4 vel 127", 60, 127),
    ("C6 vel 30", 84, 30),
    ("C6 vel 127", 84, 127),
];
/// When the notes start, seconds.
const START: f64 = 0.05;
/// How long a note is held.
const HOLD: f64 = 1.0;
/// How long the held note is held.
const HELD: f64 = 2.0;
/// Time after the release by which a voice must be silent and freed.
const GRACE: f64 = 1.0;
/// −50 dBFS: every note must be louder than this.
const AUDIBLE_DB: f64 = -50.0;
/// −90 dBFS: silence.
const SILENT: f64 = 3.162_277_7e-5;
/// −1 dBFS: the loudest a note may be at default settings.
const CEILING_DB: f64 = -1.0;
/// Largest DC offset.
const MAX_DC: f64 = 1e-3;
/// Largest pitch error of a pitched source, cents.
const MAX_CENTS: f64 = 15.0;
/// The fundamental may be this far below the strongest partial.
const FUNDAMENTAL_FLOOR_DB: f64 = -40.0;
/// Velocity 127 must be this much louder than velocity 30.
const VELOCITY_DB: f64 = 6.0;
/// A parameter moved from minimum to maximum must change the note's
/// spectrum or level by at least this much (dB).
pub const PARAM_MIN_CHANGE_DB: f64 = 1.0;

/// What a lane plays.
#[derive(Debug, Clone, PartialEq)]
enum Role {
    Note { label: &'static str, velocity: u8 },
    Held,
    Param { id: String, at_max: bool },
}

#[derive(Debug, Clone)]
struct Lane {
    role: Role,
    midi: u8,
    velocity: u8,
    off: f64,
    controls: Vec<(String, f32)>,
}

impl Lane {
    fn label(&self) -> String {
        match &self.role {
            Role::Note { label, .. } => (*label).to_owned(),
            Role::Held => "held C4".to_owned(),
            Role::Param { id, at_max } => format!("C4 with {id} at {}", if *at_max { "max" } else { "min" }),
        }
    }
}

/// What the check found for one source.
#[derive(Debug, Clone)]
pub struct SourceReport {
    pub id: String,
    pub failures: Vec<Failure>,
    /// C4 at velocity 127 and defaults, to compare sources with each other.
    pub fingerprint: Option<Fingerprint>,
    /// Pitch errors of C2, C4, C6 at velocity 127, cents (pitched only).
    pub cents: Vec<f64>,
    /// Loudest sample at velocity 127 and defaults, dBFS.
    pub peak_db: f64,
}

fn midi_hz(note: u8) -> f64 {
    440.0 * 2f64.powf((f64::from(note) - 69.0) / 12.0)
}

/// The per-voice seed the engine would pass: derived from the note only,
/// so the same phrase always draws the same noise.
pub fn seed_for(note: u8, velocity: u8) -> f32 {
    f32::from(note) * 128.0 + f32::from(velocity)
}

fn lanes(src: &SourceUnderTest) -> Vec<Lane> {
    let defaults: Vec<(String, f32)> = src.params.iter().map(|p| (p.id.clone(), p.default)).collect();
    let mut out: Vec<Lane> = NOTES
        .iter()
        .map(|&(label, midi, velocity)| Lane {
            role: Role::Note { label, velocity },
            midi,
            velocity,
            off: START + HOLD,
            controls: defaults.clone(),
        })
        .collect();
    out.push(Lane { role: Role::Held, midi: 60, velocity: 100, off: START + HELD, controls: defaults.clone() });
    for p in &src.params {
        for at_max in [false, true] {
            let mut controls = defaults.clone();
            for c in &mut controls {
                if c.0 == p.id {
                    c.1 = if at_max { p.max } else { p.min };
                }
            }
            let role = Role::Param { id: p.id.clone(), at_max };
            out.push(Lane { role, midi: 60, velocity: 127, off: START + HOLD, controls });
        }
    }
    out
}

fn score(src: &SourceUnderTest, lanes: &[Lane]) -> Score {
    let [attack, decay, sustain, release] = src.envelope;
    let release = f64::from(release);
    let mut score = Score::with_defs([src.bytes.as_slice(), PROBE_DEF]);
    let probes = 2 * lanes.len();
    let mut starts = Vec::new();
    for (i, lane) in lanes.iter().enumerate() {
        let node = 1000 + i as i32;
        let mut controls: Vec<(&str, f32)> = vec![
            ("out", (2 * i) as f32),
            ("freq", midi_hz(lane.midi) as f32),
            ("vel", f32::from(lane.velocity) / 127.0),
            ("gate", 1.0),
            ("attack", attack),
            ("decay", decay),
            ("sustain", sustain),
            ("release", release as f32),
            ("seed", seed_for(lane.midi, lane.velocity)),
        ];
        controls.extend(lane.controls.iter().map(|(n, v)| (n.as_str(), *v)));
        starts.push(synth_new(&src.synthdef, node, 1, 1, &controls));
        score.at(lane.off, vec![node_set(node, &[("gate", 0.0)])]);
        let probe_at = lane.off + release + GRACE;
        let probe = synth_new(PROBE_DEF_NAME, 5000 + i as i32, 3, node, &[("out", (probes + i) as f32)]);
        score.at(probe_at, vec![probe]);
        score.until(probe_at + 0.1);
    }
    score.at(START, starts);
    score
}

/// Renders the phrase of `src` and checks it; `reference` renders it a
/// second time and requires the very same samples.
pub fn check_source(src: &SourceUnderTest) -> SourceReport {
    let mut report = SourceReport {
        id: src.id.clone(),
        failures: Vec::new(),
        fingerprint: None,
        cents: Vec::new(),
        peak_db: -240.0,
    };
    let lanes = lanes(src);
    let score = score(src, &lanes);
    let channels = 3 * lanes.len();
    let first = match nrt::render(&score, channels) {
        Ok(r) => r,
        Err(e) => {
            report.fail("render", e);
            return report;
        }
    };
    measure(src, &lanes, &first, &mut report);
    match nrt::render(&score, channels) {
        Ok(second) => compare_renders(&lanes, &first, &second, &mut report),
        Err(e) => report.fail("second render", e),
    }
    report
}

impl SourceReport {
    fn fail(&mut self, point: impl Into<String>, detail: impl Into<String>) {
        self.failures.push(Failure { subject: self.id.clone(), point: point.into(), detail: detail.into() });
    }
}

fn measure(src: &SourceUnderTest, lanes: &[Lane], r: &Rendered, report: &mut SourceReport) {
    let release = f64::from(src.envelope[3]);
    let start = Rendered::index(START);
    let mut note_rms = std::collections::HashMap::new();
    let mut param_sounds: Vec<(String, bool, Fingerprint, f64)> = Vec::new();
    for (i, lane) in lanes.iter().enumerate() {
        let label = lane.label();
        let (left, right) = (&r.channels[2 * i], &r.channels[2 * i + 1]);
        let probe = &r.channels[2 * lanes.len() + i];
        for (side, ch) in [("left", left), ("right", right)] {
            if let Some(at) = analysis::first_non_finite(ch) {
                report.fail(&label, format!("{side} channel is not finite at {:.3} s", analysis::seconds(at)));
            }
        }
        if report.failures.iter().any(|f| f.point == label) {
            continue;
        }
        let end = Rendered::index(lane.off + release).min(left.len());
        let (note_left, note_right) = (&left[start.min(end)..end], &right[start.min(end)..end]);
        let note = analysis::mono(note_left, note_right);
        let loudest = db(peak(left).max(peak(right)));
        if loudest <= AUDIBLE_DB && !matches!(lane.role, Role::Param { .. }) {
            report.fail(&label, format!("peak {loudest:.1} dBFS, needs above {AUDIBLE_DB} dBFS"));
        }
        let at_defaults = matches!(lane.role, Role::Held | Role::Note { velocity: 127, .. });
        if at_defaults {
            report.peak_db = report.peak_db.max(loudest);
            for (side, ch) in [("left", left), ("right", right)] {
                let p = db(peak(ch));
                if p > CEILING_DB {
                    report.fail(&label, format!("{side} peak {p:.2} dBFS, above {CEILING_DB} dBFS"));
                }
            }
        }
        let silent_from = Rendered::index(lane.off + release + GRACE);
        for (side, ch) in [("left", left), ("right", right)] {
            if let Some(last) = analysis::last_above(ch, SILENT).filter(|&l| l >= silent_from) {
                let level = db(peak(&ch[silent_from.min(ch.len())..]));
                report.fail(
                    &label,
                    format!(
                        "{side} still at {level:.1} dBFS {:.2} s after note-off (release {release:.2} s + {GRACE} s allowed)",
                        analysis::seconds(last) - lane.off
                    ),
                );
            }
            let dc = analysis::mean(ch);
            if dc.abs() >= MAX_DC {
                report.fail(&label, format!("{side} DC offset {dc:.5} (|mean| must stay below {MAX_DC})"));
            }
        }
        if peak(probe) > 0.5 {
            report.fail(&label, format!("the voice node still exists {GRACE} s after its release: it never ends"));
        }
        match &lane.role {
            Role::Note { label, velocity } => {
                note_rms.insert(*label, rms(&note));
                if src.pitched && *velocity == 127 {
                    check_pitch(lane, label, &note, report);
                }
                if *label == "C4 vel 127" {
                    report.fingerprint = Some(Fingerprint::of_channels(&[note_left, note_right]));
                }
            }
            Role::Param { id, at_max } => {
                let fingerprint = Fingerprint::of_channels(&[note_left, note_right]);
                param_sounds.push((id.clone(), *at_max, fingerprint, db(rms(&note))));
            }
            Role::Held => {}
        }
    }
    if let (Some(&soft), Some(&loud)) = (note_rms.get("C4 vel 30"), note_rms.get("C4 vel 127")) {
        let gain = db(loud) - db(soft);
        if gain < VELOCITY_DB {
            report.fail(
                "velocity",
                format!("C4 at velocity 127 is {gain:.1} dB louder than at 30, needs {VELOCITY_DB} dB"),
            );
        }
    }
    for p in &src.params {
        let find = |max: bool| param_sounds.iter().find(|(id, m, _, _)| *id == p.id && *m == max);
        if let (Some(lo), Some(hi)) = (find(false), find(true)) {
            let change = lo.2.distance(&hi.2).max((lo.3 - hi.3).abs());
            if change < PARAM_MIN_CHANGE_DB {
                report.fail(
                    format!("parameter {}", p.id),
                    format!(
                        "moving it from {} to {} changes the note by {change:.2} dB, needs {PARAM_MIN_CHANGE_DB} dB",
                        p.min, p.max
                    ),
                );
            }
        }
    }
}

fn check_pitch(lane: &Lane, label: &str, note: &[f32], report: &mut SourceReport) {
    // The steady part: from 0.1 s after the start to the note-off.
    let from = Rendered::index(0.1).min(note.len());
    let to = Rendered::index(lane.off - START).min(note.len());
    let expected = midi_hz(lane.midi);
    match analysis::partial_near(&note[from..to], expected) {
        Some(p) if p.relative_db >= FUNDAMENTAL_FLOOR_DB && p.cents.abs() <= MAX_CENTS => report.cents.push(p.cents),
        Some(p) if p.relative_db < FUNDAMENTAL_FLOOR_DB => report.fail(
            format!("pitch of {label}"),
            format!(
                "no fundamental at {expected:.2} Hz: the nearest partial is {:.1} dB below the strongest",
                -p.relative_db
            ),
        ),
        Some(p) => report.fail(
            format!("pitch of {label}"),
            format!("fundamental at {:.2} Hz, {:+.1} cents from {expected:.2} Hz (limit {MAX_CENTS})", p.hz, p.cents),
        ),
        None => report.fail(format!("pitch of {label}"), "too short to measure".to_owned()),
    }
}

fn compare_renders(lanes: &[Lane], a: &Rendered, b: &Rendered, report: &mut SourceReport) {
    for (c, (x, y)) in a.channels.iter().zip(&b.channels).enumerate() {
        let differs = x.len() != y.len() || x.iter().zip(y).any(|(p, q)| p.to_bits() != q.to_bits());
        if let Some(i) = differs.then(|| x.iter().zip(y).position(|(p, q)| p.to_bits() != q.to_bits())) {
            let lane = lanes.get(c / 2).map_or_else(|| "probe".to_owned(), Lane::label);
            let at = i.map_or_else(|| "in length".to_owned(), |i| format!("at {:.4} s", analysis::seconds(i)));
            report.fail("reproducibility", format!("two renders of {lane} differ {at} (unseeded random UGens?)"));
            return;
        }
    }
}

/// Fails every pair of sources whose C4 fingerprints are closer than
/// `min_distance` dB: two catalog entries that sound the same.
pub fn check_distinct(reports: &[SourceReport], min_distance: f64) -> Vec<Failure> {
    let mut failures = Vec::new();
    for (i, a) in reports.iter().enumerate() {
        for b in &reports[i + 1..] {
            if let (Some(fa), Some(fb)) = (&a.fingerprint, &b.fingerprint) {
                let d = fa.distance(fb);
                if d < min_distance {
                    failures.push(Failure {
                        subject: b.id.clone(),
                        point: "distinct".to_owned(),
                        detail: format!("C4 sounds like {} (distance {d:.2} dB, needs {min_distance} dB)", a.id),
                    });
                }
            }
        }
    }
    failures
}

/// The CPU one voice of `src` costs in real time, as a fraction of one
/// core: 32 voices held for `secs` rendered, minus an empty render of the
/// same length, per voice and per second of sound.
///
/// # Errors
/// The render's error.
pub fn cpu_per_voice(src: &SourceUnderTest, secs: f64) -> Result<f64, String> {
    const VOICES: usize = 32;
    let [attack, decay, sustain, release] = src.envelope;
    let empty = {
        let mut s = Score::with_defs([src.bytes.as_slice()]);
        s.until(secs);
        s
    };
    let mut full = empty.clone();
    let voices = (0..VOICES)
        .map(|v| {
            let midi = 48 + (v % 24) as u8;
            let mut controls: Vec<(&str, f32)> = vec![
                ("out", 0.0),
                ("freq", midi_hz(midi) as f32),
                ("vel", 0.8),
                ("attack", attack),
                ("decay", decay),
                ("sustain", sustain.max(0.5)),
                ("release", release),
                ("seed", seed_for(midi, 100)),
            ];
            controls.extend(src.params.iter().map(|p| (p.id.as_str(), p.default)));
            synth_new(&src.synthdef, 1000 + v as i32, 1, 1, &controls)
        })
        .collect();
    full.at(0.0, voices);
    // Best of two of each: other load only ever adds time.
    let best = |s: &Score| -> Result<f64, String> { Ok(nrt::render(s, 2)?.cpu_secs.min(nrt::render(s, 2)?.cpu_secs)) };
    let (with, without) = (best(&full)?, best(&empty)?);
    Ok(((with - without) / VOICES as f64 / secs).max(0.0))
}
