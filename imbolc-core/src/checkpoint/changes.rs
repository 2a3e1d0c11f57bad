//! [`Changes`]: what differs between two states of a project, counted by
//! id. Equal instruments and clips are skipped by one comparison each, so
//! the cost is that of the project's size once, never more.

use std::fmt;

use imbolc_types::Project;

/// Counts of what was added, removed or changed going from one state to
/// another.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes {
    pub instruments_added: usize,
    pub instruments_removed: usize,
    pub instruments_changed: usize,
    pub clips_added: usize,
    pub clips_removed: usize,
    pub notes_added: usize,
    pub notes_removed: usize,
    pub notes_changed: usize,
    /// Anything else (tempo, buses, mixer, arrangement, automation,
    /// a clip's length or name).
    pub other: bool,
}

impl Changes {
    /// What changed from `from` to `to`.
    pub fn between(from: &Project, to: &Project) -> Changes {
        let mut c = Changes::default();
        for (id, inst) in &from.instruments.0 {
            match to.instruments.0.get(id) {
                None => c.instruments_removed += 1,
                Some(now) if now != inst => c.instruments_changed += 1,
                Some(_) => {}
            }
        }
        c.instruments_added = to.instruments.0.keys().filter(|id| !from.instruments.0.contains_key(*id)).count();
        for (id, clip) in &from.clips {
            let Some(now) = to.clips.get(id) else {
                c.clips_removed += 1;
                c.notes_removed += clip.notes.len();
                continue;
            };
            if now == clip {
                continue;
            }
            if now.notes != clip.notes {
                for (note_id, note) in &clip.notes {
                    match now.notes.get(note_id) {
                        None => c.notes_removed += 1,
                        Some(n) if n != note => c.notes_changed += 1,
                        Some(_) => {}
                    }
                }
                c.notes_added += now.notes.keys().filter(|n| !clip.notes.contains_key(*n)).count();
            }
            let (mut a, mut b) = (clip.clone(), now.clone());
            a.notes.clear();
            b.notes.clear();
            c.other |= a != b;
        }
        for (id, clip) in &to.clips {
            if !from.clips.contains_key(id) {
                c.clips_added += 1;
                c.notes_added += clip.notes.len();
            }
        }
        c.other |= !rest_equal(from, to);
        c
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        *self == Changes::default()
    }
}

/// Whether everything but instruments and clips is equal.
fn rest_equal(a: &Project, b: &Project) -> bool {
    let strip = |p: &Project| {
        let mut s = p.clone();
        s.instruments = Default::default();
        s.clips = Default::default();
        s
    };
    if a.tempo != b.tempo || a.name != b.name || a.placements != b.placements || a.automation != b.automation {
        return false;
    }
    strip(a) == strip(b)
}

fn count(out: &mut Vec<String>, n: usize, what: &str, how: &str) {
    match n {
        0 => {}
        1 => out.push(format!("1 {what} {how}")),
        n => out.push(format!("{n} {what}s {how}")),
    }
}

impl fmt::Display for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Vec::new();
        count(&mut out, self.notes_added, "note", "added");
        count(&mut out, self.notes_removed, "note", "removed");
        count(&mut out, self.notes_changed, "note", "changed");
        count(&mut out, self.clips_added, "clip", "added");
        count(&mut out, self.clips_removed, "clip", "removed");
        count(&mut out, self.instruments_added, "instrument", "added");
        count(&mut out, self.instruments_removed, "instrument", "removed");
        count(&mut out, self.instruments_changed, "instrument", "changed");
        if self.other {
            out.push("other settings changed".into());
        }
        if out.is_empty() { f.write_str("no changes") } else { f.write_str(&out.join(", ")) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_counts_by_id_and_reads_as_text() {
        let from = crate::demo::demo_project();
        assert_eq!(Changes::between(&from, &from).to_string(), "no changes");
        let mut to = from.clone();
        let first = *to.instruments.0.keys().next().expect("demo has instruments");
        to.instruments.0.shift_remove(&first);
        let clip = to.clips.values_mut().find(|c| c.notes.len() >= 3).expect("a clip with notes");
        let ids: Vec<_> = clip.notes.keys().copied().take(3).collect();
        for id in &ids[..2] {
            clip.notes.remove(id);
        }
        if let Some(n) = clip.notes.get_mut(&ids[2]) {
            n.velocity = if n.velocity == 100 { 90 } else { 100 };
        }
        let c = Changes::between(&from, &to);
        assert_eq!((c.instruments_removed, c.notes_removed), (1, 2));
        assert!(c.to_string().starts_with("2 notes removed"), "{c}");
        assert!(c.to_string().contains("1 instrument removed"), "{c}");
        let back = Changes::between(&to, &from);
        assert_eq!((back.instruments_added, back.notes_added), (1, 2));
    }
}
