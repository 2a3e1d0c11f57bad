//! The app's sound controls: transport commands (play, stop, pause, loop,
//! mode, tempo), note preview when placing a note, and musical typing.
//! Live voices go straight to the audio side, never into the project.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crossterm::event::KeyEvent;
use imbolc_audio::engine::{TransportCmd, VoiceId};
use imbolc_audio::scheduler::{LoopRegion, PlayMode};
use imbolc_types::{Action, ClipId, InstrumentId, Note, ParamTarget, Tick};

use super::App;
use crate::audio::{UiAudio, pitch_to_freq};
use crate::commands::CommandId;
use crate::panes::piano_roll::clip_offset;
use crate::typing::{FALLBACK_LENGTH, Typed, Typing};

/// How long a previewed note sounds.
pub const PREVIEW_LENGTH: Duration = Duration::from_millis(200);

/// Live voices and musical typing.
#[derive(Debug, Default)]
pub struct Live {
    /// Musical typing, while it is on.
    typing: Option<Typing>,
    /// Voices of typing keys held down (terminals that report releases).
    held: HashMap<char, VoiceId>,
    /// Voices to release at a time: previews, and typed notes where the
    /// terminal does not report releases.
    pending: Vec<(Instant, VoiceId)>,
    /// The terminal reports key releases.
    releases: bool,
}

impl<S: UiAudio> App<S> {
    /// Tells the app whether the terminal reports key releases (keyboard
    /// enhancement is on); musical typing then holds notes while keys are down.
    pub fn set_key_releases(&mut self, on: bool) {
        self.live.releases = on;
    }

    /// Whether musical typing is on (and the C its home row starts on).
    pub fn typing_base(&self) -> Option<u8> {
        self.live.typing.as_ref().map(Typing::base)
    }

    /// The status line's transport part.
    pub(super) fn transport_summary(&self) -> String {
        let p = self.session.project();
        let mut text =
            crate::transport::summary(&self.transport, self.feedback.transport.tick, p.tempo, p.time_signature);
        if self.session.automation_armed() {
            text.push_str(" · ● auto");
        }
        if self.midi.as_ref().is_some_and(crate::midi::MidiUi::is_armed) {
            text.push_str(" · ● rec");
        }
        if let Some(base) = self.typing_base() {
            text.push_str(&format!(" · ⌨ {}", crate::panes::piano_roll::pitch_name(base)));
        }
        if let Some(take) = self.take_status() {
            text.push_str(&format!(" · {take}"));
        }
        text
    }

    pub(super) fn send_transport(&mut self, cmd: TransportCmd) -> bool {
        match self.session.audio_mut().transport(cmd) {
            Ok(()) => true,
            Err(e) => {
                self.error(format!("transport: {e}"));
                false
            }
        }
    }

    pub(super) fn transport_command(&mut self, cmd: CommandId) {
        let t = self.transport;
        match cmd {
            CommandId::PlayStop if t.playing && self.send_transport(TransportCmd::Stop) => {
                self.transport.playing = false;
                self.transport.paused = false;
                self.finish_automation_take();
            }
            CommandId::Pause if t.playing && self.send_transport(TransportCmd::Pause) => {
                self.transport.playing = false;
                self.transport.paused = true;
                self.finish_automation_take();
            }
            CommandId::PlayStop | CommandId::Pause if t.playing => {}
            CommandId::PlayStop | CommandId::Pause => {
                if self.session.project().placements.is_empty() && matches!(t.mode, PlayMode::Song) {
                    self.inform("nothing placed on the song yet: add notes in the piano roll (3)");
                }
                if self.send_transport(TransportCmd::Play) {
                    self.transport.playing = true;
                    self.transport.paused = false;
                }
            }
            // A pause's place is forgotten too: play then starts at 0.
            CommandId::GoToStart if self.send_transport(TransportCmd::Seek(0)) => {
                self.transport.paused = false;
                self.inform("playhead at the song start");
            }
            CommandId::LoopToggle => match t.region {
                None => self.inform("no loop region yet: select in the piano roll (v) and press L"),
                Some(region) => {
                    let on = !t.looping;
                    if self.send_transport(TransportCmd::SetLoop(on.then_some(region))) {
                        self.transport.looping = on;
                        self.inform(if on { "loop on" } else { "loop off" });
                    }
                }
            },
            _ => {}
        }
    }

    /// Loops `[start, end)` of `clip` (clip ticks), placed where the clip's
    /// first placement is (at the song start when it has none).
    pub(super) fn set_loop(&mut self, clip: Option<ClipId>, start: Tick, end: Tick) {
        let offset = clip.and_then(|c| clip_offset(self.session.project(), c)).unwrap_or(0);
        let Some(region) = LoopRegion::new(offset + start, offset + end) else { return };
        if self.send_transport(TransportCmd::SetLoop(Some(region))) {
            self.transport.region = Some(region);
            self.transport.looping = true;
            let sig = self.session.project().time_signature;
            self.inform(format!(
                "loop {}–{} (C-l turns it off)",
                crate::transport::bar_beat(region.start, sig),
                crate::transport::bar_beat(region.end, sig)
            ));
        }
    }

