use std::collections::HashSet;

use super::*;

#[test]
fn ids_are_unique_and_named_constants_find_their_entry() {
    let ids: HashSet<&str> = SourceKind::ALL.iter().map(|k| k.id()).collect();
    assert_eq!(ids.len(), SourceKind::COUNT);
    let defs: HashSet<&str> = SourceKind::ALL.iter().map(|k| k.synthdef()).collect();
    assert_eq!(defs.len(), SourceKind::COUNT, "one SynthDef per source");
    assert_eq!(EffectKind::ALL.iter().map(|k| k.id()).collect::<HashSet<_>>().len(), EffectKind::COUNT);
    assert_eq!(FilterKind::ALL.iter().map(|k| k.id()).collect::<HashSet<_>>().len(), FilterKind::COUNT);
    assert_eq!(SourceKind::SAW.id(), "saw");
    assert_eq!(SourceKind::SQUARE.synthdef(), "imbolc_square");
    assert_eq!(EffectKind::REVERB.id(), "reverb");
    assert_eq!(FilterKind::LOW_PASS.params(), EffectKind::LOW_PASS.params());
}

#[test]
fn every_kind_round_trips_through_its_id() {
    for k in SourceKind::ALL {
        assert_eq!(SourceKind::from_id(k.id()), Some(k));
    }
    for k in EffectKind::ALL {
        assert_eq!(EffectKind::from_id(k.id()), Some(k));
    }
    for k in FilterKind::ALL {
        assert_eq!(FilterKind::from_id(k.id()), Some(k));
    }
    assert_eq!(SourceKind::from_id("no such source"), None);
}

#[test]
fn legacy_enum_names_still_resolve() {
    assert_eq!(SourceKind::from_id("Saw"), Some(SourceKind::SAW));
    assert_eq!(SourceKind::from_id("Sine"), Some(SourceKind::SINE));
    assert_eq!(SourceKind::from_id("Square"), Some(SourceKind::SQUARE));
    assert_eq!(FilterKind::from_id("LowPass"), Some(FilterKind::LOW_PASS));
    assert_eq!(EffectKind::from_id("Delay"), Some(EffectKind::DELAY));
    assert_eq!(EffectKind::from_id("Reverb"), Some(EffectKind::REVERB));
    assert_eq!(EffectKind::from_id("LowPass"), Some(EffectKind::LOW_PASS));
}

#[test]
fn there_are_at_least_sixty_sources_in_every_family() {
    const { assert!(SourceKind::COUNT >= 60, "at least sixty sources") };
    for family in SourceFamily::ALL {
        assert!(SourceKind::of_family(family).count() >= 2, "{family:?} is nearly empty");
    }
}

#[test]
fn families_list_every_entry_once_in_picker_order() {
    let mut seen = Vec::new();
    for family in SourceFamily::ALL {
        seen.extend(SourceKind::of_family(family));
    }
    assert_eq!(seen, SourceKind::ALL.to_vec());
}

#[test]
fn every_source_is_well_formed() {
    for k in SourceKind::ALL {
        let spec = k.spec();
        assert_eq!(spec.params.first().map(|p| p.id), Some("amp"), "{}: amp comes first", spec.id);
        let timbre = spec.params.len() - 1;
        assert!((2..=6).contains(&timbre), "{}: {timbre} timbre parameters, needs 2 to 6", spec.id);
        assert!(spec.timbre_param().is_some(), "{}: timbre param {} is one of its params", spec.id, spec.timbre);
        assert!(spec.synthdef.starts_with("imbolc_"), "{}", spec.id);
        assert!(!spec.description.is_empty() && !spec.description.ends_with('.'), "{}: one line", spec.id);
        let ids: HashSet<&str> = spec.params.iter().map(|p| p.id).collect();
        assert_eq!(ids.len(), spec.params.len(), "{}: duplicate parameter id", spec.id);
        for p in spec.params {
            assert!(p.min < p.max && (p.min..=p.max).contains(&p.default), "{}.{}: range", spec.id, p.id);
            assert!(!VOICE_CONTROLS.contains(&p.id) || p.id == "amp", "{}.{} shadows a voice control", spec.id, p.id);
            assert!(p.scale == ParamScale::Linear || p.min > 0.0, "{}.{}: exponential needs min > 0", spec.id, p.id);
        }
    }
}

