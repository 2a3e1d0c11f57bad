//! Offline rendering: the live graph and playback code, driven by a virtual
//! clock, written as an NRT score ([`plan`] → [`ScorePlan`]).
//!
//! Nothing here is render-specific except the clock and the backend: the
//! graph is built by [`SignalGraph::build`], each window of the timeline
//! goes through the same `Playback::advance` the audio thread calls, and
//! the batches go to a [`ScoreBackend`] instead of a socket. So whatever the
//! live path plays (notes, and what later joins it) renders too.
//!
//! Bounded: the planner steps through the range in ticks (about 50 ms of
//! them per window, at the tempo in force), so it ends after a number of
//! windows set by the range, whatever the tempo or its automation; and it
//! refuses ([`PlanError::TooLong`]) as soon as the music passes
//! [`OfflineSpec::max_secs`]. [`length_bounds`] tells the length before
//! planning, so a render can be refused at once.
//!
//! - `stems`: stem taps, so one run writes master + stems as channels.
//! - `ends`: the server's `/n_end`s, predicted (NRT sends no replies).
//!
//! Output channels of the render: 0–1 the master, then two per stem.

mod ends;
mod stems;
#[cfg(test)]
mod tests;

use imbolc_types::project::DEFAULT_TEMPO;
use imbolc_types::{AudioDiff, AudioScene, ChainOwner, InstrumentId, Tick};

use crate::backend::{AudioBackend, Score, ScoreBackend, Timetag, Timing};
use crate::engine::TransportCmd;
use crate::engine::playback::{Batch, Playback};
use crate::graph::{GraphConfig, SignalGraph};
use crate::scheduler::tempo::seconds_per_tick;
use crate::scheduler::{PlayMode, SchedulerConfig};
use crate::synthdefs;
use crate::voices::VoiceConfig;

pub use stems::{STEM_BUS_BASE, STEM_TAP};

use ends::VoiceEnds;
use stems::StemRouter;

/// About how long one window of the virtual clock is (it steps in whole
/// ticks). Any value gives the same events (windows are exact); this only
/// bounds how late a predicted voice end is noticed.
const WINDOW: f64 = 0.05;

/// Audio buses scsynth must have for a render (`-a`): the stem buses sit
/// at [`STEM_BUS_BASE`].
pub const AUDIO_BUSES: u32 = 16_384;

/// Which strips get a stem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StemSet {
    /// One stem per instrument.
    pub instruments: bool,
    /// One stem per aux bus.
    pub buses: bool,
}

/// What to render.
#[derive(Debug, Clone, PartialEq)]
pub struct OfflineSpec {
    /// Song ticks to play: `[start, end)`.
    pub start: Tick,
    pub end: Tick,
    /// Seconds rendered after `end` (release tails, reverb).
    pub tail: f64,
    pub stems: StemSet,
    /// Stems before the strip (level, pan, mute) instead of after it.
    pub pre_fader: bool,
    /// Play only this instrument's notes (the rest of the graph still runs),
    /// for stems that include what its sends feed.
    pub only: Option<InstrumentId>,
    /// Longest music (without tail) the plan may hold, in seconds; past it
    /// planning stops with [`PlanError::TooLong`].
    pub max_secs: f64,
}

/// Why no score was planned.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// The music lasts longer than [`OfflineSpec::max_secs`] (at least
    /// `secs`): render a shorter range or raise the limit.
    #[error("the music lasts at least {secs} s, more than the {limit} s allowed")]
    TooLong { secs: f64, limit: f64 },
    /// The caller's stop flag was raised.
    #[error("planning cancelled")]
    Cancelled,
}

/// One stem of a render: whose it is and where it lands in the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StemChannel {
    pub owner: ChainOwner,
    /// The instrument's or bus's name.
    pub name: String,
    /// First of its two output channels.
    pub channel: u32,
}

/// A score ready for `scsynth -N` and what its output channels hold.
#[derive(Debug, Clone, PartialEq)]
pub struct ScorePlan {
    pub score: Score,
    /// Stems in channel order (after the master's two channels).
    pub stems: Vec<StemChannel>,
    /// Output channels of the render (`-o`).
    pub channels: u32,
    /// Seconds of music (`end - start` at the song tempo), without tail.
    pub music_secs: f64,
}

