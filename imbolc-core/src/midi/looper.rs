//! Live looping into a launcher slot: [`MidiRuntime::arm_loop`] puts a new
//! clip into an empty slot and records what is played from the next
//! launch boundary. With a length (bars) the clip is launched at that
//! boundary, so it loops at once when the first pass closes; every pass
//! is committed when it ends, one undo step each (overdub: a layer per
//! pass; undo removes the last). With no length the take runs until the
//! loop key is pressed again: the clip gets the length up to the next
//! boundary and is launched there. The boundary the audio thread really
//! took (in `Performance::taken`) corrects the estimate before the first
//! pass is committed.

use imbolc_audio::engine::TransportFeedback;
use imbolc_audio::scheduler::Launch;
use imbolc_types::{Action, ClipId, InstrumentId, LaunchTarget, Performance, Tick};

use super::{MidiRuntime, PollReport, refuse};
use crate::midi::record::{RecordMode, RecordSettings};
use crate::session::{AudioSink, Session};

/// A loop being recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Looping {
    instrument: InstrumentId,
    clip: ClipId,
    /// Song tick of the clip's tick 0 (the take's boundary).
    origin: Tick,
    /// The clip's length; `None` until the loop key closes an open take.
    length: Option<Tick>,
    /// Where the pass being recorded ends.
    pass_end: Option<Tick>,
    /// Input quantization grid, if any.
    quantise: Option<Tick>,
    /// The launch was seen taking effect (origin confirmed).
    confirmed: bool,
}

impl Looping {
    /// The clip the loop records into.
    pub(super) fn clip(&self) -> ClipId {
        self.clip
    }
}

/// The first multiple of `grid` after `tick` (`tick` itself with no grid).
fn next_boundary(tick: u64, grid: u64) -> u64 {
    tick.checked_div(grid).map_or(tick, |n| (n + 1) * grid)
}

impl MidiRuntime {
    /// Whether a loop is being recorded.
    pub fn is_looping(&self) -> bool {
        self.looping.is_some()
    }

    /// Arms live looping into the empty slot `scene` of `instrument`:
    /// `bars` long (`None`: until [`MidiRuntime::close_loop`]), input
    /// quantised to `quantise` ticks if given. Play must be running.
    ///
    /// # Errors
    /// Why not, for the status line.
    pub fn arm_loop<S: AudioSink>(
        &mut self,
        session: &mut Session<S>,
        (instrument, scene): (InstrumentId, u16),
        bars: Option<u32>,
        quantise: Option<Tick>,
        transport: &TransportFeedback,
    ) -> Result<String, String> {
        if self.looping.is_some() || self.recorder.is_armed() {
            return Err("already recording: press again to close it".to_owned());
        }
        if !transport.playing {
            return Err("live looping records while playing: Space first".to_owned());
        }
        let project = session.project();
        if project.launcher.clip_at(instrument, scene).is_some_and(|c| project.clips.contains_key(&c)) {
            return Err("the slot holds a clip: loop into an empty slot".to_owned());
        }
        let ts = project.time_signature;
        let bar = imbolc_types::LaunchQuantize::Bar.ticks(ts);
        let grid = project.launcher.quantize.ticks(ts);
        let length = bars.map(|b| Tick::try_from(bar * u64::from(b)).unwrap_or(Tick::MAX));
        // An open take gets a placeholder length until it closes.
        let first_length = length.unwrap_or(Tick::try_from(bar * 64).unwrap_or(Tick::MAX));
        // The id `AddClip` allocates.
        let clip = ClipId(session.project().ids.clip);
        let actions = vec![
            Action::AddClip { instrument, name: format!("loop {}", scene + 1), length: first_length },
            Action::SetClipLooping { clip, looping: true },
            Action::SetLauncherSlot { instrument, scene, clip: Some(clip) },
        ];
        session.dispatch_group("arm loop", actions).map_err(|e| e.to_string())?;
        let origin = Tick::try_from(next_boundary(u64::from(transport.tick), grid)).unwrap_or(Tick::MAX);
        if length.is_some() {
            let launch = Launch::of(&session.project().launcher, instrument, LaunchTarget::Clip(clip), 0);
            if !self.lock().launch(&session.project().launcher, &[launch]) {
                return Err("the audio thread is busy; try again".to_owned());
            }
        }
        let looping = Looping {
            instrument,
            clip,
            origin,
            length,
            pass_end: length.map(|l| origin + l),
            quantise,
            confirmed: false,
        };
        self.arm_pass(looping);
        Ok(match bars {
            Some(b) => format!("loop: {b} bar{} from the next boundary", if b == 1 { "" } else { "s" }),
            None => "loop: from the next boundary until pressed again".to_owned(),
        })
    }

