//! Audio clips in project files: the clip's audio is stored in the file,
//! so the project opens and plays on a machine without the original file
//! or the sample cache; a clip with a hostile region is repaired on open.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] fns

mod common;

use common::temp_dir;
use imbolc_audio::sample_cache;
use imbolc_core::audio_track::audio_clip_action;
use imbolc_core::{dispatch, persist};
use imbolc_types::{Action, InstrumentId, Project};

#[test]
fn an_audio_clip_survives_losing_its_file_and_the_cache() {
    // The process-wide cache of the shared test samples is reused.
    let _ = common::test_samples();
    let dir = temp_dir("audio-clip-file");
    let file = dir.join("take.wav");
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 44_100,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&file, spec).unwrap();
    for i in 0..44_100i32 {
        w.write_sample(((i % 200) - 100) as i16 * 100).unwrap();
        w.write_sample(((i % 150) - 75) as i16 * 100).unwrap();
    }
    w.finalize().unwrap();

    let mut p = Project::new("takes");
    dispatch(&mut p, Action::AddAudioTrack { name: "vox".into() }).unwrap();
    let action = audio_clip_action(&p, InstrumentId(0), &file, 1920).unwrap();
    let Action::AddAudioClip { ref region, length, .. } = action else { panic!("{action:?}") };
    assert_eq!(length, 960, "1 s at 120 bpm");
    assert_eq!((region.sample.channels, region.sample.sample_rate), (2, 44_100));
    dispatch(&mut p, action.clone()).unwrap();

    let path = dir.join("takes.imbolc");
    persist::save(&path, &p).unwrap();
    let sample = p.clips.values().next().unwrap().audio.clone().unwrap().sample;
    let original = std::fs::read(sample_cache::path_of(&sample)).unwrap();
    std::fs::remove_file(&file).unwrap();
    std::fs::remove_file(sample_cache::path_of(&sample)).unwrap();

    let loaded = persist::load(&path).unwrap();
    assert_eq!(loaded.project, p);
    assert_eq!(std::fs::read(sample_cache::path_of(&sample)).unwrap(), original, "rematerialised from the file");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_hostile_audio_region_is_repaired_on_open() {
    let samples = common::test_samples();
    let dir = temp_dir("audio-clip-repair");
    let mut p = Project::new("bad");
    dispatch(&mut p, Action::AddAudioTrack { name: String::new() }).unwrap();
    let region = Box::new(imbolc_types::AudioRegion::new(samples[0].clone()));
    dispatch(&mut p, Action::AddAudioClip { instrument: InstrumentId(0), region, start: 0, length: 100 }).unwrap();
    for c in p.clips.values_mut() {
        let r = c.audio.as_mut().unwrap();
        (r.gain_db, r.fade_in, r.offset) = (f32::NAN, 1e9, -3.0);
    }
    let path = dir.join("bad.imbolc");
    persist::save(&path, &p).unwrap();
    let loaded = persist::load(&path).unwrap();
    assert!(!loaded.repairs.is_empty());
    let r = loaded.project.clips.values().next().unwrap().audio.clone().unwrap();
    assert!(r.is_valid(), "{r:?}");
    assert_eq!((r.gain_db, r.offset), (0.0, 0.0));
    std::fs::remove_dir_all(&dir).unwrap();
}
