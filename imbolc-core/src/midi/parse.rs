//! [`Decoder`]: raw MIDI bytes to [`MidiEvent`]s. Messages are decoded by
//! `wmidi`; this file only walks the buffer: running status (data bytes
//! that reuse the last channel status), SysEx skipped whole (however long),
//! and anything malformed skipped byte by byte and counted. Never panics
//! and never allocates, so it can run in the MIDI callback.

use wmidi::{ControlFunction, MidiMessage};

/// A MIDI message Imbolc acts on. Channels are 0..=15.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MidiEvent {
    NoteOn {
        channel: u8,
        key: u8,
        velocity: u8,
    },
    /// Also a note-on with velocity 0.
    NoteOff {
        channel: u8,
        key: u8,
    },
    Control {
        channel: u8,
        cc: u8,
        value: u8,
    },
    /// -8192..=8191, 0 = centre.
    PitchBend {
        channel: u8,
        value: i16,
    },
    ChannelPressure {
        channel: u8,
        value: u8,
    },
    PolyPressure {
        channel: u8,
        key: u8,
        value: u8,
    },
    /// MIDI clock tick (24 per quarter note).
    Clock,
    Start,
    Continue,
    Stop,
}

/// What one [`Decoder::decode`] call saw besides events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DecodeStats {
    /// Bytes skipped because they made no message.
    pub malformed: usize,
    /// SysEx messages skipped (complete or cut off).
    pub sysex: usize,
}

/// A streaming decoder; keeps the running status between calls.
#[derive(Debug, Clone, Default)]
pub struct Decoder {
    running: Option<u8>,
}

impl Decoder {
    /// Decodes every message in `bytes`, calling `emit` for each event.
    pub fn decode(&mut self, bytes: &[u8], mut emit: impl FnMut(MidiEvent)) -> DecodeStats {
        let mut stats = DecodeStats::default();
        let mut rest = bytes;
        while let Some(&first) = rest.first() {
            if first < 0x80 {
                rest = self.running_status(rest, &mut emit, &mut stats);
                continue;
            }
            match MidiMessage::try_from(rest) {
                Ok(message) => {
                    let size = message.bytes_size().max(1);
                    match first {
                        0x80..=0xEF => self.running = Some(first),
                        // System common messages cancel running status;
                        // real-time ones (0xF8..) leave it alone.
                        0xF0..=0xF7 => self.running = None,
                        _ => {}
                    }
                    if matches!(message, MidiMessage::SysEx(_)) {
                        stats.sysex += 1;
                    }
                    if let Some(event) = convert(&message) {
                        emit(event);
                    }
                    rest = rest.get(size..).unwrap_or(&[]);
                }
                Err(wmidi::Error::NoSysExEndByte) => {
                    // A SysEx cut off (or a flood): drop the rest.
                    stats.sysex += 1;
                    self.running = None;
                    return stats;
                }
                Err(_) => {
                    stats.malformed += 1;
                    rest = &rest[1..];
                }
            }
        }
        stats
    }

    /// `rest` starts with a data byte: decode it with the running status,
    /// or skip it when there is none.
    fn running_status<'a>(
        &mut self,
        rest: &'a [u8],
        emit: &mut impl FnMut(MidiEvent),
        stats: &mut DecodeStats,
    ) -> &'a [u8] {
        let Some(status) = self.running else {
            stats.malformed += 1;
            return &rest[1..];
        };
        let mut buf = [status, 0, 0];
        let n = rest.len().min(2);
        buf[1..=n].copy_from_slice(&rest[..n]);
        match MidiMessage::try_from(&buf[..=n]) {
            Ok(message) => {
                let data = message.bytes_size().saturating_sub(1).max(1);
                if let Some(event) = convert(&message) {
                    emit(event);
                }
                rest.get(data..).unwrap_or(&[])
            }
            Err(_) => {
                stats.malformed += 1;
                &rest[1..]
            }
        }
    }
}

