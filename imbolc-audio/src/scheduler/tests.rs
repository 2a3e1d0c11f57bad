//! Scheduler behaviour: exact times, loops, tempo changes, seeks and edits
//! during play, and two properties: any partition of a span into windows
//! gives the events of the whole span, and diffs applied incrementally
//! give the same index (and events) as a scheduler built from scratch.

use std::collections::{BTreeMap, HashMap};

use imbolc_types::{
    AudioDiff, AudioScene, Clip, ClipId, InstrumentId, Note, NoteDelta, NoteId, ParamTarget, Placement, PlacementId,
};
use proptest::prelude::*;

use super::*;

/// A clip from `(pitch, start, length)` triples; note ids count from 0.
fn clip(id: u32, instrument: u32, length: u32, looping: bool, notes: &[(u8, u32, u32)]) -> Clip {
    let notes = notes
        .iter()
        .enumerate()
        .map(|(i, &(pitch, start, length))| (NoteId(i as u32), Note::new(pitch, 100, start, length)))
        .collect();
    Clip {
        id: ClipId(id),
        name: String::new(),
        instrument: InstrumentId(instrument),
        length,
        looping,
        notes,
        drums: None,
        audio: None,
    }
}

fn scene(clips: Vec<Clip>, placements: Vec<Placement>) -> AudioScene {
    AudioScene { tempo: 120.0, clips, placements, ..AudioScene::default() }
}

fn place(id: u32, clip: u32, start: u32, length: u32) -> Placement {
    Placement { id: PlacementId(id), clip: ClipId(clip), start, length }
}

/// `(time, on?, pitch)` of events, times rounded to microseconds.
fn summary(events: &[NoteEvent]) -> Vec<(i64, bool, u8)> {
    events.iter().map(|e| ((e.time * 1e6).round() as i64, e.kind == NoteEventKind::On, e.pitch)).collect()
}

fn run(s: &mut Scheduler, to: f64) -> Vec<NoteEvent> {
    let mut out = Vec::new();
    s.advance(to, &mut out);
    out
}

#[test]
fn pattern_mode_loops_the_clip_at_exact_times() {
    // Two beats at 120 BPM = 1 s; notes on each beat, an eighth long.
    let mut s = Scheduler::new(
        &scene(vec![clip(0, 0, 960, false, &[(60, 0, 240), (62, 480, 240)])], vec![]),
        SchedulerConfig::default(),
    );
    s.set_mode(PlayMode::Pattern(ClipId(0)));
    s.play(1.0);
    let events = run(&mut s, 3.0);
    let expected = vec![
        (1_000_000, true, 60),
        (1_250_000, false, 60),
        (1_500_000, true, 62),
        (1_750_000, false, 62),
        (2_000_000, true, 60),
        (2_250_000, false, 60),
        (2_500_000, true, 62),
        (2_750_000, false, 62),
    ];
    assert_eq!(summary(&events), expected);
    let clock = Clock::anchored(std::time::Instant::now(), crate::backend::Timetag { seconds: 10, fraction: 0 });
    assert_eq!(events[2].timetag(&clock), crate::backend::Timetag { seconds: 11, fraction: 1 << 31 });
    assert_eq!(s.position_at(2.25), 240);
}

#[test]
fn a_window_boundary_on_a_note_puts_it_in_the_later_window() {
    let mut s =
        Scheduler::new(&scene(vec![clip(0, 0, 960, true, &[(60, 480, 10)])], vec![]), SchedulerConfig::default());
    s.set_mode(PlayMode::Pattern(ClipId(0)));
    s.play(0.0);
    assert!(run(&mut s, 0.5).is_empty());
    assert_eq!(summary(&run(&mut s, 0.6))[0], (500_000, true, 60));
}

