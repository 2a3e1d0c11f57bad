//! Render speed: a 16-instrument, 3-minute song with effects, rendered to
//! the master plus all 16 stems, once per method. Two mixes: a heavy one
//! (filter, delay and a reverb per instrument, plus a reverb bus fed by
//! sends: 33 reverbs) and a typical one (filter and delay per instrument,
//! one shared reverb bus). Prints wall seconds and the
//! speed as a multiple of real time.
//!
//! Run: `cargo bench -p imbolc-tests --bench render_speed` (needs scsynth);
//! text after `--` runs only the cases whose "mix: method" line contains it
//! (e.g. `-- "typical mix"` or `-- "16 stems, one run"`).
//! A plain timing run rather than criterion: one render takes seconds, and
//! what matters is the wall time of that one render on the machine.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::AtomicBool;

use imbolc_core::dispatch;
use imbolc_core::render::{self, RenderOptions};
use imbolc_types::{Action, ChainOwner, EffectKind, FilterDef, FilterKind, Note, Project, SourceKind};

const INSTRUMENTS: usize = 16;
/// 90 bars at 120 BPM = 180 s.
const BARS: u32 = 90;
const BAR: u32 = 1920;

fn fixture(reverb_per_instrument: bool) -> Project {
    let mut p = Project::new("bench");
    p.tempo = 120.0;
    let apply = |p: &mut Project, a: Action| {
        dispatch(p, a).unwrap();
    };
    apply(&mut p, Action::AddBus { name: "verb".into() });
    let verb = *p.buses.keys().next().unwrap();
    apply(&mut p, Action::AddEffect { owner: ChainOwner::Bus(verb), kind: EffectKind::REVERB, index: None });
    for i in 0..INSTRUMENTS {
        let source = SourceKind::ALL[i % SourceKind::ALL.len()];
        apply(&mut p, Action::AddInstrument { source, name: format!("inst {i}") });
        let id = *p.instruments.keys().next_back().unwrap();
        apply(&mut p, Action::SetFilter { instrument: id, filter: Some(FilterDef::new(FilterKind::LOW_PASS)) });
        let effects: &[EffectKind] =
            if reverb_per_instrument { &[EffectKind::DELAY, EffectKind::REVERB] } else { &[EffectKind::DELAY] };
        for &kind in effects {
            apply(&mut p, Action::AddEffect { owner: ChainOwner::Instrument(id), kind, index: None });
        }
        apply(&mut p, Action::AddSend { instrument: id, bus: verb, level: 0.2 });
        apply(&mut p, Action::AddClip { instrument: id, name: "riff".into(), length: BARS * BAR });
        let clip = *p.clips.keys().next_back().unwrap();
        // Eighth notes all song long: 720 notes per instrument.
        let notes = (0..BARS * 8).map(|k| Note::new(40 + ((k + i as u32 * 3) % 36) as u8, 90, k * 240, 200)).collect();
        apply(&mut p, Action::AddNotes { clip, notes });
        apply(&mut p, Action::AddPlacement { clip, start: 0, length: BARS * BAR });
    }
    p
}

/// CPU seconds (user + system) of this process and of its waited-for
/// children (the scsynth runs), from `/proc/self/stat` (clock ticks of
/// 1/100 s), so figures mean something on a loaded machine, where wall time
/// mostly measures the other load.
fn cpu_secs() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<f64> = after.split_whitespace().map(|x| x.parse().unwrap_or(0.0)).collect();
    // Fields 14-17 of the whole line (utime stime cutime cstime) are 11-14 after the name.
    ((f[11] + f[12]) / 100.0, (f[13] + f[14]) / 100.0)
}

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-')).unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average before: {}", load.trim());
    let dir = std::env::temp_dir().join(format!("imbolc-render-bench-{}", std::process::id()));
    let base = RenderOptions { out_dir: dir.clone(), force: true, ..RenderOptions::default() };
    for (mix, heavy) in [("typical mix (filter + delay each, one reverb bus)", false), ("heavy mix (33 reverbs)", true)]
    {
        let project = fixture(heavy);
        let notes = project.note_count();
        println!("{mix}: {INSTRUMENTS} instruments, {notes} notes, 180 s at 48 kHz, int24, 2 s tail");
        for (label, opts) in [
            ("master only", RenderOptions { ..base.clone() }),
            ("master + 16 stems, one run, channels split", RenderOptions { stems: true, ..base.clone() }),
            (
                "master + 16 stems incl. sends, 1+16 runs, 2 at a time",
                RenderOptions { stems: true, include_sends: true, ..base.clone() },
            ),
        ] {
            if !format!("{mix}: {label}").contains(filter.as_str()) {
                continue;
            }
            let (self0, child0) = cpu_secs();
            let s = render::render(&project, &opts, &AtomicBool::new(false), &mut |_| {}).unwrap();
            let (self1, child1) = cpu_secs();
            println!(
                "  {label}: {} files, {:.2} s wall ({:.1}x real time); CPU: scsynth {:.2} s, imbolc {:.2} s",
                s.files.len(),
                s.wall_secs,
                s.music_secs / s.wall_secs,
                child1 - child0,
                self1 - self0,
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
