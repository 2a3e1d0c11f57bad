//! The receive path: what the server says, classified on the monitor
//! thread. Meters and status are published there at once (no hop through
//! the audio thread); node notifications, `/fail` and query replies go to
//! the audio thread as [`EngineEvent`]s. Anything malformed, unknown or
//! unexpected is counted and dropped: the server's bytes never panic us.

use crossbeam_channel::Sender;
use rosc::OscMessage;

use crate::backend::NodeId;
use crate::server::osc::{float_arg, int_arg, str_arg};
use crate::server::{EventHandler, ServerEvent, ServerStats};
use crate::views::{CHUNKS, VIEW_ADDRESS, ViewInput};

use super::counters::{Counter, EngineCounters};
use super::feedback::MonitorPublisher;
use super::meters::{METER_ADDRESS, MeterReading};

use std::sync::Arc;

/// A node notification's position data (`/n_go`): who the node is and
/// where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeNotice {
    pub node: NodeId,
    pub parent: NodeId,
    pub is_group: bool,
}

/// A message from the server, checked and typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    /// `/n_go`: a node started.
    NodeGo(NodeNotice),
    /// `/n_end`: a node ended (freed, or a voice finished).
    NodeEnd(NodeId),
    /// `/n_on`, `/n_off`, `/n_move`, `/n_info`: valid, nothing to do.
    NodeChanged(NodeId),
    /// `/fail command message`.
    Fail { command: String, message: String },
    /// `/g_queryTree.reply`, kept whole for whoever asked.
    Tree(OscMessage),
    /// `/done /b_allocRead buf`: a buffer was read (previews wait on it).
    Loaded(u32),
    /// `/done /b_close buf`: a take's file was closed.
    Closed(u32),
    /// `/done command …` or `/synced id`: completions we do not wait on.
    Done,
    /// A strip's `/meter` reply.
    Meter(MeterReading),
    /// A view tap filled chunk `chunk` of its buffer (`/imbolc_view`).
    ViewChunk { node: NodeId, chunk: u32 },
    /// `/b_setn buf start count values…`: a view tap's chunk, read back.
    Values { buf: u32, start: u32, values: Vec<f32> },
}

/// Why a message was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    /// Known address, wrong arguments.
    Malformed,
    /// An address we never expect.
    Unknown,
}

/// A float (or int) argument by itself.
fn float_arg_of(arg: &rosc::OscType) -> Option<f64> {
    match arg {
        rosc::OscType::Float(f) => Some(f64::from(*f)),
        rosc::OscType::Double(f) => Some(*f),
        rosc::OscType::Int(i) => Some(f64::from(*i)),
        _ => None,
    }
}

fn node_id(m: &OscMessage, i: usize) -> Option<NodeId> {
    int_arg(m, i).and_then(|v| i32::try_from(v).ok()).map(NodeId)
}

