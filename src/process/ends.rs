//! Which process holds which end of a pipe.
//!
//! In CPython a pipe end is an OS handle: a process that is sent one gets a duplicate,
//! `close()` closes one, and the OS closes every handle of a process that ends, however it
//! ends (a `SIGKILL` included). A reader sees end-of-file (`EOFError`) once every handle of the
//! sending end is closed; a writer gets `EPIPE` (`BrokenPipeError`) once every handle of the
//! receiving end is. gilsim's pipes are channels that every interpreter reaches directly (or
//! through the `os` backend's broker), so the handles are counted here instead:
//!
//! - [`Ends`], kept in a channel's state: the open handles of its read and write ends, per
//!   process, and the handles in transit (pickled by a sender, not yet rebuilt by a
//!   receiver), which count as the sender's until the receiver claims them, as CPython's
//!   sender keeps a duplicate until the receiver has fetched it;
//! - [`Holdings`], one for the whole gilsim process: the channels each process holds a handle
//!   of, so that when a process ends its handles can be closed ([`super::shared::process_ended`]).
//!
//! Processes are named by pid: the made-up pid of a child interpreter, the real pid of a
//! child OS process. Every count lives in the process that keeps the channels (the top gilsim
//! process; with the `os` backend its broker), so the pids of one run never mix two counts.

use std::sync::{Arc, Weak};

use parking_lot::Mutex;
use rustc_hash::FxHashMap;

use crate::vm::objects::ObjectBox;

/// The two ends of a one-way channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Read,
    Write,
}

