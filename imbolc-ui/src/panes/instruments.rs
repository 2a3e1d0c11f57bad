//! The instrument list: add (from a picker of sources), delete, rename,
//! duplicate, reorder and select. The list has no cursor of its own: the
//! selected instrument *is* the cursor, so the editor and piano roll always
//! work on the row highlighted here.

use imbolc_types::Action;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{Intent, State, cursor_style, follow};
use crate::commands::{CommandId, PaneKind};

/// Runs a command against the list.
pub fn handle(cmd: CommandId, state: &State) -> Option<Intent> {
    let list = &state.project.instruments;
    let at = state.selected_index();
    let selected = state.selected_instrument();
    let nothing = || Intent::Message("No instrument yet: press a to add one".to_owned());
    Some(match cmd {
        CommandId::Up | CommandId::Down => {
            let i = at?;
            let j = if cmd == CommandId::Up { i.checked_sub(1)? } else { i + 1 };
            Intent::Select(*list.get_index(j)?.0)
        }
        CommandId::AddInstrument => Intent::ChooseSource,
        CommandId::AddAudioInput => Intent::AddAudioInput,
        CommandId::AddAudioTrack => Intent::AddAudioTrack,
        CommandId::Freeze => match selected {
            Some(i) => Intent::ToggleFreeze(i.id),
            None => nothing(),
        },
        CommandId::TrackInput => match selected {
            Some(i) => {
                let inputs = imbolc_audio::server::ServerConfig::default().inputs;
                match imbolc_core::audio_track::next_input_action(state.project, i.id, inputs) {
                    Ok(a) => Intent::Dispatch(a),
                    Err(e) => Intent::Message(e),
                }
            }
            None => nothing(),
        },
        CommandId::DeleteInstrument => match selected {
            Some(i) => Intent::Dispatch(Action::RemoveInstrument { instrument: i.id }),
            None => nothing(),
        },
        CommandId::ChangeSource => match selected {
            Some(i) if i.def.drums.is_some() || i.def.sampler.is_some() || i.def.input.is_some() => {
                Intent::Message(format!("{} plays no source to change", i.name))
            }
            Some(i) => Intent::ReplaceSource(i.id),
            None => nothing(),
        },
        CommandId::RenameInstrument => match selected {
            Some(i) => Intent::Rename { target: crate::modal::RenameTarget::Instrument(i.id), current: i.name.clone() },
            None => nothing(),
        },
        CommandId::DuplicateInstrument => match selected {
            Some(i) => Intent::DispatchThen(
                Action::DuplicateInstrument { instrument: i.id },
                format!("duplicated {} (its sound and mix; clips and lanes stay with the original)", i.name),
            ),
            None => nothing(),
        },
        CommandId::MoveInstrumentUp | CommandId::MoveInstrumentDown => {
            let (i, inst) = (at?, selected?);
            let index = if cmd == CommandId::MoveInstrumentUp { i.checked_sub(1)? } else { i + 1 };
            if index >= list.len() {
                return None;
            }
            Intent::Dispatch(Action::MoveInstrument { instrument: inst.id, index })
        }
        CommandId::EditInstrument if selected.is_some() => Intent::Show(PaneKind::Editor),
        CommandId::AddSampler => Intent::ChooseSamplerSample,
        CommandId::ImportSfz => Intent::ChooseSfz,
        CommandId::SamplerZones => match selected {
            Some(i) if i.def.sampler.is_some() => Intent::Show(PaneKind::Zones),
            Some(i) => Intent::Message(format!("{} is not a sampler: press s to add one", i.name)),
            None => nothing(),
        },
        _ => return None,
    })
}

pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let block = Block::bordered().title(format!(" Instruments ({}) ", state.project.instruments.len()));
    let height = usize::from(area.height.saturating_sub(2));
    if state.project.instruments.is_empty() {
        let text = vec![Line::raw(""), Line::raw("  No instruments yet. Press a to add one, ? for help.")];
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    }
    let cursor = state.selected_index().unwrap_or(0);
    let first = follow(0, cursor, height);
    let lines: Vec<Line> = state
        .project
        .instruments
        .values()
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(i, inst)| {
            let def = &inst.def;
            let source = if def.audio_track {
                format!("audio ← {}", imbolc_core::audio_track::input_label(state.project, def.record_input)).into()
            } else {
                source_label(def)
            };
            let effects: Vec<&str> = def.effects.iter().map(|e| e.kind.name()).collect();
            let flags =
                format!("{}{}", if inst.mixer.mute { "M" } else { " " }, if inst.mixer.solo { "S" } else { " " });
            // A layer says whose notes it plays, before its effects.
            let layer = def.layer.map_or(String::new(), |l| {
                let lead = state.project.instruments.get(&l.lead).map_or("?", |i| i.name.as_str());
                format!("⤷ {} {} ", truncate(lead, 12), l.label())
            });
            let text = format!(
                " {:>2}  {:<20} {:<15} {:<9} {} {}{}",
                i + 1,
                truncate(&inst.name, 20),
                truncate(&source, 15),
                def.filter.as_ref().map_or("", |f| f.kind.name()),
                flags,
                layer,
                effects.join(" → "),
            );
            let span = Span::raw(text);
            if i == cursor { Line::from(span).style(cursor_style()) } else { Line::from(span) }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// At most `max` characters of `s`.
/// What makes an instrument's sound, as the lists show it: its source
/// (a user's SynthDef marked when broken), "drum kit" (whose pads
/// replace the source), or the audio input it reads.
pub fn source_label(def: &imbolc_types::InstrumentDef) -> std::borrow::Cow<'_, str> {
    if let Some(input) = &def.input {
        return input_label(input).into();
    }
    if def.audio_track {
        return "audio track".into();
    }
    if def.frozen.is_some() {
        return format!("{} (frozen)", source_label(&imbolc_types::InstrumentDef { frozen: None, ..def.clone() }))
            .into();
    }
    if let Some(s) = &def.sampler {
        let n = s.zones.len();
        return format!("sampler {n} zone{}", if n == 1 { "" } else { "s" }).into();
    }
    match (&def.drums, &def.source.custom) {
        (Some(_), _) => "drum kit".into(),
        (None, Some(custom)) if custom.broken.is_some() => format!("{} (broken)", custom.name).into(),
        (None, _) => def.source.label().into(),
    }
}

/// The audio input an input instrument reads: "input 1-2", "input bus 3".
pub fn input_label(input: &imbolc_types::AudioInputDef) -> String {
    match input.source {
        imbolc_types::InputSource::Hardware { first } => {
            format!("input {}-{}", u16::from(first) + 1, u16::from(first) + 2)
        }
        imbolc_types::InputSource::Bus(bus) => format!("input bus {bus}"),
    }
}

pub fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