/// Checks one message's address and arguments.
///
/// # Errors
/// [`Rejected`] saying whether the address or the arguments were wrong.
pub fn classify(m: OscMessage) -> Result<Inbound, Rejected> {
    let malformed = Rejected::Malformed;
    match m.addr.as_str() {
        "/n_go" => {
            // nodeID, parent, prev, next, isGroup [, head, tail]
            let node = node_id(&m, 0).ok_or(malformed)?;
            let parent = node_id(&m, 1).ok_or(malformed)?;
            node_id(&m, 2).ok_or(malformed)?;
            node_id(&m, 3).ok_or(malformed)?;
            let is_group = match int_arg(&m, 4) {
                Some(0) => false,
                Some(1) => true,
                _ => return Err(malformed),
            };
            Ok(Inbound::NodeGo(NodeNotice { node, parent, is_group }))
        }
        "/n_end" => node_id(&m, 0).map(Inbound::NodeEnd).ok_or(malformed),
        "/n_on" | "/n_off" | "/n_move" | "/n_info" => node_id(&m, 0).map(Inbound::NodeChanged).ok_or(malformed),
        "/fail" => {
            let command = str_arg(&m, 0).ok_or(malformed)?.to_owned();
            let message = str_arg(&m, 1).unwrap_or_default().to_owned();
            Ok(Inbound::Fail { command, message })
        }
        "/g_queryTree.reply" => match int_arg(&m, 0) {
            Some(_) => Ok(Inbound::Tree(m)),
            None => Err(malformed),
        },
        "/done" => match (str_arg(&m, 0), int_arg(&m, 1).and_then(|b| u32::try_from(b).ok())) {
            (Some("/b_allocRead"), Some(buf)) => Ok(Inbound::Loaded(buf)),
            (Some("/b_close"), Some(buf)) => Ok(Inbound::Closed(buf)),
            (Some(_), _) => Ok(Inbound::Done),
            (None, _) => Err(malformed),
        },
        "/synced" => int_arg(&m, 0).map(|_| Inbound::Done).ok_or(malformed),
        METER_ADDRESS => MeterReading::parse(&m).map(Inbound::Meter).map_err(|_| malformed),
        VIEW_ADDRESS => {
            // nodeID, replyID, chunk (a float: SendReply sends floats)
            let node = node_id(&m, 0).ok_or(malformed)?;
            let chunk = float_arg(&m, 2).filter(|c| (0.0..f64::from(CHUNKS)).contains(c)).ok_or(malformed)?;
            Ok(Inbound::ViewChunk { node, chunk: chunk as u32 })
        }
        "/b_setn" => {
            let index = |i| int_arg(&m, i).and_then(|v| u32::try_from(v).ok());
            let (buf, start, count) =
                (index(0).ok_or(malformed)?, index(1).ok_or(malformed)?, index(2).ok_or(malformed)?);
            let values: Option<Vec<f32>> = m.args.iter().skip(3).map(|a| float_arg_of(a).map(|v| v as f32)).collect();
            let values = values.filter(|v| v.len() == count as usize).ok_or(malformed)?;
            Ok(Inbound::Values { buf, start, values })
        }
        _ => Err(Rejected::Unknown),
    }
}

/// What the monitor thread hands the audio thread.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum EngineEvent {
    /// A message from server `generation`.
    Server { generation: u64, inbound: Inbound },
    /// Server `generation` stopped answering.
    Lost { generation: u64, reason: String },
    /// Server `generation` refused something (its log says so).
    Refused { generation: u64, text: String },
}

/// The monitor-thread half of the engine for one server generation.
#[derive(Debug)]
pub(crate) struct ReceivePath {
    generation: u64,
    publisher: MonitorPublisher,
    counters: Arc<EngineCounters>,
    events: Sender<EngineEvent>,
    /// Where a view tap's chunks go (the analyser thread), straight from
    /// the monitor thread.
    views: Option<Sender<ViewInput>>,
}

impl ReceivePath {
    pub fn new(
        generation: u64,
        publisher: MonitorPublisher,
        counters: Arc<EngineCounters>,
        events: Sender<EngineEvent>,
    ) -> Self {
        ReceivePath { generation, publisher, counters, events, views: None }
    }

    /// Sends view taps' chunks (`/b_setn`) to the analyser thread.
    pub fn with_views(mut self, views: Sender<ViewInput>) -> Self {
        self.views = Some(views);
        self
    }

    /// Handles one event of the server. Never blocks for long: the events
    /// channel is unbounded and the publisher's lock is held for one copy.
    pub fn handle(&mut self, event: ServerEvent) {
        match event {
            ServerEvent::Status(stats) => self.publisher.status(self.generation, stats),
            ServerEvent::Lost(reason) => self.forward(EngineEvent::Lost { generation: self.generation, reason }),
            ServerEvent::Refused(text) => {
                tracing::warn!("scsynth refused: {text}");
                self.counters.bump(Counter::Refused);
                self.publisher.refused(&text);
                self.forward(EngineEvent::Refused { generation: self.generation, text });
            }
            ServerEvent::Busy(silent) => {
                tracing::warn!(
                    "scsynth busy: no /status reply for {} ms, but its process runs; not restarted",
                    silent.as_millis()
                );
                self.counters.bump(Counter::ServerBusy);
            }
            ServerEvent::Message(m) => self.message(m),
        }
    }

    /// Handles one raw datagram the way the monitor thread does: decode,
    /// then each message; bytes that are not OSC are counted. (The monitor
    /// thread decodes itself; tests feed the whole path through here.)
    #[cfg(test)]
    pub fn datagram(&mut self, bytes: &[u8]) {
        match crate::server::osc::decode(bytes) {
            Some(messages) => messages.into_iter().for_each(|m| self.message(m)),
            None => self.counters.bump(Counter::Malformed),
        }
    }

