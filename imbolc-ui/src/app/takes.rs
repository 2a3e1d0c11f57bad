//! Performance takes (`C-t`): the master recorded to a WAV file while you
//! play, in the take folder (`take-folder`, saved in the project; default
//! `takes/` beside the project file). The status line shows the elapsed
//! time, the file and the recorder's peak level while it runs; `C-t` again stops it, and the file is
//! finished (header checked, cut at the stop) when the server has closed
//! it. A disk about to fill up stops the take by itself; a take cut short
//! (disk, lost server) keeps what was recorded and says why. Quitting
//! during a take stops it first and quits once the file is finished.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use imbolc_audio::engine::{RECORD_METER, RecordRequest, TransportCmd};
use imbolc_audio::take::{self, RecordSource, Take};
use imbolc_core::take_clips::TakeSpot;
use imbolc_types::Action;

use super::App;
use crate::audio::UiAudio;

/// How often the free space of the take's disk is checked.
const SPACE_CHECK: Duration = Duration::from_millis(500);

/// The take this UI started, until the engine reports it ended.
#[derive(Debug, Clone)]
pub struct TakeRun {
    pub path: PathBuf,
    started: Instant,
    checked: Instant,
    /// Seconds since the start as of the last tick (the status line
    /// redraws when it changes).
    shown: u64,
    /// Why the UI stopped it by itself (a full disk).
    stopped_because: Option<String>,
    stopping: bool,
    /// Quit (asking as usual) once the file is finished.
    then_quit: bool,
    /// `EngineFeedback::recording.ended` when it started.
    ended_before: u64,
    /// The audio track the take goes onto as a clip (recording its
    /// input), or `None` for a performance take of the master.
    into: Option<imbolc_types::InstrumentId>,
    /// The playhead when it started, for a take started while stopped.
    playhead: imbolc_types::Tick,
    /// The loop region, looping and punch when it started.
    region: Option<(imbolc_types::Tick, imbolc_types::Tick)>,
    looping: bool,
    punch: bool,
}

impl<S: UiAudio> App<S> {
    /// Where takes go: the project's take folder, else `takes/` beside the
    /// project file, else `takes/` in the working directory.
    pub(super) fn take_folder(&self) -> PathBuf {
        if let Some(folder) = &self.session.project().take_folder {
            return PathBuf::from(folder);
        }
        match self.path.as_ref().and_then(|p| p.parent()) {
            Some(dir) if !dir.as_os_str().is_empty() => dir.join("takes"),
            _ => PathBuf::from("takes"),
        }
    }

    /// `C-t`: starts a take, or stops the one running.
    pub(super) fn toggle_take(&mut self) {
        match &mut self.take {
            Some(run) if run.stopping => self.inform("finishing the take…"),
            Some(_) => self.stop_take(None),
            None => self.start_take(),
        }
    }

    fn start_take(&mut self) {
        let folder = self.take_folder();
        let path = match take::prepare(&folder) {
            Ok(path) => path,
            Err(e) => return self.error(format!("take: {e}")),
        };
        // With an audio track selected, the take records its input onto it.
        let track = self.selected.and_then(|id| {
            self.session.project().instruments.get(&id).filter(|i| i.def.audio_track && i.def.frozen.is_none())
        });
        let into = track.map(|i| i.id);
        let source = track.map_or(RecordSource::Master, |i| RecordSource::from(i.def.record_input));
        // A take onto a track started while stopped counts in first: the
        // recorder starts with the song, when the count-in ends.
        let bars = self.session.project().count_in_bars;
        if into.is_some() && bars > 0 && !self.transport.playing && !self.feedback.transport.playing {
            self.send_transport(TransportCmd::SetCountIn(bars));
            if self.send_transport(TransportCmd::Play) {
                self.transport.playing = true;
                self.transport.paused = false;
            }
            self.send_transport(TransportCmd::SetCountIn(0));
        }
        let request = RecordRequest { source, path: path.clone() };
        if let Err(e) = self.session.audio_mut().record(Some(request)) {
            return self.error(format!("take: {e}"));
        }
        let now = Instant::now();
        let ended_before = self.feedback.recording.ended;
        self.take = Some(TakeRun {
            path,
            started: now,
            checked: now,
            shown: 0,
            stopped_because: None,
            stopping: false,
            then_quit: false,
            ended_before,
            into,
            playhead: self.feedback.transport.tick,
            region: self.transport.region.map(|r| (r.start, r.end)),
            looping: self.transport.looping,
            punch: self.transport.punch,
        });
        self.message = None;
    }

    pub(super) fn take_running(&self) -> bool {
        self.take.is_some()
    }

