//! Rendering a project to WAV, FLAC, Ogg Vorbis or MP3 files, faster than
//! real time: the master and one stem per instrument (and per aux bus), all
//! with the same start and length.
//!
//! 1. [`imbolc_audio::offline::plan`] turns the project into an NRT score
//!    (the live graph and playback code on a virtual clock); stems are
//!    extra output channels of the same run.
//! 2. `nrt` runs `scsynth -N` on it (progress from its output; cancel kills
//!    it). With "stems include sends", each instrument also gets a run of
//!    its own, two at a time (one per core).
//! 3. `mixdown` streams scsynth's raw output into the files: channel pairs
//!    summed, gain, TPDF dither, encoded (`encode`: WAV, FLAC, Ogg Vorbis,
//!    MP3, with title and artist tags), written under temporary names, measured
//!    (peak, LUFS). With one scsynth run, this first pass reads the
//!    output while scsynth is still writing it. A second pass is needed
//!    only for normalisation; files are split between two threads. An
//!    automatic tail is known before rendering (`tail`: from the tails the
//!    project's instruments and effects declare).
//! 4. The temporary files are renamed at the very end, so a failure or a
//!    cancel leaves no half-written file and touches no existing one.
//!
//! Bounded: a render longer than [`RenderOptions::max_length`] (4 hours by
//! default) is refused with its length, and one that needs more disk than
//! is free is refused before it starts. Temporary files carry the process
//! id; a later render into the same folder sweeps those of a process that
//! was killed.
//!
//! - `options`: [`RenderOptions`] and their text forms; `error`: [`RenderError`];
//!   `names`: file names; `dither`: TPDF dither; `scratch`: temporary files
//!   and free space; `tail`: the automatic tail.

mod dither;
mod encode;
mod error;
mod mixdown;
mod names;
mod nrt;
mod options;
mod scratch;
mod tail;
mod wav;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use imbolc_audio::offline::{self, OfflineSpec, PlanError, ScorePlan, StemSet};
use imbolc_types::project::Project;
use imbolc_types::{TICKS_PER_QUARTER, Tick};

pub use encode::Tags;
pub use error::RenderError;
pub use mixdown::SKETCH_COLUMNS;
pub use names::{file_names, sanitize};
pub use options::{
    AUTO_TAIL_CAP, DEFAULT_MAX_LENGTH, DEFAULT_MP3_BITRATE, DEFAULT_OGG_QUALITY, FileFormat, MP3_BITRATES, Normalize,
    OGG_QUALITIES, RATES, RenderOptions, RenderRange, SILENCE_DBFS, SampleFormat, Tail, duration_text,
    parse_max_length, parse_mp3_bitrate, parse_mp3_vbr, parse_ogg_quality,
};
pub use tail::declared_tail_secs;

use encode::Encoding;
use mixdown::{FileSpec, Measured, Pass, RawInput};
use scratch::Scratch;

/// What a render is doing, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// scsynth renders the score.
    Rendering,
    /// Measuring before normalising or cutting the tail.
    Analysing,
    /// Writing the files.
    Writing,
}

/// Progress of a render: the phase and how far it is (0..=1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenderProgress {
    pub phase: Phase,
    pub fraction: f64,
}

/// One written file.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedFile {
    /// "master", or the instrument's or bus's name.
    pub stem: String,
    pub path: PathBuf,
    /// Sample peak after normalisation, dBFS (−inf when silent).
    pub peak_dbfs: f64,
    /// Integrated loudness (EBU R128), LUFS (−inf when silent).
    pub lufs: f64,
    /// Sample peak (linear, after normalisation) of each of
    /// [`SKETCH_COLUMNS`] equal spans: a small waveform
    /// ([`sketch_line`]).
    pub sketch: Vec<f32>,
}

/// A file's sketch as one line of block characters, one per span: the
/// height follows the span's peak in dB from −60 (`▁`) to 0 dBFS (`█`);
/// a span below −60 dBFS is a space.
pub fn sketch_line(sketch: &[f32]) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    sketch
        .iter()
        .map(|p| {
            let db = 20.0 * f64::from(*p).log10();
            if db.is_nan() || db < -60.0 {
                return ' ';
            }
            let level = (((db + 60.0) / 60.0) * 8.0).ceil().clamp(1.0, 8.0) as usize;
            BLOCKS[level - 1]
        })
        .collect()
}