#[test]
fn a_tempo_change_applies_from_the_horizon_without_doubles() {
    // Quarter notes in a bar; 120 BPM for the first second, then 240.
    let notes = [(60, 0, 100), (61, 480, 100), (62, 960, 100), (63, 1440, 100)];
    let mut s = Scheduler::new(&scene(vec![clip(0, 0, 1920, true, &notes)], vec![]), SchedulerConfig::default());
    s.set_mode(PlayMode::Pattern(ClipId(0)));
    s.play(0.0);
    let first: Vec<_> = summary(&run(&mut s, 1.0)).into_iter().filter(|e| e.1).collect();
    assert_eq!(first, vec![(0, true, 60), (500_000, true, 61)]);
    s.apply(&AudioDiff::ParamSet { target: ParamTarget::Tempo, value: 240.0 }).unwrap();
    let second: Vec<_> = summary(&run(&mut s, 2.0)).into_iter().filter(|e| e.1).collect();
    assert_eq!(
        second,
        vec![(1_000_000, true, 62), (1_250_000, true, 63), (1_500_000, true, 60), (1_750_000, true, 61)]
    );
}

#[test]
fn seeking_ends_sounding_notes_and_plays_on_from_the_new_position() {
    let c = clip(0, 0, 3840, false, &[(40, 0, 3840), (50, 1920, 100)]);
    let mut s = Scheduler::new(&scene(vec![c], vec![place(0, 0, 0, 3840)]), SchedulerConfig::default());
    s.play(0.0);
    assert_eq!(summary(&run(&mut s, 0.5)), vec![(0, true, 40)]);
    s.seek(1920);
    let after = summary(&run(&mut s, 0.6));
    assert_eq!(after, vec![(500_000, false, 40), (500_000, true, 50)]);
    assert_eq!(s.position_at(0.5), 1920);
}

#[test]
fn edits_end_the_notes_they_touch_and_reach_the_next_window() {
    let c = clip(0, 0, 3840, false, &[(40, 0, 3840)]);
    let mut s = Scheduler::new(&scene(vec![c], vec![place(0, 0, 0, 3840)]), SchedulerConfig::default());
    s.play(0.0);
    run(&mut s, 0.25);
    let delta = NoteDelta { upserted: vec![(NoteId(7), Note::new(70, 90, 480, 240))], removed: vec![NoteId(0)] };
    s.apply(&AudioDiff::NotesChanged { clip: ClipId(0), delta }).unwrap();
    let events = summary(&run(&mut s, 1.0));
    assert_eq!(events, vec![(250_000, false, 40), (500_000, true, 70), (750_000, false, 70)]);
    assert_eq!(s.sounding(), 0);
    let missing = AudioDiff::NotesChanged { clip: ClipId(9), delta: NoteDelta::default() };
    assert_eq!(s.apply(&missing), Err(ScheduleError::UnknownClip(ClipId(9))));
}

#[test]
fn song_mode_cuts_notes_at_clip_placement_and_loop_ends() {
    // A non-looping clip of one beat (0.5 s) whose note is two beats long,
    // placed at beat 0; a looping one-beat clip placed for three beats at
    // beat 4 (2 s), its two-beat note cut at each repeat.
    let long = clip(0, 0, 480, false, &[(40, 0, 960), (41, 600, 10)]);
    let short = clip(1, 1, 480, true, &[(50, 0, 960)]);
    let mut s = Scheduler::new(
        &scene(vec![long, short], vec![place(0, 0, 0, 1920), place(1, 1, 1920, 1440)]),
        SchedulerConfig::default(),
    );
    s.play(0.0);
    let events = summary(&run(&mut s, 4.0));
    assert_eq!(
        events,
        vec![
            (0, true, 40),
            (500_000, false, 40),
            (2_000_000, true, 50),
            (2_500_000, false, 50),
            (2_500_000, true, 50),
            (3_000_000, false, 50),
            (3_000_000, true, 50),
            (3_500_000, false, 50),
        ]
    );
    // A loop over beats 4..5 cuts the sustained note at the wrap.
    let mut s = Scheduler::new(
        &scene(vec![clip(0, 0, 3840, false, &[(60, 1920, 960)])], vec![place(0, 0, 0, 3840)]),
        SchedulerConfig::default(),
    );
    s.set_loop(LoopRegion::new(1920, 2400));
    s.seek(1920);
    s.play(0.0);
    assert_eq!(summary(&run(&mut s, 0.6)), vec![(0, true, 60), (500_000, false, 60), (500_000, true, 60)]);
}

