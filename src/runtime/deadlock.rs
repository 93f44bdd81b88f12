//! What a deadlock is, and its report. A run is deadlocked when every live thread of every
//! interpreter (the main one, and the child interpreters or child OS processes of process
//! mode: [`crate::process::os_threads`]) is blocked on a gilsim primitive with no timeout
//! pending and the primitive still unavailable: no thread is left to release a lock, put an
//! item, set an event or end. Threads that sleep, do I/O or run native code, run or wait for
//! the GIL, or wait with a timeout, will move on by themselves, so one of them is enough to
//! rule a deadlock out.
//!
//! The condition is judged on one snapshot of the thread table ([`super::monitor`]); the
//! watchdog ([`super::watchdog`]) declares a deadlock only when it also holds, unchanged, over
//! several checks, so a thread woken a moment ago and not yet running is not mistaken for a
//! stuck one.
//!
//! The report names each thread, what it waits on and who holds it (for locks, which have an
//! owner), its stack, and the wait-for cycle when there is one (lock-order inversion: A holds
//! `a` and waits for `b`, B holds `b` and waits for `a`).

use super::monitor::{ThreadView, namer};

/// Is the run deadlocked, judging by `threads` (every live thread)?
pub fn is_deadlock(threads: &[ThreadView]) -> bool {
    !threads.is_empty() && threads.iter().all(ThreadView::blocked_for_good)
}

/// The evidence that the threads have not moved: each one's identity and how many times it
/// came back from a wait. Equal keys on two checks mean nobody moved in between.
pub fn progress_key(threads: &[ThreadView]) -> Vec<(u64, u64)> {
    threads.iter().map(|t| (t.ident, t.wakes)).collect()
}

/// A cycle of the wait-for graph (each thread waits for the next, the last for the first),
/// as indices into `threads`, if there is one.
pub fn wait_for_cycle(threads: &[ThreadView]) -> Option<Vec<usize>> {
    let next = |i: usize| {
        let target = threads[i].waits_for()?;
        threads.iter().position(|t| t.ident == target)
    };
    for start in 0..threads.len() {
        let mut path = vec![start];
        let mut at = start;
        while let Some(n) = next(at) {
            if let Some(pos) = path.iter().position(|&p| p == n) {
                let cycle = path.split_off(pos);
                // Each cycle once: reported from its member that comes first.
                if cycle.iter().min() == Some(&cycle[0]) {
                    return Some(cycle);
                }
                break;
            }
            if path.len() > threads.len() {
                break;
            }
            path.push(n);
            at = n;
        }
    }
    None
}

/// The deadlock report for `threads` (every live thread, all blocked for good).
pub fn report(threads: &[ThreadView]) -> String {
    let several = super::monitor::several_processes(threads);
    let mut out = String::from(
        "gilsim: deadlock: every thread is blocked, with no timeout pending, waiting for \
         something only another thread could do\n",
    );
    for t in threads {
        out.push_str(&format!(
            "  {} is blocked {}\n",
            t.label_in(several),
            t.describe_wait(threads)
        ));
        if let Some(stack) = t.released_stack_text("    ") {
            out.push_str(&stack);
        }
    }
    if let Some(cycle) = wait_for_cycle(threads) {
        let name_of = namer(threads);
        out.push_str("  wait-for cycle:\n");
        for (k, &i) in cycle.iter().enumerate() {
            let t = &threads[i];
            let next = &threads[cycle[(k + 1) % cycle.len()]];
            let on = t.wait_target().unwrap_or_default();
            out.push_str(&format!(
                "    {} waits for {} ({on})\n",
                name_of(t.ident),
                name_of(next.ident)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Weak};
    use std::time::Instant;

    use super::*;
    use crate::observe::Release;
    use crate::runtime::monitor::{Activity, Holding, Wait, Waitable};

    /// A primitive that answers what the test says.
    struct Fixed(Holding);

    impl Waitable for Fixed {
        fn holding(&self) -> Holding {
            self.0
        }
        fn describe(&self) -> String {
            "lock #9".into()
        }
    }

    fn thread(ident: u64, timed: bool, holding: Holding) -> ThreadView {
        ThreadView {
            ident,
            name: Some(format!("T{ident}").into()),
            activity: Activity::Released {
                why: Release::Blocked("lock", 9),
                wait: Some(Wait {
                    timed,
                    on: Some(Arc::new(Fixed(holding))),
                }),
                stack: None,
                since: Instant::now(),
            },
            holding: Some(holding),
            wakes: 0,
            published: None,
            interp: Weak::new(),
            pid: 1,
            process: "MainProcess".into(),
            rendered: None,
        }
    }

    #[test]
    fn two_threads_holding_what_the_other_wants_are_a_cycle() {
        let threads = [
            thread(1, false, Holding::ThreadEnd(2)),
            thread(2, false, Holding::Held(3)),
            thread(3, false, Holding::Held(2)),
        ];
        assert!(is_deadlock(&threads));
        assert_eq!(wait_for_cycle(&threads), Some(vec![1, 2]));
        let text = report(&threads);
        assert!(
            text.contains("\"T1\" is blocked on lock #9, until \"T2\" ends"),
            "{text}"
        );
        assert!(text.contains("\"T2\" waits for \"T3\" (lock #9)"), "{text}");
        assert!(text.contains("\"T3\" waits for \"T2\" (lock #9)"), "{text}");
    }

    #[test]
    fn a_lock_held_by_its_waiter_is_a_cycle_of_one() {
        let threads = [thread(4, false, Holding::Held(4))];
        assert_eq!(wait_for_cycle(&threads), Some(vec![0]));
        assert!(report(&threads).contains("which it holds itself"));
    }

    #[test]
    fn a_wait_nobody_owns_is_a_deadlock_without_a_cycle() {
        let threads = [
            thread(1, false, Holding::Busy),
            thread(2, false, Holding::Held(7)),
        ];
        assert!(is_deadlock(&threads));
        assert_eq!(wait_for_cycle(&threads), None);
        assert!(report(&threads).contains("held by thread 7 (which has ended)"));
    }

    #[test]
    fn a_timeout_a_free_primitive_or_a_running_thread_rules_a_deadlock_out() {
        let blocked = thread(1, false, Holding::Busy);
        assert!(!is_deadlock(&[
            blocked.clone(),
            thread(2, true, Holding::Busy)
        ]));
        assert!(!is_deadlock(&[
            blocked.clone(),
            thread(2, false, Holding::Free)
        ]));
        let mut running = thread(2, false, Holding::Busy);
        running.activity = Activity::Python;
        assert!(!is_deadlock(&[blocked.clone(), running]));
        let mut sleeping = thread(2, false, Holding::Busy);
        sleeping.activity = Activity::Released {
            why: Release::Blocked("sleep", 0),
            wait: None,
            stack: None,
            since: Instant::now(),
        };
        assert!(!is_deadlock(&[blocked, sleeping]));
        assert!(!is_deadlock(&[]));
    }

    #[test]
    fn progress_is_a_thread_coming_back_from_a_wait() {
        let before = [thread(1, false, Holding::Busy)];
        let mut after = before.clone();
        assert_eq!(progress_key(&before), progress_key(&after));
        after[0].wakes += 1;
        assert_ne!(progress_key(&before), progress_key(&after));
    }
}
