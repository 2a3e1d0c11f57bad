//! `docs/sounds.md`, generated from the catalog: families, every source
//! with its description, parameters and CPU per voice, the drum voices,
//! the filters, and every effect with its tail, CPU per instance and
//! latency.
//!
//! The CPU figures are measured (by the sound check, 32 voices rendered with
//! `scsynth -N`), so they are kept in the page itself: regenerating reads
//! them back from the current page unless new measurements are given.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use imbolc_types::catalog::{
    EffectFamily, EffectKind, FilterFamily, FilterKind, ParamScale, ParamSpec, SourceFamily, SourceKind, VOICE_CONTROLS,
};
use imbolc_types::drums::DrumVoice;

/// Where the page lives, from the workspace root.
pub const PATH: &str = "docs/sounds.md";

/// Column heading of the CPU figures (parsed back by [`cpu_figures`]).
const CPU_HEADING: &str = "CPU / voice";

/// Heading that starts the effects part of the page (the figures of the
/// two parts are parsed apart: a filter and a source may share an id).
const EFFECTS_HEADING: &str = "# Effects and filters";

/// What the effect sound check measured of one effect.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EffectFigures {
    /// Fraction of one core per instance.
    pub cpu: f64,
    /// Impulse → output peak, ms.
    pub latency_ms: f64,
}

/// The effect parameters the catalog lets follow the tempo, as
/// `effect.param`.
fn tempo_params() -> Vec<String> {
    EffectKind::ALL
        .iter()
        .flat_map(|k| {
            let spec = k.spec();
            spec.params.iter().filter(|p| p.sync.is_some()).map(move |p| format!("`{}.{}`", spec.id, p.id))
        })
        .collect()
}

