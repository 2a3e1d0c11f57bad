//! The streaming recorder: one take at a time, any stereo bus to a WAV
//! file, no length limit but the disk.
//!
//! Start (one bundle, sent at once): `/b_alloc buf 65536 2` whose
//! completion is `/b_write buf path wav int24 0 0 1` (the file stays
//! open), then, timetagged a lookahead later so the file is open by then,
//! `/s_new imbolc_disk_record` at the tail of the root group (after
//! everything that writes the bus) reading the source bus. `DiskOut`
//! streams each half of the buffer to the file from the server's disk
//! thread. Stop: `/n_free`, `/b_close` (libsndfile writes the final
//! sizes), `/b_free`, timetagged [`stop_delay`] after the stop, because
//! scsynth 3.13's `DiskOut` drops the half buffer it is filling when it is
//! freed: recording on for a half buffer more puts everything up to the
//! stop on disk, and [`crate::take::finish`] cuts the file at the stop
//! (`Take::frames`). The take is done on `/done /b_close`.
//!
//! A file the server cannot create is a `/fail /b_write`: the take ends
//! with that message and its node and buffer are freed. A server lost
//! mid-take ends it with what reached the disk (see `crate::take::finalize`).

use std::ops::Range;
use std::path::PathBuf;

use crate::backend::{AddAction, NodeId, ServerOp, Timetag};
use crate::graph::SignalGraph;
use crate::synthdefs::DISK_RECORD;
use crate::take::{RecordSource, Take};

/// Buffers used by the recorder, below the previews' (48..64).
pub const RECORD_BUFFERS: Range<u32> = 40..48;
/// Frames of the recorder's buffer: `DiskOut` writes half of it at a time
/// (0.68 s at 48 kHz), so at most that much is lost when the server dies.
pub const RECORD_FRAMES: u32 = 65_536;
/// The reply id of the recorder's level meter; [`super::meter_owner`] maps
/// it to [`RECORD_METER`].
pub const RECORD_METER_ID: i64 = -1_000_000;
/// Where the recorder's level shows in [`super::Meters`].
pub const RECORD_METER: imbolc_types::ChainOwner = imbolc_types::ChainOwner::Bus(imbolc_types::BusId(u32::MAX));

/// How long after a stop the recorder is freed: half its buffer (what
/// `DiskOut` writes at a time) and a margin for the disk thread.
pub fn stop_delay(rate: u32) -> f64 {
    f64::from(RECORD_FRAMES / 2) / f64::from(rate.max(1)) + 0.1
}

/// What to record and where.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordRequest {
    pub source: RecordSource,
    /// The WAV file to create (its folder must exist).
    pub path: PathBuf,
}

/// The take being recorded, as the UI sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ActiveTake {
    pub path: PathBuf,
    pub source: RecordSource,
    /// When its first sample is taken.
    pub start: Timetag,
    /// Stop was asked; waiting for the server to close the file.
    pub closing: bool,
}

/// The recorder's part of the feedback: the take running, and how the
/// last one ended (`ended` counts takes ended, so a UI knows a new one).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecordFeedback {
    pub active: Option<ActiveTake>,
    pub ended: u64,
    /// The last take: `Ok` when finished or cut short with a file kept
    /// (then `Take::cut_short` says why), `Err` when nothing was recorded.
    pub last: Option<Result<Take, String>>,
}

#[derive(Debug)]
struct Active {
    buf: u32,
    node: NodeId,
    take: Take,
    closing: bool,
}

/// The recorder's state on the audio thread.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    current: Option<Active>,
    next: u32,
}

impl Recorder {
    pub fn is_recording(&self) -> bool {
        self.current.is_some()
    }

    pub fn active(&self) -> Option<ActiveTake> {
        self.current.as_ref().map(|a| ActiveTake {
            path: a.take.path.clone(),
            source: a.take.source,
            start: a.take.start,
            closing: a.closing,
        })
    }

    /// Ops that open the file now and the recorder's synth to start at
    /// `start` reading stereo bus `bus`.
    pub fn start(
        &mut self,
        request: RecordRequest,
        bus: u32,
        start: Timetag,
        song_start: Option<f64>,
        latency_frames: u32,
        graph: &mut SignalGraph,
    ) -> (Vec<ServerOp>, Vec<ServerOp>) {
        let buf = RECORD_BUFFERS.start + self.next % RECORD_BUFFERS.len() as u32;
        self.next = self.next.wrapping_add(1);
        let path = request.path.to_string_lossy().into_owned();
        let open = vec![ServerOp::BufferAllocWrite { buf, frames: RECORD_FRAMES, channels: 2, path }];
        let node = graph.allocate_node();
        let controls = vec![("in", bus as f32), ("buf", buf as f32), ("id", RECORD_METER_ID as f32)];
        let synth = vec![ServerOp::SynthNew {
            def: DISK_RECORD,
            id: node,
            action: AddAction::Tail,
            target: NodeId::ROOT,
            controls,
        }];
        let take = Take {
            path: request.path,
            source: request.source,
            start,
            song_start,
            frames: 0,
            latency_frames,
            cut_short: None,
        };
        self.current = Some(Active { buf, node, take, closing: false });
        (open, synth)
    }

