//! The offline path plays what the live path plays: same window, same ops.

use imbolc_types::{
    AudioScene, Bus, BusId, Clip, ClipId, Instrument, InstrumentDef, InstrumentId, MixerSettings, Note, NoteId,
    Placement, PlacementId, SendSettings, SourceKind,
};
use rosc::{OscPacket, OscType};

use super::*;
use crate::backend::ServerOp;

fn scene() -> AudioScene {
    let mut instruments = Vec::new();
    let mut clips = Vec::new();
    let mut placements = Vec::new();
    for i in 0..2u32 {
        let mut mixer = MixerSettings::default();
        if i == 1 {
            mixer.sends.push(SendSettings { bus: BusId(0), level: 0.5 });
        }
        instruments.push(Instrument {
            id: InstrumentId(i),
            name: format!("inst {i}"),
            def: InstrumentDef::new(SourceKind::Sine),
            mixer,
        });
        let notes = (0..4).map(|n| (NoteId(n), Note::new(60 + n as u8, 100, n * 480, 240))).collect();
        clips.push(Clip {
            id: ClipId(i),
            name: String::new(),
            instrument: InstrumentId(i),
            length: 1920,
            looping: false,
            notes,
            drums: None,
        });
        placements.push(Placement { id: PlacementId(i), clip: ClipId(i), start: i * 1920, length: 1920 });
    }
    let buses = vec![Bus { id: BusId(0), name: "verb".into(), effects: vec![], mixer: MixerSettings::default() }];
    AudioScene { instruments, buses, clips, placements, tempo: 120.0, ..AudioScene::default() }
}

fn spec() -> OfflineSpec {
    let s = scene();
    OfflineSpec {
        start: 0,
        end: song_end(&s),
        tail: 1.0,
        stems: StemSet { instruments: true, buses: true },
        pre_fader: false,
        only: None,
    }
}

fn times_of(plan: &ScorePlan, addr: &str) -> Vec<f64> {
    let bundles = Score::decode(&plan.score.to_bytes()).unwrap();
    let mut times = Vec::new();
    for b in bundles {
        let t = Timetag { seconds: b.timetag.seconds, fraction: b.timetag.fractional }.as_secs_f64();
        for p in &b.content {
            if let OscPacket::Message(m) = p
                && m.addr == addr
                && matches!(m.args.first(), Some(OscType::String(d)) if d == "imbolc_sine")
            {
                times.push(t);
            }
        }
    }
    times
}

#[test]
fn the_score_plays_every_note_at_its_song_time_and_ends_after_the_tail() {
    let plan = plan(&scene(), &spec());
    assert_eq!(plan.music_secs, 4.0, "two bars at 120 BPM");
    assert_eq!(plan.channels, 2 + 2 * 3, "master, two instruments, one bus");
    let ons = times_of(&plan, "/s_new");
    let want: Vec<f64> = (0..8).map(|n| f64::from(n) * 0.5).collect();
    assert_eq!(ons, want);
    assert_eq!(plan.score.end(), 5.0);
    let taps = plan
        .score
        .entries
        .iter()
        .flat_map(|e| &e.messages)
        .filter(|m| matches!(m.args.first(), Some(OscType::String(d)) if d == STEM_TAP))
        .count();
    assert_eq!(taps, 3);
}

#[test]
fn a_range_starts_the_score_at_its_first_tick_and_only_plays_the_chosen_instrument() {
    let mut s = spec();
    s.start = 1920;
    s.only = Some(InstrumentId(1));
    let plan = plan(&scene(), &s);
    assert_eq!(plan.music_secs, 2.0);
    assert_eq!(times_of(&plan, "/s_new"), vec![0.0, 0.5, 1.0, 1.5]);
    s.only = Some(InstrumentId(0));
    assert!(times_of(&super::plan(&scene(), &s), "/s_new").is_empty());
}

#[test]
fn one_window_gives_the_same_ops_live_and_offline() {
    let scene = scene();
    let run = |mut p: Playback| {
        let (mut g, _) = SignalGraph::build(GraphConfig::default(), &scene);
        let mut out = Vec::new();
        p.diff(&AudioDiff::SceneLoaded(Box::new(scene.clone())), &mut out);
        p.transport(TransportCmd::Play, &mut g, &mut out);
        out.clear();
        // Both start playing one lookahead after their clock's now; a window
        // far ahead of either clock holds every note of the song.
        p.advance(1000.0, &mut g, &mut out);
        let ops: Vec<Vec<ServerOp>> = out.iter().map(|b| b.ops.clone()).collect();
        let times: Vec<f64> = out
            .iter()
            .map(|b| match b.timing {
                Timing::At(t) => t.as_secs_f64(),
                Timing::Now => f64::NAN,
            })
            .collect();
        (ops, times)
    };
    let config = SchedulerConfig { lookahead: 0.5 };
    let (live_ops, live_t) = run(Playback::new(config, VoiceConfig::default()).trusting_timetags());
    let (off_ops, off_t) = run(Playback::offline(config, VoiceConfig::default()));
    assert!(!off_ops.is_empty());
    assert_eq!(live_ops, off_ops);
    let live_rel: Vec<f64> = live_t.iter().map(|t| t - live_t[0]).collect();
    let off_rel: Vec<f64> = off_t.iter().map(|t| t - off_t[0]).collect();
    for (a, b) in live_rel.iter().zip(&off_rel) {
        assert!((a - b).abs() < 1e-3, "live {a} vs offline {b}");
    }
    assert_eq!(off_t[0], 0.5, "offline time counts from 0");
}
