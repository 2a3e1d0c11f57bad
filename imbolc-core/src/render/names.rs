//! File names of a render: a pattern filled with project, stem and index,
//! made safe for any file system (Linux, macOS, Windows, FAT) and unique
//! ignoring case.

use std::collections::HashSet;

/// Longest file name stem kept (bytes), well under every file system's 255.
const MAX_STEM: usize = 100;

/// Windows device names, refused as file names whatever the extension.
const RESERVED: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9", "lpt1", "lpt2",
    "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// A name safe everywhere: ASCII letters, digits, `-`, `_`, `.` and
/// spaces; anything else becomes `_`; no leading or trailing dots or
/// spaces; never empty, never a Windows device name.
pub fn sanitize(name: &str) -> String {
    let mapped: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ') { c } else { '_' })
        .collect();
    let mut s = mapped.trim_matches(|c| c == '.' || c == ' ').to_owned();
    if s.len() > MAX_STEM {
        s.truncate(MAX_STEM);
        s = s.trim_end_matches(['.', ' ']).to_owned();
    }
    if s.is_empty() {
        s = "untitled".into();
    }
    let base = s.split('.').next().unwrap_or("").to_ascii_lowercase();
    if RESERVED.contains(&base.as_str()) {
        s.insert(0, '_');
    }
    s
}

/// Fills `pattern` (`{project}`, `{stem}`, `{index}`) for each stem name
/// (the master first, index 0) and returns unique file names ending in
/// `.{extension}`. Duplicates (ignoring case) get `-<index>` appended.
pub fn file_names(pattern: &str, project: &str, stems: &[String], extension: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    stems
        .iter()
        .enumerate()
        .map(|(index, stem)| {
            let filled = pattern
                .replace("{project}", project)
                .replace("{stem}", stem)
                .replace("{index}", &format!("{index:02}"));
            let mut name = sanitize(&filled);
            if !seen.insert(name.to_ascii_lowercase()) {
                name = sanitize(&format!("{filled}-{index}"));
                seen.insert(name.to_ascii_lowercase());
            }
            format!("{name}.{extension}")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_everywhere() {
        assert_eq!(sanitize("Bass: sub/808*"), "Bass_ sub_808_");
        assert_eq!(sanitize("  ..hidden. "), "hidden");
        assert_eq!(sanitize("CON"), "_CON");
        assert_eq!(sanitize("nul.txt"), "_nul.txt");
        assert_eq!(sanitize(""), "untitled");
        assert_eq!(sanitize("Léa"), "L_a");
        assert_eq!(sanitize(&"x".repeat(300)).len(), MAX_STEM);
    }

    #[test]
    fn patterns_fill_and_duplicates_get_their_index() {
        let stems = vec!["master".to_owned(), "Lead".to_owned(), "lead".to_owned()];
        assert_eq!(file_names("{stem}", "Song", &stems, "wav"), vec!["master.wav", "Lead.wav", "lead-2.wav"]);
        assert_eq!(
            file_names("{project} {index} {stem}", "My/Song", &stems, "flac"),
            vec!["My_Song 00 master.flac", "My_Song 01 Lead.flac", "My_Song 02 lead.flac"]
        );
    }
}