fn param_list(params: &[ParamSpec]) -> String {
    params
        .iter()
        .map(|p| {
            let unit = if p.unit.is_empty() { String::new() } else { format!(" {}", p.unit) };
            let scale = if p.scale == ParamScale::Exponential { ", exp" } else { "" };
            format!("`{}` {}–{}{unit} ({}{scale})", p.id, p.min, p.max, p.default)
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

/// The page for `cpu` (source id → fraction of one core per voice) and
/// `fx` (effect id → its figures).
pub fn render(cpu: &BTreeMap<String, f64>, fx: &BTreeMap<String, EffectFigures>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Sounds\n");
    let _ = writeln!(
        out,
        "Generated from the sound catalog (`imbolc-types/src/catalog/`) by\n\
         `IMBOLC_UPDATE_SOUNDS=1 cargo test -p imbolc-tests --test sound_check`;\n\
         a test checks this page matches the catalog. Every source passes the\n\
         sound check (in tune within 15 cents, velocity, every parameter\n\
         audible, clean ending, reproducible; see `tests/src/sound_check/`).\n"
    );
    let _ = writeln!(
        out,
        "Every source also has the voice controls {} (pitch bend in semitones,\n\
         glide in seconds, the seed of its random generators, what the end of\n\
         the envelope frees: the voice, or its own filter too). The mod wheel\n\
         (CC 1), when not mapped, moves the parameter marked *timbre*. CPU is\n\
         the share of one core a held voice costs in real time, measured by\n\
         rendering 32 voices with `scsynth -N` on the machine that last\n\
         regenerated this page.\n",
        VOICE_CONTROLS.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
    );
    let _ = writeln!(out, "| family | sources |\n| --- | --- |");
    for family in SourceFamily::ALL {
        let _ = writeln!(out, "| {} | {} |", family.label(), SourceKind::of_family(family).count());
    }
    let _ = writeln!(out, "| **all** | **{}** |\n", SourceKind::COUNT);
    for family in SourceFamily::ALL {
        let _ = writeln!(out, "## {}\n", family.label());
        let env = family.default_envelope();
        let _ = writeln!(
            out,
            "Envelope: attack {} s, decay {} s, sustain {}, release {} s (unless a source says otherwise).\n",
            env.attack, env.decay, env.sustain, env.release
        );
        let _ = writeln!(out, "| source | id | description | parameters | pitched | {CPU_HEADING} |");
        let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- |");
        for kind in SourceKind::of_family(family) {
            let spec = kind.spec();
            let params: Vec<String> = spec
                .params
                .iter()
                .map(|p| {
                    let unit = if p.unit.is_empty() { String::new() } else { format!(" {}", p.unit) };
                    let scale = if p.scale == ParamScale::Exponential { ", exp" } else { "" };
                    let timbre = if p.id == spec.timbre { " *timbre*" } else { "" };
                    format!("`{}` {}–{}{unit} ({}{scale}){timbre}", p.id, p.min, p.max, p.default)
                })
                .collect();
            let own_env = if spec.envelope == family.default_envelope() {
                String::new()
            } else {
                let e = spec.envelope;
                format!(" Envelope {}/{}/{}/{}.", e.attack, e.decay, e.sustain, e.release)
            };
            let cpu = cpu.get(spec.id).map_or_else(|| "?".to_owned(), |c| format!("{:.2}%", c * 100.0));
            let _ = writeln!(
                out,
                "| {} | `{}` | {}.{own_env} | {} | {} | {cpu} |",
                spec.label,
                spec.id,
                spec.description,
                params.join("<br>"),
                if spec.pitched { "yes" } else { "no" }
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "## Drum voices\n");
    let _ = writeln!(
        out,
        "One-shot voices for drum kit pads (controls `out`, `amp`, `vel`, `pitch` in\n\
         semitones, `seed`); the default kit offers every one.\n"
    );
    let _ = writeln!(out, "| voice | SynthDef | description |\n| --- | --- | --- |");
    for voice in DrumVoice::ALL {
        let _ = writeln!(out, "| {} | `{}` | {}. |", voice.name(), voice.synthdef(), voice.description());
    }
    render_effects(&mut out, fx);
    out
}

fn render_effects(out: &mut String, fx: &BTreeMap<String, EffectFigures>) {
    let _ = writeln!(out, "\n{EFFECTS_HEADING}\n");
    let _ = writeln!(
        out,
        "Every effect reads its stereo bus and replaces it (`ReplaceOut`); bypass\n\
         (`b`) pauses its node, which passes the bus unchanged. Every parameter\n\
         can be automated and MIDI-learned. The effect sound check\n\
         (`cargo test -p imbolc-tests --test sound_check_effects`) feeds each one\n\
         silence, an impulse, a sine sweep and pink noise: silence stays silent,\n\
         the output is finite and at most 6 dB over the input (except the gain\n\
         utility), the tail falls under -90 dBFS within the declared tail (a\n\
         render's automatic tail), bypass equals the input, every parameter is\n\
         audible and no two effects sound the same. CPU is the share of one core\n\
         an instance costs in real time (8 instances rendered on pink noise with\n\
         `scsynth -N`); latency is the time from an impulse to the output's peak\n\
         with `mix` at 1 (for delays and reverbs that is their first echo or\n\
         build-up, not a processing delay; n/a: nothing came out within 300 ms\n\
         of the impulse, a longer delay or an effect that hides a lone impulse).\n"
    );
    let _ = writeln!(
        out,
        "Times and rates are in seconds and Hz. These can follow the tempo as a note\n\
         division (`s` on their row in the editor, see docs/automation.md): {}.\n",
        tempo_params().join(", ")
    );
    let _ = writeln!(
        out,
        "The convolution reverb checked here uses its short built-in impulse\n\
         response. With an IR from the sample store (`I` on it in the editor) it\n\
         convolves with PartConv at FFT size 2048: the IR comes out sample for\n\
         sample 960 frames after the input (half the FFT less one 64-frame\n\
         block: 20 ms at 48 kHz), measured by `tests/tests/convolution.rs`.\n"
    );
    let _ = writeln!(out, "| family | effects |\n| --- | --- |");
    for family in EffectFamily::ALL {
        let _ = writeln!(out, "| {} | {} |", family.label(), EffectKind::of_family(family).count());
    }
    let _ = writeln!(out, "| **all** | **{}** |\n", EffectKind::COUNT);
    let _ = writeln!(out, "## Instrument filters\n");
    let _ = writeln!(
        out,
        "The filter slot of an instrument (`f` adds or removes it in the editor; `h`/`l`\n\
         on its row change its type, keeping `cutoff` and `resonance`). The same\n\
         filters are effects too (family Filters below).\n"
    );
    let _ = writeln!(out, "| filter | id | description | parameters |\n| --- | --- | --- | --- |");
    for family in FilterFamily::ALL {
        for kind in FilterKind::ALL.iter().filter(|k| k.family() == family) {
            let spec = kind.spec();
            let _ = writeln!(
                out,
                "| {} | `{}` | {}. | {} |",
                spec.label,
                spec.id,
                spec.description,
                param_list(spec.params)
            );
        }
    }
    let _ = writeln!(out, "\n### Filter envelope and key tracking\n");
    let _ = writeln!(
        out,
        "Every instrument filter also has an envelope and key tracking (editor rows\n\
         below the filter's parameters; automatable and MIDI-learnable like them).\n\
         `env_amount` is in octaves: at the envelope's peak the cutoff (the vowel\n\
         filter: its formants) is that many octaves higher, or lower when negative.\n\
         `key_track` 1 moves the cutoff one octave per octave of the note, unchanged\n\
         at middle C. While either is not zero each note gets its own filter, which\n\
         opens from that note's onset (a voice per note: overlapping notes sweep\n\
         separately); at zero the instrument uses its one shared filter after the\n\
         voices. Drum kits, and your own SynthDefs without a `done` control (see\n\
         docs/custom-synthdefs.md), keep the shared filter (no envelope); an LFO\n\
         on the filter modulates the shared filter only.\n"
    );
    let _ = writeln!(out, "| parameter | id | range (default) |\n| --- | --- | --- |");
    for spec in imbolc_types::filter_env::FILTER_ENV_PARAMS {
        let unit = if spec.unit.is_empty() { String::new() } else { format!(" {}", spec.unit) };
        let _ =
            writeln!(out, "| {} | `{}` | {}–{}{unit} ({}) |", spec.label, spec.id, spec.min, spec.max, spec.default);
    }
    for family in EffectFamily::ALL {
        let _ = writeln!(out, "\n## {}\n", family.label());
        let _ = writeln!(out, "| effect | id | description | parameters | tail | CPU / instance | latency |");
        let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- | --- |");
        for kind in EffectKind::of_family(family) {
            let spec = kind.spec();
            let (cpu, latency) = fx.get(spec.id).map_or_else(
                || ("?".to_owned(), "?".to_owned()),
                |f| (format!("{:.2}%", f.cpu * 100.0), latency_cell(f.latency_ms)),
            );
            let gain = if spec.gain_stage { " Gain stage." } else { "" };
            let _ = writeln!(
                out,
                "| {} | `{}` | {}.{gain} | {} | {} s | {cpu} | {latency} |",
                spec.label,
                spec.id,
                spec.description,
                param_list(spec.params),
                spec.tail_secs
            );
        }
    }
}

/// A latency cell: "n/a" when the check saw no output within 300 ms.
fn latency_cell(ms: f64) -> String {
    if ms.is_nan() { "n/a".to_owned() } else { format!("{ms:.1} ms") }
}

/// The effect figures of a page [`render`] wrote (id → figures).
pub fn effect_figures(page: &str) -> BTreeMap<String, EffectFigures> {
    page.lines()
        .skip_while(|line| *line != EFFECTS_HEADING)
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // "", effect, id, description, parameters, tail, cpu, latency, ""
            let id = cells.get(2)?.strip_prefix('`')?.strip_suffix('`')?;
            let cpu = cells.get(6)?.strip_suffix('%')?.parse::<f64>().ok()?;
            let latency = *cells.get(7)?;
            let latency_ms =
                if latency == "n/a" { f64::NAN } else { latency.strip_suffix(" ms")?.parse::<f64>().ok()? };
            Some((id.to_owned(), EffectFigures { cpu: cpu / 100.0, latency_ms }))
        })
        .collect()
}

/// The CPU figures of a page [`render`] wrote (id → fraction of a core).
pub fn cpu_figures(page: &str) -> BTreeMap<String, f64> {
    page.lines()
        .take_while(|line| *line != EFFECTS_HEADING)
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // "", source, id, description, parameters, pitched, cpu, ""
            let id = cells.get(2)?.strip_prefix('`')?.strip_suffix('`')?;
            let cpu = cells.get(6)?.strip_suffix('%')?.parse::<f64>().ok()?;
            Some((id.to_owned(), cpu / 100.0))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_figures_survive_a_round_trip() {
        let cpu: BTreeMap<String, f64> = SourceKind::ALL.iter().map(|k| (k.id().to_owned(), 0.0123)).collect();
        let fx: BTreeMap<String, EffectFigures> = EffectKind::ALL
            .iter()
            .map(|k| (k.id().to_owned(), EffectFigures { cpu: 0.0045, latency_ms: 42.5 }))
            .collect();
        let page = render(&cpu, &fx);
        let back = cpu_figures(&page);
        assert_eq!(back.len(), SourceKind::COUNT);
        assert!(back.values().all(|c| (c - 0.0123).abs() < 1e-6));
        let fx_back = effect_figures(&page);
        assert_eq!(fx_back.len(), EffectKind::COUNT);
        assert!(fx_back.values().all(|f| (f.cpu - 0.0045).abs() < 1e-6 && (f.latency_ms - 42.5).abs() < 1e-6));
        assert_eq!(render(&back, &fx_back), page);
    }
}
