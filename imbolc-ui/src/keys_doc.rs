//! `docs/keys.md`, generated from the command table and the default
//! keymap, so the page can never drift from the keys: a test compares the
//! file with [`markdown`] (and rewrites it with `IMBOLC_UPDATE_DOCS=1`).

use crate::commands::{COMMANDS, Context, PaneKind};
use crate::keys::Keymap;

/// The key reference as Markdown: global keys, then each pane's, in tab order.
pub fn markdown() -> String {
    let map = Keymap::default();
    let mut out = String::from(
        "# Keys\n\n\
         Generated from the command table (`imbolc-ui/src/commands.rs`); a test\n\
         checks this page matches it. `C-` is Ctrl, `A-` Alt, `S-` Shift. Pane\n\
         keys win over global ones inside their pane. Override any of them in\n\
         `$XDG_CONFIG_HOME/imbolc/keys.toml` by command name (`[keys]` then\n\
         `undo = \"z\"`); in the app `?` shows the same table and `:` runs a\n\
         command by name.\n\n\
         Musical typing (`M`) takes the keyboard: `a s d f g h j k l ; '` are\n\
         the white keys from C, `w e t y u o p` the black ones, `z`/`x` shift an\n\
         octave, `Esc` leaves. Other keys keep working meanwhile.\n",
    );
    let mut contexts = vec![Context::Global];
    contexts.extend(PaneKind::ALL.iter().chain(&PaneKind::SUB).map(|p| Context::Pane(*p)));
    for ctx in contexts {
        let rows: Vec<_> = COMMANDS.iter().filter(|c| c.context == ctx).collect();
        if rows.is_empty() {
            continue;
        }
        let title = match ctx {
            Context::Global => "Everywhere",
            Context::Pane(p) => p.title(),
        };
        out.push_str(&format!("\n## {title}\n\n| keys | command | what it does |\n| --- | --- | --- |\n"));
        for c in rows {
            let keys = map.keys_of(c.id).iter().map(|k| format!("`{}`", escape(&k.to_string()))).collect::<Vec<_>>();
            let keys = if keys.is_empty() { "palette (`:`)".to_owned() } else { keys.join(" ") };
            out.push_str(&format!("| {keys} | `{}` | {} |\n", c.name, c.help));
        }
    }
    out.push_str(
        "\n## Sample browser\n\nOpened by `drum-pad-sample` in the drum pane; while open it takes \
         every key.\n\n| keys | what it does |\n| --- | --- |\n",
    );
    for (keys, what) in crate::browser::KEYS {
        let keys: Vec<String> = keys.split(' ').map(|k| format!("`{}`", escape(k))).collect();
        out.push_str(&format!("| {} | {what} |\n", keys.join(" ")));
    }
    out
}

/// Keys that mean something in a Markdown table cell.
fn escape(key: &str) -> String {
    key.replace('|', "\\|")
}
