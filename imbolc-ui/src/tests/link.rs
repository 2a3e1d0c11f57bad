//! Ableton Link from the keys: `&` asks the audio side to join or leave
//! the session, the status line shows the peers, a tempo another app set
//! becomes the project's without an undo step, and play a peer started
//! shows in the transport (so `Space` then stops it).

use imbolc_audio::engine::{EngineFeedback, LinkFeedback, TransportCmd};

use super::fixture::{demo_feedback, demo_project, press, script_app};
use crate::app::App;
use crate::audio::{Request, ScriptSink};

fn status_line(app: &App<ScriptSink>) -> String {
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 20)).unwrap();
    term.draw(|f| app.draw(f)).unwrap();
    let buf = term.backend().buffer().clone();
    (0..buf.area.width).map(|x| buf[(x, buf.area.height - 1)].symbol().to_owned()).collect()
}

fn linked(peers: u64, tempo: f64, peer_tempo_changes: u64) -> EngineFeedback {
    let mut feedback = demo_feedback();
    feedback.link = LinkFeedback { enabled: true, peers, tempo, peer_tempo_changes };
    feedback
}

#[test]
fn the_link_key_joins_and_leaves_and_the_status_line_counts_peers() {
    let (mut app, sink) = script_app(demo_project());
    assert!(!status_line(&app).contains("Link"), "off by default");
    press(&mut app, "&");
    assert_eq!(sink.take(), vec![Request::LinkFollowOnly(false), Request::Link(true)]);
    app.set_feedback(&linked(2, 120.0, 0));
    assert!(status_line(&app).contains("Link 2 peers"), "{}", status_line(&app));
    press(&mut app, "&");
    assert_eq!(sink.take(), vec![Request::LinkFollowOnly(false), Request::Link(false)]);
    let mut off = demo_feedback();
    off.link = LinkFeedback::default();
    app.set_feedback(&off);
    let line = status_line(&app);
    assert!(line.contains("Link off") && !line.contains("peers"), "{line}");
}

#[test]
fn a_peers_tempo_becomes_the_projects_without_an_undo_step() {
    let (mut app, sink) = script_app(demo_project());
    app.set_link(true);
    app.set_feedback(&linked(1, 120.0, 0));
    app.set_feedback(&linked(1, 97.5, 1));
    assert!((app.session().project().tempo - 97.5).abs() < 1e-4);
    assert!(!app.session().history().can_undo(), "a peer's tempo is no undo step");
    assert!(app.session().is_dirty(), "but the project changed");
    // The same count again (another field moved) takes nothing.
    app.set_feedback(&linked(2, 97.5, 1));
    sink.take();
    // Undo does not take it back: it was not our edit.
    press(&mut app, "u");
    assert!((app.session().project().tempo - 97.5).abs() < 1e-4);
}

#[test]
fn play_a_peer_started_shows_and_space_stops_it() {
    let (mut app, sink) = script_app(demo_project());
    app.set_link(true);
    app.set_feedback(&linked(1, 120.0, 0));
    let mut playing = linked(1, 120.0, 0);
    playing.transport.playing = true;
    app.set_feedback(&playing);
    sink.take();
    press(&mut app, "Space");
    assert_eq!(sink.take(), vec![Request::Transport(TransportCmd::Stop)]);
}

/// Playing together: only the host takes a Link tempo into the project,
/// as an action broadcast to the clients, so the replicas stay equal; the
/// client does not apply it on its own (on 127.0.0.1).
#[test]
fn playing_together_only_the_host_takes_a_link_tempo_in() {
    use super::collab::{frames_until, joined};

    let client_sink = ScriptSink::default();
    let (mut host_app, mut client_app) = joined(ScriptSink::default(), client_sink.clone());

    host_app.set_link(true);
    host_app.set_feedback(&linked(1, 120.0, 0));
    client_app.set_link(true);
    client_app.set_feedback(&linked(1, 120.0, 0));
    // The client's engine sends no tempo to the session: the host's does.
    let asked = client_sink.take();
    assert!(asked.ends_with(&[Request::LinkFollowOnly(true), Request::Link(true)]), "{asked:?}");
    // The client hears the peer's tempo first: it leaves its replica alone.
    client_app.set_feedback(&linked(1, 97.5, 1));
    assert!((client_app.session().project().tempo - 120.0).abs() < 1e-4);
    host_app.set_feedback(&linked(1, 97.5, 1));
    assert!((host_app.session().project().tempo - 97.5).abs() < 1e-4);
    frames_until(&mut host_app, &mut client_app, "tempo broadcast", |_, c| {
        (c.session().project().tempo - 97.5).abs() < 1e-4
    });
    assert!(client_app.session().project() == host_app.session().project());
    assert!(!host_app.session().history().can_undo(), "no undo step on the host");
}