    fn arm_pass(&mut self, looping: Looping) {
        let settings = RecordSettings {
            clip: looping.clip,
            origin: looping.origin,
            quantise: looping.quantise,
            mode: RecordMode::Overdub,
            count_in: 0,
        };
        let from = looping.pass_end.map_or(looping.origin, |end| end - looping.length.unwrap_or(0));
        self.arm(settings, from.max(looping.origin));
        self.looping = Some(looping);
    }

    /// Once per frame after [`MidiRuntime::poll`]: confirms the boundary
    /// from the performance, and commits each pass when it ends (then the
    /// next pass overdubs).
    pub fn loop_frame<S: AudioSink>(
        &mut self,
        session: &mut Session<S>,
        transport: &TransportFeedback,
        performance: &Performance,
    ) -> PollReport {
        let mut report = PollReport::default();
        let Some(mut looping) = self.looping else { return report };
        if !transport.playing {
            // Stopping commits the pass (the recorder ends the take).
            self.looping = None;
            return self.disarm(session);
        }
        if !looping.confirmed
            && let Some(t) = performance
                .taken
                .iter()
                .rev()
                .find(|t| t.instrument == looping.instrument && t.target == LaunchTarget::Clip(looping.clip))
        {
            let shift = t.song.abs_diff(looping.origin);
            looping.origin = t.song;
            looping.pass_end = looping.length.map(|l| t.song + l);
            looping.confirmed = true;
            if shift != 0 {
                self.recorder.set_origin(t.song);
            }
            self.looping = Some(looping);
        }
        if let (Some(end), Some(length)) = (looping.pass_end, looping.length)
            && transport.tick >= end
        {
            report = self.disarm(session);
            if report.recorded.is_some() {
                report.pad = Some("loop: layer recorded (u removes it)".to_owned());
            }
            self.arm_pass(Looping { pass_end: Some(end + length), ..looping });
        }
        report
    }

    /// The loop key again: an open take closes at the next boundary (its
    /// length) and is launched there; a fixed-length loop stops
    /// overdubbing (the pass so far is kept).
    pub fn close_loop<S: AudioSink>(&mut self, session: &mut Session<S>, transport: &TransportFeedback) -> String {
        let Some(looping) = self.looping.take() else { return "no loop is recording".to_owned() };
        if looping.length.is_some() {
            let r = self.disarm(session);
            return r.errors.first().cloned().unwrap_or_else(|| "loop: overdub off".to_owned());
        }
        let project = session.project();
        let grid = project.launcher.quantize.ticks(project.time_signature).max(1);
        let close = next_boundary(u64::from(transport.tick), grid).max(u64::from(looping.origin) + grid);
        let length = Tick::try_from(close - u64::from(looping.origin)).unwrap_or(Tick::MAX);
        let mut errors = Vec::new();
        let mut r = PollReport::default();
        refuse(session.dispatch(Action::SetClipLength { clip: looping.clip, length }), &mut r);
        errors.extend(r.errors);
        let report = self.disarm(session);
        errors.extend(report.errors);
        let quantize = session.project().launcher.quantize;
        let launch =
            Launch { instrument: looping.instrument, target: LaunchTarget::Clip(looping.clip), quantize, group: 0 };
        if !self.lock().launch(&session.project().launcher, &[launch]) {
            errors.push("the audio thread is busy: launch the slot".to_owned());
        }
        match errors.first() {
            Some(e) => format!("loop: {e}"),
            None => format!("loop closed: {} notes, looping from the next boundary", report.recorded.unwrap_or(0)),
        }
    }
}
