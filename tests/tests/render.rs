//! Rendering to WAV with a real `scsynth -N`: files, lengths, where each
//! stem sounds, stems summing to the master, every option, and bad input.
//!
//! The first test renders the demo song (`imbolc demo`: 3 instruments with
//! effects, a drum kit, a reverb bus fed by sends, automation, 8 bars in
//! song mode). The option tests use the smaller fixture `song()`: 3
//! instruments with effects, an aux bus with a reverb fed by sends, an
//! automation lane, 8 bars at 120 BPM (16 s), each instrument on its own
//! bars, so a stem must sound there and be silent elsewhere.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use imbolc_core::dispatch;
use imbolc_core::render::{
    self, Normalize, RenderError, RenderOptions, RenderRange, RenderSummary, SampleFormat, Tail,
};
use imbolc_types::{
    Action, ChainOwner, EffectKind, EnvelopeStage, FilterDef, FilterKind, InstrumentId, MixerParam, Note, ParamTarget,
    Project, SourceKind,
};

const BAR: u32 = 1920;
const BAR_SECS: f64 = 2.0;
const LEAD: InstrumentId = InstrumentId(0);

/// One stereo file read back: its header and samples as floats.
struct Wav {
    spec: hound::WavSpec,
    /// Interleaved stereo.
    samples: Vec<f32>,
}

impl Wav {
    fn read(path: &Path) -> Wav {
        let mut r = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let spec = r.spec();
        let samples = match spec.sample_format {
            hound::SampleFormat::Float => r.samples::<f32>().map(|s| s.unwrap()).collect(),
            hound::SampleFormat::Int => {
                let scale = (1u64 << (spec.bits_per_sample - 1)) as f32;
                r.samples::<i32>().map(|s| s.unwrap() as f32 / scale).collect()
            }
        };
        Wav { spec, samples }
    }

    fn frames(&self) -> usize {
        self.samples.len() / 2
    }

    /// Samples of seconds `a..b`.
    fn span(&self, a: f64, b: f64) -> &[f32] {
        let rate = f64::from(self.spec.sample_rate);
        let i = ((a * rate) as usize * 2).min(self.samples.len());
        let j = ((b * rate) as usize * 2).min(self.samples.len());
        &self.samples[i..j]
    }
}

fn rms(s: &[f32]) -> f64 {
    (s.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>() / s.len().max(1) as f64).sqrt()
}

fn peak(s: &[f32]) -> f64 {
    s.iter().fold(0.0f64, |m, &x| m.max(f64::from(x.abs())))
}

fn db(x: f64) -> f64 {
    20.0 * x.max(1e-12).log10()
}

fn apply(p: &mut Project, a: Action) {
    dispatch(p, a).unwrap();
}

/// A clip of quarter notes for `bars` bars on `instrument`, placed at bar `at` (0-based).
fn part(p: &mut Project, instrument: InstrumentId, pitch: u8, bars: u32, at: u32) {
    apply(p, Action::AddClip { instrument, name: "part".into(), length: bars * BAR });
    let clip = *p.clips.keys().next_back().unwrap();
    let notes = (0..bars * 4).map(|k| Note::new(pitch + (k % 5) as u8, 100, k * 480, 360)).collect();
    apply(p, Action::AddNotes { clip, notes });
    apply(p, Action::AddPlacement { clip, start: at * BAR, length: bars * BAR });
}

