//! Audio input instruments on a real scsynth (the engine on a realtime
//! dummy JACK server): a 1 kHz sine at −12 dBFS fed into the input reads
//! −18 dBFS after a −6 dB gain effect, −21.01 dBFS at the strip meter
//! with the strip's centre pan law (−3.01 dB) at level 1, both (a) through
//! scsynth's hardware inputs, fed by its own outputs with `jack_connect`
//! (the master is muted, so only the test sine reaches the outputs and
//! nothing feeds back), and (b) from an aux bus. Monitoring off changes
//! only the input node's `monitor` control and silences the strip.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::UdpSocket;
use std::process::Command;
use std::time::{Duration, Instant};

use imbolc_audio::engine::AudioHandle;
use imbolc_audio::server::JackMode;
use imbolc_tests::engine::{engine_tree, scsynth_port, tapped_engine, wait_feedback};
use imbolc_tests::recording::RealtimeJack;
use imbolc_types::catalog::EffectKind;
use imbolc_types::{
    AudioDiff, AudioInputDef, AudioScene, Bus, BusId, EffectId, EffectSlot, InputSource, Instrument, InstrumentDef,
    InstrumentId, MasterSettings, MixerSettings,
};
use rosc::{OscMessage, OscPacket, OscType};

const INPUT: InstrumentId = InstrumentId(0);
const AUX: BusId = BusId(0);
const WAIT: Duration = Duration::from_secs(10);
const SINE_DEF: &[u8] = include_bytes!("../synthdefs/compiled/imbolc_test_sine.scsyndef");
/// Node id of the test sine (far above the engine's).
const SINE_NODE: i32 = 2_000_000_000;
/// The fed signal and the gain effect, dB.
const FED_DBFS: f32 = -12.0;
const GAIN_DB: f32 = -6.0;
/// The strip's pan law at centre: `Balance2` passes each side at
/// sqrt(1/2), −3.01 dB (the strip's level is set to 1).
const PAN_LAW_DB: f32 = -3.0103;

fn scene(source: InputSource) -> AudioScene {
    let mut def = InstrumentDef::audio_input(AudioInputDef { source, ..AudioInputDef::default() });
    let gain = EffectKind::from_id("gain").expect("the gain effect");
    let mut slot = EffectSlot::new(EffectId(0), gain);
    slot.params.insert("gain".into(), GAIN_DB);
    def.effects.push(slot);
    let mixer = MixerSettings { level: 1.0, ..MixerSettings::default() };
    let input = Instrument { id: INPUT, name: "input".into(), def, mixer };
    let aux = Bus { id: AUX, name: "aux".into(), effects: Vec::new(), mixer: MixerSettings::default() };
    AudioScene {
        instruments: vec![input],
        buses: vec![aux],
        // Muted: the outputs carry only the test sine, so feeding them
        // back into the inputs makes no loop.
        master: MasterSettings { mute: true, ..MasterSettings::default() },
        ..AudioScene::default()
    }
}

/// A socket of our own to the engine's scsynth.
struct Raw {
    socket: UdpSocket,
    port: u16,
}

impl Raw {
    fn new(port: u16) -> Raw {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        Raw { socket, port }
    }

    fn send(&self, addr: &str, args: Vec<OscType>) {
        let packet = OscPacket::Message(OscMessage { addr: addr.into(), args });
        self.socket.send_to(&rosc::encoder::encode(&packet).unwrap(), ("127.0.0.1", self.port)).unwrap();
    }

    /// Loads the sine def and starts it at the head of the root group
    /// writing stereo bus `out` at `FED_DBFS`.
    fn sine(&self, out: i32) {
        self.send("/d_recv", vec![OscType::Blob(SINE_DEF.to_vec())]);
        let deadline = Instant::now() + WAIT;
        let mut buf = vec![0u8; 65_536];
        loop {
            assert!(Instant::now() < deadline, "no /done for /d_recv");
            let Ok((n, _)) = self.socket.recv_from(&mut buf) else { continue };
            let Ok((_, OscPacket::Message(m))) = rosc::decoder::decode_udp(&buf[..n]) else { continue };
            if m.addr == "/done" {
                break;
            }
            assert_ne!(m.addr, "/fail", "{:?}", m.args);
        }
        let amp = 10f32.powf(FED_DBFS / 20.0);
        self.send(
            "/s_new",
            vec![
                OscType::String("imbolc_test_sine".into()),
                OscType::Int(SINE_NODE),
                OscType::Int(0),
                OscType::Int(0),
                OscType::String("out".into()),
                OscType::Int(out),
                OscType::String("freq".into()),
                OscType::Float(1000.0),
                OscType::String("amp".into()),
                OscType::Float(amp),
            ],
        );
    }
}

