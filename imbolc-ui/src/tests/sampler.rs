//! The sampler driven by keys: `s` adds one from the browser (root key
//! from pitch), `z` opens its zones, `h/l/+/-/]/[` edit a field, `r`
//! estimates the root, `a` adds and `x` removes a zone; `I` imports an SFZ
//! (bad ones are refused with the project unchanged); `n` in any browser
//! makes a new sampler; `A` in the slicer maps slices to keys.

use std::path::{Path, PathBuf};

use imbolc_types::InstrumentId;
use imbolc_types::sampler::SamplerZone;

use super::fixture::{TestApp, demo_app, press, render};
use crate::commands::PaneKind;

fn sine_wav(path: &Path, hz: f64) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..24_000 {
        let t = f64::from(i) / 48_000.0;
        w.write_sample(((std::f64::consts::TAU * hz * t).sin() * 12_000.0) as i16).unwrap();
    }
    w.finalize().unwrap();
}

pub(super) struct Dir(pub(super) PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A folder with `a3.wav` (220 Hz), `e4.wav` (329.63 Hz), a good and a bad
/// SFZ; the sample cache in a temp folder shared by these tests.
pub(super) fn folder(tag: &str) -> Dir {
    let dir = std::env::temp_dir().join(format!("imbolc-ui-sampler-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    super::fixture::temp_cache();
    sine_wav(&dir.join("a3.wav"), 220.0);
    sine_wav(&dir.join("e4.wav"), 329.63);
    std::fs::write(
        dir.join("b_good.sfz"),
        "<group> lovel=1 hivel=63\n<region> sample=a3.wav key=a3\n<region> sample=e4.wav key=e4\n\
         <group> lovel=64\n<region> sample=e4.wav lokey=c5 hikey=c6 pitch_keycenter=e4 fil_type=lpf_2p\n",
    )
    .unwrap();
    std::fs::write(dir.join("a_bad.sfz"), "<region> sample=missing.wav key=60\n").unwrap();
    Dir(dir)
}

fn zones(app: &TestApp, id: InstrumentId) -> Vec<SamplerZone> {
    app.session().project().instruments[&id].def.sampler.as_ref().map(|s| s.zones.clone()).unwrap_or_default()
}

fn screen(app: &TestApp) -> String {
    let b = render(app, 140, 30);
    b.buffer().content().iter().map(ratatui::buffer::Cell::symbol).collect()
}

#[test]
fn add_a_sampler_edit_its_zones_and_undo() {
    let dir = folder("zones");
    let mut app = demo_app();
    app.set_browse_dir(dir.0.clone());
    let before = app.session().project().instruments.len();
    press(&mut app, "1 s Enter");
    assert_eq!(app.session().project().instruments.len(), before + 1);
    let id = app.selected().unwrap();
    let z = zones(&app, id);
    assert_eq!(z.len(), 1);
    assert_eq!((z[0].sample.name.as_str(), z[0].root), ("a3.wav", 57), "root from the pitch of 220 Hz");
    assert!(screen(&app).contains("sampler 1 zone"));

    press(&mut app, "z");
    assert_eq!(app.pane(), PaneKind::Zones);
    assert!(screen(&app).contains("a3.wav"));
    // Field 5 is the root key: + then ] (an octave).
    press(&mut app, "l l l l + ]");
    assert_eq!(zones(&app, id)[0].root, 70);
    press(&mut app, "u");
    assert_eq!(zones(&app, id)[0].root, 58, "one undo step per change");
    press(&mut app, "r");
    assert_eq!(zones(&app, id)[0].root, 57, "{:?}", app.message());
    assert!(app.message().is_some_and(|m| m.text.contains("220")), "{:?}", app.message());
    // Low key: - stays at 0, + moves it.
    press(&mut app, "h h h h - +");
    assert_eq!(zones(&app, id)[0].lo_key, 1);
    // Loop mode (field 8) cycles; tune (field 14) in cents.
    press(&mut app, "l l l l l l l +");
    assert_eq!(zones(&app, id)[0].loop_mode, imbolc_types::sampler::LoopMode::Forward);
    press(&mut app, "l l l l l l ]");
    assert_eq!(zones(&app, id)[0].tune, 100.0);

    // a: a second zone from the browser (audio files only: a3.wav, e4.wav).
    press(&mut app, "a j Enter");
    let z = zones(&app, id);
    assert_eq!(z.len(), 2);
    assert_eq!(z[1].sample.name, "e4.wav");
    assert_eq!(z[1].root, 64);
    press(&mut app, "x");
    assert_eq!(zones(&app, id).len(), 1);
    press(&mut app, "u");
    assert_eq!(zones(&app, id).len(), 2);
    press(&mut app, "Esc");
    assert_eq!(app.pane(), PaneKind::Instruments);
}

#[test]
fn import_an_sfz_and_refuse_a_bad_one() {
    let dir = folder("sfz");
    let mut app = demo_app();
    app.set_browse_dir(dir.0.clone());
    let before = app.session().project().instruments.len();
    // The listing: a3.wav, a_bad.sfz, b_good.sfz, e4.wav.
    press(&mut app, "1 I j Enter");
    let m = app.message().unwrap();
    assert!(m.is_error() && m.text.contains("missing.wav"), "{m:?}");
    assert_eq!(app.session().project().instruments.len(), before, "nothing added");

    press(&mut app, "I j j Enter");
    assert_eq!(app.session().project().instruments.len(), before + 1);
    let id = app.selected().unwrap();
    let z = zones(&app, id);
    assert_eq!(z.len(), 3);
    assert_eq!((z[0].lo_key, z[0].root, z[0].hi_vel), (57, 57, 63));
    assert_eq!((z[2].lo_key, z[2].hi_key, z[2].lo_vel), (72, 84, 64));
    let m = app.message().unwrap();
    assert!(m.text.contains("3 zones") && m.text.contains("fil_type"), "unsupported opcodes named: {m:?}");
}

#[test]
fn n_in_a_pad_browser_makes_a_sampler_and_the_slicer_maps_slices_to_keys() {
    let dir = folder("slices");
    let mut app = demo_app();
    app.set_browse_dir(dir.0.clone());
    press(&mut app, "8 a");
    let kit = app.selected().unwrap();
    let count = app.session().project().instruments.len();
    // The pad browser opens where browsing was last; n on a3.wav.
    press(&mut app, "s n");
    assert_eq!(app.session().project().instruments.len(), count + 1);
    let id = app.selected().unwrap();
    assert_eq!(zones(&app, id)[0].root, 57);

    // A pad with the file, sliced in four, A: a sampler on C3..D#3.
    press(&mut app, "8");
    app.session_mut().dispatch(imbolc_core::drums::sample_pad_action(kit, 0, &dir.0.join("e4.wav")).unwrap()).unwrap();
    app.set_selected(kit);
    press(&mut app, "8 c d A");
    assert_eq!(app.session().project().instruments.len(), count + 2);
    let id = *app.session().project().instruments.keys().last().unwrap();
    let keys: Vec<(u8, u64, u64)> = zones(&app, id).iter().map(|z| (z.lo_key, z.start, z.end)).collect();
    assert_eq!(keys, [(48, 0, 6_000), (49, 6_000, 12_000), (50, 12_000, 18_000), (51, 18_000, 24_000)]);
}
