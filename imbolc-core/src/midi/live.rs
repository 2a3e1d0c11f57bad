//! [`LivePlayer`]: the state behind the MIDI callback. It decodes bytes,
//! routes notes to instruments and sends them straight to the audio
//! thread's realtime lane ([`LiveTarget`], implemented by
//! [`LiveSender`]); everything that needs the project (controllers,
//! recording, clock) goes to the UI side through a bounded queue
//! ([`MidiInbound`]). A full queue or lane drops the event and counts it.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_channel::{Sender, TrySendError};
use imbolc_audio::engine::{EngineError, LiveSender, TransportCmd, VoiceId};
use imbolc_audio::scheduler::{Launch, midi_to_freq};
use imbolc_types::{InstrumentId, Launcher};

use super::parse::{Decoder, MidiEvent};
use super::routing::Routing;
use super::stats::MidiStats;
use super::velocity::VelocityCurve;

/// Sustain pedal controller.
pub const CC_SUSTAIN: u8 = 64;
/// "All sound off" and "all notes off" channel mode messages.
const CC_ALL_SOUND_OFF: u8 = 120;
const CC_ALL_NOTES_OFF: u8 = 123;

/// Which input a message came in on; each has its own velocity curve and
/// running status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputId {
    /// Imbolc's own virtual port, which any client can connect to.
    Virtual,
    /// The device port chosen in the config.
    Device,
}

impl InputId {
    fn index(self) -> usize {
        match self {
            InputId::Virtual => 0,
            InputId::Device => 1,
        }
    }
}

/// Where live events go: the audio thread's realtime lane.
pub trait LiveTarget: Send {
    /// # Errors
    /// When the lane is full or the audio thread is gone.
    fn voice_on(&self, instrument: InstrumentId, freq: f32, velocity: f32) -> Result<VoiceId, EngineError>;
    /// # Errors
    /// As `voice_on`.
    fn voice_off(&self, voice: VoiceId) -> Result<(), EngineError>;
    /// # Errors
    /// As `voice_on`.
    fn pedal(&self, instrument: InstrumentId, down: bool) -> Result<(), EngineError>;
    /// # Errors
    /// As `voice_on`.
    /// `amount` -1..=1 of the instrument's bend range.
    fn bend(&self, instrument: InstrumentId, amount: f32) -> Result<(), EngineError>;
    /// # Errors
    /// As `voice_on`.
    fn pressure(&self, instrument: InstrumentId, amount: f32) -> Result<(), EngineError>;
    /// # Errors
    /// As `voice_on`.
    fn voice_pressure(&self, voice: VoiceId, amount: f32) -> Result<(), EngineError>;
    /// # Errors
    /// As `voice_on`.
    fn release_all(&self) -> Result<(), EngineError>;
    /// Play or stop (an incoming clock's start and stop).
    ///
    /// # Errors
    /// As `voice_on`.
    fn transport(&self, cmd: TransportCmd) -> Result<(), EngineError>;
    /// Clip launcher launches from a pad: the grid, then each launch.
    /// Targets without a launcher (test fakes) ignore them.
    ///
    /// # Errors
    /// As `voice_on`.
    fn launch(&self, _grid: &Launcher, _launches: &[Launch]) -> Result<(), EngineError> {
        Ok(())
    }
}

impl LiveTarget for LiveSender {
    fn voice_on(&self, instrument: InstrumentId, freq: f32, velocity: f32) -> Result<VoiceId, EngineError> {
        LiveSender::voice_on(self, instrument, freq, velocity)
    }
    fn voice_off(&self, voice: VoiceId) -> Result<(), EngineError> {
        LiveSender::voice_off(self, voice)
    }
    fn pedal(&self, instrument: InstrumentId, down: bool) -> Result<(), EngineError> {
        LiveSender::pedal(self, instrument, down)
    }
    fn bend(&self, instrument: InstrumentId, amount: f32) -> Result<(), EngineError> {
        LiveSender::bend(self, instrument, amount)
    }
    fn pressure(&self, instrument: InstrumentId, amount: f32) -> Result<(), EngineError> {
        LiveSender::pressure(self, instrument, amount)
    }
    fn voice_pressure(&self, voice: VoiceId, amount: f32) -> Result<(), EngineError> {
        LiveSender::voice_pressure(self, voice, amount)
    }
    fn release_all(&self) -> Result<(), EngineError> {
        LiveSender::release_all(self)
    }
    fn transport(&self, cmd: TransportCmd) -> Result<(), EngineError> {
        LiveSender::transport(self, cmd)
    }
    fn launch(&self, grid: &Launcher, launches: &[Launch]) -> Result<(), EngineError> {
        LiveSender::launch(self, grid.clone(), launches)
    }
}

