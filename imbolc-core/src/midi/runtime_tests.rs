//! [`MidiRuntime`] on a real session: learn, mapped controllers as
//! undoable `SetParam`s, and a take committed as one undo step.

use imbolc_audio::backend::Timetag;
use imbolc_audio::engine::{EngineError, TempoAnchor, VoiceId};
use imbolc_types::catalog::SourceKind;
use imbolc_types::{ClipId, InstrumentId, Project};

use super::*;
use crate::midi::live::InputId;
use crate::midi::timebase::wall_now;
use crate::session::NullSink;

struct Nowhere;

impl LiveTarget for Nowhere {
    fn voice_on(&self, _: InstrumentId, _: f32, _: f32) -> Result<VoiceId, EngineError> {
        Ok(VoiceId(0))
    }
    fn voice_off(&self, _: VoiceId) -> Result<(), EngineError> {
        Ok(())
    }
    fn pedal(&self, _: InstrumentId, _: bool) -> Result<(), EngineError> {
        Ok(())
    }
    fn bend(&self, _: InstrumentId, _: f32) -> Result<(), EngineError> {
        Ok(())
    }
    fn pressure(&self, _: InstrumentId, _: f32) -> Result<(), EngineError> {
        Ok(())
    }
    fn voice_pressure(&self, _: VoiceId, _: f32) -> Result<(), EngineError> {
        Ok(())
    }
    fn release_all(&self) -> Result<(), EngineError> {
        Ok(())
    }
    fn transport(&self, _: TransportCmd) -> Result<(), EngineError> {
        Ok(())
    }
}

fn session() -> (Session<NullSink>, InstrumentId, ClipId) {
    let mut s = Session::new(Project::new("midi"), NullSink);
    s.dispatch(Action::AddInstrument { source: SourceKind::SAW, name: "keys".into() }).unwrap();
    let inst = *s.project().instruments.keys().next().unwrap();
    s.dispatch(Action::AddClip { instrument: inst, name: "take".into(), length: 4 * 1920 }).unwrap();
    let clip = *s.project().clips.keys().next().unwrap();
    (s, inst, clip)
}

fn feed(rt: &MidiRuntime, bytes: &[u8], at: f64) {
    rt.player().lock().unwrap().handle(InputId::Virtual, (at * 1e6) as u64, at, bytes);
}

#[test]
fn learn_maps_the_next_controller_and_mapped_moves_are_undoable_set_params() {
    let (mut s, inst, _) = session();
    let mut rt = MidiRuntime::new(Box::new(Nowhere));
    let target = ParamTarget::Mixer { instrument: inst, param: imbolc_types::MixerParam::Level };
    rt.learn(target.clone());
    feed(&rt, &[0xB0, 74, 5], 1.0);
    let report = rt.poll(&mut s, &TransportFeedback::default());
    let m = report.learned.expect("learned");
    assert_eq!((m.channel, m.cc, m.min, m.max), (0, 74, 0.0, 2.0));
    assert!(rt.learning().is_none());
    feed(&rt, &[0xB0, 74, 127], 1.1);
    rt.poll(&mut s, &TransportFeedback::default());
    assert_eq!(crate::dispatch::param_value(s.project(), &target), Some(2.0));
    s.undo().unwrap();
    assert_ne!(crate::dispatch::param_value(s.project(), &target), Some(2.0));
}

#[test]
fn mapped_moves_while_playing_with_automation_armed_are_recorded_into_a_lane() {
    let (mut s, inst, _) = session();
    let mut rt = MidiRuntime::new(Box::new(Nowhere));
    let target = ParamTarget::Mixer { instrument: inst, param: imbolc_types::MixerParam::Level };
    rt.learn(target.clone());
    feed(&rt, &[0xB0, 74, 5], 1.0);
    rt.poll(&mut s, &TransportFeedback::default());
    s.arm_automation(true, std::time::Instant::now()).unwrap();
    for (k, value) in [0u8, 64, 127].into_iter().enumerate() {
        feed(&rt, &[0xB0, 74, value], 1.1 + k as f64 / 10.0);
        let playing = TransportFeedback { playing: true, tick: 480 * k as u32, ..TransportFeedback::default() };
        rt.poll(&mut s, &playing);
    }
    s.finish_take(std::time::Instant::now()).unwrap().expect("a take");
    let lane = s.project().automation.values().find(|l| l.target == target).expect("a level lane");
    // The straight middle move is thinned away; the ends stay where played.
    assert_eq!(lane.points.keys().copied().collect::<Vec<_>>(), [0, 960], "{:?}", lane.points);
    assert_eq!((lane.points[&0], lane.points[&960]), (0.0, 2.0));
    s.undo().unwrap();
    assert!(s.project().automation.is_empty(), "the pass is one undo step");
}

