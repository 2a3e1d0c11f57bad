use imbolc_types::{Project, TimeSignature};

use super::*;
use crate::demo::demo_project;
use crate::session::NullSink;

const DEMO_SCRIPT: &str = include_str!("../../../tests/fixtures/demo.imbolc-script");

fn session() -> Session<NullSink> {
    Session::new(Project::new("untitled"), NullSink)
}

fn run(text: &str) -> Result<Session<NullSink>, LineError> {
    let mut s = session();
    run_script(&mut s, text, &mut |_| {})?;
    Ok(s)
}

#[test]
fn the_demo_script_builds_the_demo_song() {
    let s = run(DEMO_SCRIPT).expect("the demo script runs");
    assert!(*s.project() == demo_project(), "the script's project differs from demo_project()");
}

#[test]
fn every_example_in_the_table_parses() {
    for spec in SCRIPT_COMMANDS {
        let words = lex::words(spec.example).expect("lexes");
        let parsed = parse::parse(&words, TimeSignature::default());
        assert!(matches!(parsed, Ok(Some(_))), "{}: {parsed:?}", spec.example);
    }
}

#[test]
fn an_error_names_its_line_and_stops() {
    let err = run("instrument add saw --name bass\n\n# c\nnote add nobody C4 1.1 1/8\ntempo 90").expect_err("fails");
    assert_eq!(err.line, 4);
    assert!(err.to_string().starts_with("line 4: no instrument named \"nobody\""), "{err}");
    for bad in [
        "bogus",
        "tempo",
        "tempo fast",
        "tempo 120 130",
        "instrument add nosuchsource",
        "instrument add saw --colour red",
        "note add bass H4 1.1 1/8",
        "note add bass C4 0.1 1/8",
        "note add bass C4 1.1 1/7",
        "note add bass C4 1.1 1/8 0",
        "project name \"open",
        "time 5/5",
        "param set nothing 1",
    ] {
        assert!(run(&format!("instrument add saw --name bass\nclip add bass a 1\n{bad}")).is_err(), "{bad} is refused");
    }
}

#[test]
fn values_read_as_musicians_write_them() {
    let sig = TimeSignature::default();
    assert_eq!(lex::pitch("C4").ok(), Some(60));
    assert_eq!(lex::pitch("Eb2").ok(), Some(39));
    assert_eq!(lex::pitch("C#-1").ok(), Some(1));
    assert_eq!(lex::pitch("127").ok(), Some(127));
    assert!(lex::pitch("G9").is_ok() && lex::pitch("G#9").is_err());
    assert_eq!(lex::position("1.1", sig).ok(), Some(0));
    assert_eq!(lex::position("2.3.10", sig).ok(), Some(1920 + 960 + 10));
    assert_eq!(lex::position("960t", sig).ok(), Some(960));
    assert_eq!(lex::length("1/8-40t", sig).ok(), Some(200));
    assert_eq!(lex::length("2", sig).ok(), Some(3840));
    assert_eq!(lex::length("3beats+1/16", sig).ok(), Some(1440 + 120));
    assert!(lex::length("1/8-1/4", sig).is_err(), "a length is at least a tick");
    for huge in ["4294967295/1", "99999999999", "4294967295beats+4294967295beats"] {
        assert!(lex::length(huge, sig).is_err() || lex::length(huge, sig).is_ok(), "{huge} never panics");
    }
    assert!(lex::pitch("C99999999999").is_err() && lex::position("4294967295.2", sig).is_err());
    let six_eight = TimeSignature { numerator: 6, denominator: 8 };
    assert_eq!(lex::position("2.2", six_eight).ok(), Some(6 * 240 + 240));
    assert_eq!(lex::words("a \"b c\" d # e").ok(), Some(vec!["a".into(), "b c".into(), "d".into()]));
}

#[test]
fn every_edit_is_one_undo_step() {
    let mut s =
        run("instrument add saw --name bass\nfilter set bass low_pass\nparam set bass.cutoff 800").expect("runs");
    let before = s.project().clone();
    run_line(&mut s, "param set bass.level 0.3").expect("sets");
    assert!(*s.project() != before);
    run_line(&mut s, "undo").expect("undoes");
    assert!(*s.project() == before);
}