fn convert(m: &MidiMessage<'_>) -> Option<MidiEvent> {
    Some(match *m {
        MidiMessage::NoteOn(ch, note, vel) => {
            MidiEvent::NoteOn { channel: ch.index(), key: u8::from(note), velocity: u8::from(vel) }
        }
        MidiMessage::NoteOff(ch, note, _) => MidiEvent::NoteOff { channel: ch.index(), key: u8::from(note) },
        MidiMessage::ControlChange(ch, ControlFunction(cc), value) => {
            MidiEvent::Control { channel: ch.index(), cc: u8::from(cc), value: u8::from(value) }
        }
        MidiMessage::PitchBendChange(ch, bend) => {
            MidiEvent::PitchBend { channel: ch.index(), value: u16::from(bend) as i16 - 8192 }
        }
        MidiMessage::ChannelPressure(ch, value) => {
            MidiEvent::ChannelPressure { channel: ch.index(), value: u8::from(value) }
        }
        MidiMessage::PolyphonicKeyPressure(ch, note, value) => {
            MidiEvent::PolyPressure { channel: ch.index(), key: u8::from(note), value: u8::from(value) }
        }
        MidiMessage::TimingClock => MidiEvent::Clock,
        MidiMessage::Start => MidiEvent::Start,
        MidiMessage::Continue => MidiEvent::Continue,
        MidiMessage::Stop => MidiEvent::Stop,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn all(bytes: &[u8]) -> (Vec<MidiEvent>, DecodeStats) {
        let mut d = Decoder::default();
        let mut out = Vec::new();
        let stats = d.decode(bytes, |e| out.push(e));
        (out, stats)
    }

    #[test]
    fn notes_running_status_and_velocity_zero() {
        let (events, stats) = all(&[0x91, 60, 100, 62, 0, 0xF8, 64, 90]);
        assert_eq!(
            events,
            vec![
                MidiEvent::NoteOn { channel: 1, key: 60, velocity: 100 },
                MidiEvent::NoteOff { channel: 1, key: 62 },
                MidiEvent::Clock,
                MidiEvent::NoteOn { channel: 1, key: 64, velocity: 90 },
            ]
        );
        assert_eq!(stats, DecodeStats::default());
    }

    #[test]
    fn running_status_survives_between_calls() {
        let mut d = Decoder::default();
        let mut out = Vec::new();
        d.decode(&[0xB0, 74, 10], |e| out.push(e));
        d.decode(&[74, 20], |e| out.push(e));
        assert_eq!(out[1], MidiEvent::Control { channel: 0, cc: 74, value: 20 });
    }

    #[test]
    fn sysex_is_skipped_and_a_cut_off_one_drops_the_rest() {
        let (events, stats) = all(&[0xF0, 1, 2, 3, 0xF7, 0xE0, 0, 0x40]);
        assert_eq!(events, vec![MidiEvent::PitchBend { channel: 0, value: 0 }]);
        assert_eq!(stats.sysex, 1);
        let flood: Vec<u8> = std::iter::once(0xF0).chain(std::iter::repeat_n(0x11, 100_000)).collect();
        let (events, stats) = all(&flood);
        assert!(events.is_empty());
        assert_eq!(stats.sysex, 1);
    }

    #[test]
    fn stray_data_and_bad_bytes_are_counted() {
        let (events, stats) = all(&[1, 2, 0x90, 0x80, 0x90, 60, 1]);
        assert_eq!(events, vec![MidiEvent::NoteOn { channel: 0, key: 60, velocity: 1 }]);
        assert!(stats.malformed >= 3);
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..16)) {
            let mut d = Decoder::default();
            for chunk in &chunks {
                d.decode(chunk, |e| {
                    if let MidiEvent::NoteOn { channel, key, velocity } = e {
                        assert!(channel < 16 && key < 128 && (1..128).contains(&velocity));
                    }
                });
            }
        }
    }
}