/// rmp-serde encodes a unit enum variant as its name, exactly like a
/// string, so a kind's new encoding is a plain string too.
#[test]
fn kinds_serialise_as_their_stable_id() {
    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Holder {
        source: SourceKind,
        filter: FilterKind,
        effects: Vec<EffectKind>,
    }
    let h = Holder { source: SourceKind::SQUARE, filter: FilterKind::LOW_PASS, effects: vec![EffectKind::DELAY] };
    assert_eq!(format!("{:?}", h.source), "SourceKind(\"square\")");
    let visitor_sees = |s: &str| {
        use serde::de::IntoDeserializer;
        let d: serde::de::value::StrDeserializer<'_, serde::de::value::Error> = s.into_deserializer();
        <SourceKind as serde::Deserialize>::deserialize(d)
    };
    assert_eq!(visitor_sees("square").ok(), Some(SourceKind::SQUARE));
    assert_eq!(visitor_sees("Square").ok(), Some(SourceKind::SQUARE));
    let err = visitor_sees("theremin").expect_err("unknown ids are refused");
    assert!(err.to_string().contains("unknown source \"theremin\""), "{err}");
}

#[test]
fn there_are_at_least_forty_effects_and_eight_filters() {
    const { assert!(EffectKind::COUNT >= 40, "at least forty effects") };
    const { assert!(FilterKind::COUNT >= 8, "at least eight filters") };
    let mut seen = Vec::new();
    for family in EffectFamily::ALL {
        let n = EffectKind::of_family(family).count();
        assert!(n >= 2, "{family:?} is nearly empty");
        seen.extend(EffectKind::of_family(family));
    }
    assert_eq!(seen, EffectKind::ALL.to_vec(), "families list every effect once in picker order");
    for f in FilterKind::ALL {
        let e = EffectKind::from_id(f.id()).unwrap_or_else(|| panic!("filter {} is not an effect", f.id()));
        assert_eq!((e.synthdef(), e.params()), (f.synthdef(), f.params()), "{}", f.id());
        assert_eq!(e.family(), EffectFamily::Filter);
    }
}

#[test]
fn every_effect_is_well_formed() {
    let defs: HashSet<&str> = EffectKind::ALL.iter().map(|k| k.synthdef()).collect();
    assert_eq!(defs.len(), EffectKind::COUNT, "one SynthDef per effect");
    for k in EffectKind::ALL {
        let spec = k.spec();
        assert!(spec.synthdef.starts_with("imbolc_"), "{}", spec.id);
        assert!(!spec.description.is_empty() && !spec.description.ends_with('.'), "{}: one line", spec.id);
        assert!(spec.tail_secs >= 0.0 && spec.tail_secs <= 30.0, "{}: tail", spec.id);
        assert!(!spec.params.is_empty(), "{}: has parameters", spec.id);
        let ids: HashSet<&str> = spec.params.iter().map(|p| p.id).collect();
        assert_eq!(ids.len(), spec.params.len(), "{}: duplicate parameter id", spec.id);
        for p in spec.params {
            assert!(p.min < p.max && (p.min..=p.max).contains(&p.default), "{}.{}: range", spec.id, p.id);
            assert!(p.id != "bus", "{}: bus is set by the engine", spec.id);
            assert!(p.scale == ParamScale::Linear || p.min > 0.0, "{}.{}: exponential needs min > 0", spec.id, p.id);
        }
    }
    assert_eq!(EffectKind::ALL.iter().filter(|k| k.spec().gain_stage).map(|k| k.id()).collect::<Vec<_>>(), ["gain"]);
}

#[test]
fn filter_types_cycle_through_the_whole_catalog() {
    let mut k = FilterKind::LOW_PASS;
    let mut seen = HashSet::new();
    for _ in 0..FilterKind::COUNT {
        seen.insert(k);
        assert_eq!(k.cycle(true).cycle(false), k);
        k = k.cycle(true);
    }
    assert_eq!(k, FilterKind::LOW_PASS);
    assert_eq!(seen.len(), FilterKind::COUNT);
    for f in FilterKind::ALL {
        assert!(f.params().iter().any(|p| p.id == "resonance"), "{}: keeps resonance across types", f.id());
    }
}

#[test]
fn every_effect_has_its_scd_in_its_family_folder() {
    for k in EffectKind::ALL {
        let path = format!("{}/../synthdefs/fx/{}/{}.scd", env!("CARGO_MANIFEST_DIR"), k.family().folder(), k.id());
        assert!(std::path::Path::new(&path).is_file(), "{} has no {path}", k.id());
    }
}
