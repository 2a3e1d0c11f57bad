//! Views of sound: an oscilloscope, a spectrum analyser and a loudness
//! meter of one target (the master, an instrument or an aux bus), fed from
//! scsynth without blocking anyone.
//!
//! ```text
//!  scsynth: imbolc_view_tap (tail of root) ─ BufWr ─► buffer (8 chunks, round)
//!           └ SendReply /imbolc_view <chunk> when a chunk is full
//!  audio thread: /imbolc_view ─► /b_getn of exactly that chunk
//!  monitor thread: /b_setn reply ─► channel ─► analyser thread
//!  analyser thread: scope, FFT (spectrum, peak hold), EBU R128 (ebur128)
//!                   ─► triple buffer ─► UI reads a [`ViewFrame`] each frame
//! ```
//!
//! Only one target is watched at a time, and the tap exists only while a
//! view is open: with no view, nothing runs on the server, and the
//! analyser thread sleeps on its channel. Every frame of the target
//! reaches the analyser (chunks are numbered, so a lost reply is counted
//! in [`ViewFrame::gaps`]), which is what lets the loudness meter be the
//! exact EBU R128 measure rather than an estimate.
//!
//! - [`spectrum`]: the FFT, log-frequency bands and peak hold.
//! - [`analyser`]: the analyser (pure, fed chunks) and its thread.

pub mod analyser;
pub mod spectrum;

use imbolc_types::ChainOwner;

pub use analyser::{Analyser, ViewInput, ViewReader, spawn_analyser};
pub use spectrum::{BANDS, FFT_SIZE, Spectrum, band_range};

/// Frames per chunk: one `/b_getn` each (2048 floats, 8 KB), about 47
/// updates a second at 48 kHz.
pub const CHUNK_FRAMES: u32 = 1024;
/// Chunks in the tap's ring buffer: a reply may come up to seven chunks
/// (150 ms at 48 kHz) late before its frames are overwritten.
pub const CHUNKS: u32 = 8;
/// Samples in the tap's buffer (frames × 2 channels, interleaved).
pub const TAP_SAMPLES: u32 = CHUNK_FRAMES * CHUNKS * 2;
/// Buffers of view taps, below the take recorder's: each open view takes
/// the next, so a late reply for the previous tap is never mistaken for
/// the new one's.
pub const VIEW_BUFFERS: std::ops::Range<u32> = 36..40;
/// The reply the tap sends when a chunk is full.
pub const VIEW_ADDRESS: &str = "/imbolc_view";
/// Frames the oscilloscope shows (43 ms at 48 kHz).
pub const SCOPE_FRAMES: usize = 2048;

/// The loudness of the target since its view opened (or was reset), EBU
/// R128. Values are −inf until there is enough sound to measure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Loudness {
    /// Momentary (400 ms), LUFS.
    pub momentary: f64,
    /// Short-term (3 s), LUFS.
    pub short_term: f64,
    /// Integrated (gated, since the view opened or was reset), LUFS.
    pub integrated: f64,
    /// Highest true peak (4× oversampled) of either channel, dBTP.
    pub true_peak: f64,
}

impl Default for Loudness {
    fn default() -> Self {
        Loudness {
            momentary: f64::NEG_INFINITY,
            short_term: f64::NEG_INFINITY,
            integrated: f64::NEG_INFINITY,
            true_peak: f64::NEG_INFINITY,
        }
    }
}

/// What the views show, published whole about 47 times a second while a
/// view is open. Its size is fixed: [`SCOPE_FRAMES`] frames of scope, one
/// value per FFT bin and per band.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewFrame {
    /// What is watched; `None` while no view is open.
    pub target: Option<ChainOwner>,
    /// The server's sample rate (Hz).
    pub sample_rate: u32,
    /// Chunks analysed since the view opened: it grows with every update.
    pub updates: u64,
    /// Chunks that never arrived (a lost reply); the meters skip them.
    pub gaps: u64,
    /// The last [`SCOPE_FRAMES`] frames, oldest first, left and right.
    pub scope: Vec<[f32; 2]>,
    pub spectrum: Spectrum,
    pub loudness: Loudness,
}

impl Default for ViewFrame {
    fn default() -> Self {
        ViewFrame {
            target: None,
            sample_rate: 48_000,
            updates: 0,
            gaps: 0,
            scope: vec![[0.0; 2]; SCOPE_FRAMES],
            spectrum: Spectrum::default(),
            loudness: Loudness::default(),
        }
    }
}

impl ViewFrame {
    /// The largest sample of the scope (either channel), dBFS (−inf when
    /// silent).
    pub fn scope_peak_dbfs(&self) -> f64 {
        let peak = self.scope.iter().flat_map(|f| f.iter()).fold(0.0f32, |m, s| m.max(s.abs()));
        20.0 * f64::from(peak).log10()
    }

    /// The centre frequency of FFT bin `bin` (Hz).
    pub fn bin_hz(&self, bin: usize) -> f64 {
        bin as f64 * f64::from(self.sample_rate) / FFT_SIZE as f64
    }
}
