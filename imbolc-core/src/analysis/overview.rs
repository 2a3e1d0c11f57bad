//! The waveform overview: minimum and maximum per bucket of frames, at a
//! few resolutions (each level halves the one below, like mipmaps), so a
//! view at any zoom or scroll reads at most a screen's worth of buckets
//! from the level just finer than its column width, and never the audio.
//!
//! Memory: level 0 has one bucket per [`BASE_BUCKET`] frames and every level
//! above half as many, so all levels together hold under two buckets per
//! `BASE_BUCKET` frames, 4 bytes each (min and max as `i16`). Channels are
//! folded together (the min of all channels, the max of all). A 10-minute
//! stereo file at 48 kHz has 28.8 M frames, so under 1.8 MB.
//!
//! Limit: zoomed in further than `BASE_BUCKET` frames per column, a bucket
//! spans several columns (the view gets blocky, not wrong).

use std::path::Path;

use super::decode::{AudioInfo, DecodeError, decode_blocks};

/// Frames per bucket at the finest level.
pub const BASE_BUCKET: u64 = 128;
/// Levels stop once a level has at most this many buckets.
const MIN_TOP_BUCKETS: usize = 64;

/// Minimum and maximum of a span of frames, quantised to `i16`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peak {
    pub min: i16,
    pub max: i16,
}

impl Peak {
    const EMPTY: Peak = Peak { min: i16::MAX, max: i16::MIN };

    fn merge(self, other: Peak) -> Peak {
        Peak { min: self.min.min(other.min), max: self.max.max(other.max) }
    }

    fn push(&mut self, v: f32) {
        let q = quantise(v);
        self.min = self.min.min(q);
        self.max = self.max.max(q);
    }

    /// The span as floats in -1..=1 (an empty span is 0..0).
    pub fn range(self) -> (f32, f32) {
        if self.min > self.max {
            return (0.0, 0.0);
        }
        (f32::from(self.min) / 32767.0, f32::from(self.max) / 32767.0)
    }
}

fn quantise(v: f32) -> i16 {
    let v = if v.is_finite() { v.clamp(-1.0, 1.0) } else { 0.0 };
    (v * 32767.0).round() as i16
}

/// The waveform overview of one sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Overview {
    /// Frames in the sample.
    pub frames: u64,
    pub sample_rate: u32,
    pub channels: usize,
    /// `levels[k]` has one peak per `BASE_BUCKET << k` frames.
    levels: Vec<Vec<Peak>>,
}

/// Builds level 0 block by block as frames stream in.
#[derive(Debug)]
struct Builder {
    base: Vec<Peak>,
    current: Peak,
    in_current: u64,
}

impl Builder {
    fn new() -> Self {
        Builder { base: Vec::new(), current: Peak::EMPTY, in_current: 0 }
    }

    fn push_block(&mut self, block: &[f32], channels: usize) {
        for frame in block.chunks_exact(channels.max(1)) {
            for &v in frame {
                self.current.push(v);
            }
            self.in_current += 1;
            if self.in_current == BASE_BUCKET {
                self.base.push(self.current);
                self.current = Peak::EMPTY;
                self.in_current = 0;
            }
        }
    }

    fn finish(mut self, frames: u64, sample_rate: u32, channels: usize) -> Overview {
        if self.in_current > 0 {
            self.base.push(self.current);
        }
        self.base.shrink_to_fit();
        let mut levels = vec![self.base];
        while let Some(last) = levels.last()
            && last.len() > MIN_TOP_BUCKETS
        {
            let next: Vec<Peak> = last.chunks(2).map(|p| p.iter().fold(Peak::EMPTY, |a, b| a.merge(*b))).collect();
            levels.push(next);
        }
        Overview { frames, sample_rate, channels, levels }
    }
}

impl Overview {
    /// Decodes `path` and builds its overview, holding only the peaks.
    ///
    /// # Errors
    /// As [`decode_blocks`].
    pub fn from_file(path: &Path) -> Result<Overview, DecodeError> {
        let mut b = Builder::new();
        let info: AudioInfo = decode_blocks(path, |block, ch| b.push_block(block, ch))?;
        Ok(b.finish(info.frames, info.sample_rate, info.channels))
    }

    /// The overview of mono samples already in memory.
    pub fn from_mono(samples: &[f32], sample_rate: u32) -> Overview {
        let mut b = Builder::new();
        b.push_block(samples, 1);
        b.finish(samples.len() as u64, sample_rate, 1)
    }

    /// Bytes held by the peaks of every level.
    pub fn bytes(&self) -> usize {
        self.levels.iter().map(|l| l.capacity() * std::mem::size_of::<Peak>()).sum()
    }

    /// How many levels there are.
    pub fn level_count(&self) -> usize {
        self.levels.len()
    }

    /// `columns` peaks covering frames `start..end` (each column spans
    /// `(end - start) / columns` frames), read from the coarsest level
    /// whose bucket is no wider than a column. Frames past the end give
    /// empty peaks (drawn as nothing).
    pub fn peaks(&self, start: u64, end: u64, columns: usize) -> Vec<Peak> {
        if columns == 0 || end <= start {
            return Vec::new();
        }
        let span = (end - start) as f64 / columns as f64;
        let mut level = 0;
        while level + 1 < self.levels.len() && ((BASE_BUCKET << (level + 1)) as f64) <= span {
            level += 1;
        }
        let Some(peaks) = self.levels.get(level) else {
            return vec![Peak::EMPTY; columns];
        };
        let bucket = (BASE_BUCKET << level) as f64;
        (0..columns)
            .map(|c| {
                let a = start as f64 + span * c as f64;
                let b = a + span;
                if a >= self.frames as f64 {
                    return Peak::EMPTY;
                }
                let first = (a / bucket).floor() as usize;
                // At least one bucket, even when a column is narrower.
                let last = ((b / bucket).ceil() as usize).max(first + 1).min(peaks.len());
                peaks.get(first..last).map_or(Peak::EMPTY, |s| s.iter().fold(Peak::EMPTY, |x, y| x.merge(*y)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peaks_follow_the_signal_at_every_zoom() {
        // 1 s of silence, then 1 s at ±0.5.
        let sr = 48_000;
        let mut s = vec![0.0f32; sr];
        s.extend((0..sr).map(|i| if i % 2 == 0 { 0.5 } else { -0.5 }));
        let o = Overview::from_mono(&s, sr as u32);
        assert!(o.level_count() > 3);
        for columns in [2, 10, 100, 1000] {
            let p = o.peaks(0, s.len() as u64, columns);
            assert_eq!(p.len(), columns);
            let (lo, hi) = p[columns - 1].range();
            assert!((hi - 0.5).abs() < 1e-3 && (lo + 0.5).abs() < 1e-3, "{columns}: {lo} {hi}");
            // A column reads whole buckets, so it may show up to one
            // bucket past its end.
            if columns >= 10 {
                assert_eq!(p[0].range(), (0.0, 0.0), "{columns}");
            }
        }
        // Past the end is empty.
        let p = o.peaks(s.len() as u64, 2 * s.len() as u64, 4);
        assert!(p.iter().all(|p| p.min > p.max));
    }

    #[test]
    fn memory_is_under_two_buckets_per_base_span() {
        let s = vec![0.1f32; 1_000_000];
        let o = Overview::from_mono(&s, 48_000);
        let base = 1_000_000usize.div_ceil(BASE_BUCKET as usize);
        assert!(o.bytes() <= 2 * base * 4 + 64, "{}", o.bytes());
    }
}
