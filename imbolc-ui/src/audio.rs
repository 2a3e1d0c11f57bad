//! [`UiAudio`]: what the UI asks of the audio side besides diffs: the
//! transport (play, stop, pause, seek, loop, mode) and short live voices
//! (note preview, musical typing), and takes. The real implementation is the audio
//! thread's handle; tests use [`NullSink`] or [`ScriptSink`], which records
//! every request so a key sequence can be checked without a server.

#[cfg(test)]
use std::cell::RefCell;
#[cfg(test)]
use std::rc::Rc;

use imbolc_audio::engine::{AudioHandle, EngineError, RecordRequest, TransportCmd, VoiceId};
use imbolc_core::AudioSink;
use imbolc_core::session::NullSink;
#[cfg(test)]
use imbolc_types::AudioDiff;
use imbolc_types::InstrumentId;

/// The audio side as the UI drives it. Nothing here blocks.
pub trait UiAudio: AudioSink {
    /// Sends a transport command.
    ///
    /// # Errors
    /// When the audio thread is busy or gone.
    fn transport(&self, cmd: TransportCmd) -> Result<(), EngineError>;

    /// Starts a live voice (`velocity` 0..=1).
    ///
    /// # Errors
    /// When the audio thread is busy or gone.
    fn voice_on(&self, instrument: InstrumentId, freq: f32, velocity: f32) -> Result<VoiceId, EngineError>;

    /// Releases a live voice.
    ///
    /// # Errors
    /// When the audio thread is busy or gone.
    fn voice_off(&self, voice: VoiceId) -> Result<(), EngineError>;

    /// Plays a sound file once through the master, or stops it (`None`).
    ///
    /// # Errors
    /// When the audio thread is busy or gone.
    fn preview(&self, file: Option<&std::path::Path>) -> Result<(), EngineError>;

    /// Starts a take (`Some`) or stops the one running (`None`).
    ///
    /// # Errors
    /// When the audio thread cannot take the request.
    fn record(&self, request: Option<RecordRequest>) -> Result<(), EngineError>;

    /// Sends the clip launcher's grid (slots, follow actions, seed) before
    /// launches. Test sinks ignore it.
    ///
    /// # Errors
    /// When the audio thread cannot take it.
    fn launcher_grid(&self, _grid: &imbolc_types::Launcher) -> Result<(), EngineError> {
        Ok(())
    }

    /// Watches a target in the views of sound, or nothing (`None`).
    ///
    /// # Errors
    /// When the audio thread cannot take it.
    fn view(&self, _target: Option<imbolc_types::ChainOwner>) -> Result<(), EngineError> {
        Ok(())
    }

    /// Starts the views' loudness afresh.
    ///
    /// # Errors
    /// When the analyser has ended.
    fn reset_loudness(&self) -> Result<(), EngineError> {
        Ok(())
    }

    /// Joins (`true`) or leaves the Ableton Link session.
    ///
    /// # Errors
    /// When the audio thread cannot take it.
    fn link(&self, _on: bool) -> Result<(), EngineError> {
        Ok(())
    }

    /// With Link on, follow the session's tempo without sending ours (a
    /// collaborator: the host sends the tempo).
    ///
    /// # Errors
    /// When the audio thread cannot take it.
    fn link_follow_only(&self, _only: bool) -> Result<(), EngineError> {
        Ok(())
    }

    /// The views' latest frame (test sinks have none).
    fn view_frame(&mut self) -> Option<&imbolc_audio::views::ViewFrame> {
        None
    }
}

impl UiAudio for AudioHandle {
    fn link(&self, on: bool) -> Result<(), EngineError> {
        AudioHandle::set_link(self, on)
    }

    fn link_follow_only(&self, only: bool) -> Result<(), EngineError> {
        AudioHandle::set_link_follow_only(self, only)
    }

    fn view(&self, target: Option<imbolc_types::ChainOwner>) -> Result<(), EngineError> {
        AudioHandle::view(self, target)
    }

    fn reset_loudness(&self) -> Result<(), EngineError> {
        AudioHandle::reset_loudness(self)
    }

    fn view_frame(&mut self) -> Option<&imbolc_audio::views::ViewFrame> {
        Some(AudioHandle::view_frame(self))
    }

    fn launcher_grid(&self, grid: &imbolc_types::Launcher) -> Result<(), EngineError> {
        AudioHandle::launcher_grid(self, grid.clone())
    }

    fn record(&self, request: Option<RecordRequest>) -> Result<(), EngineError> {
        match request {
            Some(r) => AudioHandle::record(self, r),
            None => self.stop_recording(),
        }
    }

    fn transport(&self, cmd: TransportCmd) -> Result<(), EngineError> {
        AudioHandle::transport(self, cmd)
    }

    fn voice_on(&self, instrument: InstrumentId, freq: f32, velocity: f32) -> Result<VoiceId, EngineError> {
        AudioHandle::voice_on(self, instrument, freq, velocity)
    }

    fn voice_off(&self, voice: VoiceId) -> Result<(), EngineError> {
        AudioHandle::voice_off(self, voice)
    }

    fn preview(&self, file: Option<&std::path::Path>) -> Result<(), EngineError> {
        AudioHandle::preview(self, file.map(|f| f.display().to_string()))
    }
}