/// The option tests' fixture (see the module docs): lead bars 1–4,
/// bass bars 3–6, pad bars 5–8.
fn song() -> Project {
    let mut p = Project::new("Render test: song");
    p.tempo = 120.0;
    apply(&mut p, Action::AddBus { name: "verb".into() });
    let verb = *p.buses.keys().next().unwrap();
    apply(&mut p, Action::AddEffect { owner: ChainOwner::Bus(verb), kind: EffectKind::REVERB, index: None });
    for (source, name) in [(SourceKind::SAW, "lead"), (SourceKind::SQUARE, "bass"), (SourceKind::SINE, "pad")] {
        apply(&mut p, Action::AddInstrument { source, name: name.into() });
    }
    let ids: Vec<InstrumentId> = p.instruments.keys().copied().collect();
    let (lead, bass, pad) = (ids[0], ids[1], ids[2]);
    for &i in &ids {
        let target = ParamTarget::Envelope { instrument: i, stage: EnvelopeStage::Release };
        apply(&mut p, Action::SetParam { target, value: 0.05 });
        let level = ParamTarget::Mixer { instrument: i, param: MixerParam::Level };
        apply(&mut p, Action::SetParam { target: level, value: 0.8 });
    }
    apply(&mut p, Action::SetFilter { instrument: lead, filter: Some(FilterDef::new(FilterKind::LOW_PASS)) });
    apply(&mut p, Action::AddEffect { owner: ChainOwner::Instrument(lead), kind: EffectKind::LOW_PASS, index: None });
    apply(&mut p, Action::AddEffect { owner: ChainOwner::Instrument(bass), kind: EffectKind::DELAY, index: None });
    apply(&mut p, Action::AddEffect { owner: ChainOwner::Instrument(pad), kind: EffectKind::REVERB, index: None });
    apply(&mut p, Action::AddSend { instrument: lead, bus: verb, level: 0.5 });
    apply(&mut p, Action::AddSend { instrument: pad, bus: verb, level: 0.3 });
    part(&mut p, lead, 72, 4, 0);
    part(&mut p, bass, 36, 4, 2);
    part(&mut p, pad, 60, 4, 4);
    apply(&mut p, Action::AddLane { target: ParamTarget::Filter { instrument: lead, param: "cutoff".into() } });
    let lane = *p.automation.keys().next().unwrap();
    apply(&mut p, Action::SetAutomationPoint { lane, tick: 0, value: 800.0 });
    apply(&mut p, Action::SetAutomationPoint { lane, tick: 4 * BAR, value: 6000.0 });
    p
}

