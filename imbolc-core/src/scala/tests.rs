use super::*;

const EDO19: &str = "! 19edo.scl\n!\n19 equal divisions of the octave\n 19\n!\n";

fn edo19() -> String {
    let mut s = EDO19.to_owned();
    for i in 1..=19 {
        s.push_str(&format!(" {:.5}\n", 1200.0 * f64::from(i) / 19.0));
    }
    s
}

#[test]
fn a_scl_reads_cents_and_ratios() {
    let s = parse_scl("ji.scl", "! ji\nJust major third and fifth\n3\n5/4\n701.955 fifth\n2\n").unwrap();
    assert_eq!(s.description, "Just major third and fifth");
    assert_eq!(s.cents.len(), 3);
    assert!((s.cents[0] - 386.3137).abs() < 1e-3);
    assert!((s.cents[1] - 701.955).abs() < 1e-9);
    assert!((s.cents[2] - 1200.0).abs() < 1e-9);
    let s = parse_scl("19edo.scl", &edo19()).unwrap();
    assert_eq!(s.len(), 19);
}

#[test]
fn bad_scl_files_name_the_line() {
    let e = parse_scl("bad.scl", "! c\ndesc\n3\n5/4\nfoo\n2/1\n").unwrap_err();
    assert_eq!(e.to_string(), "bad.scl line 5: `foo` is neither cents (with a `.`) nor a positive ratio");
    let e = parse_scl("bad.scl", "desc\nseven\n").unwrap_err();
    assert!(e.to_string().starts_with("bad.scl line 2:"), "{e}");
    let e = parse_scl("bad.scl", "desc\n3\n5/4\n3/2\n").unwrap_err();
    assert_eq!(e.to_string(), "bad.scl line 4: 3 degrees announced, 2 found");
    let e = parse_scl("bad.scl", "desc\n2\n0/4\n2/1\n").unwrap_err();
    assert!(e.to_string().starts_with("bad.scl line 3:"), "{e}");
    assert!(parse_scl("bad.scl", "").unwrap_err().to_string().starts_with("bad.scl line 1:"));
}

#[test]
fn a_kbm_reads_and_bad_ones_name_the_line() {
    let text = "! map\n12\n0\n127\n60\n62\n300.0\n12\n0\nx\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n";
    let m = parse_kbm("d.kbm", text).unwrap();
    assert_eq!((m.size, m.middle_key, m.reference_key, m.octave_degree), (12, 60, 62, 12));
    assert_eq!(m.reference_freq, 300.0);
    assert_eq!(m.mapping.len(), 12);
    assert_eq!(m.mapping[1], None);
    assert_eq!(m.mapping[2], Some(2));
    let e = parse_kbm("d.kbm", "12\n0\n127\n60\n69\nloud\n12\n").unwrap_err();
    assert_eq!(e.to_string(), "d.kbm line 6: `loud` is not a frequency in Hz");
    let e = parse_kbm("d.kbm", "12\n0\n200\n").unwrap_err();
    assert!(e.to_string().starts_with("d.kbm line 3:"), "{e}");
    let e = parse_kbm("d.kbm", "1\n0\n127\n60\n69\n440\n1\nq\n").unwrap_err();
    assert_eq!(e.to_string(), "d.kbm line 8: `q` is neither a degree nor `x`");
}

#[test]
fn files_load_into_a_stored_tuning() {
    let dir = std::env::temp_dir().join(format!("imbolc-scala-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scl = dir.join("19edo.scl");
    std::fs::write(&scl, edo19()).unwrap();
    let t = load(&scl, None).unwrap();
    assert_eq!(t.name, "19edo.scl");
    assert_eq!(t.scale.len(), 19);
    assert!(t.map.is_none());
    let missing = load(&dir.join("nope.scl"), None).unwrap_err();
    assert!(matches!(missing, ScalaError::Read { .. }));
    let _ = std::fs::remove_dir_all(&dir);
}
