//! Fuzzy matching for the command palette: a query matches a command when
//! its characters appear in order in the command's name, its help text or
//! one of its aliases (other words musicians use: "export" for render);
//! matches in the name, at word starts and in runs rank first.

use crate::commands::{COMMANDS, Command, CommandId};

/// Other words for commands, so the palette finds them by what a musician
/// from another tool would type.
const ALIASES: &[(CommandId, &str)] = &[
    (CommandId::Render, "export bounce mixdown stems wav"),
    (CommandId::Quit, "exit"),
    (CommandId::Open, "load"),
    (CommandId::SaveAs, "write copy"),
    (CommandId::TempoSet, "bpm speed"),
    (CommandId::TapTempo, "bpm"),
    (CommandId::MidiPanic, "all notes off silence"),
    (CommandId::CurveNext, "automation curve ramp"),
    (CommandId::AutomationRecord, "automation write latch touch"),
    (CommandId::ShowAutomation, "automation curve envelope lanes"),
    (CommandId::ShowArrangement, "song timeline arrange"),
    (CommandId::ShowDrums, "beat steps sequencer"),
    (CommandId::MusicalTyping, "keyboard piano"),
];

/// The aliases of `id`, or "".
fn aliases(id: CommandId) -> &'static str {
    ALIASES.iter().find(|(c, _)| *c == id).map_or("", |(_, a)| a)
}

/// How well `query` matches `text`, or `None`. Higher is better.
pub fn score(query: &str, text: &str) -> Option<i32> {
    let text: Vec<char> = text.to_lowercase().chars().collect();
    let mut score = 0;
    let mut pos = 0;
    let mut last: Option<usize> = None;
    for q in query.to_lowercase().chars().filter(|c| !c.is_whitespace()) {
        let found = (pos..text.len()).find(|&i| text[i] == q)?;
        let word_start = found == 0 || !text[found - 1].is_alphanumeric();
        score += 1 + if word_start { 3 } else { 0 } + if last.is_some_and(|l| l + 1 == found) { 2 } else { 0 };
        last = Some(found);
        pos = found + 1;
    }
    Some(score)
}

/// The commands matching `query`, best first; all of them, in table order,
/// for an empty query.
pub fn matches(query: &str) -> Vec<&'static Command> {
    let mut scored: Vec<(i32, usize, &'static Command)> = COMMANDS
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let by_name = score(query, c.name).map(|s| s * 2);
            let by_help = score(query, c.help);
            let by_alias = score(query, aliases(c.id));
            by_name.max(by_help).max(by_alias).map(|s| (s, i, c))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, _, c)| c).collect()
}
