//! `config.toml`: each setting parsed, each problem named with its key and
//! line (the setting keeps its default, the rest still apply), and a new
//! project takes the defaults.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use imbolc_audio::server::JackMode;
use imbolc_types::Scale;

use super::*;

const FULL: &str = r#"
[project]
tempo = 96
key = "D dorian"

[files]
autosave_seconds = 0

[audio]
device = "dummy"
buffer_size = 128

[midi]
auto_connect = false
"#;

#[test]
fn every_setting_is_read() {
    let (c, problems) = parse(FULL);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(c.tempo, Some(96.0));
    let pitch = c.pitch.clone().expect("key");
    assert_eq!((pitch.key.root, pitch.key.scale), (2, Scale::Dorian));
    assert_eq!(c.autosave, Some(None), "0 turns autosave off");
    assert_eq!(c.device.as_deref(), Some("dummy"));
    assert_eq!(c.buffer_size, Some(128));
    assert_eq!(c.midi_auto_connect, Some(false));
    let server = c.server_config(None);
    assert_eq!((server.jack, server.jack_period), (JackMode::Dummy, 128));
    assert_eq!(c.server_config(Some("studio")).jack, JackMode::Existing("studio".into()), "--jack wins");
    let (c, _) = parse("[files]\nautosave_seconds = 10\n");
    assert_eq!(c.autosave, Some(Some(Duration::from_secs(10))));
}

#[test]
fn an_empty_or_missing_file_gives_the_defaults() {
    assert_eq!(parse(""), (Config::default(), Vec::new()));
    let missing = std::env::temp_dir().join(format!("imbolc-no-config-{}/config.toml", std::process::id()));
    assert_eq!(load_from(&missing), (Config::default(), Vec::new()));
    let c = Config::default();
    assert_eq!(c.new_project("x"), Project::new("x"));
    let server = c.server_config(None);
    assert_eq!((server.jack, server.jack_period), (JackMode::Auto, ServerConfig::default().jack_period));
}

#[test]
fn unknown_keys_and_bad_values_name_the_key_and_line_and_keep_the_default() {
    let text = "[project]\ntempo = 5000\nkey = \"H lydian\"\ntempi = 90\n\n[audio]\nbuffer_size = 100\ndevice = 3\n\
                [midi]\nauto_connect = \"yes\"\n[files]\nautosave_seconds = -1\n[theme]\nname = \"dark\"\n";
    let (c, problems) = parse(text);
    let found: Vec<(&str, Option<usize>)> = problems.iter().map(|p| (p.key.as_str(), p.line)).collect();
    for expected in [
        ("project.tempo", Some(2)),
        ("project.key", Some(3)),
        ("project.tempi", Some(4)),
        ("audio.buffer_size", Some(7)),
        ("audio.device", Some(8)),
        ("midi.auto_connect", Some(10)),
        ("files.autosave_seconds", Some(12)),
        ("theme.name", Some(14)),
    ] {
        assert!(found.contains(&expected), "{expected:?} not in {found:?}");
    }
    assert_eq!(problems.len(), 8, "{problems:?}");
    assert_eq!(c, Config::default(), "every bad setting keeps its default");
    let tempo = problems.iter().find(|p| p.key == "project.tempo").unwrap().to_string();
    assert_eq!(tempo, "config.toml line 2: project.tempo: 5000 is outside 20 to 999 bpm (default kept)");
    let unknown = problems.iter().find(|p| p.key == "project.tempi").unwrap().to_string();
    assert_eq!(unknown, "config.toml line 4: project.tempi: unknown key (default kept)");

    // One bad value does not cost the good ones.
    let (c, problems) = parse("[project]\ntempo = \"fast\"\nkey = \"A minor\"\n");
    assert_eq!(problems.len(), 1);
    assert_eq!(c.tempo, None);
    assert_eq!(c.pitch.map(|p| (p.key.root, p.key.scale)), Some((9, Scale::Minor)));
}

#[test]
fn a_file_that_is_not_toml_says_where_and_gives_the_defaults() {
    let (c, problems) = parse("[project]\ntempo = \n");
    assert_eq!(c, Config::default());
    assert_eq!(problems.len(), 1);
    let text = problems[0].to_string();
    assert!(text.starts_with("config.toml: line 2: not valid TOML"), "{text}");
    assert!(text.ends_with("(defaults used)"), "{text}");
}

#[test]
fn a_new_project_takes_the_configured_tempo_and_key() {
    let (c, _) = parse(FULL);
    let p = c.new_project("song");
    assert_eq!(p.tempo, 96.0);
    assert_eq!((p.pitch.key.root, p.pitch.key.scale), (2, Scale::Dorian));

    // Through `open_with`, as `imbolc new.imbolc` makes it.
    let dir = std::env::temp_dir().join(format!("imbolc-config-open-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("new.imbolc");
    let sink = imbolc_core::session::NullSink;
    let opened = crate::open::open_with(Some(&path), sink, || Ok(imbolc_core::session::NullSink), &c).unwrap();
    assert_eq!(opened.session.project().tempo, 96.0);
    assert_eq!(opened.session.project().pitch.key.scale, Scale::Dorian);
    assert!(!opened.session.is_dirty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_theme_is_read_and_a_bad_one_named() {
    let (c, problems) = parse("theme = \"light\"\n");
    assert_eq!(c.theme, Some(crate::theme::ThemeName::Light));
    assert!(problems.is_empty(), "{problems:?}");
    let (c, problems) = parse("theme = \"sepia\"\n");
    assert_eq!(c.theme, None);
    assert_eq!(problems.len(), 1);
    let text = problems[0].to_string();
    assert!(text.contains("line 1: theme: expected \"dark\""), "{text}");
}
