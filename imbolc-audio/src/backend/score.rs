//! [`ScoreBackend`]: records batches as timed bundles of an NRT score for
//! `scsynth -N`, instead of sending them.
//!
//! A score is a sequence of OSC bundles, each prefixed by its length (4-byte
//! big-endian), sorted by time; timetags are seconds from the start of the
//! render in NTP format. Everything the render needs before the music starts
//! (SynthDefs as `/d_recv` of the embedded bytes, sample buffers) goes into
//! a setup bundle at time 0, ahead of the graph. scsynth stops rendering at
//! the last bundle's time, so [`ScoreBackend::finish`] appends an end bundle.

use rosc::{OscBundle, OscMessage, OscPacket, OscTime, OscType};

use super::AudioBackend;
use super::error::BackendError;
use super::op::ServerOp;
use super::sc::to_messages;
use super::timing::{Timetag, Timing};
use crate::synthdefs::CompiledDef;

/// One bundle of a score: when it runs and what it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreEntry {
    /// Seconds from the start of the render.
    pub time: f64,
    pub messages: Vec<OscMessage>,
}

/// A finished NRT score: bundles in time order, the last one marking the end.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Score {
    pub entries: Vec<ScoreEntry>,
}

/// Why score bytes could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    /// The bytes end inside a length prefix or a bundle.
    #[error("score truncated at byte {0}")]
    Truncated(usize),
    /// A packet is not valid OSC, or not a bundle.
    #[error("bad packet at byte {at}: {reason}")]
    BadPacket { at: usize, reason: String },
}

impl Score {
    /// Seconds at which the render stops (the last bundle's time).
    pub fn end(&self) -> f64 {
        self.entries.last().map_or(0.0, |e| e.time)
    }

    /// The score file's bytes (what `scsynth -N` reads).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut buf = Vec::new();
        for entry in &self.entries {
            let tag = Timetag::from_secs_f64(entry.time);
            let bundle = OscBundle {
                timetag: OscTime { seconds: tag.seconds, fractional: tag.fraction },
                content: entry.messages.iter().cloned().map(OscPacket::Message).collect(),
            };
            buf.clear();
            // Encoding into a Vec cannot fail (its error type is Infallible).
            let Ok(_) = rosc::encoder::encode_into(&OscPacket::Bundle(bundle), &mut buf);
            let len = u32::try_from(buf.len()).unwrap_or(u32::MAX);
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(&buf);
        }
        out
    }

    /// Reads score bytes back into bundles (tests, tools).
    ///
    /// # Errors
    /// [`ScoreError`] when the bytes are not a well-formed score.
    pub fn decode(bytes: &[u8]) -> Result<Vec<OscBundle>, ScoreError> {
        let mut at = 0;
        let mut bundles = Vec::new();
        while at < bytes.len() {
            let head = bytes.get(at..at + 4).ok_or(ScoreError::Truncated(at))?;
            let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
            let body = bytes.get(at + 4..at + 4 + len).ok_or(ScoreError::Truncated(at))?;
            match rosc::decoder::decode_udp(body) {
                Ok((_, OscPacket::Bundle(b))) => bundles.push(b),
                Ok((_, OscPacket::Message(m))) => {
                    return Err(ScoreError::BadPacket { at, reason: format!("message {} outside a bundle", m.addr) });
                }
                Err(e) => return Err(ScoreError::BadPacket { at, reason: e.to_string() }),
            }
            at += 4 + len;
        }
        Ok(bundles)
    }
}

/// Collects batches into a [`Score`]. `Timing::At` is read as seconds from
/// the start (a virtual clock anchored at 0, see
/// [`crate::scheduler::Clock::virtual_at`]); `Timing::Now` means the
/// backend's current time ([`ScoreBackend::set_now`]).
#[derive(Debug, Default)]
pub struct ScoreBackend {
    now: f64,
    setup: Vec<OscMessage>,
    entries: Vec<ScoreEntry>,
}

impl ScoreBackend {
    /// An empty score.
    pub fn new() -> Self {
        ScoreBackend::default()
    }

    /// The time untimed batches are recorded at.
    pub fn set_now(&mut self, secs: f64) {
        self.now = secs.max(0.0);
    }

    /// Loads `defs` at time 0 with `/d_recv` of their bytes.
    pub fn load_synthdefs(&mut self, defs: &[CompiledDef]) {
        for def in defs {
            self.setup.push(OscMessage { addr: "/d_recv".into(), args: vec![OscType::Blob(def.bytes.to_vec())] });
        }
    }

    /// Loads a sound file into buffer `bufnum` at time 0 (`/b_allocRead`).
    pub fn load_buffer(&mut self, bufnum: i32, path: &str) {
        self.setup.push(OscMessage {
            addr: "/b_allocRead".into(),
            args: vec![OscType::Int(bufnum), OscType::String(path.to_owned())],
        });
    }

