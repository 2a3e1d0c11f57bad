//! The secure channel: a Noise `NNpsk0` handshake keyed by the join code,
//! then frames of any length, each sent as one or more Noise messages.
//!
//! On the wire every Noise message is a big-endian `u16` length and the
//! ciphertext (at most 65 535 bytes). The first message of a frame starts
//! with the frame's plaintext length as a big-endian `u32`; the reader
//! refuses a length over its limit before reading further, and a message
//! that does not decrypt closes the connection.

use std::io::{Read, Write};
use std::sync::Arc;

use snow::{Builder, StatelessTransportState};

use super::{CollabError, JoinCode};

const PARAMS: &str = "Noise_NNpsk0_25519_ChaChaPoly_BLAKE2s";
const NOISE_MAX: usize = 65_535;
const TAG: usize = 16;
const CHUNK: usize = NOISE_MAX - TAG;

fn builder_params() -> Result<snow::params::NoiseParams, CollabError> {
    PARAMS.parse().map_err(|e: snow::Error| CollabError::Noise(e.to_string()))
}

fn read_noise(r: &mut impl Read, buf: &mut Vec<u8>) -> Result<(), CollabError> {
    let mut len = [0u8; 2];
    r.read_exact(&mut len)?;
    let len = usize::from(u16::from_be_bytes(len));
    buf.resize(len, 0);
    r.read_exact(buf)?;
    Ok(())
}

fn write_noise(w: &mut impl Write, msg: &[u8]) -> Result<(), CollabError> {
    let len = u16::try_from(msg.len()).map_err(|_| CollabError::FrameTooLarge { len: msg.len(), max: NOISE_MAX })?;
    let mut out = Vec::with_capacity(msg.len() + 2);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(msg);
    w.write_all(&out)?;
    Ok(())
}

/// Both directions of an established channel.
pub struct Channel {
    pub sealer: Sealer,
    pub opener: Opener,
}

impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Channel")
    }
}

fn channel(state: StatelessTransportState, max_in: usize) -> Channel {
    let state = Arc::new(state);
    Channel {
        sealer: Sealer { state: Arc::clone(&state), nonce: 0, buf: Vec::new() },
        opener: Opener { state, nonce: 0, max: max_in, buf: Vec::new(), plain: Vec::new() },
    }
}

/// The joining side: proves it knows the code. `max_in` bounds the frames
/// it accepts.
///
/// # Errors
///
/// [`CollabError::WrongCode`] when the host closes or answers with
/// something that does not decrypt (a wrong code); I/O errors.
pub fn handshake_initiator(
    s: &mut (impl Read + Write),
    code: &JoinCode,
    max_in: usize,
) -> Result<Channel, CollabError> {
    let psk = code.psk();
    let mut hs = Builder::new(builder_params()?).psk(0, &psk)?.build_initiator()?;
    let mut msg = vec![0u8; NOISE_MAX];
    let n = hs.write_message(&[], &mut msg)?;
    write_noise(s, &msg[..n])?;
    let mut reply = Vec::new();
    match read_noise(s, &mut reply) {
        Ok(()) => {}
        Err(CollabError::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Err(CollabError::WrongCode),
        Err(CollabError::Io(e)) if e.kind() == std::io::ErrorKind::ConnectionReset => {
            return Err(CollabError::WrongCode);
        }
        Err(e) => return Err(e),
    }
    let mut payload = vec![0u8; NOISE_MAX];
    hs.read_message(&reply, &mut payload).map_err(|_| CollabError::WrongCode)?;
    Ok(channel(hs.into_stateless_transport_mode()?, max_in))
}

/// The host's side: a first message that does not decrypt with the code's
/// key is refused before anything is sent back.
///
/// # Errors
///
/// [`CollabError::WrongCode`]; I/O errors.
pub fn handshake_responder(
    s: &mut (impl Read + Write),
    code: &JoinCode,
    max_in: usize,
) -> Result<Channel, CollabError> {
    let psk = code.psk();
    let mut hs = Builder::new(builder_params()?).psk(0, &psk)?.build_responder()?;
    let mut first = Vec::new();
    read_noise(s, &mut first)?;
    let mut payload = vec![0u8; NOISE_MAX];
    hs.read_message(&first, &mut payload).map_err(|_| CollabError::WrongCode)?;
    let mut msg = vec![0u8; NOISE_MAX];
    let n = hs.write_message(&[], &mut msg)?;
    write_noise(s, &msg[..n])?;
    Ok(channel(hs.into_stateless_transport_mode()?, max_in))
}

/// Encrypts frames in one direction (each direction has its own nonces).
pub struct Sealer {
    state: Arc<StatelessTransportState>,
    nonce: u64,
    buf: Vec<u8>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sealer({})", self.nonce)
    }
}

