//! The session pane (clip launcher): slots are undoable edits, launches
//! are transport requests in one group per gesture, and the grid shows
//! empty, stopped, queued and playing slots (snapshots at 120×40, 80×24).

use imbolc_audio::engine::TransportCmd;
use imbolc_audio::scheduler::{ColumnFeedback, Launch};
use imbolc_types::{ClipId, InstrumentId, LaunchQuantize, LaunchTarget};

use super::fixture::{demo_app, demo_feedback, demo_project, press, render, script_app};
use crate::audio::Request;
use crate::commands::PaneKind;

fn launches(requests: Vec<Request>) -> Vec<Launch> {
    requests
        .into_iter()
        .filter_map(|r| match r {
            Request::Transport(TransportCmd::Launch(l)) => Some(l),
            _ => None,
        })
        .collect()
}

#[test]
fn slots_fill_by_key_launch_in_groups_and_undo_only_the_edits() {
    let (mut app, sink) = script_app(demo_project());
    let bass = InstrumentId(0);
    let riff = ClipId(0);
    press(&mut app, "9");
    assert_eq!(app.pane(), PaneKind::Session);
    press(&mut app, "a");
    assert_eq!(app.session().project().launcher.clip_at(bass, 0), Some(riff));
    press(&mut app, "u");
    assert_eq!(app.session().project().launcher.clip_at(bass, 0), None);
    press(&mut app, "a Enter");
    let one = Launch { instrument: bass, target: LaunchTarget::Clip(riff), quantize: LaunchQuantize::Bar, group: 0 };
    assert_eq!(launches(sink.take()), vec![one]);

    // A scene launches the clips of its row (here only the bass's); stop
    // all names every column under one group.
    press(&mut app, "e");
    assert_eq!(launches(sink.take()), vec![one]);
    press(&mut app, "X");
    let stops = launches(sink.take());
    assert_eq!(stops.len(), 3);
    assert!(stops.iter().all(|l| l.target == LaunchTarget::Stop && l.group == 1));
    press(&mut app, "b");
    assert_eq!(launches(sink.take()), vec![Launch { target: LaunchTarget::Arrangement, ..one }]);

    // An empty slot stops its column; the pad has no clip to put in one.
    press(&mut app, "j Enter");
    assert_eq!(launches(sink.take()), vec![Launch { target: LaunchTarget::Stop, ..one }]);
    press(&mut app, "l a");
    assert!(app.message().is_some_and(|m| m.text.contains("no clip")));

    // Quantize is a project setting, undoable; the launch carries it.
    press(&mut app, "h k Q");
    assert_eq!(app.session().project().launcher.quantize, LaunchQuantize::Bars2);
    press(&mut app, "Enter");
    assert_eq!(launches(sink.take()), vec![Launch { quantize: LaunchQuantize::Bars2, ..one }]);
    press(&mut app, "u");
    assert_eq!(app.session().project().launcher.quantize, LaunchQuantize::Bar);
    press(&mut app, "d");
    assert_eq!(app.session().project().launcher.clip_at(bass, 0), None);
    press(&mut app, "Esc");
    assert_eq!(app.pane(), PaneKind::Arrangement);
}

#[test]
fn the_grid_shows_each_slot_state() {
    let mut app = demo_app();
    // A clip for the lead (a note in the piano roll), then slots: the
    // bass's riff in scenes 1 and 2, the lead's clip in scene 1.
    press(&mut app, "1 j j 3 a 9 a j a k l l a");
    let lead = InstrumentId(2);
    let lead_clip = app.session().project().launcher.clip_at(lead, 0).unwrap();
    let mut fb = demo_feedback();
    fb.launcher = vec![
        ColumnFeedback { instrument: InstrumentId(0), playing: Some((ClipId(0), 1200)), stopped: false, queued: None },
        ColumnFeedback { instrument: InstrumentId(1), playing: None, stopped: true, queued: None },
        ColumnFeedback { instrument: lead, playing: None, stopped: false, queued: Some(LaunchTarget::Clip(lead_clip)) },
    ];
    app.set_feedback(&fb);
    for (w, h) in [(120, 40), (80, 24)] {
        insta::assert_snapshot!(format!("session_{w}x{h}"), render(&app, w, h));
    }
}

#[test]
fn follow_keys_edit_the_slot_clips_follow_action_as_undoable_steps() {
    use imbolc_types::{FollowAction, FollowKind};
    let (mut app, _sink) = script_app(demo_project());
    let riff = ClipId(0);
    press(&mut app, "9 f");
    assert!(app.message().is_some_and(|m| m.text.contains("empty")));
    press(&mut app, "a f > > F - - -");
    let want = FollowAction { after_loops: 3, first: FollowKind::Next, second: FollowKind::Previous, first_chance: 70 };
    assert_eq!(app.session().project().launcher.follow.get(&riff), Some(&want));
    assert!(app.message().is_some_and(|m| m.text.contains("3× next 70% / previous")));
    press(&mut app, "u");
    assert_eq!(app.session().project().launcher.follow.get(&riff).map(|f| f.first_chance), Some(80));
    // `f` past `stop` removes it.
    for _ in 0..6 {
        press(&mut app, "f");
    }
    assert_eq!(app.session().project().launcher.follow.get(&riff), None);
}
