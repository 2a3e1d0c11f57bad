//! Channel strips: their controls are a pure function of the mixer state,
//! and a refresh sends one `/n_set` with only the controls that differ from
//! what was last sent. Every mixer change (level, pan, mute, solo, output,
//! sends, buses appearing or going) goes through here, so a strip is only
//! ever touched when one of its controls really changes.

use imbolc_types::catalog::MAX_SENDS;
use imbolc_types::{BusId, ChainOwner, MixerSettings, OutputTarget};

use super::SignalGraph;
use super::state::Controls;
use crate::backend::ServerOp;

const SEND_BUS: [&str; MAX_SENDS] = ["send0bus", "send1bus", "send2bus", "send3bus"];
const SEND_LEVEL: [&str; MAX_SENDS] = ["send0", "send1", "send2", "send3"];

/// Strip and send gains are linear, 0..=2.
pub(super) fn clamp_gain(v: f32) -> f32 {
    if v.is_nan() { 0.0 } else { v.clamp(0.0, 2.0) }
}

/// Pan, -1..=1.
pub(super) fn clamp_pan(v: f32) -> f32 {
    if v.is_nan() { 0.0 } else { v.clamp(-1.0, 1.0) }
}

/// The `id` a strip's meter replies with (`/meter` replyID): the instrument
/// id for instruments, -1 for the master, `-2 - bus id` for aux buses, so
/// the meter reader can tell them apart.
pub fn meter_id(owner: ChainOwner) -> i32 {
    match owner {
        ChainOwner::Instrument(id) => i32::try_from(id.0).unwrap_or(i32::MAX),
        ChainOwner::Master => -1,
        ChainOwner::Bus(b) => -2 - i32::try_from(b.0).unwrap_or(i32::MAX - 2),
    }
}

impl SignalGraph {
    /// The audio bus of aux bus `id`, unless it is `except` (a bus strip
    /// never feeds itself) or does not exist.
    fn aux_bus(&self, id: BusId, except: Option<BusId>) -> Option<u32> {
        if Some(id) == except {
            return None;
        }
        self.buses.get(&id).map(|b| b.chain.bus)
    }

    fn strip_of(&self, mixer: &MixerSettings, bus: u32, owner: ChainOwner, any_solo: bool) -> Controls {
        let except = match owner {
            ChainOwner::Bus(b) => Some(b),
            _ => None,
        };
        let master = self.master.chain.bus;
        let out = match mixer.output {
            OutputTarget::Master => master,
            OutputTarget::Bus(b) => self.aux_bus(b, except).unwrap_or(master),
        };
        let muted = mixer.mute || (any_solo && !mixer.solo);
        let mut c: Controls = Vec::with_capacity(6 + 2 * MAX_SENDS);
        c.extend([
            ("in", bus as f32),
            ("out", out as f32),
            ("level", clamp_gain(mixer.level)),
            ("pan", clamp_pan(mixer.pan)),
            ("mute", if muted { 1.0 } else { 0.0 }),
            ("id", meter_id(owner) as f32),
        ]);
        // Only sends that are audible take a slot, so equal mixes give equal
        // strips however the send list got there (e.g. a send set back to 0
        // by undo).
        let mut live = mixer
            .sends
            .iter()
            .filter(|s| clamp_gain(s.level) > 0.0)
            .filter_map(|s| self.aux_bus(s.bus, except).map(|b| (b, clamp_gain(s.level))));
        for slot in 0..MAX_SENDS {
            let (send_bus, level) = live.next().unwrap_or((master, 0.0));
            c.push((SEND_BUS[slot], send_bus as f32));
            c.push((SEND_LEVEL[slot], level));
        }
        c
    }

    /// What the strip of `owner` should be set to now.
    pub(super) fn strip_controls(&self, owner: ChainOwner) -> Option<Controls> {
        match owner {
            ChainOwner::Instrument(id) => {
                let st = self.instruments.get(&id)?;
                Some(self.strip_of(&st.mixer, st.chain.bus, owner, self.inst_solos > 0))
            }
            ChainOwner::Bus(id) => {
                let st = self.buses.get(&id)?;
                Some(self.strip_of(&st.mixer, st.chain.bus, owner, self.bus_solos > 0))
            }
            ChainOwner::Master => {
                let m = &self.master.settings;
                Some(vec![
                    ("in", self.master.chain.bus as f32),
                    ("out", self.config.hardware_out as f32),
                    ("level", clamp_gain(m.level)),
                    ("mute", if m.mute { 1.0 } else { 0.0 }),
                    ("id", meter_id(ChainOwner::Master) as f32),
                    ("limit", if m.limiter { 1.0 } else { 0.0 }),
                    ("ceiling", m.limiter_ceiling()),
                ])
            }
        }
    }

    /// One `/n_set` with the strip controls that changed, if any.
    pub(super) fn refresh_strip(&mut self, owner: ChainOwner) -> Option<ServerOp> {
        let desired = self.strip_controls(owner)?;
        let chain = self.chain_mut(owner).ok()?;
        let changed: Controls = desired
            .iter()
            .zip(chain.strip_sent.iter())
            .filter(|(d, s)| d.1.to_bits() != s.1.to_bits())
            .map(|(d, _)| *d)
            .collect();
        chain.strip_sent = desired;
        if changed.is_empty() { None } else { Some(ServerOp::Set { node: chain.strip, controls: changed }) }
    }

    /// Refreshes every instrument strip (`instruments`) or every bus strip.
    pub(super) fn refresh_domain(&mut self, instruments: bool, ops: &mut Vec<ServerOp>) {
        if instruments {
            for id in self.order.clone() {
                ops.extend(self.refresh_strip(ChainOwner::Instrument(id)));
            }
        } else {
            for id in self.bus_order.clone() {
                ops.extend(self.refresh_strip(ChainOwner::Bus(id)));
            }
        }
    }

    /// After a solo count changed from `before` solos: if that flipped
    /// whether anything is soloed, every strip of the domain may change;
    /// otherwise only `owner`'s strip (if it still exists).
    pub(super) fn after_solo_change(&mut self, owner: ChainOwner, before: usize, ops: &mut Vec<ServerOp>) {
        let (now, instruments) = match owner {
            ChainOwner::Bus(_) => (self.bus_solos, false),
            _ => (self.inst_solos, true),
        };
        if (before > 0) != (now > 0) {
            self.refresh_domain(instruments, ops);
        } else {
            ops.extend(self.refresh_strip(owner));
        }
    }
}
