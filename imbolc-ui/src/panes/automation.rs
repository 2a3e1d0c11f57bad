//! Automation: the lanes of the selected instrument, then the project's
//! own (master level, limiter ceiling, tempo, bus strips, bus and master
//! effects), one row each, with their points on a timeline of beats. `j`/`k` pick a lane, `h`/`l` move
//! the time cursor a beat, `+`/`-` raise or lower the point at the cursor
//! (adding one at the parameter's current value), `x` deletes it, `A-h`/
//! `A-l` move it, `a` adds a lane (pick the parameter), `D` removes one.

use imbolc_core::dispatch::{param_range, param_value};
use imbolc_types::{
    Action, AutomationLane, ChainOwner, Curve, EnvelopeStage, InstrumentId, MixerParam, ParamTarget, Project,
    TICKS_PER_QUARTER, Tick,
};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{Intent, State, cursor_style, follow, instruments::truncate};
use crate::commands::CommandId;

/// One column of the timeline: a beat.
const COLUMN: Tick = TICKS_PER_QUARTER;
/// Width of the lane names.
const NAME: u16 = 22;
/// A raise or lower moves a point by this share of its range.
const STEP_SHARE: f32 = 0.05;

/// The automation pane's view state.
#[derive(Debug, Default)]
pub struct AutomationPane {
    lane: usize,
    /// Time cursor in ticks.
    cursor: Tick,
}

/// The lanes that automate `instrument`, in id order, then those of no
/// instrument (master, tempo, buses), shown with every instrument.
pub fn lanes_of(project: &Project, instrument: InstrumentId) -> Vec<&AutomationLane> {
    let lanes = project.automation.values();
    let own = lanes.clone().filter(|l| l.target.instrument() == Some(instrument));
    own.chain(lanes.filter(|l| l.target.instrument().is_none())).collect()
}

/// A short name for a target: `source amp`, `reverb mix`, `level`.
pub fn target_name(project: &Project, target: &ParamTarget) -> String {
    match target {
        ParamTarget::Source { param, .. } => format!("source {param}"),
        ParamTarget::Envelope { stage, .. } => format!("env {}", stage.control()),
        ParamTarget::Filter { param, .. } => format!("filter {param}"),
        ParamTarget::Effect { owner, effect, param } => {
            let kind = project.chain(*owner).and_then(|c| c.iter().find(|e| e.id == *effect)).map(|e| e.kind.name());
            let name = format!("{} {param}", kind.unwrap_or("effect"));
            match owner {
                ChainOwner::Instrument(_) => name,
                ChainOwner::Bus(b) => format!("{} {name}", project.buses.get(b).map_or("bus", |x| x.name.as_str())),
                ChainOwner::Master => format!("master {name}"),
            }
        }
        ParamTarget::Lfo { param, .. } => format!("lfo {param:?}").to_lowercase(),
        ParamTarget::Mixer { param: MixerParam::Level, .. } => "level".to_owned(),
        ParamTarget::Mixer { param: MixerParam::Pan, .. } => "pan".to_owned(),
        ParamTarget::Mixer { param: MixerParam::Send(bus), .. } => format!("send {bus}"),
        ParamTarget::BusMixer { bus, param } => {
            let name = project.buses.get(bus).map_or("bus", |x| x.name.as_str());
            match param {
                MixerParam::Level => format!("{name} level"),
                MixerParam::Pan => format!("{name} pan"),
                MixerParam::Send(to) => format!("{name} send {to}"),
            }
        }
        ParamTarget::MasterLevel => "master level".to_owned(),
        ParamTarget::MasterLimiterCeiling => "limiter ceiling".to_owned(),
        ParamTarget::Tempo => "tempo".to_owned(),
    }
}

/// What a lane can automate that belongs to no instrument: the master's
/// level and limiter ceiling, the tempo, each bus's level and pan, and
/// every bus and master effect parameter.
fn project_targets(project: &Project) -> Vec<ParamTarget> {
    let mut out = vec![ParamTarget::MasterLevel, ParamTarget::MasterLimiterCeiling, ParamTarget::Tempo];
    let effects = |owner: ChainOwner, chain: &[imbolc_types::EffectSlot], out: &mut Vec<ParamTarget>| {
        for e in chain {
            out.extend(e.kind.params().iter().map(|p| ParamTarget::Effect {
                owner,
                effect: e.id,
                param: p.id.to_owned(),
            }));
        }
    };
    for bus in project.buses.values() {
        out.extend([MixerParam::Level, MixerParam::Pan].map(|param| ParamTarget::BusMixer { bus: bus.id, param }));
        effects(ChainOwner::Bus(bus.id), &bus.effects, &mut out);
    }
    effects(ChainOwner::Master, &project.master_effects, &mut out);
    out
}

