//! [`ScBackend`]: sends each batch to scsynth as one OSC bundle over UDP.
//!
//! Encoding ([`encode_batch`]) is separate from sending so it can be
//! measured and tested without a server.

use std::net::UdpSocket;

use rosc::{OscBundle, OscMessage, OscPacket, OscTime, OscType};

use super::AudioBackend;
use super::error::BackendError;
use super::op::ServerOp;
use super::timing::Timing;

/// The largest UDP payload scsynth accepts on 127.0.0.1; larger bundles fail
/// in `send` with "Message too long".
pub const MAX_DATAGRAM: usize = 65_507;

/// Delivers batches to a running scsynth.
#[derive(Debug)]
pub struct ScBackend {
    socket: UdpSocket,
    buf: Vec<u8>,
}

impl ScBackend {
    /// Uses `socket`, already `connect`ed to scsynth's UDP port. Replies
    /// (`/n_go`, `/fail`, …) arrive on the same socket and are read
    /// elsewhere (use `try_clone`).
    pub fn new(socket: UdpSocket) -> Self {
        ScBackend { socket, buf: Vec::with_capacity(1024) }
    }
}

impl AudioBackend for ScBackend {
    /// Sends nothing for an empty batch.
    fn execute(&mut self, timing: Timing, ops: &[ServerOp]) -> Result<(), BackendError> {
        if ops.is_empty() {
            return Ok(());
        }
        encode_batch_into(timing, ops, &mut self.buf)?;
        crate::server::monitor::retry_interrupted(|| self.socket.send(&self.buf))?;
        Ok(())
    }
}

/// Encodes `ops` as one OSC bundle with `timing`'s timetag.
///
/// # Errors
/// [`BackendError::TooLarge`] if the bundle does not fit in one datagram.
pub fn encode_batch(timing: Timing, ops: &[ServerOp]) -> Result<Vec<u8>, BackendError> {
    let mut buf = Vec::new();
    encode_batch_into(timing, ops, &mut buf)?;
    Ok(buf)
}

/// Like [`encode_batch`], reusing `buf` (cleared first).
///
/// # Errors
/// [`BackendError::TooLarge`] if the bundle does not fit in one datagram.
pub fn encode_batch_into(timing: Timing, ops: &[ServerOp], buf: &mut Vec<u8>) -> Result<(), BackendError> {
    let tag = timing.timetag();
    let bundle = OscBundle {
        timetag: OscTime { seconds: tag.seconds, fractional: tag.fraction },
        content: ops.iter().flat_map(to_messages).map(OscPacket::Message).collect(),
    };
    buf.clear();
    // Encoding into a Vec cannot fail (its error type is Infallible).
    let Ok(_) = rosc::encoder::encode_into(&OscPacket::Bundle(bundle), buf);
    let bytes = buf.len();
    if bytes > MAX_DATAGRAM {
        return Err(BackendError::TooLarge { bytes, limit: MAX_DATAGRAM });
    }
    Ok(())
}

fn node(id: super::op::NodeId) -> OscType {
    OscType::Int(id.0)
}

fn buffer(buf: u32) -> OscType {
    OscType::Int(i32::try_from(buf).unwrap_or(i32::MAX))
}

