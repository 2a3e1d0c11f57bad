//! Cost of drawing one frame on ratatui's `TestBackend`: the piano roll
//! with 10 000 notes inside the visible grid, and the mixer with 64 strips
//! (at 120×40, where 9 strips fit, and 780×40, where all 64 do). The piano
//! roll paints its notes in one pass, so the frame costs the notes plus
//! the cells, never their product.
//!
//! The views of sound: one frame of the views pane (scope, spectrum,
//! loudness) from a real analyser's frame of a chord with noise, at
//! 120×40 and 240×60; and the analyser's work per update (one chunk of
//! 1024 frames: FFT, bands, peak hold, EBU R128 with true peak), which
//! runs on its own thread about 47 times a second.

// Bench setup on fixed, valid fixtures: a failure is a bug to see at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use imbolc_audio::engine::{EngineFeedback, MeterReading, Meters};
use imbolc_audio::views::{Analyser, ViewInput};
use imbolc_core::Session;
use imbolc_core::session::NullSink;
use imbolc_types::{Action, ChainOwner, InstrumentId, Note, Project, SourceKind};
use imbolc_ui::app::App;
use imbolc_ui::commands::CommandId;
use imbolc_ui::keys::Keymap;
use imbolc_ui::panes::views;
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

/// The analyser after a second of a three-note chord with some noise,
/// fed the way the engine feeds it, and the next chunk to feed it.
fn chord_analyser() -> (Analyser, ViewInput) {
    let mut a = Analyser::default();
    a.input(ViewInput::Open { target: ChainOwner::Master, buf: 36, rate: 48_000 });
    let mut seed = 1u32;
    let mut chunk = |index: u32| {
        let values = (0..1024u32)
            .flat_map(|i| {
                let t = f64::from(index * 1024 + i) / 48_000.0;
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let noise = f64::from(seed >> 8) / f64::from(1u32 << 24) - 0.5;
                let v =
                    [220.0, 277.2, 329.6].iter().map(|hz| 0.15 * (std::f64::consts::TAU * hz * t).sin()).sum::<f64>()
                        + 0.01 * noise;
                [v as f32, (0.9 * v) as f32]
            })
            .collect();
        ViewInput::Values { buf: 36, start: (index % 8) * 2048, values }
    };
    for i in 0..47 {
        a.input(chunk(i));
    }
    let next = chunk(47);
    (a, next)
}

fn views(c: &mut Criterion) {
    let (analyser, next) = chord_analyser();
    let view = analyser.frame().clone();
    for (name, width, height) in [("views_spectrum_120x40", 120, 40), ("views_spectrum_240x60", 240, 60)] {
        let mut term = Terminal::new(TestBackend::new(width, height)).unwrap();
        c.bench_function(name, |b| {
            b.iter(|| {
                term.draw(|f| views::render(f, f.area(), black_box(&view), "master")).unwrap();
                black_box(term.backend().buffer().content().len())
            });
        });
    }
    let mut analyser = analyser;
    c.bench_function("views_analyse_one_chunk", |b| {
        b.iter(|| black_box(analyser.input(black_box(next.clone()))));
    });
}

criterion_group!(benches, render, views);
criterion_main!(benches);