impl Sealer {
    /// Encrypts `frame` into `out` (appended): the bytes to write.
    ///
    /// # Errors
    ///
    /// A frame over 4 GiB; a Noise error.
    pub fn seal(&mut self, frame: &[u8], out: &mut Vec<u8>) -> Result<(), CollabError> {
        let total = u32::try_from(frame.len())
            .map_err(|_| CollabError::FrameTooLarge { len: frame.len(), max: u32::MAX as usize })?;
        let mut rest = frame;
        let mut first = true;
        loop {
            let mut plain = Vec::with_capacity(CHUNK);
            if first {
                plain.extend_from_slice(&total.to_be_bytes());
            }
            let take = rest.len().min(CHUNK - plain.len());
            plain.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            self.buf.resize(plain.len() + TAG, 0);
            let n = self.state.write_message(self.nonce, &plain, &mut self.buf)?;
            self.nonce += 1;
            out.extend_from_slice(&(n as u16).to_be_bytes());
            out.extend_from_slice(&self.buf[..n]);
            first = false;
            if rest.is_empty() {
                return Ok(());
            }
        }
    }

    /// Seals and writes one frame.
    ///
    /// # Errors
    ///
    /// As [`Sealer::seal`]; I/O errors.
    pub fn send(&mut self, w: &mut impl Write, frame: &[u8]) -> Result<usize, CollabError> {
        let mut out = Vec::with_capacity(frame.len() + 24);
        self.seal(frame, &mut out)?;
        w.write_all(&out)?;
        Ok(out.len())
    }
}

/// Decrypts frames in one direction.
pub struct Opener {
    state: Arc<StatelessTransportState>,
    nonce: u64,
    max: usize,
    buf: Vec<u8>,
    plain: Vec<u8>,
}

impl std::fmt::Debug for Opener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Opener({})", self.nonce)
    }
}

impl Opener {
    fn open_one(&mut self, r: &mut impl Read) -> Result<(), CollabError> {
        read_noise(r, &mut self.buf)?;
        if self.buf.len() < TAG {
            return Err(CollabError::Malformed("a message shorter than its tag".into()));
        }
        self.plain.resize(self.buf.len() - TAG, 0);
        let n = self
            .state
            .read_message(self.nonce, &self.buf, &mut self.plain)
            .map_err(|_| CollabError::Malformed("a message that does not decrypt".into()))?;
        self.plain.truncate(n);
        self.nonce += 1;
        Ok(())
    }

    /// Reads one whole frame.
    ///
    /// # Errors
    ///
    /// [`CollabError::FrameTooLarge`] before reading past the length;
    /// [`CollabError::Malformed`] for anything that does not decrypt; I/O.
    pub fn recv(&mut self, r: &mut impl Read) -> Result<Vec<u8>, CollabError> {
        self.open_one(r)?;
        if self.plain.len() < 4 {
            return Err(CollabError::Malformed("a frame without its length".into()));
        }
        let total = u32::from_be_bytes([self.plain[0], self.plain[1], self.plain[2], self.plain[3]]) as usize;
        if total > self.max {
            return Err(CollabError::FrameTooLarge { len: total, max: self.max });
        }
        let mut frame = Vec::with_capacity(total);
        frame.extend_from_slice(&self.plain[4..]);
        while frame.len() < total {
            self.open_one(r)?;
            frame.extend_from_slice(&self.plain);
        }
        if frame.len() != total {
            return Err(CollabError::Malformed("a frame longer than its length".into()));
        }
        Ok(frame)
    }
}
