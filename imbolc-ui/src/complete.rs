//! Path completion for the open, save-as and MIDI import prompts: `Tab`
//! extends the typed path to the longest prefix shared by the matching
//! files (`*.imbolc`, or `*.mid` for an import) and directories of its
//! folder.

use std::path::Path;

/// The file extension of projects.
pub const EXTENSION: &str = "imbolc";

/// The completions of `typed`: the names (with their folder as typed, a
/// trailing `/` on directories) of the matching projects and directories,
/// sorted. Hidden entries only when the typed name starts with `.`.
pub fn candidates(typed: &str) -> Vec<String> {
    candidates_with(typed, &[EXTENSION])
}

/// As [`candidates`], offering files with any of `extensions` (compared
/// without case: `SONG.MID` matches `mid`).
pub fn candidates_with(typed: &str, extensions: &[&str]) -> Vec<String> {
    let (dir, prefix) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    };
    let read_from = if dir.is_empty() { Path::new(".") } else { Path::new(dir) };
    let Ok(entries) = std::fs::read_dir(read_from) else { return Vec::new() };
    let mut out: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_owned();
            if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            let is_dir = e.file_type().ok()?.is_dir();
            let is_project = Path::new(&name)
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| extensions.iter().any(|e| x.eq_ignore_ascii_case(e)));
            match (is_dir, is_project) {
                (true, _) => Some(format!("{dir}{name}/")),
                (false, true) => Some(format!("{dir}{name}")),
                (false, false) => None,
            }
        })
        .collect();
    out.sort();
    out
}

/// `typed` extended as far as every candidate agrees (unchanged when
/// nothing matches).
pub fn complete(typed: &str) -> String {
    complete_with(typed, &[EXTENSION])
}

/// As [`complete`], over files with any of `extensions`.
pub fn complete_with(typed: &str, extensions: &[&str]) -> String {
    let found = candidates_with(typed, extensions);
    let Some(first) = found.first() else { return typed.to_owned() };
    let mut common = first.clone();
    for c in &found[1..] {
        let n = common.chars().zip(c.chars()).take_while(|(a, b)| a == b).count();
        common = common.chars().take(n).collect();
    }
    if common.len() > typed.len() { common } else { typed.to_owned() }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn tab_extends_to_the_common_prefix_of_projects_and_folders() {
        let dir = std::env::temp_dir().join(format!("imbolc-complete-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("songs")).unwrap();
        for f in ["song-a.imbolc", "song-b.imbolc", "notes.txt", ".hidden.imbolc"] {
            std::fs::write(dir.join(f), b"").unwrap();
        }
        let base = format!("{}/", dir.display());
        assert_eq!(complete(&format!("{base}so")), format!("{base}song"));
        assert_eq!(
            candidates(&format!("{base}song")),
            [format!("{base}song-a.imbolc"), format!("{base}song-b.imbolc"), format!("{base}songs/")]
        );
        assert_eq!(complete(&format!("{base}song-b")), format!("{base}song-b.imbolc"));
        assert_eq!(complete(&format!("{base}no")), format!("{base}no"), "text files are not offered");
        assert_eq!(candidates(&base).len(), 3, "hidden files stay hidden");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