    /// Records raw messages at `secs` (things the graph does not model).
    pub fn push_messages(&mut self, secs: f64, messages: Vec<OscMessage>) {
        if !messages.is_empty() {
            self.entries.push(ScoreEntry { time: secs.max(0.0), messages });
        }
    }

    /// Number of timed bundles recorded so far (setup and end excluded).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing timed was recorded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The score: setup at 0, the batches in time order (equal times keep
    /// the order they were recorded in, as scsynth does for bundles), and an
    /// end bundle at `end` seconds (never before the last batch).
    pub fn finish(mut self, end: f64) -> Score {
        self.entries.sort_by(|a, b| a.time.total_cmp(&b.time));
        let last = self.entries.last().map_or(0.0, |e| e.time);
        let mut entries = Vec::with_capacity(self.entries.len() + 2);
        if !self.setup.is_empty() {
            entries.push(ScoreEntry { time: 0.0, messages: self.setup });
        }
        entries.append(&mut self.entries);
        let end_msg = OscMessage { addr: "/c_set".into(), args: vec![OscType::Int(0), OscType::Float(0.0)] };
        entries.push(ScoreEntry { time: end.max(last), messages: vec![end_msg] });
        Score { entries }
    }
}

impl AudioBackend for ScoreBackend {
    /// Records nothing for an empty batch; never fails (no size limit in NRT).
    fn execute(&mut self, timing: Timing, ops: &[ServerOp]) -> Result<(), BackendError> {
        let time = match timing {
            Timing::Now => self.now,
            Timing::At(tag) => tag.as_secs_f64(),
        };
        self.push_messages(time, ops.iter().flat_map(to_messages).collect());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{AddAction, NodeId, to_message};

    fn msg(p: &OscPacket) -> &OscMessage {
        match p {
            OscPacket::Message(m) => m,
            OscPacket::Bundle(_) => panic!("nested bundle"),
        }
    }

    #[test]
    fn score_bytes_decode_back_to_the_timed_bundles() {
        let mut b = ScoreBackend::new();
        b.load_synthdefs(&crate::synthdefs::ALL[..2]);
        b.load_buffer(3, "/tmp/kick.wav");
        let group = ServerOp::GroupNew { id: NodeId(1000), action: AddAction::Head, target: NodeId(0) };
        b.execute(Timing::At(Timetag::from_secs_f64(0.0)), std::slice::from_ref(&group)).unwrap();
        let set = ServerOp::Set { node: NodeId(1000), controls: vec![("gate", 0.0)] };
        b.execute(Timing::At(Timetag::from_secs_f64(1.5)), std::slice::from_ref(&set)).unwrap();
        b.set_now(0.75);
        b.execute(Timing::Now, &[ServerOp::Free { node: NodeId(7) }]).unwrap();
        b.execute(Timing::Now, &[]).unwrap();
        let score = b.finish(3.0);
        let bytes = score.to_bytes();

        let len = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
        assert!(len > 300, "the first bundle carries the SynthDef bytes");
        let bundles = Score::decode(&bytes).unwrap();
        let times: Vec<f64> = bundles
            .iter()
            .map(|b| Timetag { seconds: b.timetag.seconds, fraction: b.timetag.fractional }.as_secs_f64())
            .collect();
        assert_eq!(times, vec![0.0, 0.0, 0.75, 1.5, 3.0]);
        let setup: Vec<&str> = bundles[0].content.iter().map(|p| msg(p).addr.as_str()).collect();
        assert_eq!(setup, vec!["/d_recv", "/d_recv", "/b_allocRead"]);
        assert_eq!(msg(&bundles[0].content[0]).args, vec![OscType::Blob(crate::synthdefs::ALL[0].bytes.to_vec())]);
        assert_eq!(msg(&bundles[1].content[0]), &to_message(&group));
        assert_eq!(msg(&bundles[2].content[0]).addr, "/n_free");
        assert_eq!(msg(&bundles[3].content[0]), &to_message(&set));
        assert_eq!(msg(&bundles[4].content[0]).addr, "/c_set", "the end bundle");
        assert_eq!(score.end(), 3.0);
    }

    #[test]
    fn the_end_never_precedes_the_last_batch() {
        let mut b = ScoreBackend::new();
        b.push_messages(5.0, vec![OscMessage { addr: "/n_free".into(), args: vec![OscType::Int(1)] }]);
        assert_eq!(b.finish(2.0).end(), 5.0);
    }

    #[test]
    fn truncated_and_foreign_bytes_are_typed_errors() {
        let mut b = ScoreBackend::new();
        b.push_messages(1.0, vec![OscMessage { addr: "/n_free".into(), args: vec![OscType::Int(1)] }]);
        let bytes = b.finish(2.0).to_bytes();
        assert!(matches!(Score::decode(&bytes[..bytes.len() - 3]), Err(ScoreError::Truncated(_))));
        let mut junk = vec![0, 0, 0, 4];
        junk.extend_from_slice(b"abcd");
        assert!(matches!(Score::decode(&junk), Err(ScoreError::BadPacket { .. })));
    }
}
