//! The server life cycle against a real scsynth on a private JACK server.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use imbolc_audio::server::{ServerConfig, ServerError, ServerEvent};
use imbolc_audio::synthdefs;
use imbolc_tests::{ScServer, process_alive, test_config};
use imbolc_types::catalog::SourceKind;
use rosc::{OscBundle, OscMessage, OscPacket, OscTime, OscType};

const WAIT: Duration = Duration::from_secs(5);

#[test]
fn boots_loads_every_synthdef_and_plays_each_voice() {
    let sc = ScServer::start();
    let stats = sc.server.boot_stats();
    assert_eq!(stats.synthdefs as usize, synthdefs::ALL.len(), "every committed SynthDef is loaded");
    assert_eq!(stats.nominal_sample_rate, 48_000.0, "the configured sample rate reaches scsynth");

    sc.send("/g_new", vec![OscType::Int(1), OscType::Int(0), OscType::Int(0)]);
    let voices = SourceKind::ALL.iter().map(|k| k.synthdef()).chain(synthdefs::DRUM_VOICES.iter().copied());
    for (i, def) in voices.chain([synthdefs::SAMPLER, synthdefs::STRETCH]).enumerate() {
        let node = 1000 + i as i32;
        // Paused in the same bundle: drums and the sampler free themselves
        // within milliseconds, and the test wants to look at each one.
        let message = |addr: &str, args| OscPacket::Message(OscMessage { addr: addr.into(), args });
        let new = vec![
            OscType::String(def.into()),
            OscType::Int(node),
            OscType::Int(0),
            OscType::Int(1),
            OscType::String("amp".into()),
            OscType::Float(0.25),
        ];
        let pause = vec![OscType::Int(node), OscType::Int(0)];
        let bundle = OscBundle {
            timetag: OscTime { seconds: 0, fractional: 1 },
            content: vec![message("/s_new", new), message("/n_run", pause)],
        };
        sc.sender().send(&OscPacket::Bundle(bundle)).unwrap();
        sc.wait_for(WAIT, |m| m.addr == "/n_go" && m.args.first() == Some(&OscType::Int(node)))
            .unwrap_or_else(|| panic!("no /n_go for {def}"));
        let tree = sc.query_tree();
        let found = tree.find(node).unwrap_or_else(|| panic!("{def} is not in /g_queryTree"));
        assert_eq!(found.def.as_deref(), Some(def));
        assert!(found.controls.contains(&("amp".to_owned(), 0.25)), "{def} got its control");

        sc.send("/n_free", vec![OscType::Int(node)]);
        sc.wait_for(WAIT, |m| m.addr == "/n_end" && m.args.first() == Some(&OscType::Int(node)))
            .unwrap_or_else(|| panic!("no /n_end for {def}"));
    }
    assert!(sc.wait_for(Duration::from_millis(300), |m| m.addr == "/fail").is_none(), "the server reported a failure");
}

#[test]
fn a_killed_scsynth_is_reported_lost_within_two_seconds() {
    let sc = ScServer::start();
    // A status report proves the health ping runs before the kill.
    let first = sc.events.recv_timeout(WAIT).expect("no event from the monitor");
    assert!(matches!(first, ServerEvent::Status(_) | ServerEvent::Message(_)));

    let pid = sc.server.scsynth_pid().expect("scsynth pid");
    let status = Command::new("kill").args(["-KILL", &pid.to_string()]).status().unwrap();
    assert!(status.success());
    let killed_at = Instant::now();
    let deadline = killed_at + Duration::from_secs(2);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match sc.events.recv_timeout(left) {
            Ok(ServerEvent::Lost(reason)) => {
                assert!(!reason.is_empty());
                break;
            }
            Ok(_) => {}
            Err(_) => panic!("scsynth was killed but not reported lost within 2 s"),
        }
    }
}

