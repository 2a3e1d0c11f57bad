//! The compiled SynthDefs, embedded in the binary so loading them with
//! `/d_recv` works whatever the working directory, plus a reader of the
//! SynthDef2 format ([`reader`]) that checks the catalog against them and
//! reads users' own SynthDefs ([`custom`]).

pub mod custom;
pub mod reader;

/// One compiled SynthDef: its name and its `.scsyndef` bytes.
#[derive(Debug, Clone, Copy)]
pub struct CompiledDef {
    pub name: &'static str,
    pub bytes: &'static [u8],
}

macro_rules! compiled {
    ($($name:literal),* $(,)?) => {
        &[$(CompiledDef {
            name: $name,
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../synthdefs/compiled/", $name, ".scsyndef")),
        }),*]
    };
}

/// Every SynthDef Imbolc loads at boot. A test checks this matches the files
/// in `synthdefs/compiled/`.
pub const ALL: &[CompiledDef] = compiled!(
    "imbolc_acid",
    "imbolc_additive",
    "imbolc_allpass_voice",
    "imbolc_analog_pad",
    "imbolc_audio_clip",
    "imbolc_audio_in",
    "imbolc_auto_pan",
    "imbolc_auto_wah",
    "imbolc_band_pass_voice",
    "imbolc_bass_guitar",
    "imbolc_bitcrusher",
    "imbolc_blip",
    "imbolc_bowed",
    "imbolc_brass_stab",
    "imbolc_cabinet",
    "imbolc_celesta",
    "imbolc_choir",
    "imbolc_chorus",
    "imbolc_clarinet",
    "imbolc_click",
    "imbolc_comb_voice",
    "imbolc_compressor",
    "imbolc_convolution",
    "imbolc_convolution_ir",
    "imbolc_crackle",
    "imbolc_dc_blocker",
    "imbolc_delay",
    "imbolc_disk_record",
    "imbolc_dj_eq",
    "imbolc_downsample",
    "imbolc_drum_clap",
    "imbolc_drum_clave",
    "imbolc_drum_conga",
    "imbolc_drum_cowbell",
    "imbolc_drum_crash",
    "imbolc_drum_hat_closed",
    "imbolc_drum_hat_open",
    "imbolc_drum_kick",
    "imbolc_drum_ride",
    "imbolc_drum_rim",
    "imbolc_drum_shaker",
    "imbolc_drum_snare",
    "imbolc_drum_tom",
    "imbolc_env_filter",
    "imbolc_epiano",
    "imbolc_eq12",
    "imbolc_expander",
    "imbolc_fb_sine",
    "imbolc_flanger",
    "imbolc_flt_allpass",
    "imbolc_flt_bpf",
    "imbolc_flt_comb",
    "imbolc_flt_formant",
    "imbolc_flt_hpf",
    "imbolc_flt_ladder",
    "imbolc_flt_notch",
    "imbolc_flt_svf",
    "imbolc_fm2",
    "imbolc_fm_bass",
    "imbolc_fm_bell",
    "imbolc_fm_brass",
    "imbolc_fm_epiano",
    "imbolc_fm_pad",
    "imbolc_formant",
    "imbolc_formant_voice",
    "imbolc_freq_shift",
    "imbolc_fuzz",
    "imbolc_gain",
    "imbolc_gate",
    "imbolc_gendy",
    "imbolc_glockenspiel",
    "imbolc_granular",
    "imbolc_granular_delay",
    "imbolc_guitar",
    "imbolc_hall",
    "imbolc_handpan",
    "imbolc_hard_sync",
    "imbolc_harp",
    "imbolc_henon",
    "imbolc_high_pass_voice",
    "imbolc_hoover",
    "imbolc_kalimba",
    "imbolc_koto",
    "imbolc_ks_pluck",
    "imbolc_ladder_voice",
    "imbolc_lfo",
    "imbolc_lofi",
    "imbolc_logistic",
    "imbolc_low_pass_voice",
    "imbolc_lpf",
    "imbolc_marimba",
    "imbolc_master",
    "imbolc_membrane",
    "imbolc_mono_bass",
    "imbolc_moog_bass",
    "imbolc_ms_balance",
    "imbolc_multi_tap",
    "imbolc_multiband",
    "imbolc_music_box",
    "imbolc_noise",
    "imbolc_notch_voice",
    "imbolc_organ",
    "imbolc_overdrive",
    "imbolc_phase_invert",
    "imbolc_phaser",
    "imbolc_piano",
    "imbolc_ping_pong",
    "imbolc_pipe",
    "imbolc_pitch_shift",
    "imbolc_plate",
    "imbolc_pluck_lead",
    "imbolc_pm",
    "imbolc_poly_synth",
    "imbolc_pulse",
    "imbolc_reese",
    "imbolc_reverb",
    "imbolc_ring",
    "imbolc_ring_mod",
    "imbolc_rotary",
    "imbolc_sampler",
    "imbolc_sampler_zone",
    "imbolc_saw",
    "imbolc_sc_comp",
    "imbolc_shimmer",
    "imbolc_sine",
    "imbolc_sitar",
    "imbolc_spectral_blur",
    "imbolc_spectral_freeze",
    "imbolc_spring",
    "imbolc_square",
    "imbolc_steel_drum",
    "imbolc_stem_tap",
    "imbolc_stretch",
    "imbolc_strings",
    "imbolc_strip",
    "imbolc_stutter",
    "imbolc_sub_bass",
    "imbolc_supersaw",
    "imbolc_svf_voice",
    "imbolc_tape_delay",
    "imbolc_tape_sat",
    "imbolc_tilt_eq",
    "imbolc_transient",
    "imbolc_tremolo",
    "imbolc_triangle",
    "imbolc_tubular_bell",
    "imbolc_vibraphone",
    "imbolc_vibrato",
    "imbolc_view_tap",
    "imbolc_vocoder",
    "imbolc_vosim",
    "imbolc_wavefolder",
    "imbolc_wavetable",
    "imbolc_widener",
    "imbolc_wobble",
    "imbolc_xylophone",
);

