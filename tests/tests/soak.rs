//! Soak test on a real private scsynth, through the engine: 1500 random
//! steps of live note on/off, sustain pedal, play/stop of a looping clip,
//! instrument delete and re-add, and polyphony changes. While it runs, no
//! instrument ever has more voice synths on the server than its polyphony
//! allows; at the end `/g_queryTree` shows zero voice nodes, every voice
//! that started ended, and the allocator counts zero.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use imbolc_audio::backend::ServerOp;
use imbolc_audio::engine::{TapEvent, VoiceId};
use imbolc_audio::server::JackMode;
use imbolc_tests::engine::{engine_tree, tapped_engine, wait_feedback};
use imbolc_tests::{TreeNode, tagged_servers};
use imbolc_types::catalog::SourceKind;
use imbolc_types::{
    AudioDiff, AudioScene, Clip, ClipId, EnvelopeDef, Instrument, InstrumentDef, InstrumentId, MixerSettings, Note,
    NoteId, Placement, PlacementId, StealStrategy, VoiceSettings,
};

const STEPS: usize = 1500;
const WAIT: Duration = Duration::from_secs(5);
const VOICE_DEFS: [&str; 3] = ["imbolc_sine", "imbolc_saw", "imbolc_square"];
/// The instrument whose polyphony never changes (and is never deleted).
const FIXED: InstrumentId = InstrumentId(0);
const FIXED_POLYPHONY: u16 = 4;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u32) -> u32 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % u64::from(n.max(1))) as u32
    }
}

fn instrument(id: u32, polyphony: u16, steal: StealStrategy) -> Instrument {
    let kinds = [SourceKind::SINE, SourceKind::SAW, SourceKind::SQUARE];
    let mut def = InstrumentDef::new(kinds[id as usize % 3]);
    def.amp_env = EnvelopeDef { attack: 0.002, decay: 0.02, sustain: 0.5, release: 0.03 };
    def.voice = VoiceSettings { polyphony, steal, ..VoiceSettings::default() };
    Instrument { id: InstrumentId(id), name: format!("i{id}"), def, mixer: MixerSettings::default() }
}

fn scene() -> AudioScene {
    // A looping bar of eighths on the fixed instrument, so timeline voices
    // share its polyphony with live ones while playing.
    let notes = (0..8).map(|k| (NoteId(k), Note::new(60 + k as u8, 90, k * 240, 200))).collect();
    let clip = Clip {
        id: ClipId(0),
        name: "loop".into(),
        instrument: FIXED,
        length: 1920,
        looping: true,
        notes,
        drums: None,
        audio: None,
    };
    AudioScene {
        instruments: vec![
            instrument(0, FIXED_POLYPHONY, StealStrategy::Oldest),
            instrument(1, 8, StealStrategy::Quietest),
            instrument(2, 32, StealStrategy::SameNote),
        ],
        tempo: 240.0,
        clips: vec![clip],
        placements: vec![Placement { id: PlacementId(0), clip: ClipId(0), start: 0, length: 1920 * 64 }],
        ..AudioScene::default()
    }
}

/// Voice synths on the server, per instrument group (the group holding
/// each `voices` group), and in all.
fn voice_counts(tree: &TreeNode) -> (Vec<usize>, usize) {
    let is_voice = |n: &TreeNode| n.def.as_deref().is_some_and(|d| VOICE_DEFS.contains(&d));
    let mut per_group = Vec::new();
    for node in tree.walk() {
        if node.def.is_none() && node.children.iter().any(|c| c.def.is_none() && c.children.iter().any(is_voice)) {
            per_group.push(node.children.iter().flat_map(|c| c.walk()).filter(|n| is_voice(n)).count());
        }
    }
    (per_group, tree.walk().into_iter().filter(|n| is_voice(n)).count())
}

