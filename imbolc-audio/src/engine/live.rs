//! [`LiveSender`]: a cloneable handle on the audio thread's realtime lane
//! for a live performer (the MIDI input callback). It never blocks: a full
//! lane refuses the event and counts it as dropped.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crossbeam_channel::{Sender, TrySendError};
use imbolc_types::InstrumentId;

use super::cmd::{EngineCmd, EngineError, TransportCmd, VoiceId};
use super::counters::{Counter, EngineCounters};

/// Sends live notes, pedal, expression and panic straight to the audio
/// thread, from any thread. Voice ids come from the same counter as
/// [`super::AudioHandle::voice_on`]'s, so they never collide.
#[derive(Debug, Clone)]
pub struct LiveSender {
    realtime: Sender<EngineCmd>,
    counters: Arc<EngineCounters>,
    next_voice: Arc<AtomicU64>,
}

impl LiveSender {
    pub(crate) fn new(realtime: Sender<EngineCmd>, counters: Arc<EngineCounters>, next_voice: Arc<AtomicU64>) -> Self {
        LiveSender { realtime, counters, next_voice }
    }

    /// Starts a sustained voice on `instrument` at `freq` Hz, `velocity` 0..=1.
    ///
    /// # Errors
    /// [`EngineError::Busy`] when the realtime lane is full (the event is
    /// dropped and counted), [`EngineError::Stopped`] when the audio thread
    /// has ended.
    pub fn voice_on(&self, instrument: InstrumentId, freq: f32, velocity: f32) -> Result<VoiceId, EngineError> {
        let voice = VoiceId(self.next_voice.fetch_add(1, Ordering::Relaxed));
        self.send(EngineCmd::VoiceOn { voice, instrument, freq, velocity })?;
        Ok(voice)
    }

    /// Releases a voice (kept by the pedal while it is down).
    ///
    /// # Errors
    /// As [`LiveSender::voice_on`].
    pub fn voice_off(&self, voice: VoiceId) -> Result<(), EngineError> {
        self.send(EngineCmd::VoiceOff { voice })
    }

    /// Sustain pedal of an instrument.
    ///
    /// # Errors
    /// As [`LiveSender::voice_on`].
    pub fn pedal(&self, instrument: InstrumentId, down: bool) -> Result<(), EngineError> {
        self.send(EngineCmd::Pedal { instrument, down })
    }

    /// Pitch bend of every voice of an instrument, -1..=1 of its bend
    /// range.
    ///
    /// # Errors
    /// As [`LiveSender::voice_on`].
    pub fn bend(&self, instrument: InstrumentId, amount: f32) -> Result<(), EngineError> {
        self.send(EngineCmd::Bend { instrument, amount })
    }

    /// Channel aftertouch, 0..=1.
    ///
    /// # Errors
    /// As [`LiveSender::voice_on`].
    pub fn pressure(&self, instrument: InstrumentId, amount: f32) -> Result<(), EngineError> {
        self.send(EngineCmd::Pressure { instrument, amount })
    }

    /// Polyphonic aftertouch on one voice, 0..=1.
    ///
    /// # Errors
    /// As [`LiveSender::voice_on`].
    pub fn voice_pressure(&self, voice: VoiceId, amount: f32) -> Result<(), EngineError> {
        self.send(EngineCmd::VoicePressure { voice, amount })
    }

    /// Panic: releases every voice on the server; play goes on.
    ///
    /// # Errors
    /// As [`LiveSender::voice_on`].
    pub fn release_all(&self) -> Result<(), EngineError> {
        self.send(EngineCmd::ReleaseAll)
    }

    /// A transport command (incoming MIDI start/stop).
    ///
    /// # Errors
    /// As [`LiveSender::voice_on`].
    pub fn transport(&self, cmd: TransportCmd) -> Result<(), EngineError> {
        self.send(EngineCmd::Transport(cmd))
    }

    /// Clip launcher launches (a pad controller's press): the grid first,
    /// which launches and follow actions use from then on, then each
    /// launch, in order.
    ///
    /// # Errors
    /// As [`LiveSender::voice_on`].
    pub fn launch(
        &self,
        grid: imbolc_types::Launcher,
        launches: &[crate::scheduler::Launch],
    ) -> Result<(), EngineError> {
        self.send(EngineCmd::LauncherGrid(Box::new(grid)))?;
        for l in launches {
            self.send(EngineCmd::Transport(TransportCmd::Launch(*l)))?;
        }
        Ok(())
    }

    fn send(&self, cmd: EngineCmd) -> Result<(), EngineError> {
        self.realtime.try_send(cmd).map_err(|e| match e {
            TrySendError::Full(_) => {
                self.counters.bump(Counter::Dropped);
                EngineError::Busy
            }
            TrySendError::Disconnected(_) => EngineError::Stopped,
        })
    }
}