/// What a render wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderSummary {
    pub files: Vec<RenderedFile>,
    pub rate: u32,
    /// Frames of every file.
    pub frames: u64,
    /// Seconds of music in the range (without tail).
    pub music_secs: f64,
    /// Wall-clock seconds the render took.
    pub wall_secs: f64,
}

impl RenderSummary {
    /// Length of every file in seconds.
    pub fn length_secs(&self) -> f64 {
        self.frames as f64 / f64::from(self.rate.max(1))
    }
}

/// Renders the project file at `path`. What validate-and-repair changed
/// in it (the file stays as it is) is told to `notice` first, as the one
/// line the TUI shows on open.
///
/// # Errors
/// See [`render`]; [`RenderError::Project`] when the file cannot be opened.
pub fn render_file(
    path: &Path,
    opts: &RenderOptions,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(RenderProgress),
    notice: &mut dyn FnMut(&str),
) -> Result<RenderSummary, RenderError> {
    let loaded = crate::persist::load(path).map_err(|source| RenderError::Project { path: path.to_owned(), source })?;
    if let Some(line) = loaded.repairs.line() {
        notice(&line);
    }
    render(&loaded.project, opts, cancel, progress)
}

/// The song ticks `range` covers.
fn range_ticks(project: &Project, range: RenderRange, song_end: Tick) -> Result<(Tick, Tick), RenderError> {
    match range {
        RenderRange::Whole if song_end == 0 => Err(RenderError::Empty("the song has no placed clips".into())),
        RenderRange::Whole => Ok((0, song_end)),
        RenderRange::Bars { first, last } => {
            let ts = project.time_signature;
            let bar = TICKS_PER_QUARTER * 4 * Tick::from(ts.numerator.max(1)) / Tick::from(ts.denominator.max(1));
            let start = (first.saturating_sub(1)).saturating_mul(bar);
            let end = last.saturating_mul(bar);
            if end <= start {
                return Err(RenderError::Empty(format!("bars {first}-{last}")));
            }
            Ok((start, end))
        }
        RenderRange::Ticks { start, end } if end <= start => Err(RenderError::Empty(format!("ticks {start}-{end}"))),
        RenderRange::Ticks { start, end } => Ok((start, end)),
    }
}

/// One scsynth run of a render.
struct Run {
    plan: ScorePlan,
    score: PathBuf,
    raw: PathBuf,
}