#[test]
fn servers_die_with_a_killed_parent() {
    let mut holder = Command::new(env!("CARGO_BIN_EXE_server-holder"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(holder.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let pid = |key: &str| -> u32 {
        let field = line.split_whitespace().find_map(|f| f.strip_prefix(key)).unwrap_or_else(|| panic!("{line}"));
        field.parse().unwrap()
    };
    let (scsynth, jackd) = (pid("scsynth="), pid("jackd="));
    assert!(process_alive(scsynth) && process_alive(jackd));

    holder.kill().unwrap(); // SIGKILL: no destructor runs in the holder.
    holder.wait().unwrap();
    // jackd stops its clients before it exits, which can take a few seconds.
    let deadline = Instant::now() + Duration::from_secs(15);
    while (process_alive(scsynth) || process_alive(jackd)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!process_alive(scsynth), "scsynth outlived its killed parent");
    assert!(!process_alive(jackd), "jackd outlived its killed parent");
}

#[test]
fn shutdown_leaves_no_process() {
    let sc = ScServer::start();
    let scsynth = sc.server.scsynth_pid().unwrap();
    let jackd = sc.server.jack().and_then(|j| j.pid()).unwrap();
    drop(sc);
    assert!(!process_alive(scsynth), "scsynth still running after shutdown");
    assert!(!process_alive(jackd), "jackd still running after shutdown");
}

#[test]
fn a_missing_scsynth_names_what_to_do() {
    let config = ServerConfig { scsynth: Some("/nonexistent/scsynth".into()), ..test_config() };
    let err = imbolc_audio::server::Server::start(&config, Box::new(|_| {})).unwrap_err();
    assert!(matches!(err, ServerError::Spawn { program: "scsynth", .. }), "{err}");
    let err = imbolc_audio::server::process::find_program("imbolc-no-such-program", "some-package").unwrap_err();
    assert!(err.to_string().contains("apt-get install some-package"), "{err}");
}

#[test]
fn parallel_servers_do_not_interfere() {
    // Each server lives on the thread that started it: its children are tied
    // to that thread's life (PR_SET_PDEATHSIG).
    let ports: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..3)
            .map(|i| {
                s.spawn(move || {
                    let sc = ScServer::start();
                    let group = 500 + i;
                    sc.send("/g_new", vec![OscType::Int(group), OscType::Int(0), OscType::Int(0)]);
                    let tree = sc.query_tree();
                    let ids: Vec<i32> = tree.walk().iter().map(|n| n.id).filter(|&id| id >= 500).collect();
                    assert_eq!(ids, vec![group], "server {i} sees only its own group");
                    sc.server.addr().unwrap().port()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut unique = ports.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 3, "each server has its own port: {ports:?}");
}

/// JACK once refused scsynth on every try in CI ("Cannot open SuperCollider
/// client ... could not initialize audio", cause not found). A private
/// JACK server that keeps refusing is replaced once by a fresh one; a
/// stand-in scsynth refuses the way scsynth did for its first five runs.
#[test]
fn a_private_jack_server_that_keeps_refusing_scsynth_is_replaced() {
    let real = imbolc_audio::server::process::find_program("scsynth", "supercollider-server").unwrap();
    let dir = std::env::temp_dir().join(format!("imbolc-refusing-jack-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (count, script) = (dir.join("runs"), dir.join("scsynth"));
    let text = format!(
        "#!/bin/sh\nn=$(($(cat {count} 2>/dev/null || echo 0) + 1)); echo $n > {count}\n\
         if [ $n -le 5 ]; then echo 'Cannot open SuperCollider client'; echo 'could not initialize audio.'; exit 134; fi\n\
         exec {real} \"$@\"\n",
        count = count.display(),
        real = real.display()
    );
    std::fs::write(&script, text).unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let sc = ScServer::start_with(ServerConfig { scsynth: Some(script), ..test_config() });
    let tree = sc.query_tree();
    assert_eq!(tree.id, 0, "the server answers on the fresh JACK server");
    assert_eq!(std::fs::read_to_string(&count).unwrap().trim(), "6", "five refusals, then one start");
    drop(sc);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A killed jackd keeps its slot in JACK's registry (eight slots for the
/// whole machine); dropping the dead server frees it.
#[test]
fn a_killed_jackds_registry_slot_is_freed() {
    use imbolc_audio::server::jack::Jack;
    use imbolc_audio::server::jack_registry::holds;
    let jack = Jack::ensure(&imbolc_tests::test_config()).unwrap();
    let name = jack.name().to_owned();
    assert!(holds(&name), "a running server has a slot");
    let pid = jack.pid().unwrap();
    assert!(Command::new("kill").args(["-KILL", &pid.to_string()]).status().unwrap().success());
    std::thread::sleep(Duration::from_millis(200));
    assert!(holds(&name), "killed, it keeps its slot");
    drop(jack);
    assert!(!holds(&name), "the slot is free again");
}

/// A stolen voice may end by itself while its `/n_free` is on the way;
/// that free must not be reported as a refusal (issue 19: it was, as
/// `/fail /n_free Node N not found`, under load). A graph free of a missing
/// node, in the same bundle after it, still is.
#[test]
fn a_voice_free_of_an_ended_node_is_silent_and_a_graph_free_is_not() {
    use imbolc_audio::backend::{NodeId, ServerOp, Timing, encode_batch};
    let sc = ScServer::start();
    let ops = [ServerOp::FreeVoice { node: NodeId(4242) }, ServerOp::Free { node: NodeId(4343) }];
    sc.sender().send_bytes(&encode_batch(Timing::Now, &ops).unwrap()).unwrap();
    sc.send("/sync", vec![OscType::Int(77)]);
    let (mut fails, deadline) = (Vec::new(), Instant::now() + WAIT);
    loop {
        match sc.events.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(ServerEvent::Message(m)) if m.addr == "/fail" => fails.push(format!("{:?}", m.args)),
            Ok(ServerEvent::Message(m)) if m.addr == "/synced" => break,
            Ok(_) => {}
            Err(_) => panic!("no /synced within {WAIT:?}"),
        }
    }
    assert_eq!(fails.len(), 1, "{fails:?}");
    assert!(fails[0].contains("4343"), "{fails:?}");
}
