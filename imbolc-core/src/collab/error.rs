//! Errors of the collaboration transport.

/// Why a connection could not be made or was closed.
#[derive(Debug, thiserror::Error)]
pub enum CollabError {
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
    #[error("encryption: {0}")]
    Noise(String),
    #[error("the join code was refused (wrong code?)")]
    WrongCode,
    #[error("a frame of {len} bytes is over the limit of {max}")]
    FrameTooLarge { len: usize, max: usize },
    #[error("a malformed message: {0}")]
    Malformed(String),
    #[error("could not encode a message: {0}")]
    Encode(String),
    #[error("the host refused the connection: {0}")]
    Refused(String),
    #[error("no answer from the host within {0:?}")]
    Timeout(std::time::Duration),
    #[error("the connection is closed")]
    Closed,
}

impl From<snow::Error> for CollabError {
    fn from(e: snow::Error) -> Self {
        CollabError::Noise(e.to_string())
    }
}