/// Renders `project` as `opts` asks, reporting progress and stopping (with
/// nothing written) when `cancel` becomes true.
///
/// # Errors
/// Bad input ([`RenderError::is_bad_input`]): options, empty range,
/// unwritable folder, existing files without `force`. Failures: scsynth
/// missing or failing, I/O, cancel.
pub fn render(
    project: &Project,
    opts: &RenderOptions,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(RenderProgress),
) -> Result<RenderSummary, RenderError> {
    let started = Instant::now();
    opts.validate()?;
    let scene = project.audio_scene();
    let (start, end) = range_ticks(project, opts.range, offline::song_end(&scene))?;

    let tail_secs = match opts.tail {
        Tail::Secs(s) => s,
        Tail::Auto { cap } => declared_tail_secs(project, cap),
    };
    let (shortest, longest) = offline::length_bounds(&scene, start, end);
    if shortest + tail_secs > opts.max_length {
        let exact = shortest == longest;
        return Err(RenderError::TooLong { secs: shortest + tail_secs, limit: opts.max_length, exact });
    }

    std::fs::create_dir_all(&opts.out_dir)
        .map_err(|source| RenderError::Unwritable { path: opts.out_dir.clone(), source })?;
    scratch::sweep_stale(&opts.out_dir);
    let include_sends = opts.stems && opts.include_sends;
    let stems =
        StemSet { instruments: opts.stems && !include_sends, buses: opts.stems && opts.bus_stems && !include_sends };
    let max_secs = opts.max_length - tail_secs;
    let base = OfflineSpec { start, end, tail: tail_secs, stems, pre_fader: opts.pre_fader, only: None, max_secs };

    let mut specs = vec![base.clone()];
    if include_sends {
        for inst in &scene.instruments {
            specs.push(OfflineSpec { stems: StemSet::default(), only: Some(inst.id), ..base.clone() });
        }
    }

    // File names, and no overwriting without force.
    let mut stem_names = vec!["master".to_owned()];
    if include_sends {
        stem_names.extend(scene.instruments.iter().map(|i| i.name.clone()));
    }
    let mut scratch = Scratch::new(&opts.out_dir);
    let mut runs = Vec::with_capacity(specs.len());
    let stop = || cancel.load(Ordering::Relaxed);
    for (n, spec) in specs.iter().enumerate() {
        let plan = offline::plan(&scene, spec, &stop).map_err(|e| match e {
            PlanError::TooLong { secs, limit } => {
                RenderError::TooLong { secs: secs + tail_secs, limit: limit + tail_secs, exact: false }
            }
            PlanError::Cancelled => RenderError::Cancelled,
        })?;
        if n == 0 {
            stem_names.extend(plan.stems.iter().map(|s| s.name.clone()));
        }
        let score = scratch.file(&format!("{n}.osc"));
        let raw = scratch.file(&format!("{n}.raw"));
        runs.push(Run { plan, score, raw });
    }
    let names = file_names(&opts.pattern, &project.name, &stem_names, opts.file_format.extension());
    let finals: Vec<PathBuf> = names.iter().map(|n| opts.out_dir.join(n)).collect();
    if !opts.force
        && let Some(existing) = finals.iter().find(|p| p.exists())
    {
        return Err(RenderError::Exists(existing.clone()));
    }
    for run in &runs {
        std::fs::write(&run.score, run.plan.score.to_bytes())
            .map_err(|source| RenderError::Unwritable { path: opts.out_dir.clone(), source })?;
    }

    // Which channels make which file.
    let inputs: Vec<RawInput> =
        runs.iter().map(|r| RawInput { path: r.raw.clone(), channels: r.plan.channels }).collect();
    let mut sources: Vec<Vec<(usize, u32)>> = vec![vec![(0, 0)]];
    if include_sends {
        sources.extend((1..runs.len()).map(|k| vec![(k, 0)]));
    } else {
        sources.extend(runs[0].plan.stems.iter().map(|s| vec![(0, s.channel)]));
    }

    let rate = opts.rate;
    let music_secs = runs[0].plan.music_secs;
    let full_frames = ((music_secs + tail_secs) * f64::from(rate)).round() as u64;
    let silence = 10f64.powf(SILENCE_DBFS / 20.0);
    let needs_analysis = opts.normalize != Normalize::Off;
    let raw_bytes: u64 = runs.iter().map(|r| full_frames.saturating_mul(u64::from(r.plan.channels) * 4)).sum();
    // WAV size; FLAC, Ogg and MP3 are smaller.
    let wav_bytes = full_frames.saturating_mul(2 * opts.format.bytes_per_sample()).saturating_add(1024);
    scratch::check_space(&opts.out_dir, raw_bytes.saturating_add(wav_bytes.saturating_mul(names.len() as u64)))?;
    let temps: Vec<PathBuf> = (0..names.len()).map(|i| scratch.file(&format!("{i}.out.tmp"))).collect();
    let tags: Vec<Tags> =
        stem_names.iter().enumerate().map(|(i, stem)| file_tags(project, (i > 0).then_some(stem.as_str()))).collect();
    let encoding = Encoding {
        file: opts.file_format,
        bits: opts.format,
        ogg_quality: opts.ogg_quality,
        mp3_bitrate: opts.mp3_bitrate,
        mp3_vbr: opts.mp3_vbr,
    };
    let write_specs = |gains: &[f32]| -> Vec<FileSpec> {
        sources
            .iter()
            .zip(gains)
            .zip(temps.iter().zip(&names).zip(&tags))
            .map(|((s, g), ((t, name), tags))| FileSpec {
                sources: s.clone(),
                gain: *g,
                write_to: Some(t.clone()),
                dither_seed: mixdown::dither_seed(name),
                tags: tags.clone(),
            })
            .collect()
    };

    // The first pass measures (to normalise or cut an automatic tail) or
    // writes the files directly; a second pass writes after measuring.
    let first_specs = if needs_analysis {
        sources
            .iter()
            .map(|s| FileSpec { sources: s.clone(), gain: 1.0, write_to: None, dither_seed: 1, tags: Tags::default() })
            .collect()
    } else {
        write_specs(&vec![1.0; sources.len()])
    };
    let first_pass = Pass { frames: full_frames, rate, encoding, silence, loudness: true };
    let first = if runs.len() == 1 {
        render_alongside(&runs, opts, &inputs, &first_specs, first_pass, cancel, progress)?
    } else {
        render_runs(&runs, opts, &|| cancel.load(Ordering::Relaxed), progress)?;
        let phase = if needs_analysis { Phase::Analysing } else { Phase::Writing };
        parallel_pass(&inputs, &first_specs, first_pass, None, cancel, &mut |f| {
            progress(RenderProgress { phase, fraction: f })
        })?
    };

    let frames = full_frames;
    let mut gains = vec![1.0f32; sources.len()];
    let (written, pre) = if needs_analysis {
        gains = normalize_gains(opts.normalize, opts.joint, &first);
        let pass = Pass { frames, rate, encoding, silence, loudness: false };
        let written = parallel_pass(&inputs, &write_specs(&gains), pass, None, cancel, &mut |f| {
            progress(RenderProgress { phase: Phase::Writing, fraction: f })
        })?;
        (written, Some(first))
    } else {
        (first, None)
    };

    // A cancel that came during the last pass leaves nothing behind either.
    if cancel.load(Ordering::Relaxed) {
        return Err(RenderError::Cancelled);
    }
    for (tmp, dest) in temps.iter().zip(&finals) {
        std::fs::rename(tmp, dest).map_err(RenderError::io(format!("renaming to {}", dest.display())))?;
    }
    let files = names
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let gain = f64::from(gains[i]);
            let (peak, lufs, sketch) = match &pre {
                Some(m) => (
                    m[i].peak * gain,
                    m[i].lufs.unwrap_or(f64::NEG_INFINITY) + to_db(gain),
                    m[i].sketch.map(|p| p * gains[i]),
                ),
                None => (written[i].peak, written[i].lufs.unwrap_or(f64::NEG_INFINITY), written[i].sketch),
            };
            let (stem, path, peak_dbfs) = (stem_names[i].clone(), finals[i].clone(), to_db(peak));
            RenderedFile { stem, path, peak_dbfs, lufs, sketch: sketch.to_vec() }
        })
        .collect();
    Ok(RenderSummary { files, rate, frames, music_secs, wall_secs: started.elapsed().as_secs_f64() })
}