    /// Ops that stop the take and close its file, to be sent [`stop_delay`]
    /// after `at`; the take is cut at `at` (`rate` frames per second) and
    /// ends on [`Recorder::closed`].
    pub fn stop(&mut self, at: Timetag, rate: u32) -> Vec<ServerOp> {
        let Some(a) = self.current.as_mut().filter(|a| !a.closing) else { return Vec::new() };
        a.closing = true;
        let secs = (at.as_secs_f64() - a.take.start.as_secs_f64()).max(0.0);
        a.take.frames = (secs * f64::from(rate)).round() as u64;
        vec![ServerOp::Free { node: a.node }, ServerOp::BufferClose { buf: a.buf }, ServerOp::BufferFree { buf: a.buf }]
    }

    /// `/done /b_close buf`: the take, if it was ours.
    pub fn closed(&mut self, buf: u32) -> Option<Take> {
        if self.current.as_ref().is_some_and(|a| a.closing && a.buf == buf) {
            self.current.take().map(|a| a.take)
        } else {
            None
        }
    }

    /// `/fail /b_write`: the file could not be created. The take ends with
    /// the server's reason; the ops free its node and buffer.
    /// They must not run before the synth's own timed start (the failure
    /// usually comes back first), so they are timed at the take's start.
    pub fn write_failed(&mut self, message: &str) -> Option<(String, Vec<ServerOp>, Timetag)> {
        let a = self.current.take()?;
        let reason = format!("cannot write the take {}: {message}", a.take.path.display());
        Some((reason, vec![ServerOp::Free { node: a.node }, ServerOp::BufferFree { buf: a.buf }], a.take.start))
    }

    /// The server is gone: the take ends with what reached the disk.
    pub fn server_lost(&mut self) -> Option<Take> {
        let mut a = self.current.take()?;
        a.take.cut_short = Some("the audio server stopped during the take; the audio up to then is kept".into());
        Some(a.take)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> RecordRequest {
        RecordRequest { source: RecordSource::Master, path: "/t/take-001.wav".into() }
    }

    #[test]
    fn start_opens_then_records_and_stop_closes_after_freeing_the_synth() {
        let (mut graph, _) = SignalGraph::build(Default::default(), &Default::default());
        let mut r = Recorder::default();
        let at = Timetag { seconds: 10, fraction: 0 };
        let (open, synth) = r.start(request(), 0, at, Some(960.0), 0, &mut graph);
        assert_eq!(
            open,
            vec![ServerOp::BufferAllocWrite {
                buf: 40,
                frames: RECORD_FRAMES,
                channels: 2,
                path: "/t/take-001.wav".into()
            }]
        );
        let [ServerOp::SynthNew { def, id, action: AddAction::Tail, target: NodeId::ROOT, controls }] =
            synth.as_slice()
        else {
            panic!("one synth at the root's tail: {synth:?}")
        };
        assert_eq!(*def, DISK_RECORD);
        assert!(controls.contains(&("buf", 40.0)) && controls.contains(&("in", 0.0)));
        assert!(r.active().is_some_and(|a| !a.closing && a.start == at));
        let stop = r.stop(Timetag { seconds: 12, fraction: 0 }, 48_000);
        assert_eq!(
            stop,
            vec![ServerOp::Free { node: *id }, ServerOp::BufferClose { buf: 40 }, ServerOp::BufferFree { buf: 40 }]
        );
        assert!(r.stop(at, 48_000).is_empty(), "stopped once");
        assert!(r.closed(41).is_none(), "another buffer's close");
        let take = r.closed(40).expect("the take ends when its file is closed");
        assert_eq!((take.song_start, take.cut_short, take.frames), (Some(960.0), None, 96_000));
        assert!(!r.is_recording());
    }

    #[test]
    fn a_refused_file_frees_node_and_buffer_and_a_lost_server_keeps_the_take() {
        let (mut graph, _) = SignalGraph::build(Default::default(), &Default::default());
        let mut r = Recorder::default();
        let at = Timetag { seconds: 10, fraction: 0 };
        let (_, synth) = r.start(request(), 0, at, None, 0, &mut graph);
        let ServerOp::SynthNew { id, .. } = synth[0] else { panic!("a synth") };
        let (reason, ops, when) = r.write_failed("File '/t/take-001.wav' could not be opened").unwrap();
        assert_eq!(when, at, "freed at the synth's start, never before it");
        assert!(reason.contains("cannot write the take /t/take-001.wav"), "{reason}");
        assert_eq!(ops, vec![ServerOp::Free { node: id }, ServerOp::BufferFree { buf: 40 }]);
        assert!(!r.is_recording());
        r.start(request(), 0, at, None, 0, &mut graph);
        let take = r.server_lost().unwrap();
        assert!(take.cut_short.is_some_and(|c| c.contains("kept")));
        assert!(r.server_lost().is_none());
    }
}
