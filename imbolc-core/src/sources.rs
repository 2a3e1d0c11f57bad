//! Bringing an opened project's sources in line with this build's catalog:
//! parameters a source gained since the file was saved get their defaults,
//! ones it lost are dropped, and a user's SynthDef whose stored bytes are
//! unusable is marked broken (the instrument stays, silent) instead of
//! refusing the whole file.

use imbolc_audio::synthdefs::custom::custom_source;
use imbolc_types::instrument::default_params;
use imbolc_types::{Params, Project};

/// Applies the repairs described above to every instrument, its filter and
/// every effect.
pub fn repair(project: &mut Project) {
    for inst in project.instruments.values_mut() {
        let source = &mut inst.def.source;
        match &mut source.custom {
            // The bytes are the truth: parameters and voice controls are
            // read again from them.
            Some(custom) => match custom_source(custom.bytes.clone()) {
                Ok(fresh) => {
                    **custom = fresh;
                    align(&mut source.params, default_params(&custom.specs()));
                }
                Err(e) => custom.broken = Some(e.to_string()),
            },
            None => align(&mut source.params, default_params(source.kind.params())),
        }
        if let Some(f) = &mut inst.def.filter {
            align(&mut f.params, default_params(f.kind.params()));
        }
        for e in &mut inst.def.effects {
            align(&mut e.params, default_params(e.kind.params()));
        }
    }
    for bus in project.buses.values_mut() {
        for e in &mut bus.effects {
            align(&mut e.params, default_params(e.kind.params()));
        }
    }
    for e in &mut project.master_effects {
        align(&mut e.params, default_params(e.kind.params()));
    }
}

/// Keeps the stored value of every parameter `defaults` lists, adds the
/// missing ones at their defaults, drops the rest.
fn align(params: &mut Params, defaults: Params) {
    if params.len() == defaults.len() && defaults.keys().all(|k| params.contains_key(k)) {
        return;
    }
    let old = std::mem::take(params);
    *params = defaults.into_iter().map(|(k, d)| (k.clone(), old.get(&k).copied().unwrap_or(d))).collect();
}

#[cfg(test)]
mod tests {
    use imbolc_types::{CustomSource, Instrument, InstrumentDef, InstrumentId, MixerSettings, SourceDef, SourceKind};

    use super::*;

    #[test]
    fn missing_parameters_get_defaults_and_broken_defs_are_marked() {
        let mut p = Project::default();
        let mut saw = InstrumentDef::new(SourceKind::SAW);
        saw.source.params.remove("bright");
        saw.source.params.insert("gone".into(), 1.0);
        saw.source.params.insert("detune".into(), 0.9);
        let broken = CustomSource {
            name: "mine".into(),
            bytes: b"not a synthdef".to_vec(),
            params: Vec::new(),
            voice_controls: Vec::new(),
            broken: None,
        };
        let mut custom = InstrumentDef::new(SourceKind::SINE);
        custom.source = SourceDef::custom(broken);
        for (i, def) in [saw, custom].into_iter().enumerate() {
            let id = InstrumentId(i as u32);
            p.instruments.insert(id, Instrument { id, name: format!("{i}"), def, mixer: MixerSettings::default() });
        }
        repair(&mut p);
        let saw = &p.instruments[&InstrumentId(0)].def.source.params;
        assert_eq!((saw.get("bright"), saw.get("detune"), saw.get("gone")), (Some(&0.7), Some(&0.9), None));
        let custom = p.instruments[&InstrumentId(1)].def.source.custom.as_ref().expect("still custom");
        assert!(custom.broken.as_deref().is_some_and(|b| b.contains("not a readable SynthDef")), "{:?}", custom.broken);
    }

    #[test]
    fn a_custom_def_is_saved_as_bytes_and_read_back_from_them() {
        let bytes = imbolc_audio::synthdefs::find("imbolc_saw").map(|d| d.bytes.to_vec()).unwrap_or_default();
        let mine = custom_source(bytes.clone()).expect("a voice");
        let mut p = Project::default();
        let mut def = InstrumentDef::new(SourceKind::SINE);
        def.source = SourceDef::custom(mine.clone());
        def.source.params.insert("detune".into(), 0.4);
        let id = InstrumentId(0);
        p.instruments.insert(id, Instrument { id, name: "mine".into(), def, mixer: MixerSettings::default() });
        let blob = crate::persist::format::encode(&p).expect("encodes");
        assert!(blob.windows(bytes.len()).any(|w| w == bytes), "stored as one byte string, not an array");
        assert!(blob.len() < bytes.len() + 2000, "{} bytes for a {}-byte def", blob.len(), bytes.len());

        // Stale parameter lists are read again from the bytes.
        let mut stale = p.clone();
        let custom = stale.instruments[&id].def.source.custom.clone().map(|mut c| {
            c.params.truncate(1);
            c.voice_controls.clear();
            c
        });
        stale.instruments[&id].def.source.custom = custom;
        stale.instruments[&id].def.source.params.remove("bright");
        repair(&mut stale);
        let source = &stale.instruments[&id].def.source;
        assert_eq!(source.custom.as_deref(), Some(&mine));
        assert_eq!((source.params.get("detune"), source.params.get("bright")), (Some(&0.4), Some(&0.7)));
        repair(&mut p);
        assert_eq!(p, stale);
    }
}
