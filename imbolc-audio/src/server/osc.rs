//! The UDP link to scsynth: encoding, sending and decoding OSC.

use std::net::UdpSocket;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rosc::{OscMessage, OscPacket, OscType};

use super::error::ServerError;
use super::monitor::retry_interrupted;

/// Largest payload of one UDP datagram.
pub const MAX_DATAGRAM: usize = 65_507;

/// Sends OSC packets to one scsynth. Cheap to clone; every clone shares the
/// socket, whose replies are read by the server's monitor thread.
#[derive(Debug, Clone)]
pub struct OscSender {
    socket: Arc<UdpSocket>,
}

impl OscSender {
    pub(super) fn new(socket: Arc<UdpSocket>) -> Self {
        OscSender { socket }
    }

    /// Encodes and sends one packet (a message or a bundle).
    ///
    /// # Errors
    /// [`ServerError::PacketTooLarge`] over one datagram, [`ServerError::Io`]
    /// when the server is gone.
    pub fn send(&self, packet: &OscPacket) -> Result<(), ServerError> {
        let bytes = rosc::encoder::encode(packet).map_err(|e| ServerError::Encode(e.to_string()))?;
        self.send_bytes(&bytes)
    }

    /// Sends one already encoded packet.
    ///
    /// # Errors
    /// As [`OscSender::send`].
    pub fn send_bytes(&self, bytes: &[u8]) -> Result<(), ServerError> {
        if bytes.len() > MAX_DATAGRAM {
            return Err(ServerError::PacketTooLarge(bytes.len()));
        }
        retry_interrupted(|| self.socket.send(bytes))?;
        Ok(())
    }

    /// A second handle on the same socket (same local port), for senders
    /// that want a plain `UdpSocket` (e.g. `ScBackend`). Sending from the
    /// same port matters: scsynth answers `/fail` to the sender's address,
    /// and only this socket's replies reach the monitor thread.
    ///
    /// # Errors
    /// [`std::io::Error`] if the descriptor cannot be duplicated.
    pub fn try_clone_socket(&self) -> std::io::Result<UdpSocket> {
        self.socket.try_clone()
    }

    /// Sends one message built from an address and arguments.
    ///
    /// # Errors
    /// As [`OscSender::send`].
    pub fn message(&self, addr: &str, args: Vec<OscType>) -> Result<(), ServerError> {
        self.send(&OscPacket::Message(OscMessage { addr: addr.to_owned(), args }))
    }
}

/// Flattens a packet into its messages (bundles may nest).
pub fn flatten(packet: OscPacket, out: &mut Vec<OscMessage>) {
    match packet {
        OscPacket::Message(m) => out.push(m),
        OscPacket::Bundle(b) => b.content.into_iter().for_each(|p| flatten(p, out)),
    }
}

/// Decodes a datagram into messages; `None` when it is not valid OSC.
pub fn decode(bytes: &[u8]) -> Option<Vec<OscMessage>> {
    let (_, packet) = rosc::decoder::decode_udp(bytes).ok()?;
    let mut out = Vec::new();
    flatten(packet, &mut out);
    Some(out)
}

/// Reads replies on `socket` until `pick` returns a value or `timeout` passes.
/// Used only while booting, before the monitor thread owns the socket.
pub(super) fn await_reply<T>(
    socket: &UdpSocket,
    command: &str,
    timeout: Duration,
    mut pick: impl FnMut(&OscMessage) -> Option<T>,
) -> Result<T, ServerError> {
    let deadline = Instant::now() + timeout;
    let mut buf = vec![0u8; MAX_DATAGRAM];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ServerError::Timeout { command: command.to_owned(), millis: timeout.as_millis() });
        }
        socket.set_read_timeout(Some(left.min(Duration::from_millis(50))))?;
        match socket.recv(&mut buf) {
            Ok(n) => {
                for message in decode(&buf[..n]).unwrap_or_default() {
                    if let Some(value) = pick(&message) {
                        return Ok(value);
                    }
                }
            }
            // A timeout, or a signal (EINTR): the deadline decides.
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut | std::io::ErrorKind::Interrupted
                ) => {}
            Err(e) => return Err(e.into()),
        }
    }
}

/// The first argument as a string, if it is one.
pub fn str_arg(message: &OscMessage, index: usize) -> Option<&str> {
    match message.args.get(index) {
        Some(OscType::String(s)) => Some(s),
        _ => None,
    }
}

/// An integer argument, accepting int or float encodings.
pub fn int_arg(message: &OscMessage, index: usize) -> Option<i64> {
    match message.args.get(index)? {
        OscType::Int(i) => Some(i64::from(*i)),
        OscType::Long(i) => Some(*i),
        OscType::Float(f) => Some(*f as i64),
        OscType::Double(f) => Some(*f as i64),
        _ => None,
    }
}

/// A floating-point argument, accepting int or float encodings.
pub fn float_arg(message: &OscMessage, index: usize) -> Option<f64> {
    match message.args.get(index)? {
        OscType::Float(f) => Some(f64::from(*f)),
        OscType::Double(f) => Some(*f),
        OscType::Int(i) => Some(f64::from(*i)),
        _ => None,
    }
}
