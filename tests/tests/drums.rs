//! Drums on a real scsynth.
//!
//! - Every built-in drum voice, started through `VoiceAllocator::trigger`
//!   with `SignalGraph::one_shot_on`, must start (`/n_go`) and end by itself
//!   (`/n_end`, no gate ever sent), after which the allocator counts no
//!   voice and the tree holds none.
//! - A pattern (kick 1/5/9/13, snare 5/13, hats on 8ths) at 120 BPM played
//!   by the engine: every hit's bundle is timed exactly at its step (from
//!   the engine's tap and the transport's tempo anchor), none missing or
//!   doubled, every hit starts and ends on the server; with swing 50 % the
//!   off-beat 16ths move by half a step and on-beats do not.
//! - A sample pad: a WAV written here is checked, loaded (`/b_allocRead`,
//!   `/b_info` shows its frames), played, freed, and a missing file is a
//!   `/fail` the engine survives.
//! - A stored sample pad (the sample store): imported, its source file
//!   deleted, the server reads it from the content-addressed cache file.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::time::{Duration, Instant};

use imbolc_audio::backend::{AudioBackend, NodeId, ScBackend, ServerOp, Timing};
use imbolc_audio::engine::EngineConfig;
use imbolc_audio::graph::SignalGraph;
use imbolc_audio::synthdefs::DRUM_VOICES;
use imbolc_audio::voices::{VoiceAllocator, VoiceConfig};
use imbolc_tests::{ScServer, test_config};
use imbolc_types::catalog::SourceKind;
use imbolc_types::{AudioScene, Instrument, InstrumentDef, InstrumentId, MixerSettings, VoiceSettings};
use rosc::{OscMessage, OscType};

const KIT: InstrumentId = InstrumentId(0);
/// Drum voices are short (the open hat rings longest, about a second).
const RING_OUT: Duration = Duration::from_secs(5);

fn node_of(m: &OscMessage) -> Option<i32> {
    match m.args.first() {
        Some(OscType::Int(i)) => Some(*i),
        _ => None,
    }
}

#[test]
fn every_drum_voice_starts_and_ends_by_itself_and_none_is_left() {
    let sc = ScServer::start();
    let mut backend = ScBackend::new(sc.sender().try_clone_socket().unwrap());
    let kit = Instrument {
        id: KIT,
        name: "kit".into(),
        def: InstrumentDef::new(SourceKind::SINE),
        mixer: MixerSettings::default(),
    };
    let scene = AudioScene { instruments: vec![kit], ..AudioScene::default() };
    let (mut graph, ops) = SignalGraph::build(EngineConfig::new(test_config()).graph_config(), &scene);
    backend.execute(Timing::Now, &ops).unwrap();
    let mut alloc = VoiceAllocator::new(VoiceConfig::default());
    alloc.set_settings(KIT, VoiceSettings::default(), &mut Vec::new());

    // Two hits of each drum voice, one bundle per hit.
    let mut started = Vec::new();
    for round in 0..2 {
        for (pad, def) in DRUM_VOICES.iter().enumerate() {
            let mut out = Vec::new();
            let controls = [("vel", 0.8), ("amp", 0.5), ("pitch", f32::from(round as u8))];
            alloc.trigger(KIT, 36 + pad as u8, 100, || graph.one_shot_on(KIT, def, &controls), &mut out).unwrap();
            let ServerOp::SynthNew { id, .. } = out[0] else { panic!("{out:?}") };
            started.push(id);
            backend.execute(Timing::Now, &out).unwrap();
        }
    }
    let mut released = Vec::new();
    alloc.release_everything(&mut released);
    assert!(released.is_empty(), "one-shots are never gated");
    assert_eq!(alloc.total(), started.len(), "counted until their end");

    let mut log = Vec::new();
    let mut go = HashSet::new();
    let mut end = HashSet::new();
    let deadline = Instant::now() + RING_OUT;
    let all: HashSet<i32> = started.iter().map(|n| n.0).collect();
    while end.len() < all.len() && Instant::now() < deadline {
        let left = deadline.saturating_duration_since(Instant::now());
        let Some(m) = sc.collect_until(left, &mut log, |m| m.addr == "/n_end" || m.addr == "/n_go") else { break };
        let Some(node) = node_of(&m).filter(|n| all.contains(n)) else { continue };
        if m.addr == "/n_go" {
            go.insert(node);
        } else {
            end.insert(node);
            alloc.on_node_end(NodeId(node));
        }
    }
    let fails: Vec<&OscMessage> = log.iter().filter(|m| m.addr == "/fail").collect();
    assert!(fails.is_empty(), "the server refused: {fails:?}");
    assert_eq!(go, all, "every hit started");
    assert_eq!(end, all, "every hit ended by itself within {RING_OUT:?}");
    assert_eq!(alloc.total(), 0);
    let tree = sc.query_tree();
    let left: Vec<_> =
        tree.walk().into_iter().filter(|n| n.def.as_deref().is_some_and(|d| d.starts_with("imbolc_drum"))).collect();
    assert!(left.is_empty(), "drum synths left: {left:?}");
    eprintln!("{} drum hits ({} voices × 2): all started and ended by themselves", all.len(), DRUM_VOICES.len());
}

