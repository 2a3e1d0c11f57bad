//! `docs/sounds.md`, generated from the catalog: families, every source
//! with its description, parameters and CPU per voice, and the drum voices.
//!
//! The CPU figures are measured (by the sound check, 32 voices rendered with
//! `scsynth -N`), so they are kept in the page itself: regenerating reads
//! them back from the current page unless new measurements are given.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use imbolc_types::catalog::{ParamScale, SourceFamily, SourceKind, VOICE_CONTROLS};
use imbolc_types::drums::DrumVoice;

/// Where the page lives, from the workspace root.
pub const PATH: &str = "docs/sounds.md";

/// Column heading of the CPU figures (parsed back by [`cpu_figures`]).
const CPU_HEADING: &str = "CPU / voice";

/// The page for `cpu` (source id → fraction of one core per voice).
pub fn render(cpu: &BTreeMap<String, f64>) -> String {
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
         glide in seconds, the seed of its random generators). The mod wheel\n\
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
    out
}

/// The CPU figures of a page [`render`] wrote (id → fraction of a core).
pub fn cpu_figures(page: &str) -> BTreeMap<String, f64> {
    page.lines()
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
        let page = render(&cpu);
        let back = cpu_figures(&page);
        assert_eq!(back.len(), SourceKind::COUNT);
        assert!(back.values().all(|c| (c - 0.0123).abs() < 1e-6));
        assert_eq!(render(&back), page);
    }
}
