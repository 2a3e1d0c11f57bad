//! [`NormalLane`]: the UI's way into the audio thread for diffs and
//! queries. Bounded, and it never blocks the sender.
//!
//! The channel holds at most [`NORMAL_CAPACITY`] commands. When the audio
//! thread falls behind (it boots a server synchronously, which can take
//! seconds), what does not fit waits in a backlog on the sender's side,
//! where a parameter change to a target that already waits replaces it
//! (last value wins): a controller flood costs one entry per target, while
//! structural edits (and queries) are kept, in order. A value never
//! overtakes a structural edit: only values sent since the last structural
//! edit coalesce. The backlog is sent on as soon as the channel has room (at
//! the next send or feedback read).
//!
//! The backlog's lock is taken only by the sender's threads, never by the
//! audio thread.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

use crossbeam_channel::{Sender, TrySendError};
use imbolc_types::{AudioDiff, BusId, InstrumentId, ParamTarget};
use rosc::OscMessage;

use super::cmd::{EngineCmd, EngineError};

/// Commands the channel holds at most.
pub const NORMAL_CAPACITY: usize = 64;

/// What a value change is about: later changes of the same key replace it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Param(ParamTarget),
    Mixer(InstrumentId),
    Send(InstrumentId, BusId),
    BusMixer(BusId),
    Master,
}

fn key_of(diff: &AudioDiff) -> Option<Key> {
    match diff {
        AudioDiff::ParamSet { target, .. } => Some(Key::Param(target.clone())),
        AudioDiff::MixerSet { instrument, .. } => Some(Key::Mixer(*instrument)),
        AudioDiff::SendSet { instrument, bus, .. } => Some(Key::Send(*instrument, *bus)),
        AudioDiff::BusMixerSet { bus, .. } => Some(Key::BusMixer(*bus)),
        AudioDiff::MasterSet(_) => Some(Key::Master),
        _ => None,
    }
}

#[derive(Debug)]
enum Item {
    Diff(AudioDiff),
    Query(Sender<OscMessage>),
}

/// Items waiting for room in the channel.
#[derive(Debug, Default)]
struct Backlog {
    items: VecDeque<Item>,
    /// Absolute index of the waiting value change of each key sent since
    /// the last structural item.
    latest: HashMap<Key, usize>,
    /// Items sent on from the front so far (absolute index of `items[0]`).
    base: usize,
    /// Value changes replaced by a later one.
    coalesced: u64,
}

impl Backlog {
    fn push(&mut self, item: Item) {
        if let Item::Diff(diff) = &item
            && let Some(key) = key_of(diff)
        {
            if let Some(&at) = self.latest.get(&key)
                && let Some(slot) = self.items.get_mut(at - self.base)
            {
                *slot = item;
                self.coalesced += 1;
                return;
            }
            self.latest.insert(key, self.base + self.items.len());
        } else {
            self.latest.clear();
        }
        self.items.push_back(item);
    }

    /// Sends items on while the channel has room.
    fn flush(&mut self, tx: &Sender<EngineCmd>) -> Result<(), EngineError> {
        while let Some(front) = self.items.pop_front() {
            let cmd = match front {
                Item::Query(reply) => EngineCmd::QueryTree(reply),
                Item::Diff(first) => {
                    let mut diffs = vec![first];
                    while let Some(Item::Diff(_)) = self.items.front() {
                        if let Some(Item::Diff(d)) = self.items.pop_front() {
                            diffs.push(d);
                        }
                    }
                    EngineCmd::Diffs(diffs)
                }
            };
            let sent = match &cmd {
                EngineCmd::Diffs(diffs) => diffs.len(),
                _ => 1,
            };
            match tx.try_send(cmd) {
                Ok(()) => self.base += sent,
                Err(TrySendError::Full(cmd)) => {
                    self.put_back(cmd);
                    break;
                }
                Err(TrySendError::Disconnected(_)) => return Err(EngineError::Stopped),
            }
        }
        let base = self.base;
        self.latest.retain(|_, at| *at >= base);
        Ok(())
    }

    fn put_back(&mut self, cmd: EngineCmd) {
        match cmd {
            EngineCmd::QueryTree(reply) => self.items.push_front(Item::Query(reply)),
            EngineCmd::Diffs(diffs) => {
                for d in diffs.into_iter().rev() {
                    self.items.push_front(Item::Diff(d));
                }
            }
            _ => {}
        }
    }
}

/// The sender half of the normal lane (see the module docs).
#[derive(Debug)]
pub(crate) struct NormalLane {
    tx: Sender<EngineCmd>,
    backlog: Mutex<Backlog>,
}

impl NormalLane {
    pub fn new(tx: Sender<EngineCmd>) -> Self {
        NormalLane { tx, backlog: Mutex::new(Backlog::default()) }
    }

    /// Queues diffs after everything queued before.
    ///
    /// # Errors
    /// [`EngineError::Stopped`] when the audio thread has ended.
    pub fn diffs(&self, diffs: Vec<AudioDiff>) -> Result<(), EngineError> {
        let mut backlog = self.backlog.lock().unwrap_or_else(PoisonError::into_inner);
        if backlog.items.is_empty() {
            match self.tx.try_send(EngineCmd::Diffs(diffs)) {
                Ok(()) => return Ok(()),
                Err(TrySendError::Disconnected(_)) => return Err(EngineError::Stopped),
                Err(TrySendError::Full(EngineCmd::Diffs(diffs))) => {
                    diffs.into_iter().for_each(|d| backlog.push(Item::Diff(d)));
                }
                Err(TrySendError::Full(_)) => {}
            }
            return Ok(());
        }
        diffs.into_iter().for_each(|d| backlog.push(Item::Diff(d)));
        backlog.flush(&self.tx)
    }

