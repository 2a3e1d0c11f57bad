//! Layers in the scheduler: property tests over random notes, links and
//! window partitions.
//!
//! - each layer gets exactly the lead's events (ons and offs), at the same
//!   times with the same keys, transposed and velocity-scaled (notes the
//!   offset takes past 0..=127 left out on both);
//! - every layered note-on has its note-off, even when the links change
//!   while notes sound and when play stops mid-note;
//! - other instruments pass untouched.

use std::collections::HashMap;

use imbolc_types::transform::{ChordSettings, GrooveSettings, NoteTransforms};
use imbolc_types::{
    AudioDiff, AudioScene, Clip, ClipId, Instrument, InstrumentDef, InstrumentId, LayerLink, Note, NoteId, Placement,
    PlacementId, SourceKind,
};
use proptest::prelude::*;

use crate::scheduler::{NoteEvent, NoteEventKind, NoteKey, Scheduler, SchedulerConfig};

const LEAD: InstrumentId = InstrumentId(1);
const OTHER: InstrumentId = InstrumentId(9);

fn instrument(id: InstrumentId, layer: Option<LayerLink>, transforms: NoteTransforms) -> Instrument {
    let mut def = InstrumentDef::new(SourceKind::SINE);
    def.layer = layer;
    def.transforms = transforms;
    Instrument { id, name: format!("{}", id.0), def, mixer: Default::default() }
}

fn clip(id: u32, instrument: InstrumentId, notes: &[(u8, u8, u32, u32)], length: u32) -> Clip {
    Clip {
        id: ClipId(id),
        name: String::new(),
        instrument,
        length,
        looping: false,
        notes: notes.iter().enumerate().map(|(i, &(p, v, s, l))| (NoteId(i as u32), Note::new(p, v, s, l))).collect(),
        drums: None,
        audio: None,
    }
}

/// The lead plays `notes`; layers 2.. follow it with `links`; `OTHER`
/// plays one note of its own.
fn scene(notes: &[(u8, u8, u32, u32)], links: &[(i8, f32)], lead: NoteTransforms) -> AudioScene {
    let mut instruments = vec![instrument(LEAD, None, lead)];
    for (i, &(semitones, velocity)) in links.iter().enumerate() {
        let link = LayerLink { lead: LEAD, semitones, velocity };
        instruments.push(instrument(InstrumentId(2 + i as u32), Some(link), NoteTransforms::default()));
    }
    instruments.push(instrument(OTHER, None, NoteTransforms::default()));
    AudioScene {
        tempo: 120.0,
        instruments,
        clips: vec![clip(1, LEAD, notes, 3840), clip(2, OTHER, &[(50, 90, 0, 240)], 3840)],
        placements: vec![
            Placement { id: PlacementId(1), clip: ClipId(1), start: 0, length: 3840 },
            Placement { id: PlacementId(2), clip: ClipId(2), start: 0, length: 3840 },
        ],
        ..AudioScene::default()
    }
}

/// Plays from 0 in windows of `window` seconds until `until` (applying
/// `mid` halfway), then stops.
fn run(scene: &AudioScene, window: f64, until: f64, mid: &[AudioDiff]) -> Vec<NoteEvent> {
    let mut s = Scheduler::new(scene, SchedulerConfig::default());
    s.play(0.0);
    let mut out = Vec::new();
    let mut t = 0.0;
    let mut applied = false;
    while t < until {
        t += window;
        if !applied && t >= until / 2.0 {
            for d in mid {
                s.apply(d).unwrap();
            }
            applied = true;
        }
        s.advance(t, &mut out);
    }
    s.stop(&mut out);
    out
}

fn of(events: &[NoteEvent], id: InstrumentId) -> Vec<NoteEvent> {
    events.iter().filter(|e| e.instrument == id).copied().collect()
}

/// Every note-on of each instrument has exactly one later note-off.
fn assert_no_hanging(events: &[NoteEvent]) {
    let mut open: HashMap<(InstrumentId, NoteKey), f64> = HashMap::new();
    for e in events {
        match e.kind {
            NoteEventKind::On => assert!(open.insert((e.instrument, e.key), e.time).is_none(), "{e:?} twice"),
            NoteEventKind::Off => {
                let on = open.remove(&(e.instrument, e.key));
                assert!(on.is_some_and(|t| t <= e.time), "{e:?} without its note-on");
            }
        }
    }
    assert!(open.is_empty(), "hanging: {open:?}");
}