#[test]
fn stop_ends_every_sounding_note_at_the_horizon() {
    let c = clip(0, 0, 3840, false, &[(40, 0, 3840), (41, 0, 3840)]);
    let mut s = Scheduler::new(&scene(vec![c], vec![place(0, 0, 0, 3840)]), SchedulerConfig::default());
    s.play(0.0);
    s.lookahead_window(0.0, &mut Vec::new());
    let mut out = Vec::new();
    s.stop(&mut out);
    assert_eq!(summary(&out), vec![(50_000, false, 40), (50_000, false, 41)]);
    assert!(!s.is_playing());
    assert_eq!(s.position_at(9.0), 48, "stops where scheduling reached (50 ms = 48 ticks)");
}

/// A small random timeline: clips, placements, mode, loop, tempo.
#[derive(Debug, Clone)]
struct World {
    clips: Vec<Clip>,
    placements: Vec<Placement>,
    pattern: Option<u32>,
    looped: Option<(u32, u32)>,
    tempo: f32,
    start: u32,
}

fn world() -> impl Strategy<Value = World> {
    let note = (36u8..48, 0u32..2000, 1u32..1500);
    let clip_s = (100u32..2000, any::<bool>(), prop::collection::vec(note, 0..12));
    let placement = (0u32..3, 0u32..6000, 1u32..4000);
    (
        prop::collection::vec(clip_s, 1..4),
        prop::collection::vec(placement, 0..6),
        prop::option::of(0u32..3),
        prop::option::of((0u32..4000, 1u32..3000)),
        40f32..300.0,
        0u32..4000,
    )
        .prop_map(|(clips, placements, pattern, looped, tempo, start)| {
            let n = clips.len() as u32;
            let clips = clips
                .into_iter()
                .enumerate()
                .map(|(i, (len, looping, notes))| clip(i as u32, i as u32 % 2, len, looping, &notes))
                .collect();
            let placements =
                placements.into_iter().enumerate().map(|(i, (c, s, l))| place(i as u32, c % n, s, l)).collect();
            World { clips, placements, pattern: pattern.map(|p| p % n), looped, tempo, start }
        })
}

fn player(w: &World) -> Scheduler {
    let mut sc = scene(w.clips.clone(), w.placements.clone());
    sc.tempo = w.tempo;
    let mut s = Scheduler::new(&sc, SchedulerConfig::default());
    if let Some(p) = w.pattern {
        s.set_mode(PlayMode::Pattern(ClipId(p)));
    }
    s.set_loop(w.looped.and_then(|(a, l)| LoopRegion::new(a, a + l)));
    s.seek(w.start);
    s
}

type Row = (u64, NoteEventKind, InstrumentId, u8, u8, NoteKey);

