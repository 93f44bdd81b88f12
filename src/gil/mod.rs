//! The global interpreter lock, and the designs of it a run can choose (`--gil NAME`).
//!
//! A [`Gil`] is one interpreter's lock: a [`Policy`] (how threads take and drop it) plus the
//! [`Control`] every policy shares with the eval loop: the *drop request* flag the eval loop
//! reads on its fast path (one relaxed load at function entry and loop back edges), and the
//! switch interval. Policies differ only at GIL transitions, behind one dynamic call, so the
//! eval loop's fast path is the same for all of them.
//!
//! Each policy is one module, registered once in [`POLICIES`]:
//! - [`cpython`]: CPython 3.2+'s algorithm (the default);
//! - [`legacy`]: Python 2's: release and re-take every N instructions, no forced switching;
//! - [`fifo`]: CPython's, but the GIL goes to the longest waiter;
//! - [`io_priority`]: CPython's, with threads returning from I/O or native calls served first
//!   (the fix proposed for the convoy effect, bpo-7946);
//! - [`free_threaded`]: no GIL at all, as PEP 703's build.

pub mod cpython;
pub mod deterministic;
pub mod fifo;
pub mod free_threaded;
pub mod handoff;
pub mod io_priority;
pub mod legacy;

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use deterministic::{Pick, Rule, Turn};

/// The default switch interval, as `sys.getswitchinterval()` reports it (5 ms).
pub const DEFAULT_SWITCH_INTERVAL: Duration = Duration::from_millis(5);

/// Python 2's default check interval (`sys.setcheckinterval`), in instructions.
pub const DEFAULT_CHECK_INTERVAL: u32 = 100;

/// What every policy shares with the eval loop.
pub struct Control {
    /// Raised by a waiter (or a terminate request, or Ctrl-C): the holder should come to the
    /// eval breaker's slow path. Read by the eval loop on its fast path.
    drop_request: AtomicBool,
    interval_ns: AtomicU64,
    check_interval: AtomicU32,
}

impl Control {
    /// The switch interval: how long a waiter waits before it asks the holder to drop.
    pub fn interval(&self) -> Duration {
        Duration::from_nanos(self.interval_ns.load(Ordering::Relaxed))
    }

    pub fn request_drop(&self) {
        self.drop_request.store(true, Ordering::Relaxed);
    }

    pub fn clear_drop_request(&self) {
        self.drop_request.store(false, Ordering::Relaxed);
    }

    pub fn drop_requested(&self) -> bool {
        self.drop_request.load(Ordering::Relaxed)
    }

    /// Instructions between a legacy holder's release and re-take.
    pub fn check_interval(&self) -> u32 {
        self.check_interval.load(Ordering::Relaxed)
    }
}

/// A design of the GIL: how a thread takes it and drops it.
pub trait Policy: Send + Sync {
    /// Takes the GIL for thread `me`, waiting as the design says; `returning` is true when the
    /// thread comes back from a native call or a blocking wait. Calls `on_drop_request(holder)`
    /// each time it asks the holder to drop. Returns true if the thread had to wait.
    fn take_gil(
        &self,
        ctl: &Control,
        me: u64,
        returning: bool,
        on_drop_request: &mut dyn FnMut(u64),
    ) -> bool;

    /// Drops the GIL held by `me`; `forced` when answering a drop request.
    fn drop_gil(&self, ctl: &Control, me: u64, forced: bool);

    /// The deterministic scheduler, when this is one (`--deterministic`).
    fn deterministic(&self) -> Option<&deterministic::Deterministic> {
        None
    }

    /// Threads holding a ticket (the `fifo` policy; 0 for the others), for tests.
    fn queued(&self) -> usize {
        0
    }

    /// Does the holder release and re-take the GIL every [`Control::check_interval`]
    /// instructions (Python 2), rather than when asked?
    fn ticks(&self) -> bool {
        false
    }

    /// Do threads run Python code at the same time (no GIL at all)?
    fn parallel(&self) -> bool {
        false
    }

    /// Who holds the GIL now, for the `--timeout` report (which tells a running thread from
    /// one waiting for the GIL). Takes the policy's state lock: never called on a hot path.
    fn holder(&self) -> Holder {
        Holder::Unknown
    }
}

/// Who may run Python code in an interpreter at a given moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holder {
    /// The GIL is free.
    Nobody,
    /// This thread holds it.
    Thread(u64),
    /// There is no GIL (`--gil none`): every thread not blocked runs.
    Everyone,
    /// The policy does not say.
    Unknown,
}

/// A registered policy: its `--gil` name, what it is, how to make one, and how
/// `--deterministic` schedules as it does.
pub struct PolicyInfo {
    pub name: &'static str,
    pub about: &'static str,
    pub make: fn() -> Box<dyn Policy>,
    pub schedule: deterministic::Rule,
}

/// Every policy a run can choose, the default first.
pub const POLICIES: &[PolicyInfo] = &[
    PolicyInfo {
        name: "cpython",
        about: "CPython 3.2+: timed waits, drop requests, forced switching (the default)",
        make: || Box::new(cpython::CPython::default()),
        schedule: Rule {
            turn: Turn::Interval,
            pick: Pick::Any,
        },
    },
    PolicyInfo {
        name: "legacy",
        about: "Python 2: release and re-take every --check-interval instructions, no forced switching",
        make: || Box::new(legacy::Legacy::default()),
        schedule: Rule {
            turn: Turn::CheckInterval { one_in: 8 },
            pick: Pick::Any,
        },
    },
    PolicyInfo {
        name: "fifo",
        about: "CPython's, but the GIL goes to the longest waiter (ticket order)",
        make: || Box::new(fifo::Fifo::default()),
        schedule: Rule {
            turn: Turn::Interval,
            pick: Pick::Oldest,
        },
    },
    PolicyInfo {
        name: "io-priority",
        about: "CPython's, with threads back from I/O or native calls served first (bpo-7946)",
        make: || Box::new(io_priority::IoPriority::default()),
        schedule: Rule {
            turn: Turn::Interval,
            pick: Pick::ReturningFirst,
        },
    },
    PolicyInfo {
        name: "none",
        about: "no GIL: threads run Python code in parallel (PEP 703's free-threaded build)",
        make: || Box::new(free_threaded::FreeThreaded),
        schedule: Rule {
            turn: Turn::AnyInstruction { one_in: 8 },
            pick: Pick::Any,
        },
    },
];