    /// Queues a tree query after everything queued before.
    ///
    /// # Errors
    /// [`EngineError::Stopped`] when the audio thread has ended.
    pub fn query(&self, reply: Sender<OscMessage>) -> Result<(), EngineError> {
        let mut backlog = self.backlog.lock().unwrap_or_else(PoisonError::into_inner);
        backlog.push(Item::Query(reply));
        backlog.flush(&self.tx)
    }

    /// Sends on what waits, as far as the channel has room.
    pub fn flush(&self) {
        let mut backlog = self.backlog.lock().unwrap_or_else(PoisonError::into_inner);
        if !backlog.items.is_empty() {
            let _ = backlog.flush(&self.tx);
        }
    }

    /// Items waiting in the backlog (not yet in the channel).
    pub fn waiting(&self) -> usize {
        self.backlog.lock().unwrap_or_else(PoisonError::into_inner).items.len()
    }

    /// Value changes replaced by a later one so far.
    pub fn coalesced(&self) -> u64 {
        self.backlog.lock().unwrap_or_else(PoisonError::into_inner).coalesced
    }
}

#[cfg(test)]
mod tests {
    use crossbeam_channel::bounded;
    use imbolc_types::{EffectId, InstrumentId};

    use super::*;

    fn param(instrument: u32, value: f32) -> AudioDiff {
        let target = ParamTarget::Source { instrument: InstrumentId(instrument), param: "cutoff".into() };
        AudioDiff::ParamSet { target, value }
    }

    fn structural(k: u32) -> AudioDiff {
        AudioDiff::EffectToggled {
            owner: imbolc_types::ChainOwner::Instrument(InstrumentId(0)),
            effect: EffectId(k),
            enabled: k.is_multiple_of(2),
        }
    }

    /// Fault 14 of issue 24: the lane was unbounded, so a controller flood
    /// while the audio thread stalled (booting a server) grew it without
    /// limit. Now: bounded memory, last values win, no structural edit lost
    /// or reordered.
    #[test]
    fn a_flood_while_the_audio_thread_stalls_uses_bounded_memory_and_loses_no_edit() {
        let (tx, rx) = bounded(NORMAL_CAPACITY);
        let lane = NormalLane::new(tx);
        let mut most_waiting = 0;
        for k in 0..100_000u32 {
            lane.diffs(vec![param(k % 3, k as f32)]).unwrap();
            if k % 10_000 == 5 {
                lane.diffs(vec![structural(k)]).unwrap();
            }
            most_waiting = most_waiting.max(lane.waiting());
        }
        assert!(rx.len() <= NORMAL_CAPACITY);
        assert!(most_waiting <= 3 * 11 + 10, "the backlog stays small: {most_waiting}");
        assert!(lane.coalesced() > 99_000);

        // The audio thread catches up.
        let mut got = Vec::new();
        loop {
            match rx.try_recv() {
                Ok(EngineCmd::Diffs(d)) => got.extend(d),
                Ok(_) => {}
                Err(_) if lane.waiting() > 0 => lane.flush(),
                Err(_) => break,
            }
        }
        let edits: Vec<&AudioDiff> = got.iter().filter(|d| key_of(d).is_none()).collect();
        let expected: Vec<AudioDiff> = (0..100_000u32).filter(|k| k % 10_000 == 5).map(structural).collect();
        assert_eq!(edits, expected.iter().collect::<Vec<_>>(), "every structural edit, in order");
        for i in 0..3u32 {
            let last = got.iter().rev().find(|d| matches!(d, AudioDiff::ParamSet { target: ParamTarget::Source { instrument, .. }, .. } if instrument.0 == i));
            let want = (0..100_000u32).rev().find(|k| k % 3 == i).unwrap() as f32;
            assert_eq!(last, Some(&param(i, want)), "the last value of target {i} wins");
        }
        // No value crosses a structural edit: those before an edit were
        // sent before it, those after it were sent after it.
        let mut edit = None;
        for d in &got {
            match d {
                AudioDiff::EffectToggled { effect, .. } => edit = Some(effect.0 as f32),
                AudioDiff::ParamSet { value, .. } => {
                    let next_edit = got.iter().skip_while(|x| *x != d).find_map(|x| match x {
                        AudioDiff::EffectToggled { effect, .. } => Some(effect.0 as f32),
                        _ => None,
                    });
                    assert!(edit.is_none_or(|e| *value > e), "{value} moved before edit {edit:?}");
                    assert!(next_edit.is_none_or(|e| *value <= e), "{value} moved after edit {next_edit:?}");
                }
                _ => {}
            }
        }
    }

    #[test]
    fn queries_keep_their_place_and_a_stopped_engine_is_reported() {
        let (tx, rx) = bounded(1);
        let lane = NormalLane::new(tx);
        lane.diffs(vec![structural(1)]).unwrap();
        let (reply, _) = bounded(1);
        lane.query(reply).unwrap();
        lane.diffs(vec![param(0, 1.0)]).unwrap();
        assert_eq!(lane.waiting(), 2);
        assert!(matches!(rx.try_recv(), Ok(EngineCmd::Diffs(_))));
        lane.flush();
        assert!(matches!(rx.try_recv(), Ok(EngineCmd::QueryTree(_))));
        lane.flush();
        assert!(matches!(rx.try_recv(), Ok(EngineCmd::Diffs(d)) if d == vec![param(0, 1.0)]));
        drop(rx);
        assert!(matches!(lane.diffs(vec![param(0, 2.0)]), Err(EngineError::Stopped)));
    }
}
