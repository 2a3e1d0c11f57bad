//! [`Pads`] through the whole input path: a note-on or controller from the
//! callback, the runtime's poll, launches sent to the audio side, learned
//! pads as undoable project edits, and LED messages (only changes).

use std::sync::{Arc, Mutex};

use imbolc_audio::engine::{EngineError, TransportCmd, TransportFeedback, VoiceId};
use imbolc_types::catalog::SourceKind;
use imbolc_types::{Action, ClipId, InstrumentId, LaunchTarget, Launcher, Project};

use super::*;
use crate::midi::live::{InputId, LiveTarget};
use crate::midi::runtime::MidiRuntime;
use crate::session::{NullSink, Session};

/// Records what reaches the audio side.
#[derive(Clone, Default)]
struct Spy(Arc<Mutex<(Vec<Launch>, usize)>>);

impl LiveTarget for Spy {
    fn voice_on(&self, _: InstrumentId, _: f32, _: f32) -> Result<VoiceId, EngineError> {
        self.0.lock().unwrap().1 += 1;
        Ok(VoiceId(1))
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
    fn launch(&self, _: &Launcher, launches: &[Launch]) -> Result<(), EngineError> {
        self.0.lock().unwrap().0.extend_from_slice(launches);
        Ok(())
    }
}

impl Spy {
    fn take(&self) -> Vec<Launch> {
        std::mem::take(&mut self.0.lock().unwrap().0)
    }
    fn voices(&self) -> usize {
        self.0.lock().unwrap().1
    }
}

/// Two instruments, each with a clip in scene 1 (index 0); the first also
/// in scene 2.
fn session() -> (Session<NullSink>, [InstrumentId; 2], [ClipId; 3]) {
    let mut s = Session::new(Project::new("pads"), NullSink);
    for name in ["a", "b"] {
        s.dispatch(Action::AddInstrument { source: SourceKind::SAW, name: name.into() }).unwrap();
    }
    let insts: Vec<InstrumentId> = s.project().instruments.keys().copied().collect();
    let mut clips = Vec::new();
    for (i, inst) in [insts[0], insts[1], insts[0]].into_iter().enumerate() {
        s.dispatch(Action::AddClip { instrument: inst, name: format!("c{i}"), length: 1920 }).unwrap();
        let clip = *s.project().clips.keys().max().unwrap();
        let scene = if i == 2 { 1 } else { 0 };
        s.dispatch(Action::SetLauncherSlot { instrument: inst, scene, clip: Some(clip) }).unwrap();
        clips.push(clip);
    }
    (s, [insts[0], insts[1]], [clips[0], clips[1], clips[2]])
}

fn feed(rt: &MidiRuntime, bytes: &[u8]) {
    rt.player().lock().unwrap().handle(InputId::Virtual, 1_000_000, 1.0, bytes);
}

fn poll(rt: &mut MidiRuntime, s: &mut Session<NullSink>) -> crate::midi::PollReport {
    rt.poll(s, &TransportFeedback::default())
}

#[test]
fn a_launchpad_pad_launches_its_slot_and_plays_no_note() {
    let (mut s, [a, b], [c0, c1, c2]) = session();
    let spy = Spy::default();
    let mut rt = MidiRuntime::new(Box::new(spy.clone()));
    rt.select_instrument(Some(a));
    rt.pads_mut().layout = PadLayout::Launchpad;
    poll(&mut rt, &mut s);
    // Top left pad: column 1, scene 1.
    feed(&rt, &[0x90, 81, 127]);
    feed(&rt, &[0x80, 81, 0]);
    let r = poll(&mut rt, &mut s);
    assert_eq!(r.pad.as_deref(), Some("pad: clip launched"));
    let l = spy.take();
    assert_eq!(l.len(), 1);
    assert_eq!((l[0].instrument, l[0].target), (a, LaunchTarget::Clip(c0)));
    // Row 7 (scene 2) of column 1, then the second column's top pad.
    feed(&rt, &[0x90, 71, 127]);
    feed(&rt, &[0x90, 82, 127]);
    poll(&mut rt, &mut s);
    let l = spy.take();
    assert_eq!(l.iter().map(|l| l.target).collect::<Vec<_>>(), [LaunchTarget::Clip(c2), LaunchTarget::Clip(c1)]);
    assert_eq!(l[1].instrument, b);
    // The right column's top button launches scene 1 as one group.
    feed(&rt, &[0xB0, 89, 127]);
    feed(&rt, &[0xB0, 89, 0]);
    poll(&mut rt, &mut s);
    let l = spy.take();
    assert_eq!(l.len(), 2);
    assert!(l[0].group != 0 && l[0].group == l[1].group);
    // An empty slot stops its column; other keys still play.
    feed(&rt, &[0x90, 61, 127]);
    poll(&mut rt, &mut s);
    assert_eq!(spy.take()[0].target, LaunchTarget::Stop);
    assert_eq!(spy.voices(), 0, "pads are not notes");
    feed(&rt, &[0x90, 60, 100]);
    feed(&rt, &[0x91, 81, 100]);
    assert_eq!(spy.voices(), 2, "a key off the grid, or on another channel, plays");
}

#[test]
fn an_unknown_controller_works_by_learning_and_the_learning_is_undone() {
    let (mut s, [a, _], [c0, ..]) = session();
    let spy = Spy::default();
    let mut rt = MidiRuntime::new(Box::new(spy.clone()));
    rt.select_instrument(Some(a));
    rt.pads_mut().learn(Some(PadTarget::Slot { instrument: a, scene: 0 }));
    poll(&mut rt, &mut s);
    feed(&rt, &[0x92, 36, 100]);
    let r = poll(&mut rt, &mut s);
    assert_eq!(r.pad.as_deref(), Some("pad learned: note 36 ch 3 → slot 1 of a"));
    assert_eq!(spy.voices(), 0, "the learned key did not play");
    assert!(spy.take().is_empty());
    feed(&rt, &[0x92, 36, 100]);
    poll(&mut rt, &mut s);
    assert_eq!(spy.take()[0].target, LaunchTarget::Clip(c0));
    // A controller learned for stop all; its release does nothing, and it
    // sets no parameter.
    rt.pads_mut().learn(Some(PadTarget::StopAll));
    poll(&mut rt, &mut s);
    feed(&rt, &[0xB0, 20, 127]);
    poll(&mut rt, &mut s);
    feed(&rt, &[0xB0, 20, 127]);
    feed(&rt, &[0xB0, 20, 0]);
    poll(&mut rt, &mut s);
    let l = spy.take();
    assert_eq!(l.len(), 2);
    assert!(l.iter().all(|l| l.target == LaunchTarget::Stop));
    assert_eq!(s.project().launcher.pads.len(), 2);
    s.undo().unwrap();
    assert_eq!(s.project().launcher.pads.len(), 1);
    s.undo().unwrap();
    assert!(s.project().launcher.pads.is_empty());
    poll(&mut rt, &mut s);
    feed(&rt, &[0x92, 36, 100]);
    poll(&mut rt, &mut s);
    assert!(spy.take().is_empty());
    assert_eq!(spy.voices(), 1, "a forgotten pad is a key again");
}

#[test]
fn leds_follow_the_slot_states_and_only_changes_go_out() {
    let (s, [a, _], [c0, _, c2]) = session();
    let mut pads = Pads { layout: PadLayout::Launchpad, ..Pads::default() };
    let first = pads.leds(s.project(), &[], None);
    assert_eq!(first.len(), 64, "every pad once");
    assert!(first.contains(&[0x90, 81, 13]) && first.contains(&[0x90, 71, 13]) && first.contains(&[0x90, 83, 0]));
    assert!(pads.leds(s.project(), &[], None).is_empty());
    let queued = ColumnFeedback { instrument: a, playing: None, stopped: false, queued: Some(LaunchTarget::Clip(c0)) };
    assert_eq!(pads.leds(s.project(), &[queued], None), [[0x90, 81, 17]]);
    let playing = ColumnFeedback { playing: Some((c0, 0)), queued: None, ..queued };
    assert_eq!(pads.leds(s.project(), &[playing], None), [[0x90, 81, 21]]);
    let next = ColumnFeedback { queued: Some(LaunchTarget::Clip(c2)), ..playing };
    assert_eq!(pads.leds(s.project(), &[next], None), [[0x90, 71, 17]]);
    let switched = ColumnFeedback { playing: Some((c2, 0)), queued: None, ..queued };
    assert_eq!(pads.leds(s.project(), &[switched], None), [[0x90, 71, 21], [0x90, 81, 13]]);
    assert_eq!(pads.leds(s.project(), &[], Some(c2)), [[0x90, 71, 5]], "a loop recording is red");
    pads.forget_leds();
    assert_eq!(pads.leds(s.project(), &[], None).len(), 64);
    assert_eq!(pads.darken(), [[0x90, 71, 0], [0x90, 81, 0], [0x90, 82, 0]], "only lit pads go dark");
    assert_eq!(pads.leds(s.project(), &[], None).len(), 64);
    let apc = Pads { layout: PadLayout::ApcMini, channel: 0, ..Pads::default() }.leds(s.project(), &[], None).to_vec();
    assert!(apc.contains(&[0x90, 56, 5]) && apc.contains(&[0x90, 48, 5]) && apc.contains(&[0x90, 0, 0]));
}