/// The tempo the scheduler plays `scene` at.
pub fn scene_tempo(scene: &AudioScene) -> f32 {
    if scene.tempo.is_finite() && scene.tempo > 0.0 { scene.tempo } else { DEFAULT_TEMPO }
}

/// Seconds `ticks` last at `bpm` (clamped to the tempo range, as the
/// scheduler plays it).
pub fn ticks_to_secs(ticks: Tick, bpm: f32) -> f64 {
    f64::from(ticks) * seconds_per_tick(bpm)
}

/// The shortest and longest the song ticks `[start, end)` of `scene` can
/// last, in seconds: equal (exact) without an enabled tempo lane; with
/// one, the tempo stays between its lowest and highest value (every curve
/// keeps between its points).
pub fn length_bounds(scene: &AudioScene, start: Tick, end: Tick) -> (f64, f64) {
    let ticks = end.saturating_sub(start);
    let base = scene_tempo(scene);
    let lane_values = scene
        .automation
        .iter()
        .filter(|l| l.enabled && l.target == imbolc_types::ParamTarget::Tempo)
        .flat_map(|l| l.points.values().copied())
        .filter(|v| v.is_finite() && *v > 0.0);
    let (slow, fast) = lane_values.fold((base, base), |(lo, hi), v| (lo.min(v), hi.max(v)));
    (ticks_to_secs(ticks, fast), ticks_to_secs(ticks, slow))
}

/// `scene` with nothing placed at or after song tick `end`: placements
/// that start there go, those that cross it end there. So nothing starts
/// past the range, even when a tempo lane moves time under the last window.
fn cut_at(scene: &AudioScene, end: Tick) -> AudioScene {
    let mut s = scene.clone();
    s.placements.retain(|p| p.start < end);
    for p in &mut s.placements {
        p.length = p.length.min(end - p.start);
    }
    s
}

/// The tick where the song ends: the end of its last placement (0 when
/// nothing is placed).
pub fn song_end(scene: &AudioScene) -> Tick {
    scene.placements.iter().map(|p| p.start.saturating_add(p.length)).max().unwrap_or(0)
}

/// The strips that get a stem, in channel order, with their names.
fn stem_owners(scene: &AudioScene, set: StemSet) -> Vec<(ChainOwner, String)> {
    let mut owners = Vec::new();
    if set.instruments {
        owners.extend(scene.instruments.iter().map(|i| (ChainOwner::Instrument(i.id), i.name.clone())));
    }
    if set.buses {
        owners.extend(scene.buses.iter().map(|b| (ChainOwner::Bus(b.id), b.name.clone())));
    }
    owners
}

/// `scene` with only instrument `only` and its clips (buses and master
/// stay, so its sends sound): a solo run costs one instrument, not all.
/// It stays muted if the mix mutes it (its own mute, or another solo).
fn solo_scene(scene: &AudioScene, only: InstrumentId) -> AudioScene {
    let any_solo = scene.instruments.iter().any(|i| i.mixer.solo);
    let mut s = scene.clone();
    s.instruments.retain(|i| i.id == only);
    for i in &mut s.instruments {
        if any_solo && !i.mixer.solo {
            i.mixer.mute = true;
        }
        i.mixer.solo = false;
    }
    s.clips.retain(|c| c.instrument == only);
    let clips: std::collections::HashSet<_> = s.clips.iter().map(|c| c.id).collect();
    s.placements.retain(|p| clips.contains(&p.clip));
    s
}

