//! The engine's side of the take recorder (see [`super::super::recorder`]):
//! starting a take on the running server, ending it on `/done /b_close`,
//! on `/fail /b_write`, or when the server goes.

use crate::backend::Timing;
use crate::take::{RecordSource, Take};

use super::super::recorder::RecordRequest;
use super::Engine;

/// How far ahead a take's recorder is timed: the file must be open (on the
/// server's disk thread) before its first sample.
const RECORD_LEAD_SECS: f64 = 0.1;

impl Engine {
    pub(super) fn record(&mut self, request: Option<RecordRequest>) {
        let Some(request) = request else {
            let (now, _) = self.playback.start_point(0.0);
            let rate = self.config.server.sample_rate;
            let ops = self.recorder.stop(now, rate);
            let (close_at, _) = self.playback.start_point(super::super::recorder::stop_delay(rate));
            self.send_timed(Timing::At(close_at), &ops);
            self.publish_recording(None);
            return;
        };
        match self.start_take(request) {
            Ok(()) => self.publish_recording(None),
            Err(reason) => self.publish_recording(Some(Err(reason))),
        }
    }

    fn start_take(&mut self, request: RecordRequest) -> Result<(), String> {
        if self.recorder.is_recording() {
            return Err("a take is already recording; stop it first".into());
        }
        let Some(link) = &self.link else { return Err("the audio server is not running".into()) };
        let server = &self.config.server;
        let mut latency = 0;
        let bus = match request.source {
            RecordSource::Master => self.config.graph_config().hardware_out,
            RecordSource::Instrument(id) => {
                self.graph.instrument_bus(id).ok_or_else(|| format!("there is no instrument {}", id.0))?
            }
            RecordSource::Input { channel } => {
                if channel.saturating_add(2) > server.inputs {
                    return Err(format!(
                        "input channels {}-{} are missing: the server has {} inputs",
                        channel + 1,
                        channel + 2,
                        server.inputs
                    ));
                }
                if let Some(jack) = link.server.jack() {
                    let port = format!("SuperCollider:in_{}", channel + 1);
                    latency = crate::server::jack::capture_latency(jack.name(), &port).unwrap_or(0);
                }
                server.outputs + channel
            }
            RecordSource::Bus(bus) => bus,
            RecordSource::AuxBus(id) => {
                self.graph.aux_bus_index(id).ok_or_else(|| format!("there is no bus {}", id.0))?
            }
        };
        let (start, song_start) = self.playback.record_start_point(RECORD_LEAD_SECS);
        let (open, synth) = self.recorder.start(request, bus, start, song_start, latency, &mut self.graph);
        self.send(&open);
        self.send_timed(Timing::At(start), &synth);
        Ok(())
    }

    /// `/done /b_close buf`.
    pub(super) fn take_closed(&mut self, buf: u32) {
        if let Some(take) = self.recorder.closed(buf) {
            self.publish_recording(Some(Ok(take)));
        }
    }

    /// `/fail /b_write`: a take's file could not be created.
    pub(super) fn take_write_failed(&mut self, message: &str) {
        if let Some((reason, ops, start)) = self.recorder.write_failed(message) {
            tracing::warn!("{reason}");
            self.send_timed(Timing::At(start), &ops);
            self.publish_recording(Some(Err(reason)));
        }
    }

    /// The server is gone (lost or replaced): the take ends, cut short.
    pub(super) fn take_server_gone(&mut self) {
        if let Some(take) = self.recorder.server_lost() {
            self.publish_recording(Some(Ok(take)));
        }
    }

    fn publish_recording(&mut self, ended: Option<Result<Take, String>>) {
        let active = self.recorder.active();
        self.publisher.recording(|f| {
            f.active = active;
            if let Some(ended) = &ended {
                f.ended += 1;
                f.last = Some(ended.clone());
            }
        });
        if ended.is_some() {
            self.publisher.remove_meter(super::super::recorder::RECORD_METER);
        }
    }
}
