//! Format version 1 and its migration to the current [`Project`].
//!
//! Kept as its own types so the current ones can change freely; version 1
//! stored ordered lists where the current format has id-keyed maps.

use imbolc_types::{Bus, ClipId, IdCounters, Instrument, InstrumentId, MasterSettings, Note, NoteId, Project};
use serde::{Deserialize, Serialize};

/// The whole project as format 1 stored it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectV1 {
    pub name: String,
    pub bpm: f32,
    pub instruments: Vec<Instrument>,
    pub buses: Vec<Bus>,
    pub master: MasterSettings,
    pub clips: Vec<ClipV1>,
    pub ids: IdCounters,
}

/// A clip in format 1: notes as a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClipV1 {
    pub id: ClipId,
    pub instrument: InstrumentId,
    pub length: u32,
    pub notes: Vec<NoteV1>,
}

/// A note in format 1: its id inside.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NoteV1 {
    pub id: NoteId,
    pub pitch: u8,
    pub velocity: u8,
    pub start: u32,
    pub length: u32,
}

/// Converts a format-1 project. Clips get the name "clip N" (format 1 had
/// none); everything format 1 lacked takes its default.
pub fn migrate(old: ProjectV1) -> Project {
    let mut p = Project::new(old.name);
    p.tempo = old.bpm;
    p.instruments = old.instruments.into_iter().map(|i| (i.id, i)).collect();
    p.buses = old.buses.into_iter().map(|b| (b.id, b)).collect();
    p.master = old.master;
    p.ids = old.ids;
    for c in old.clips {
        let notes = c.notes.into_iter().map(|n| (n.id, Note::new(n.pitch, n.velocity, n.start, n.length))).collect();
        let clip = imbolc_types::Clip {
            id: c.id,
            name: format!("clip {}", c.id),
            instrument: c.instrument,
            length: c.length,
            looping: false,
            notes,
            drums: None,
            audio: None,
        };
        p.clips.insert(c.id, clip);
    }
    p
}
