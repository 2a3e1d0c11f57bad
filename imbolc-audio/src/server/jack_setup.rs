//! [`JackSetup`]: what the UI shows about the JACK server.

/// Who started the JACK server, and so who else can use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JackOrigin {
    /// The user's server, found running; left alone.
    #[default]
    Existing,
    /// Started by Imbolc under the default name because none ran:
    /// other JACK programs and MIDI bridges can join it. Stopped when
    /// Imbolc quits.
    Started,
    /// Started by Imbolc under a unique name (`--jack dummy`, tests):
    /// nothing else finds it.
    Private,
}

/// Whether hardware MIDI reaches the JACK server.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum MidiBridge {
    /// The user's server: whatever bridges it has (`a2jmidid`,
    /// PipeWire's MIDI bridge).
    #[default]
    ServersOwn,
    /// jackd bridges the ALSA sequencer (`-X seq`): each hardware port
    /// is a physical JACK port `system:midi_capture_N`, hot-plugged.
    Seq,
    /// Not bridged; why.
    None(String),
}

/// The JACK server scsynth runs on, for the server pane. Shown
/// alone (`Display`: `jack (dummy)`) it is the driver, for the status
/// line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JackSetup {
    /// Server name (`JACK_DEFAULT_SERVER` of its clients).
    pub name: String,
    /// jackd's driver ("alsa", "dummy"); empty for a server we did
    /// not start.
    pub driver: String,
    pub origin: JackOrigin,
    pub midi: MidiBridge,
}

impl JackSetup {
    /// One line about the server: its name and who started it.
    pub fn server_line(&self) -> String {
        match self.origin {
            JackOrigin::Existing => format!("'{}' (already running)", self.name),
            JackOrigin::Started => format!("'{}' (started by Imbolc, {} driver, shared)", self.name, self.driver),
            JackOrigin::Private => format!("'{}' (private, {} driver)", self.name, self.driver),
        }
    }

    /// One line about hardware MIDI reaching the server.
    pub fn midi_line(&self) -> String {
        match &self.midi {
            MidiBridge::ServersOwn => "the server's own bridges (a2jmidid, PipeWire)".to_owned(),
            MidiBridge::Seq => "ALSA sequencer bridged by jackd (-X seq)".to_owned(),
            MidiBridge::None(why) => format!("not bridged: {why}"),
        }
    }
}

impl std::fmt::Display for JackSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.origin {
            JackOrigin::Existing => f.write_str("jack (existing server)"),
            JackOrigin::Started | JackOrigin::Private => write!(f, "jack ({})", self.driver),
        }
    }
}
