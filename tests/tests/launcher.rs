//! The clip launcher on a real private scsynth: a scene of two clips
//! launched one bar quantized, after a tempo change, while a 1.5-bar loop
//! wraps; then both columns stopped.
//!
//! What is measured, from the engine's tap (every bundle with its
//! timetag) and the transport's published tempo anchors, as in
//! `playback.rs`: the launched clips' first notes start in one bundle on a
//! bar line of the song within one control block (64 samples at 48 kHz);
//! no arrangement note of the launched instrument starts after it; the
//! clips loop at their own lengths (one bar and three beats); a stop
//! releases the sounding note of the old clip in the bundle at the next bar
//! line, nothing of the stopped clips starts after it, and no voice is left
//! while play goes on. Every voice started is seen starting (`/n_go`) and
//! ending (`/n_end`) on the server.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::time::{Duration, Instant, SystemTime};

use crossbeam_channel::Receiver;
use imbolc_audio::backend::{ServerOp, Timetag, Timing};
use imbolc_audio::engine::{TapEvent, TempoAnchor, TransportCmd};
use imbolc_audio::scheduler::{Launch, LoopRegion};
use imbolc_audio::server::JackMode;
use imbolc_tests::engine::{engine_tree, tapped_engine, wait_feedback};
use imbolc_tests::tagged_servers;
use imbolc_types::catalog::SourceKind;
use imbolc_types::{
    AudioDiff, AudioScene, Clip, ClipId, EnvelopeDef, Instrument, InstrumentDef, InstrumentId, LaunchQuantize,
    LaunchTarget, MixerSettings, Note, NoteId, Placement, PlacementId, TICKS_PER_QUARTER, Tick,
};

const BEAT: Tick = TICKS_PER_QUARTER;
const BAR: Tick = 4 * BEAT;
const LOOP_END: Tick = 6 * BEAT;
const SIXTEENTH: Tick = BEAT / 4;
const LEAD: InstrumentId = InstrumentId(0);
const BELL: InstrumentId = InstrumentId(1);
const ARRANGED: ClipId = ClipId(1);
const ONE_BAR: ClipId = ClipId(2);
const THREE_BEATS: ClipId = ClipId(3);
const BLOCK: f64 = 64.0 / 48_000.0;
const WAIT: Duration = Duration::from_secs(10);

fn instrument(id: InstrumentId) -> Instrument {
    let mut def = InstrumentDef::new(SourceKind::SINE);
    def.amp_env = EnvelopeDef { attack: 0.001, decay: 0.01, sustain: 0.5, release: 0.01 };
    Instrument { id, name: format!("inst {}", id.0), def, mixer: MixerSettings::default() }
}

fn clip(id: ClipId, instrument: InstrumentId, length: Tick, notes: Vec<Note>) -> Clip {
    Clip {
        id,
        name: String::new(),
        instrument,
        length,
        looping: true,
        notes: notes.into_iter().enumerate().map(|(i, n)| (NoteId(i as u32), n)).collect(),
        drums: None,
        audio: None,
    }
}

/// The lead plays 16ths below 600 Hz on the arrangement; its launched clip
/// holds one note (1 kHz) over its whole bar, so it sounds across any bar
/// line of the song off the clip's own; the bell's three-beat clip plays
/// quarters above 2 kHz.
fn scene() -> AudioScene {
    let arranged =
        (0..LOOP_END / SIXTEENTH).map(|k| Note::new(48 + (k % 24) as u8, 100, k * SIXTEENTH, SIXTEENTH / 2)).collect();
    let one_bar = [Note::new(84, 100, 0, BAR)].into_iter();
    let three = (0..3).map(|k| Note::new(96 + k as u8, 100, k * BEAT, BEAT / 2));
    AudioScene {
        instruments: vec![instrument(LEAD), instrument(BELL)],
        tempo: 120.0,
        clips: vec![
            clip(ARRANGED, LEAD, LOOP_END, arranged),
            clip(ONE_BAR, LEAD, BAR, one_bar.collect()),
            clip(THREE_BEATS, BELL, 3 * BEAT, three.collect()),
        ],
        placements: vec![Placement { id: PlacementId(1), clip: ARRANGED, start: 0, length: LOOP_END }],
        ..AudioScene::default()
    }
}

fn secs_between(a: Timetag, b: Timetag) -> f64 {
    let fixed = |t: Timetag| (i128::from(t.seconds) << 32) | i128::from(t.fraction);
    (fixed(b) - fixed(a)) as f64 / 4_294_967_296.0
}

fn seconds_per_tick(bpm: f32) -> f64 {
    60.0 / (f64::from(bpm) * f64::from(TICKS_PER_QUARTER))
}

/// The fractional play tick sounding at `t` on whichever tempo line holds it.
fn play_tick(lines: &[TempoAnchor], t: Timetag) -> f64 {
    let line = lines.iter().rev().find(|l| secs_between(l.timetag, t) >= 0.0).unwrap_or(&lines[0]);
    line.play_tick + secs_between(line.timetag, t) / seconds_per_tick(line.bpm)
}

