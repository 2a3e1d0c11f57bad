use super::*;

fn cents(a: f32, b: f32) -> f64 {
    1200.0 * (f64::from(a) / f64::from(b)).log2()
}

fn edo(n: u32) -> ScalaTuning {
    let cents = (1..=n).map(|i| 1200.0 * f64::from(i) / f64::from(n)).collect();
    ScalaTuning { name: format!("{n}edo.scl"), scale: ScalaScale { description: String::new(), cents }, map: None }
}

#[test]
fn equal_temperament_follows_a4() {
    let p = PitchSettings::default();
    assert!((p.freq(69).unwrap() - 440.0).abs() < 1e-3);
    assert!((p.freq(60).unwrap() - 261.6256).abs() < 1e-2);
    let p = PitchSettings { a4: 432.0, ..PitchSettings::default() };
    assert!((p.freq(69).unwrap() - 432.0).abs() < 1e-3);
    assert!((p.freq(81).unwrap() - 864.0).abs() < 1e-2);
}

#[test]
fn five_limit_in_c_gives_a_pure_third_on_e() {
    let p = PitchSettings { tuning: TuningSystem::Just5, ..PitchSettings::default() };
    let c4 = p.freq(60).unwrap();
    let e4 = p.freq(64).unwrap();
    assert!((c4 - 261.63).abs() < 0.01, "{c4}");
    assert!((e4 - 327.03).abs() < 0.01, "{e4}");
    assert!(cents(p.freq(67).unwrap(), c4) - 701.955 < 0.01);
    assert!((p.freq(72).unwrap() / c4 - 2.0).abs() < 1e-5);
    // In D the ratios sit on D.
    let d = PitchSettings { key: Key::new(2, Scale::Major), ..p };
    let ratio = d.freq(66).unwrap() / d.freq(62).unwrap();
    assert!((ratio - 1.25).abs() < 1e-5, "{ratio}");
    assert!((d.freq(62).unwrap() - PitchSettings::default().freq(62).unwrap()).abs() < 1e-3);
}

#[test]
fn seven_limit_and_pythagorean_ratios() {
    let p = PitchSettings { tuning: TuningSystem::Just7, ..PitchSettings::default() };
    assert!((p.freq(70).unwrap() / p.freq(60).unwrap() - 1.75).abs() < 1e-5);
    let p = PitchSettings { tuning: TuningSystem::Pythagorean, ..PitchSettings::default() };
    assert!((p.freq(64).unwrap() / p.freq(60).unwrap() - 81.0 / 64.0).abs() < 1e-5);
}

#[test]
fn a_nineteen_tone_scale_plays_nineteen_distinct_pitches_per_octave() {
    let p = PitchSettings { tuning: TuningSystem::Scala(Box::new(edo(19))), ..PitchSettings::default() };
    let hz: Vec<f32> = (60..=79).map(|k| p.freq(k).unwrap()).collect();
    assert!(hz.windows(2).all(|w| w[1] > w[0]));
    assert!((hz[19] / hz[0] - 2.0).abs() < 1e-4, "key 79 is the octave");
    for w in hz.windows(2) {
        assert!((cents(w[1], w[0]) - 1200.0 / 19.0).abs() < 0.01);
    }
    assert!((hz[0] - 261.6256).abs() < 0.01, "degree 0 on C4 at 12-TET");
}

#[test]
fn a_keyboard_map_moves_the_reference_key_and_silences_x_keys() {
    let mut t = edo(12);
    t.map = Some(KeyboardMap {
        size: 12,
        first_key: 0,
        last_key: 127,
        middle_key: 60,
        reference_key: 62,
        reference_freq: 300.0,
        octave_degree: 12,
        mapping: (0..12).map(|d| (d != 1).then_some(d)).collect(),
    });
    let p = PitchSettings { tuning: TuningSystem::Scala(Box::new(t)), ..PitchSettings::default() };
    assert!((p.freq(62).unwrap() - 300.0).abs() < 1e-3);
    assert!((p.freq(74).unwrap() - 600.0).abs() < 1e-2);
    assert!((cents(p.freq(64).unwrap(), 300.0) - 200.0).abs() < 0.01);
    assert_eq!(p.freq(61), None);
    assert_eq!(p.freq(73), None);
}
