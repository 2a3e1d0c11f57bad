//! The fixed project and helpers the UI tests share: an app on a
//! `NullSink` session (no server), keys written as in the command table,
//! and a `TestBackend` render.

use crossterm::event::{KeyEvent, KeyEventKind, KeyEventState};
use imbolc_audio::engine::{EngineFeedback, MeterReading, Meters, Scheduling, TransportFeedback};
use imbolc_audio::server::ServerStats;
use imbolc_audio::server::jack::{JackOrigin, JackSetup, MidiBridge};
use imbolc_audio::status::ServerState;
use imbolc_core::Session;
use imbolc_core::session::NullSink;
use imbolc_types::{
    Action, ChainOwner, EffectKind, FilterDef, FilterKind, InstrumentId, MixerParam, Note, ParamTarget, Project,
    SourceKind,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::app::App;
use crate::audio::{ScriptSink, UiAudio};
use crate::keys::{KeyChord, Keymap};

pub type TestApp = App<NullSink>;

/// Points the sample cache at one temp folder for this test process, so
/// tests that import samples never write to the user's cache (the setting
/// is process-wide and tests run in parallel, so they share the folder).
pub fn temp_cache() {
    let dir = std::env::temp_dir().join(format!("imbolc-ui-test-cache-{}", std::process::id()));
    imbolc_audio::sample_cache::set_cache_dir(Some(dir));
}

/// An app on an empty project, saving nowhere.
pub fn empty_app() -> TestApp {
    App::new(Session::new(Project::new("empty"), NullSink), None, Keymap::default(), None)
}

/// The demo project: a saw bass with a filter, a reverb and a delay, and a
/// clip of notes; a muted sine pad; one aux bus.
pub fn demo_project() -> Project {
    let mut s = Session::new(Project::new("demo"), NullSink);
    let run = |s: &mut Session<NullSink>, a: Action| s.dispatch(a).map(|_| ()).unwrap();
    run(&mut s, Action::AddInstrument { source: SourceKind::SAW, name: "bass".into() });
    run(&mut s, Action::AddInstrument { source: SourceKind::SINE, name: "pad".into() });
    run(&mut s, Action::AddInstrument { source: SourceKind::SQUARE, name: "lead".into() });
    let bass = InstrumentId(0);
    run(&mut s, Action::SetFilter { instrument: bass, filter: Some(FilterDef::new(FilterKind::LOW_PASS)) });
    run(&mut s, Action::AddEffect { owner: ChainOwner::Instrument(bass), kind: EffectKind::REVERB, index: None });
    run(&mut s, Action::AddEffect { owner: ChainOwner::Instrument(bass), kind: EffectKind::DELAY, index: None });
    run(&mut s, Action::SetMute { instrument: InstrumentId(1), mute: true });
    run(&mut s, Action::AddBus { name: "verb".into() });
    run(&mut s, Action::AddClip { instrument: bass, name: "riff".into(), length: 3840 });
    let clip = *s.project().clips.keys().next().unwrap();
    let notes = [(60, 0), (63, 240), (67, 480), (72, 960), (60, 1920)]
        .map(|(pitch, start)| Note::new(pitch, 100, start, 240))
        .to_vec();
    run(&mut s, Action::AddNotes { clip, notes });
    run(&mut s, Action::AddPlacement { clip, start: 0, length: 3840 });
    run(&mut s, Action::AddPlacement { clip, start: 7680, length: 3840 });
    run(&mut s, Action::AddLane { target: ParamTarget::Mixer { instrument: bass, param: MixerParam::Level } });
    let lane = *s.project().automation.keys().next().unwrap();
    for (tick, value) in [(0, 0.2), (1920, 1.0), (3840, 0.5)] {
        run(&mut s, Action::SetAutomationPoint { lane, tick, value });
    }
    s.project().clone()
}

/// A running server with meters on the bass (loud), the pad (silent) and
/// the master.
// `..default()` keeps this compiling when the feedback grows a field.
#[allow(clippy::needless_update)]
pub fn demo_feedback() -> EngineFeedback {
    let stats = ServerStats {
        ugens: 42,
        synths: 7,
        groups: 12,
        synthdefs: 9,
        avg_cpu: 3.5,
        peak_cpu: 5.25,
        nominal_sample_rate: 48000.0,
        actual_sample_rate: 48000.0,
    };
    let mut meters = Meters::default();
    for (owner, peak) in [
        (ChainOwner::Instrument(InstrumentId(0)), 0.5),
        (ChainOwner::Instrument(InstrumentId(1)), 0.0),
        (ChainOwner::Master, 0.9),
    ] {
        meters.record(&MeterReading { owner, peak: [peak, peak * 0.8], rms: [peak / 2.0; 2], pre_limit: None }, 1);
    }
    EngineFeedback {
        server: ServerState::Running { stats, jack: fixture_jack() },
        generation: 1,
        scsynth_pid: None,
        meters,
        transport: TransportFeedback {
            tick: 1200,
            playing: true,
            bpm: 120.0,
            anchor: None,
            voices: 3,
            counting_in: false,
        },
        audio_thread: Scheduling::Realtime { priority: 1 },
        ..EngineFeedback::default()
    }
}

/// A default JACK server Imbolc started on a machine without a sound card.
fn fixture_jack() -> JackSetup {
    JackSetup {
        name: "default".into(),
        driver: "dummy".into(),
        origin: JackOrigin::Started,
        midi: MidiBridge::None("dummy driver: no sound card (/dev/snd missing)".into()),
    }
}

/// An app on the demo project, with demo feedback, saving nowhere.
pub fn demo_app() -> TestApp {
    let mut app = App::new(Session::new(demo_project(), NullSink), None, Keymap::default(), None);
    app.set_feedback(&demo_feedback());
    app
}

/// A key press, written as in the command table (`a`, `C-s`, `Enter`).
pub fn key(text: &str) -> KeyEvent {
    let chord = KeyChord::parse(text).unwrap_or_else(|| panic!("not a key: {text}"));
    KeyEvent { code: chord.code, modifiers: chord.mods, kind: KeyEventKind::Press, state: KeyEventState::NONE }
}

/// Presses space-separated keys in order.
pub fn press<S: UiAudio>(app: &mut App<S>, keys: &str) {
    for k in keys.split_whitespace() {
        app.press(key(k));
    }
}

/// Types text into a dialog, one character at a time.
pub fn type_text<S: UiAudio>(app: &mut App<S>, text: &str) {
    for c in text.chars() {
        app.press(KeyEvent::from(crossterm::event::KeyCode::Char(c)));
    }
}

/// The screen as text, at `width`×`height`.
pub fn render(app: &TestApp, width: u16, height: u16) -> TestBackend {
    let mut term = Terminal::new(TestBackend::new(width, height)).unwrap();
    term.draw(|f| app.draw(f)).unwrap();
    term.backend().clone()
}

/// The demo app with a (never written) file path, as after `imbolc demo.imbolc`.
pub fn demo_app_with_path() -> TestApp {
    let path = std::path::PathBuf::from("/nonexistent/demo.imbolc");
    let mut app = App::new(Session::new(demo_project(), NullSink), Some(path), Keymap::default(), None);
    app.set_feedback(&demo_feedback());
    app
}

/// An app on `project` whose audio requests are recorded.
pub fn script_app(project: Project) -> (App<ScriptSink>, ScriptSink) {
    let sink = ScriptSink::default();
    (App::new(Session::new(project, sink.clone()), None, Keymap::default(), None), sink)
}

/// A key event of any kind (press, release), as a terminal with keyboard
/// enhancement sends it.
pub fn key_event(c: char, kind: KeyEventKind) -> crossterm::event::Event {
    crossterm::event::Event::Key(KeyEvent {
        code: crossterm::event::KeyCode::Char(c),
        modifiers: crossterm::event::KeyModifiers::NONE,
        kind,
        state: KeyEventState::NONE,
    })
}
