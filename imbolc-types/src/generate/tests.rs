//! Property tests of the three algorithms.

use proptest::prelude::*;

use super::*;
use crate::tuning::{Key, Scale};

fn gen_with(algorithm: Algorithm, seed: u64) -> Generator {
    Generator { seed, ..Generator::new(algorithm, Key::new(2, Scale::Dorian)) }
}

fn euclid(pulses: u8, steps: u8, rotation: u8) -> Euclid {
    Euclid { pulses, steps, rotation, pitch: EuclidPitch::Fixed }
}

proptest! {
    #[test]
    fn euclid_pulses_are_evenly_spread((steps, pulses) in (1u8..=64).prop_flat_map(|n| (Just(n), 1..=n))) {
        let p = euclid(pulses, steps, 0).pattern();
        prop_assert_eq!(p.len(), usize::from(steps));
        let onsets: Vec<usize> = p.iter().enumerate().filter(|(_, on)| **on).map(|(i, _)| i).collect();
        prop_assert_eq!(onsets.len(), usize::from(pulses));
        // Gaps between onsets, the last one wrapping around the bar.
        let n = usize::from(steps);
        let gaps: Vec<usize> = (0..onsets.len()).map(|i| (onsets[(i + 1) % onsets.len()] + n - onsets[i]) % n).map(|g| if g == 0 { n } else { g }).collect();
        let (lo, hi) = (gaps.iter().min().copied().unwrap_or(0), gaps.iter().max().copied().unwrap_or(0));
        prop_assert!(hi - lo <= 1, "gaps {:?}", gaps);
    }

    #[test]
    fn euclid_rotation_rotates((steps, pulses, rotation) in (1u8..=64).prop_flat_map(|n| (Just(n), 0..=n, 0..n))) {
        let base = euclid(pulses, steps, 0).pattern();
        let rotated = euclid(pulses, steps, rotation).pattern();
        let mut expected = base.clone();
        expected.rotate_left(usize::from(rotation));
        prop_assert_eq!(rotated, expected);
    }

    #[test]
    fn euclid_pitches_stay_in_the_key(seed in any::<u64>(), walk in any::<bool>()) {
        let pitch = if walk { EuclidPitch::Walk } else { EuclidPitch::Random };
        let g = gen_with(Algorithm::Euclid(Euclid { pitch, ..Euclid::default() }), seed);
        let (_, notes) = g.render();
        prop_assert_eq!(notes.len(), 5);
        prop_assert!(notes.iter().all(|n| g.key.contains(n.pitch)));
    }

    #[test]
    fn markov_never_takes_a_zero_weight(
        cells in proptest::collection::vec(prop_oneof![3 => Just(0u8), 1 => 1u8..5], 144),
        rest in 0u8..=60,
        seed in any::<u64>(),
    ) {
        let mut table = [[0u8; 12]; 12];
        for (i, w) in cells.iter().enumerate() {
            table[i / 12][i % 12] = *w;
        }
        let m = Markov { table, rest, lengths: vec![1, 2], steps: 64 };
        let g = gen_with(Algorithm::Markov(m.clone()), seed);
        prop_assert!(g.check().is_ok());
        let pcs = m.pitch_classes(&g);
        if let Some(first) = pcs.first() {
            prop_assert_eq!(*first, g.key.root);
        }
        for w in pcs.windows(2) {
            prop_assert!(table[usize::from(w[0])][usize::from(w[1])] > 0, "{} -> {}", w[0], w[1]);
        }
    }

    #[test]
    fn lsystem_iterations_bound_the_output(
        axiom in "[AB+.-]{1,6}",
        a in "[AB+.\\[\\]-]{0,6}",
        b in "[AB+.-]{0,6}",
        iterations in 0u8..=MAX_ITERATIONS_T,
    ) {
        let l = LSystem { axiom: axiom.clone(), rules: vec![('A', a.clone()), ('B', b.clone())], iterations };
        prop_assert!(l.check().is_ok());
        let growth = a.len().max(b.len()).max(1);
        let bound = (0..iterations).fold(axiom.len(), |n, _| n.saturating_mul(growth)).min(lsystem::MAX_SYMBOLS);
        let s = l.expand();
        prop_assert!(s.len() <= bound, "{} > {}", s.len(), bound);
        let g = gen_with(Algorithm::LSystem(l), 1);
        let (len, notes) = g.render();
        prop_assert!(notes.len() <= bound);
        prop_assert!(len <= MAX_STEPS * g.step);
    }

    #[test]
    fn the_same_seed_gives_the_same_notes(seed in any::<u64>(), which in 0usize..3) {
        let algorithm = match which {
            0 => Algorithm::Euclid(Euclid { pitch: EuclidPitch::Random, ..Euclid::default() }),
            1 => Algorithm::Markov(Markov::in_key(Key::new(2, Scale::Dorian))),
            _ => Algorithm::LSystem(LSystem::default()),
        };
        let g = gen_with(algorithm, seed);
        prop_assert_eq!(g.render(), g.clone().render());
        prop_assert!(g.render().1.iter().all(crate::notes::Note::is_valid));
    }
}

const MAX_ITERATIONS_T: u8 = lsystem::MAX_ITERATIONS;

#[test]
fn a_runaway_lsystem_is_cut() {
    let l = LSystem { axiom: "A".into(), rules: vec![('A', "A".repeat(64))], iterations: 8 };
    assert_eq!(l.expand().len(), lsystem::MAX_SYMBOLS);
    let g = gen_with(Algorithm::LSystem(l), 1);
    let (len, notes) = g.render();
    assert_eq!(notes.len(), MAX_STEPS as usize);
    assert_eq!(len, MAX_STEPS * g.step);
    let too_many = LSystem { iterations: 9, ..LSystem::default() };
    assert!(gen_with(Algorithm::LSystem(too_many), 1).check().is_err());
}

#[test]
fn tresillo_and_the_markov_default_in_key() {
    let p = euclid(3, 8, 0).pattern();
    assert_eq!(p, [true, false, false, true, false, false, true, false]);
    let g = gen_with(Algorithm::Markov(Markov::in_key(Key::new(2, Scale::Dorian))), 7);
    let (len, notes) = g.render();
    assert_eq!(len, 16 * 120);
    assert!(!notes.is_empty());
    assert!(notes.iter().all(|n| g.key.contains(n.pitch)));
    assert_eq!(notes[0].pitch % 12, 2, "starts on the root");
}
