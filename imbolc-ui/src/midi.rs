//! [`MidiUi`]: live MIDI in the TUI. Owns the [`MidiRuntime`] (polled once
//! per frame with the session and the engine's transport) and the midir
//! ports, opened from the user's `midi.toml` once the engine's server runs
//! (when Imbolc starts JACK itself, that is when JACK exists). While they
//! cannot be opened it tries again at each new server and otherwise after
//! a growing pause ([`RETRY`]); ports whose JACK server went away are
//! closed and reopened the same way. Notes never pass here: they go from
//! the MIDI callback to the audio thread.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use imbolc_audio::engine::{EngineFeedback, LiveSender};
use imbolc_audio::server::jack::{JackSetup, default_server_name};
use imbolc_audio::status::ServerState;
use imbolc_core::midi::{
    MidiConfig, MidiPorts, MidiRuntime, PollReport, RecordMode, RecordSettings, Zone, channel_zones,
};
use imbolc_core::{AudioSink, Session};
use imbolc_types::{ClipId, InstrumentId, PadTarget, ParamTarget, TICKS_PER_QUARTER, Tick};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

/// Pauses between tries to open the ports while the server stays the
/// same (a JACK server the user starts later is found within the last).
const RETRY: [Duration; 4] =
    [Duration::from_secs(2), Duration::from_secs(5), Duration::from_secs(10), Duration::from_secs(30)];

/// See the module docs.
pub struct MidiUi {
    runtime: MidiRuntime,
    config: MidiConfig,
    ports: Option<MidiPorts>,
    problem: Option<String>,
    /// Failed tries since the ports were last open (or since the start).
    failures: usize,
    next_try: Instant,
    /// The server generation of the last try: a new server is tried at once.
    tried_generation: u64,
    /// Whether hardware auto-connect is on for the open ports.
    auto_connect: bool,
    /// The config's zones as last resolved against the project.
    zones: BTreeMap<u8, Vec<Zone>>,
    /// Bars of the next live loop (`None`: until pressed again).
    loop_bars: Option<u32>,
    /// Live loops quantise played notes to 1/16.
    loop_quantise: bool,
}

impl std::fmt::Debug for MidiUi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MidiUi").field("open", &self.ports.is_some()).field("problem", &self.problem).finish()
    }
}

impl MidiUi {
    /// Reads the config and opens the ports (or remembers why not).
    pub fn start(live: LiveSender) -> MidiUi {
        let mut runtime = MidiRuntime::new(Box::new(live));
        let (config, problem) = match MidiConfig::default_path().and_then(|p| MidiConfig::load(&p)) {
            Ok(c) => (c, None),
            Err(e) => (MidiConfig::default(), Some(format!("MIDI config: {e}"))),
        };
        runtime.set_follow_clock(config.follow_clock);
        runtime.pads_mut().layout = config.pad_layout;
        runtime.pads_mut().channel = config.pad_channel.clamp(1, 16) - 1;
        let problem = problem.or_else(|| Some("waiting for the server".to_owned()));
        MidiUi {
            runtime,
            config,
            ports: None,
            problem,
            failures: 0,
            next_try: Instant::now(),
            tried_generation: 0,
            auto_connect: false,
            zones: BTreeMap::new(),
            loop_bars: Some(1),
            loop_quantise: false,
        }
    }

    /// Overrides `midi.toml`'s auto-connect (from `config.toml`), before
    /// the ports open.
    pub fn set_auto_connect(&mut self, on: bool) {
        self.config.auto_connect = on;
    }

    /// Opens the ports on the JACK server `jack`'s clients use by default.
    /// Hardware is auto-connected only when that is the server scsynth
    /// runs on: with `--jack dummy` scsynth's server is private, and a
    /// keyboard on the user's own server is left alone.
    fn try_open(&mut self, jack: &JackSetup, generation: u64) {
        self.tried_generation = generation;
        let shared = jack.name == default_server_name();
        let config = MidiConfig { auto_connect: self.config.auto_connect && shared, ..self.config.clone() };
        match MidiPorts::open(&self.runtime, &config) {
            Ok(p) => {
                self.ports = Some(p);
                self.runtime.pads_mut().forget_leds();
                self.problem = None;
                self.failures = 0;
                self.auto_connect = config.auto_connect;
            }
            Err(e) => {
                tracing::debug!("MIDI ports not open: {e}");
                self.problem = Some(e.to_string());
                self.next_try = Instant::now() + RETRY[self.failures.min(RETRY.len() - 1)];
                self.failures += 1;
            }
        }
    }

