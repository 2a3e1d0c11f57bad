//! The control socket: a running TUI listens on a Unix socket (see
//! [`path::socket_path`], `imbolc --socket-path`) for the lines of the
//! script language (`docs/commands.md`) plus a few of its own (`play`,
//! `stop`, `pause`, `playhead`, `status`; see [`SOCKET_COMMANDS`]), and
//! answers each with one JSON line. Only the user running imbolc may
//! connect: the folder is 0700, the socket 0600, and the peer's uid
//! (`SO_PEERCRED`) must be ours. Lines run on the UI thread, between
//! frames, through the same dispatch as keys (`App::control`), so undo
//! takes them back and the screen shows them. See `docs/control-socket.md`.

pub mod framing;
pub mod listen;
pub mod path;

pub use framing::{Line, MAX_LINE, Reply};
pub use listen::{ControlSocket, Request};
pub use path::{ControlError, socket_path};

/// The commands the socket takes besides the script language's:
/// name, arguments, help.
pub const SOCKET_COMMANDS: &[(&str, &str, &str)] = &[
    ("play", "", "Starts the transport (as Space)."),
    ("stop", "", "Stops the transport (as Space while playing)."),
    ("pause", "", "Pauses the transport where it is."),
    ("playhead", "", "Answers `TICK BAR.BEAT playing|paused|stopped` (ticks: 480 a quarter)."),
    ("status", "", "Answers the transport line, the project's name and size, and the pane shown."),
    ("theme", "dark|light|high-contrast", "Draws with that colour theme from now on."),
    ("save", "", "Saves the project to its file, as Ctrl-s (answers once the save is under way)."),
];

/// Listens at the usual place, or beside it when another imbolc holds
/// that; the path is logged.
///
/// # Errors
/// As [`ControlSocket::bind`].
pub fn start() -> Result<ControlSocket, ControlError> {
    let usual = socket_path();
    let socket = match ControlSocket::bind(&usual) {
        Err(ControlError::InUse(_)) => {
            ControlSocket::bind(&usual.with_file_name(format!("control-{}.sock", std::process::id())))
        }
        other => other,
    }?;
    tracing::info!("control socket at {}", socket.path().display());
    Ok(socket)
}

/// `help` of the socket: its own commands, then the script language's.
pub fn help(topic: &[String]) -> String {
    let own = topic.first().and_then(|w| SOCKET_COMMANDS.iter().find(|(name, _, _)| name.eq_ignore_ascii_case(w)));
    match own {
        Some((name, _, help)) => format!("{name}\n  {help}\n"),
        None if topic.is_empty() => {
            let mut out = String::from("control socket commands:\n");
            for (name, args, _) in SOCKET_COMMANDS {
                out.push_str(&format!("  {name} {args}\n"));
            }
            out + &imbolc_core::script::table::help(topic)
        }
        None => imbolc_core::script::table::help(topic),
    }
}
