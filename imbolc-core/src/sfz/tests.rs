// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

#[test]
fn keys_are_numbers_or_names() {
    assert_eq!(parse_key("60", 0), Some(60));
    assert_eq!(parse_key("c4", 0), Some(60));
    assert_eq!(parse_key("C#4", 0), Some(61));
    assert_eq!(parse_key("eb2", 0), Some(39));
    assert_eq!(parse_key("c-1", 0), Some(0));
    assert_eq!(parse_key("g9", 0), Some(127));
    assert_eq!(parse_key("a9", 0), None);
    assert_eq!(parse_key("h4", 0), None);
    assert_eq!(parse_key("128", 0), None);
    assert_eq!(parse_key("60", 12), Some(72));
}

#[test]
fn groups_and_globals_give_defaults_and_regions_override() {
    let text = "// a piano\n<control> default_path=samples\\\n<global> volume=-6 ampeg_release=0.5\n\
        <group> lovel=1 hivel=63 /* soft */\n<region> sample=c 4 soft.wav key=c4\n\
        <region> sample=e4.wav lokey=62 hikey=65 pitch_keycenter=e4 tune=-10 loop_mode=loop_continuous loop_start=10 loop_end=99\n\
        <group> lovel=64\n<region> sample=c4 loud.wav key=60 volume=0 xfin_lovel=3 amp_veltrack=50\n<curve> v000=0\n";
    let f = parse(text, Path::new("/kit")).unwrap();
    assert_eq!(f.regions.len(), 3);
    let r = &f.regions[0];
    assert_eq!(r.sample, Path::new("/kit/samples/c 4 soft.wav"));
    assert_eq!((r.lo_key, r.hi_key, r.root, r.lo_vel, r.hi_vel), (60, 60, 60, 1, 63));
    assert_eq!(r.volume, -6.0);
    assert_eq!(r.ampeg.release, 0.5);
    let r = &f.regions[1];
    assert_eq!((r.lo_key, r.hi_key, r.root), (62, 65, 64));
    assert_eq!((r.loop_start, r.loop_end, r.tune), (Some(10), Some(99), -10.0));
    let r = &f.regions[2];
    assert_eq!((r.lo_vel, r.hi_vel, r.volume), (64, 127, 0.0));
    let names: Vec<&str> = f.unsupported.iter().map(String::as_str).collect();
    assert_eq!(names, ["<curve>", "amp_veltrack", "xfin_lovel"]);
}

#[test]
fn garbage_is_an_error_naming_the_line() {
    let dir = Path::new("/x");
    let cases = [
        ("<region> sample=a.wav\nthis is not sfz\n", 2),
        ("<region> sample=a.wav lokey=banana\n", 1),
        ("<region> sample=a.wav\n<region> lovel=300 sample=b.wav\n", 2),
        ("<region lokey=1\n", 1),
        ("<region> sample=a.wav loop_mode=sometimes\n", 1),
        ("<region> sample=a.wav tune=NaN\n", 1),
        ("\n\n<region> lokey=1\n", 3),
    ];
    for (text, line) in cases {
        let e = parse(text, dir).unwrap_err();
        assert!(e.to_string().starts_with(&format!("line {line}")), "{text:?}: {e}");
    }
    assert!(matches!(parse("", dir), Err(SfzError::NoRegions)));
    assert!(matches!(parse("<group> key=1", dir), Err(SfzError::NoRegions)));
    assert!(parse("\u{0}\u{1}\u{fffd}garbage=", dir).is_err());
}

#[test]
fn a_missing_sample_or_file_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("imbolc-sfz-unit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    crate::test_cache();
    let sfz = dir.join("missing.sfz");
    std::fs::write(&sfz, "<region> sample=nowhere.wav key=60\n").unwrap();
    let e = import(&sfz).unwrap_err();
    assert!(matches!(e, SfzError::Sample { line: 1, .. }), "{e}");
    assert!(e.to_string().contains("nowhere.wav"), "{e}");
    assert!(matches!(import(&dir.join("absent.sfz")), Err(SfzError::Unreadable { .. })));
    let _ = std::fs::remove_dir_all(&dir);
}