fn notes() -> impl Strategy<Value = Vec<(u8, u8, u32, u32)>> {
    prop::collection::vec((0u8..=127, 1u8..=127, 0u32..3600, 1u32..900), 1..12)
}

fn links() -> impl Strategy<Value = Vec<(i8, f32)>> {
    prop::collection::vec((-48i8..=48, 0.0f32..=2.0), 1..4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn each_layer_plays_the_leads_notes_transposed_and_scaled(
        notes in notes(), links in links(), window in 0.003f64..0.2,
        chord in any::<bool>(), groove in any::<bool>(),
    ) {
        let lead = NoteTransforms {
            chord: chord.then(ChordSettings::default),
            groove: groove.then_some(GrooveSettings { timing_ms: 10.0, velocity: 20, ..GrooveSettings::default() }),
            ..NoteTransforms::default()
        };
        let events = run(&scene(&notes, &links, lead.clone()), window, 5.0, &[]);
        let unlayered = run(&scene(&notes, &[], lead), window, 5.0, &[]);
        let lead_events = of(&events, LEAD);
        prop_assert_eq!(&lead_events, &of(&unlayered, LEAD), "the lead plays as without layers");
        prop_assert_eq!(of(&events, OTHER), of(&unlayered, OTHER));
        prop_assert!(!lead_events.is_empty());
        for (i, &(semitones, velocity)) in links.iter().enumerate() {
            let link = LayerLink { lead: LEAD, semitones, velocity };
            let id = InstrumentId(2 + i as u32);
            let expected: Vec<NoteEvent> = lead_events
                .iter()
                .filter_map(|e| {
                    let pitch = link.pitch(e.pitch)?;
                    Some(NoteEvent { instrument: id, pitch, velocity: link.velocity(e.velocity), ..*e })
                })
                .collect();
            let mut got = of(&events, id);
            let mut want = expected;
            let order = |a: &NoteEvent, b: &NoteEvent| a.time.total_cmp(&b.time).then(a.kind.cmp(&b.kind)).then(a.key.cmp(&b.key));
            got.sort_by(order);
            want.sort_by(order);
            prop_assert_eq!(got, want, "layer {}", i);
        }
        assert_no_hanging(&events);
    }

    #[test]
    fn links_changed_while_notes_sound_leave_nothing_hanging(
        notes in notes(), links in links(), window in 0.003f64..0.2, change in 0usize..3,
    ) {
        let s = scene(&notes, &links, NoteTransforms::default());
        let layer = InstrumentId(2);
        let mid = match change {
            0 => vec![AudioDiff::LayerChanged { instrument: layer, layer: None }],
            1 => vec![AudioDiff::LayerChanged { instrument: layer, layer: Some(LayerLink { lead: LEAD, semitones: 7, velocity: 0.5 }) }],
            _ => vec![AudioDiff::LayerChanged { instrument: OTHER, layer: Some(LayerLink::new(LEAD)) }],
        };
        let events = run(&s, window, 3.0, &mid);
        assert_no_hanging(&events);
    }
}

#[test]
fn a_layered_note_sounds_in_the_same_window_at_the_same_time() {
    let s = scene(&[(60, 100, 0, 480)], &[(12, 0.5), (-12, 1.0)], NoteTransforms::default());
    let events = run(&s, 0.05, 1.0, &[]);
    let on = |id| of(&events, id).into_iter().find(|e| e.kind == NoteEventKind::On).unwrap();
    assert_eq!((on(InstrumentId(2)).pitch, on(InstrumentId(2)).velocity), (72, 50));
    assert_eq!((on(InstrumentId(3)).pitch, on(InstrumentId(3)).velocity), (48, 100));
    assert_eq!(on(InstrumentId(2)).time, on(LEAD).time);
    assert_eq!(on(InstrumentId(3)).key, on(LEAD).key);
}

#[test]
fn stopping_mid_note_ends_the_layers_too() {
    let s = scene(&[(60, 100, 0, 3000)], &[(0, 1.0)], NoteTransforms::default());
    let events = run(&s, 0.05, 0.5, &[]);
    assert_no_hanging(&events);
    assert_eq!(of(&events, InstrumentId(2)).len(), 2);
}