fn rows(events: &[NoteEvent]) -> Vec<Row> {
    events.iter().map(|e| (e.time.to_bits(), e.kind, e.instrument, e.pitch, e.velocity, e.key)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The union of the events of any partition of a span into windows is
    /// the events of the whole span, bit for bit; after stop every note-on
    /// has exactly one later note-off.
    #[test]
    fn any_partition_of_a_span_gives_the_same_events(w in world(), cuts in prop::collection::vec(0.0f64..6.0, 0..12)) {
        let (start, end) = (0.5, 6.5);
        let mut whole = player(&w);
        whole.play(start);
        let mut all = Vec::new();
        whole.advance(end, &mut all);
        whole.stop(&mut all);

        let mut cuts: Vec<f64> = cuts.into_iter().map(|c| start + c).collect();
        cuts.sort_by(f64::total_cmp);
        let mut parts = player(&w);
        parts.play(start);
        let mut pieces = Vec::new();
        for c in cuts.into_iter().chain([end]) {
            parts.advance(c, &mut pieces);
        }
        parts.stop(&mut pieces);

        let (mut a, mut b) = (rows(&all), rows(&pieces));
        a.sort();
        b.sort();
        prop_assert_eq!(a, b);

        let mut open: HashMap<NoteKey, Vec<f64>> = HashMap::new();
        for e in &pieces {
            match e.kind {
                NoteEventKind::On => open.entry(e.key).or_default().push(e.time),
                NoteEventKind::Off => {
                    let on = open.get_mut(&e.key).and_then(|v| v.pop());
                    prop_assert!(on.is_some_and(|t| t < e.time), "off without an earlier on: {:?}", e);
                }
            }
        }
        prop_assert!(open.values().all(Vec::is_empty), "notes left sounding");
    }

    /// Diffs applied one by one give the same index, and the same events,
    /// as a scheduler built from the final timeline.
    #[test]
    fn incremental_diffs_match_a_rebuild(w in world(), edits in prop::collection::vec((0u8..6, 0u32..3, 0u32..20, 36u8..48, 0u32..2000, 1u32..900), 0..40)) {
        let mut live = player(&w);
        let mut clips: BTreeMap<ClipId, Clip> = w.clips.iter().map(|c| (c.id, c.clone())).collect();
        let mut placements: BTreeMap<PlacementId, Placement> = w.placements.iter().map(|p| (p.id, *p)).collect();
        let n = clips.len() as u32;
        live.play(0.0);
        let mut sink = Vec::new();
        for (i, (kind, c, id, pitch, start, len)) in edits.into_iter().enumerate() {
            let cid = ClipId(c % n);
            let diff = match kind {
                0 | 1 => {
                    let note = Note::new(pitch, 80, start, len);
                    if let Some(cl) = clips.get_mut(&cid) { cl.notes.insert(NoteId(id), note); }
                    AudioDiff::NotesChanged { clip: cid, delta: NoteDelta { upserted: vec![(NoteId(id), note)], removed: vec![] } }
                }
                2 => {
                    if let Some(cl) = clips.get_mut(&cid) { cl.notes.remove(&NoteId(id)); }
                    AudioDiff::NotesChanged { clip: cid, delta: NoteDelta { upserted: vec![], removed: vec![NoteId(id)] } }
                }
                3 => {
                    let p = place(100 + i as u32, cid.0, start * 2, len * 4);
                    placements.insert(p.id, p);
                    AudioDiff::PlacementAdded { placement: p }
                }
                4 => match placements.keys().next().copied() {
                    Some(pid) => { placements.remove(&pid); AudioDiff::PlacementRemoved { placement: pid } }
                    None => continue,
                },
                _ => {
                    if let Some(cl) = clips.get_mut(&cid) { cl.length = len; cl.looping = !cl.looping; }
                    let cl = &clips[&cid];
                    AudioDiff::ClipChanged { clip: cid, length: cl.length, looping: cl.looping }
                }
            };
            live.apply(&diff).unwrap();
            live.advance(0.05 * (i + 1) as f64, &mut sink);
        }
        let mut rebuilt = player(&World {
            clips: clips.values().cloned().collect(),
            placements: placements.values().copied().collect(),
            ..w.clone()
        });
        prop_assert_eq!(live.index(), rebuilt.index());

        // Same events from the same position on a fresh start.
        let mut out = Vec::new();
        live.stop(&mut out);
        live.seek(w.start);
        live.play(10.0);
        rebuilt.play(10.0);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        live.advance(14.0, &mut a);
        rebuilt.advance(14.0, &mut b);
        prop_assert_eq!(rows(&a), rows(&b));
    }
}

#[derive(Debug, Clone)]
enum Op {
    Advance(f64),
    Seek(u32),
    Tempo(f32),
    Mode(Option<u32>),
    Loop(Option<(u32, u32)>),
    Upsert(u32, u32, u8, u32, u32),
    Remove(u32, u32),
    Reshape(u32, u32, bool),
    Unplace(u32),
    StopPlay,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (0.0f64..0.4).prop_map(Op::Advance),
        1 => (0u32..6000).prop_map(Op::Seek),
        1 => (30f32..400.0).prop_map(Op::Tempo),
        1 => prop::option::of(0u32..3).prop_map(Op::Mode),
        1 => prop::option::of((0u32..4000, 1u32..2000)).prop_map(Op::Loop),
        3 => (0u32..3, 0u32..16, 36u8..48, 0u32..2000, 1u32..1500).prop_map(|(c, n, p, s, l)| Op::Upsert(c, n, p, s, l)),
        2 => (0u32..3, 0u32..16).prop_map(|(c, n)| Op::Remove(c, n)),
        1 => (0u32..3, 100u32..2000, any::<bool>()).prop_map(|(c, l, lp)| Op::Reshape(c, l, lp)),
        1 => (0u32..6).prop_map(Op::Unplace),
        1 => Just(Op::StopPlay),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Whatever happens during play (seeks, tempo and mode changes, loop
    /// changes, edits, stop/play), the event stream never goes back in
    /// time, every note-off follows its note-on, and after stop no note is
    /// left sounding.
    #[test]
    fn no_note_is_left_hanging_whatever_happens(w in world(), ops in prop::collection::vec(op(), 0..60)) {
        let mut s = player(&w);
        let n = w.clips.len() as u32;
        let mut placed: Vec<PlacementId> = w.placements.iter().map(|p| p.id).collect();
        s.play(0.0);
        let mut events = Vec::new();
        for op in ops {
            match op {
                Op::Advance(dt) => s.advance(s.horizon() + dt, &mut events),
                Op::Seek(t) => s.seek(t),
                Op::Tempo(bpm) => s.set_tempo(bpm),
                Op::Mode(m) => s.set_mode(m.map_or(PlayMode::Song, |c| PlayMode::Pattern(ClipId(c % n)))),
                Op::Loop(l) => s.set_loop(l.and_then(|(a, len)| LoopRegion::new(a, a + len))),
                Op::Upsert(c, id, pitch, start, length) => {
                    let note = Note::new(pitch, 64, start, length);
                    let delta = NoteDelta { upserted: vec![(NoteId(id), note)], removed: vec![] };
                    s.apply(&AudioDiff::NotesChanged { clip: ClipId(c % n), delta }).unwrap();
                }
                Op::Remove(c, id) => {
                    let delta = NoteDelta { upserted: vec![], removed: vec![NoteId(id)] };
                    s.apply(&AudioDiff::NotesChanged { clip: ClipId(c % n), delta }).unwrap();
                }
                Op::Reshape(c, length, looping) => {
                    s.apply(&AudioDiff::ClipChanged { clip: ClipId(c % n), length, looping }).unwrap();
                }
                Op::Unplace(k) => {
                    if !placed.is_empty() {
                        let id = placed.remove(k as usize % placed.len());
                        s.apply(&AudioDiff::PlacementRemoved { placement: id }).unwrap();
                    }
                }
                Op::StopPlay => {
                    s.stop(&mut events);
                    s.play(s.horizon());
                }
            }
        }
        s.advance(s.horizon() + 0.3, &mut events);
        s.stop(&mut events);
        prop_assert_eq!(s.sounding(), 0);

        for pair in events.windows(2) {
            prop_assert!(pair[0].time <= pair[1].time, "time went back: {:?}", pair);
        }
        let mut open: HashMap<NoteKey, usize> = HashMap::new();
        for e in &events {
            let count = open.entry(e.key).or_default();
            match e.kind {
                NoteEventKind::On => *count += 1,
                NoteEventKind::Off => {
                    prop_assert!(*count > 0, "off without an on: {:?}", e);
                    *count -= 1;
                }
            }
        }
        prop_assert!(open.values().all(|&c| c == 0), "notes left sounding");
    }
}
