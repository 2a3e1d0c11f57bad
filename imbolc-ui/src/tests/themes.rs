//! Every pane of the demo project (and the two main dialogs) in each of
//! the three themes, at 80×24: the text, then for each row its runs of
//! style (`cols fg/bg +modifiers`), so a colour that changes, or a pane
//! that keeps a literal colour, shows in the snapshot.

use std::fmt::Write;

use ratatui::backend::TestBackend;

use super::fixture::{demo_app, press, render};
use crate::theme::{self, ThemeName};

/// Text and style runs of every row.
fn dump(backend: &TestBackend) -> String {
    let buffer = backend.buffer();
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut text = String::new();
        let mut runs: Vec<(u16, u16, String)> = Vec::new();
        for x in 0..area.width {
            let cell = &buffer[(x, y)];
            text.push_str(cell.symbol());
            let style = format!("{:?}/{:?}{}", cell.fg, cell.bg, modifiers(cell.modifier));
            match runs.last_mut() {
                Some((_, end, s)) if *s == style => *end = x,
                _ => runs.push((x, x, style)),
            }
        }
        let _ = writeln!(out, "{y:2}|{}", text.trim_end());
        let spans: Vec<String> = runs.iter().map(|(a, b, s)| format!("{a}-{b} {s}")).collect();
        let _ = writeln!(out, "  |{}", spans.join("; "));
    }
    out
}

fn modifiers(m: ratatui::style::Modifier) -> String {
    if m.is_empty() { String::new() } else { format!(" +{m:?}") }
}

/// The screens: a name and the keys that show it on the demo app.
const SCREENS: &[(&str, &str)] = &[
    ("instruments", "1"),
    ("editor", "2 j j j"),
    ("piano_roll", "3 l l k k k"),
    ("mixer", "4"),
    ("server", "5"),
    ("arrangement", "6"),
    ("automation", "7"),
    ("drums", "8"),
    ("session", "9"),
    ("together", "C-w"),
    ("views", "V"),
    ("help", "3 ?"),
    ("picker", "a"),
    ("palette", ":"),
];

#[test]
fn every_pane_in_every_theme() {
    for name in ThemeName::ALL {
        theme::set(name);
        for (screen, keys) in SCREENS {
            let mut app = demo_app();
            press(&mut app, keys);
            let snapshot = dump(&render(&app, 80, 24));
            insta::assert_snapshot!(format!("theme_{}_{screen}", name.id()), snapshot);
        }
    }
    theme::set(ThemeName::Dark);
}

/// The slicer (a sub-pane that needs a sample on a pad) in every theme.
#[test]
fn the_slicer_in_every_theme() {
    for name in ThemeName::ALL {
        theme::set(name);
        let mut f = super::slicer::fixture(&format!("theme-{}", name.id()));
        press(&mut f.app, "c");
        insta::assert_snapshot!(format!("theme_{}_slicer", name.id()), dump(&render(&f.app, 80, 24)));
    }
    theme::set(ThemeName::Dark);
}

/// A sampler's zones (a sub-pane that needs a sample folder) in every theme.
#[test]
fn the_zones_in_every_theme() {
    for name in ThemeName::ALL {
        theme::set(name);
        let dir = super::sampler::folder(&format!("theme-{}", name.id()));
        let mut app = demo_app();
        app.set_browse_dir(dir.0.clone());
        press(&mut app, "1 s Enter z");
        assert_eq!(app.pane(), crate::commands::PaneKind::Zones);
        insta::assert_snapshot!(format!("theme_{}_zones", name.id()), dump(&render(&app, 80, 24)));
    }
    theme::set(ThemeName::Dark);
}

#[test]
fn light_and_high_contrast_paint_every_cell_and_dark_keeps_the_terminals() {
    let mut app = demo_app();
    press(&mut app, "3");
    for name in ThemeName::ALL {
        theme::set(name);
        let backend = render(&app, 80, 24);
        let resets = backend.buffer().content.iter().filter(|c| c.bg == ratatui::style::Color::Reset).count();
        if name == ThemeName::Dark {
            assert!(resets > 0, "dark keeps the terminal's background");
        } else {
            assert_eq!(resets, 0, "{} leaves cells in the terminal's background", name.id());
        }
    }
    theme::set(ThemeName::Dark);
}

#[test]
fn no_colour_literals_outside_the_theme_table() {
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut found = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(src)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("tests") {
                    dirs.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path.ends_with("theme.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, line) in text.lines().enumerate() {
                let literal = ["Color::", "Color::Indexed"].iter().any(|p| line.contains(p))
                    && !line.contains("Color::Reset")
                    && !line.trim_start().starts_with("//");
                if literal {
                    found.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "colour literals outside theme.rs:\n{}", found.join("\n"));
}