    /// Sends clip launcher launches, in order, and says what waits.
    pub(super) fn launch(&mut self, launches: Vec<imbolc_audio::scheduler::Launch>) {
        let n = launches.len();
        let Some(first) = launches.first().copied() else { return };
        let grid = self.session.project().launcher.clone();
        if let Err(e) = self.session.audio_mut().launcher_grid(&grid) {
            self.error(format!("launch: {e}"));
            return;
        }
        for l in launches {
            if !self.send_transport(TransportCmd::Launch(l)) {
                return;
            }
        }
        let what = match (n, first.target) {
            (1, imbolc_types::LaunchTarget::Clip(_)) => "clip launched",
            (1, imbolc_types::LaunchTarget::Stop) => "column stops",
            (1, imbolc_types::LaunchTarget::Arrangement) => "back to the arrangement",
            (_, imbolc_types::LaunchTarget::Clip(_)) => "scene launched",
            (_, imbolc_types::LaunchTarget::Stop) => "every column stops",
            (_, imbolc_types::LaunchTarget::Arrangement) => "every column back to the arrangement",
        };
        let when = if self.transport.playing && first.quantize == imbolc_types::LaunchQuantize::Off {
            "now".to_owned()
        } else if self.transport.playing {
            format!("at the next {} boundary", first.quantize.name())
        } else {
            "when play starts (Space)".to_owned()
        };
        self.inform(format!("{what} {when}"));
    }

    /// Captures the launcher performance of the current (or last) run of
    /// the transport into the arrangement, as one undo step.
    pub(super) fn capture_performance(&mut self) {
        let perf = std::sync::Arc::clone(&self.feedback.performance);
        match self.session.capture_performance(&perf, self.feedback.transport.tick) {
            Ok(_) => {
                self.after_edit();
                self.inform(format!(
                    "performance captured: {} launches into the arrangement (u undoes)",
                    perf.taken.len()
                ));
            }
            Err(e) => self.error(e.to_string()),
        }
    }

    /// Nudges the music ahead or back for one beat (while playing).
    pub(super) fn nudge(&mut self, faster: bool) {
        if !self.transport.playing {
            self.inform("nudge works while playing (Space)");
            return;
        }
        if self.send_transport(TransportCmd::Nudge(faster)) {
            self.inform(if faster { "nudged ahead" } else { "nudged back" });
        }
    }

    /// A tap of tap tempo: from the second tap the tempo changes, at the
    /// next bar line while playing (one undo step per run of taps).
    pub(super) fn tap_tempo_bar(&mut self) {
        let now = Instant::now();
        let Some(bpm) = self.session.tap(now) else {
            self.inform("tap again to set the tempo");
            return;
        };
        if self.transport.playing && !self.send_transport(TransportCmd::TempoAtBar(bpm)) {
            return;
        }
        #[cfg(test)]
        self.dispatched.push("SetParam");
        match self.session.dispatch_at(Action::SetParam { target: ParamTarget::Tempo, value: bpm }, now) {
            Ok(_) => {
                self.after_edit();
                let when = if self.transport.playing { " from the next bar" } else { "" };
                self.inform(format!("tempo {:.1} BPM{when}", self.session.project().tempo));
            }
            Err(e) => self.error(format!("tap tempo: {e}")),
        }
    }

    pub(super) fn set_mode(&mut self, mode: PlayMode) {
        if self.send_transport(TransportCmd::SetMode(mode)) {
            self.transport.mode = mode;
            self.inform(match mode {
                PlayMode::Song => "song mode: the arrangement plays",
                PlayMode::Pattern(_) => "pattern mode: the selected clip loops",
            });
        }
    }

    /// One bpm up or down, as an undoable edit (held keys merge into one).
    pub(super) fn nudge_tempo(&mut self, up: bool) {
        let tempo = self.session.project().tempo.round() + if up { 1.0 } else { -1.0 };
        let (lo, hi) = imbolc_types::project::TEMPO_RANGE;
        self.apply(Action::SetParam { target: ParamTarget::Tempo, value: tempo.clamp(lo, hi) });
    }

    /// Sets the tempo the user typed, if it is a number in range.
    pub(super) fn set_tempo_text(&mut self, text: &str) {
        let (lo, hi) = imbolc_types::project::TEMPO_RANGE;
        match text.parse::<f32>() {
            Ok(bpm) if (lo..=hi).contains(&bpm) => {
                self.apply(Action::SetParam { target: ParamTarget::Tempo, value: bpm });
            }
            _ => self.error(format!("not a tempo: {text} (from {lo} to {hi} bpm)")),
        }
    }

    /// Sounds a note just placed, briefly.
    pub(super) fn preview(&mut self, instrument: InstrumentId, note: Note) {
        self.voice(instrument, note.pitch, note.velocity, Some(PREVIEW_LENGTH));
    }

