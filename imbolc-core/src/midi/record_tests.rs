//! [`Recorder`] with a synthetic tempo line: starts, lengths, pedal,
//! quantise, count-in and clip origin.

use imbolc_audio::backend::Timetag;

use super::*;

const CLIP: ClipId = ClipId(7);
const NTP: f64 = 2_208_988_800.0;

fn settings() -> RecordSettings {
    RecordSettings { clip: CLIP, origin: 0, quantise: None, mode: RecordMode::Overdub, count_in: 0 }
}

/// A transport playing at 120 BPM whose play tick 0 sounds at `t0`.
fn playing(t0: f64) -> TransportFeedback {
    TransportFeedback {
        tick: 0,
        playing: true,
        bpm: 120.0,
        anchor: Some(TempoAnchor { timetag: Timetag::from_secs_f64(NTP + t0), play_tick: 0.0, bpm: 120.0 }),
        voices: 0,
        counting_in: false,
    }
}

fn stopped(tick: Tick) -> TransportFeedback {
    TransportFeedback { tick, playing: false, bpm: 120.0, anchor: None, voices: 0, counting_in: false }
}

fn note(at: f64, key: u8, on: bool) -> MidiInbound {
    MidiInbound::Note { at, channel: 0, key, velocity: if on { 100 } else { 0 }, on }
}

/// Records with play tick 0 at wall time 1000 s; 1 s = 960 ticks.
fn take(s: RecordSettings, from: Tick, start: Tick, events: &[MidiInbound]) -> Take {
    let mut r = Recorder::default();
    r.arm(s, from);
    assert!(r.observe(&stopped(start)).is_none());
    let mut t = playing(1000.0);
    t.tick = start;
    assert!(r.observe(&t).is_none());
    assert!(r.is_recording());
    for e in events {
        r.event(e);
    }
    r.disarm().expect("a take")
}

#[test]
fn notes_keep_their_real_start_length_and_velocity() {
    let t = take(
        settings(),
        0,
        0,
        &[note(1000.25, 60, true), note(1000.5, 60, false), note(1001.0, 62, true), note(1001.125, 62, false)],
    );
    assert_eq!(t.notes, vec![Note::new(60, 100, 240, 240), Note::new(62, 100, 960, 120),]);
    assert_eq!(t.span.0, 0);
    assert!(t.span.1 >= 1080, "the span reaches the stop");
}

#[test]
fn pedal_holds_extend_notes_until_pedal_up() {
    let pedal = |at, down| MidiInbound::Pedal { at, channel: 0, down };
    let t = take(
        settings(),
        0,
        0,
        &[pedal(1000.0, true), note(1000.25, 60, true), note(1000.5, 60, false), pedal(1001.0, false)],
    );
    assert_eq!(t.notes, vec![Note::new(60, 100, 240, 720)]);
}

#[test]
fn quantise_snaps_to_the_grid() {
    let s = RecordSettings { quantise: Some(120), ..settings() };
    let t = take(s, 0, 0, &[note(1000.27, 60, true), note(1000.40, 60, false)]);
    assert_eq!(t.notes, vec![Note::new(60, 100, 240, 120)]);
}

#[test]
fn count_in_and_origin() {
    // Play starts at song tick 960; the take starts at 1920 (one bar of
    // 2/4 count-in); the clip starts at song tick 1920.
    let s = RecordSettings { origin: 1920, count_in: 960, ..settings() };
    let t = take(
        s,
        1920,
        960,
        &[note(1000.5, 50, true), note(1000.6, 50, false), note(1001.25, 60, true), note(1001.5, 60, false)],
    );
    assert_eq!(t.notes, vec![Note::new(60, 100, 240, 240)], "count-in notes are not kept");
}

#[test]
fn a_given_play_start_is_not_overridden_by_a_stale_stopped_position() {
    let s = RecordSettings { count_in: 960, ..settings() };
    let mut r = Recorder::default();
    r.arm_from(s, 1920, 960);
    assert!(r.observe(&stopped(1920)).is_none(), "the seek has not landed yet");
    let mut t = playing(1000.0);
    t.tick = 960;
    r.observe(&t);
    r.event(&note(1001.25, 60, true));
    r.event(&note(1001.5, 60, false));
    let take = r.disarm().unwrap();
    assert_eq!(take.notes, vec![Note::new(60, 100, 2160, 240)]);
}