/// Seconds from `origin` at which play tick `tick` sounds.
fn time_of(lines: &[TempoAnchor], origin: Timetag, tick: f64) -> f64 {
    let line = lines.iter().rev().find(|l| l.play_tick <= tick).unwrap_or(&lines[0]);
    secs_between(origin, line.timetag) + (tick - line.play_tick) * seconds_per_tick(line.bpm)
}

#[derive(Default)]
struct Tap {
    /// Timed bundles: timetag, ops.
    sent: Vec<(Timetag, Vec<ServerOp>)>,
    untimed: usize,
    go: HashSet<i32>,
    end: HashSet<i32>,
}

impl Tap {
    fn drain(&mut self, rx: &Receiver<TapEvent>, for_at_most: Duration) {
        let deadline = Instant::now() + for_at_most;
        while let Ok(event) = rx.recv_deadline(deadline) {
            match event {
                TapEvent::Sent { timing: Timing::At(t), ops, .. } => self.sent.push((t, ops)),
                TapEvent::Sent { timing: Timing::Now, .. } => self.untimed += 1,
                TapEvent::Go(n) => _ = self.go.insert(n.0),
                TapEvent::End(n) => _ = self.end.insert(n.0),
            }
        }
    }

    /// Note-ons: (bundle index, timetag, node, freq).
    fn onsets(&self) -> Vec<(usize, Timetag, i32, f32)> {
        let mut out = Vec::new();
        for (i, (t, ops)) in self.sent.iter().enumerate() {
            for op in ops {
                if let ServerOp::SynthNew { id, controls, .. } = op
                    && let Some((_, f)) = controls.iter().find(|(n, _)| *n == "freq")
                {
                    out.push((i, *t, id.0, *f));
                }
            }
        }
        out
    }

    /// Timetag of the bundle that releases `node` (gate 0).
    fn release_of(&self, node: i32) -> Option<Timetag> {
        self.sent.iter().find_map(|(t, ops)| {
            ops.iter()
                .any(|op| {
                    matches!(op, ServerOp::Set { node: n, controls } if n.0 == node
                        && controls.iter().any(|(c, v)| *c == "gate" && *v == 0.0))
                })
                .then_some(*t)
        })
    }
}

fn launch(audio: &imbolc_audio::engine::AudioHandle, instrument: InstrumentId, target: LaunchTarget, group: u32) {
    let l = Launch { instrument, target, quantize: LaunchQuantize::Bar, group };
    audio.transport(TransportCmd::Launch(l)).unwrap();
}

/// The nearest whole play tick to `tick`, and its song tick in the loop.
fn on_grid(tick: f64) -> (u64, u64) {
    let p = tick.round() as u64;
    (p, p % u64::from(LOOP_END))
}