/// The tags of one file: the project's name (with the stem's name for a
/// stem, `None` for the master) and artist.
fn file_tags(project: &Project, stem: Option<&str>) -> Tags {
    let title = match (stem, project.name.is_empty()) {
        (None, _) => project.name.clone(),
        (Some(stem), true) => stem.to_owned(),
        (Some(stem), false) => format!("{} ({stem})", project.name),
    };
    Tags::new(&title, &project.artist)
}

fn to_db(linear: f64) -> f64 {
    if linear > 0.0 { 20.0 * linear.log10() } else { f64::NEG_INFINITY }
}

/// Gains reaching the normalisation target: per file, or one for all (the
/// master's loudness; for peaks the smallest gain, so no file clips).
fn normalize_gains(normalize: Normalize, joint: bool, measured: &[Measured]) -> Vec<f32> {
    let gain_of = |m: &Measured| -> f64 {
        match normalize {
            Normalize::Off => 1.0,
            Normalize::Peak(target) if m.peak > 0.0 => 10f64.powf(target / 20.0) / m.peak,
            Normalize::Lufs(target) => match m.lufs {
                Some(l) if l.is_finite() => 10f64.powf((target - l) / 20.0),
                _ => 1.0,
            },
            Normalize::Peak(_) => 1.0,
        }
    };
    let per_file: Vec<f64> = measured.iter().map(gain_of).collect();
    if !joint {
        return per_file.iter().map(|g| *g as f32).collect();
    }
    let one = match normalize {
        Normalize::Peak(_) => per_file.iter().copied().fold(f64::INFINITY, f64::min),
        _ => per_file.first().copied().unwrap_or(1.0),
    };
    let one = if one.is_finite() { one } else { 1.0 };
    vec![one as f32; measured.len()]
}