/// No audio: every request succeeds and does nothing.
impl UiAudio for NullSink {
    fn record(&self, _request: Option<RecordRequest>) -> Result<(), EngineError> {
        Ok(())
    }

    fn transport(&self, _cmd: TransportCmd) -> Result<(), EngineError> {
        Ok(())
    }

    fn voice_on(&self, _instrument: InstrumentId, _freq: f32, _velocity: f32) -> Result<VoiceId, EngineError> {
        Ok(VoiceId(0))
    }

    fn voice_off(&self, _voice: VoiceId) -> Result<(), EngineError> {
        Ok(())
    }

    fn preview(&self, _file: Option<&std::path::Path>) -> Result<(), EngineError> {
        Ok(())
    }
}

/// One request the UI made of the audio side, as a [`ScriptSink`] saw it.
#[cfg(test)]
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Transport(TransportCmd),
    /// Instrument, MIDI pitch (from the frequency, rounded), voice.
    VoiceOn(InstrumentId, u8, VoiceId),
    VoiceOff(VoiceId),
    /// A file previewed through the master, or the preview stopped.
    Preview(Option<std::path::PathBuf>),
    /// A take started into this file, or stopped.
    Record(Option<std::path::PathBuf>),
    /// The views watch this target, or nothing.
    View(Option<imbolc_types::ChainOwner>),
    /// Ableton Link turned on or off.
    Link(bool),
    /// Link's tempo followed without sending ours, or not.
    LinkFollowOnly(bool),
}

/// Records transport and voice requests, and the diffs sent. Clones share
/// the record. Single-threaded: the UI thread is its only user.
#[cfg(test)]
#[derive(Debug, Clone, Default)]
pub struct ScriptSink {
    log: Rc<RefCell<Vec<Request>>>,
    next: Rc<RefCell<u64>>,
    diffs: Rc<RefCell<Vec<AudioDiff>>>,
    /// What each take started was to record.
    sources: Rc<RefCell<Vec<imbolc_audio::take::RecordSource>>>,
}

#[cfg(test)]
impl ScriptSink {
    /// Takes the requests made so far.
    pub fn take(&self) -> Vec<Request> {
        std::mem::take(&mut *self.log.borrow_mut())
    }

    /// Takes the sources of the takes started so far.
    pub fn take_sources(&self) -> Vec<imbolc_audio::take::RecordSource> {
        std::mem::take(&mut *self.sources.borrow_mut())
    }

    /// Takes the diffs sent so far.
    pub fn take_diffs(&self) -> Vec<AudioDiff> {
        std::mem::take(&mut *self.diffs.borrow_mut())
    }
}

#[cfg(test)]
impl AudioSink for ScriptSink {
    fn send(&self, diffs: Vec<AudioDiff>) {
        self.diffs.borrow_mut().extend(diffs);
    }
}

#[cfg(test)]
impl UiAudio for ScriptSink {
    fn link(&self, on: bool) -> Result<(), EngineError> {
        self.log.borrow_mut().push(Request::Link(on));
        Ok(())
    }

    fn link_follow_only(&self, only: bool) -> Result<(), EngineError> {
        self.log.borrow_mut().push(Request::LinkFollowOnly(only));
        Ok(())
    }

    fn view(&self, target: Option<imbolc_types::ChainOwner>) -> Result<(), EngineError> {
        self.log.borrow_mut().push(Request::View(target));
        Ok(())
    }

    fn record(&self, request: Option<RecordRequest>) -> Result<(), EngineError> {
        if let Some(r) = &request {
            self.sources.borrow_mut().push(r.source);
        }
        self.log.borrow_mut().push(Request::Record(request.map(|r| r.path)));
        Ok(())
    }

    fn transport(&self, cmd: TransportCmd) -> Result<(), EngineError> {
        self.log.borrow_mut().push(Request::Transport(cmd));
        Ok(())
    }

    fn voice_on(&self, instrument: InstrumentId, freq: f32, _velocity: f32) -> Result<VoiceId, EngineError> {
        let mut next = self.next.borrow_mut();
        let voice = VoiceId(*next);
        *next += 1;
        self.log.borrow_mut().push(Request::VoiceOn(instrument, freq_to_pitch(freq), voice));
        Ok(voice)
    }

    fn voice_off(&self, voice: VoiceId) -> Result<(), EngineError> {
        self.log.borrow_mut().push(Request::VoiceOff(voice));
        Ok(())
    }

    fn preview(&self, file: Option<&std::path::Path>) -> Result<(), EngineError> {
        self.log.borrow_mut().push(Request::Preview(file.map(std::path::Path::to_path_buf)));
        Ok(())
    }
}

/// Equal-tempered frequency of a MIDI pitch (A4 = 69 = 440 Hz).
pub fn pitch_to_freq(pitch: u8) -> f32 {
    440.0 * 2f32.powf((f32::from(pitch) - 69.0) / 12.0)
}

/// The nearest MIDI pitch of a frequency.
#[cfg(test)]
pub fn freq_to_pitch(freq: f32) -> u8 {
    let p = 69.0 + 12.0 * (freq.max(1.0) / 440.0).log2();
    // Rounded and clamped to the MIDI range: the truncation is the intent.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let p = p.round().clamp(0.0, 127.0) as u8;
    p
}
