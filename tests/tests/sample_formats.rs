//! The sample store takes every container scsynth reads: FLAC and Ogg
//! Vorbis files (written here by `scsynth -N` from a WAV, through the same
//! libsndfile that reads them) import with their channels, rate and
//! length, and a real scsynth loads each from the sample cache with its
//! source file deleted. A FLAC cut in half is refused as damaged or
//! truncated.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use imbolc_audio::backend::{AudioBackend, ScBackend, ScoreBackend, ServerOp, Timing};
use imbolc_audio::engine::EngineConfig;
use imbolc_audio::graph::SignalGraph;
use imbolc_audio::sample_cache;
use imbolc_audio::synthdefs;
use imbolc_core::store::{ImportError, import_sample};
use imbolc_tests::{ScServer, test_config};
use imbolc_types::{
    AudioScene, DrumPad, Instrument, InstrumentDef, InstrumentId, MixerSettings, PadSound, SampleFormat,
};
use rosc::{OscMessage, OscType};

const WAIT: Duration = Duration::from_secs(10);
const RATE: u32 = 48_000;
const SECS: f64 = 0.5;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("imbolc-sample-formats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Plays `wav` with the sampler voice into a file of `header` and
/// `sample_format` (scsynth's names) with `scsynth -N`.
fn convert(wav: &Path, out: &Path, header: &str, sample_format: &str) {
    let mut score = ScoreBackend::new();
    score.load_synthdefs(&[*synthdefs::find(synthdefs::SAMPLER).unwrap()]);
    score.load_buffer(0, wav.to_str().unwrap());
    let args = |pairs: &[(&str, f32)]| {
        pairs.iter().flat_map(|(k, v)| [OscType::String((*k).into()), OscType::Float(*v)]).collect::<Vec<_>>()
    };
    let mut new =
        vec![OscType::String(synthdefs::SAMPLER.into()), OscType::Int(1000), OscType::Int(0), OscType::Int(0)];
    new.extend(args(&[("buf", 0.0), ("amp", 1.0), ("vel", 1.0), ("rate", 1.0), ("out", 0.0)]));
    score.push_messages(0.0, vec![OscMessage { addr: "/s_new".into(), args: new }]);
    let score_path = out.with_extension("osc");
    std::fs::write(&score_path, score.finish(SECS).to_bytes()).unwrap();
    let o = Command::new("scsynth")
        .args(["-o", "2", "-N", score_path.to_str().unwrap(), "_", out.to_str().unwrap()])
        .args([&RATE.to_string(), header, sample_format])
        .output()
        .expect("scsynth must be installed (SuperCollider; `make test` installs it)");
    assert!(o.status.success() && out.is_file(), "scsynth -N {header}: {}", String::from_utf8_lossy(&o.stdout));
}

fn int(m: &OscMessage, i: usize) -> i32 {
    match m.args.get(i) {
        Some(OscType::Int(v)) => *v,
        other => panic!("{m:?}: arg {i} is {other:?}"),
    }
}

#[test]
fn flac_and_ogg_import_and_load_from_the_cache() {
    sample_cache::set_cache_dir(Some(temp("cache")));
    let wav = temp("tone.wav");
    let spec =
        hound::WavSpec { channels: 2, sample_rate: RATE, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut w = hound::WavWriter::create(&wav, spec).unwrap();
    for i in 0..(RATE as usize / 2) {
        let v = ((i as f64) * 330.0 * std::f64::consts::TAU / f64::from(RATE)).sin() * 0.5;
        w.write_sample((v * 32767.0) as i16).unwrap();
        w.write_sample((v * 16000.0) as i16).unwrap();
    }
    w.finalize().unwrap();

    let sc = ScServer::start();
    let mut backend = ScBackend::new(sc.sender().try_clone_socket().unwrap());
    let mut log = Vec::new();
    for (ext, header, sample_format, want) in
        [("flac", "FLAC", "int16", SampleFormat::Flac), ("ogg", "OGG", "vorbis", SampleFormat::Ogg)]
    {
        let file = temp(&format!("tone.{ext}"));
        convert(&wav, &file, header, sample_format);
        let sample = import_sample(&file).unwrap_or_else(|e| panic!("{ext}: {e}"));
        eprintln!("{ext}: {sample:?}");
        assert_eq!((sample.format, sample.channels, sample.sample_rate), (want, 2, RATE));
        let frames = (SECS * f64::from(RATE)) as u64;
        // NRT writes whole blocks (64 frames); a Vorbis decode may count the
        // last packet's padding too (up to a short block of 256 frames).
        assert!(sample.frames.abs_diff(frames) <= 256, "{ext}: {} frames, want about {frames}", sample.frames);

        if want == SampleFormat::Flac {
            let bytes = std::fs::read(&file).unwrap();
            let cut = temp("cut.flac");
            std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
            let err = import_sample(&cut).expect_err("a cut FLAC is refused");
            assert!(matches!(err, ImportError::Truncated { .. } | ImportError::Damaged { .. }), "{err}");
            eprintln!("cut flac: {err}");
        }
        std::fs::remove_file(&file).unwrap();

        let mut def = InstrumentDef::drum_kit();
        if let Some(kit) = def.drums.as_mut() {
            kit.pads[0] = DrumPad {
                name: ext.into(),
                sound: PadSound::Stored(sample.clone()),
                level: 1.0,
                pitch: 0.0,
                region: None,
                loop_beats: None,
            };
        }
        let kit = Instrument { id: InstrumentId(0), name: "kit".into(), def, mixer: MixerSettings::default() };
        let scene = AudioScene { instruments: vec![kit], ..AudioScene::default() };
        let (graph, ops) = SignalGraph::build(EngineConfig::new(test_config()).graph_config(), &scene);
        assert!(ops.iter().any(|op| matches!(op, ServerOp::BufferAllocRead { path, .. } if path.ends_with(ext))));
        backend.execute(Timing::Now, &ops).unwrap();
        sc.collect_until(WAIT, &mut log, |m| {
            m.addr == "/done" && matches!(m.args.first(), Some(OscType::String(s)) if s == "/b_allocRead")
        })
        .unwrap_or_else(|| panic!("{ext}: the buffer was read"));
        let buf = graph.sample_buffer(InstrumentId(0), 0).unwrap();
        sc.send("/b_query", vec![OscType::Int(buf as i32)]);
        let info = sc.wait_for(WAIT, |m| m.addr == "/b_info" && int(m, 0) == buf as i32).expect("no /b_info");
        let (server_frames, channels) = (u64::try_from(int(&info, 1)).unwrap(), int(&info, 2));
        eprintln!("{ext}: the server read {server_frames} frames, {channels} channels");
        assert_eq!(channels, 2, "{ext}: stereo");
        // libsndfile trims a Vorbis stream's padding by its granule position.
        assert!(server_frames.abs_diff(sample.frames) <= 256, "{ext}: the server read it all ({server_frames} frames)");
        let free: Vec<ServerOp> = vec![ServerOp::BufferFree { buf }];
        backend.execute(Timing::Now, &free).unwrap();
        sc.collect_until(WAIT, &mut log, |m| {
            m.addr == "/done" && matches!(m.args.first(), Some(OscType::String(s)) if s == "/b_free")
        })
        .expect("freed");
    }
    // (Each format builds a new graph on the same server, so its groups'
    // ids repeat; only buffer failures matter here.)
    let fails: Vec<&OscMessage> = log
        .iter()
        .filter(|m| m.addr == "/fail" && matches!(m.args.first(), Some(OscType::String(s)) if s.starts_with("/b_")))
        .collect();
    assert!(fails.is_empty(), "the server refused a buffer: {fails:?}");
}
