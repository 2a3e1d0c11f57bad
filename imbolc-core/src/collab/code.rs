//! Join codes: 20 random bytes shown as 32 base32 letters in groups of
//! four. The Noise pre-shared key is derived from the code with
//! HKDF-SHA256 (the code is random, not a password, so no stretching is
//! needed).

use hkdf::Hkdf;
use sha2::Sha256;

use super::CollabError;

const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A secret join code.
#[derive(Clone, PartialEq, Eq)]
pub struct JoinCode(String);

impl std::fmt::Debug for JoinCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JoinCode(..)")
    }
}

impl std::fmt::Display for JoinCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl JoinCode {
    /// A new random code.
    ///
    /// # Errors
    ///
    /// When the system has no random source.
    pub fn random() -> Result<JoinCode, CollabError> {
        let mut bytes = [0u8; 20];
        getrandom::fill(&mut bytes).map_err(|e| CollabError::Noise(e.to_string()))?;
        let mut out = String::new();
        let mut acc: u32 = 0;
        let mut bits = 0;
        for b in bytes {
            acc = (acc << 8) | u32::from(b);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                let i = ((acc >> bits) & 31) as usize;
                if out.len() % 5 == 4 {
                    out.push('-');
                }
                out.push(char::from(ALPHABET[i]));
            }
        }
        Ok(JoinCode(out))
    }

    /// A code as the user typed it (case and dashes do not matter).
    pub fn parse(text: &str) -> JoinCode {
        JoinCode(text.trim().to_string())
    }

    /// The code without dashes or spaces, upper case: what the key is
    /// derived from.
    fn canonical(&self) -> String {
        self.0.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
    }

    /// The Noise pre-shared key.
    pub(crate) fn psk(&self) -> [u8; 32] {
        let hk = Hkdf::<Sha256>::new(Some(b"imbolc collab v1"), self.canonical().as_bytes());
        let mut key = [0u8; 32];
        // 32 bytes is far below HKDF-SHA256's limit of 8160; cannot fail.
        if hk.expand(b"noise psk", &mut key).is_err() {
            tracing::error!("HKDF refused a 32-byte key");
        }
        key
    }
}
