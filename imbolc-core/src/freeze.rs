//! Freezing an instrument: its chain (voices, filter, effects; before its
//! strip) is rendered with `scsynth -N` from the song's start to its end
//! plus tail, the file goes into the sample store, and
//! [`Action::FreezeInstrument`] makes it play that audio in place (see
//! `dispatch/freeze.rs`). Unfreezing is [`unfreeze_action`]; both are one
//! undo step.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use imbolc_types::audio_clip::ticks_for_secs;
use imbolc_types::{Action, AudioRegion, InstrumentId, Project};

use crate::render::{self, RenderError, RenderOptions, SampleFormat, Tail};
use crate::store::{ImportError, import_sample};

/// Why an instrument could not be frozen. The project is unchanged.
#[derive(Debug, thiserror::Error)]
pub enum FreezeError {
    #[error("no instrument {0}")]
    NoSuchInstrument(InstrumentId),
    /// Frozen already, an audio track or an audio input: nothing to render.
    #[error("{0} cannot be frozen (frozen already, an audio track or an input)")]
    NotFreezable(String),
    /// Nothing is placed on the song, so there is nothing to render.
    #[error("nothing to freeze: place clips on the song first")]
    EmptySong,
    /// The render failed (scsynth missing, disk full...): see the message.
    #[error("freeze render: {0}")]
    Render(#[from] RenderError),
    /// The rendered file could not go into the sample store.
    #[error("freeze: {0}")]
    Store(#[from] ImportError),
    /// The render wrote no file for the instrument (a bug).
    #[error("freeze: the render made no file for {0}")]
    NoStem(String),
}

/// Renders `instrument`'s chain and returns the action freezing it with
/// that audio. `scsynth` is the program to run (found on `PATH` unless a
/// path). Takes as long as a render of the song; the caller shows it.
///
/// # Errors
/// [`FreezeError`]; nothing is written but the sample cache.
pub fn freeze_action(p: &Project, instrument: InstrumentId, scsynth: PathBuf) -> Result<Action, FreezeError> {
    let index = p.instruments.get_index_of(&instrument).ok_or(FreezeError::NoSuchInstrument(instrument))?;
    let inst = &p.instruments[index];
    if inst.def.frozen.is_some() || inst.def.audio_track || inst.def.input.is_some() {
        return Err(FreezeError::NotFreezable(inst.name.clone()));
    }
    if p.placements.is_empty() {
        return Err(FreezeError::EmptySong);
    }
    // One folder per freeze, even for two at once in one process.
    static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("imbolc-freeze-{}-{run}", std::process::id()));
    let opts = RenderOptions {
        out_dir: dir.clone(),
        stems: true,
        pre_fader: true,
        format: SampleFormat::Float32,
        tail: Tail::Auto { cap: 30.0 },
        pattern: "{index}".into(),
        force: true,
        scsynth,
        ..RenderOptions::default()
    };
    let result =
        render::render(p, &opts, &AtomicBool::new(false), &mut |_| {}).map_err(FreezeError::from).and_then(|summary| {
            // The master comes first, then the instruments in order.
            let file = summary.files.get(index + 1).filter(|f| f.stem == inst.name);
            let file = file.ok_or_else(|| FreezeError::NoStem(inst.name.clone()))?;
            Ok(import_sample(&file.path)?)
        });
    let _ = std::fs::remove_dir_all(&dir);
    let mut sample = result?;
    sample.name = format!("{} (frozen)", inst.name);
    let length = ticks_for_secs(sample.seconds(), p.tempo);
    Ok(Action::FreezeInstrument { instrument, region: Box::new(AudioRegion::new(sample)), length })
}

/// The action unfreezing `instrument` (its frozen audio goes; it
/// synthesises again).
pub fn unfreeze_action(instrument: InstrumentId) -> Action {
    Action::SetFrozen { instrument, frozen: None }
}