/// What the callback hands to the UI side. `at` is the event's wall-clock
/// time in seconds since the Unix epoch, derived from the JACK timestamp.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MidiInbound {
    /// A key, for recording (sent only while recording is enabled).
    Note {
        at: f64,
        channel: u8,
        key: u8,
        velocity: u8,
        on: bool,
    },
    /// The sustain pedal, for recording (only while recording is enabled).
    Pedal {
        at: f64,
        channel: u8,
        down: bool,
    },
    /// Any controller but the pedal and channel mode messages (learn,
    /// mappings).
    Control {
        channel: u8,
        cc: u8,
        value: u8,
    },
    /// A note-on of a pad (a key the pad layout or a learned pad claims,
    /// or any key while a pad is being learned): never played.
    Pad {
        channel: u8,
        key: u8,
    },
    /// Clock tick, start, continue, stop (clock follow).
    Clock {
        at: f64,
    },
    Start,
    Continue,
    Stop,
}

/// Settings of the live path that the UI may change at any time.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveSettings {
    pub routing: Routing,
    /// Velocity curve of the virtual port and of the device port.
    pub curves: [VelocityCurve; 2],
    /// Keys that are pads of a controller, not notes.
    pub pads: PadKeys,
}

/// Which keys of which channels are pads (launcher buttons) rather than
/// notes to play; with `all` every key is (while a pad is learned).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PadKeys {
    keys: [u128; 16],
    pub all: bool,
}

impl PadKeys {
    /// Claims `key` of `channel` (0..=15) as a pad.
    pub fn add(&mut self, channel: u8, key: u8) {
        if let Some(bits) = self.keys.get_mut(usize::from(channel)) {
            *bits |= 1u128 << (key & 0x7F);
        }
    }

    /// Whether `key` of `channel` is a pad.
    pub fn has(&self, channel: u8, key: u8) -> bool {
        self.all || self.keys.get(usize::from(channel)).is_some_and(|b| b & (1u128 << (key & 0x7F)) != 0)
    }
}

impl Default for LiveSettings {
    fn default() -> Self {
        LiveSettings { routing: Routing::default(), curves: [VelocityCurve::Linear; 2], pads: PadKeys::default() }
    }
}

/// The callback's state. See the module docs.
pub struct LivePlayer {
    target: Box<dyn LiveTarget>,
    inbound: Sender<MidiInbound>,
    stats: Arc<MidiStats>,
    recording: Arc<AtomicBool>,
    pub settings: LiveSettings,
    decoders: [Decoder; 2],
    /// Voices each held key started, by (channel, key).
    held: HashMap<(u8, u8), Vec<VoiceId>>,
    /// Smallest (wall - JACK) clock difference seen, in seconds: JACK's
    /// clock has its own origin, so only differences of stamps are used.
    offset: Option<f64>,
}

impl std::fmt::Debug for LivePlayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LivePlayer").field("settings", &self.settings).field("held", &self.held.len()).finish()
    }
}

impl LivePlayer {
    /// A player sending to `target` and `inbound`.
    pub fn new(
        target: Box<dyn LiveTarget>,
        inbound: Sender<MidiInbound>,
        stats: Arc<MidiStats>,
        recording: Arc<AtomicBool>,
    ) -> Self {
        LivePlayer {
            target,
            inbound,
            stats,
            recording,
            settings: LiveSettings::default(),
            decoders: [Decoder::default(), Decoder::default()],
            held: HashMap::new(),
            offset: None,
        }
    }

    /// One callback: `stamp_us` is the input's timestamp (JACK time in µs),
    /// `wall_now` the wall clock at callback entry (seconds since the Unix
    /// epoch).
    pub fn handle(&mut self, input: InputId, stamp_us: u64, wall_now: f64, bytes: &[u8]) {
        self.stats.received();
        let stamp = stamp_us as f64 / 1e6;
        let diff = wall_now - stamp;
        let offset = match self.offset {
            Some(o) if o <= diff => o,
            _ => {
                self.offset = Some(diff);
                diff
            }
        };
        let at = stamp + offset;
        let mut decoder = std::mem::take(&mut self.decoders[input.index()]);
        let stats = decoder.decode(bytes, |event| self.event(input, at, event));
        self.decoders[input.index()] = decoder;
        self.stats.add_malformed(stats.malformed);
        self.stats.add_sysex(stats.sysex);
    }

    /// Panic: forgets every held key and releases every voice.
    pub fn panic(&mut self) {
        self.held.clear();
        let r = self.target.release_all();
        self.lane(r);
    }

    /// Sends a transport command on the realtime lane.
    pub fn transport(&self, cmd: TransportCmd) {
        let r = self.target.transport(cmd);
        self.lane(r);
    }

