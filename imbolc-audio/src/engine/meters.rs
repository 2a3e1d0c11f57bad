//! Meters: peak and RMS per strip, parsed from the `/meter` replies that
//! every strip's `SendPeakRMS` sends 20 times a second, and the [`Meters`]
//! table the UI reads (by [`InstrumentId`], [`BusId`] or master).
//!
//! A strip tags its replies with `graph::meter_id(owner)`; [`meter_owner`]
//! is its inverse, so a reply names its strip without any lookup in the
//! graph (which lives on another thread).

use std::collections::HashMap;

use imbolc_types::{BusId, ChainOwner, InstrumentId};
use rosc::OscMessage;

use crate::server::osc::{float_arg, int_arg};

/// The OSC address strips send their levels to.
pub const METER_ADDRESS: &str = "/meter";

/// Why a `/meter` message was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MeterError {
    /// Not `nodeID, replyID` followed by one or more (peak, rms) pairs.
    #[error("a /meter reply needs nodeID, replyID and (peak, rms) pairs")]
    Shape,
    /// An argument is not a number.
    #[error("a /meter argument is not a number")]
    Type,
    /// A level is negative, infinite or NaN.
    #[error("a /meter level is not a finite non-negative number")]
    Value,
}

/// The strip a meter reply id belongs to: the inverse of
/// [`crate::graph::meter_id`] (instrument ids are ≥ 0, master is -1, aux
/// bus `b` is `-2 - b`).
pub fn meter_owner(reply_id: i64) -> ChainOwner {
    match reply_id {
        super::recorder::RECORD_METER_ID => super::recorder::RECORD_METER,
        id if id >= 0 => ChainOwner::Instrument(InstrumentId(u32::try_from(id).unwrap_or(u32::MAX))),
        -1 => ChainOwner::Master,
        id => ChainOwner::Bus(BusId(u32::try_from(-2 - id).unwrap_or(u32::MAX))),
    }
}

/// One parsed `/meter` reply: linear levels, left and right.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeterReading {
    pub owner: ChainOwner,
    pub peak: [f32; 2],
    pub rms: [f32; 2],
    /// The master's third channel: its peak before the limiter (the
    /// master strip sends it so the gain reduction comes with the levels).
    pub pre_limit: Option<f32>,
}

impl MeterReading {
    /// Parses `/meter nodeID replyID peakL rmsL [peakR rmsR …]`. A mono
    /// reply fills both channels; a third channel's peak is the master's
    /// pre-limiter peak; channels beyond three are ignored.
    ///
    /// # Errors
    /// A [`MeterError`] for a message of the wrong shape, types or values.
    pub fn parse(m: &OscMessage) -> Result<MeterReading, MeterError> {
        let n = m.args.len();
        if n < 4 || !n.is_multiple_of(2) {
            return Err(MeterError::Shape);
        }
        int_arg(m, 0).ok_or(MeterError::Type)?;
        let reply_id = int_arg(m, 1).ok_or(MeterError::Type)?;
        let level = |i: usize| -> Result<f32, MeterError> {
            let v = float_arg(m, i).ok_or(MeterError::Type)?;
            if v.is_finite() && v >= 0.0 { Ok(v as f32) } else { Err(MeterError::Value) }
        };
        let (peak_l, rms_l) = (level(2)?, level(3)?);
        let (peak_r, rms_r) = if n >= 6 { (level(4)?, level(5)?) } else { (peak_l, rms_l) };
        for i in 6..n {
            level(i)?;
        }
        let pre_limit = if n >= 8 { Some(level(6)?) } else { None };
        Ok(MeterReading { owner: meter_owner(reply_id), peak: [peak_l, peak_r], rms: [rms_l, rms_r], pre_limit })
    }
}

/// Linear amplitude in dBFS; silence is `-inf`.
pub fn to_dbfs(linear: f32) -> f32 {
    if linear > 0.0 { 20.0 * linear.log10() } else { f32::NEG_INFINITY }
}

/// The latest levels of one strip.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Meter {
    /// Linear peak, left and right.
    pub peak: [f32; 2],
    /// Linear RMS, left and right.
    pub rms: [f32; 2],
    /// Replies received for this strip since the engine started.
    pub updates: u64,
    /// The server generation (see `EngineFeedback::generation`) that sent
    /// the latest reply: after a restart, stale meters are told apart.
    pub generation: u64,
    /// The master's peak before its limiter (master only).
    pub pre_limit: Option<f32>,
}

