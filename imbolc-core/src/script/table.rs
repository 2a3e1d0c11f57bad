//! The one table of script commands: name, arguments, help and an
//! example. `help`, the REPL and `docs/commands.md` all read it, and a
//! test parses every example, so the table and the parser agree.

/// One command of the script language.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    /// Its words (`"note add"`).
    pub name: &'static str,
    /// Its arguments, `[…]` optional, `--flag VALUE` named.
    pub args: &'static str,
    /// What it does, one or two sentences.
    pub help: &'static str,
    /// A line that runs it.
    pub example: &'static str,
}

const fn c(name: &'static str, args: &'static str, help: &'static str, example: &'static str) -> CommandSpec {
    CommandSpec { name, args, help, example }
}

/// Every command, in the order help lists them.
pub const SCRIPT_COMMANDS: &[CommandSpec] = &[
    c("project name", "NAME", "Renames the project.", "project name \"Night drive\""),
    c("project artist", "NAME", "Sets the artist that rendered files are tagged with.", "project artist Someone"),
    c("tempo", "BPM", "Sets the tempo (20 to 999).", "tempo 118"),
    c("time", "N/D", "Sets the time signature.", "time 6/8"),
    c(
        "instrument add",
        "SOURCE [--name NAME]",
        "Adds an instrument playing a catalog source (saw, square, sine, ...); the name defaults to the source's.",
        "instrument add saw --name bass",
    ),
    c(
        "instrument remove",
        "INSTRUMENT",
        "Removes an instrument with its clips and automation.",
        "instrument remove bass",
    ),
    c("instrument rename", "INSTRUMENT NAME", "Renames an instrument.", "instrument rename bass sub"),
    c("kit add", "NAME", "Adds a drum kit with the built-in pads.", "kit add drums"),
    c(
        "filter set",
        "INSTRUMENT KIND",
        "Puts a filter of a catalog kind (low_pass, high_pass, ...) in the instrument's filter slot.",
        "filter set bass low_pass",
    ),
    c("filter off", "INSTRUMENT", "Empties the instrument's filter slot.", "filter off bass"),
    c(
        "effect add",
        "OWNER KIND [--at N]",
        "Adds an effect of a catalog kind to the chain of an instrument, a bus or `master` (at position N from 1, else last).",
        "effect add bass reverb",
    ),
    c(
        "effect remove",
        "OWNER EFFECT",
        "Removes an effect (EFFECT: its kind, or fxN for the Nth).",
        "effect remove bass reverb",
    ),
    c(
        "effect bypass",
        "OWNER EFFECT on|off",
        "Bypasses an effect (on) or enables it again (off).",
        "effect bypass bass fx1 on",
    ),
    c(
        "param set",
        "PARAM VALUE",
        "Sets a parameter. PARAM is `tempo`, `master.level`, `master.ceiling`, or OWNER.NAME: \
         `bass.level`, `bass.pan`, `bass.attack` (envelope: attack decay sustain release), \
         `bass.cutoff` (a source, else a filter parameter), `bass.filter.cutoff`, `bass.source.width`, \
         `bass.lfo.rate`, `bass.send.reverb`, `bass.reverb.mix` or `bass.fx1.mix` (an effect's).",
        "param set bass.cutoff 800",
    ),
    c("mute", "INSTRUMENT on|off", "Mutes or unmutes an instrument.", "mute bass on"),
    c("solo", "INSTRUMENT on|off", "Solos or unsolos an instrument.", "solo bass on"),
    c("bus add", "NAME", "Adds a bus.", "bus add reverb"),
    c("bus remove", "BUS", "Removes a bus; what wrote to it goes to master.", "bus remove reverb"),
    c("bus mute", "BUS on|off", "Mutes or unmutes a bus.", "bus mute reverb on"),
    c(
        "send add",
        "INSTRUMENT BUS LEVEL",
        "Sends an instrument to a bus at LEVEL (0 to 1).",
        "send add lead reverb 0.3",
    ),
    c("send remove", "INSTRUMENT BUS", "Removes an instrument's send to a bus.", "send remove lead reverb"),
    c("output", "INSTRUMENT master|BUS", "Routes an instrument's output to master or a bus.", "output lead master"),
    c(
        "clip add",
        "INSTRUMENT NAME LENGTH",
        "Adds an empty clip of LENGTH (bars: 2, or 1/2, 3beats, 960t) to an instrument.",
        "clip add bass riff 1",
    ),
    c("clip loop", "CLIP on|off", "Makes a clip loop over its placements, or play once.", "clip loop bass/riff on"),
    c("clip length", "CLIP LENGTH", "Sets a clip's length.", "clip length bass/riff 2"),
    c("clip remove", "CLIP", "Removes a clip and its placements.", "clip remove bass/riff"),
    c(
        "place",
        "CLIP POSITION LENGTH",
        "Places a clip in the song at POSITION (`BAR.BEAT.TICK` from 1.1, or `960t`) for LENGTH.",
        "place bass/riff 1 8",
    ),
    c(
        "note add",
        "CLIP PITCH POSITION LENGTH [VELOCITY] [--prob P]",
        "Adds a note (pitch `C4` = 60, `Eb2`, or a number; velocity 1 to 127, default 100; \
         probability in percent). CLIP is INSTRUMENT/CLIP, or an instrument alone for its last clip.",
        "note add bass C4 1.1 1/8",
    ),
    c(
        "pattern add",
        "KIT NAME [--steps N] [--res 1/16]",
        "Adds an empty drum pattern (16 steps of a sixteenth unless told) to a kit.",
        "pattern add drums beat",
    ),
    c(
        "pattern set",
        "CLIP [--steps N] [--res 1/16] [--swing S]",
        "Changes a pattern's step count, resolution or swing (0 to 1).",
        "pattern set drums/beat --swing 0.12",
    ),
    c(
        "step set",
        "CLIP STEPS PAD [VELOCITY] [--prob P] [--pitch N]",
        "Sets steps (from 1, several as `1,5,9`) of a pad (a number from 1, or its name like kick, closed_hat).",
        "step set drums/beat 1,5,9,13 kick 120",
    ),
    c("step clear", "CLIP STEPS PAD", "Clears steps of a pad.", "step clear drums/beat 5 kick"),
    c("lane add", "PARAM", "Adds an automation lane for a parameter (see `param set`).", "lane add bass.filter.cutoff"),
    c(
        "point set",
        "PARAM POSITION VALUE",
        "Sets the automation point at POSITION of a parameter's lane (adding the lane if there is none).",
        "point set bass.filter.cutoff 5 1200",
    ),
    c("point remove", "PARAM POSITION", "Removes an automation point.", "point remove bass.filter.cutoff 5"),
    c("undo", "", "Undoes the last edit.", "undo"),
    c("redo", "", "Redoes the last undone edit.", "redo"),
    c(
        "save",
        "[PATH]",
        "Saves the project (to PATH, else its own file). `imbolc run` writes only when the whole script succeeded.",
        "save",
    ),
    c("list", "", "Lists instruments, buses and clips.", "list"),
    c(
        "checkpoint",
        "NAME",
        "Names the project's current state; the next save stores it in the project file.",
        "checkpoint \"verse done\"",
    ),
    c("checkpoints", "", "Lists the checkpoints with when each was made and what changed since.", "checkpoints"),
    c(
        "restore",
        "NAME",
        "Puts the project back to a checkpoint, as one step that undo takes back.",
        "restore \"verse done\"",
    ),
    c("quit", "", "Ends the REPL, or the script here (without saving).", "quit"),
    c("help", "[COMMAND]", "Lists the commands, or explains one.", "help note add"),
];