fn opts(dir: &Path) -> RenderOptions {
    RenderOptions { out_dir: dir.to_owned(), ..RenderOptions::default() }
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("imbolc-render-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(project: &Project, o: &RenderOptions) -> Result<RenderSummary, RenderError> {
    render::render(project, o, &AtomicBool::new(false), &mut |_| {})
}

/// Files in `dir`, sorted, hidden ones included.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn the_demo_song_renders_stems_of_equal_length_that_sound_where_they_play_and_sum_to_the_master() {
    use imbolc_core::demo::{DEMO_BARS, DEMO_TEMPO, demo_project};
    let dir = tempdir("demo");
    let o = RenderOptions { stems: true, bus_stems: true, ..opts(&dir) };
    let s = run(&demo_project(), &o).unwrap();
    assert_eq!(
        listing(&dir),
        vec!["bass.wav", "drums.wav", "lead.wav", "master.wav", "pad.wav", "reverb.wav"],
        "the master, a stem per instrument and one for the bus"
    );
    let bar_secs = 4.0 * 60.0 / f64::from(DEMO_TEMPO);
    let want = (f64::from(DEMO_BARS) * bar_secs + 2.0) * 48_000.0;
    assert!((s.frames as f64 - want).abs() <= 1.0, "8 bars + 2 s tail: {} frames, want {want:.0}", s.frames);
    let wav = |n: &str| Wav::read(&dir.join(n));
    let names = ["bass", "drums", "lead", "pad", "reverb"];
    let stems: Vec<Wav> = names.iter().map(|n| wav(&format!("{n}.wav"))).collect();
    let master = wav("master.wav");
    for w in stems.iter().chain([&master]) {
        assert_eq!(w.frames() as u64, s.frames, "same length");
    }
    let bar = |w: &Wav, b: u32| w.span(f64::from(b) * bar_secs, f64::from(b + 1) * bar_secs).to_vec();
    // Where each instrument plays (bars from 0), and where it is silent.
    let plays: [(&str, std::ops::Range<u32>, std::ops::Range<u32>); 4] =
        [("bass", 0..8, 0..0), ("drums", 0..8, 0..0), ("lead", 4..8, 0..4), ("pad", 2..8, 0..2)];
    for (name, sounding, silent) in plays {
        let w = &stems[names.iter().position(|n| *n == name).unwrap()];
        for b in sounding {
            let level = db(rms(&bar(w, b)));
            assert!(level > -50.0, "{name} sounds in bar {}: {level:.1} dB", b + 1);
        }
        // Up to the last 10 ms: a note on a bar line may start one control
        // block (1.3 ms) early, as voices write with `Out`.
        for b in silent {
            let level = db(peak(w.span(f64::from(b) * bar_secs, f64::from(b + 1) * bar_secs - 0.01)));
            assert!(level < -90.0, "{name} is silent in bar {}: {level:.1} dB", b + 1);
        }
    }
    let diff: Vec<f32> = (0..master.samples.len())
        .map(|i| stems.iter().map(|w| w.samples[i]).sum::<f32>() - master.samples[i])
        .collect();
    let rel = db(rms(&diff)) - db(rms(&master.samples));
    assert!(rel < -60.0, "post-fader stems sum to the master within {rel:.1} dB");
    for f in &s.files {
        assert!(f.peak_dbfs < -1.0, "the demo leaves headroom: {f:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn stems_have_equal_length_sound_only_where_they_play_and_sum_to_the_master() {
    let dir = tempdir("stems");
    let o = RenderOptions { stems: true, bus_stems: true, ..opts(&dir) };
    let s = run(&song(), &o).unwrap();
    assert_eq!(listing(&dir), vec!["bass.wav", "lead.wav", "master.wav", "pad.wav", "verb.wav"]);
    let expect_frames = ((16.0 + 2.0) * 48_000.0) as usize;
    assert_eq!(s.frames as usize, expect_frames);
    let wav = |n: &str| Wav::read(&dir.join(n));
    let (master, lead, bass, pad, verb) =
        (wav("master.wav"), wav("lead.wav"), wav("bass.wav"), wav("pad.wav"), wav("verb.wav"));
    for w in [&master, &lead, &bass, &pad, &verb] {
        assert_eq!(w.frames(), expect_frames, "same length");
        assert_eq!((w.spec.channels, w.spec.sample_rate, w.spec.bits_per_sample), (2, 48_000, 24));
    }
    let bar = |w: &Wav, b: u32| w.span(f64::from(b) * BAR_SECS, f64::from(b + 1) * BAR_SECS).to_vec();
    for (name, w, plays, silent) in
        [("lead", &lead, 0..4, vec![5, 6, 7]), ("bass", &bass, 2..6, vec![0, 1]), ("pad", &pad, 4..8, vec![0, 1, 2, 3])]
    {
        for b in plays {
            assert!(db(rms(&bar(w, b))) > -55.0, "{name} sounds in bar {}: {:.1} dB", b + 1, db(rms(&bar(w, b))));
        }
        for b in silent {
            assert!(db(peak(&bar(w, b))) < -90.0, "{name} is silent in bar {}: {:.1} dB", b + 1, db(peak(&bar(w, b))));
        }
    }
    assert!(db(rms(&bar(&verb, 1))) > -60.0, "the reverb bus carries the sends");
    // Post-fader stems (instruments + bus) sum to the master (no master effects).
    let diff: Vec<f32> = (0..master.samples.len())
        .map(|i| lead.samples[i] + bass.samples[i] + pad.samples[i] + verb.samples[i] - master.samples[i])
        .collect();
    let rel = db(rms(&diff)) - db(rms(&master.samples));
    assert!(rel < -60.0, "stems sum to the master within {rel:.1} dB");
    assert_eq!(s.files.len(), 5);
    assert!(s.files.iter().all(|f| f.lufs.is_finite() && f.peak_dbfs < 0.0));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rate_and_bit_depth_are_read_back_from_the_header() {
    let dir = tempdir("formats");
    for (rate, format, bits, sf) in [
        (44_100, SampleFormat::Int16, 16, hound::SampleFormat::Int),
        (96_000, SampleFormat::Float32, 32, hound::SampleFormat::Float),
        (48_000, SampleFormat::Int24, 24, hound::SampleFormat::Int),
    ] {
        let o = RenderOptions {
            rate,
            format,
            range: RenderRange::Bars { first: 1, last: 1 },
            tail: Tail::Secs(0.5),
            force: true,
            ..opts(&dir)
        };
        run(&song(), &o).unwrap();
        let w = Wav::read(&dir.join("master.wav"));
        assert_eq!((w.spec.sample_rate, w.spec.bits_per_sample, w.spec.sample_format), (rate, bits, sf));
        assert_eq!(w.frames(), (2.5 * f64::from(rate)).round() as usize);
        assert!(db(rms(w.span(0.0, 2.0))) > -55.0);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

fn lufs(w: &Wav) -> f64 {
    let mut m = ebur128::EbuR128::new(2, w.spec.sample_rate, ebur128::Mode::I).unwrap();
    m.add_frames_f32(&w.samples).unwrap();
    m.loudness_global().unwrap()
}

#[test]
fn normalising_reaches_the_peak_or_loudness_target() {
    let dir = tempdir("normalize");
    let base = RenderOptions { stems: true, force: true, format: SampleFormat::Float32, ..opts(&dir) };
    run(&song(), &RenderOptions { normalize: Normalize::Peak(-1.0), ..base.clone() }).unwrap();
    for f in ["master.wav", "lead.wav", "pad.wav"] {
        let p = db(peak(&Wav::read(&dir.join(f)).samples));
        assert!((p + 1.0).abs() < 0.5, "{f} peak {p:.2} dBFS");
    }
    let s = run(&song(), &RenderOptions { normalize: Normalize::Lufs(-20.0), ..base.clone() }).unwrap();
    for f in ["master.wav", "bass.wav"] {
        let l = lufs(&Wav::read(&dir.join(f)));
        assert!((l + 20.0).abs() < 0.5, "{f} at {l:.2} LUFS");
    }
    assert!((s.files[0].lufs + 20.0).abs() < 0.5, "the summary reports the result");
    // Joint: the master reaches the target and stems keep their share.
    run(&song(), &RenderOptions { normalize: Normalize::Lufs(-18.0), joint: true, bus_stems: true, ..base }).unwrap();
    let master = Wav::read(&dir.join("master.wav"));
    assert!((lufs(&master) + 18.0).abs() < 0.5);
    let sum: Vec<f32> = ["lead.wav", "bass.wav", "pad.wav", "verb.wav"]
        .iter()
        .map(|f| Wav::read(&dir.join(f)).samples)
        .reduce(|a, b| a.iter().zip(&b).map(|(x, y)| x + y).collect())
        .unwrap();
    let diff: Vec<f32> = sum.iter().zip(&master.samples).map(|(a, b)| a - b).collect();
    assert!(db(rms(&diff)) - db(rms(&master.samples)) < -60.0);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// One sine instrument (release 0.05 s) playing bar 1, with `effects` on
/// its chain.
fn one_bar(effects: &[EffectKind]) -> Project {
    let mut p = Project::new("Render test: tail");
    p.tempo = 120.0;
    apply(&mut p, Action::AddInstrument { source: SourceKind::SINE, name: "tone".into() });
    let target = ParamTarget::Envelope { instrument: LEAD, stage: EnvelopeStage::Release };
    apply(&mut p, Action::SetParam { target, value: 0.05 });
    for kind in effects {
        apply(&mut p, Action::AddEffect { owner: ChainOwner::Instrument(LEAD), kind: *kind, index: None });
    }
    part(&mut p, LEAD, 69, 1, 0);
    p
}

#[test]
fn an_automatic_tail_is_the_declared_tail_a_long_reverb_rings_through_it_and_a_dry_project_stops_short() {
    let dir = tempdir("tail");
    let base = RenderOptions {
        force: true,
        format: SampleFormat::Float32,
        range: RenderRange::Bars { first: 1, last: 1 },
        tail: Tail::Auto { cap: 30.0 },
        ..opts(&dir)
    };
    let hall = EffectKind::from_id("hall").unwrap();
    let declared = f64::from(hall.tail_secs());
    assert!(declared >= 5.0, "the hall declares a long tail: {declared}");

    let wet = one_bar(&[hall]);
    assert!((render::declared_tail_secs(&wet, 30.0) - (0.05 + declared)).abs() < 1e-6);
    let summary = run(&wet, &base).unwrap();
    let expected = ((BAR_SECS + 0.05 + declared) * 48_000.0).round() as u64;
    assert_eq!(summary.frames, expected, "range + release + the hall's declared tail");
    let w = Wav::read(&summary.files[0].path);
    assert_eq!(w.frames() as u64, expected);
    // The reverb's decay is in the file: audible after the last note and
    // falling second by second through the tail.
    let tail_db: Vec<f64> =
        (0..4).map(|k| db(rms(w.span(BAR_SECS + 2.0 * k as f64, BAR_SECS + 2.0 * k as f64 + 1.0)))).collect();
    assert!(tail_db[0] > -50.0, "the hall rings after the range: {tail_db:?}");
    assert!(tail_db.windows(2).all(|p| p[1] < p[0]), "and decays: {tail_db:?}");

    let dry = one_bar(&[]);
    let summary = run(&dry, &base).unwrap();
    let expected = ((BAR_SECS + 0.05) * 48_000.0).round() as u64;
    assert_eq!(summary.frames, expected, "a dry project: only the release");
    assert_eq!(Wav::read(&summary.files[0].path).frames() as u64, expected);

    let capped = run(&wet, &RenderOptions { tail: Tail::Auto { cap: 0.1 }, ..base }).unwrap();
    assert_eq!(capped.frames, ((BAR_SECS + 0.1) * 48_000.0).round() as u64, "the cap holds");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bar_range_renders_only_those_bars() {
    let dir = tempdir("range");
    let o = RenderOptions {
        stems: true,
        range: RenderRange::Bars { first: 3, last: 4 },
        tail: Tail::Secs(1.0),
        ..opts(&dir)
    };
    let s = run(&song(), &o).unwrap();
    assert_eq!(s.frames, 5 * 48_000);
    let lead = Wav::read(&dir.join("lead.wav"));
    let bass = Wav::read(&dir.join("bass.wav"));
    let pad = Wav::read(&dir.join("pad.wav"));
    assert!(db(rms(lead.span(0.0, 4.0))) > -55.0, "lead plays bars 3-4");
    assert!(db(rms(bass.span(0.0, 0.5))) > -55.0, "bass starts at the range start");
    assert!(db(peak(&pad.samples)) < -90.0, "pad only plays from bar 5");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn pre_fader_stems_ignore_the_fader_and_post_fader_ones_follow_it() {
    let dir = tempdir("prefader");
    let mut p = song();
    let level = ParamTarget::Mixer { instrument: LEAD, param: MixerParam::Level };
    apply(&mut p, Action::SetParam { target: level, value: 0.2 });
    let base = RenderOptions {
        stems: true,
        force: true,
        range: RenderRange::Bars { first: 1, last: 2 },
        format: SampleFormat::Float32,
        ..opts(&dir)
    };
    run(&p, &base).unwrap();
    let post = rms(&Wav::read(&dir.join("lead.wav")).samples);
    run(&p, &RenderOptions { pre_fader: true, ..base }).unwrap();
    let pre = rms(&Wav::read(&dir.join("lead.wav")).samples);
    let gain = db(post) - db(pre);
    assert!(
        (gain - db(0.2 * std::f64::consts::FRAC_1_SQRT_2)).abs() < 0.5,
        "post-fader is {gain:.2} dB below pre-fader ({post} vs {pre})"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn stems_including_sends_sum_to_the_master() {
    let dir = tempdir("sends");
    let o = RenderOptions {
        stems: true,
        include_sends: true,
        format: SampleFormat::Float32,
        range: RenderRange::Bars { first: 1, last: 6 },
        ..opts(&dir)
    };
    run(&song(), &o).unwrap();
    assert_eq!(listing(&dir), vec!["bass.wav", "lead.wav", "master.wav", "pad.wav"]);
    let master = Wav::read(&dir.join("master.wav"));
    let lead = Wav::read(&dir.join("lead.wav"));
    let stems: Vec<Wav> = ["lead.wav", "bass.wav", "pad.wav"].iter().map(|f| Wav::read(&dir.join(f))).collect();
    let diff: Vec<f32> = (0..master.samples.len())
        .map(|i| stems.iter().map(|w| w.samples[i]).sum::<f32>() - master.samples[i])
        .collect();
    assert!(db(rms(&diff)) - db(rms(&master.samples)) < -60.0);
    // The lead stem now carries its reverb after its last note ends (7.925 s).
    assert!(db(rms(lead.span(7.95, 8.2))) > -80.0, "the reverb of the lead is in its stem");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_input_is_reported_and_leaves_nothing_behind() {
    let dir = tempdir("bad");
    // Missing and corrupt project files.
    let cancel = AtomicBool::new(false);
    let e =
        render::render_file(&dir.join("missing.imbolc"), &opts(&dir), &cancel, &mut |_| {}, &mut |_| {}).unwrap_err();
    assert!(e.is_bad_input(), "{e}");
    let corrupt = dir.join("corrupt.imbolc");
    std::fs::write(&corrupt, b"this is not a project").unwrap();
    let e = render::render_file(&corrupt, &opts(&dir), &cancel, &mut |_| {}, &mut |_| {}).unwrap_err();
    assert!(e.is_bad_input() && e.to_string().contains("corrupt.imbolc"), "{e}");
    std::fs::remove_file(&corrupt).unwrap();

    // An output folder that cannot exist (below a file).
    let blocker = dir.join("file");
    std::fs::write(&blocker, b"x").unwrap();
    let e = run(&song(), &opts(&blocker.join("out"))).unwrap_err();
    assert!(matches!(e, RenderError::Unwritable { .. }) && e.is_bad_input(), "{e}");
    std::fs::remove_file(&blocker).unwrap();

    // Existing files are kept without force.
    std::fs::write(dir.join("master.wav"), b"keep me").unwrap();
    let e = run(&song(), &opts(&dir)).unwrap_err();
    assert!(matches!(e, RenderError::Exists(_)) && e.is_bad_input(), "{e}");
    assert_eq!(std::fs::read(dir.join("master.wav")).unwrap(), b"keep me");
    assert_eq!(listing(&dir), vec!["master.wav"]);

    // scsynth missing: a render failure, not bad input; nothing left.
    let o = RenderOptions { scsynth: PathBuf::from("/nonexistent/scsynth"), force: true, ..opts(&dir) };
    let e = run(&song(), &o).unwrap_err();
    assert!(matches!(e, RenderError::ScsynthMissing { .. }) && !e.is_bad_input(), "{e}");
    assert!(e.to_string().contains("supercollider-server"), "the message says what to install: {e}");
    assert_eq!(listing(&dir), vec!["master.wav"]);
    assert_eq!(std::fs::read(dir.join("master.wav")).unwrap(), b"keep me");

    // An empty range.
    let e = run(&Project::new("empty"), &RenderOptions { force: true, ..opts(&dir) }).unwrap_err();
    assert!(matches!(e, RenderError::Empty(_)) && e.is_bad_input(), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cancelling_kills_the_render_and_removes_its_files() {
    let dir = tempdir("cancel");
    let cancel = AtomicBool::new(false);
    let o = RenderOptions { stems: true, ..opts(&dir) };
    let mut calls = 0;
    let e = render::render(&song(), &o, &cancel, &mut |_| {
        calls += 1;
        cancel.store(true, Ordering::Relaxed);
    })
    .unwrap_err();
    assert!(matches!(e, RenderError::Cancelled), "{e}");
    assert!(calls >= 1);
    assert!(listing(&dir).is_empty(), "left behind: {:?}", listing(&dir));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Noise-based voices (hats, snare, clap, noisy sources) seed their random
/// generators from the note, so two renders of the demo are the same file,
/// byte for byte, stems included.
#[test]
fn rendering_the_demo_twice_gives_identical_files() {
    use imbolc_core::demo::demo_project;
    let project = demo_project();
    let render_to = |name: &str| {
        let dir = tempdir(name);
        run(&project, &RenderOptions { stems: true, ..opts(&dir) }).unwrap();
        dir
    };
    let (a, b) = (render_to("twice-a"), render_to("twice-b"));
    assert_eq!(listing(&a), listing(&b));
    for name in listing(&a) {
        let (x, y) = (std::fs::read(a.join(&name)).unwrap(), std::fs::read(b.join(&name)).unwrap());
        assert!(x == y, "{name} differs between two renders");
    }
    std::fs::remove_dir_all(&a).unwrap();
    std::fs::remove_dir_all(&b).unwrap();
}
