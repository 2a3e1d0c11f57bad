//! Capture of a clip launcher performance on a real private scsynth: two
//! columns launched (one bar quantized), a follow chain (after two loops:
//! next), a stop and a hand-back to the arrangement are played live; the
//! bundles' timetags are read from the engine's tap and every voice is seen
//! starting (`/n_go`). The performance the audio thread reported is
//! captured into the arrangement, rendered with `scsynth -N` to stems, and
//! each stem's onsets must be the performance's note-ons of that
//! instrument, within one control block (64 samples at 48 kHz).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use imbolc_audio::backend::{ServerOp, Timetag, Timing};
use imbolc_audio::engine::{AudioHandle, TapEvent, TransportCmd};
use imbolc_audio::scheduler::Launch;
use imbolc_audio::server::JackMode;
use imbolc_core::capture::capture_actions;
use imbolc_core::dispatch;
use imbolc_core::render::{self, RenderOptions, RenderRange, SampleFormat, Tail};
use imbolc_tests::engine::{engine_tree, tapped_engine, wait_feedback};
use imbolc_tests::recording::{onsets, read_channel};
use imbolc_tests::tagged_servers;
use imbolc_types::{
    Action, AudioDiff, ClipId, EnvelopeStage, FollowAction, FollowKind, InstrumentId, LaunchQuantize, LaunchTarget,
    Note, ParamTarget, Project, SourceKind, TICKS_PER_QUARTER, Tick,
};

const RATE: f64 = 48_000.0;
const BLOCK: i64 = 64;
/// Onsets follow at least 0.1 s of silence: notes last 60 ticks (62.5 ms)
/// plus a 20 ms release, and the closest two are 480 ticks (0.5 s) apart.
const QUIET: usize = 4800;
const BAR: Tick = 4 * TICKS_PER_QUARTER;
const WAIT: Duration = Duration::from_secs(10);
const SPT: f64 = 60.0 / (120.0 * TICKS_PER_QUARTER as f64);

struct Set {
    project: Project,
    lead: InstrumentId,
    bell: InstrumentId,
    riff: ClipId,
    first: ClipId,
}

fn apply(p: &mut Project, a: Action) {
    dispatch(p, a).unwrap();
}

fn clip(p: &mut Project, instrument: InstrumentId, length: Tick, notes: &[(u8, Tick)]) -> ClipId {
    apply(p, Action::AddClip { instrument, name: "c".into(), length });
    let clip = *p.clips.keys().next_back().unwrap();
    let notes = notes.iter().map(|&(pitch, at)| Note::new(pitch, 100, at, 60)).collect();
    apply(p, Action::AddNotes { clip, notes });
    clip
}

/// 120 bpm. The lead plays a note on every beat on the arrangement (8
/// bars); its launched riff is three beats long (polymeter against the
/// bar). The bell has no arrangement: its first clip (two beats) follows
/// to its second (a bar) after two loops.
fn set() -> Set {
    let mut p = Project::new("capture");
    p.tempo = 120.0;
    for name in ["lead", "bell"] {
        apply(&mut p, Action::AddInstrument { source: SourceKind::SINE, name: name.into() });
        let id = *p.instruments.keys().next_back().unwrap();
        for (stage, v) in [(EnvelopeStage::Attack, 0.002), (EnvelopeStage::Release, 0.02)] {
            apply(&mut p, Action::SetParam { target: ParamTarget::Envelope { instrument: id, stage }, value: v });
        }
    }
    let ids: Vec<InstrumentId> = p.instruments.keys().copied().collect();
    let (lead, bell) = (ids[0], ids[1]);
    let arranged = clip(&mut p, lead, BAR, &[(60, 0), (62, 480), (64, 960), (65, 1440)]);
    apply(&mut p, Action::AddPlacement { clip: arranged, start: 0, length: 8 * BAR });
    let riff = clip(&mut p, lead, 1440, &[(72, 0), (74, 720)]);
    let first = clip(&mut p, bell, 960, &[(84, 0), (86, 480)]);
    let second = clip(&mut p, bell, BAR, &[(88, 0), (91, 960)]);
    apply(&mut p, Action::SetLauncherSlot { instrument: lead, scene: 0, clip: Some(riff) });
    apply(&mut p, Action::SetLauncherSlot { instrument: bell, scene: 0, clip: Some(first) });
    apply(&mut p, Action::SetLauncherSlot { instrument: bell, scene: 1, clip: Some(second) });
    let follow = FollowAction { after_loops: 2, first: FollowKind::Next, second: FollowKind::Next, first_chance: 100 };
    apply(&mut p, Action::SetFollowAction { clip: first, follow: Some(follow) });
    apply(&mut p, Action::SetLauncherSeed { seed: 26 });
    Set { project: p, lead, bell, riff, first }
}

fn secs_between(a: Timetag, b: Timetag) -> f64 {
    let fixed = |t: Timetag| (i128::from(t.seconds) << 32) | i128::from(t.fraction);
    (fixed(b) - fixed(a)) as f64 / 4_294_967_296.0
}

/// Note-ons seen on the tap: (timetag, node, freq).
fn drain(rx: &Receiver<TapEvent>, for_at_most: Duration, ons: &mut Vec<(Timetag, i32, f32)>, go: &mut HashSet<i32>) {
    let deadline = Instant::now() + for_at_most;
    while let Ok(event) = rx.recv_deadline(deadline) {
        match event {
            TapEvent::Sent { timing: Timing::At(t), ops, .. } => {
                for op in ops {
                    if let ServerOp::SynthNew { id, controls, .. } = op
                        && let Some((_, f)) = controls.iter().find(|(n, _)| *n == "freq")
                    {
                        ons.push((t, id.0, *f));
                    }
                }
            }
            TapEvent::Go(n) => _ = go.insert(n.0),
            _ => {}
        }
    }
}

