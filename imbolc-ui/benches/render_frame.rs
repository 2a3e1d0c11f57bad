//! Cost of drawing one frame on ratatui's `TestBackend`: the piano roll
//! with 10 000 notes inside the visible grid, and the mixer with 64 strips
//! (at 120×40, where 9 strips fit, and 780×40, where all 64 do). The piano
//! roll paints its notes in one pass, so the frame costs the notes plus
//! the cells, never their product.

// Bench setup on fixed, valid fixtures: a failure is a bug to see at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use imbolc_audio::engine::{EngineFeedback, MeterReading, Meters};
use imbolc_core::Session;
use imbolc_core::session::NullSink;
use imbolc_types::{Action, ChainOwner, InstrumentId, Note, Project, SourceKind};
use imbolc_ui::app::App;
use imbolc_ui::commands::CommandId;
use imbolc_ui::keys::Keymap;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// One instrument whose clip has `notes` notes, all inside the grid the
/// piano roll shows at 120×40 (pitches 42..78, the first 56 eighths).
fn dense_piano_roll(notes: u32) -> App<NullSink> {
    let mut s = Session::new(Project::new("bench"), NullSink);
    s.dispatch(Action::AddInstrument { source: SourceKind::SAW, name: "lead".into() }).unwrap();
    s.dispatch(Action::AddClip { instrument: InstrumentId(0), name: "dense".into(), length: 56 * 240 }).unwrap();
    let clip = *s.project().clips.keys().next().unwrap();
    let notes: Vec<Note> = (0..notes)
        .map(|i| {
            Note::new(
                42 + u8::try_from(i % 36).unwrap(),
                1 + u8::try_from(i % 127).unwrap(),
                (i * 7919) % (56 * 240),
                60 + (i % 4) * 120,
            )
        })
        .collect();
    s.dispatch(Action::AddNotes { clip, notes }).unwrap();
    let mut app = App::new(s, None, Keymap::default(), None);
    app.run_command(CommandId::ShowPianoRoll);
    app
}

/// 64 instruments, each strip metering.
fn big_mixer() -> App<NullSink> {
    let mut s = Session::new(Project::new("bench"), NullSink);
    for i in 0..64 {
        s.dispatch(Action::AddInstrument { source: SourceKind::SAW, name: format!("inst {i}") }).unwrap();
    }
    let mut meters = Meters::default();
    for i in 0..64u16 {
        let peak = f32::from(i) / 64.0;
        let owner = ChainOwner::Instrument(InstrumentId(u32::from(i)));
        meters.record(&MeterReading { owner, peak: [peak; 2], rms: [peak / 2.0; 2], pre_limit: None }, 1);
    }
    let mut app = App::new(s, None, Keymap::default(), None);
    app.set_feedback(&EngineFeedback { meters, ..EngineFeedback::default() });
    app.run_command(CommandId::ShowMixer);
    app
}

fn frame(c: &mut Criterion, name: &str, app: &App<NullSink>, width: u16, height: u16) {
    let mut term = Terminal::new(TestBackend::new(width, height)).unwrap();
    c.bench_function(name, |b| {
        b.iter(|| {
            term.draw(|f| app.draw(f)).unwrap();
            black_box(term.backend().buffer().content().len())
        });
    });
}

fn render(c: &mut Criterion) {
    let piano = dense_piano_roll(10_000);
    assert_eq!(piano.state().project.note_count(), 10_000);
    frame(c, "piano_roll_10000_notes_120x40", &piano, 120, 40);
    let mixer = big_mixer();
    frame(c, "mixer_64_strips_120x40", &mixer, 120, 40);
    frame(c, "mixer_64_strips_780x40", &mixer, 780, 40);
}

criterion_group!(benches, render);
criterion_main!(benches);
