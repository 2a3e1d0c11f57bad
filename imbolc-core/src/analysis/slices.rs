//! Slice markers over a sample: the frames where slices start, kept sorted
//! and unique, with equal division and onsets as ways to fill them.
//! Slice `n` runs from marker `n` to marker `n + 1` (the last one to the
//! end of the sample).

/// Equal divisions offered by the slicing pane.
pub const DIVISIONS: [u32; 4] = [4, 8, 16, 32];

/// Slice start frames of a sample of `frames` frames. Invariant: sorted,
/// unique, every marker below `frames`, and the first is 0 when not empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Slices {
    frames: u64,
    markers: Vec<u64>,
}

impl Slices {
    /// No slices yet (one slice: the whole sample).
    pub fn new(frames: u64) -> Self {
        Slices { frames, markers: if frames > 0 { vec![0] } else { Vec::new() } }
    }

    /// `count` slices of equal length (the last takes the remainder).
    pub fn equal(frames: u64, count: u32) -> Self {
        let count = u64::from(count.max(1));
        Slices::from_markers(frames, (0..count).map(|k| k * frames / count).collect())
    }

    /// Slices starting at 0 and at each of `onsets`.
    pub fn from_markers(frames: u64, mut markers: Vec<u64>) -> Self {
        markers.retain(|m| *m < frames);
        if frames > 0 {
            markers.push(0);
        }
        markers.sort_unstable();
        markers.dedup();
        Slices { frames, markers }
    }

    /// The sample's length in frames.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Start frames of the slices.
    pub fn markers(&self) -> &[u64] {
        &self.markers
    }

    /// `(start, end)` in frames of every slice.
    pub fn regions(&self) -> Vec<(u64, u64)> {
        self.markers
            .iter()
            .enumerate()
            .map(|(i, &s)| (s, self.markers.get(i + 1).copied().unwrap_or(self.frames)))
            .collect()
    }

    /// Adds a marker at `frame`; false if one is there or it is out of range.
    pub fn add(&mut self, frame: u64) -> bool {
        if frame >= self.frames {
            return false;
        }
        match self.markers.binary_search(&frame) {
            Ok(_) => false,
            Err(i) => {
                self.markers.insert(i, frame);
                true
            }
        }
    }

    /// Removes marker `index` (the marker at 0 stays).
    pub fn remove(&mut self, index: usize) -> bool {
        if index == 0 || index >= self.markers.len() {
            return false;
        }
        self.markers.remove(index);
        true
    }

    /// Moves marker `index` to `frame`, kept strictly between its
    /// neighbours (the marker at 0 does not move). Returns where it went.
    pub fn move_to(&mut self, index: usize, frame: u64) -> Option<u64> {
        if index == 0 || index >= self.markers.len() {
            return None;
        }
        let lo = self.markers[index - 1] + 1;
        let hi = self.markers.get(index + 1).copied().unwrap_or(self.frames).saturating_sub(1);
        if lo > hi {
            return None;
        }
        let at = frame.clamp(lo, hi);
        self.markers[index] = at;
        Some(at)
    }

    /// The marker nearest to `frame`.
    pub fn nearest(&self, frame: u64) -> Option<usize> {
        (0..self.markers.len()).min_by_key(|&i| self.markers[i].abs_diff(frame))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_division_covers_the_sample() {
        for n in DIVISIONS {
            let s = Slices::equal(1001, n);
            let r = s.regions();
            assert_eq!(r.len(), n as usize);
            assert_eq!(r[0].0, 0);
            assert_eq!(r.last().map(|x| x.1), Some(1001));
            assert!(r.windows(2).all(|w| w[0].1 == w[1].0));
        }
    }

    #[test]
    fn markers_stay_sorted_and_in_range() {
        let mut s = Slices::from_markers(100, vec![50, 20, 20, 300]);
        assert_eq!(s.markers(), &[0, 20, 50]);
        assert!(s.add(70) && !s.add(70) && !s.add(100));
        assert_eq!(s.move_to(1, 90), Some(49));
        assert_eq!(s.move_to(0, 5), None);
        assert!(!s.remove(0) && s.remove(1));
        assert_eq!(s.markers(), &[0, 50, 70]);
        assert_eq!(s.nearest(66), Some(2));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Add(u64),
        Remove(usize),
        Move(usize, u64),
        Divide(u32),
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            (0u64..1200).prop_map(Op::Add),
            (0usize..40).prop_map(Op::Remove),
            ((0usize..40), (0u64..1200)).prop_map(|(i, f)| Op::Move(i, f)),
            prop::sample::select(DIVISIONS.to_vec()).prop_map(Op::Divide),
        ]
    }

    proptest::proptest! {
        /// Whatever the edits, markers stay sorted, unique, in range, with
        /// the first at 0, and the regions tile the sample.
        #[test]
        fn edits_keep_the_invariants(frames in 1u64..1000, ops in proptest::collection::vec(op(), 0..40)) {
            let mut s = Slices::new(frames);
            for op in ops {
                match op {
                    Op::Add(f) => { s.add(f); }
                    Op::Remove(i) => { s.remove(i); }
                    Op::Move(i, f) => { s.move_to(i, f); }
                    Op::Divide(n) => s = Slices::equal(frames, n),
                }
                let m = s.markers();
                proptest::prop_assert_eq!(m.first(), Some(&0));
                proptest::prop_assert!(m.windows(2).all(|w| w[0] < w[1]) && m.iter().all(|x| *x < frames));
                let r = s.regions();
                proptest::prop_assert_eq!(r.last().map(|x| x.1), Some(frames));
                proptest::prop_assert!(r.windows(2).all(|w| w[0].1 == w[1].0 && w[0].0 < w[0].1));
            }
        }
    }
}