    /// Starts a voice; with a length, its release is scheduled. `None` when
    /// the audio side refused it (the error is in the status line).
    fn voice(
        &mut self,
        instrument: InstrumentId,
        pitch: u8,
        velocity: u8,
        length: Option<Duration>,
    ) -> Option<VoiceId> {
        let vel = f32::from(velocity) / 127.0;
        match self.session.audio_mut().voice_on(instrument, pitch_to_freq(pitch), vel) {
            Ok(v) => {
                if let Some(len) = length {
                    self.live.pending.push((Instant::now() + len, v));
                }
                Some(v)
            }
            Err(e) => {
                self.error(format!("cannot play a note: {e}"));
                None
            }
        }
    }

    /// Releases the voices whose time has come.
    pub(super) fn release_due(&mut self, now: Instant) {
        if self.live.pending.is_empty() {
            return;
        }
        let (due, keep): (Vec<_>, Vec<_>) = self.live.pending.drain(..).partition(|(t, _)| *t <= now);
        self.live.pending = keep;
        for (_, v) in due {
            if let Err(e) = self.session.audio_mut().voice_off(v) {
                tracing::warn!("voice off: {e}");
            }
        }
    }

    pub(super) fn start_typing(&mut self) {
        if self.selected.is_none() {
            self.inform("no instrument to play: add one in the instrument list (1)");
            return;
        }
        self.live.typing = Some(Typing::default());
        self.inform("musical typing: a s d f g h j k play, w e t y u the sharps, z/x octave, Esc leaves");
    }

    fn stop_typing(&mut self) {
        self.live.typing = None;
        for (_, v) in std::mem::take(&mut self.live.held) {
            if let Err(e) = self.session.audio_mut().voice_off(v) {
                tracing::warn!("voice off: {e}");
            }
        }
        self.inform("musical typing off");
    }

    /// A key press while musical typing is on; true when typing used it.
    pub(super) fn type_key(&mut self, key: KeyEvent) -> bool {
        let releases = self.live.releases;
        let Some(typing) = self.live.typing.as_mut() else { return false };
        let typed = typing.key(key, releases);
        self.on_typed(typed)
    }

    /// A key release; true when the screen must be redrawn.
    pub(super) fn release(&mut self, key: KeyEvent) -> bool {
        let releases = self.live.releases;
        let Some(typing) = self.live.typing.as_mut() else { return false };
        let typed = typing.key(key, releases);
        self.on_typed(typed);
        false
    }

    fn on_typed(&mut self, typed: Typed) -> bool {
        match typed {
            Typed::Pass => false,
            Typed::Nothing => true,
            Typed::Leave => {
                self.stop_typing();
                true
            }
            Typed::Octave(base) => {
                self.inform(format!("octave: a = {}", crate::panes::piano_roll::pitch_name(base)));
                true
            }
            Typed::NoteOn { key, pitch } => {
                let Some(instrument) = self.selected else { return true };
                let settings = self.effective_pitch();
                let pitch = if settings.lock {
                    match crate::typing::locked_pitch(key, self.typing_base().unwrap_or(60), settings.key) {
                        Some(p) => p,
                        None => return true,
                    }
                } else {
                    pitch
                };
                let length = (!self.live.releases).then_some(FALLBACK_LENGTH);
                if let Some(v) = self.voice(instrument, pitch, 100, length)
                    && self.live.releases
                    && let Some(old) = self.live.held.insert(key, v)
                {
                    let _ = self.session.audio_mut().voice_off(old);
                }
                true
            }
            Typed::NoteOff { key } => {
                if let Some(v) = self.live.held.remove(&key)
                    && let Err(e) = self.session.audio_mut().voice_off(v)
                {
                    tracing::warn!("voice off: {e}");
                }
                true
            }
        }
    }

    /// Arms or disarms automation recording (`r` in the automation pane).
    /// Armed, parameter moves while playing are recorded into lanes; each
    /// pass from play to stop is one undo step.
    pub(super) fn toggle_automation_record(&mut self) {
        let armed = !self.session.automation_armed();
        match self.session.arm_automation(armed, Instant::now()) {
            Ok(_) if armed => self.inform("automation recording armed: moves while playing are recorded"),
            Ok(_) => self.inform("automation recording off"),
            Err(e) => self.error(format!("automation take: {e}")),
        }
    }

    /// Writes the automation recorded during the pass that just ended.
    fn finish_automation_take(&mut self) {
        match self.session.finish_take(Instant::now()) {
            Ok(Some(_)) => self.inform("recorded automation (one undo step)"),
            Ok(None) => {}
            Err(e) => self.error(format!("automation take: {e}")),
        }
    }

    /// Sets a parameter from a key: recorded into its lane when automation
    /// recording is armed and the transport plays.
    pub(super) fn set_param(&mut self, target: ParamTarget, value: f32) -> bool {
        let playhead = self.transport.playing.then_some(self.feedback.transport.tick);
        #[cfg(test)]
        self.dispatched.push("SetParam");
        let action = Action::SetParam { target: target.clone(), value };
        if let super::collab::Route::Sent(sent) = self.route(&action) {
            return sent;
        }
        match self.session.record_param(target, value, playhead, Instant::now()) {
            Ok(_) => {
                self.published(action);
                self.after_edit();
                true
            }
            Err(e) => {
                self.error(format!("cannot set parameter: {e}"));
                false
            }
        }
    }
}
