//! The layer prompt (`layer`): the selected instrument plays another's
//! notes. Words in any order change what they name and keep the rest:
//!
//! - `of=NAME` or `of=N` (list position): the lead; without it, the
//!   current lead, else the nearest instrument above that is no layer;
//! - `+12`, `-7`, `0`: the semitone part of the offset; `oct=-1`: the
//!   octave part (offset = octaves × 12 + semitones, −48..=48);
//! - `vel=0.8`: velocity scale (0–2);
//! - `off`: unlink.

use imbolc_types::layer::{LAYER_SEMITONES, LAYER_VELOCITY};
use imbolc_types::{InstrumentId, LayerLink, Project};

/// The prompt's hint line.
pub const HINT: &str = " e.g. of=Bass oct=-1 +7 vel=0.8 · of=2 (list position) · off · Enter sets";

/// What the selected instrument's link is now, as the prompt shows it.
pub fn summary(p: &Project, link: Option<&LayerLink>) -> String {
    match link {
        Some(l) => {
            let lead = p.instruments.get(&l.lead).map_or("?", |i| i.name.as_str());
            format!("layer of {lead} {}", l.label())
        }
        None => "not a layer".to_owned(),
    }
}

/// Applies the words to `instrument`'s link (`None`: unlink).
///
/// # Errors
/// A message naming the word that is wrong.
pub fn parse(text: &str, p: &Project, instrument: InstrumentId) -> Result<Option<LayerLink>, String> {
    let current = p.instruments.get(&instrument).and_then(|i| i.def.layer);
    let mut lead = current.map(|l| l.lead);
    let (mut oct, mut semi) = current.map_or((0, 0), |l| (l.semitones / 12, l.semitones % 12));
    let mut velocity = current.map_or(1.0, |l| l.velocity);
    for w in text.split_whitespace() {
        let lower = w.to_ascii_lowercase();
        if lower == "off" {
            return Ok(None);
        }
        if let Some(v) = w.strip_prefix("of=") {
            lead = Some(find(p, v)?);
        } else if let Some(v) = lower.strip_prefix("oct=") {
            oct = v.trim_start_matches('+').parse().map_err(|_| format!("`{w}` is not a number of octaves"))?;
        } else if let Some(v) = lower.strip_prefix("vel=") {
            velocity = v.parse().map_err(|_| format!("`{w}` is not a velocity scale"))?;
        } else if let Ok(n) = lower.trim_start_matches('+').parse::<i8>() {
            semi = n;
        } else {
            return Err(format!("`{w}` is not of=, oct=, +semitones, vel= or off"));
        }
    }
    let lead = match lead {
        Some(l) => l,
        None => above(p, instrument).ok_or("name the lead: of=NAME")?,
    };
    let semitones = i16::from(oct) * 12 + i16::from(semi);
    let semitones = i8::try_from(semitones)
        .ok()
        .filter(|s| (LAYER_SEMITONES.0..=LAYER_SEMITONES.1).contains(s))
        .ok_or("the offset must be -48..=48 semitones (four octaves)")?;
    if !(LAYER_VELOCITY.0..=LAYER_VELOCITY.1).contains(&velocity) {
        return Err("the velocity scale must be 0–2".into());
    }
    Ok(Some(LayerLink { lead, semitones, velocity }))
}

/// The instrument named `v`, or at list position `v` (from 1).
fn find(p: &Project, v: &str) -> Result<InstrumentId, String> {
    if let Some(i) = p.instruments.values().find(|i| i.name.eq_ignore_ascii_case(v)) {
        return Ok(i.id);
    }
    v.parse::<usize>()
        .ok()
        .and_then(|n| p.instruments.get_index(n.checked_sub(1)?))
        .map(|(id, _)| *id)
        .ok_or_else(|| format!("no instrument named or numbered `{v}`"))
}

/// The nearest instrument above `instrument` that is no layer.
fn above(p: &Project, instrument: InstrumentId) -> Option<InstrumentId> {
    let at = p.instruments.get_index_of(&instrument)?;
    p.instruments.values().take(at).rev().find(|i| i.def.layer.is_none()).map(|i| i.id)
}

#[cfg(test)]
mod tests {
    use imbolc_types::SourceKind;

    use super::*;

    fn project() -> (Project, Vec<InstrumentId>) {
        let mut p = Project::new("t");
        for n in ["Lead", "Pad", "Sub"] {
            imbolc_core::dispatch::dispatch(
                &mut p,
                imbolc_types::Action::AddInstrument { source: SourceKind::SINE, name: n.into() },
            )
            .unwrap();
        }
        let ids = p.instruments.keys().copied().collect();
        (p, ids)
    }

    #[test]
    fn words_set_the_lead_offset_and_velocity() {
        let (p, ids) = project();
        let l = parse("", &p, ids[1]).unwrap().unwrap();
        assert_eq!((l.lead, l.semitones, l.velocity), (ids[0], 0, 1.0), "the instrument above by default");
        let l = parse("of=lead oct=-1 +7 vel=0.5", &p, ids[2]).unwrap().unwrap();
        assert_eq!((l.lead, l.semitones, l.velocity), (ids[0], -5, 0.5));
        assert_eq!(parse("of=2", &p, ids[2]).unwrap().unwrap().lead, ids[1]);
        assert_eq!(parse("off", &p, ids[1]).unwrap(), None);
        assert!(parse("", &p, ids[0]).is_err(), "nothing above the first");
        assert!(parse("oct=5", &p, ids[1]).unwrap_err().contains("-48..=48"));
        assert!(parse("vel=3", &p, ids[1]).is_err());
        assert!(parse("of=nobody", &p, ids[1]).unwrap_err().contains("nobody"));
        assert!(parse("banana", &p, ids[1]).unwrap_err().contains("banana"));
    }
}