/// Runs the single scsynth run of `runs` and, at the same time, the first
/// pass over its output as it grows (scsynth on one core, the pass on the
/// other). The pass's progress is the render's: it follows scsynth.
fn render_alongside(
    runs: &[Run],
    opts: &RenderOptions,
    inputs: &[RawInput],
    files: &[FileSpec],
    pass: Pass,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(RenderProgress),
) -> Result<Vec<Measured>, RenderError> {
    let growing = AtomicBool::new(true);
    let pass_failed = AtomicBool::new(false);
    std::thread::scope(|s| {
        let scsynth = s.spawn(|| {
            let stop = || cancel.load(Ordering::Relaxed) || pass_failed.load(Ordering::Relaxed);
            let result = render_runs(runs, opts, &stop, &mut |_| {});
            growing.store(false, Ordering::Release);
            result
        });
        let measured = parallel_pass(inputs, files, pass, Some(&growing), cancel, &mut |f| {
            progress(RenderProgress { phase: Phase::Rendering, fraction: f })
        });
        if measured.is_err() {
            pass_failed.store(true, Ordering::Relaxed);
        }
        let rendered =
            scsynth.join().unwrap_or(Err(RenderError::Scsynth { status: "panic".into(), log: String::new() }));
        // scsynth's own error explains a pass that ran out of input.
        rendered?;
        measured
    })
}

/// Runs the NRT renders, two at a time (scsynth uses one core each).
fn render_runs(
    runs: &[Run],
    opts: &RenderOptions,
    stop: &(dyn Fn() -> bool + Sync),
    progress: &mut dyn FnMut(RenderProgress),
) -> Result<(), RenderError> {
    let total = runs.len() as f64;
    fn job<'a>(run: &'a Run, opts: &'a RenderOptions) -> nrt::NrtJob<'a> {
        nrt::NrtJob {
            scsynth: &opts.scsynth,
            score: &run.score,
            output: &run.raw,
            rate: opts.rate,
            channels: run.plan.channels,
            length: run.plan.score.end(),
        }
    }
    for (pair_index, pair) in runs.chunks(2).enumerate() {
        let done_before = (pair_index * 2) as f64;
        std::thread::scope(|s| -> Result<(), RenderError> {
            let second = pair.get(1).map(|run| {
                let job = job(run, opts);
                s.spawn(move || nrt::run(&job, stop, &mut |_| {}))
            });
            let first = nrt::run(&job(&pair[0], opts), stop, &mut |f| {
                progress(RenderProgress { phase: Phase::Rendering, fraction: (done_before + f) / total })
            });
            let second = match second {
                Some(h) => h.join().unwrap_or(Err(RenderError::Scsynth { status: "panic".into(), log: String::new() })),
                None => Ok(()),
            };
            first.and(second)
        })?;
    }
    Ok(())
}

/// One mixdown pass with the files split between two threads.
fn parallel_pass(
    inputs: &[RawInput],
    files: &[FileSpec],
    pass: Pass,
    growing: Option<&AtomicBool>,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(f64),
) -> Result<Vec<Measured>, RenderError> {
    let half = files.len().div_ceil(2);
    let (a, b) = files.split_at(half);
    let (ra, rb) = std::thread::scope(|s| {
        let hb = (!b.is_empty()).then(|| s.spawn(|| mixdown::run_pass(inputs, b, pass, growing, cancel, &mut |_| {})));
        let ra = mixdown::run_pass(inputs, a, pass, growing, cancel, progress);
        let rb = match hb {
            Some(h) => h.join().unwrap_or(Err(RenderError::Cancelled)),
            None => Ok(Vec::new()),
        };
        (ra, rb)
    });
    let mut all = ra?;
    all.extend(rb?);
    Ok(all)
}