/// The command whose words start `words`, longest name first, and how
/// many words its name takes.
pub fn find(words: &[String]) -> Option<(&'static CommandSpec, usize)> {
    SCRIPT_COMMANDS
        .iter()
        .filter_map(|spec| {
            let n = spec.name.split(' ').count();
            let matches = words.len() >= n && spec.name.split(' ').zip(words).all(|(a, b)| a.eq_ignore_ascii_case(b));
            matches.then_some((spec, n))
        })
        .max_by_key(|(_, n)| *n)
}

/// `help`'s text: every command with its arguments, or one command.
pub fn help(topic: &[String]) -> String {
    if topic.is_empty() {
        let mut out = String::from("commands (help COMMAND for one):\n");
        for spec in SCRIPT_COMMANDS {
            out.push_str(&format!("  {} {}\n", spec.name, spec.args));
        }
        return out;
    }
    match find(topic) {
        Some((spec, _)) => format!("{} {}\n  {}\n  e.g. {}\n", spec.name, spec.args, spec.help, spec.example),
        None => format!("no command {:?}\n", topic.join(" ")),
    }
}

/// `docs/commands.md`, generated from the table.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Script commands\n\n\
         Generated from the command table (`imbolc-core/src/script/table.rs`); a test keeps it in sync.\n\
         Regenerate with `IMBOLC_UPDATE_DOCS=1 cargo test -p imbolc-core --lib script`.\n\n\
         `imbolc run SONG.imbolc SCRIPT` runs a script (`-` reads standard input) and `imbolc repl SONG.imbolc`\n\
         reads commands one line at a time. Words are separated by blanks; `\"...\"` keeps blanks in a word;\n\
         `#` starts a comment. Instruments, buses and clips are named by their names (`bass`, `bass/riff`).\n\n\
         | Command | Arguments | What it does | Example |\n|---|---|---|---|\n",
    );
    for spec in SCRIPT_COMMANDS {
        let cell = |s: &str| s.replace('|', "\\|");
        out.push_str(&format!(
            "| `{}` | {} | {} | `{}` |\n",
            spec.name,
            if spec.args.is_empty() { String::new() } else { format!("`{}`", cell(spec.args)) },
            cell(spec.help),
            cell(spec.example)
        ));
    }
    out
}