    fn message(&mut self, m: OscMessage) {
        // The monitor thread handles status replies itself; a datagram fed
        // in here whole may still hold one.
        if m.addr == "/status.reply" {
            match ServerStats::from_reply(&m) {
                Some(stats) => self.publisher.status(self.generation, stats),
                None => self.counters.bump(Counter::Malformed),
            }
            return;
        }
        match classify(m) {
            Ok(Inbound::Meter(reading)) => self.publisher.meter(self.generation, &reading),
            Ok(Inbound::Values { buf, start, values }) => {
                // The analyser drops what is not its current tap's.
                if let Some(views) = &self.views {
                    let _ = views.send(ViewInput::Values { buf, start, values });
                }
            }
            Ok(inbound) => self.forward(EngineEvent::Server { generation: self.generation, inbound }),
            Err(Rejected::Malformed) => self.counters.bump(Counter::Malformed),
            Err(Rejected::Unknown) => self.counters.bump(Counter::Unknown),
        }
    }

    fn forward(&self, event: EngineEvent) {
        // Fails only when the engine is gone; then nobody needs it.
        let _ = self.events.send(event);
    }

    /// The closure the server's monitor thread calls.
    pub fn into_handler(mut self) -> EventHandler {
        Box::new(move |event| self.handle(event))
    }
}

#[cfg(test)]
mod tests {
    use crossbeam_channel::unbounded;
    use proptest::prelude::*;
    use rosc::{OscPacket, OscType};

    use super::*;

    fn msg(addr: &str, args: Vec<OscType>) -> OscMessage {
        OscMessage { addr: addr.to_owned(), args }
    }

    #[test]
    fn node_notifications_and_failures_are_typed() {
        let go = msg("/n_go", [1005, 1001, -1, -1, 0].map(OscType::Int).to_vec());
        assert_eq!(
            classify(go),
            Ok(Inbound::NodeGo(NodeNotice { node: NodeId(1005), parent: NodeId(1001), is_group: false }))
        );
        let group = msg("/n_go", [1001, 0, -1, -1, 1, -1, -1].map(OscType::Int).to_vec());
        assert!(matches!(classify(group), Ok(Inbound::NodeGo(NodeNotice { is_group: true, .. }))));
        assert_eq!(classify(msg("/n_end", vec![OscType::Int(7)])), Ok(Inbound::NodeEnd(NodeId(7))));
        let fail = msg("/fail", vec![OscType::String("/n_free".into()), OscType::String("Node 9 not found".into())]);
        assert_eq!(classify(fail), Ok(Inbound::Fail { command: "/n_free".into(), message: "Node 9 not found".into() }));
        let read = msg("/done", vec![OscType::String("/b_allocRead".into()), OscType::Int(48)]);
        assert_eq!(classify(read), Ok(Inbound::Loaded(48)), "previews wait on it");
        let freed = msg("/done", vec![OscType::String("/b_free".into()), OscType::Int(48)]);
        assert_eq!(classify(freed), Ok(Inbound::Done));
        let closed = msg("/done", vec![OscType::String("/b_close".into()), OscType::Int(40)]);
        assert_eq!(classify(closed), Ok(Inbound::Closed(40)), "a take ends on it");
    }

    #[test]
    fn wrong_argument_types_are_malformed_and_strange_addresses_unknown() {
        assert_eq!(classify(msg("/n_end", vec![OscType::String("7".into())])), Err(Rejected::Malformed));
        assert_eq!(classify(msg("/n_go", vec![OscType::Int(1)])), Err(Rejected::Malformed));
        assert_eq!(classify(msg("/n_go", [1, 0, -1, -1, 5].map(OscType::Int).to_vec())), Err(Rejected::Malformed));
        assert_eq!(classify(msg("/n_end", vec![OscType::Long(1 << 40)])), Err(Rejected::Malformed));
        assert_eq!(classify(msg("/fail", vec![OscType::Int(1)])), Err(Rejected::Malformed));
        assert_eq!(classify(msg("/tr", vec![])), Err(Rejected::Unknown));
    }