#[test]
fn an_unmapped_mod_wheel_moves_the_selected_instruments_timbre_parameter() {
    let (mut s, inst, _) = session();
    let mut rt = MidiRuntime::new(Box::new(Nowhere));
    rt.select_instrument(Some(inst));
    let timbre = SourceKind::SAW.spec().timbre_param().expect("saw names its timbre parameter");
    let target = ParamTarget::Source { instrument: inst, param: timbre.id.to_owned() };
    feed(&rt, &[0xB0, 1, 127], 1.0);
    rt.poll(&mut s, &TransportFeedback::default());
    assert_eq!(crate::dispatch::param_value(s.project(), &target), Some(timbre.max));
    feed(&rt, &[0xB0, 1, 0], 1.1);
    rt.poll(&mut s, &TransportFeedback::default());
    assert_eq!(crate::dispatch::param_value(s.project(), &target), Some(timbre.min));
    // A mapping of CC 1 wins over the default.
    let level = ParamTarget::Mixer { instrument: inst, param: imbolc_types::MixerParam::Level };
    rt.learn(level.clone());
    feed(&rt, &[0xB0, 1, 5], 1.2);
    rt.poll(&mut s, &TransportFeedback::default());
    feed(&rt, &[0xB0, 1, 127], 1.3);
    rt.poll(&mut s, &TransportFeedback::default());
    assert_eq!(crate::dispatch::param_value(s.project(), &level), Some(2.0));
    assert_eq!(crate::dispatch::param_value(s.project(), &target), Some(timbre.min));
}

#[test]
fn a_take_is_one_undo_step_and_replace_removes_what_it_covers() {
    let (mut s, _, clip) = session();
    s.dispatch(Action::AddNote { clip, note: Note::new(40, 90, 300, 100) }).unwrap();
    let mut rt = MidiRuntime::new(Box::new(Nowhere));
    rt.select_instrument(s.project().instruments.keys().next().copied());
    let settings = RecordSettings { clip, origin: 0, quantise: Some(240), mode: RecordMode::Replace, count_in: 0 };
    rt.arm(settings, 0);
    let before = s.history().len();
    rt.poll(&mut s, &TransportFeedback { bpm: 120.0, ..TransportFeedback::default() });
    let t0 = wall_now();
    let anchor = TempoAnchor { timetag: Timetag::from_secs_f64(t0 + 2_208_988_800.0), play_tick: 0.0, bpm: 120.0 };
    let playing =
        TransportFeedback { tick: 0, playing: true, bpm: 120.0, anchor: Some(anchor), voices: 0, counting_in: false };
    rt.poll(&mut s, &playing);
    feed(&rt, &[0x90, 60, 100], t0 + 0.26);
    feed(&rt, &[0x80, 60, 0], t0 + 0.49);
    rt.poll(&mut s, &playing);
    let report = rt.poll(&mut s, &TransportFeedback { playing: false, ..playing });
    assert_eq!(report.recorded, Some(1), "{report:?}");
    let notes: Vec<Note> = s.project().clips[&clip].notes.values().copied().collect();
    assert_eq!(notes, vec![Note::new(60, 100, 240, 240)], "the old note was replaced");
    assert_eq!(s.history().len(), before + 1);
    s.undo().unwrap();
    let notes: Vec<Note> = s.project().clips[&clip].notes.values().copied().collect();
    assert_eq!(notes, vec![Note::new(40, 90, 300, 100)]);
}

/// A note already queued in the frame where play is first seen belongs to
/// the take (the take begins before the frame's events are read).
#[test]
fn a_note_queued_as_play_starts_is_recorded() {
    let (mut s, _, clip) = session();
    let mut rt = MidiRuntime::new(Box::new(Nowhere));
    rt.select_instrument(s.project().instruments.keys().next().copied());
    let settings = RecordSettings { clip, origin: 0, quantise: None, mode: RecordMode::Overdub, count_in: 0 };
    rt.arm(settings, 0);
    rt.poll(&mut s, &TransportFeedback { bpm: 120.0, ..TransportFeedback::default() });
    let t0 = wall_now();
    let anchor = TempoAnchor { timetag: Timetag::from_secs_f64(t0 + 2_208_988_800.0), play_tick: 0.0, bpm: 120.0 };
    let playing =
        TransportFeedback { tick: 0, playing: true, bpm: 120.0, anchor: Some(anchor), voices: 0, counting_in: false };
    feed(&rt, &[0x90, 64, 100], t0 + 0.5);
    feed(&rt, &[0x80, 64, 0], t0 + 0.75);
    rt.poll(&mut s, &playing);
    let report = rt.poll(&mut s, &TransportFeedback { playing: false, ..playing });
    assert_eq!(report.recorded, Some(1), "{report:?}");
    let notes: Vec<Note> = s.project().clips[&clip].notes.values().copied().collect();
    assert_eq!(notes, vec![Note::new(64, 100, 480, 240)]);
}