    /// Closes ports whose JACK server went away, and opens them when a
    /// server runs and a try is due (a new server generation, or the pause
    /// after the last failure is over).
    fn keep_open(&mut self, feedback: &EngineFeedback) {
        if self.ports.as_ref().is_some_and(|p| !p.is_alive()) {
            tracing::info!("MIDI: the JACK server went away; the ports are reopened with the next server");
            self.ports = None;
            self.problem = Some("the JACK server went away".to_owned());
            self.next_try = Instant::now() + RETRY[0];
        }
        let ServerState::Running { jack, .. } = &feedback.server else { return };
        if self.ports.is_none() && (feedback.generation != self.tried_generation || Instant::now() >= self.next_try) {
            self.try_open(jack, feedback.generation);
        }
    }

    /// Once per frame: keeps the ports open, routes omni to `selected`,
    /// and runs the runtime. Returns what the status line should say.
    pub fn frame<S: AudioSink>(
        &mut self,
        session: &mut Session<S>,
        feedback: &EngineFeedback,
        selected: Option<InstrumentId>,
    ) -> Option<String> {
        self.keep_open(feedback);
        let transport = &feedback.transport;
        if let Some(p) = &self.ports {
            p.observe(transport);
        }
        self.runtime.select_instrument(selected);
        // Zones name instruments: resolved again when the project changes them.
        let zones = channel_zones(&self.config.zones, session.project());
        if zones != self.zones {
            self.runtime.set_channel_zones(zones.clone());
            self.zones = zones;
        }
        let mut report = self.runtime.poll(session, transport);
        let looped = self.runtime.loop_frame(session, transport, &feedback.performance);
        report.errors.extend(looped.errors);
        report.pad = report.pad.or(looped.pad);
        if let Some(p) = &self.ports {
            let leds = self.runtime.pad_leds(session.project(), &feedback.launcher);
            p.send_pads(&leds);
        }
        describe(&report)
    }

    /// Learns a pad for the slot `scene` of `instrument`; called again
    /// while waiting, for its scene, its column's stop, stop all, then
    /// cancels.
    pub fn learn_pad(&mut self, project: &imbolc_types::Project, instrument: InstrumentId, scene: u16) -> String {
        let slot = PadTarget::Slot { instrument, scene };
        let next = match self.runtime.pads().learning() {
            None => Some(slot),
            Some(PadTarget::Slot { .. }) => Some(PadTarget::Scene(scene)),
            Some(PadTarget::Scene(_)) => Some(PadTarget::StopColumn(instrument)),
            Some(PadTarget::StopColumn(_)) => Some(PadTarget::StopAll),
            Some(PadTarget::StopAll) => None,
        };
        self.runtime.pads_mut().learn(next);
        let name = project.instruments.get(&instrument).map_or("?", |i| i.name.as_str());
        match next {
            Some(PadTarget::Slot { .. }) => {
                format!("pad learn: press a pad for slot {} of {name} (L: scene)", scene + 1)
            }
            Some(PadTarget::Scene(s)) => format!("pad learn: press a pad for scene {} (L: stop column)", s + 1),
            Some(PadTarget::StopColumn(_)) => format!("pad learn: press a pad to stop {name} (L: stop all)"),
            Some(PadTarget::StopAll) => "pad learn: press a pad for stop all (L: cancel)".to_owned(),
            None => "pad learn cancelled".to_owned(),
        }
    }

    /// Whether a live loop is recording.
    pub fn is_looping(&self) -> bool {
        self.runtime.is_looping()
    }

    /// Arms a live loop into the empty slot `scene` of `instrument`.
    pub fn arm_loop<S: AudioSink>(
        &mut self,
        session: &mut Session<S>,
        instrument: InstrumentId,
        scene: u16,
        transport: &imbolc_audio::engine::TransportFeedback,
    ) -> String {
        let quantise = self.loop_quantise.then_some(TICKS_PER_QUARTER / 4);
        match self.runtime.arm_loop(session, (instrument, scene), self.loop_bars, quantise, transport) {
            Ok(text) | Err(text) => text,
        }
    }

    /// Closes an open loop take, or stops overdubbing.
    pub fn close_loop<S: AudioSink>(
        &mut self,
        session: &mut Session<S>,
        transport: &imbolc_audio::engine::TransportFeedback,
    ) -> String {
        self.runtime.close_loop(session, transport)
    }

    /// The next live loop length: 1, 2, 4, 8 bars, until pressed again.
    pub fn next_loop_length(&mut self) -> String {
        self.loop_bars = match self.loop_bars {
            Some(1) => Some(2),
            Some(2) => Some(4),
            Some(4) => Some(8),
            Some(_) => None,
            None => Some(1),
        };
        match self.loop_bars {
            Some(b) => format!("loop length: {b} bar{}", if b == 1 { "" } else { "s" }),
            None => "loop length: until o is pressed again".to_owned(),
        }
    }

    /// Live loops quantise played notes to 1/16, or not.
    pub fn toggle_loop_quantise(&mut self) -> String {
        self.loop_quantise = !self.loop_quantise;
        if self.loop_quantise { "loop input quantised to 1/16" } else { "loop input not quantised" }.to_owned()
    }

