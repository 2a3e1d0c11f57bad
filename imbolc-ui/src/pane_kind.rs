//! [`PaneKind`]: the panes, their tab order and titles (what a command's
//! context and the tab bar name).

/// The panes, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaneKind {
    Instruments,
    Editor,
    PianoRoll,
    Mixer,
    Server,
    Drums,
    Help,
    Arrangement,
    Automation,
    /// The slicing pane, opened from a drum pad (`c` in the drum pane);
    /// not a tab.
    Slicer,
    /// The zones of the selected sampler (`z` in the instrument list);
    /// not a tab.
    Zones,
    /// The clip launcher (`9`); not a tab: it shows under the
    /// arrangement's.
    Session,
    /// Collaborators when playing together (`C-w`); not a tab: it shows
    /// under the server's.
    Together,
    /// Scope, spectrum and loudness of one target (`V`); not a tab: it
    /// shows under the mixer's.
    Views,
}

impl PaneKind {
    /// Tab order; the number keys follow it.
    pub const ALL: [PaneKind; 9] = [
        PaneKind::Instruments,
        PaneKind::Editor,
        PaneKind::PianoRoll,
        PaneKind::Mixer,
        PaneKind::Server,
        PaneKind::Arrangement,
        PaneKind::Automation,
        PaneKind::Drums,
        PaneKind::Help,
    ];

    /// Panes reached from another pane rather than by a tab or number key.
    pub const SUB: [PaneKind; 5] =
        [PaneKind::Slicer, PaneKind::Zones, PaneKind::Session, PaneKind::Together, PaneKind::Views];

    /// The tab that shows as current while this pane is up (a sub-pane's
    /// parent).
    pub fn tab(self) -> PaneKind {
        match self {
            PaneKind::Slicer => PaneKind::Drums,
            PaneKind::Zones => PaneKind::Instruments,
            PaneKind::Session => PaneKind::Arrangement,
            PaneKind::Together => PaneKind::Server,
            PaneKind::Views => PaneKind::Mixer,
            other => other,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            PaneKind::Instruments => "Instruments",
            PaneKind::Editor => "Editor",
            PaneKind::PianoRoll => "Piano roll",
            PaneKind::Mixer => "Mixer",
            PaneKind::Server => "Server",
            PaneKind::Drums => "Drums",
            PaneKind::Help => "Help",
            PaneKind::Arrangement => "Arrange",
            PaneKind::Automation => "Automation",
            PaneKind::Slicer => "Slicer",
            PaneKind::Zones => "Zones",
            PaneKind::Session => "Session",
            PaneKind::Together => "Together",
            PaneKind::Views => "Views",
        }
    }

    fn index(self) -> usize {
        PaneKind::ALL.iter().position(|p| *p == self.tab()).unwrap_or(0)
    }

    /// The next pane in tab order (wrapping); `back` goes the other way.
    pub fn cycle(self, back: bool) -> PaneKind {
        let n = PaneKind::ALL.len();
        let i = if back { self.index() + n - 1 } else { self.index() + 1 };
        PaneKind::ALL[i % n]
    }
}