#[test]
fn random_voices_pedal_stop_delete_and_polyphony_leave_nothing_hanging() {
    let tag = format!("soak-{}", std::process::id());
    let (mut audio, tap_rx, _) = tapped_engine(&tag, JackMode::Dummy);
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(scene()))]).unwrap();
    engine_tree(&audio);

    let mut rng = Lcg(42);
    let mut live: Vec<InstrumentId> = vec![InstrumentId(0), InstrumentId(1), InstrumentId(2)];
    let mut next_id = 3;
    let mut held: Vec<VoiceId> = Vec::new();
    let mut pedal: HashMap<InstrumentId, bool> = HashMap::new();
    let mut playing = false;
    let (mut deletes, mut settings, mut checks, mut most_fixed) = (0, 0, 0, 0);
    for step in 0..STEPS {
        match rng.next(100) {
            0..=44 => {
                let inst = live[rng.next(live.len() as u32) as usize];
                let freq = 110.0 * 2f32.powf(rng.next(36) as f32 / 12.0);
                held.push(audio.voice_on(inst, freq, 0.2 + rng.next(80) as f32 / 100.0).unwrap());
            }
            45..=79 if !held.is_empty() => {
                let voice = held.swap_remove(rng.next(held.len() as u32) as usize);
                audio.voice_off(voice).unwrap();
            }
            80..=87 => {
                let inst = live[rng.next(live.len() as u32) as usize];
                let down = !pedal.get(&inst).copied().unwrap_or(false);
                pedal.insert(inst, down);
                audio.sustain(inst, down).unwrap();
            }
            88..=91 => {
                if playing {
                    audio.stop().unwrap()
                } else {
                    audio.play().unwrap()
                }
                playing = !playing;
                pedal.clear(); // stop releases everything and lifts the pedals
            }
            92..=94 if live.len() > 1 => {
                let k = 1 + rng.next(live.len() as u32 - 1) as usize;
                let gone = live.remove(k);
                pedal.remove(&gone);
                let added = instrument(next_id, 1 + rng.next(8) as u16, StealStrategy::Oldest);
                next_id += 1;
                live.push(added.id);
                audio
                    .send_diffs(vec![
                        AudioDiff::InstrumentRemoved { instrument: gone },
                        AudioDiff::InstrumentAdded {
                            instrument: Box::new(added),
                            after: live.get(live.len() - 2).copied(),
                        },
                    ])
                    .unwrap();
                engine_tree(&audio); // applied before the next voice overtakes it
                deletes += 1;
            }
            95..=97 if live.len() > 1 => {
                let inst = live[1 + rng.next(live.len() as u32 - 1) as usize];
                let voice = VoiceSettings { polyphony: 1 + rng.next(12) as u16, ..VoiceSettings::default() };
                audio.send_diffs(vec![AudioDiff::VoiceSettingsChanged { instrument: inst, voice }]).unwrap();
                settings += 1;
            }
            _ => {}
        }
        if step % 150 == 149 {
            let t = engine_tree(&audio);
            let (per_group, _) = voice_counts(&t);
            let fixed_group = t.walk().into_iter().find(|n| {
                n.def.is_none()
                    && n.children.iter().any(|c| c.def.as_deref() == Some("imbolc_strip"))
                    && n.children.iter().flat_map(|c| c.walk()).any(|v| v.def.as_deref() == Some("imbolc_sine"))
            });
            if let Some(g) = fixed_group {
                let n = g
                    .children
                    .iter()
                    .flat_map(|c| c.walk())
                    .filter(|v| v.def.as_deref() == Some("imbolc_sine"))
                    .count();
                most_fixed = most_fixed.max(n);
                assert!(n <= usize::from(FIXED_POLYPHONY), "step {step}: {n} voices on a 4-voice instrument");
            }
            assert!(per_group.iter().all(|n| *n <= 32), "no instrument above the largest polyphony: {per_group:?}");
            checks += 1;
        }
        std::thread::sleep(Duration::from_micros(u64::from(rng.next(3000))));
    }

    // Wind down: stop, lift every pedal, release every held voice.
    audio.stop().unwrap();
    for inst in &live {
        audio.sustain(*inst, false).unwrap();
    }
    for voice in held.drain(..) {
        audio.voice_off(voice).unwrap();
    }
    let done = wait_feedback(&mut audio, WAIT, |f| !f.transport.playing && f.transport.voices == 0);
    assert_eq!(done.transport.voices, 0, "the allocator counts zero");
    let (_, total) = voice_counts(&engine_tree(&audio));
    assert_eq!(total, 0, "voice nodes left on the server");

    // In tap order: voices started, voice frees (steals) sent, and which
    // of those frees raced the voice's own end (a releasing voice whose
    // tail ended as it was stolen: its `/n_end` comes after the free was
    // sent; the server's "not found" for such a free is silenced).
    let (mut started, mut go, mut end) = (HashSet::new(), HashSet::new(), HashSet::new());
    let (mut freed, mut stale_frees) = (HashSet::new(), 0);
    while let Ok(event) = tap_rx.try_recv() {
        match event {
            TapEvent::Sent { ops, .. } => {
                for op in ops {
                    match op {
                        ServerOp::SynthNew { def, id, .. } if VOICE_DEFS.contains(&def) => _ = started.insert(id.0),
                        ServerOp::Free { node } | ServerOp::FreeVoice { node } if started.contains(&node.0) => {
                            if end.contains(&node.0) {
                                stale_frees += 1;
                            }
                            freed.insert(node.0);
                        }
                        _ => {}
                    }
                }
            }
            TapEvent::Go(n) => _ = go.insert(n.0),
            TapEvent::End(n) => _ = end.insert(n.0),
        }
    }
    let hanging: Vec<_> = started.iter().filter(|n| go.contains(n) && !end.contains(n)).collect();
    assert!(hanging.is_empty(), "voices that started and never ended: {hanging:?}");
    assert_eq!(stale_frees, 0, "a voice was freed after the server said it had ended");
    let counters = audio.counters();
    assert_eq!((counters.fails, counters.mismatches, counters.refused), (0, 0, 0), "{counters:?}");
    eprintln!(
        "{STEPS} steps: {} voices started, {} stolen, {deletes} instrument deletes, {settings} polyphony changes, \
         {checks} tree checks (at most {most_fixed} of {FIXED_POLYPHONY} voices on the fixed instrument); ended with \
         0 voice nodes, allocator 0; {} frees refused (tail ended first)",
        started.len(),
        freed.len(),
        counters.fails
    );
    audio.shutdown();
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "scsynth/jackd left running after shutdown");
}
