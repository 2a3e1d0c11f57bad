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

fn frames_until(host: &mut TestApp, client: &mut TestApp, what: &str, done: impl Fn(&TestApp, &TestApp) -> bool) {
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

#[test]
fn edits_go_through_the_host_both_ways() {
    let code = JoinCode::random().unwrap();
    let host = Host::bind("127.0.0.1:0", code.clone(), Limits::default()).unwrap();
    let addr = host.addr();
    let mut host_app = App::new(Session::new(demo_project(), NullSink), None, Keymap::default(), None);
    host_app.attach_collab(Collab::Host(host));
    // The host answers from its frame loop: tick it while the client connects.
    let joining = std::thread::spawn(move || Client::connect(addr, &code, "guest", None, &Limits::default()));
    while !joining.is_finished() {
        host_app.tick(Instant::now());
        std::thread::sleep(Duration::from_millis(2));
    }
    let client = joining.join().unwrap().unwrap();
    let mut client_app = App::new(Session::new(Project::new("empty"), NullSink), None, Keymap::default(), None);
    client_app.attach_collab(Collab::Client(client));
    frames_until(&mut host_app, &mut client_app, "snapshot", |h, c| c.session().project() == h.session().project());

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

    // Undo is off on a client (for now): it says so and changes nothing.
    press(&mut client_app, "u");
    assert!(muted(&client_app));
}