fn launch(audio: &AudioHandle, instrument: InstrumentId, target: LaunchTarget) {
    let l = Launch { instrument, target, quantize: LaunchQuantize::Bar, group: 0 };
    audio.transport(TransportCmd::Launch(l)).unwrap();
}

#[test]
fn a_captured_performance_renders_the_notes_that_were_heard() {
    let Set { project, lead, bell, riff, first } = set();
    let tag = format!("capture-{}", std::process::id());
    let (mut audio, tap_rx, _) = tapped_engine(&tag, JackMode::Dummy);
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(project.audio_scene()))]).unwrap();
    engine_tree(&audio);
    audio.launcher_grid(project.launcher.clone()).unwrap();
    audio.play().unwrap();
    let a0 = wait_feedback(&mut audio, WAIT, |f| f.transport.playing && f.transport.anchor.is_some());
    let a0 = a0.transport.anchor.unwrap();
    let (mut ons, mut go) = (Vec::new(), HashSet::new());
    let until = |audio: &mut AudioHandle, tick: Tick, ons: &mut Vec<_>, go: &mut HashSet<i32>| {
        while audio.transport_state().tick < tick {
            drain(&tap_rx, Duration::from_millis(5), ons, go);
        }
    };
    until(&mut audio, 240, &mut ons, &mut go);
    launch(&audio, lead, LaunchTarget::Clip(riff));
    launch(&audio, bell, LaunchTarget::Clip(first));
    until(&mut audio, 2 * BAR + 300, &mut ons, &mut go);
    launch(&audio, lead, LaunchTarget::Stop);
    until(&mut audio, 3 * BAR + 300, &mut ons, &mut go);
    launch(&audio, lead, LaunchTarget::Arrangement);
    until(&mut audio, 4 * BAR + 300, &mut ons, &mut go);
    launch(&audio, bell, LaunchTarget::Stop);
    until(&mut audio, 5 * BAR + 700, &mut ons, &mut go);
    audio.stop().unwrap();
    let fb = wait_feedback(&mut audio, WAIT, |f| !f.transport.playing && f.performance.end.is_some());
    drain(&tap_rx, Duration::from_millis(500), &mut ons, &mut go);
    let perf = fb.performance.as_ref().clone();
    audio.shutdown();
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "scsynth/jackd left running after shutdown");

    let taken: Vec<(Tick, u32, bool)> = perf.taken.iter().map(|t| (t.song, t.instrument.0, t.follow)).collect();
    assert_eq!(
        taken,
        vec![
            (BAR, lead.0, false),
            (BAR, bell.0, false),
            (2 * BAR, bell.0, true),
            (3 * BAR, lead.0, false),
            (4 * BAR, lead.0, false),
            (5 * BAR, bell.0, false),
        ],
        "launches, the follow action and stops at their bar lines: {perf:?}"
    );
    assert_eq!(perf.seed, 26);
    let started: HashSet<i32> = ons.iter().map(|o| o.1).collect();
    assert!(started.is_subset(&go), "every voice started on the server");

    // The performance's note-ons, in samples from the song's start, per
    // instrument (the lead below 800 Hz).
    let end = f64::from(perf.end.unwrap()) * SPT;
    let song_secs = |t: Timetag| secs_between(a0.timetag, t) + a0.play_tick * SPT;
    let heard = |lead: bool| -> Vec<i64> {
        let mut v: Vec<i64> = ons
            .iter()
            .filter(|o| (o.2 < 800.0) == lead)
            .map(|o| song_secs(o.0))
            .filter(|s| *s < end)
            .map(|s| (s * RATE).round() as i64)
            .collect();
        v.sort_unstable();
        v
    };

    let mut captured = project.clone();
    for a in capture_actions(&captured, &perf, 0).unwrap() {
        apply(&mut captured, a);
    }
    captured.launcher = Default::default();
    let dir = std::env::temp_dir().join(format!("imbolc-capture-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let opts = RenderOptions {
        out_dir: dir.clone(),
        stems: true,
        range: RenderRange::Bars { first: 1, last: 6 },
        tail: Tail::Secs(0.5),
        format: SampleFormat::Float32,
        ..RenderOptions::default()
    };
    render::render(&captured, &opts, &AtomicBool::new(false), &mut |_| {}).unwrap();
    let rendered = |name: &str| -> Vec<i64> {
        let x = read_channel(&dir.join(format!("{name}.wav")), 0);
        onsets(&x, QUIET).into_iter().filter(|s| (*s as f64) < end * RATE).collect()
    };
    let (lead_nrt, bell_nrt) = (rendered("lead"), rendered("bell"));
    std::fs::remove_dir_all(&dir).unwrap();
    for (name, live, nrt) in [("lead", heard(true), lead_nrt), ("bell", heard(false), bell_nrt)] {
        assert_eq!(
            live.len(),
            nrt.len(),
            "{name}: {} notes heard, {} rendered: {live:?} vs {nrt:?}",
            live.len(),
            nrt.len()
        );
        let dev: Vec<i64> = nrt.iter().zip(&live).map(|(n, l)| n - l).collect();
        println!("{name}: {} onsets, render − performance (samples): {dev:?}", dev.len());
        assert!(dev.iter().all(|d| d.abs() <= BLOCK), "{name}: onsets beyond one block: {dev:?}");
    }
}