impl Side {
    /// `"r"` or `"w"`, as the Python side names them.
    pub fn parse(s: &str) -> Option<Side> {
        match s {
            "r" => Some(Side::Read),
            "w" => Some(Side::Write),
            _ => None,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The handles of a channel's two ends, by process.
#[derive(Default, Debug)]
pub struct Ends {
    /// Open handles per side: pid -> how many.
    open: [FxHashMap<u32, u32>; 2],
    /// Handles in transit: ticket -> the side and the sending process, which owns it until a
    /// receiver claims it.
    transit: FxHashMap<u64, (Side, u32)>,
    next_ticket: u64,
}

impl Ends {
    /// Process `pid` opens a handle of `side`.
    pub fn open(&mut self, side: Side, pid: u32) {
        *self.open[side.index()].entry(pid).or_insert(0) += 1;
    }

    /// Process `pid` closes a handle of `side` (one it does not have is ignored).
    pub fn close(&mut self, side: Side, pid: u32) {
        let open = &mut self.open[side.index()];
        if let Some(n) = open.get_mut(&pid) {
            *n -= 1;
            if *n == 0 {
                open.remove(&pid);
            }
        }
    }

    /// Process `pid` pickles a handle of `side` to send it: a handle in transit, owned by
    /// `pid` until claimed. Returns its ticket.
    pub fn send(&mut self, side: Side, pid: u32) -> u64 {
        self.next_ticket += 1;
        self.transit.insert(self.next_ticket, (side, pid));
        self.next_ticket
    }

    /// Process `pid` rebuilds a handle of `side` sent with `ticket`: the handle in transit
    /// becomes `pid`'s. If the ticket is gone (its sender ended before the receiver claimed
    /// it), `pid` opens a handle anyway: CPython's receiver would fail to fetch the handle,
    /// gilsim's end simply works.
    pub fn receive(&mut self, side: Side, ticket: u64, pid: u32) {
        self.transit.remove(&ticket);
        self.open(side, pid);
    }

    /// Process `pid` has ended: every handle it held, or had in transit, is closed.
    pub fn process_ended(&mut self, pid: u32) {
        for open in &mut self.open {
            open.remove(&pid);
        }
        self.transit.retain(|_, (_, sender)| *sender != pid);
    }

    /// Is any handle of `side` still open (or in transit)?
    pub fn any_open(&self, side: Side) -> bool {
        !self.open[side.index()].is_empty() || self.transit.values().any(|(s, _)| *s == side)
    }

    /// The processes holding a handle of `side` (open or in transit), in pid order.
    pub fn holders(&self, side: Side) -> Vec<u32> {
        let mut pids: Vec<u32> = self.open[side.index()].keys().copied().collect();
        pids.extend(
            self.transit
                .values()
                .filter(|(s, _)| *s == side)
                .map(|(_, p)| *p),
        );
        pids.sort_unstable();
        pids.dedup();
        pids
    }
}

/// The channels each process holds (or has held) a handle of: weak references, so a channel
/// nobody uses any more is freed as before.
#[derive(Default)]
pub struct Holdings {
    by_pid: Mutex<FxHashMap<u32, Held>>,
}

/// One process's channels, by address.
#[derive(Default)]
struct Held {
    channels: FxHashMap<usize, Weak<ObjectBox>>,
    /// The size after the last sweep of freed channels: the next sweep comes at twice this,
    /// so a process that makes many short-lived pipes keeps a bounded list at a constant
    /// cost per pipe.
    swept_at: usize,
}

impl Holdings {
    /// Notes that process `pid` holds a handle of `channel`.
    pub fn note(&self, pid: u32, channel: &Arc<ObjectBox>) {
        let mut by_pid = self.by_pid.lock();
        let held = by_pid.entry(pid).or_default();
        held.channels
            .insert(Arc::as_ptr(channel) as usize, Arc::downgrade(channel));
        if held.channels.len() >= 2 * held.swept_at.max(32) {
            held.channels.retain(|_, w| w.strong_count() > 0);
            held.swept_at = held.channels.len();
        }
    }

    /// Process `pid` has ended: the channels it held a handle of that are still in use, and
    /// it is forgotten.
    pub fn take(&self, pid: u32) -> Vec<Arc<ObjectBox>> {
        let held = self.by_pid.lock().remove(&pid);
        held.map_or_else(Vec::new, |h| {
            h.channels.values().filter_map(Weak::upgrade).collect()
        })
    }
}

/// The holdings of every process of this run (kept where the channels are).
pub static HOLDINGS: std::sync::LazyLock<Holdings> = std::sync::LazyLock::new(Holdings::default);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_side_is_open_until_every_process_closes_its_handles() {
        let mut e = Ends::default();
        e.open(Side::Write, 1);
        e.open(Side::Write, 1);
        e.open(Side::Write, 2);
        e.close(Side::Write, 1);
        e.close(Side::Write, 2);
        assert!(e.any_open(Side::Write));
        assert_eq!(e.holders(Side::Write), vec![1]);
        e.close(Side::Write, 1);
        assert!(!e.any_open(Side::Write));
        // A close of a handle never opened changes nothing.
        e.close(Side::Write, 3);
        assert!(!e.any_open(Side::Write));
        assert!(!e.any_open(Side::Read));
    }

    #[test]
    fn a_handle_in_transit_is_the_senders_until_claimed() {
        let mut e = Ends::default();
        e.open(Side::Write, 1);
        let ticket = e.send(Side::Write, 1);
        e.close(Side::Write, 1);
        assert!(e.any_open(Side::Write), "in transit");
        assert_eq!(e.holders(Side::Write), vec![1]);
        e.receive(Side::Write, ticket, 2);
        assert_eq!(e.holders(Side::Write), vec![2]);
        e.process_ended(2);
        assert!(!e.any_open(Side::Write));
    }

    #[test]
    fn a_process_that_ends_closes_its_handles_and_those_it_had_in_transit() {
        let mut e = Ends::default();
        e.open(Side::Read, 1);
        e.open(Side::Write, 2);
        e.open(Side::Write, 2);
        let ticket = e.send(Side::Write, 2);
        e.process_ended(2);
        assert!(!e.any_open(Side::Write));
        assert!(e.any_open(Side::Read));
        // A late claim of a ticket whose sender has ended still opens the receiver's handle.
        e.receive(Side::Write, ticket, 3);
        assert_eq!(e.holders(Side::Write), vec![3]);
    }

    #[test]
    fn holdings_forget_freed_channels() {
        let h = Holdings::default();
        let kept = Arc::new(ObjectBox(Box::new(crate::process::wire::Serialized(
            Default::default(),
        ))));
        h.note(7, &kept);
        for _ in 0..200 {
            let gone = Arc::new(ObjectBox(Box::new(crate::process::wire::Serialized(
                Default::default(),
            ))));
            h.note(7, &gone);
        }
        assert!(h.by_pid.lock()[&7].channels.len() < 100);
        let taken = h.take(7);
        assert_eq!(taken.len(), 1);
        assert!(Arc::ptr_eq(&taken[0], &kept));
        assert!(h.take(7).is_empty());
    }
}
