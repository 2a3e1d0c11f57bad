//! The one table of colours: every pane, dialog and the status line take
//! their colours from the [`Theme`] in use ([`current`]), by role (dim
//! text, accent, warning, ...), never as colour literals. Three themes:
//! dark (the terminal's own background), light (dark text on white) and
//! high contrast (white on black, bright colours, nothing dim). Chosen by
//! `theme` in config.toml and by the "Next theme" command.

use std::cell::Cell;

use ratatui::style::{Color, Modifier, Style};

/// A theme's name, as config.toml and the command give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
    HighContrast,
}

impl ThemeName {
    /// Every theme, in the order the command cycles through them.
    pub const ALL: [ThemeName; 3] = [ThemeName::Dark, ThemeName::Light, ThemeName::HighContrast];

    /// Its name in config.toml.
    pub fn id(self) -> &'static str {
        match self {
            ThemeName::Dark => "dark",
            ThemeName::Light => "light",
            ThemeName::HighContrast => "high-contrast",
        }
    }

    /// The theme called `id` (`high_contrast` is taken too).
    pub fn from_id(id: &str) -> Option<ThemeName> {
        let id = id.trim().to_ascii_lowercase().replace('_', "-");
        ThemeName::ALL.into_iter().find(|t| t.id() == id)
    }

    /// The next theme in [`ThemeName::ALL`], round.
    pub fn next(self) -> ThemeName {
        let i = ThemeName::ALL.iter().position(|&t| t == self).unwrap_or(0);
        ThemeName::ALL[(i + 1) % ThemeName::ALL.len()]
    }

    /// Its colours.
    pub fn theme(self) -> &'static Theme {
        match self {
            ThemeName::Dark => &DARK,
            ThemeName::Light => &LIGHT,
            ThemeName::HighContrast => &HIGH_CONTRAST,
        }
    }
}

/// The colours of one theme, by what they mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Text and background of the whole screen.
    pub base: Style,
    /// Grid dots, rules, hints: what should recede.
    pub dim: Color,
    /// Secondary text: info lines, filters, numbers.
    pub muted: Color,
    /// Notes, steps, points: the content.
    pub accent: Color,
    /// The strongest content (loud notes).
    pub accent_strong: Color,
    /// Soft content (quiet notes, loop bars).
    pub cool: Color,
    /// The playhead, markers, queued clips, meters near the top.
    pub warn: Color,
    /// Text on a [`Theme::warn`] background.
    pub on_warn: Color,
    /// Errors, clipping, stopped.
    pub error: Color,
    /// Running, playing, meters in range.
    pub good: Color,
    /// Background of a highlighted row (the piano roll's cursor pitch).
    pub highlight_bg: Color,
    /// Bold where the theme wants more weight for emphasis.
    pub emphasis: Modifier,
}

/// The terminal's own colours, as before themes.
pub const DARK: Theme = Theme {
    base: Style::new(),
    dim: Color::DarkGray,
    muted: Color::Gray,
    accent: Color::Cyan,
    accent_strong: Color::LightCyan,
    cool: Color::Blue,
    warn: Color::Yellow,
    on_warn: Color::Black,
    error: Color::Red,
    good: Color::Green,
    highlight_bg: Color::Indexed(236),
    emphasis: Modifier::empty(),
};

/// Dark text on white; colours dark enough to read on it.
pub const LIGHT: Theme = Theme {
    base: Style::new().fg(Color::Black).bg(Color::White),
    dim: Color::Indexed(246),
    muted: Color::Indexed(240),
    accent: Color::Indexed(25),
    accent_strong: Color::Indexed(18),
    cool: Color::Indexed(67),
    warn: Color::Indexed(130),
    on_warn: Color::White,
    error: Color::Indexed(124),
    good: Color::Indexed(28),
    highlight_bg: Color::Indexed(254),
    emphasis: Modifier::empty(),
};

/// White on black, bright colours, nothing dim; emphasis in bold.
pub const HIGH_CONTRAST: Theme = Theme {
    base: Style::new().fg(Color::White).bg(Color::Black),
    dim: Color::Gray,
    muted: Color::White,
    accent: Color::LightCyan,
    accent_strong: Color::White,
    cool: Color::LightBlue,
    warn: Color::LightYellow,
    on_warn: Color::Black,
    error: Color::LightRed,
    good: Color::LightGreen,
    highlight_bg: Color::Blue,
    emphasis: Modifier::BOLD,
};

impl Theme {
    /// The error colour for an error, else the plain style.
    pub fn error_if(&self, error: bool) -> Style {
        if error { Style::default().fg(self.error) } else { Style::default() }
    }
}

thread_local! {
    /// The theme the UI thread draws with (each test thread has its own).
    static CURRENT: Cell<ThemeName> = const { Cell::new(ThemeName::Dark) };
}

/// The theme in use on this thread.
pub fn current() -> &'static Theme {
    CURRENT.with(Cell::get).theme()
}

/// The name of the theme in use on this thread.
pub fn current_name() -> ThemeName {
    CURRENT.with(Cell::get)
}

/// Draws with `name` from now on (on this thread).
pub fn set(name: ThemeName) {
    CURRENT.with(|c| c.set(name));
}

/// A style of foreground `color`, with the theme's emphasis.
pub fn fg(color: Color) -> Style {
    Style::default().fg(color).add_modifier(current().emphasis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_cycle() {
        for t in ThemeName::ALL {
            assert_eq!(ThemeName::from_id(t.id()), Some(t));
        }
        assert_eq!(ThemeName::from_id("High_Contrast"), Some(ThemeName::HighContrast));
        assert_eq!(ThemeName::from_id("sepia"), None);
        assert_eq!(ThemeName::Dark.next().next().next(), ThemeName::Dark);
    }
}