    /// `q` while a take runs: stop it, finish the file, then quit.
    pub(super) fn quit_after_take(&mut self) {
        if self.take.as_ref().is_some_and(|r| !r.stopping) {
            self.stop_take(None);
        }
        if let Some(run) = &mut self.take {
            run.then_quit = true;
        }
        self.inform("finishing the take, then quitting…");
    }

    fn stop_take(&mut self, because: Option<String>) {
        if let Err(e) = self.session.audio_mut().record(None) {
            self.error(format!("take: {e}"));
        }
        if let Some(run) = &mut self.take {
            run.stopping = true;
            run.stopped_because = because;
        }
    }

    /// `take-folder`: the prompt's answer (empty: back to the default).
    pub(super) fn set_take_folder(&mut self, text: &str) {
        let text = text.trim();
        let folder = (!text.is_empty()).then(|| text.to_owned());
        if let Some(f) = &folder {
            let path = PathBuf::from(f);
            if path.exists() && !path.is_dir() {
                return self.error(format!("{f} is not a folder"));
            }
        }
        if self.apply(Action::SetTakeFolder { folder }) {
            self.inform(format!("takes go to {}", self.take_folder().display()));
        }
    }

    /// Each tick: the disk check, the elapsed time, and the end of the take.
    pub(super) fn take_tick(&mut self, now: Instant) -> bool {
        let Some(run) = &mut self.take else { return false };
        let recording = &self.feedback.recording;
        if recording.ended > run.ended_before {
            let last = recording.last.clone();
            let run = self.take.take();
            let then_quit = run.as_ref().is_some_and(|r| r.then_quit);
            let into = run.as_ref().and_then(|r| r.into.map(|track| (track, r.clone())));
            let finished = self.take_ended(last, run.and_then(|r| r.stopped_because));
            match (into, finished) {
                (Some((track, run)), Some(t)) => self.take_onto_track(track, &t, &run),
                (None, Some(t)) if self.take_to_track => self.take_onto_new_track(&t),
                _ => {}
            }
            if then_quit {
                self.run_command(crate::commands::CommandId::Quit);
            }
            return true;
        }
        let mut changed = false;
        let secs = now.saturating_duration_since(run.started).as_secs();
        if secs != run.shown {
            run.shown = secs;
            changed = true;
        }
        if !run.stopping && now.saturating_duration_since(run.checked) >= SPACE_CHECK {
            run.checked = now;
            if let Some(reason) = take::check_space(&run.path) {
                self.stop_take(Some(reason));
                changed = true;
            }
        }
        changed
    }

    /// Finishes the file of the take that ended and says how it went; the
    /// take when its file is good.
    fn take_ended(&mut self, last: Option<Result<Take, String>>, because: Option<String>) -> Option<Take> {
        match last {
            Some(Ok(mut t)) => {
                let why = because.or_else(|| t.cut_short.clone());
                match take::finish(&mut t) {
                    Ok(()) => {
                        let name = t.path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                        let rate = imbolc_audio::server::ServerConfig::default().sample_rate;
                        let length = clock(t.frames as f64 / f64::from(rate.max(1)));
                        match why {
                            Some(why) => self.error(format!("take {name} ({length}) kept: {why}")),
                            None => self.inform(format!("take saved: {} ({length})", t.path.display())),
                        }
                        return Some(t);
                    }
                    Err(e) => self.error(format!("take: {e}")),
                }
            }
            Some(Err(reason)) => self.error(format!("take failed: {reason}")),
            None => {}
        }
        None
    }

    /// Puts a finished take on its audio track as a clip where it was
    /// played (past the capture latency JACK reported), one take per loop
    /// pass, punched into the loop region when punch was on; one undo step.
    fn take_onto_track(&mut self, track: imbolc_types::InstrumentId, t: &Take, run: &TakeRun) {
        let rate = imbolc_audio::server::ServerConfig::default().sample_rate;
        let spot = TakeSpot {
            song_start: t.song_start.unwrap_or(f64::from(run.playhead)),
            latency: t.latency_frames as f64 / f64::from(rate.max(1)),
            region: run.region,
            looping: run.looping && t.song_start.is_some(),
            punch: run.punch,
        };
        let project = self.session.project();
        match imbolc_core::take_clips::take_clips_action(project, track, &t.path, &spot) {
            Ok(action) => {
                let passes = match &action {
                    imbolc_types::Action::AddAudioClip { region, start, .. } => (region.takes.len(), *start),
                    _ => (0, 0),
                };
                if self.apply(action) {
                    let at = crate::transport::bar_beat(passes.1, project_sig(self));
                    match passes.0 {
                        0 => self.inform(format!("take placed on the track at {at}")),
                        n => self
                            .inform(format!("{n} takes (one per loop pass) at {at}: the last plays, n picks another")),
                    }
                }
            }
            Err(e) => self.error(format!("take onto the track: {e} (the file is kept: {})", t.path.display())),
        }
    }