/// Everything of `instrument`, then of the project (see
/// `project_targets`), that a lane can automate and that has none yet.
pub fn automatable(project: &Project, instrument: InstrumentId) -> Vec<(String, ParamTarget)> {
    let Some(inst) = project.instruments.get(&instrument) else { return Vec::new() };
    let mut out = vec![
        ParamTarget::Mixer { instrument, param: MixerParam::Level },
        ParamTarget::Mixer { instrument, param: MixerParam::Pan },
    ];
    out.extend(inst.def.source.params.keys().map(|p| ParamTarget::Source { instrument, param: p.clone() }));
    out.extend(
        [EnvelopeStage::Attack, EnvelopeStage::Decay, EnvelopeStage::Sustain, EnvelopeStage::Release]
            .map(|stage| ParamTarget::Envelope { instrument, stage }),
    );
    if let Some(f) = &inst.def.filter {
        out.extend(f.params.keys().map(|p| ParamTarget::Filter { instrument, param: p.clone() }));
        out.extend(
            imbolc_types::filter_env::FILTER_ENV_PARAMS
                .iter()
                .map(|s| ParamTarget::Filter { instrument, param: s.id.to_owned() }),
        );
    }
    for e in &inst.def.effects {
        out.extend(e.params.keys().map(|p| ParamTarget::Effect {
            owner: ChainOwner::Instrument(instrument),
            effect: e.id,
            param: p.clone(),
        }));
    }
    out.extend(project_targets(project));
    let taken: Vec<&ParamTarget> = project.automation.values().map(|l| &l.target).collect();
    out.into_iter()
        .filter(|t| !taken.contains(&t) && param_range(project, t).is_ok())
        .map(|t| (target_name(project, &t), t))
        .collect()
}

/// The next curve in [`Curve::ALL`], cycling.
fn next_curve(curve: Curve) -> Curve {
    let i = Curve::ALL.iter().position(|c| *c == curve).unwrap_or(0);
    Curve::ALL[(i + 1) % Curve::ALL.len()]
}

impl AutomationPane {
    /// Selects the lane at `index` in [`lanes_of`]'s order.
    pub fn select_lane(&mut self, index: usize) {
        self.lane = index;
    }