#[test]
fn a_point_adds_its_lane_in_one_step_and_a_refused_point_adds_none() {
    let mut s = run("instrument add saw --name bass").expect("runs");
    let before = s.project().clone();
    assert!(run_line(&mut s, "point set bass.level 1 1000").is_err(), "out of range");
    assert!(*s.project() == before, "a refused point leaves the project as it was");
    run_line(&mut s, "point set bass.level 2 0.5").expect("sets");
    assert_eq!(s.project().automation.len(), 1);
    run_line(&mut s, "undo").expect("undoes");
    assert!(s.project().automation.is_empty(), "lane and point went in one step");
}

proptest::proptest! {
    /// Any line, of any words, either runs or is refused with the project
    /// as it was: never a panic, never half an edit.
    #[test]
    fn no_line_panics_or_half_applies(words in proptest::collection::vec(proptest::sample::select(VOCAB.to_vec()), 0..8)) {
        let mut s = session();
        run_script(&mut s, SETUP, &mut |_| {}).expect("setup runs");
        let before = s.project().clone();
        let line = words.join(" ");
        if run_line(&mut s, &line).is_err() {
            proptest::prop_assert!(*s.project() == before, "{line:?} failed but changed the project");
        }
    }

    #[test]
    fn no_text_panics(line in "\\PC{0,60}") {
        let mut s = session();
        let _ = run_line(&mut s, &line);
    }
}

const SETUP: &str = "instrument add saw --name bass\nfilter set bass low_pass\nclip add bass riff 1\nkit add drums\n\
                     pattern add drums beat\nbus add verb\neffect add verb reverb";

const VOCAB: &[&str] = &[
    "note",
    "add",
    "set",
    "remove",
    "instrument",
    "effect",
    "param",
    "point",
    "lane",
    "step",
    "pattern",
    "clip",
    "place",
    "send",
    "bus",
    "mute",
    "tempo",
    "time",
    "bass",
    "bass/riff",
    "drums",
    "drums/beat",
    "verb",
    "master",
    "reverb",
    "kick",
    "C4",
    "Eb2",
    "1.1",
    "2.3.10",
    "0",
    "1",
    "-1",
    "1/8",
    "1/0",
    "999999999999",
    "nan",
    "inf",
    "on",
    "off",
    "--name",
    "--swing",
    "--prob",
    "--at",
    "bass.level",
    "bass.cutoff",
    "verb.reverb.mix",
    "\"",
    "#",
    "undo",
    "redo",
    "list",
    "help",
    "1,5,9",
    "low_pass",
    "saw",
];

#[test]
fn saves_are_requested_not_written() {
    let mut s = session();
    let saves = run_script(&mut s, "tempo 100\nsave\ntempo 90\nsave other.imbolc", &mut |_| {}).expect("runs");
    assert_eq!(saves.len(), 2);
    assert_eq!(saves[0].1.tempo, 100.0);
    assert_eq!(saves[1].0.as_deref(), Some(std::path::Path::new("other.imbolc")));
}

#[test]
fn docs_commands_md_is_generated_from_the_table() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/commands.md");
    let want = markdown();
    if std::env::var_os("IMBOLC_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).expect("writes docs/commands.md");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(have == want, "docs/commands.md is stale: IMBOLC_UPDATE_DOCS=1 cargo test -p imbolc-core --lib script");
}

#[test]
fn checkpoints_are_made_listed_restored_and_saved_with_the_project() {
    let mut s = session();
    let mut said = Vec::new();
    let text = "instrument add saw --name bass\nclip add bass riff 1\ncheckpoint \"verse done\"\n\
                note add bass C4 1.1 1/8\nnote add bass D4 1.2 1/8\ncheckpoints\nrestore \"verse done\"\nsave";
    let saves = run_script(&mut s, text, &mut |t| said.push(t.to_owned())).expect("runs");
    assert!(said.iter().any(|t| t.contains("\"verse done\"") && t.contains("since: 2 notes added")), "{said:?}");
    assert_eq!(s.project().clips.values().map(|c| c.notes.len()).sum::<usize>(), 0, "restored");
    assert_eq!(saves[0].2.len(), 1, "the save carries the checkpoint");
    assert_eq!(s.undo_label(), Some("restore checkpoint"));
    let err = run_script(&mut s, "restore chorus", &mut |_| {}).expect_err("unknown");
    assert_eq!(err.to_string(), "line 1: no checkpoint named \"chorus\"");
    let err = run_script(&mut s, "checkpoint \"verse done\"", &mut |_| {}).expect_err("taken");
    assert!(err.to_string().contains("already a checkpoint"), "{err}");
}
