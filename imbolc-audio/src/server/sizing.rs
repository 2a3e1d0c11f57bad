//! Sizing scsynth for a project: real-time memory (`-m`), nodes (`-n`),
//! audio and control buses (`-a`, `-c`) and buffers (`-b`).
//!
//! scsynth fixes all of these at start. Its default real-time memory (8 MB)
//! holds about eight delay lines of two seconds, so a larger project lost
//! effects silently: a UGen that cannot allocate only says so in the
//! server's log ("alloc failed"), and `/s_new` refuses with "out of real
//! time memory". So the engine estimates what the project needs before it
//! starts a server, with room to grow, and restarts a larger server when an
//! edit needs more than the running one has, or when the server reports it
//! ran out anyway (see the engine's `restart.rs`).
//!
//! Memory per SynthDef was measured on scsynth 3.13 (see
//! [`rt_memory_kb`]); a SynthDef not in the table gets a generous guess,
//! and a refusal still grows the server.

use super::config::ServerConfig;

/// What a server must have room for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerSize {
    pub rt_memory_kb: u32,
    pub max_nodes: u32,
    pub audio_buses: u32,
    pub control_buses: u32,
    pub buffers: u32,
}

/// Real-time memory always kept free (voices, LFOs, what an edit adds).
const BASE_KB: u32 = 32 * 1024;
/// Voice nodes (and their memory) counted per instrument for headroom.
const VOICES_PER_INSTRUMENT: u64 = 32;

/// Real-time memory one synth of `def` takes, in KB (measured: a stereo
/// `DelayC` of two seconds is two 512 KB lines; `FreeVerb2` about 94 KB;
/// the small defs stay under 11 KB). Unknown effects are guessed large.
pub fn rt_memory_kb(def: &str) -> u32 {
    match def {
        "imbolc_delay" => 1100,
        "imbolc_reverb" => 100,
        d if d.starts_with("imbolc_drum_")
            || d == "imbolc_sampler"
            || d == "imbolc_sampler_zone"
            || d == "imbolc_stretch"
            || d == "imbolc_click" =>
        {
            16
        }
        "imbolc_saw" | "imbolc_sine" | "imbolc_square" | "imbolc_lpf" | "imbolc_strip" | "imbolc_master"
        | "imbolc_lfo" | "imbolc_stem_tap" | "imbolc_audio_in" => 16,
        _ => 512,
    }
}

impl ServerSize {
    /// What a graph needs whose own synths take `rt_kb` of real-time
    /// memory in `nodes` nodes, with `instruments` instruments (each with
    /// room for its voices) and the given (audio bus, control bus, buffer)
    /// high-water marks, with room to grow (half again, powers of two).
    pub fn needed(
        rt_kb: u64,
        nodes: u64,
        instruments: usize,
        (audio, control, buffers): (u32, u32, u32),
    ) -> ServerSize {
        let instruments = u64::try_from(instruments).unwrap_or(u64::MAX);
        let voices = instruments.saturating_mul(VOICES_PER_INSTRUMENT);
        let memory = u64::from(BASE_KB).saturating_add(rt_kb).saturating_add(voices.saturating_mul(16));
        let nodes = nodes.saturating_add(voices).saturating_add(1024);
        let clamp = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        ServerSize {
            rt_memory_kb: roomy_kb(clamp(memory)),
            max_nodes: roomy(clamp(nodes)),
            audio_buses: roomy(audio.saturating_add(64)),
            control_buses: roomy(control.saturating_add(64)),
            buffers: roomy(buffers.saturating_add(64)),
        }
    }

    /// The larger of each limit.
    pub fn max(self, other: ServerSize) -> ServerSize {
        ServerSize {
            rt_memory_kb: self.rt_memory_kb.max(other.rt_memory_kb),
            max_nodes: self.max_nodes.max(other.max_nodes),
            audio_buses: self.audio_buses.max(other.audio_buses),
            control_buses: self.control_buses.max(other.control_buses),
            buffers: self.buffers.max(other.buffers),
        }
    }

    /// Whether a server of this size has room for `need`.
    pub fn holds(&self, need: &ServerSize) -> bool {
        self.max(*need) == *self
    }

    /// The size a configuration asks for.
    pub fn of(config: &ServerConfig) -> ServerSize {
        ServerSize {
            rt_memory_kb: config.rt_memory_kb,
            max_nodes: config.max_nodes,
            audio_buses: config.audio_buses,
            control_buses: config.control_buses,
            buffers: config.buffers,
        }
    }

    /// `config` with at least this size.
    pub fn applied_to(&self, config: &ServerConfig) -> ServerConfig {
        let size = ServerSize::of(config).max(*self);
        ServerConfig {
            rt_memory_kb: size.rt_memory_kb,
            max_nodes: size.max_nodes,
            audio_buses: size.audio_buses,
            control_buses: size.control_buses,
            buffers: size.buffers,
            ..config.clone()
        }
    }
}

/// Half again as much, rounded up to a power of two.
fn roomy(n: u32) -> u32 {
    n.saturating_add(n / 2).checked_next_power_of_two().unwrap_or(u32::MAX)
}

/// A quarter more memory, rounded up to 32 MB (memory is reserved at
/// start, so powers of two would waste up to half of it).
fn roomy_kb(kb: u32) -> u32 {
    const STEP: u32 = 32 * 1024;
    kb.saturating_add(kb / 4).div_ceil(STEP).saturating_mul(STEP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_of_256_instruments_with_delays_gets_memory_for_every_delay_line() {
        let per_instrument: u32 = ["imbolc_delay", "imbolc_reverb", "imbolc_lpf", "imbolc_delay", "imbolc_strip"]
            .map(rt_memory_kb)
            .iter()
            .sum();
        let size = ServerSize::needed(u64::from(per_instrument) * 256, 256 * 8, 256, (600, 10, 64));
        assert!(size.rt_memory_kb >= 512 * 1100 + 256 * 100, "{size:?}");
        assert!(size.max_nodes >= 256 * 8 + 256 * 32, "{size:?}");
        assert!(size.audio_buses >= 600 && size.audio_buses.is_power_of_two());
        let small = ServerSize::needed(0, 10, 1, (4, 0, 64));
        assert!(size.holds(&small) && !small.holds(&size));
        let config = size.applied_to(&ServerConfig::default());
        assert_eq!(ServerSize::of(&config), size.max(ServerSize::of(&ServerConfig::default())));
        assert_eq!(rt_memory_kb("some_future_reverb"), 512, "unknown effects are guessed large");
    }
}