/// Connects scsynth's outputs 1-2 to its inputs 1-2 on JACK server `jack`.
fn loop_back(jack: &str) {
    for ch in 1..=2 {
        let status = Command::new("jack_connect")
            .args([format!("SuperCollider:out_{ch}"), format!("SuperCollider:in_{ch}")])
            .env("JACK_DEFAULT_SERVER", jack)
            .env("JACK_NO_START_SERVER", "1")
            .status()
            .expect("jack_connect (jackd2's tools)");
        assert!(status.success(), "jack_connect out_{ch} -> in_{ch} failed");
    }
}

/// Waits until the input strip's meter has read within 0.5 dB of
/// `FED_DBFS + GAIN_DB + PAN_LAW_DB` on five replies in a row; returns
/// the last peak.
fn settled_peak(audio: &mut AudioHandle) -> f32 {
    let want = FED_DBFS + GAIN_DB + PAN_LAW_DB;
    let start = audio.feedback().meters.instrument(INPUT).map_or(0, |m| m.updates);
    let mut in_range_since: Option<u64> = None;
    let deadline = Instant::now() + 3 * WAIT;
    loop {
        let meter = audio.feedback().meters.instrument(INPUT).copied().unwrap_or_default();
        if meter.updates > start {
            if (meter.peak_dbfs() - want).abs() <= 0.5 {
                let since = *in_range_since.get_or_insert(meter.updates);
                if meter.updates >= since + 5 {
                    return meter.peak_dbfs();
                }
            } else {
                in_range_since = None;
            }
        }
        assert!(Instant::now() < deadline, "the input strip never read {want} dBFS: {meter:?}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A node of the tree: id, SynthDef, controls.
type NodeState = (i32, Option<String>, Vec<(String, f32)>);

/// Every node of the engine's tree with its SynthDef and controls.
fn nodes(audio: &AudioHandle) -> Vec<NodeState> {
    let tree = engine_tree(audio);
    tree.walk().into_iter().map(|n| (n.id, n.def.clone(), n.controls.clone())).collect()
}

/// Turns monitoring off: on the server only the input node's `monitor`
/// changes (every other node and control is as before; the graph's unit
/// tests show it is one `/n_set`), and the strip falls silent.
fn monitoring_off_silences(audio: &mut AudioHandle, source: InputSource, node: i32) {
    let before = nodes(audio);
    let input = AudioInputDef { source, monitor: false, ..AudioInputDef::default() };
    audio.send_diffs(vec![AudioDiff::AudioInputChanged { instrument: INPUT, input }]).unwrap();
    let after = nodes(audio);
    assert_eq!(before.len(), after.len(), "no node added or freed");
    let changed: Vec<_> = before.iter().zip(&after).filter(|(b, a)| b != a).collect();
    assert_eq!(changed.len(), 1, "only the input node changes: {changed:?}");
    let (was, now) = changed[0];
    assert_eq!(now.0, node);
    let diff: Vec<_> = was.2.iter().zip(&now.2).filter(|(b, a)| b != a).map(|(_, a)| a.clone()).collect();
    assert_eq!(diff, vec![("monitor".to_owned(), 0.0)]);
    let start = audio.feedback().meters.instrument(INPUT).map_or(0, |m| m.updates);
    let silent = wait_feedback(audio, WAIT, |f| {
        f.meters.instrument(INPUT).is_some_and(|m| m.updates > start + 3 && m.peak_dbfs() < -120.0)
    });
    let peak = silent.meters.instrument(INPUT).map(|m| m.peak_dbfs());
    eprintln!("{source:?}: monitoring off, strip peak {peak:?} dBFS");
}

fn input_node(audio: &AudioHandle) -> i32 {
    let tree = engine_tree(audio);
    tree.walk().into_iter().find(|n| n.def.as_deref() == Some("imbolc_audio_in")).expect("the input node").id
}

#[test]
fn hardware_input_fed_through_jack_reads_back_after_the_chain() {
    let tag = format!("audio-input-hw-{}", std::process::id());
    let jack = RealtimeJack::start(&tag);
    let (mut audio, _tap, up) = tapped_engine(&tag, JackMode::Existing(jack.name.clone()));
    let port = scsynth_port(up.scsynth_pid.expect("scsynth's pid"));
    let source = InputSource::Hardware { first: 0 };
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(scene(source)))]).unwrap();
    let node = input_node(&audio);
    loop_back(&jack.name);
    let raw = Raw::new(port);
    raw.sine(0);
    let peak = settled_peak(&mut audio);
    eprintln!(
        "hardware in 1-2: fed {FED_DBFS} dBFS, gain {GAIN_DB} dB, pan law {PAN_LAW_DB} dB, strip peak {peak:.3} dBFS"
    );
    monitoring_off_silences(&mut audio, source, node);
    audio.shutdown();
}

