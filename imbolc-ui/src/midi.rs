//! [`MidiUi`]: live MIDI in the TUI. Owns the [`MidiRuntime`] (polled once
//! per frame with the session and the engine's transport) and the midir
//! ports, opened from the user's `midi.toml`; while they cannot be opened
//! (JACK not up yet) it retries every [`RETRY`]. Notes never pass here:
//! they go from the MIDI callback to the audio thread.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use imbolc_audio::engine::{LiveSender, TransportFeedback};
use imbolc_core::midi::{
    MidiConfig, MidiPorts, MidiRuntime, PollReport, RecordMode, RecordSettings, Zone, channel_zones, ports,
};
use imbolc_core::{AudioSink, Session};
use imbolc_types::{ClipId, InstrumentId, ParamTarget, TICKS_PER_QUARTER, Tick};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

/// How often opening the ports is retried.
const RETRY: Duration = Duration::from_secs(2);

/// See the module docs.
pub struct MidiUi {
    runtime: MidiRuntime,
    config: MidiConfig,
    ports: Option<MidiPorts>,
    problem: Option<String>,
    next_try: Instant,
    /// The config's zones as last resolved against the project.
    zones: BTreeMap<u8, Vec<Zone>>,
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
        let mut ui = MidiUi { runtime, config, ports: None, problem, next_try: Instant::now(), zones: BTreeMap::new() };
        ui.try_open();
        ui
    }

    fn try_open(&mut self) {
        self.next_try = Instant::now() + RETRY;
        match MidiPorts::open(&self.runtime, &self.config) {
            Ok(p) => {
                self.ports = Some(p);
                self.problem = None;
            }
            Err(e) => {
                tracing::debug!("MIDI ports not open: {e}");
                self.problem = Some(e.to_string());
            }
        }
    }

    /// Once per frame: retries the ports, routes omni to `selected`, and
    /// runs the runtime. Returns what the status line should say.
    pub fn frame<S: AudioSink>(
        &mut self,
        session: &mut Session<S>,
        transport: &TransportFeedback,
        selected: Option<InstrumentId>,
    ) -> Option<String> {
        if self.ports.is_none() && Instant::now() >= self.next_try {
            self.try_open();
        }
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
        describe(&self.runtime.poll(session, transport))
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

    /// Arms recording into `clip` from `from` (or disarms, committing).
    /// While stopped, play starts `count_in_bars` before `from`.
    pub fn toggle_record<S: AudioSink>(
        &mut self,
        session: &mut Session<S>,
        clip: ClipId,
        from: Tick,
        playing: bool,
    ) -> String {
        if self.runtime.is_armed() {
            let report = self.runtime.disarm(session);
            return describe(&report).unwrap_or_else(|| "recording off".to_owned());
        }
        let ts = session.project().time_signature;
        let bar = u32::from(ts.numerator) * TICKS_PER_QUARTER * 4 / u32::from(ts.denominator.max(1));
        let count_in = self.config.count_in_bars.saturating_mul(bar);
        let settings = RecordSettings { clip, origin: 0, quantise: None, mode: RecordMode::Overdub, count_in };
        if playing || count_in == 0 {
            self.runtime.arm(settings, from);
            return "recording armed".to_owned();
        }
        self.runtime.arm_with_count_in(settings, from);
        format!("recording after {} bar(s) of count-in", self.config.count_in_bars)
    }

    /// The MIDI lines of the server pane.
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let s = self.runtime.stats_snapshot();
        let port = match (&self.ports, &self.problem) {
            (Some(_), _) => format!("{}:{}", ports::CLIENT, ports::INPUT_PORT),
            (None, Some(p)) => format!("not open ({p})"),
            (None, None) => "not open".to_owned(),
        };
        let device = match &self.config.device {
            Some(d) if s.device_connected => format!("{d} (connected)"),
            Some(d) => format!("{d} (waiting)"),
            None => "none".to_owned(),
        };
        let lines = [
            format!("  Port       {port}"),
            format!("  Device     {device}"),
            format!("  Messages   {} · dropped {} · malformed {}", s.received, s.dropped, s.malformed),
            format!("  Record     {}", if self.runtime.is_armed() { "armed" } else { "off" }),
        ]
        .map(Line::raw);
        frame.render_widget(Paragraph::new(lines.to_vec()).block(Block::bordered().title(" MIDI ")), area);
    }
}

fn describe(r: &PollReport) -> Option<String> {
    if let Some(e) = r.errors.first() {
        return Some(format!("MIDI: {e}"));
    }
    if let Some(m) = &r.learned {
        return Some(format!("MIDI learn: channel {} CC {} mapped", m.channel + 1, m.cc));
    }
    r.recorded.map(|n| format!("recorded {n} notes"))
}