impl Meter {
    /// The louder channel's peak, in dBFS.
    pub fn peak_dbfs(&self) -> f32 {
        to_dbfs(self.peak[0].max(self.peak[1]))
    }

    /// How much the master limiter lowered the peak in the latest meter
    /// window, in dB (0 when it did nothing, is off, or this is not the
    /// master).
    pub fn limiter_reduction_db(&self) -> f32 {
        let Some(pre) = self.pre_limit else { return 0.0 };
        let post = self.peak[0].max(self.peak[1]);
        if pre <= 0.0 || post <= 0.0 {
            return 0.0;
        }
        (to_dbfs(pre) - to_dbfs(post)).max(0.0)
    }

    /// The louder channel's RMS, in dBFS.
    pub fn rms_dbfs(&self) -> f32 {
        to_dbfs(self.rms[0].max(self.rms[1]))
    }
}

/// Every strip's meter, looked up by what the UI knows: instrument id, bus
/// id, or master. Entries appear with the first reply and are removed when
/// the engine removes the strip.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Meters {
    instruments: HashMap<InstrumentId, Meter>,
    buses: HashMap<BusId, Meter>,
    master: Option<Meter>,
}

impl Meters {
    pub fn instrument(&self, id: InstrumentId) -> Option<&Meter> {
        self.instruments.get(&id)
    }

    pub fn bus(&self, id: BusId) -> Option<&Meter> {
        self.buses.get(&id)
    }

    pub fn master(&self) -> Option<&Meter> {
        self.master.as_ref()
    }

    /// The meter of any strip.
    pub fn get(&self, owner: ChainOwner) -> Option<&Meter> {
        match owner {
            ChainOwner::Instrument(id) => self.instrument(id),
            ChainOwner::Bus(id) => self.bus(id),
            ChainOwner::Master => self.master(),
        }
    }

    /// Number of instrument strips with a meter.
    pub fn instrument_count(&self) -> usize {
        self.instruments.len()
    }

    fn slot(&mut self, owner: ChainOwner) -> &mut Meter {
        match owner {
            ChainOwner::Instrument(id) => self.instruments.entry(id).or_default(),
            ChainOwner::Bus(id) => self.buses.entry(id).or_default(),
            ChainOwner::Master => self.master.get_or_insert_with(Meter::default),
        }
    }

    /// Stores a reply from server `generation`.
    pub fn record(&mut self, reading: &MeterReading, generation: u64) {
        let meter = self.slot(reading.owner);
        meter.peak = reading.peak;
        meter.rms = reading.rms;
        meter.pre_limit = reading.pre_limit;
        meter.updates += 1;
        meter.generation = generation;
    }

    /// Forgets a strip that no longer exists.
    pub fn remove(&mut self, owner: ChainOwner) {
        match owner {
            ChainOwner::Instrument(id) => _ = self.instruments.remove(&id),
            ChainOwner::Bus(id) => _ = self.buses.remove(&id),
            ChainOwner::Master => self.master = None,
        }
    }

    /// Forgets every strip (a new scene).
    pub fn clear(&mut self) {
        *self = Meters::default();
    }

    /// Shows every strip as silent (the server is gone), keeping counts.
    pub fn silence(&mut self) {
        let all = self.instruments.values_mut().chain(self.buses.values_mut()).chain(self.master.as_mut());
        for m in all {
            m.peak = [0.0; 2];
            m.rms = [0.0; 2];
        }
    }
}

#[cfg(test)]
mod tests {
    use rosc::OscType;

    use super::*;
    use crate::graph::meter_id;

    fn meter(args: Vec<OscType>) -> OscMessage {
        OscMessage { addr: METER_ADDRESS.to_owned(), args }
    }

    #[test]
    fn reply_ids_map_back_to_the_strip_the_graph_tagged() {
        for owner in [
            ChainOwner::Instrument(InstrumentId(0)),
            ChainOwner::Instrument(InstrumentId(41)),
            ChainOwner::Master,
            ChainOwner::Bus(BusId(0)),
            ChainOwner::Bus(BusId(7)),
        ] {
            assert_eq!(meter_owner(i64::from(meter_id(owner))), owner);
        }
    }