#[test]
fn bus_source_reads_back_after_the_chain() {
    let tag = format!("audio-input-bus-{}", std::process::id());
    let jack = RealtimeJack::start(&tag);
    let (mut audio, _tap, up) = tapped_engine(&tag, JackMode::Existing(jack.name.clone()));
    let port = scsynth_port(up.scsynth_pid.expect("scsynth's pid"));
    let source = InputSource::Bus(AUX);
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(scene(source)))]).unwrap();
    let tree = engine_tree(&audio);
    let input = tree.walk().into_iter().find(|n| n.def.as_deref() == Some("imbolc_audio_in")).expect("input node");
    let control = |name: &str| input.controls.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
    assert_eq!(control("from_bus"), Some(1.0));
    let bus = control("bus").expect("bus control") as i32;
    let node = input.id;
    let raw = Raw::new(port);
    raw.sine(bus);
    let peak = settled_peak(&mut audio);
    eprintln!("aux bus: fed {FED_DBFS} dBFS, gain {GAIN_DB} dB, pan law {PAN_LAW_DB} dB, strip peak {peak:.3} dBFS");
    monitoring_off_silences(&mut audio, source, node);
    audio.shutdown();
}

/// A sine note in bar 1 sent to an aux bus, an input reading that bus and
/// an input reading hardware inputs 1-2: rendered offline (NRT, where
/// scsynth has no inputs), the bus input's stem carries the note, the
/// hardware input's stem is silent, and the render does not fail.
#[test]
fn renders_play_a_bus_source_and_silence_for_hardware_inputs() {
    use std::sync::atomic::AtomicBool;

    use imbolc_core::dispatch;
    use imbolc_core::render::{self, RenderOptions};
    use imbolc_types::{Action, Note, Project, SourceKind};

    let mut p = Project::new("input render");
    let run = |p: &mut Project, a: Action| dispatch(p, a).unwrap_or_else(|e| panic!("{e}"));
    run(&mut p, Action::AddBus { name: "aux".into() });
    let aux = *p.buses.keys().next().unwrap();
    run(&mut p, Action::AddInstrument { source: SourceKind::SINE, name: "tone".into() });
    run(&mut p, Action::AddAudioInput { name: "bus in".into() });
    run(&mut p, Action::AddAudioInput { name: "hw in".into() });
    let ids: Vec<InstrumentId> = p.instruments.keys().copied().collect();
    let (tone, bus_in) = (ids[0], ids[1]);
    run(&mut p, Action::AddSend { instrument: tone, bus: aux, level: 1.0 });
    let input = AudioInputDef { source: InputSource::Bus(aux), ..AudioInputDef::default() };
    run(&mut p, Action::SetAudioInput { instrument: bus_in, input });
    run(&mut p, Action::AddClip { instrument: tone, name: "c".into(), length: 1920 });
    let clip = *p.clips.keys().last().unwrap();
    run(&mut p, Action::AddNotes { clip, notes: vec![Note::new(69, 100, 0, 960)] });
    run(&mut p, Action::AddPlacement { clip, start: 0, length: 1920 });

    let dir = std::env::temp_dir().join(format!("imbolc-audio-input-render-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o = RenderOptions { out_dir: dir.clone(), stems: true, ..RenderOptions::default() };
    render::render(&p, &o, &AtomicBool::new(false), &mut |_| {}).unwrap();
    let peak_db = |name: &str| {
        let mut r = hound::WavReader::open(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let peak = match r.spec().sample_format {
            hound::SampleFormat::Float => r.samples::<f32>().map(|s| s.unwrap().abs()).fold(0.0, f32::max),
            hound::SampleFormat::Int => {
                let scale = (1u64 << (r.spec().bits_per_sample - 1)) as f32;
                r.samples::<i32>().map(|s| (s.unwrap() as f32 / scale).abs()).fold(0.0, f32::max)
            }
        };
        20.0 * peak.max(1e-12).log10()
    };
    let (tone_db, bus_db, hw_db) = (peak_db("tone.wav"), peak_db("bus in.wav"), peak_db("hw in.wav"));
    eprintln!("NRT peaks: tone {tone_db:.2} dBFS, bus input {bus_db:.2} dBFS, hardware input {hw_db:.2} dBFS");
    assert!(bus_db > -30.0, "the bus input carries the sent note: {bus_db:.1} dBFS");
    assert!(hw_db < -120.0, "hardware inputs are silent offline: {hw_db:.1} dBFS");
    std::fs::remove_dir_all(&dir).unwrap();
}