/// Builds the score rendering `spec` of `scene`: SynthDefs and the graph at
/// time 0, the timeline from `spec.start` to `spec.end` as the live engine
/// would play it, every voice released at the end, and the end bundle at
/// end + tail. `stop` is asked once per window.
///
/// # Errors
/// [`PlanError::TooLong`] when the music passes `spec.max_secs`,
/// [`PlanError::Cancelled`] when `stop()` turns true.
pub fn plan(scene: &AudioScene, spec: &OfflineSpec, stop: &dyn Fn() -> bool) -> Result<ScorePlan, PlanError> {
    let (shortest, _) = length_bounds(scene, spec.start, spec.end);
    if shortest > spec.max_secs {
        return Err(PlanError::TooLong { secs: shortest, limit: spec.max_secs });
    }
    let cut = cut_at(scene, spec.end);
    let solo;
    let scene = match spec.only {
        Some(only) => {
            solo = solo_scene(&cut, only);
            &solo
        }
        None => &cut,
    };
    let owners = stem_owners(scene, spec.stems);
    let stem_count = u32::try_from(owners.len()).unwrap_or(0);
    let channels = 2 + 2 * stem_count;
    // No hardware inputs in NRT here (`-i 0`): private buses follow the outputs.
    let config = GraphConfig { first_private_bus: channels, hardware_out: 0, ..GraphConfig::default() };
    let (mut graph, mut build) = SignalGraph::build(config, scene);

    let mut stems = Vec::with_capacity(owners.len());
    let mut taps = Vec::with_capacity(owners.len());
    for (k, (owner, name)) in owners.into_iter().enumerate() {
        let channel = 2 + 2 * u32::try_from(k).unwrap_or(0);
        if let Some(strip) = graph.strip_node(owner) {
            taps.push((owner, strip, channel));
        }
        stems.push(StemChannel { owner, name, channel });
    }
    let router = StemRouter::new(&taps, spec.pre_fader);
    router.route(&mut build);

    let mut backend = ScoreBackend::new();
    backend.load_synthdefs(synthdefs::ALL);
    // Recording into a score cannot fail (no size limit, no I/O).
    let _ = backend.execute(Timing::At(Timetag::from_secs_f64(0.0)), &build);

    let timeline = scene.clone();
    let mut playback = Playback::offline(SchedulerConfig { lookahead: 0.0 }, VoiceConfig::default());
    let mut batches = Vec::new();
    playback.diff(&AudioDiff::SceneLoaded(Box::new(timeline)), &mut batches);
    playback.transport(TransportCmd::SetMode(PlayMode::Song), &mut graph, &mut batches);
    playback.transport(TransportCmd::Seek(spec.start), &mut graph, &mut batches);
    playback.transport(TransportCmd::Play, &mut graph, &mut batches);

    let mut ends = VoiceEnds::default();
    let mut record = |batches: &mut Vec<Batch>, now: f64, ends: &mut VoiceEnds| {
        backend.set_now(now);
        for mut b in batches.drain(..) {
            let at = match b.timing {
                Timing::At(t) => t.as_secs_f64(),
                Timing::Now => now,
            };
            ends.observe(at, &b.ops);
            router.route(&mut b.ops);
            let _ = backend.execute(b.timing, &b.ops);
        }
    };
    record(&mut batches, 0.0, &mut ends);

    // Window by window in ticks: each ends on a tick of the tempo line in
    // force, about WINDOW seconds on, never past the last tick. A tempo
    // lane may bend the line inside a window; the next one follows it.
    let total = u64::from(spec.end.saturating_sub(spec.start));
    let max_windows = 2 * (spec.max_secs / WINDOW).ceil().min(1e12) as u64 + 4;
    let mut now = 0.0;
    let mut music_secs = 0.0;
    for window in 0.. {
        if stop() {
            return Err(PlanError::Cancelled);
        }
        let Some(line) = playback.tempo_line() else { break };
        music_secs = line.time_of(total);
        let reached = line.tick_at(now).max(0.0).ceil() as u64;
        if reached >= total || now >= music_secs {
            break;
        }
        let spt = line.time_of(reached + 1) - line.time_of(reached);
        let step = (WINDOW / spt).ceil().clamp(1.0, 1e9) as u64;
        let to = line.time_of((reached + step).min(total)).max(now);
        if to > spec.max_secs || window > max_windows {
            return Err(PlanError::TooLong { secs: to.max(music_secs), limit: spec.max_secs });
        }
        playback.set_virtual_now(now);
        for node in ends.due(now) {
            playback.node_ended(node);
        }
        playback.advance(to, &mut graph, &mut batches);
        record(&mut batches, now, &mut ends);
        now = to;
    }
    playback.set_virtual_now(music_secs);
    for node in ends.due(music_secs) {
        playback.node_ended(node);
    }
    playback.transport(TransportCmd::Stop, &mut graph, &mut batches);
    record(&mut batches, music_secs, &mut ends);

    let score = backend.finish(music_secs + spec.tail.max(0.0));
    Ok(ScorePlan { score, stems, channels, music_secs })
}