    /// Sends pad launches on the realtime lane; false when refused.
    pub fn launch(&self, grid: &Launcher, launches: &[Launch]) -> bool {
        let r = self.target.launch(grid, launches);
        let ok = r.is_ok();
        self.lane(r);
        ok
    }

    /// Number of keys held now.
    pub fn held_keys(&self) -> usize {
        self.held.len()
    }

    fn event(&mut self, input: InputId, at: f64, event: MidiEvent) {
        match event {
            MidiEvent::NoteOn { channel, key, velocity } => self.note_on(input, at, channel, key, velocity),
            MidiEvent::NoteOff { channel, key } => self.note_off(at, channel, key),
            MidiEvent::Control { channel, cc: CC_SUSTAIN, value } => {
                let down = value >= 64;
                let mut results = Vec::new();
                self.settings.routing.instruments(channel, |i| results.push(self.target.pedal(i, down)));
                results.into_iter().for_each(|r| self.lane(r));
                self.record(MidiInbound::Pedal { at, channel, down });
            }
            MidiEvent::Control { channel, cc: CC_ALL_NOTES_OFF, .. } => {
                let keys: Vec<(u8, u8)> = self.held.keys().filter(|(c, _)| *c == channel).copied().collect();
                for (c, k) in keys {
                    self.note_off(at, c, k);
                }
            }
            MidiEvent::Control { cc: CC_ALL_SOUND_OFF, .. } => self.panic(),
            MidiEvent::Control { channel, cc, value } => self.queue(MidiInbound::Control { channel, cc, value }),
            MidiEvent::PitchBend { channel, value } => {
                // Each instrument scales it by its own bend range.
                let amount = f32::from(value) / 8192.0;
                let mut results = Vec::new();
                self.settings.routing.instruments(channel, |i| results.push(self.target.bend(i, amount)));
                results.into_iter().for_each(|r| self.lane(r));
            }
            MidiEvent::ChannelPressure { channel, value } => {
                let amount = f32::from(value) / 127.0;
                let mut results = Vec::new();
                self.settings.routing.instruments(channel, |i| results.push(self.target.pressure(i, amount)));
                results.into_iter().for_each(|r| self.lane(r));
            }
            MidiEvent::PolyPressure { channel, key, value } => {
                let amount = f32::from(value) / 127.0;
                let voices = self.held.get(&(channel, key)).cloned().unwrap_or_default();
                for v in voices {
                    let r = self.target.voice_pressure(v, amount);
                    self.lane(r);
                }
            }
            MidiEvent::Clock => self.queue(MidiInbound::Clock { at }),
            MidiEvent::Start => self.queue(MidiInbound::Start),
            MidiEvent::Continue => self.queue(MidiInbound::Continue),
            MidiEvent::Stop => self.queue(MidiInbound::Stop),
        }
    }

    fn note_on(&mut self, input: InputId, at: f64, channel: u8, key: u8, velocity: u8) {
        if self.settings.pads.has(channel, key) {
            self.queue(MidiInbound::Pad { channel, key });
            return;
        }
        if self.held.contains_key(&(channel, key)) {
            // A second note-on without a note-off: end the first.
            self.note_off(at, channel, key);
        }
        let velocity = self.settings.curves[input.index()].apply(velocity);
        let vel = f32::from(velocity) / 127.0;
        let mut voices = Vec::new();
        let mut failed = 0;
        let target = &self.target;
        self.settings.routing.targets(channel, key, |instrument, k| {
            match target.voice_on(instrument, midi_to_freq(k), vel) {
                Ok(v) => voices.push(v),
                Err(_) => failed += 1,
            }
        });
        for _ in 0..failed {
            self.stats.dropped();
        }
        if !voices.is_empty() {
            self.held.insert((channel, key), voices);
        }
        self.record(MidiInbound::Note { at, channel, key, velocity, on: true });
    }

    fn note_off(&mut self, at: f64, channel: u8, key: u8) {
        if self.settings.pads.has(channel, key) && !self.held.contains_key(&(channel, key)) {
            return;
        }
        if let Some(voices) = self.held.remove(&(channel, key)) {
            for v in voices {
                let r = self.target.voice_off(v);
                self.lane(r);
            }
        }
        self.record(MidiInbound::Note { at, channel, key, velocity: 0, on: false });
    }

    fn lane(&self, result: Result<impl Sized, EngineError>) {
        if result.is_err() {
            self.stats.dropped();
        }
    }

    fn record(&self, event: MidiInbound) {
        if self.recording.load(Ordering::Relaxed) {
            self.queue(event);
        }
    }

    fn queue(&self, event: MidiInbound) {
        if let Err(TrySendError::Full(_)) = self.inbound.try_send(event) {
            self.stats.dropped();
        }
    }
}

#[cfg(test)]
#[path = "live_tests.rs"]
mod tests;