    /// The next ready-made pad layout (for this run; `midi.toml` sets the
    /// one Imbolc starts with).
    pub fn next_pad_layout(&mut self) -> String {
        let pads = self.runtime.pads_mut();
        let dark = pads.darken();
        pads.layout = pads.layout.next();
        if let Some(p) = &self.ports {
            p.send_pads(&dark);
        }
        format!("pad layout: {} (channel {})", pads.layout.name(), pads.channel + 1)
    }

    /// Panic: every voice released.
    pub fn panic(&self) {
        self.runtime.panic();
    }

    /// Learns `target` from the next controller moved (or cancels).
    pub fn learn(&mut self, target: Option<ParamTarget>) -> String {
        match target {
            Some(t) if self.runtime.learning() != Some(&t) => {
                self.runtime.learn(t);
                "MIDI learn: move a controller".to_owned()
            }
            _ => {
                self.runtime.cancel_learn();
                "MIDI learn cancelled".to_owned()
            }
        }
    }

    /// Whether MIDI recording is armed (or running).
    pub fn is_armed(&self) -> bool {
        self.runtime.is_armed()
    }

    /// Arms recording into `clip` from `from` (or disarms, committing).
    /// While stopped, play starts `count_in_bars` before `from`; the flag
    /// says play was started, so the UI shows it playing.
    pub fn toggle_record<S: AudioSink>(
        &mut self,
        session: &mut Session<S>,
        clip: ClipId,
        from: Tick,
        playing: bool,
    ) -> (String, bool) {
        if self.runtime.is_armed() {
            let report = self.runtime.disarm(session);
            return (describe(&report).unwrap_or_else(|| "recording off".to_owned()), false);
        }
        let ts = session.project().time_signature;
        let bar = u32::from(ts.numerator) * TICKS_PER_QUARTER * 4 / u32::from(ts.denominator.max(1));
        let count_in = self.config.count_in_bars.saturating_mul(bar);
        let settings = RecordSettings { clip, origin: 0, quantise: None, mode: RecordMode::Overdub, count_in };
        if playing || count_in == 0 {
            self.runtime.arm(settings, from);
            return ("recording armed".to_owned(), false);
        }
        self.runtime.arm_with_count_in(settings, from);
        // Short: the transport and `● rec` stay beside it at 80 columns.
        let bars = self.config.count_in_bars;
        (format!("count-in: {bars} bar{}", if bars == 1 { "" } else { "s" }), true)
    }

    /// The MIDI lines of the server pane: the port, every source connected
    /// to it, the configured device, counters.
    pub fn lines(&self) -> Vec<String> {
        let s = self.runtime.stats_snapshot();
        let port = match (&self.ports, &self.problem) {
            (Some(p), _) => {
                let auto = match (self.auto_connect, self.config.auto_connect) {
                    (true, _) => "on",
                    (false, true) => "off (not scsynth's JACK server)",
                    (false, false) => "off (midi.toml)",
                };
                format!("{} · hardware auto-connect {auto}", p.input_port())
            }
            (None, Some(p)) => format!("not open ({p})"),
            (None, None) => "not open".to_owned(),
        };
        let mut lines = vec![format!("  Port       {port}")];
        let sources = self.ports.as_ref().map(MidiPorts::devices).unwrap_or_default();
        if sources.is_empty() && self.ports.is_some() {
            lines.push("  Connected  nothing".to_owned());
        }
        for (i, source) in sources.iter().enumerate() {
            lines.push(format!("  {}{source}", if i == 0 { "Connected  " } else { "           " }));
        }
        let device = match &self.config.device {
            Some(d) if s.device_connected => format!("{d} (connected)"),
            Some(d) => format!("{d} (waiting)"),
            None => "none".to_owned(),
        };
        lines.push(format!("  Device     {device}"));
        lines.push(format!("  Messages   {} · dropped {} · malformed {}", s.received, s.dropped, s.malformed));
        lines.push(format!("  Record     {}", if self.runtime.is_armed() { "armed" } else { "off" }));
        lines
    }

    /// Draws [`MidiUi::lines`] in a box; `area` should be their count + 2
    /// high.
    pub fn render(lines: Vec<String>, frame: &mut Frame, area: Rect) {
        let lines: Vec<Line> = lines.into_iter().map(Line::raw).collect();
        frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(" MIDI ")), area);
    }
}

fn describe(r: &PollReport) -> Option<String> {
    if let Some(e) = r.errors.first() {
        return Some(format!("MIDI: {e}"));
    }
    if let Some(pad) = &r.pad {
        return Some(pad.clone());
    }
    if let Some(m) = &r.learned {
        return Some(format!("MIDI learn: channel {} CC {} mapped", m.channel + 1, m.cc));
    }
    r.recorded.map(|n| format!("recorded {n} notes"))
}