/// The built-in drum voices (one-shot: `out`, `amp`, `vel`, `pitch` in
/// semitones, `seed`; they free themselves), so a kit sounds with no sample files.
pub const DRUM_VOICES: &[&str] = &[
    "imbolc_drum_kick",
    "imbolc_drum_snare",
    "imbolc_drum_clap",
    "imbolc_drum_hat_closed",
    "imbolc_drum_hat_open",
    "imbolc_drum_tom",
    "imbolc_drum_rim",
    "imbolc_drum_cowbell",
    "imbolc_drum_clave",
    "imbolc_drum_conga",
    "imbolc_drum_shaker",
    "imbolc_drum_crash",
    "imbolc_drum_ride",
];

/// The sample player voice (`out`, `buf`, `amp`, `vel`, `rate`).
pub const SAMPLER: &str = "imbolc_sampler";
/// The take recorder (`synthdefs/util/disk_record.scd`): `DiskOut` of a
/// stereo bus into an open sound file, with a level meter.
pub const DISK_RECORD: &str = "imbolc_disk_record";

/// The views' tap (`synthdefs/util/view_tap.scd`): copies a stereo bus
/// into a ring buffer read back chunk by chunk (`in`, `buf`, `chunk`,
/// `chunks`, `id`); see [`crate::views`].
pub const VIEW_TAP: &str = "imbolc_view_tap";

/// The tempo-synced loop player (the sampler's controls plus `beats`, the
/// loop's length, and `tempo` in bpm, which a `/n_set` on the kit's voices
/// group changes while it plays): a loop pad, see `graph/drums.rs`.
pub const STRETCH: &str = "imbolc_stretch";
/// The voice of one sampler zone (`buf`, `rate`, `gain`, `start`, `end`,
/// `loop`, `loopstart`, `loopend`, `xfade`, `reverse`, `oneshot` besides
/// the voice controls); see `graph/sampler.rs`.
pub const SAMPLER_ZONE: &str = "imbolc_sampler_zone";

/// The voice of an audio clip (`buf`, `start`, `pos`, `end`, `gain`,
/// `fadein`, `fadeout` besides the voice controls); see
/// `graph/audio_clip.rs`.
pub const AUDIO_CLIP: &str = "imbolc_audio_clip";

/// The convolution effect with an IR from the store (`bus`, `spec`: the
/// PreparePartConv buffer, `mix`); see `graph/convolution.rs`.
pub const CONVOLUTION_IR: &str = "imbolc_convolution_ir";

