//! `imbolc`: a terminal digital audio workstation. The modules live in
//! the library (`src/lib.rs`); this is the entry point.

use std::process::ExitCode;

use clap::Parser;
use imbolc_audio::engine::AudioHandle;
use imbolc_core::persist::BackgroundSaver;
use imbolc_ui::collab::{Collab, CollabStart};
use imbolc_ui::{
    app, cli, config, control, keys, logging, midi, midi_file_cli, open, render_cli, run, script_cli, terminal,
};

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let args = cli::Args::parse();
    let _log_guard = logging::init();
    let (project, collab) = match args.command.as_ref().and_then(cli::Command::collab) {
        Some((project, start)) => (project, Some(start)),
        None => (args.project.clone(), None),
    };
    if let Some(command) = args.command.as_ref().filter(|_| collab.is_none()) {
        return run_command(command);
    }
    if args.socket_path {
        println!("{}", control::socket_path().display());
        return ExitCode::SUCCESS;
    }
    match run_app(&args, project.as_deref(), collab, started) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("imbolc: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A command-line subcommand: no terminal UI, no audio.
fn run_command(command: &cli::Command) -> ExitCode {
    let result = match command {
        cli::Command::Render(render) => return render_cli::run(render),
        cli::Command::Import(import) => return midi_file_cli::import(import),
        cli::Command::Export(export) => return midi_file_cli::export(export),
        cli::Command::Run(script) => return script_cli::run(script),
        cli::Command::Repl(repl) => return script_cli::repl_main(repl),
        cli::Command::Host { .. } | cli::Command::Join { .. } => Ok(String::new()),
        cli::Command::Demo { path, force } => {
            imbolc_core::demo::write_demo(path, *force).map(|()| format!("wrote the demo song to {}", path.display()))
        }
    };
    match result {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("imbolc: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_app(
    args: &cli::Args,
    project: Option<&std::path::Path>,
    collab: Option<CollabStart>,
    started: std::time::Instant,
) -> std::io::Result<()> {
    // Joining fails here, before the terminal is taken (wrong code, full).
    let collab = match collab {
        None => None,
        Some(CollabStart::Host { port }) => {
            let (c, line) = Collab::host(port).map_err(std::io::Error::other)?;
            println!("{line}");
            tracing::info!("{line}");
            Some(c)
        }
        Some(CollabStart::Join { address, code }) => {
            Some(Collab::join(&address, &code).map_err(std::io::Error::other)?)
        }
    };
    // The user's defaults; what is wrong in the file is shown, not fatal.
    let (user, config_problems) = config::load();
    // The audio thread boots scsynth in the background, so the UI is up at once.
    let config = imbolc_audio::engine::EngineConfig::new(args.server_config(&user));
    let audio = AudioHandle::spawn(config).map_err(std::io::Error::other)?;
    let (keymap, key_message) = keys::Keymap::load_user();
    let respawn = || {
        let config = imbolc_audio::engine::EngineConfig::new(args.server_config(&user));
        AudioHandle::spawn(config).map_err(std::io::Error::other)
    };
    // An existing file is read on a loader thread, so the first frame never
    // waits for it; a new or absent one opens here at once.
    // Without a file, the demo song opens, so a first run sounds at once.
    let existing = project.filter(|p| p.exists());
    let opened = match project {
        None => open::demo(audio),
        Some(_) if existing.is_some() => open::open_with(None, audio, respawn, &user)?,
        Some(path) => open::open_with(Some(path), audio, respawn, &user)?,
    };
    let demo = project.is_none() && collab.is_none();
    let saver = BackgroundSaver::spawn().map_err(std::io::Error::other)?;
    let mut session = opened.session;
    if let Some(theme) = user.theme {
        imbolc_ui::theme::set(theme);
    }
    if let Some(interval) = user.autosave {
        session.set_autosave_interval(interval);
    }
    let mut app = app::App::new(session, opened.path, keymap, Some(saver));
    if demo {
        app.inform("the demo song: Space plays it, S saves a copy");
    }
    let config_message = (!config_problems.is_empty())
        .then(|| config_problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "));
    for m in [opened.problem, key_message, config_message].into_iter().flatten() {
        app.error(m);
    }
    // The session's engine may be a respawned one: take its lane.
    let live = app.session_mut().audio_mut().live_sender();
    let mut midi = midi::MidiUi::start(live);
    if let Some(on) = user.midi_auto_connect {
        midi.set_auto_connect(on);
    }
    app.attach_midi(midi);
    if let Some(dir) = imbolc_audio::synthdefs::custom::user_dir() {
        app.scan_user_synthdefs(dir, imbolc_audio::synthdefs::custom::find_sclang());
    }
    if let Some(c) = collab {
        app.attach_collab(c);
    }
    if args.link {
        app.set_link(true);
    }
    if opened.recovery {
        app.offer_recovery();
    }
    if let Some(path) = existing {
        app.open_in_background(path.to_owned());
    }
    let mut term = terminal::enter()?;
    app.set_key_releases(terminal::report_key_releases());
    let respawn = || {
        let config = imbolc_audio::engine::EngineConfig::new(args.server_config(&user));
        AudioHandle::spawn(config).map_err(std::io::Error::other)
    };
    // Editors and live-coding tools drive the session through it; a TUI
    // without it still works (the reason is on the status line).
    let socket = match control::start() {
        Ok(socket) => Some(socket),
        Err(e) => {
            app.error(format!("no control socket: {e}"));
            None
        }
    };
    let result = run::run(&mut app, &mut term, respawn, started, socket.as_ref());
    drop(socket);
    terminal::leave()?;
    // Dropping the app finishes pending saves, then stops scsynth and JACK
    // and waits for them: nothing is left running.
    drop(app);
    result
}