fn pairs(args: &mut Vec<OscType>, controls: &[(&'static str, f32)]) {
    for &(name, value) in controls {
        args.push(OscType::String(name.to_owned()));
        args.push(OscType::Float(value));
    }
}

/// The OSC messages of `op` in a bundle: its own message, and for a
/// [`ServerOp::FreeVoice`] `/error -1` before it and `/error -2` after it,
/// which turn the server's error reports off and on again for that one
/// message (scsynth also resets them at the end of every bundle).
pub fn to_messages(op: &ServerOp) -> impl Iterator<Item = OscMessage> {
    let quiet = matches!(op, ServerOp::FreeVoice { .. });
    let error_mode = |mode: i32| OscMessage { addr: "/error".to_owned(), args: vec![OscType::Int(mode)] };
    quiet
        .then(|| error_mode(-1))
        .into_iter()
        .chain(std::iter::once(to_message(op)))
        .chain(quiet.then(|| error_mode(-2)))
}

/// A completion message argument: `then` encoded as a blob.
fn completion(then: Option<&ServerOp>) -> Option<OscType> {
    // Encoding a message we built cannot fail; no blob is the fallback.
    let bytes = rosc::encoder::encode(&rosc::OscPacket::Message(to_message(then?))).ok()?;
    Some(OscType::Blob(bytes))
}

/// The OSC message scsynth expects for `op`.
///
/// A sample path that exists but is not a regular file (a FIFO would block
/// scsynth's command thread, and every `/sync` after it) is never named to
/// the server: its buffer is allocated empty (`/b_alloc buf 1 1`), so the
/// pad stays silent and `/b_free` still matches. A missing file goes as
/// usual: the server's `/fail` reports it. Checked here, where live bundles
/// and NRT scores both pass, right before the server would read.
pub fn to_message(op: &ServerOp) -> OscMessage {
    if let ServerOp::BufferAllocRead { buf, path } | ServerOp::BufferAllocReadChannel { buf, path, .. } = op
        && crate::samples::is_unsafe_to_load(std::path::Path::new(path))
    {
        tracing::warn!("sample {path:?} is not a regular file: not loaded, its pad stays silent");
        return OscMessage { addr: "/b_alloc".into(), args: vec![buffer(*buf), OscType::Int(1), OscType::Int(1)] };
    }
    let args = match op {
        ServerOp::GroupNew { id, action, target } => vec![node(*id), OscType::Int(action.code()), node(*target)],
        ServerOp::SynthNew { def, id, action, target, controls } => {
            let mut args = Vec::with_capacity(4 + controls.len() * 2);
            args.extend([OscType::String((*def).to_owned()), node(*id), OscType::Int(action.code()), node(*target)]);
            pairs(&mut args, controls);
            args
        }
        ServerOp::Free { node: n } | ServerOp::FreeVoice { node: n } | ServerOp::FreeAll { group: n } => {
            vec![node(*n)]
        }
        ServerOp::Set { node: n, controls } => {
            let mut args = Vec::with_capacity(1 + controls.len() * 2);
            args.push(node(*n));
            pairs(&mut args, controls);
            args
        }
        ServerOp::Run { node: n, on } => vec![node(*n), OscType::Int(i32::from(*on))],
        ServerOp::Map { node: n, control, bus } => {
            let bus = bus.and_then(|b| i32::try_from(b).ok()).unwrap_or(-1);
            vec![node(*n), OscType::String((*control).to_owned()), OscType::Int(bus)]
        }
        ServerOp::Before { node: n, target } | ServerOp::After { node: n, target } => vec![node(*n), node(*target)],
        ServerOp::Head { group, node: n } | ServerOp::Tail { group, node: n } => vec![node(*group), node(*n)],
        ServerOp::BufferAllocRead { buf, path } => vec![buffer(*buf), OscType::String(path.clone())],
        ServerOp::BufferAllocReadChannel { buf, path, channel, then } => {
            let mut args = vec![
                buffer(*buf),
                OscType::String(path.clone()),
                OscType::Int(0),
                OscType::Int(0),
                OscType::Int(i32::try_from(*channel).unwrap_or(0)),
            ];
            args.extend(completion(then.as_deref()));
            args
        }
        ServerOp::BufferAlloc { buf, frames, then } => {
            let mut args =
                vec![buffer(*buf), OscType::Int(i32::try_from(*frames).unwrap_or(i32::MAX)), OscType::Int(1)];
            args.extend(completion(then.as_deref()));
            args
        }
        ServerOp::BufferGenPartConv { buf, ir, fft_size } => vec![
            buffer(*buf),
            OscType::String("PreparePartConv".to_owned()),
            buffer(*ir),
            OscType::Int(i32::try_from(*fft_size).unwrap_or(2048)),
        ],
        ServerOp::BufferFree { buf } | ServerOp::BufferClose { buf } => vec![buffer(*buf)],
        ServerOp::BufferAllocWrite { buf, frames, channels, path } => {
            let write = OscMessage {
                addr: "/b_write".into(),
                args: vec![
                    buffer(*buf),
                    OscType::String(path.clone()),
                    OscType::String("wav".into()),
                    OscType::String("int24".into()),
                    OscType::Int(0),
                    OscType::Int(0),
                    OscType::Int(1),
                ],
            };
            let mut args = vec![
                buffer(*buf),
                OscType::Int(i32::try_from(*frames).unwrap_or(i32::MAX)),
                OscType::Int(i32::try_from(*channels).unwrap_or(2)),
            ];
            // Encoding a message we built cannot fail; no completion
            // (nothing written) is the fallback.
            args.extend(rosc::encoder::encode(&rosc::OscPacket::Message(write)).ok().map(OscType::Blob));
            args
        }
        ServerOp::DefRecv { bytes, .. } => vec![OscType::Blob(bytes.to_vec())],
    };
    OscMessage { addr: op.address().to_owned(), args }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{AddAction, NodeId, Timetag};

    fn decode(bytes: &[u8]) -> OscBundle {
        match rosc::decoder::decode_udp(bytes).unwrap().1 {
            OscPacket::Bundle(b) => b,
            other => panic!("expected a bundle, got {other:?}"),
        }
    }

    #[test]
    fn a_batch_is_one_bundle_with_the_given_timetag() {
        let ops = vec![
            ServerOp::SynthNew {
                def: "imbolc_delay",
                id: NodeId(1005),
                action: AddAction::After,
                target: NodeId(1004),
                controls: vec![("bus", 16.0), ("mix", 0.3)],
            },
            ServerOp::Run { node: NodeId(1005), on: false },
            ServerOp::Map { node: NodeId(7), control: "cutoff", bus: None },
        ];
        let now = decode(&encode_batch(Timing::Now, &ops).unwrap());
        assert_eq!(now.timetag, OscTime { seconds: 0, fractional: 1 });
        assert_eq!(now.content.len(), 3);
        let OscPacket::Message(m) = &now.content[0] else { panic!("not a message") };
        assert_eq!(m.addr, "/s_new");
        assert_eq!(
            m.args,
            vec![
                OscType::String("imbolc_delay".into()),
                OscType::Int(1005),
                OscType::Int(3),
                OscType::Int(1004),
                OscType::String("bus".into()),
                OscType::Float(16.0),
                OscType::String("mix".into()),
                OscType::Float(0.3),
            ]
        );
        let OscPacket::Message(m) = &now.content[2] else { panic!("not a message") };
        assert_eq!(m.args[2], OscType::Int(-1));

        let tag = Timetag { seconds: 3_900_000_000, fraction: 7 };
        let at = decode(&encode_batch(Timing::At(tag), &ops).unwrap());
        assert_eq!(at.timetag, OscTime { seconds: 3_900_000_000, fractional: 7 });
    }

    #[test]
    fn oversized_bundles_are_refused_with_a_typed_error() {
        let controls: Vec<(&'static str, f32)> = vec![("freq", 1.0); 8000];
        let ops = vec![ServerOp::Set { node: NodeId(1), controls }];
        match encode_batch(Timing::Now, &ops).map(|b| b.len()) {
            Err(BackendError::TooLarge { bytes, limit }) => {
                assert!(bytes > limit);
                assert_eq!(limit, MAX_DATAGRAM);
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }

    #[test]
    fn sc_backend_sends_one_datagram_per_batch() {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        let client = UdpSocket::bind("127.0.0.1:0").unwrap();
        client.connect(server.local_addr().unwrap()).unwrap();
        let mut backend = ScBackend::new(client);
        let ops = vec![ServerOp::Free { node: NodeId(9) }, ServerOp::Free { node: NodeId(10) }];
        backend.execute(Timing::Now, &ops).unwrap();
        backend.execute(Timing::Now, &[]).unwrap();
        backend.execute(Timing::Now, &ops[..1]).unwrap();
        let mut buf = [0u8; 2048];
        let n = server.recv(&mut buf).unwrap();
        assert_eq!(decode(&buf[..n]).content.len(), 2);
        let n = server.recv(&mut buf).unwrap();
        assert_eq!(decode(&buf[..n]).content.len(), 1, "the empty batch sent nothing");
    }

    #[test]
    fn only_a_regular_file_is_named_to_the_server() {
        let dir = std::env::temp_dir().join(format!("imbolc-sc-sample-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("hit.wav");
        std::fs::write(&file, b"RIFF").unwrap();
        let fifo = dir.join("fifo.wav");
        let _ = std::fs::remove_file(&fifo);
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo (coreutils) runs");
        assert!(made.success());
        let addr = |path: &std::path::Path| {
            to_message(&ServerOp::BufferAllocRead { buf: 70, path: path.display().to_string() }).addr
        };
        assert_eq!(addr(&file), "/b_allocRead");
        assert_eq!(addr(&fifo), "/b_alloc", "a FIFO would block scsynth");
        assert_eq!(addr(&dir), "/b_alloc");
        assert_eq!(addr(&dir.join("missing.wav")), "/b_allocRead", "the server reports it with /fail");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_take_buffer_opens_its_file_for_writing_once_allocated() {
        let op = ServerOp::BufferAllocWrite { buf: 40, frames: 65_536, channels: 2, path: "/t/take-001.wav".into() };
        let m = to_message(&op);
        assert_eq!(m.addr, "/b_alloc");
        assert_eq!(m.args[..3], [OscType::Int(40), OscType::Int(65_536), OscType::Int(2)]);
        let OscType::Blob(bytes) = &m.args[3] else { panic!("a completion message") };
        let OscPacket::Message(write) = rosc::decoder::decode_udp(bytes).unwrap().1 else { panic!("a message") };
        assert_eq!(write.addr, "/b_write");
        assert_eq!(
            write.args,
            vec![
                OscType::Int(40),
                OscType::String("/t/take-001.wav".into()),
                OscType::String("wav".into()),
                OscType::String("int24".into()),
                OscType::Int(0),
                OscType::Int(0),
                OscType::Int(1),
            ],
            "leaveOpen = 1: DiskOut streams into it"
        );
        assert_eq!(to_message(&ServerOp::BufferClose { buf: 40 }).addr, "/b_close");
    }
}