/// Policies are registered once, so a policy is its name.
impl PartialEq for PolicyInfo {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl std::fmt::Debug for PolicyInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// The registered policy called `name`.
pub fn policy(name: &str) -> Result<&'static PolicyInfo, String> {
    POLICIES.iter().find(|p| p.name == name).ok_or_else(|| {
        let names: Vec<&str> = POLICIES.iter().map(|p| p.name).collect();
        format!(
            "no GIL policy {name:?} (choose one of: {})",
            names.join(", ")
        )
    })
}

/// One interpreter's GIL.
pub struct Gil {
    ctl: Control,
    policy: Box<dyn Policy>,
    name: &'static str,
}

impl Default for Gil {
    fn default() -> Self {
        Gil::new(DEFAULT_SWITCH_INTERVAL)
    }
}

impl Gil {
    /// CPython's GIL with the given switch interval.
    pub fn new(interval: Duration) -> Gil {
        Gil::with_policy(&POLICIES[0], interval)
    }

    pub fn with_policy(info: &PolicyInfo, interval: Duration) -> Gil {
        Gil {
            ctl: Control {
                drop_request: AtomicBool::new(false),
                interval_ns: AtomicU64::new(interval.as_nanos().max(1) as u64),
                check_interval: AtomicU32::new(DEFAULT_CHECK_INTERVAL),
            },
            policy: (info.make)(),
            name: info.name,
        }
    }

    /// `--deterministic --seed N`: the scheduler that replays a run, scheduling as `info`'s
    /// rule says.
    pub fn deterministic(info: &PolicyInfo, interval: Duration, seed: u64) -> Gil {
        let mut gil = Gil::with_policy(info, interval);
        gil.policy = Box::new(deterministic::Deterministic::new(info.schedule, seed));
        // Every switch point goes to the slow path, where virtual time is counted.
        gil.ctl.request_drop();
        gil
    }

    /// The deterministic scheduler, in `--deterministic` mode.
    #[inline]
    pub fn scheduler(&self) -> Option<&deterministic::Deterministic> {
        self.policy.deterministic()
    }

    /// What the policy shares with the eval loop.
    pub fn control(&self) -> &Control {
        &self.ctl
    }

    /// The policy's `--gil` name.
    pub fn policy_name(&self) -> &'static str {
        self.name
    }

    pub fn interval(&self) -> Duration {
        self.ctl.interval()
    }

    /// `sys.setswitchinterval`: applies to waits that start after the call.
    pub fn set_interval(&self, d: Duration) {
        self.ctl
            .interval_ns
            .store(d.as_nanos().max(1) as u64, Ordering::Relaxed);
    }

    /// `sys.getcheckinterval` (legacy policy).
    pub fn check_interval(&self) -> u32 {
        self.ctl.check_interval()
    }

    /// `sys.setcheckinterval` / `--check-interval`: at least 1.
    pub fn set_check_interval(&self, n: u32) {
        self.ctl.check_interval.store(n.max(1), Ordering::Relaxed);
    }

    /// Does the holder release every check interval (so the eval loop must count
    /// instructions)?
    pub fn ticks(&self) -> bool {
        self.policy.ticks()
    }

    /// Do threads run Python code in parallel (`--gil none`)?
    pub fn parallel(&self) -> bool {
        self.policy.parallel()
    }

    /// Is a drop request pending? The eval loop's one check on its fast path.
    #[inline]
    pub fn drop_requested(&self) -> bool {
        self.ctl.drop_requested()
    }

    /// Raises the drop request without waiting, so the holder reaches its eval-breaker slow
    /// path soon (used to deliver a terminate request or a Ctrl-C).
    pub fn request_drop(&self) {
        self.ctl.request_drop();
    }

    /// Takes the GIL for thread `me`. Returns true if this thread had to wait.
    pub fn take_gil(&self, me: u64) -> bool {
        self.policy.take_gil(&self.ctl, me, false, &mut |_| {})
    }

    /// [`Gil::take_gil`] for a thread coming back from native work or a blocking wait
    /// (`returning`), calling `on_drop_request(holder)` each time this thread asks the holder
    /// to drop the GIL (for the event log).
    #[inline]
    pub fn take_gil_observed(
        &self,
        me: u64,
        returning: bool,
        on_drop_request: &mut dyn FnMut(u64),
    ) -> bool {
        self.policy
            .take_gil(&self.ctl, me, returning, on_drop_request)
    }

    /// Who holds the GIL now (for reports; takes the policy's state lock).
    pub fn holder(&self) -> Holder {
        self.policy.holder()
    }

    /// Threads waiting in ticket order (`fifo` only), for tests of the hand-off order.
    pub fn queued(&self) -> usize {
        self.policy.queued()
    }

    /// Drops the GIL held by `me`. With `forced` (answering a drop request), the policy may
    /// wait until another thread has taken it before returning.
    pub fn drop_gil(&self, me: u64, forced: bool) {
        self.policy.drop_gil(&self.ctl, me, forced)
    }
}
