//! The synthesis server: its state, load and counts, and the JACK server
//! it runs on (with how hardware MIDI reaches it), straight from the
//! engine's feedback.

use imbolc_audio::status::ServerState;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

use super::State;

pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let fb = state.feedback;
    let mut lines = vec![Line::raw(format!("  State      {}", state_name(&fb.server)))];
    match &fb.server {
        ServerState::Running { stats, jack } => {
            lines.extend(
                [
                    format!("  JACK       {}", jack.server_line()),
                    format!("  HW MIDI    {}", jack.midi_line()),
                    format!("  CPU        {:.1}% average, {:.1}% peak", stats.avg_cpu, stats.peak_cpu),
                    format!("  UGens      {}", stats.ugens),
                    format!("  Synths     {}", stats.synths),
                    format!("  Groups     {}", stats.groups),
                    format!("  SynthDefs  {}", stats.synthdefs),
                    format!(
                        "  Rate       {:.0} Hz (actual {:.1})",
                        stats.nominal_sample_rate, stats.actual_sample_rate
                    ),
                ]
                .map(Line::raw),
            );
        }
        ServerState::Lost { reason } | ServerState::Failed { reason } => {
            lines.push(Line::raw(format!("  Reason     {reason}")));
        }
        ServerState::Booting | ServerState::Stopped => {}
    }
    let r = fb.rebuild;
    if r.rt_memory_kb > 0 {
        lines.push(Line::raw(format!(
            "  Limits     {} MB real-time memory, {} nodes (graph of {} ops sent in {} datagrams)",
            r.rt_memory_kb / 1024,
            r.max_nodes,
            r.ops,
            r.datagrams
        )));
    }
    lines.push(Line::raw(format!("  Restarts   {}", fb.generation.saturating_sub(1))));
    if fb.refusals.count > 0 {
        lines.push(Line::raw(format!("  Refused    {} (last: {})", fb.refusals.count, fb.refusals.last)));
    }
    lines.push(Line::raw(format!("  Scheduling audio thread {}", fb.audio_thread)));
    if let Some(pid) = fb.scsynth_pid {
        lines.push(Line::raw(format!("  PID        {pid}")));
    }
    frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(" Server ")), area);
}

fn state_name(s: &ServerState) -> &'static str {
    match s {
        ServerState::Booting => "booting",
        ServerState::Running { .. } => "running",
        ServerState::Lost { .. } => "lost, restarting",
        ServerState::Failed { .. } => "failed",
        ServerState::Stopped => "stopped",
    }
}
