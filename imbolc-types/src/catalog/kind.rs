//! The handle types of the catalog ([`super::SourceKind`],
//! [`super::FilterKind`], [`super::EffectKind`]) share one shape, written
//! once here: a `Copy` pair of indexes into a static table of specs grouped
//! by family, so `spec()` is two array reads and never a search.
//!
//! A handle serialises as its spec's stable `id`; deserialising accepts the
//! id and, for the first entries, the Rust enum variant names that project
//! files written before the catalog became a table contain (rmp-serde wrote
//! unit variants as their names: "Saw", "LowPass", ...).

/// Byte-wise string equality usable in `const` items.
pub(super) const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Defines a catalog handle type over `$tables: &[($Family, &[$Spec])]`.
/// Each `$Spec` has the fields `id`, `legacy_name`, `label`, `synthdef` and
/// `params`.
macro_rules! catalog_kind {
    ($(#[$meta:meta])* $Kind:ident, $Spec:ident, $Family:ident, $tables:path, $what:literal) => {
        $(#[$meta])*
        ///
        /// Serialised as the entry's stable id (see [`crate::catalog`]).
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $Kind {
            table: u8,
            index: u8,
        }

        impl $Kind {
            /// How many entries the catalog has.
            pub const COUNT: usize = {
                let mut n = 0;
                let mut t = 0;
                while t < $tables.len() {
                    n += $tables[t].1.len();
                    t += 1;
                }
                n
            };

            /// Every entry, family by family, in picker order.
            pub const ALL: [$Kind; Self::COUNT] = {
                let mut all = [$Kind { table: 0, index: 0 }; Self::COUNT];
                let (mut t, mut n) = (0, 0);
                while t < $tables.len() {
                    let mut i = 0;
                    while i < $tables[t].1.len() {
                        all[n] = $Kind { table: t as u8, index: i as u8 };
                        n += 1;
                        i += 1;
                    }
                    t += 1;
                }
                all
            };

            /// The entry with stable id `id`, resolved at compile time: a
            /// missing id is a build error, so the named constants can never
            /// point at the wrong entry.
            #[allow(clippy::panic)] // evaluated only in constants
            const fn at(id: &str) -> $Kind {
                let mut t = 0;
                while t < $tables.len() {
                    let mut i = 0;
                    while i < $tables[t].1.len() {
                        if $crate::catalog::kind::same($tables[t].1[i].id, id) {
                            return $Kind { table: t as u8, index: i as u8 };
                        }
                        i += 1;
                    }
                    t += 1;
                }
                panic!(concat!("no ", $what, " with this id in the catalog"))
            }

            /// The full description of this entry.
            pub fn spec(self) -> &'static $Spec {
                &$tables[usize::from(self.table)].1[usize::from(self.index)]
            }

            /// The family it is listed under.
            pub fn family(self) -> $Family {
                $tables[usize::from(self.table)].0
            }

            /// The stable id stored in project files.
            pub fn id(self) -> &'static str {
                self.spec().id
            }

            /// The name shown to the user.
            pub fn name(self) -> &'static str {
                self.spec().label
            }

            /// The SynthDef that plays it.
            pub fn synthdef(self) -> &'static str {
                self.spec().synthdef
            }

            /// Its parameters (stable ids = SynthDef control names).
            pub fn params(self) -> &'static [$crate::catalog::ParamSpec] {
                self.spec().params
            }

            /// The entry stored under `name` in a project file: its stable id,
            /// or the enum variant name older files used.
            pub fn from_id(name: &str) -> Option<$Kind> {
                Self::ALL.iter().copied().find(|k| k.id() == name || k.spec().legacy_name == Some(name))
            }
        }

        impl std::fmt::Debug for $Kind {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($Kind), "({:?})"), self.id())
            }
        }

        impl serde::Serialize for $Kind {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.id())
            }
        }

        impl<'de> serde::Deserialize<'de> for $Kind {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $Kind;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("the id of a ", $what))
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$Kind, E> {
                        $Kind::from_id(v)
                            .ok_or_else(|| E::custom(format!(concat!("unknown ", $what, " {:?}"), v)))
                    }
                }
                d.deserialize_str(Visitor)
            }
        }
    };
}

pub(super) use catalog_kind;