#[test]
fn a_scene_launches_on_the_bar_line_in_one_bundle_and_a_stop_leaves_no_voice() {
    let tag = format!("launcher-{}", std::process::id());
    let (mut audio, tap_rx, _) = tapped_engine(&tag, JackMode::Dummy);
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(scene()))]).unwrap();
    engine_tree(&audio);
    audio.set_loop(LoopRegion::new(0, LOOP_END)).unwrap();
    audio.play().unwrap();
    let a0 = wait_feedback(&mut audio, WAIT, |f| f.transport.playing && f.transport.anchor.is_some()).transport;
    let a0 = a0.anchor.unwrap();
    let mut tap = Tap::default();

    // Past the loop's only inner bar line (song 1920), change the tempo,
    // then launch the scene: its bar line is the loop start, after a wrap.
    while audio.transport_state().tick < BAR + 2 * SIXTEENTH {
        tap.drain(&tap_rx, Duration::from_millis(5));
    }
    audio.set_tempo(150.0).unwrap();
    let a1 = wait_feedback(&mut audio, WAIT, |f| f.transport.anchor.is_some_and(|a| a.bpm == 150.0)).transport;
    let a1 = a1.anchor.unwrap();
    launch(&audio, LEAD, LaunchTarget::Clip(ONE_BAR), 1);
    launch(&audio, BELL, LaunchTarget::Clip(THREE_BEATS), 1);
    tap.drain(&tap_rx, Duration::from_millis(1500));

    // The stop: sent 150 ms before a bar line of the song that is not one
    // of the lead clip's (its held note sounds across it).
    let lines = [a0, a1];
    let origin = a0.timetag;
    let p0 = {
        let first = tap.onsets().into_iter().find(|o| o.3 >= 1000.0).expect("the launched clips played");
        play_tick(&lines, first.1).round() as u64
    };
    let now = play_tick(&lines, Timetag::from_system_time(SystemTime::now()));
    let p1 = (0..)
        .map(|k| k * u64::from(LOOP_END))
        .flat_map(|m| [m, m + u64::from(BAR)])
        .find(|p| *p as f64 > now + 600.0 && (p - p0) % u64::from(BAR) != 0)
        .unwrap();
    let send_at = time_of(&lines, origin, p1 as f64) - 0.15;
    while secs_between(origin, Timetag::from_system_time(SystemTime::now())) < send_at {
        tap.drain(&tap_rx, Duration::from_millis(2));
    }
    launch(&audio, LEAD, LaunchTarget::Stop, 2);
    launch(&audio, BELL, LaunchTarget::Stop, 2);
    tap.drain(&tap_rx, Duration::from_millis(2500));
    let after_stop = audio.feedback().transport;
    assert!(after_stop.playing, "play goes on");
    assert_eq!(after_stop.voices, 0, "a voice was left after the stop");
    audio.stop().unwrap();
    wait_feedback(&mut audio, WAIT, |f| !f.transport.playing && f.transport.voices == 0);
    tap.drain(&tap_rx, Duration::from_millis(300));

    let onsets = tap.onsets();
    type Onset = (usize, Timetag, i32, f32);
    let (launched, rest): (Vec<&Onset>, Vec<&Onset>) = onsets.iter().partition(|o| o.3 >= 1000.0);
    let first = launched.first().expect("the launched clips played");

    // The scene starts on a bar line of the song, within one block.
    let tick = play_tick(&lines, first.1);
    let (first_tick, song) = on_grid(tick);
    assert_eq!(first_tick, p0);
    let error = secs_between(origin, first.1) - time_of(&lines, origin, p0 as f64);
    assert!(error.abs() <= BLOCK, "first launched note {error:+.6} s off its bar line");
    assert!(song % u64::from(BAR) == 0, "launched at song tick {song}, not on a bar line");
    assert!(p0 as f64 > a1.play_tick, "the launch came after the tempo change");
    // One bundle: both columns' first notes share it.
    let bundle: Vec<f32> = launched.iter().filter(|o| o.0 == first.0).map(|o| o.3).collect();
    assert!(
        bundle.iter().any(|f| *f > 2000.0) && bundle.iter().any(|f| *f < 2000.0),
        "scene in one bundle: {bundle:?}"
    );
    // No arrangement note of the lead from the boundary on.
    let late = rest.iter().filter(|o| secs_between(first.1, o.1) > -BLOCK / 2.0).count();
    assert_eq!(late, 0, "{late} arrangement notes of the lead after the launch");

    // Polymeter: every launched onset on its own clip's grid from p0.
    for (_, t, node, f) in &launched {
        let rel = play_tick(&lines, *t) - p0 as f64;
        let len = if *f > 2000.0 { 3 * BEAT } else { BAR };
        if secs_between(origin, *t) > time_of(&lines, origin, p1 as f64) {
            continue;
        }
        let within = rel.rem_euclid(f64::from(len));
        let off_beat = (within / f64::from(BEAT)).round() * f64::from(BEAT) - within;
        assert!((off_beat * seconds_per_tick(150.0)).abs() <= BLOCK, "node {node} off its clip's grid");
    }

    // The stop: the lead's held note is released on the bar line p1, cut
    // short, and nothing launched starts from there on.
    let held = launched.iter().rev().find(|o| o.3 < 2000.0).expect("the lead's held note played");
    let released = tap.release_of(held.2).expect("the held note was released");
    let (stop_tick, song1) = on_grid(play_tick(&lines, released));
    let stop_error = secs_between(origin, released) - time_of(&lines, origin, p1 as f64);
    assert_eq!(stop_tick, p1, "released at song {song1}");
    assert!(stop_error.abs() <= BLOCK, "stop {stop_error:+.6} s off its bar line");
    let hold = play_tick(&lines, released) - play_tick(&lines, held.1);
    assert!(hold < f64::from(BAR) - 1.0, "the held note was cut at the stop ({hold} ticks)");
    let after = launched.iter().filter(|o| secs_between(released, o.1) > BLOCK / 2.0).count();
    assert_eq!(after, 0, "launched notes after the stop");

    let started: HashSet<i32> = onsets.iter().map(|o| o.2).collect();
    let not_started: Vec<_> = started.difference(&tap.go).collect();
    let not_ended: Vec<_> = started.difference(&tap.end).collect();
    assert!(not_started.is_empty() && not_ended.is_empty(), "never started {not_started:?}, stuck {not_ended:?}");
    eprintln!(
        "scene at play tick {p0} (song {song}, after a wrap and 120→150 bpm): first-note error {:.3} µs; \
         stop at play tick {p1} (song {song1}): release error {:.3} µs; {} launched onsets, {} arrangement \
         onsets, {} untimed batches; voices after the stop: {}",
        error * 1e6,
        stop_error * 1e6,
        launched.len(),
        rest.len(),
        tap.untimed,
        after_stop.voices,
    );
    audio.shutdown();
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "scsynth/jackd left running after shutdown");
}