    #[test]
    fn the_masters_third_channel_gives_the_limiters_gain_reduction() {
        let f = OscType::Float;
        // Out peaks 0.5, pre-limiter peak 1.0: 6 dB of reduction.
        let m = meter(vec![OscType::Int(1003), OscType::Int(-1), f(0.5), f(0.3), f(0.45), f(0.3), f(1.0), f(0.6)]);
        let r = MeterReading::parse(&m).unwrap();
        assert_eq!((r.owner, r.pre_limit), (ChainOwner::Master, Some(1.0)));
        let mut meters = Meters::default();
        meters.record(&r, 1);
        assert!((meters.master().unwrap().limiter_reduction_db() - 6.0206).abs() < 1e-3);
        // Limiter idle (pre == post) or a strip without the channel: 0 dB.
        let idle = meter(vec![OscType::Int(1003), OscType::Int(-1), f(0.5), f(0.3), f(0.5), f(0.3), f(0.5), f(0.3)]);
        meters.record(&MeterReading::parse(&idle).unwrap(), 1);
        assert_eq!(meters.master().unwrap().limiter_reduction_db(), 0.0);
    }

    #[test]
    fn a_stereo_reply_is_parsed_as_scsynth_sends_it() {
        // SendPeakRMS sends the node and reply ids as ints, levels as floats.
        let m = meter(vec![
            OscType::Int(1012),
            OscType::Int(7),
            OscType::Float(0.5),
            OscType::Float(0.25),
            OscType::Float(0.1),
            OscType::Float(0.05),
        ]);
        let r = MeterReading::parse(&m).unwrap();
        assert_eq!(r.owner, ChainOwner::Instrument(InstrumentId(7)));
        assert_eq!(r.peak, [0.5, 0.1]);
        assert_eq!(r.rms, [0.25, 0.05]);
        let mut meters = Meters::default();
        meters.record(&r, 3);
        let got = meters.instrument(InstrumentId(7)).unwrap();
        assert!((got.peak_dbfs() - (-6.0206)).abs() < 1e-3);
        assert_eq!((got.updates, got.generation), (1, 3));
    }

    #[test]
    fn a_mono_reply_fills_both_channels_and_ids_may_be_floats() {
        let m = meter(vec![OscType::Float(5.0), OscType::Float(-1.0), OscType::Float(0.1), OscType::Float(0.1)]);
        let r = MeterReading::parse(&m).unwrap();
        assert_eq!(r.owner, ChainOwner::Master);
        assert_eq!(r.peak, [0.1, 0.1]);
    }

    #[test]
    fn wrong_shapes_types_and_values_are_refused() {
        let f = OscType::Float;
        assert_eq!(MeterReading::parse(&meter(vec![OscType::Int(1), OscType::Int(1)])), Err(MeterError::Shape));
        assert_eq!(MeterReading::parse(&meter(vec![OscType::Int(1), OscType::Int(1), f(0.1)])), Err(MeterError::Shape));
        assert_eq!(
            MeterReading::parse(&meter(vec![OscType::String("x".into()), OscType::Int(1), f(0.1), f(0.1)])),
            Err(MeterError::Type)
        );
        assert_eq!(
            MeterReading::parse(&meter(vec![OscType::Int(1), OscType::Int(1), f(f32::NAN), f(0.1)])),
            Err(MeterError::Value)
        );
        assert_eq!(
            MeterReading::parse(&meter(vec![OscType::Int(1), OscType::Int(1), f(-0.5), f(0.1)])),
            Err(MeterError::Value)
        );
    }

    #[test]
    fn silence_is_minus_infinity_and_removed_strips_disappear() {
        assert_eq!(to_dbfs(0.0), f32::NEG_INFINITY);
        assert!((to_dbfs(0.001) + 60.0).abs() < 1e-3);
        let mut meters = Meters::default();
        let r = MeterReading { owner: ChainOwner::Bus(BusId(2)), peak: [0.3; 2], rms: [0.2; 2], pre_limit: None };
        meters.record(&r, 1);
        meters.silence();
        assert_eq!(meters.bus(BusId(2)).unwrap().peak_dbfs(), f32::NEG_INFINITY);
        assert_eq!(meters.bus(BusId(2)).unwrap().updates, 1);
        meters.remove(ChainOwner::Bus(BusId(2)));
        assert!(meters.bus(BusId(2)).is_none());
    }
}