// --- a pattern through the engine -------------------------------------------

mod pattern {
    use std::collections::{HashMap, HashSet};
    use std::time::{Duration, Instant, SystemTime};

    use crossbeam_channel::Receiver;
    use imbolc_audio::backend::{ServerOp, Timetag, Timing};
    use imbolc_audio::engine::{AudioHandle, EngineFeedback, TapEvent, TempoAnchor};
    use imbolc_audio::scheduler::PlayMode;
    use imbolc_audio::server::JackMode;
    use imbolc_tests::engine::tapped_engine;
    use imbolc_tests::{TreeNode, tagged_servers};
    use imbolc_types::{
        AudioDiff, AudioScene, Clip, ClipId, DrumPattern, DrumStep, Instrument, InstrumentDef, InstrumentId,
        MixerSettings, StepDelta, StepResolution, TICKS_PER_QUARTER,
    };

    const KIT: InstrumentId = InstrumentId(0);
    const BEAT: ClipId = ClipId(1);
    const KICK: u8 = 0;
    const SNARE: u8 = 1;
    const HAT: u8 = 3;
    const SIXTEENTH: f64 = (TICKS_PER_QUARTER / 4) as f64;
    const WAIT: Duration = Duration::from_secs(5);
    /// Timetags are NTP fixed point (2^-32 s); "exact" allows rounding.
    const EXACT: f64 = 1e-6;