    #[test]
    fn view_chunks_and_buffer_values_are_typed_and_checked() {
        let chunk = msg("/imbolc_view", vec![OscType::Int(1200), OscType::Int(0), OscType::Float(3.0)]);
        assert_eq!(classify(chunk), Ok(Inbound::ViewChunk { node: NodeId(1200), chunk: 3 }));
        let outside = msg("/imbolc_view", vec![OscType::Int(1200), OscType::Int(0), OscType::Float(8.0)]);
        assert_eq!(classify(outside), Err(Rejected::Malformed), "there are 8 chunks");
        let mut args = vec![OscType::Int(36), OscType::Int(2048), OscType::Int(2)];
        args.extend([OscType::Float(0.5), OscType::Float(-0.25)]);
        assert_eq!(
            classify(msg("/b_setn", args.clone())),
            Ok(Inbound::Values { buf: 36, start: 2048, values: vec![0.5, -0.25] })
        );
        args[2] = OscType::Int(3);
        assert_eq!(classify(msg("/b_setn", args)), Err(Rejected::Malformed), "count and values disagree");
    }

    fn path() -> (ReceivePath, crossbeam_channel::Receiver<EngineEvent>, Arc<EngineCounters>) {
        let (publisher, _output) = super::super::feedback::Publisher::new();
        let publisher = publisher.monitor();
        let counters = Arc::new(EngineCounters::default());
        let (tx, rx) = unbounded();
        (ReceivePath::new(1, publisher, Arc::clone(&counters), tx), rx, counters)
    }

    fn any_arg() -> impl Strategy<Value = OscType> {
        prop_oneof![
            any::<i32>().prop_map(OscType::Int),
            any::<i64>().prop_map(OscType::Long),
            any::<f32>().prop_map(OscType::Float),
            any::<f64>().prop_map(OscType::Double),
            "[a-zA-Z0-9 /_]{0,12}".prop_map(OscType::String),
            proptest::collection::vec(any::<u8>(), 0..8).prop_map(OscType::Blob),
            any::<bool>().prop_map(OscType::Bool),
            Just(OscType::Nil),
            Just(OscType::Inf),
        ]
    }

    fn any_address() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => prop::sample::select(vec![
                "/n_go", "/n_end", "/n_on", "/n_off", "/n_move", "/n_info", "/fail", "/done", "/synced",
                "/g_queryTree.reply", "/meter", "/status.reply",
            ])
            .prop_map(str::to_owned),
            1 => "/[a-z_.]{0,12}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Random bytes: never a panic; every non-OSC datagram is counted.
        #[test]
        fn random_datagrams_are_counted_never_fatal(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let (mut path, rx, counters) = path();
            path.datagram(&bytes);
            let handled = rx.try_iter().count() as u64;
            let c = counters.snapshot();
            prop_assert!(crate::server::osc::decode(&bytes).is_some() || c.malformed == 1);
            prop_assert!(handled + c.malformed + c.unknown <= 1 + bytes.len() as u64);
        }

        /// Known and unknown addresses with arguments of any type: each
        /// message is either forwarded, published or counted, exactly once.
        #[test]
        fn random_messages_are_classified_exactly_once(
            messages in proptest::collection::vec(
                (any_address(), proptest::collection::vec(any_arg(), 0..8)), 0..16)
        ) {
            let (mut path, rx, counters) = path();
            let mut meters = 0u64;
            let n = messages.len() as u64;
            let mut bundle = Vec::new();
            for (addr, args) in messages {
                let m = msg(&addr, args);
                let published = if m.addr == "/status.reply" {
                    ServerStats::from_reply(&m).is_some()
                } else {
                    matches!(classify(m.clone()), Ok(Inbound::Meter(_) | Inbound::Values { .. }))
                };
                meters += u64::from(published);
                bundle.push(OscPacket::Message(m));
            }
            let packet = OscPacket::Bundle(rosc::OscBundle {
                timetag: rosc::OscTime { seconds: 0, fractional: 1 },
                content: bundle,
            });
            let bytes = rosc::encoder::encode(&packet).unwrap();
            path.datagram(&bytes);
            let forwarded = rx.try_iter().count() as u64;
            let c = counters.snapshot();
            prop_assert_eq!(forwarded + meters + c.malformed + c.unknown, n);
        }
    }
}