    /// A finished performance take as a clip on a new audio track, where
    /// the song was when it started (at the start of the song when it
    /// was stopped): one undo step for both.
    fn take_onto_new_track(&mut self, t: &Take) {
        let project = self.session.project();
        let track = imbolc_types::InstrumentId(project.ids.instrument);
        let name = t.path.file_stem().map_or_else(|| "take".to_owned(), |n| n.to_string_lossy().into_owned());
        let spot = TakeSpot { song_start: t.song_start.unwrap_or(0.0), ..TakeSpot::default() };
        let clip = match imbolc_core::take_clips::take_clips_action(project, track, &t.path, &spot) {
            Ok(action) => action,
            Err(e) => {
                return self.error(format!("take onto a new track: {e} (the file is kept: {})", t.path.display()));
            }
        };
        let actions = vec![Action::AddAudioTrack { name: name.clone() }, clip];
        match self.session.dispatch_group("take onto a new track", actions) {
            Ok(_) => {
                self.after_edit();
                self.selected = Some(track);
                self.inform(format!("take saved: {} and placed on the new track {name}", t.path.display()));
            }
            Err(e) => self.error(format!("take onto a new track: {e} (the file is kept: {})", t.path.display())),
        }
    }

    /// `C-y`: performance takes also onto a new audio track, or not.
    pub(super) fn toggle_take_to_track(&mut self) {
        self.take_to_track = !self.take_to_track;
        self.inform(if self.take_to_track {
            "performance takes also go onto a new audio track"
        } else {
            "performance takes go to a file only"
        });
    }

    /// Sets the loop region as the piano roll's `L` would (tests).
    #[cfg(test)]
    pub(crate) fn set_loop_for_test(
        &mut self,
        region: Option<(imbolc_types::Tick, imbolc_types::Tick)>,
        looping: bool,
    ) {
        self.transport.region = region.and_then(|(a, b)| imbolc_audio::scheduler::LoopRegion::new(a, b));
        self.transport.looping = looping;
    }

    /// `C-b`: the count-in before a take onto a track, off, 1 or 2 bars
    /// (saved in the project, one undo step).
    pub(super) fn cycle_count_in(&mut self) {
        let bars = (self.session.project().count_in_bars + 1) % 3;
        if self.apply(Action::SetCountIn { bars }) {
            self.inform(match bars {
                0 => "count-in off".to_owned(),
                n => format!("count-in: {n} bar{} before a take onto an audio track", if n == 1 { "" } else { "s" }),
            });
        }
    }

    /// `C-p`: punch in/out on or off.
    pub(super) fn toggle_punch(&mut self) {
        self.transport.punch = !self.transport.punch;
        match (self.transport.punch, self.transport.region) {
            (true, Some(r)) => {
                let sig = project_sig(self);
                self.inform(format!(
                    "punch on: takes onto an audio track keep {}–{}",
                    crate::transport::bar_beat(r.start, sig),
                    crate::transport::bar_beat(r.end, sig)
                ));
            }
            (true, None) => self.inform("punch on: set a loop region (v, L in the piano roll) to punch into"),
            (false, _) => self.inform("punch off"),
        }
    }

    /// The audio side was replaced (server restart): its take ended with
    /// it, and no report of it will come; what reached the disk is kept.
    pub(super) fn abandon_take(&mut self) {
        let Some(run) = self.take.take() else { return };
        let name = run.path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        match take::finalize(&run.path, None) {
            Ok(_) => self.error(format!("take {name} kept: the server was restarted during the take")),
            Err(e) => self.error(format!("take: {e}")),
        }
    }

    /// `● REC 0:07 take-001.wav` while a take runs.
    pub(super) fn take_status(&self) -> Option<String> {
        let run = self.take.as_ref()?;
        let name = run.path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let state = if run.stopping { "finishing" } else { "● REC" };
        let mut text = format!("{state} {} {name}", clock(run.shown as f64));
        // A take onto a track says which, and what it records.
        let project = self.session.project();
        if let Some(track) = run.into.and_then(|id| project.instruments.get(&id)) {
            let input = imbolc_core::audio_track::input_label(project, track.def.record_input);
            text.push_str(&format!(" → {} ({input})", track.name));
        }
        // The recorder's own level meter (its peak, louder channel).
        if let Some(meter) = self.feedback.meters.get(RECORD_METER) {
            text.push_str(&format!(" {:.0} dB", meter.peak_dbfs().max(-99.0)));
        }
        Some(text)
    }
}

/// `m:ss`.
fn clock(secs: f64) -> String {
    let s = secs.max(0.0) as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

fn project_sig<S: UiAudio>(app: &App<S>) -> imbolc_types::TimeSignature {
    app.session.project().time_signature
}
