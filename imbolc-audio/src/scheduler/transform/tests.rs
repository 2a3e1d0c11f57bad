//! The transforms stage in the scheduler: property tests over random
//! chords, rates, window partitions and tempos.
//!
//! - an up arpeggio of any chord visits its notes in order, one per step,
//!   each on the rate's grid, and every step's off follows its on;
//! - down, up-down and as-played orders; random is the same for the same
//!   seed;
//! - humanize never moves a note outside its bound, swing delays exactly
//!   the off-beats, and the same seed gives the same events;
//! - other instruments' notes pass untouched.

use std::collections::BTreeMap;

use imbolc_types::sync::Feel;
use imbolc_types::transform::{ArpMode, ArpSettings, ChordSettings, ChordShape, GrooveSettings, NoteTransforms};
use imbolc_types::{
    AudioDiff, AudioScene, Clip, ClipId, Instrument, InstrumentDef, InstrumentId, Note, NoteDivision, NoteId,
    Placement, PlacementId, SourceKind,
};
use proptest::prelude::*;

use crate::scheduler::{NoteEvent, NoteEventKind, Scheduler, SchedulerConfig};

const ARP: InstrumentId = InstrumentId(1);
const PLAIN: InstrumentId = InstrumentId(2);
const BPM: f32 = 120.0;
/// Seconds per tick at 120 BPM.
const SPT: f64 = 60.0 / (120.0 * 480.0);

fn instrument(id: InstrumentId, transforms: NoteTransforms) -> Instrument {
    let mut def = InstrumentDef::new(SourceKind::SINE);
    def.transforms = transforms;
    Instrument { id, name: format!("{}", id.0), def, mixer: Default::default() }
}

fn clip(id: u32, instrument: InstrumentId, notes: &[(u8, u32, u32)], length: u32) -> Clip {
    Clip {
        id: ClipId(id),
        name: String::new(),
        instrument,
        length,
        looping: false,
        notes: notes.iter().enumerate().map(|(i, &(p, s, l))| (NoteId(i as u32), Note::new(p, 100, s, l))).collect(),
        drums: None,
        audio: None,
    }
}

/// A scene with the arpeggiated instrument playing `chord` for `len`
/// ticks and a plain one playing one note.
fn scene(t: NoteTransforms, chord: &[(u8, u32, u32)], len: u32) -> AudioScene {
    AudioScene {
        tempo: BPM,
        instruments: vec![instrument(ARP, t), instrument(PLAIN, NoteTransforms::default())],
        clips: vec![clip(1, ARP, chord, len), clip(2, PLAIN, &[(50, 0, 240)], len)],
        placements: vec![
            Placement { id: PlacementId(1), clip: ClipId(1), start: 0, length: len },
            Placement { id: PlacementId(2), clip: ClipId(2), start: 0, length: len },
        ],
        ..AudioScene::default()
    }
}

/// Plays from 0 in windows of `window` seconds until `until`, then stops.
fn run(scene: &AudioScene, window: f64, until: f64) -> Vec<NoteEvent> {
    let mut s = Scheduler::new(scene, SchedulerConfig::default());
    s.play(0.0);
    let mut out = Vec::new();
    let mut t = 0.0;
    while t < until {
        t += window;
        s.advance(t, &mut out);
    }
    s.stop(&mut out);
    out
}

fn of(events: &[NoteEvent], id: InstrumentId, kind: NoteEventKind) -> Vec<NoteEvent> {
    events.iter().filter(|e| e.instrument == id && e.kind == kind).copied().collect()
}

fn arp(mode: ArpMode, rate: NoteDivision, octaves: u8) -> NoteTransforms {
    NoteTransforms {
        arp: Some(ArpSettings { mode, rate, octaves, gate: 0.5, latch: false, seed: 9 }),
        ..NoteTransforms::default()
    }
}

fn divisions() -> impl Strategy<Value = NoteDivision> {
    (
        prop::sample::select(vec![4u8, 8, 16, 32]),
        prop::sample::select(vec![Feel::Straight, Feel::Dotted, Feel::Triplet]),
    )
        .prop_map(|(d, f)| NoteDivision::new(d, f).unwrap())
}

