//! Tempo-synced loops on a real `scsynth -N` (NRT render): a two-bar loop
//! made at 100 BPM (a 440 Hz tone with a click on each beat), on a pad
//! with its length in beats (estimated from `100bpm` in its name), played
//! at 125 BPM lasts two bars at 125 BPM, keeps its pitch, and has its
//! clicks on the 125 BPM beats; the same for a 44.1 kHz file in a 48 kHz
//! render; and under a tempo lane its length follows the lane.
//!
//! Length is measured from the first to the last sample above 0.001
//! (the loop's tone is about 0.2 there; the loop ends with a 5 ms fade, so
//! the last sample above the threshold is within a few frames of the end).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use imbolc_core::analysis::estimate_pitch;
use imbolc_core::render::{self, RenderOptions, Tail};
use imbolc_core::{dispatch, drums};
use imbolc_tests::recording::read_channel;
use imbolc_types::drums::estimate_loop_beats;
use imbolc_types::{Action, DrumPad, DrumStep, DrumVoice, InstrumentId, ParamTarget, Project, StepResolution};

/// Render rate.
const RATE: u32 = 48_000;
/// Ticks per bar (4/4).
const BAR: u32 = 1920;
/// The loop's own tempo.
const LOOP_BPM: f64 = 100.0;
/// Its pitch.
const TONE: f64 = 440.0;
/// Loudness threshold for "sounding".
const QUIET: f32 = 0.001;
/// One control block, in frames.
const BLOCK: f64 = 64.0;

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("imbolc-stretch-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Two bars at 100 BPM at `rate`: a 440 Hz tone at 0.25 with a click (a
/// 3 kHz burst at 0.6 decaying over 5 ms, 15 ms long, like a drum's
/// attack) on each of the 8 beats, mono.
fn write_loop(path: &Path, rate: u32) {
    write_loop_channels(path, rate, 1);
}

/// [`write_loop`] with `channels` equal channels.
fn write_loop_channels(path: &Path, rate: u32, channels: u16) {
    let spec =
        hound::WavSpec { channels, sample_rate: rate, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let sr = f64::from(rate);
    let frames = (8.0 * 60.0 / LOOP_BPM * sr).round() as usize;
    let beat = 60.0 / LOOP_BPM;
    for i in 0..frames {
        let t = i as f64 / sr;
        let since_beat = t % beat;
        let mut x = 0.25 * (std::f64::consts::TAU * TONE * t).sin();
        if since_beat < 0.015 {
            x += 0.6 * (std::f64::consts::TAU * 3000.0 * since_beat).sin() * (-since_beat / 0.005).exp();
        }
        for _ in 0..channels {
            w.write_sample((x * 32767.0) as i16).unwrap();
        }
    }
    w.finalize().unwrap();
}

/// A kit at `bpm` whose pad 0 plays the loop as a tempo-synced loop of the
/// estimated length (the file is imported into a test cache), hit once
/// at the start of a two-bar pattern. With `marker`, pad 1 (the rim) is
/// hit at the start of bar 3 instead of the loop: the scheduler's bar 3.
fn project(file: &Path, bpm: f32, marker: bool) -> Project {
    let mut p = Project::new("stretch");
    p.tempo = bpm;
    dispatch(&mut p, Action::AddDrumKit { name: "kit".into() }).unwrap();
    let kit = InstrumentId(0);
    let Action::SetDrumPad { def, .. } = drums::sample_pad_action(kit, 0, file).unwrap() else { panic!() };
    let name = def.stored().unwrap().name.clone();
    let beats = estimate_loop_beats(def.seconds().unwrap(), bpm, &name);
    assert_eq!(beats, 8.0, "two bars from 100bpm in {name}");
    let def = DrumPad { loop_beats: Some(beats), ..def };
    dispatch(&mut p, Action::SetDrumPad { instrument: kit, pad: 0, def }).unwrap();
    dispatch(&mut p, Action::SetDrumPad { instrument: kit, pad: 1, def: DrumPad::voice(DrumVoice::Rim) }).unwrap();
    dispatch(
        &mut p,
        Action::AddDrumPattern { instrument: kit, name: "p".into(), steps: 64, resolution: StepResolution::Sixteenth },
    )
    .unwrap();
    let clip = *p.clips.keys().next().unwrap();
    let key = if marker { (32, 1) } else { (0, 0) };
    dispatch(&mut p, Action::SetDrumSteps { clip, steps: vec![(key, Some(DrumStep::default()))] }).unwrap();
    dispatch(&mut p, Action::AddPlacement { clip, start: 0, length: 4 * BAR }).unwrap();
    p
}

/// The rendered master's left channel.
fn render(p: &Project, dir: &Path) -> Vec<f32> {
    let o = RenderOptions { out_dir: dir.to_owned(), force: true, tail: Tail::Secs(0.5), ..RenderOptions::default() };
    render::render(p, &o, &AtomicBool::new(false), &mut |_| {}).unwrap();
    read_channel(&dir.join("master.wav"), 0)
}

/// First and one past the last frame above [`QUIET`].
fn sounding(s: &[f32]) -> (usize, usize) {
    let first = s.iter().position(|x| x.abs() > QUIET).expect("something sounds");
    let last = s.iter().rposition(|x| x.abs() > QUIET).unwrap();
    (first, last + 1)
}

/// Frames where a click starts: above 60 % of the loudest sample (the
/// tone alone reaches about 30 %), at least 100 ms after the last click.
fn clicks(s: &[f32]) -> Vec<usize> {
    let gap = RATE as usize / 10;
    let peak = s.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    let mut found: Vec<usize> = Vec::new();
    for (i, x) in s.iter().enumerate() {
        if x.abs() > 0.6 * peak && found.last().is_none_or(|&l| i - l > gap) {
            found.push(i);
        }
    }
    found
}

/// Pitch in cents from 440 Hz of the steady tone between beats 2 and 3
/// (clear of clicks) at `bpm`, from the render's start frame `a`.
fn cents_off(s: &[f32], a: usize, bpm: f64) -> f64 {
    let beat = 60.0 / bpm * f64::from(RATE);
    let from = a + (beat * 1.0 + 0.02 * f64::from(RATE)) as usize;
    let to = a + (beat * 2.0 - 0.01 * f64::from(RATE)) as usize;
    let pitch = estimate_pitch(&s[from..to], RATE).unwrap();
    1200.0 * (pitch.hz / TONE).log2()
}

fn cache() {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| imbolc_audio::sample_cache::set_cache_dir(Some(tempdir("cache"))));
}

/// Renders the loop at `bpm` from a file at `file_rate` with `channels`
/// channels and checks length, pitch and beats.
fn two_bars_at(bpm: f32, file_rate: u32, channels: u16) {
    cache();
    let dir = tempdir(&format!("at{bpm}-{file_rate}-{channels}"));
    let file = dir.join("loop_100bpm.wav");
    write_loop_channels(&file, file_rate, channels);
    let s = render(&project(&file, bpm, false), &dir.join("out"));
    let what = format!("{file_rate} Hz {channels} ch file at {bpm} BPM");
    let (a, b) = sounding(&s);
    let want = 8.0 * 60.0 / f64::from(bpm) * f64::from(RATE);
    let got = (b - a) as f64;
    eprintln!("{what}: {got} frames, want {want} (off {} frames)", got - want);
    assert!((got - want).abs() <= BLOCK, "{what}: lasted {got} frames, want {want} ± {BLOCK}");
    let cents = cents_off(&s, a, f64::from(bpm));
    eprintln!("{what}: pitch {cents:+.3} cents from 440 Hz");
    assert!(cents.abs() < 10.0, "{what}: pitch moved {cents:.1} cents");
    let found = clicks(&s[a..b]);
    assert_eq!(found.len(), 8, "{what}: a click on each of 8 beats: {found:?}");
    let beat = 60.0 / f64::from(bpm) * f64::from(RATE);
    let worst = found.iter().enumerate().map(|(k, &c)| (c as f64 - k as f64 * beat).abs()).fold(0.0, f64::max);
    eprintln!("{what}: clicks at most {worst} frames from the beats");
    assert!(worst < 0.002 * f64::from(RATE), "{what}: clicks off the beats by up to {worst} frames: {found:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_two_bar_loop_at_100_bpm_lasts_two_bars_at_125_with_its_pitch() {
    two_bars_at(125.0, 48_000, 1);
}

#[test]
fn slower_than_its_own_tempo_it_lasts_two_bars_at_80_bpm_with_its_pitch() {
    two_bars_at(80.0, 48_000, 1);
}

#[test]
fn a_stereo_loop_does_the_same() {
    two_bars_at(125.0, 48_000, 2);
}

#[test]
fn a_44_1_khz_loop_in_a_48_khz_render_does_the_same() {
    two_bars_at(125.0, 44_100, 1);
}

#[test]
fn a_loop_follows_a_tempo_lane() {
    cache();
    let dir = tempdir("lane");
    let file = dir.join("loop_100bpm.wav");
    write_loop(&file, 48_000);
    // 100 BPM for the first bar, then 125: half the loop at each.
    let lane = |p: &mut Project| {
        dispatch(p, Action::AddLane { target: ParamTarget::Tempo }).unwrap();
        let lane = *p.automation.keys().next().unwrap();
        for (tick, bpm) in [(0, 100.0), (BAR - 1, 100.0), (BAR, 125.0)] {
            dispatch(p, Action::SetAutomationPoint { lane, tick, value: bpm }).unwrap();
        }
    };
    let mut looped = project(&file, 100.0, false);
    lane(&mut looped);
    let s = render(&looped, &dir.join("loop"));
    let (a, b) = sounding(&s);
    // Where the scheduler put bar 3 under the same lane: a rim hit there.
    let mut marked = project(&file, 100.0, true);
    lane(&mut marked);
    let m = render(&marked, &dir.join("marker"));
    let (bar3, _) = sounding(&m);

    let got = (b - a) as f64;
    let ideal = (4.0 * 60.0 / 100.0 + 4.0 * 60.0 / 125.0) * f64::from(RATE);
    eprintln!(
        "tempo lane 100 -> 125 BPM at bar 2: loop {got} frames; ideal {ideal}; scheduler's bar 3 at {bar3}, loop ends at {b}"
    );
    // The loop's beat clock and the scheduler's both switch where the
    // window holding the lane's point starts, so the loop ends where the
    // scheduler puts bar 3, within one block (the /n_set tempo takes
    // effect on a block boundary).
    assert!((b as f64 - bar3 as f64).abs() <= BLOCK, "loop ended at {b}, the scheduler's bar 3 is at {bar3}");
    // Against the lane itself: the scheduler reads a tempo lane once per
    // window (50 ms), so the new tempo starts up to 50 ms late, when the
    // loop runs at 100 instead of 125 BPM: up to 50 ms × (1 − 100/125) =
    // 10 ms longer than the ideal.
    let slack = 0.05 * (1.0 - 100.0 / 125.0) * f64::from(RATE);
    assert!(got >= ideal - BLOCK && got <= ideal + slack + BLOCK, "lasted {got} frames, ideal {ideal} (+{slack})");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Live, on a private scsynth: a loop pad's hit is the stretch voice with
/// the graph's tempo, a tempo change reaches the playing voice through
/// the kit's voices group (polled with `/g_queryTree` until it shows, with
/// a deadline), and the voice then ends by itself.
#[test]
fn live_a_playing_loop_takes_a_tempo_change_and_ends_by_itself() {
    use std::time::{Duration, Instant};

    use imbolc_audio::backend::{AudioBackend, ScBackend, ServerOp, Timing};
    use imbolc_audio::engine::EngineConfig;
    use imbolc_audio::graph::SignalGraph;
    use imbolc_tests::{ScServer, test_config};
    use imbolc_types::{AudioScene, Instrument, InstrumentDef, MixerSettings, PadSound};
    use rosc::OscType;

    const WAIT: Duration = Duration::from_secs(10);
    let dir = tempdir("live");
    let file = dir.join("loop_100bpm.wav");
    write_loop(&file, 48_000);
    let sc = ScServer::start();
    let mut backend = ScBackend::new(sc.sender().try_clone_socket().unwrap());
    let mut def = InstrumentDef::drum_kit();
    if let Some(kit) = def.drums.as_mut() {
        kit.pads[0] = DrumPad {
            name: "loop".into(),
            sound: PadSound::Sample { path: file.display().to_string() },
            level: 1.0,
            pitch: 0.0,
            region: None,
            loop_beats: Some(8.0),
        };
    }
    let kit = InstrumentId(0);
    let scene = AudioScene {
        instruments: vec![Instrument { id: kit, name: "kit".into(), def, mixer: MixerSettings::default() }],
        tempo: 100.0,
        ..AudioScene::default()
    };
    let (mut graph, ops) = SignalGraph::build(EngineConfig::new(test_config()).graph_config(), &scene);
    backend.execute(Timing::Now, &ops).unwrap();
    let mut log = Vec::new();
    sc.collect_until(WAIT, &mut log, |m| {
        m.addr == "/done" && matches!(m.args.first(), Some(OscType::String(s)) if s == "/b_allocRead")
    })
    .expect("the loop was read");

    let (node, hit) = graph.drum_hit(kit, 0, 0.8, 0.0).unwrap();
    let ServerOp::SynthNew { def, .. } = &hit else { panic!("{hit:?}") };
    assert_eq!(*def, "imbolc_stretch");
    backend.execute(Timing::Now, &[hit]).unwrap();
    sc.collect_until(WAIT, &mut log, |m| m.addr == "/n_go" && m.args.first() == Some(&OscType::Int(node.0)))
        .expect("the loop started");
    let tempo_of = |sc: &ScServer| {
        let tree = sc.query_tree();
        let n = tree.find(node.0)?;
        n.controls.iter().find(|(c, _)| c == "tempo").map(|(_, v)| *v)
    };
    assert_eq!(tempo_of(&sc), Some(100.0));

    // 240 BPM: the 8 beats end within 2 s instead of 4.8 s.
    let ops = graph.set_tempo(240.0);
    assert_eq!(ops.len(), 1, "one /n_set for the kit: {ops:?}");
    backend.execute(Timing::Now, &ops).unwrap();
    let deadline = Instant::now() + WAIT;
    while tempo_of(&sc) == Some(100.0) && Instant::now() < deadline {
        std::thread::yield_now();
    }
    let now = tempo_of(&sc);
    assert!(now.is_none() || now == Some(240.0), "the playing loop follows: {now:?}");
    sc.collect_until(WAIT, &mut log, |m| m.addr == "/n_end" && m.args.first() == Some(&OscType::Int(node.0)))
        .expect("the loop ended by itself");
    let fails: Vec<_> = log.iter().filter(|m| m.addr == "/fail").collect();
    assert!(fails.is_empty(), "the server refused: {fails:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A pure 440 Hz loop stretched to 125, 100 and 80 BPM has no clicks: its
/// largest sample-to-sample step stays within 2× that of a 440 Hz sine of
/// the output's own peak (the slice crossfades' gains sum to 1, and a
/// slowed slice's ping-pong turns without a jump).
#[test]
fn a_stretched_tone_has_no_clicks() {
    cache();
    let dir = tempdir("smooth");
    let file = dir.join("tone_100bpm.wav");
    let spec =
        hound::WavSpec { channels: 1, sample_rate: RATE, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut w = hound::WavWriter::create(&file, spec).unwrap();
    for i in 0..(4.8 * f64::from(RATE)) as usize {
        let x = 0.25 * (std::f64::consts::TAU * TONE * i as f64 / f64::from(RATE)).sin();
        w.write_sample((x * 32767.0) as i16).unwrap();
    }
    w.finalize().unwrap();
    for bpm in [125.0f32, 100.0, 80.0] {
        let s = render(&project(&file, bpm, false), &dir.join(format!("out{bpm}")));
        let (a, b) = sounding(&s);
        // Leave out the first millisecond and the final 5 ms fade.
        let body = &s[a + 48..b - 240];
        let peak = body.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        let sine_step = f64::from(peak) * 2.0 * (std::f64::consts::PI * TONE / f64::from(RATE)).sin();
        let step = body.windows(2).map(|w| f64::from((w[1] - w[0]).abs())).fold(0.0, f64::max);
        eprintln!("pure tone at {bpm} BPM: largest step {:.3}× a 440 Hz sine's of the same peak", step / sine_step);
        assert!(step <= 2.0 * sine_step, "a click at {bpm} BPM: step {step:.5}, the sine's {sine_step:.5}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