/// The metronome click (`out`, `amp`, `accent` 0/1; one-shot, frees itself).
pub const CLICK: &str = "imbolc_click";

/// Looks up a compiled SynthDef by name.
pub fn find(name: &str) -> Option<&'static CompiledDef> {
    ALL.iter().find(|d| d.name == name)
}

pub use reader::{DefParseError, DefSummary, ParsedDef, parse, summarize};

#[cfg(test)]
mod tests {
    use super::*;
    use imbolc_types::catalog::{self, EffectKind, FilterKind, SourceKind};

    fn controls(name: &str) -> Vec<String> {
        let def = find(name).unwrap_or_else(|| panic!("{name} is not embedded"));
        let summary = summarize(def.bytes).unwrap();
        assert_eq!(summary.name, name);
        summary.controls.into_iter().map(|(n, _)| n).collect()
    }

    #[test]
    fn embedded_list_matches_the_compiled_folder() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../synthdefs/compiled");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".scsyndef").to_owned())
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = ALL.iter().map(|d| d.name.to_owned()).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk);
    }

    #[test]
    fn every_catalog_parameter_is_a_control_of_its_synthdef() {
        for kind in SourceKind::ALL {
            let names = controls(kind.synthdef());
            for control in catalog::VOICE_CONTROLS.iter().copied().chain(kind.params().iter().map(|p| p.id)) {
                assert!(names.iter().any(|n| n == control), "{} lacks {control}", kind.synthdef());
            }
        }
        for kind in EffectKind::ALL {
            let names = controls(kind.synthdef());
            assert!(names.iter().any(|n| n == "bus"), "{} lacks bus", kind.synthdef());
            for spec in kind.params() {
                assert!(names.iter().any(|n| n == spec.id), "{} lacks {}", kind.synthdef(), spec.id);
            }
        }
        for kind in FilterKind::ALL {
            let names = controls(kind.synthdef());
            for spec in kind.params() {
                assert!(names.contains(&spec.id.to_owned()), "{} lacks {}", kind.synthdef(), spec.id);
            }
        }
        let strip = controls(catalog::STRIP_SYNTHDEF);
        for c in ["in", "out", "level", "pan", "mute", "id", "send0bus", "send3"] {
            assert!(strip.contains(&c.to_owned()), "strip lacks {c}");
        }
        let master = controls(catalog::MASTER_SYNTHDEF);
        for c in ["in", "out", "level", "mute", "id"] {
            assert!(master.contains(&c.to_owned()), "master lacks {c}");
        }
    }

    #[test]
    fn catalog_defaults_match_synthdef_defaults() {
        let sources = SourceKind::ALL.iter().map(|k| (k.synthdef(), k.params()));
        let effects = EffectKind::ALL.iter().map(|k| (k.synthdef(), k.params()));
        for (synthdef, params) in sources.chain(effects) {
            let summary = summarize(find(synthdef).unwrap().bytes).unwrap();
            for spec in params {
                let (_, default) = summary.controls.iter().find(|(n, _)| n == spec.id).unwrap();
                assert!((default - spec.default).abs() < 1e-6, "{synthdef}.{}: {default} in the SynthDef", spec.id);
            }
        }
    }

    #[test]
    fn drum_and_sampler_voices_have_their_controls() {
        for name in DRUM_VOICES {
            let names = controls(name);
            for c in ["out", "amp", "vel", "pitch", "seed"] {
                assert!(names.iter().any(|n| n == c), "{name} lacks {c}");
            }
        }
        let names = controls(SAMPLER);
        for c in ["out", "buf", "amp", "vel", "rate", "start", "frames"] {
            assert!(names.iter().any(|n| n == c), "{SAMPLER} lacks {c}");
        }
        let names = controls(STRETCH);
        for c in ["out", "buf", "amp", "vel", "rate", "start", "frames", "beats", "tempo"] {
            assert!(names.iter().any(|n| n == c), "{STRETCH} lacks {c}");
        }
    }

    /// The engine loads each def with one `/d_recv` datagram.
    #[test]
    fn every_def_fits_in_one_udp_datagram() {
        for def in ALL {
            assert!(
                def.bytes.len() < 60_000,
                "{} is {} bytes: too big for /d_recv over UDP",
                def.name,
                def.bytes.len()
            );
        }
    }
}
