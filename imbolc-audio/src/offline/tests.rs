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
            def: InstrumentDef::new(SourceKind::SINE),
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
            audio: None,
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
        max_secs: 3600.0,
    }
}

fn plan(scene: &AudioScene, spec: &OfflineSpec) -> ScorePlan {
    super::plan(scene, spec, &|| false).unwrap()
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
    let planned = plan(&scene(), &s);
    assert_eq!(planned.music_secs, 2.0);
    assert_eq!(times_of(&planned, "/s_new"), vec![0.0, 0.5, 1.0, 1.5]);
    s.only = Some(InstrumentId(0));
    assert!(times_of(&plan(&scene(), &s), "/s_new").is_empty());
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

#[test]
fn planning_ends_at_any_tempo_and_refuses_music_past_the_limit() {
    // A tempo no dispatch allows plays at the slowest the scheduler plays.
    let mut slow = scene();
    slow.tempo = 1e-30;
    let p = plan(&slow, &spec());
    assert!((p.music_secs - ticks_to_secs(3840, 20.0)).abs() < 1e-9, "{}", p.music_secs);
    assert!((p.music_secs - 24.0).abs() < 1e-9);

    // A placement seven weeks away is refused before any window is planned.
    let mut far = scene();
    far.placements[1].start = 0xF000_0000;
    let s = OfflineSpec { end: song_end(&far), ..spec() };
    match super::plan(&far, &s, &|| false) {
        Err(PlanError::TooLong { secs, limit }) => {
            assert_eq!(limit, 3600.0);
            assert!(secs > 40.0 * 86_400.0, "{secs}");
        }
        other => panic!("expected TooLong, got {other:?}"),
    }
    assert_eq!(super::plan(&scene(), &spec(), &|| true).unwrap_err(), PlanError::Cancelled);
}

#[test]
fn a_tempo_lane_sets_the_length_and_a_slow_lane_is_caught_by_the_limit() {
    use imbolc_types::{AutomationLane, LaneId, ParamTarget};
    let mut s = scene();
    let mut lane = AutomationLane::new(LaneId(0), ParamTarget::Tempo);
    lane.points = [(0, 240.0), (3840, 240.0)].into_iter().collect();
    s.automation.push(lane.clone());
    let fast = plan(&s, &spec());
    assert!((fast.music_secs - 2.0).abs() < 0.06, "two bars at 240 BPM: {}", fast.music_secs);
    assert_eq!(length_bounds(&s, 0, 3840), (2.0, 4.0));

    // At 20 BPM the same two bars last 24 s: past a 10 s limit, found while planning.
    lane.points = [(0, 20.0)].into_iter().collect();
    s.automation[0] = lane;
    let limited = OfflineSpec { max_secs: 10.0, ..spec() };
    assert!(matches!(super::plan(&s, &limited, &|| false), Err(PlanError::TooLong { .. })));
}