fn chords() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::btree_set(30u8..90, 1..6).prop_map(|s| s.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn an_up_arpeggio_visits_the_chord_in_order_at_the_rate(
        chord in chords(), rate in divisions(), octaves in 1u8..=3, window in 0.003f64..0.05,
    ) {
        let len = 3840;
        let notes: Vec<(u8, u32, u32)> = chord.iter().map(|&p| (p, 0, len)).collect();
        let events = run(&scene(arp(ArpMode::Up, rate, octaves), &notes, len), window, 4.3);
        let ons = of(&events, ARP, NoteEventKind::On);
        let step = imbolc_types::transform::division_ticks(rate);
        let expected: Vec<u8> = (0..octaves).flat_map(|o| chord.iter().map(move |p| p + 12 * o)).collect();
        prop_assert_eq!(ons.len(), (len as usize).div_ceil(step as usize));
        for (i, e) in ons.iter().enumerate() {
            prop_assert_eq!(e.pitch, expected[i % expected.len()]);
            let ideal = (i as u64 * u64::from(step)) as f64 * SPT;
            prop_assert!((e.time - ideal).abs() < 1e-9, "step {} at {} not {}", i, e.time, ideal);
        }
        let offs = of(&events, ARP, NoteEventKind::Off);
        prop_assert_eq!(offs.len(), ons.len(), "every step ends");
        for on in &ons {
            let off = offs.iter().find(|o| o.key == on.key && o.time > on.time - 1e-12 && o.pitch == on.pitch);
            prop_assert!(off.is_some(), "step at {} has no off", on.time);
        }
        // The plain instrument is untouched.
        let plain = of(&events, PLAIN, NoteEventKind::On);
        prop_assert_eq!(plain.len(), 1);
        prop_assert_eq!(plain[0].pitch, 50);
        prop_assert_eq!(plain[0].time, 0.0);
    }

    #[test]
    fn down_up_down_and_as_played_orders(chord in chords(), window in 0.003f64..0.05) {
        let sixteenth = NoteDivision::new(16, Feel::Straight).unwrap();
        let len = 1920;
        let notes: Vec<(u8, u32, u32)> = chord.iter().map(|&p| (p, 0, len)).collect();
        let pitches = |mode| -> Vec<u8> {
            of(&run(&scene(arp(mode, sixteenth, 1), &notes, len), window, 1.2), ARP, NoteEventKind::On)
                .iter().map(|e| e.pitch).collect()
        };
        let mut down = chord.clone();
        down.reverse();
        let got = pitches(ArpMode::Down);
        for (i, p) in got.iter().enumerate() {
            prop_assert_eq!(*p, down[i % down.len()]);
        }
        let mut cycle = chord.clone();
        if chord.len() > 2 {
            cycle.extend(chord[1..chord.len() - 1].iter().rev());
        }
        for (i, p) in pitches(ArpMode::UpDown).iter().enumerate() {
            prop_assert_eq!(*p, cycle[i % cycle.len()]);
        }
        let r1 = pitches(ArpMode::Random);
        prop_assert_eq!(&r1, &pitches(ArpMode::Random), "same seed, same notes");
        prop_assert!(r1.iter().all(|p| chord.contains(p)));
    }

    #[test]
    fn humanize_stays_in_its_bound_swing_delays_off_beats_and_a_seed_repeats(
        starts in prop::collection::btree_set(0u32..32, 1..12), ms in 0.0f32..50.0, vel in 0u8..64,
        swing in 0.0f32..0.5, seed in any::<u64>(), window in 0.003f64..0.05,
    ) {
        let g = GrooveSettings {
            swing_division: NoteDivision::new(16, Feel::Straight).unwrap(),
            swing, timing_ms: ms, velocity: vel, seed,
        };
        let t = NoteTransforms { groove: Some(g), ..NoteTransforms::default() };
        // Notes on 16ths (120 ticks), 60 ticks long, from 0.5 s on so an
        // early move is never cut at the start of play.
        let notes: Vec<(u8, u32, u32)> = starts.iter().map(|&s| (60, 480 + s * 120, 60)).collect();
        let sc = scene(t, &notes, 480 + 32 * 120);
        let a = run(&sc, window, 4.8);
        let b = run(&sc, 0.011, 4.8);
        prop_assert_eq!(of(&a, ARP, NoteEventKind::On), of(&b, ARP, NoteEventKind::On), "same seed, same events");
        let ons = of(&a, ARP, NoteEventKind::On);
        prop_assert_eq!(ons.len(), starts.len());
        for (e, s) in ons.iter().zip(starts.iter()) {
            let ideal = f64::from(480 + s * 120) * SPT;
            let swung = if s % 2 == 1 { f64::from(swing) * 120.0 * SPT } else { 0.0 };
            let d = e.time - ideal - swung;
            prop_assert!(d.abs() <= f64::from(ms) / 1000.0 + 1e-9, "moved {} s past ±{} ms", d, ms);
            prop_assert!((i32::from(e.velocity) - 100).unsigned_abs() <= u32::from(vel));
        }
        let offs = of(&a, ARP, NoteEventKind::Off);
        for on in &ons {
            let off = offs.iter().find(|o| o.key == on.key).unwrap();
            prop_assert!((off.time - on.time - 60.0 * SPT).abs() < 1e-9, "a note keeps its length");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_note_becomes_its_chord_and_each_tone_ends(
        pitches in prop::collection::vec(30u8..100, 1..8), shape in prop::sample::select(ChordShape::ALL.to_vec()),
        inversion in 0u8..=3, spread in 0u8..=2, window in 0.003f64..0.05,
    ) {
        let c = ChordSettings { shape, inversion, spread };
        let t = NoteTransforms { chord: Some(c), ..NoteTransforms::default() };
        let notes: Vec<(u8, u32, u32)> = pitches.iter().enumerate().map(|(i, &p)| (p, i as u32 * 240, 200)).collect();
        let events = run(&scene(t, &notes, 2400), window, 1.5);
        let ons = of(&events, ARP, NoteEventKind::On);
        let offs = of(&events, ARP, NoteEventKind::Off);
        let key = imbolc_types::Key::default();
        let expected: usize = pitches.iter().map(|&p| c.tones(p, key).len()).sum();
        prop_assert_eq!(ons.len(), expected);
        prop_assert_eq!(offs.len(), expected);
        for (i, &p) in pitches.iter().enumerate() {
            let at = f64::from(i as u32 * 240) * SPT;
            let mut got: Vec<u8> = ons.iter().filter(|e| (e.time - at).abs() < 1e-9).map(|e| e.pitch).collect();
            got.sort_unstable();
            prop_assert_eq!(got, c.tones(p, key));
        }
        for on in &ons {
            prop_assert!(offs.iter().any(|o| o.key == on.key && o.pitch == on.pitch && o.time > on.time));
        }
    }
}

#[test]
fn an_arpeggio_follows_a_new_chord_from_its_lowest_note_and_latch_holds() {
    let sixteenth = NoteDivision::new(16, Feel::Straight).unwrap();
    // C E G for a beat, then D F A for a beat.
    let notes = [(60, 0, 480), (64, 0, 480), (67, 0, 480), (62, 480, 480), (65, 480, 480), (69, 480, 480)];
    let ons = of(&run(&scene(arp(ArpMode::Up, sixteenth, 1), &notes, 960), 0.01, 1.0), ARP, NoteEventKind::On);
    let got: Vec<u8> = ons.iter().map(|e| e.pitch).collect();
    assert_eq!(got, vec![60, 64, 67, 60, 62, 65, 69, 62]);

    let mut t = arp(ArpMode::Up, sixteenth, 1);
    if let Some(a) = t.arp.as_mut() {
        a.latch = true;
    }
    let ons = of(&run(&scene(t, &[(60, 0, 100), (64, 0, 100)], 960), 0.01, 0.99), ARP, NoteEventKind::On);
    let got: Vec<u8> = ons.iter().map(|e| e.pitch).collect();
    assert_eq!(got, vec![60, 64, 60, 64, 60, 64, 60, 64], "latched notes play on after release");
}

#[test]
fn turning_the_arpeggiator_on_and_off_follows_the_diff() {
    let sixteenth = NoteDivision::new(16, Feel::Straight).unwrap();
    let sc = scene(NoteTransforms::default(), &[(60, 0, 960)], 960);
    let mut s = Scheduler::new(&sc, SchedulerConfig::default());
    s.apply(&AudioDiff::TransformsChanged { instrument: ARP, transforms: arp(ArpMode::Up, sixteenth, 1) }).unwrap();
    s.play(0.0);
    let mut out = Vec::new();
    s.advance(1.0, &mut out);
    s.stop(&mut out);
    assert_eq!(of(&out, ARP, NoteEventKind::On).len(), 8);
    assert_eq!(of(&out, ARP, NoteEventKind::Off).len(), 8);
    let _ = BTreeMap::<u8, u8>::new();
}

proptest! {
    /// The sorter puts any events (equal times, kinds, instruments and
    /// pitches included) in the order a plain sort by the whole order
    /// gives.
    #[test]
    fn the_sorter_orders_like_a_plain_sort(
        events in prop::collection::vec((0u8..4, any::<bool>(), 0u32..3, 60u8..63, 0u32..4, 0u8..3), 0..80),
    ) {
        let mut events: Vec<NoteEvent> = events
            .into_iter()
            .map(|(t, on, i, pitch, note, tone)| NoteEvent {
                time: f64::from(t) * 0.25 - 0.25,
                kind: if on { NoteEventKind::On } else { NoteEventKind::Off },
                instrument: InstrumentId(i),
                pitch,
                velocity: 100,
                key: crate::scheduler::NoteKey { clip: ClipId(1), note: NoteId(note), placement: None, tone },
                audio: None,
            })
            .collect();
        let mut want = events.clone();
        want.sort_by(super::scheduler_order);
        super::Sorter::default().sort(&mut events);
        let order = |e: &[NoteEvent]| e.iter().map(|e| (e.time, e.kind, e.instrument, e.pitch, e.key)).collect::<Vec<_>>();
        prop_assert_eq!(order(&events), order(&want));
    }
}
