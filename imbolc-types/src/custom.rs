//! A user's own SynthDef played as an instrument source. The compiled
//! bytes are stored in the project, so it opens, plays and renders on a
//! machine without the user's synthdefs folder.
//!
//! Its parameters are the def's controls beyond the voice controls; a
//! `.scsyndef` holds no ranges, so each gets one from its default (0–1 for
//! defaults in 0–1, else 0 to four times the default, or the mirror for
//! negative defaults).

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{Mutex, OnceLock, PoisonError};

use serde::{Deserialize, Serialize};

use crate::catalog::ParamSpec;

/// A user's SynthDef, as an instrument's source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomSource {
    /// The SynthDef's name (what `/s_new` plays).
    pub name: String,
    /// The compiled `.scsyndef`.
    #[serde(with = "serde_bytes")]
    pub bytes: Vec<u8>,
    /// Its own parameters.
    pub params: Vec<CustomParam>,
    /// The voice controls it has (it has at least `out`, `freq`, `gate`);
    /// only these are sent to its voices.
    pub voice_controls: Vec<String>,
    /// Why it cannot play (its bytes are unusable), found when the project
    /// was opened; such an instrument stays, silent and marked broken.
    #[serde(skip)]
    pub broken: Option<String>,
}

/// The control of a user's SynthDef that the mod wheel moves.
pub const TIMBRE_CONTROL: &str = "timbre";

/// One parameter of a custom source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomParam {
    pub id: String,
    pub default: f32,
    pub min: f32,
    pub max: f32,
}

impl CustomParam {
    /// A parameter with the range its default suggests.
    pub fn from_default(id: &str, default: f32) -> CustomParam {
        let default = if default.is_finite() { default } else { 0.0 };
        let (min, max) = if (0.0..=1.0).contains(&default) {
            (0.0, 1.0)
        } else if default > 0.0 {
            (0.0, default * 4.0)
        } else {
            (default * 4.0, -default * 4.0)
        };
        CustomParam { id: id.to_owned(), default, min, max }
    }
}

impl CustomSource {
    /// Its parameters as catalog specs (names interned: a handful per def,
    /// kept for the session).
    pub fn specs(&self) -> Vec<ParamSpec> {
        self.params
            .iter()
            .map(|p| {
                let id = intern(&p.id);
                ParamSpec::new(id, id, p.default, p.min, p.max, "")
            })
            .collect()
    }

    /// The parameter the mod wheel moves: its control named `timbre`, if
    /// it has one.
    pub fn timbre_param(&self) -> Option<ParamSpec> {
        self.specs().into_iter().find(|s| s.id == TIMBRE_CONTROL)
    }

    /// Whether it has voice control `name`.
    pub fn has_voice_control(&self, name: &str) -> bool {
        self.voice_controls.iter().any(|c| c == name)
    }
}

/// The parameter specs of a source: the catalog's, or a custom def's.
pub fn source_specs(source: &crate::SourceDef) -> Cow<'static, [ParamSpec]> {
    match &source.custom {
        Some(custom) => Cow::Owned(custom.specs()),
        None => Cow::Borrowed(source.kind.params()),
    }
}

/// A `'static` copy of `name`, made once per distinct name. Custom
/// SynthDef and control names need it because server ops and parameter
/// specs carry `&'static str` names; the set only grows by the names of
/// the custom defs a session meets.
pub fn intern(name: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES.get_or_init(Default::default).lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(&known) = names.get(name) {
        return known;
    }
    let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
    names.insert(leaked);
    leaked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_the_default_and_names_intern_once() {
        assert_eq!(
            CustomParam::from_default("x", 0.3),
            CustomParam { id: "x".into(), default: 0.3, min: 0.0, max: 1.0 }
        );
        assert_eq!(
            (CustomParam::from_default("f", 800.0).min, CustomParam::from_default("f", 800.0).max),
            (0.0, 3200.0)
        );
        assert_eq!(CustomParam::from_default("n", -2.0).min, -8.0);
        assert!(std::ptr::eq(intern("cutoff"), intern("cutoff")));
    }
}
