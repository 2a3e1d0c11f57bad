//! Hosting and joining in the app: a key on a joined client edits the
//! host's project, and the host's own key edits (and undo) reach the
//! client; both on 127.0.0.1.

use std::time::{Duration, Instant};

use imbolc_core::Session;
use imbolc_core::collab::{Client, Host, JoinCode, Limits};
use imbolc_core::session::NullSink;
use imbolc_types::{InstrumentId, Project};

use super::fixture::{TestApp, demo_project, press};
use crate::app::App;
use crate::collab::Collab;
use crate::keys::Keymap;

pub(super) fn frames_until<S: crate::audio::UiAudio>(
    host: &mut App<S>,
    client: &mut App<S>,
    what: &str,
    done: impl Fn(&App<S>, &App<S>) -> bool,
) {
    let start = Instant::now();
    while !done(host, client) {
        assert!(start.elapsed() < Duration::from_secs(20), "{what}: not after 20 s");
        host.tick(Instant::now());
        client.tick(Instant::now());
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn muted(app: &TestApp) -> bool {
    app.session().project().instruments.get(&InstrumentId(0)).is_some_and(|i| i.mixer.mute)
}

/// A host app on the demo project and a client app joined to it on
/// 127.0.0.1, once the client has the host's snapshot.
pub(super) fn joined<S: crate::audio::UiAudio>(host_sink: S, client_sink: S) -> (App<S>, App<S>) {
    let code = JoinCode::random().unwrap();
    let host = Host::bind("127.0.0.1:0", code.clone(), Limits::default()).unwrap();
    let addr = host.addr();
    let mut host_app = App::new(Session::new(demo_project(), host_sink), None, Keymap::default(), None);
    host_app.attach_collab(Collab::Host(host));
    // The host answers from its frame loop: tick it while the client connects.
    let joining = std::thread::spawn(move || Client::connect(addr, &code, "guest", None, &Limits::default()));
    while !joining.is_finished() {
        host_app.tick(Instant::now());
        std::thread::sleep(Duration::from_millis(2));
    }
    let client = joining.join().unwrap().unwrap();
    let mut client_app = App::new(Session::new(Project::new("empty"), client_sink), None, Keymap::default(), None);
    client_app.attach_collab(Collab::Client(client));
    frames_until(&mut host_app, &mut client_app, "snapshot", |h, c| c.session().project() == h.session().project());
    (host_app, client_app)
}

#[test]
fn edits_go_through_the_host_both_ways() {
    let (mut host_app, mut client_app) = joined(NullSink, NullSink);

    // A key on the client: sent, not applied, until the host broadcasts it.
    press(&mut client_app, "4 m");
    assert!(!muted(&client_app), "a client's edit waits for the host");
    frames_until(&mut host_app, &mut client_app, "client mute", |h, c| muted(h) && muted(c));

    // The host's own key, then its undo of it.
    press(&mut host_app, "4 m");
    frames_until(&mut host_app, &mut client_app, "host unmute", |h, c| !muted(h) && !muted(c));
    press(&mut host_app, "u");
    frames_until(&mut host_app, &mut client_app, "host undo", |h, c| muted(h) && muted(c));
    assert!(client_app.session().project() == host_app.session().project());

    // Undo on a client takes back its own last edit only: the host has
    // changed the same instrument since, so it is refused with a message.
    press(&mut client_app, "u");
    let said = client_app.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(said.contains("no longer applies"), "{said}");
    assert!(muted(&client_app));
    // A fresh edit on the client, then its undo, through the host.
    press(&mut client_app, "4 m");
    frames_until(&mut host_app, &mut client_app, "client unmute", |h, c| !muted(h) && !muted(c));
    press(&mut client_app, "u");
    frames_until(&mut host_app, &mut client_app, "client undo", |h, c| muted(h) && muted(c));

    // The collaborators pane: the client claims the selected instrument
    // (its keys, through the command table); the host shows who owns it.
    press(&mut client_app, "C-w");
    assert_eq!(client_app.pane(), crate::commands::PaneKind::Together);
    press(&mut client_app, "c");
    frames_until(&mut host_app, &mut client_app, "claim", |h, c| {
        let owns = h.together_view().rows.first().is_some_and(|r| !r.owns.is_empty());
        owns && c.together_view().instrument.and_then(|i| i.1).is_some()
    });
    press(&mut host_app, "C-w");
    let view = host_app.together_view();
    assert_eq!(view.rows.len(), 1);
    assert_eq!(view.rows[0].owns.len(), 1, "{view:?}");
    // The host gives the grant with a key.
    press(&mut host_app, "g");
    frames_until(&mut host_app, &mut client_app, "grant", |_, c| c.together_view().rows.iter().any(|r| r.granted));
    assert!(client_app.session().project() == host_app.session().project());
}

#[test]
fn together_pane_80x24() {
    use std::time::Duration;

    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use crate::panes::together::{Row, View, render};
    let row = |id, name: &str, rtt_us, outbox, bps, dropped, owns: &[&str], granted| Row {
        id,
        name: name.into(),
        rtt: Some(Duration::from_micros(rtt_us)),
        outbox: Some(outbox),
        bytes_per_sec: Some(bps),
        dropped: Some(dropped),
        owns: owns.iter().map(|s| s.to_string()).collect(),
        granted,
    };
    let view = View {
        role: Some("hosting".into()),
        rows: vec![
            row(1, "ana", 420, 0, 1830, 0, &["lead", "bass"], true),
            row(2, "ben", 1_250_000, 1484, 0, 4498, &[], false),
        ],
        instrument: Some(("lead".into(), Some("ana".into()))),
    };
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| render(f, f.area(), &view, 1)).unwrap();
    insta::assert_snapshot!("together_80x24", terminal.backend());
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| render(f, f.area(), &View::default(), 0)).unwrap();
    insta::assert_snapshot!("together_alone_80x24", terminal.backend());
}