    pub fn handle(&mut self, cmd: CommandId, state: &State) -> Option<Intent> {
        let Some(inst) = state.selected_instrument() else {
            return Some(Intent::Message("No instrument selected: add one in the instrument list (1)".to_owned()));
        };
        let lanes = lanes_of(state.project, inst.id);
        self.lane = self.lane.min(lanes.len().saturating_sub(1));
        let lane = lanes.get(self.lane).copied();
        let no_lane = || Some(Intent::Message("No lane yet: a adds one".to_owned()));
        match cmd {
            CommandId::Up => self.lane = self.lane.saturating_sub(1),
            CommandId::Down => self.lane = (self.lane + 1).min(lanes.len().saturating_sub(1)),
            CommandId::Left => self.cursor = self.cursor.saturating_sub(COLUMN),
            CommandId::Right => self.cursor = self.cursor.saturating_add(COLUMN),
            CommandId::LaneAdd => return Some(Intent::ChooseLane(inst.id)),
            CommandId::LaneRemove => {
                let Some(lane) = lane else { return no_lane() };
                return Some(Intent::Dispatch(Action::RemoveLane { lane: lane.id }));
            }
            CommandId::PointRaise | CommandId::PointLower => {
                let Some(lane) = lane else { return no_lane() };
                let (lo, hi) = param_range(state.project, &lane.target).ok()?;
                let now = lane
                    .points
                    .get(&self.cursor)
                    .copied()
                    .or_else(|| lane.value_at(f64::from(self.cursor)))
                    .or_else(|| param_value(state.project, &lane.target))
                    .unwrap_or(lo);
                let step = (hi - lo) * STEP_SHARE * if cmd == CommandId::PointRaise { 1.0 } else { -1.0 };
                let value = (now + step).clamp(lo, hi);
                return Some(Intent::Dispatch(Action::SetAutomationPoint { lane: lane.id, tick: self.cursor, value }));
            }
            CommandId::LaneEnable => {
                let Some(lane) = lane else { return no_lane() };
                return Some(Intent::Dispatch(Action::SetLaneEnabled { lane: lane.id, enabled: !lane.enabled }));
            }
            CommandId::CurveNext => {
                let Some(lane) = lane else { return no_lane() };
                let Some((&tick, _)) = lane.points.range(..=self.cursor).next_back() else {
                    return Some(Intent::Message("No point at or before the cursor: + adds one".to_owned()));
                };
                let curve = next_curve(lane.curves.get(&tick).copied().unwrap_or_default());
                return Some(Intent::Dispatch(Action::SetAutomationCurve { lane: lane.id, tick, curve }));
            }
            CommandId::PointDelete => {
                let lane = lane?;
                lane.points.get(&self.cursor)?;
                return Some(Intent::Dispatch(Action::RemoveAutomationPoint { lane: lane.id, tick: self.cursor }));
            }
            CommandId::PointLeft | CommandId::PointRight => {
                let lane = lane?;
                let value = *lane.points.get(&self.cursor)?;
                let to = if cmd == CommandId::PointRight {
                    self.cursor + COLUMN
                } else {
                    self.cursor.checked_sub(COLUMN)?
                };
                if lane.points.contains_key(&to) {
                    return Some(Intent::Message("There is a point there already".to_owned()));
                }
                let from = self.cursor;
                self.cursor = to;
                return Some(Intent::DispatchAll(vec![
                    Action::RemoveAutomationPoint { lane: lane.id, tick: from },
                    Action::SetAutomationPoint { lane: lane.id, tick: to, value },
                ]));
            }
            _ => {}
        }
        None
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, state: &State) {
        let Some(inst) = state.selected_instrument() else {
            let block = Block::bordered().title(" Automation ");
            let inner = block.inner(area);
            frame.render_widget(block, area);
            frame.render_widget(Paragraph::new("No instrument selected. Add one in the instrument list (1)."), inner);
            return;
        };
        let lanes = lanes_of(state.project, inst.id);
        let lane_at = self.lane.min(lanes.len().saturating_sub(1));
        let sel = lanes.get(lane_at);
        let point = sel.map(|l| cursor_info(state.project, l, self.cursor)).unwrap_or_default();
        let title = format!(
            " Automation · {} · {} lanes · {}{point} ",
            inst.name,
            lanes.len(),
            crate::transport::bar_beat(self.cursor, state.project.time_signature)
        );
        let block = Block::bordered().title(title);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if lanes.is_empty() {
            frame.render_widget(Paragraph::new(" No lanes yet: press a and pick a parameter to automate."), inner);
            return;
        }
        let cols = usize::from(inner.width.saturating_sub(NAME));
        let cursor_col = (self.cursor / COLUMN) as usize;
        let first = follow(0, cursor_col, cols);
        let bar = crate::transport::bar_ticks(state.project.time_signature);
        let playhead = (state.feedback.transport.tick / COLUMN) as usize;
        let mut lines = Vec::new();
        let mut header: Vec<char> = " ".repeat(usize::from(NAME)).chars().collect();
        for c in first..first + cols {
            let tick = Tick::try_from(c).unwrap_or(0) * COLUMN;
            header.push(if tick.is_multiple_of(bar.max(1)) { '|' } else { ' ' });
        }
        // Bar numbers after their bar lines, where they fit.
        for c in first..first + cols {
            let tick = Tick::try_from(c).unwrap_or(0) * COLUMN;
            if tick.is_multiple_of(bar.max(1)) {
                let at = usize::from(NAME) + c - first + 1;
                let number: Vec<char> = (tick / bar.max(1) + 1).to_string().chars().collect();
                if header.get(at..at + number.len()).is_some_and(|room| room.iter().all(|ch| *ch == ' ')) {
                    header[at..at + number.len()].copy_from_slice(&number);
                }
            }
        }
        if state.transport.playing && (first..first + cols).contains(&playhead) {
            header[usize::from(NAME) + playhead - first] = '▼';
        }
        let header: String = header.into_iter().collect();
        lines.push(Line::styled(header, Style::default().fg(crate::theme::current().dim)));
        let rows = usize::from(inner.height.saturating_sub(1));
        let top = follow(0, lane_at, rows);
        for (i, lane) in lanes.iter().enumerate().skip(top).take(rows) {
            let name = format!(
                "{:<w$}",
                truncate(&target_name(state.project, &lane.target), usize::from(NAME) - 2),
                w = usize::from(NAME)
            );
            let name_style = if i == lane_at { cursor_style() } else { Style::default() };
            let mut spans = vec![Span::styled(name, name_style)];
            let Ok((lo, hi)) = param_range(state.project, &lane.target) else {
                spans.push(Span::styled(
                    "(its parameter is gone: D removes the lane)",
                    Style::default().fg(crate::theme::current().error),
                ));
                lines.push(Line::from(spans));
                continue;
            };
            if i == lane_at {
                let span = (first, cols, cursor_col);
                lines.extend(tall_lane(lane, (lo, hi), span, spans));
                continue;
            }
            for c in first..first + cols {
                let t0 = Tick::try_from(c).unwrap_or(0) * COLUMN;
                let here = lane.points.range(t0..t0 + COLUMN).next();
                let (text, style) = match here {
                    Some(_) => ("●".to_owned(), Style::default().fg(crate::theme::current().accent)),
                    None => match lane.value_at(f64::from(t0)) {
                        Some(v) => (
                            level_glyph((v - lo) / (hi - lo).max(f32::EPSILON)),
                            Style::default().fg(crate::theme::current().dim),
                        ),
                        None => ("·".to_owned(), Style::default().fg(crate::theme::current().dim)),
                    },
                };
                let style = if i == lane_at && c == cursor_col { cursor_style() } else { style };
                spans.push(Span::styled(text, style));
            }
            lines.push(Line::from(spans));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

/// Rows of the selected lane's curve.
const TALL: usize = 4;

/// The selected lane, [`TALL`] rows high in eighth blocks so a sweep's
/// shape reads, with its range at the side: the name (`head`) on the first
/// row, the top and bottom of the range below it; `●` marks a point at its
/// height. `span`: first column, columns, cursor column.
fn tall_lane(
    lane: &AutomationLane,
    (lo, hi): (f32, f32),
    (first, cols, cursor_col): (usize, usize, usize),
    head: Vec<Span<'static>>,
) -> Vec<Line<'static>> {
    let scale = |text: String| {
        Span::styled(
            format!("{text:>w$} ", w = usize::from(NAME) - 1),
            Style::default().fg(crate::theme::current().dim),
        )
    };
    let mut rows: Vec<Vec<Span<'static>>> = vec![head];
    rows[0].truncate(1);
    rows.push(vec![scale(format!("top {hi}"))]);
    rows.extend((2..TALL).map(|_| vec![Span::raw(" ".repeat(usize::from(NAME)))]));
    if let Some(last) = rows.last_mut() {
        *last = vec![scale(format!("bottom {lo}"))];
    }
    for c in first..first + cols {
        let t0 = Tick::try_from(c).unwrap_or(0) * COLUMN;
        let value = lane.value_at(f64::from(t0));
        let point = lane.points.range(t0..t0 + COLUMN).next().is_some();
        // Height in eighths of a row.
        let eighths = value.map(|v| ((v - lo) / (hi - lo).max(f32::EPSILON)).clamp(0.0, 1.0) * (TALL * 8) as f32);
        for (r, row) in rows.iter_mut().enumerate() {
            let below = ((TALL - 1 - r) * 8) as f32;
            let (text, color) = match eighths {
                None => ("·".to_owned(), crate::theme::current().dim),
                Some(h) if point && h >= below && (h < below + 8.0 || r == 0) => {
                    ("●".to_owned(), crate::theme::current().accent)
                }
                Some(h) if h >= below + 8.0 => ("█".to_owned(), crate::theme::current().dim),
                Some(h) if h > below => (level_glyph((h - below) / 8.0), crate::theme::current().dim),
                Some(_) => (" ".to_owned(), crate::theme::current().dim),
            };
            let style = if c == cursor_col { cursor_style() } else { Style::default().fg(color) };
            row.push(Span::styled(text, style));
        }
    }
    rows.into_iter().map(Line::from).collect()
}

/// A block of height `frac` (0..=1) in one character.
fn level_glyph(frac: f32) -> String {
    const GLYPHS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    // An index into eight glyphs: the truncation is the intent.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let i = (frac.clamp(0.0, 1.0) * 7.0).round() as usize;
    GLYPHS[i.min(7)].to_string()
}

/// The title's part about the cursor: the value there (with its unit
/// range) and the curve of the segment it is in.
fn cursor_info(project: &Project, lane: &AutomationLane, cursor: Tick) -> String {
    let Some(value) = lane.value_at(f64::from(cursor)) else { return String::new() };
    let kind = if lane.points.contains_key(&cursor) { "point" } else { "value" };
    let range = param_range(project, &lane.target).map(|(lo, hi)| format!(" of {lo}–{hi}")).unwrap_or_default();
    let curve = lane.points.range(..=cursor).next_back().map(|(t, _)| lane.curve_at(*t)).unwrap_or_default();
    format!(" · {kind} {value:.3}{range} · {}", curve.label())
}