    fn def_of_pad(pad: u8) -> &'static str {
        match pad {
            KICK => "imbolc_drum_kick",
            SNARE => "imbolc_drum_snare",
            HAT => "imbolc_drum_hat_closed",
            _ => "?",
        }
    }

    /// Pads expected at pattern step `s` (0-based).
    fn pads_at(s: u64, hats_on_16ths: bool) -> Vec<u8> {
        let mut pads = Vec::new();
        if s.is_multiple_of(4) {
            pads.push(KICK);
        }
        if s == 4 || s == 12 {
            pads.push(SNARE);
        }
        if s.is_multiple_of(2) || hats_on_16ths {
            pads.push(HAT);
        }
        pads
    }

    fn scene() -> AudioScene {
        let kit =
            Instrument { id: KIT, name: "kit".into(), def: InstrumentDef::drum_kit(), mixer: MixerSettings::default() };
        let mut p = DrumPattern::new(16, StepResolution::Sixteenth);
        for s in 0..16u8 {
            for pad in pads_at(u64::from(s), false) {
                p.hits.insert((s, pad), DrumStep::default());
            }
        }
        let clip = Clip {
            id: BEAT,
            name: "beat".into(),
            instrument: KIT,
            length: p.length_ticks(),
            looping: true,
            notes: Default::default(),
            drums: Some(p),
            audio: None,
        };
        AudioScene { instruments: vec![kit], clips: vec![clip], tempo: 120.0, ..AudioScene::default() }
    }

    fn secs_between(a: Timetag, b: Timetag) -> f64 {
        let fixed = |t: Timetag| (i128::from(t.seconds) << 32) | i128::from(t.fraction);
        (fixed(b) - fixed(a)) as f64 / 4_294_967_296.0
    }

    fn spt(bpm: f32) -> f64 {
        60.0 / (f64::from(bpm) * f64::from(TICKS_PER_QUARTER))
    }

    #[derive(Default)]
    struct Tap {
        /// (timetag, def, node) of every drum synth started.
        hits: Vec<(Timetag, &'static str, i32)>,
        go: HashSet<i32>,
        end: HashSet<i32>,
    }

    impl Tap {
        fn drain(&mut self, rx: &Receiver<TapEvent>, for_at_most: Duration) {
            let deadline = Instant::now() + for_at_most;
            while let Ok(event) = rx.recv_deadline(deadline) {
                self.record(event);
            }
        }

        fn record(&mut self, event: TapEvent) {
            match event {
                TapEvent::Sent { timing, ops, .. } => {
                    for op in ops {
                        if let ServerOp::SynthNew { def, id, .. } = op
                            && def.starts_with("imbolc_drum")
                        {
                            let Timing::At(t) = timing else { panic!("untimed drum hit {def}") };
                            self.hits.push((t, def, id.0));
                        }
                    }
                }
                TapEvent::Go(node) => _ = self.go.insert(node.0),
                TapEvent::End(node) => _ = self.end.insert(node.0),
            }
        }
    }

    fn wait_feedback(audio: &mut AudioHandle, done: impl Fn(&EngineFeedback) -> bool) -> EngineFeedback {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let f = audio.feedback();
            if done(f) {
                return f.clone();
            }
            assert!(Instant::now() < deadline, "feedback never got there: {:?}", f.transport);
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Plays the pattern from its start for `loops` passes, stops, and
    /// returns the tempo line, the wall time of the stop and the tap.
    fn play_loops(audio: &mut AudioHandle, rx: &Receiver<TapEvent>, loops: usize) -> (TempoAnchor, Timetag, Tap) {
        let mut tap = Tap::default();
        tap.drain(rx, Duration::from_millis(50));
        let mut tap = Tap::default();
        audio.play().unwrap();
        let playing = wait_feedback(audio, |f| f.transport.playing && f.transport.anchor.is_some());
        let anchor = playing.transport.anchor.unwrap();
        let mut wraps = 0;
        let mut last = audio.transport_state().tick;
        while wraps < loops {
            tap.drain(rx, Duration::from_millis(20));
            let tick = audio.transport_state().tick;
            if tick < last {
                wraps += 1;
            }
            last = tick;
        }
        let stop_wall = Timetag::from_system_time(SystemTime::now());
        audio.stop().unwrap();
        wait_feedback(audio, |f| !f.transport.playing && f.transport.voices == 0);
        tap.drain(rx, Duration::from_millis(300));
        (anchor, stop_wall, tap)
    }

    /// Checks every hit against the grid: each at its step's exact time
    /// (plus `swing` steps on odd steps), the right pads, none doubled,
    /// none missing before the stop. Returns the number of hits.
    fn check_hits(anchor: &TempoAnchor, stop_wall: Timetag, tap: &Tap, swing: f64, hats_on_16ths: bool) -> usize {
        let origin = anchor.timetag;
        let spt = spt(anchor.bpm);
        let step_time = |k: u64| {
            let s = k % 16;
            let delay = if s % 2 == 1 { swing * SIXTEENTH } else { 0.0 };
            (k as f64 * SIXTEENTH + delay - anchor.play_tick) * spt
        };
        let mut seen: HashMap<(u64, &str), usize> = HashMap::new();
        for (t, def, node) in &tap.hits {
            let at = secs_between(origin, *t);
            let k = (at / spt + anchor.play_tick) / SIXTEENTH;
            let k = if swing > 0.0 && (k - swing).round() as u64 % 2 == 1 { (k - swing).round() } else { k.round() };
            let k = k.max(0.0) as u64;
            let error = at - step_time(k);
            assert!(error.abs() < EXACT, "{def} node {node}: {error:+.9} s off step {k}");
            let want: Vec<&str> = pads_at(k % 16, hats_on_16ths).into_iter().map(def_of_pad).collect();
            assert!(want.contains(def), "{def} at step {k}, expected only {want:?}");
            *seen.entry((k, *def)).or_default() += 1;
        }
        let doubled: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
        assert!(doubled.is_empty(), "doubled hits: {doubled:?}");
        let stop_secs = secs_between(origin, stop_wall);
        let due = (0..).take_while(|&k| step_time(k) < stop_secs).count() as u64;
        assert!(due >= 16, "at least one loop was due ({due} steps)");
        for k in 0..due {
            for pad in pads_at(k % 16, hats_on_16ths) {
                assert!(seen.contains_key(&(k, def_of_pad(pad))), "missing {} at step {k}", def_of_pad(pad));
            }
        }
        let nodes: HashSet<i32> = tap.hits.iter().map(|(_, _, n)| *n).collect();
        let not_started: Vec<_> = nodes.difference(&tap.go).collect();
        let not_ended: Vec<_> = nodes.difference(&tap.end).collect();
        assert!(not_started.is_empty(), "hits never started: {not_started:?}");
        assert!(not_ended.is_empty(), "hits never ended: {not_ended:?}");
        tap.hits.len()
    }

    /// The demo song in song mode on a real server: its scene builds, and
    /// a few bars play notes and drum hits without a single refusal.
    #[test]
    fn the_demo_song_plays_without_a_refusal() {
        let tag = format!("demo-{}", std::process::id());
        let (mut audio, tap_rx, _) = tapped_engine(&tag, JackMode::Dummy);
        let demo = imbolc_core::demo::demo_project();
        audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(demo.audio_scene()))]).unwrap();
        let tree = audio.request_tree().unwrap().recv_timeout(WAIT).expect("no tree");
        TreeNode::parse(&tree).expect("tree");
        audio.play().unwrap();
        wait_feedback(&mut audio, |f| f.transport.playing);
        let mut tap = Tap::default();
        let mut notes = 0;
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            let event = tap_rx.recv_timeout(Duration::from_millis(20));
            if let Ok(TapEvent::Sent { ops, .. }) = &event {
                notes += ops
                    .iter()
                    .filter(|op| matches!(op, ServerOp::SynthNew { def, .. } if !def.starts_with("imbolc_drum")))
                    .count();
            }
            if let Ok(event) = event {
                tap.record(event);
            }
        }
        audio.stop().unwrap();
        wait_feedback(&mut audio, |f| !f.transport.playing);
        tap.drain(&tap_rx, Duration::from_millis(300));
        let counters = audio.counters();
        assert_eq!((counters.fails, counters.mismatches), (0, 0), "{counters:?}");
        assert!(tap.hits.len() >= 20, "drum hits in 3 s at 118 BPM: {}", tap.hits.len());
        assert!(notes >= 10, "bass and pad notes: {notes}");
        eprintln!("demo song, 3 s on scsynth: {} drum hits, {notes} notes, no /fail", tap.hits.len());
        audio.shutdown();
        assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "scsynth/jackd left running after shutdown");
    }

    #[test]
    fn a_pattern_plays_every_hit_on_its_step_and_swing_moves_only_off_beats() {
        let tag = format!("drums-{}", std::process::id());
        let (mut audio, tap_rx, _) = tapped_engine(&tag, JackMode::Dummy);
        audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(scene()))]).unwrap();
        let tree = audio.request_tree().unwrap().recv_timeout(WAIT).expect("no tree");
        TreeNode::parse(&tree).expect("tree");
        audio.set_mode(PlayMode::Pattern(BEAT)).unwrap();

        // Straight: two loops.
        let (anchor, stop, tap) = play_loops(&mut audio, &tap_rx, 2);
        assert_eq!(anchor.bpm, 120.0);
        let straight = check_hits(&anchor, stop, &tap, 0.0, false);

        // Hats on every 16th and swing 50 %: odd steps move by half a step.
        let hats = (0..16u8).filter(|s| s % 2 == 1).map(|s| ((s, HAT), DrumStep::default())).collect();
        audio
            .send_diffs(vec![
                AudioDiff::DrumStepsChanged { clip: BEAT, delta: StepDelta { set: hats, cleared: vec![] } },
                AudioDiff::DrumPatternChanged {
                    clip: BEAT,
                    steps: 16,
                    resolution: StepResolution::Sixteenth,
                    swing: 0.5,
                },
            ])
            .unwrap();
        let (anchor, stop, tap) = play_loops(&mut audio, &tap_rx, 1);
        let swung = check_hits(&anchor, stop, &tap, 0.5, true);
        let moved = tap
            .hits
            .iter()
            .filter(|(t, _, _)| {
                let k = secs_between(anchor.timetag, *t) / spt(anchor.bpm) / SIXTEENTH;
                (k - k.floor() - 0.5).abs() < 1e-3
            })
            .count();
        assert!(moved >= 8, "off-beat hats moved half a step ({moved})");

        let counters = audio.counters();
        assert_eq!((counters.fails, counters.mismatches, counters.dropped), (0, 0, 0), "{counters:?}");
        eprintln!(
            "pattern at 120 BPM: {straight} straight hits over 2 loops and {swung} swung hits ({moved} moved by \
             31.25 ms), all timetags within {EXACT} s of their steps, all started and ended"
        );
        audio.shutdown();
        assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "scsynth/jackd left running after shutdown");
    }
}

