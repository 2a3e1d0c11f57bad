//! What panes and dialogs ask for: a pane's [`Intent`] and a dialog's
//! [`Outcome`], carried out on the app (actions on the session, a pane to
//! show, a dialog to open). Separate from [`super::input`], which decides
//! who answers a key.

use imbolc_types::{Action, InstrumentId};

use super::App;
use crate::audio::UiAudio;
use crate::commands::{Context, command};
use crate::modal::{Choice, Modal, Outcome, Pick, Picker, RenameTarget};
use crate::panes::Intent;

impl<S: UiAudio> App<S> {
    pub(super) fn on_modal(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Open | Outcome::Cancel => {}
            Outcome::Picked(Choice::Source(_) | Choice::Custom(_) | Choice::DrumKit)
                if self.replacing_source.is_some() =>
            {
                self.replace_source(outcome);
            }
            Outcome::Picked(Choice::Source(source)) => {
                let name = self.fresh_name(source.name());
                if self.apply(Action::AddInstrument { source, name }) {
                    self.selected = self.session.project().instruments.keys().last().copied();
                }
            }
            Outcome::Picked(Choice::Custom(source)) => {
                let name = self.fresh_name(&source.name);
                if self.apply(Action::AddCustomInstrument { source, name }) {
                    self.selected = self.session.project().instruments.keys().last().copied();
                }
            }
            Outcome::Picked(Choice::Refused(why)) => self.error(why),
            Outcome::Picked(Choice::DrumKit) => self.on_intent(Intent::AddDrumKit),
            Outcome::Picked(Choice::Effect(owner, kind)) => {
                if self.apply(Action::AddEffect { owner, kind, index: None }) {
                    let state = state_of!(self);
                    self.panes.editor.show_last_effect(&state);
                }
            }
            Outcome::Renamed(target, name) => {
                self.apply(match target {
                    RenameTarget::Instrument(instrument) => Action::RenameInstrument { instrument, name },
                    RenameTarget::Clip(clip) => Action::RenameClip { clip, name },
                    RenameTarget::Bus(bus) => Action::RenameBus { bus, name },
                    RenameTarget::Project => Action::RenameProject { name },
                });
            }
            Outcome::TimeSignature(text) => self.set_time_signature(&text),
            Outcome::Run(cmd) => {
                // A pane command runs in its pane.
                if let Some(Context::Pane(p)) = command(cmd).map(|c| c.context)
                    && p != self.pane
                {
                    self.show(p);
                }
                self.run_command(cmd);
            }
            Outcome::SaveAndQuit => {
                self.quit_after_save = true;
                self.save();
                if !self.saving {
                    self.quit_after_save = false;
                }
            }
            Outcome::QuitWithoutSaving => self.quit = true,
            Outcome::PadSample(instrument, pad, path) => {
                match imbolc_core::drums::sample_pad_action(instrument, pad, std::path::Path::new(&path)) {
                    Ok(action) => {
                        if self.apply(action) {
                            let name = std::path::Path::new(&path).file_name().unwrap_or_default();
                            self.inform(format!("pad {}: loaded {}", pad + 1, name.to_string_lossy()));
                            // The next browse starts beside it (a stored
                            // sample no longer names its folder).
                            self.browse_dir = std::path::Path::new(&path).parent().map(std::path::Path::to_path_buf);
                        }
                    }
                    Err(e) => self.error(e.to_string()),
                }
            }
            Outcome::Preview(path) => match self.session.audio_mut().preview(Some(&path)) {
                Ok(()) => self.previewing = true,
                Err(e) => self.error(format!("preview: {e}")),
            },
            Outcome::NewSampler(path) => match imbolc_core::sampler::new_sampler_action(&path) {
                Ok(action) => {
                    if self.apply(action) {
                        self.selected = self.session.project().instruments.keys().last().copied();
                        self.browse_dir = path.parent().map(std::path::Path::to_path_buf);
                        self.inform(self.zone_message(0));
                    }
                }
                Err(e) => self.error(e.to_string()),
            },
            Outcome::SamplerZone(instrument, path) => match imbolc_core::sampler::zone_from_file(&path) {
                Ok(zone) => {
                    let index = self.zone_count(instrument);
                    if self.apply(Action::AddSamplerZone { instrument, index, zone }) {
                        self.panes.zones.zone = index;
                        self.browse_dir = path.parent().map(std::path::Path::to_path_buf);
                    }
                }
                Err(e) => self.error(e.to_string()),
            },
            Outcome::AudioClip { instrument, at, path } => {
                match imbolc_core::audio_track::audio_clip_action(self.session.project(), instrument, &path, at) {
                    Ok(action) => {
                        if self.apply(action) {
                            self.browse_dir = path.parent().map(std::path::Path::to_path_buf);
                        }
                    }
                    Err(e) => self.error(e.to_string()),
                }
            }
            Outcome::ImportSfz(path) => match imbolc_core::sfz::import(&path) {
                Ok(import) => {
                    if self.apply(import.action.clone()) {
                        self.selected = self.session.project().instruments.keys().last().copied();
                        self.browse_dir = path.parent().map(std::path::Path::to_path_buf);
                        self.inform(import.message());
                    }
                }
                Err(e) => self.error(format!("SFZ: {e}")),
            },
            Outcome::TypePadPath(instrument, pad) => {
                self.modal = Some(Modal::PadSample { instrument, pad, text: String::new() });
            }
            Outcome::EffectIr(owner, effect, path) => {
                match imbolc_core::drums::effect_ir_action(owner, effect, std::path::Path::new(&path)) {
                    Ok(action) => {
                        self.apply(action);
                    }
                    Err(e) => self.error(e.to_string()),
                }
            }
            Outcome::RestoreRecovery => self.restore_recovery(),
            Outcome::Path(purpose, text) => self.on_path(purpose, &text),
            Outcome::OpenAnyway(path) => self.start_loading(path),
            Outcome::Lane(target) => {
                if self.apply(Action::AddLane { target: target.clone() })
                    && let Some(instrument) = self.selected
                {
                    // The new lane becomes the selected one.
                    let lanes = crate::panes::automation::lanes_of(self.session.project(), instrument);
                    if let Some(i) = lanes.iter().position(|l| l.target == target) {
                        self.panes.automation.select_lane(i);
                    }
                }
            }
            Outcome::Tempo(text) => self.set_tempo_text(&text),
            Outcome::Pitch(instrument, text) => self.set_pitch_text(instrument, &text),
            Outcome::Transforms(instrument, prompt, text) => self.set_transforms_text(instrument, prompt, &text),
            Outcome::Artist(artist) => {
                if artist != self.session.project().artist {
                    self.apply(Action::SetArtist { artist });
                }
            }
        }
    }

    pub(super) fn on_intent(&mut self, intent: Intent) {
        match intent {
            Intent::Dispatch(action) => {
                self.apply(action);
            }
            Intent::DispatchThen(action, text) => {
                if self.apply(action) {
                    self.inform(text);
                }
            }
            Intent::Select(id) => {
                self.selected = Some(id);
                self.panes.editor.edit_instrument();
            }
            Intent::SelectClip(clip) => self.pick_clip(clip),
            Intent::DuplicateClip(clip) => self.duplicate_clip(clip),
            Intent::NewClip { instrument, at } => self.new_empty_clip(instrument, at),
            Intent::EditChain(owner) => {
                if let imbolc_types::ChainOwner::Instrument(id) = owner {
                    self.selected = Some(id);
                }
                self.panes.editor.edit_chain(owner);
                self.show(crate::commands::PaneKind::Editor);
            }
            Intent::Show(pane) => self.show(pane),
            Intent::ChooseSource | Intent::ReplaceSource(_) => {
                self.replacing_source = match intent {
                    Intent::ReplaceSource(id) => Some(id),
                    _ => None,
                };
                self.user_defs.rescan();
                self.modal = Some(Modal::Picker(Picker::new(Pick::Source, self.user_defs.known())));
            }
            Intent::ChooseEffect(owner) => {
                self.modal = Some(Modal::Picker(Picker::new(Pick::Effect(owner), Default::default())));
            }
            Intent::Rename { target, current } => self.modal = Some(Modal::Rename { target, text: current }),
            Intent::AskTimeSignature => self.modal = Some(Modal::TimeSignature { text: String::new() }),
            Intent::AddNote { instrument, note } => {
                if self.add_notes(instrument, vec![note]) {
                    self.preview(instrument, note);
                }
            }
            Intent::Message(text) => self.inform(text),
            Intent::AddNotes { instrument, notes } => {
                self.add_notes(instrument, notes);
            }
            Intent::SetLoop { clip, start, end } => self.set_loop(clip, start, end),
            Intent::ChooseLane(instrument) => self.choose_lane(instrument),
            Intent::SetMode(mode) => self.set_mode(mode),
            Intent::Launch(launches) => self.launch(launches),
            Intent::CapturePerformance => self.capture_performance(),
            Intent::Nudge(faster) => self.nudge(faster),
            Intent::TapTempoBar => self.tap_tempo_bar(),
            Intent::DispatchAll(actions) => {
                for a in actions {
                    if !self.apply(a) {
                        break;
                    }
                }
            }
            Intent::RestartServer => {
                self.restart = true;
                self.inform("restarting the server…");
            }
            Intent::AddDrumKit => {
                let name = self.fresh_name("drums");
                if self.apply(Action::AddDrumKit { name }) {
                    self.selected = self.session.project().instruments.keys().last().copied();
                }
            }
            Intent::ToggleFreeze(instrument) => self.toggle_freeze(instrument),
            Intent::AddAudioTrack => {
                let name = self.fresh_name("audio");
                if self.apply(Action::AddAudioTrack { name }) {
                    self.selected = self.session.project().instruments.keys().last().copied();
                }
            }
            Intent::ChooseAudioClip { instrument, at } => {
                self.browse(crate::browser::BrowseFor::AudioClip { instrument, at })
            }
            Intent::AddAudioInput => {
                let name = self.fresh_name("input");
                if self.apply(Action::AddAudioInput { name }) {
                    self.selected = self.session.project().instruments.keys().last().copied();
                }
            }
            Intent::AddDrumStep { instrument, key } => self.add_drum_step(instrument, key),
            Intent::ChooseEffectIr { owner, effect } => {
                self.modal = Some(Modal::EffectIr { owner, effect, text: String::new() })
            }
            Intent::ChoosePadSample { instrument, pad } => {
                let pad_def = self.pad(instrument, pad);
                let sample = pad_def.and_then(|p| p.sample().map(str::to_owned));
                // A stored sample keeps its file's name, not its folder.
                let name = match (pad_def.and_then(|p| p.stored()), sample.as_deref()) {
                    (Some(stored), _) => Some(stored.name.clone()),
                    (None, Some(path)) => {
                        std::path::Path::new(path).file_name().map(|n| n.to_string_lossy().into_owned())
                    }
                    (None, None) => None,
                };
                let dir = crate::browser::start_dir(sample.as_deref(), self.browse_dir.as_deref());
                let mut browser = crate::browser::Browser::new(instrument, pad, dir);
                // On the pad's own file when it is listed here.
                if let Some(name) = name {
                    browser.select(&name);
                }
                self.browse_dir = Some(browser.dir.clone());
                self.modal = Some(Modal::Browser(browser));
            }
            Intent::OpenSlicer { instrument, pad } => self.open_slicer(instrument, pad),
            Intent::ChooseSamplerSample => self.browse(crate::browser::BrowseFor::NewSampler),
            Intent::ChooseZoneSample(id) => self.browse(crate::browser::BrowseFor::Zone(id)),
            Intent::ChooseSfz => self.browse(crate::browser::BrowseFor::Sfz),
            Intent::EstimateRoot { instrument, index } => {
                match imbolc_core::sampler::estimate_root_action(self.session.project(), instrument, index) {
                    Ok((action, root, hz)) => {
                        if self.apply(action) {
                            let name = crate::panes::zones::note_name(root);
                            self.inform(format!("zone {}: {hz:.1} Hz, root {name}", index + 1));
                        }
                    }
                    Err(e) => self.error(e.to_string()),
                }
            }
        }
    }

    /// Opens the browser for `target` in the last folder browsed.
    fn browse(&mut self, target: crate::browser::BrowseFor) {
        let dir = crate::browser::start_dir(None, self.browse_dir.as_deref());
        let browser = crate::browser::Browser::for_target(InstrumentId(0), 0, target, dir);
        self.browse_dir = Some(browser.dir.clone());
        self.modal = Some(Modal::Browser(browser));
    }

    /// Zones of a sampler (0 when it is none).
    fn zone_count(&self, instrument: InstrumentId) -> usize {
        let inst = self.session.project().instruments.get(&instrument);
        inst.and_then(|i| i.def.sampler.as_ref()).map_or(0, |s| s.zones.len())
    }

    /// "sampler: root A3" for zone `index` of the selected sampler.
    fn zone_message(&self, index: usize) -> String {
        let inst = self.selected.and_then(|id| self.session.project().instruments.get(&id));
        match inst.and_then(|i| Some((i, i.def.sampler.as_ref()?.zones.get(index)?))) {
            Some((i, z)) => format!("{}: root {} (z edits the zones)", i.name, crate::panes::zones::note_name(z.root)),
            None => String::new(),
        }
    }

    /// Pad `pad` of drum kit `instrument`, if both exist.
    fn pad(&self, instrument: InstrumentId, pad: u8) -> Option<&imbolc_types::DrumPad> {
        let kit = self.session.project().instruments.get(&instrument)?.def.drums.as_ref()?;
        kit.pads.get(usize::from(pad))
    }

    /// Decodes the pad's sample (a stored one from the sample cache) and
    /// shows it in the slicer; a voice pad or an unreadable file is an
    /// error in the status line.
    fn open_slicer(&mut self, instrument: InstrumentId, pad: u8) {
        // A stored sample is read from its cache file, titled by its name.
        let file = self.pad(instrument, pad).and_then(|p| match p.stored() {
            Some(sample) => Some((imbolc_audio::sample_cache::path_of(sample), Some(sample.name.clone()))),
            None => p.sample().map(|path| (std::path::PathBuf::from(path), None)),
        });
        let Some((path, name)) = file else {
            return self.error(format!("pad {} plays a built-in voice: load a sample on it first (s)", pad + 1));
        };
        match crate::panes::slicer::Slicing::open(instrument, pad, &path) {
            Ok(mut slicing) => {
                if let Some(name) = name {
                    slicing.name = name;
                }
                self.panes.slicer.slicing = Some(slicing);
                self.show(crate::commands::PaneKind::Slicer);
            }
            Err(e) => self.error(e.to_string()),
        }
    }

    /// Stops a file preview if one may be sounding.
    pub(super) fn stop_preview(&mut self) {
        if std::mem::take(&mut self.previewing)
            && let Err(e) = self.session.audio_mut().preview(None)
        {
            self.error(format!("stopping the preview: {e}"));
        }
    }

    /// Offers the parameters of `instrument` that have no lane yet.
    fn choose_lane(&mut self, instrument: InstrumentId) {
        let items = crate::panes::automation::automatable(self.session.project(), instrument);
        if items.is_empty() {
            self.inform("every parameter of this instrument has a lane");
        } else {
            self.modal = Some(Modal::LanePicker { items, cursor: 0, query: String::new() });
        }
    }
}
