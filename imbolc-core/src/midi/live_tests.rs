//! [`LivePlayer`] against a fake realtime lane: routing, pedal, curves,
//! queueing, and random bytes that must never panic or leave a voice on.

use std::collections::BTreeSet;
use std::sync::Mutex;

use crossbeam_channel::{Receiver, bounded};
use proptest::prelude::*;

use super::*;
use crate::midi::routing::Zone;

const A: InstrumentId = InstrumentId(1);
const B: InstrumentId = InstrumentId(2);

/// What the fake lane saw, and the voices it holds on.
#[derive(Debug, Default)]
struct Lane {
    next: u64,
    on: BTreeSet<u64>,
    calls: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Fake(Arc<Mutex<Lane>>);

impl LiveTarget for Fake {
    fn voice_on(&self, instrument: InstrumentId, freq: f32, velocity: f32) -> Result<VoiceId, EngineError> {
        let mut l = self.0.lock().unwrap();
        l.next += 1;
        let id = l.next;
        l.on.insert(id);
        l.calls.push(format!("on {} {freq:.0} {velocity:.2}", instrument.0));
        Ok(VoiceId(id))
    }
    fn voice_off(&self, voice: VoiceId) -> Result<(), EngineError> {
        let mut l = self.0.lock().unwrap();
        l.on.remove(&voice.0);
        l.calls.push(format!("off {}", voice.0));
        Ok(())
    }
    fn pedal(&self, instrument: InstrumentId, down: bool) -> Result<(), EngineError> {
        self.0.lock().unwrap().calls.push(format!("pedal {} {down}", instrument.0));
        Ok(())
    }
    fn bend(&self, instrument: InstrumentId, amount: f32) -> Result<(), EngineError> {
        self.0.lock().unwrap().calls.push(format!("bend {} {amount:.2}", instrument.0));
        Ok(())
    }
    fn pressure(&self, instrument: InstrumentId, amount: f32) -> Result<(), EngineError> {
        self.0.lock().unwrap().calls.push(format!("pressure {} {amount:.2}", instrument.0));
        Ok(())
    }
    fn voice_pressure(&self, voice: VoiceId, amount: f32) -> Result<(), EngineError> {
        self.0.lock().unwrap().calls.push(format!("vpressure {} {amount:.2}", voice.0));
        Ok(())
    }
    fn release_all(&self) -> Result<(), EngineError> {
        let mut l = self.0.lock().unwrap();
        l.on.clear();
        l.calls.push("release all".into());
        Ok(())
    }
    fn transport(&self, cmd: imbolc_audio::engine::TransportCmd) -> Result<(), EngineError> {
        self.0.lock().unwrap().calls.push(format!("{cmd:?}"));
        Ok(())
    }
}

fn player(capacity: usize) -> (LivePlayer, Fake, Receiver<MidiInbound>, Arc<MidiStats>, Arc<AtomicBool>) {
    let fake = Fake::default();
    let (tx, rx) = bounded(capacity);
    let stats = Arc::new(MidiStats::default());
    let rec = Arc::new(AtomicBool::new(false));
    let mut p = LivePlayer::new(Box::new(fake.clone()), tx, Arc::clone(&stats), Arc::clone(&rec));
    p.settings.routing.selected = Some(A);
    (p, fake, rx, stats, rec)
}

fn calls(f: &Fake) -> Vec<String> {
    std::mem::take(&mut f.0.lock().unwrap().calls)
}

#[test]
fn notes_go_to_the_selected_instrument_and_end_on_note_off() {
    let (mut p, fake, rx, _, _) = player(8);
    p.handle(InputId::Virtual, 1_000, 10.0, &[0x90, 69, 127]);
    p.handle(InputId::Virtual, 2_000, 10.0, &[0x80, 69, 0]);
    assert_eq!(calls(&fake), vec!["on 1 440 1.00", "off 1"]);
    assert!(rx.try_recv().is_err(), "nothing for the UI while not recording");
}

#[test]
fn pedal_bend_and_pressure_reach_every_routed_instrument() {
    let (mut p, fake, _, _, _) = player(8);
    p.settings.routing.channels.insert(2, vec![Zone::full(A), Zone { transpose: 12, ..Zone::full(B) }]);
    p.handle(InputId::Virtual, 0, 0.0, &[0x92, 57, 127]);
    p.handle(InputId::Virtual, 0, 0.0, &[0xB2, 64, 127, 0xE2, 0, 0x60, 0xD2, 127, 0xA2, 57, 127]);
    assert_eq!(
        calls(&fake),
        vec![
            "on 1 220 1.00",
            "on 2 440 1.00",
            "pedal 1 true",
            "pedal 2 true",
            "bend 1 0.50",
            "bend 2 0.50",
            "pressure 1 1.00",
            "pressure 2 1.00",
            "vpressure 1 1.00",
            "vpressure 2 1.00"
        ]
    );
}

#[test]
fn velocity_curves_apply_per_input() {
    let (mut p, fake, _, _, _) = player(8);
    p.settings.curves = [VelocityCurve::Linear, VelocityCurve::Fixed(127)];
    p.handle(InputId::Virtual, 0, 0.0, &[0x90, 69, 64]);
    p.handle(InputId::Device, 0, 0.0, &[0x90, 70, 64]);
    let c = calls(&fake);
    assert_eq!(c[0], "on 1 440 0.50");
    assert!(c[1].ends_with("1.00"), "{c:?}");
}

#[test]
fn controllers_and_recorded_notes_are_queued_and_a_full_queue_counts_drops() {
    let (mut p, _, rx, stats, rec) = player(2);
    rec.store(true, Ordering::Relaxed);
    p.handle(InputId::Virtual, 5_000_000, 105.0, &[0xB0, 74, 10]);
    p.handle(InputId::Virtual, 5_500_000, 105.6, &[0x90, 60, 100]);
    p.handle(InputId::Virtual, 6_000_000, 106.0, &[0x80, 60, 0]);
    assert_eq!(rx.try_recv().unwrap(), MidiInbound::Control { channel: 0, cc: 74, value: 10 });
    match rx.try_recv().unwrap() {
        MidiInbound::Note { at, key: 60, on: true, .. } => assert!((at - 105.5).abs() < 1e-9, "{at}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(stats.snapshot().dropped, 1, "the third did not fit");
}

proptest! {
    #[test]
    fn random_bytes_never_panic_and_panic_leaves_no_voice(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..48), 0..24)
    ) {
        let (mut p, fake, _rx, _, rec) = player(4);
        rec.store(true, Ordering::Relaxed);
        p.settings.routing.channels.insert(3, vec![Zone::full(A), Zone::full(B)]);
        for (i, chunk) in chunks.iter().enumerate() {
            p.handle(if i % 2 == 0 { InputId::Virtual } else { InputId::Device }, i as u64, 0.0, chunk);
        }
        p.panic();
        prop_assert!(fake.0.lock().unwrap().on.is_empty());
        prop_assert_eq!(p.held_keys(), 0);
    }
}