// --- a sample pad ------------------------------------------------------------

mod sample {
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    use imbolc_audio::backend::{AudioBackend, NodeId, ScBackend, ServerOp, Timing};
    use imbolc_audio::engine::EngineConfig;
    use imbolc_audio::graph::SignalGraph;
    use imbolc_audio::samples::{SampleError, check_sample};
    use imbolc_audio::voices::{VoiceAllocator, VoiceConfig};
    use imbolc_tests::{ScServer, test_config};
    use imbolc_types::{
        AudioDiff, AudioScene, DrumPad, DrumVoice, Instrument, InstrumentDef, InstrumentId, MixerSettings, PadSound,
        VoiceSettings,
    };
    use rosc::{OscMessage, OscType};

    const KIT: InstrumentId = InstrumentId(0);
    const FRAMES: u32 = 12_000;
    const WAIT: Duration = Duration::from_secs(5);

    /// A quarter second of a 220 Hz sine at 48 kHz, `channels` channels.
    fn write_wav(path: &Path, channels: u16) {
        let spec = hound::WavSpec {
            channels,
            sample_rate: 48_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for i in 0..FRAMES {
            let v = (f64::from(i) * 220.0 * std::f64::consts::TAU / 48_000.0).sin() * 0.5;
            for _ in 0..channels {
                w.write_sample((v * f64::from(i16::MAX)) as i16).unwrap();
            }
        }
        w.finalize().unwrap();
    }

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("imbolc-drums-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    fn int(m: &OscMessage, i: usize) -> i32 {
        match m.args.get(i) {
            Some(OscType::Int(v)) => *v,
            other => panic!("{m:?}: arg {i} is {other:?}"),
        }
    }

    fn pad(path: &Path) -> DrumPad {
        DrumPad {
            name: "tone".into(),
            sound: PadSound::Sample { path: path.display().to_string() },
            level: 1.0,
            pitch: 0.0,
            region: None,
            loop_beats: None,
        }
    }

    /// `/b_info`'s frames and channels for `buf`.
    fn buffer_info(sc: &ScServer, buf: u32) -> (i32, i32) {
        sc.send("/b_query", vec![OscType::Int(buf as i32)]);
        let info = sc.wait_for(WAIT, |m| m.addr == "/b_info" && int(m, 0) == buf as i32).expect("no /b_info");
        (int(&info, 1), int(&info, 2))
    }

    #[test]
    fn a_sample_pad_loads_plays_and_frees_its_file_and_bad_files_are_clear_errors() {
        let mono = temp("tone.wav");
        write_wav(&mono, 1);
        assert_eq!(check_sample(&mono).unwrap().channels, 1);
        let six = temp("six.wav");
        write_wav(&six, 6);
        let err = check_sample(&six).unwrap_err();
        assert!(matches!(err, SampleError::Channels { channels: 6, .. }), "{err}");
        let missing = temp("missing.wav");
        let err = check_sample(&missing).unwrap_err();
        assert!(err.to_string().contains("missing.wav"), "{err}");

        let sc = ScServer::start();
        let mut backend = ScBackend::new(sc.sender().try_clone_socket().unwrap());
        let mut def = InstrumentDef::drum_kit();
        if let Some(kit) = def.drums.as_mut() {
            kit.pads[0] = pad(&mono);
        }
        let kit = Instrument { id: KIT, name: "kit".into(), def, mixer: MixerSettings::default() };
        let scene = AudioScene { instruments: vec![kit], ..AudioScene::default() };
        let (mut graph, ops) = SignalGraph::build(EngineConfig::new(test_config()).graph_config(), &scene);
        assert!(ops.iter().any(|op| matches!(op, ServerOp::BufferAllocRead { .. })));
        backend.execute(Timing::Now, &ops).unwrap();
        let mut log = Vec::new();
        sc.collect_until(WAIT, &mut log, |m| {
            m.addr == "/done" && matches!(m.args.first(), Some(OscType::String(s)) if s == "/b_allocRead")
        })
        .expect("the buffer was read");
        let buf = graph.sample_buffer(KIT, 0).unwrap();
        assert_eq!(buffer_info(&sc, buf), (FRAMES as i32, 1), "the whole file, mono");

        // A hit plays the sampler on that buffer and ends by itself.
        let mut alloc = VoiceAllocator::new(VoiceConfig::default());
        alloc.set_settings(KIT, VoiceSettings::default(), &mut Vec::new());
        let mut out = Vec::new();
        alloc.trigger(KIT, 0, 100, || graph.drum_hit(KIT, 0, 0.8, 0.0), &mut out).unwrap();
        let ServerOp::SynthNew { id, def, .. } = &out[0] else { panic!("{out:?}") };
        assert_eq!(*def, "imbolc_sampler");
        let node = id.0;
        backend.execute(Timing::Now, &out).unwrap();
        sc.collect_until(WAIT, &mut log, |m| m.addr == "/n_go" && int(m, 0) == node).expect("the hit started");
        sc.collect_until(WAIT, &mut log, |m| m.addr == "/n_end" && int(m, 0) == node).expect("the hit ended");
        alloc.on_node_end(NodeId(node));
        assert_eq!(alloc.total(), 0);

        // Back to a drum voice: the buffer is freed.
        let ops = graph
            .apply(&AudioDiff::DrumPadChanged { instrument: KIT, pad: 0, def: DrumPad::voice(DrumVoice::Kick) })
            .unwrap();
        assert_eq!(ops, vec![ServerOp::BufferFree { buf }]);
        backend.execute(Timing::Now, &ops).unwrap();
        sc.collect_until(WAIT, &mut log, |m| {
            m.addr == "/done" && matches!(m.args.first(), Some(OscType::String(s)) if s == "/b_free")
        })
        .expect("the buffer was freed");
        assert_eq!(buffer_info(&sc, buf).0, 0, "freed");
        let fails: Vec<&OscMessage> = log.iter().filter(|m| m.addr == "/fail").collect();
        assert!(fails.is_empty(), "the server refused: {fails:?}");

        // A file gone by the time the server reads it: a /fail naming it,
        // and the pad's hits still start and end (silent), nothing crashes.
        let ops = graph.apply(&AudioDiff::DrumPadChanged { instrument: KIT, pad: 1, def: pad(&missing) }).unwrap();
        backend.execute(Timing::Now, &ops).unwrap();
        let fail = sc.collect_until(WAIT, &mut log, |m| m.addr == "/fail").expect("a /fail for the missing file");
        assert!(format!("{:?}", fail.args).contains("/b_allocRead"), "{fail:?}");
        let mut out = Vec::new();
        alloc.trigger(KIT, 1, 100, || graph.drum_hit(KIT, 1, 0.8, 0.0), &mut out).unwrap();
        let ServerOp::SynthNew { id, .. } = &out[0] else { panic!("{out:?}") };
        let node = id.0;
        backend.execute(Timing::Now, &out).unwrap();
        sc.collect_until(WAIT, &mut log, |m| m.addr == "/n_end" && int(m, 0) == node).expect("the silent hit ended");
        let _ = std::fs::remove_dir_all(mono.parent().unwrap());
        eprintln!("sample pad: {FRAMES} frames loaded, played, freed; missing file reported: {:?}", fail.args);
    }

    #[test]
    fn a_stored_pad_loads_from_the_cache_with_its_source_file_gone() {
        let cache = temp("cache");
        imbolc_audio::sample_cache::set_cache_dir(Some(cache.clone()));
        let src = temp("stored.wav");
        write_wav(&src, 2);
        let sample = imbolc_core::store::import_sample(&src).unwrap();
        std::fs::remove_file(&src).unwrap();
        assert_eq!((sample.channels, sample.frames), (2, u64::from(FRAMES)));

        let sc = ScServer::start();
        let mut backend = ScBackend::new(sc.sender().try_clone_socket().unwrap());
        let mut def = InstrumentDef::drum_kit();
        if let Some(kit) = def.drums.as_mut() {
            kit.pads[3] = DrumPad {
                name: "stored".into(),
                sound: PadSound::Stored(sample),
                level: 1.0,
                pitch: 0.0,
                region: None,
                loop_beats: None,
            };
        }
        let kit = Instrument { id: KIT, name: "kit".into(), def, mixer: MixerSettings::default() };
        let scene = AudioScene { instruments: vec![kit], ..AudioScene::default() };
        let (graph, ops) = SignalGraph::build(EngineConfig::new(test_config()).graph_config(), &scene);
        let read = ops.iter().find_map(|op| match op {
            ServerOp::BufferAllocRead { path, .. } => Some(path.clone()),
            _ => None,
        });
        let read = read.expect("the pad's buffer is read");
        assert!(read.starts_with(cache.to_str().unwrap()), "read from the cache: {read}");
        backend.execute(Timing::Now, &ops).unwrap();
        let mut log = Vec::new();
        sc.collect_until(WAIT, &mut log, |m| {
            m.addr == "/done" && matches!(m.args.first(), Some(OscType::String(s)) if s == "/b_allocRead")
        })
        .expect("the buffer was read");
        let buf = graph.sample_buffer(KIT, 3).unwrap();
        assert_eq!(buffer_info(&sc, buf), (FRAMES as i32, 2), "the whole sample, stereo, from the cache");
        let fails: Vec<&OscMessage> = log.iter().filter(|m| m.addr == "/fail").collect();
        assert!(fails.is_empty(), "the server refused: {fails:?}");
    }
}
