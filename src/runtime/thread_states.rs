//! What each thread is doing, with its stack: the body of the `--timeout` report.
//!
//! A thread that has let go of the GIL (a blocking wait, a sleep, a native call) captured its
//! stack as it did; a thread running Python code is asked to publish its stack at its next
//! eval-breaker check ([`collect`]: a drop request sends it there soon). Each thread is then
//! described as a [`ThreadState`], plain text that can cross to another OS process: an
//! `os`-backend child describes its own threads and sends them to the top process, whose
//! report lists them beside its own ([`crate::process::os_threads`]).

use std::time::{Duration, Instant};

use super::monitor::{Activity, Monitor, ThreadView};
use crate::gil::Holder;
use crate::observe::Release;

/// How long running threads get to publish their stacks.
pub const STACK_PATIENCE: Duration = Duration::from_millis(1000);

/// One thread as the `--timeout` report shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadState {
    /// Its process's pid.
    pub pid: u32,
    /// Its process's name (`MainProcess`, `Process-1`).
    pub process: String,
    /// The thread's name, quoted (`"MainThread"`), or `thread N`.
    pub label: String,
    /// What it does: `is running`, `has been blocked for 1.2 s in queue.Queue.get()`.
    pub state: String,
    /// Its stack, innermost frame last, one line each, not indented; or a note saying why
    /// there is none. Empty when there is nothing to show.
    pub stack: String,
}

/// Asks every thread of `monitor`'s table for its stack and waits, at most `patience`, until
/// each thread running Python code has published it; returns the threads and the request
/// their stacks answer.
pub fn collect(monitor: &Monitor, patience: Duration) -> (Vec<ThreadView>, u64) {
    let request = monitor.request_stacks();
    let asked = Instant::now();
    loop {
        for interp in monitor.interpreters() {
            interp.gil.request_drop();
        }
        std::thread::sleep(Duration::from_millis(20));
        let threads = monitor.snapshot();
        let all_published = threads.iter().all(|t| {
            !matches!(t.activity, Activity::Python)
                || t.published.as_ref().is_some_and(|(r, _)| *r == request)
        });
        if all_published || asked.elapsed() >= patience {
            return (threads, request);
        }
    }
}

/// Each of `threads` described: its state (running / waiting for the GIL / blocked on X /
/// sleeping / native) and its stack; running threads show the stack they published for stack
/// request `request`.
pub fn describe(threads: &[ThreadView], request: u64) -> Vec<ThreadState> {
    threads
        .iter()
        .map(|t| ThreadState {
            pid: t.pid,
            process: t.process.to_string(),
            label: t.label(),
            state: state_of(t, threads),
            stack: stack_of(t, request),
        })
        .collect()
}

fn state_of(t: &ThreadView, threads: &[ThreadView]) -> String {
    let holder = t
        .interp
        .upgrade()
        .map_or(Holder::Unknown, |i| i.gil.holder());
    let for_how_long = |since: &Instant| crate::duration::format_duration(since.elapsed());
    match &t.activity {
        Activity::Python => match holder {
            Holder::Thread(h) if h == t.ident => "is running".to_string(),
            Holder::Everyone => "is running".to_string(),
            Holder::Thread(_) | Holder::Nobody => "is waiting for the GIL".to_string(),
            Holder::Unknown => "is running or waiting for the GIL".to_string(),
        },
        Activity::Returning { why, .. } => {
            format!("is waiting for the GIL, back from {}", release_text(why))
        }
        Activity::Released {
            wait: Some(_),
            since,
            ..
        } => format!(
            "has been blocked for {} {}",
            for_how_long(since),
            t.describe_wait(threads)
        ),
        Activity::Released { why, since, .. } => {
            format!("has been {} for {}", release_text(why), for_how_long(since))
        }
    }
}

fn stack_of(t: &ThreadView, request: u64) -> String {
    let stack = match &t.activity {
        Activity::Python => t
            .published
            .as_ref()
            .filter(|(r, _)| *r == request)
            .map(|(_, s)| t.render_stack(s, "")),
        _ => t.released_stack_text(""),
    };
    match stack {
        Some(s) => s,
        None if matches!(t.activity, Activity::Python) => "(no stack: the thread reached no \
             eval-breaker check in time, e.g. it is busy in a long built-in call or waiting \
             for the GIL)\n"
            .to_string(),
        None => String::new(),
    }
}

/// A released section as a report says it: `sleeping (time.sleep)`, `in native code (zlib.compress)`.
fn release_text(why: &Release) -> String {
    match why {
        Release::Native(name) => format!("in native code ({name}, the GIL released)"),
        Release::Blocked("sleep", _) => "sleeping (time.sleep)".to_string(),
        Release::Blocked("input", _) => "reading input".to_string(),
        Release::Blocked("subprocess", _) => "waiting for a subprocess".to_string(),
        Release::Blocked(kind, id) => format!("waiting on {kind} {id}"),
    }
}

/// The threads of `states` as the report lists them, each with its process when they belong
/// to more than one, its stack indented under it.
pub fn render(states: &[ThreadState]) -> String {
    let several = states.windows(2).any(|w| w[0].pid != w[1].pid);
    let mut out = String::new();
    for t in states {
        if several {
            out.push_str(&format!(
                "  {} of {} (pid {}) {}\n",
                t.label, t.process, t.pid, t.state
            ));
        } else {
            out.push_str(&format!("  {} {}\n", t.label, t.state));
        }
        for line in t.stack.lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(pid: u32, label: &str, stack: &str) -> ThreadState {
        ThreadState {
            pid,
            process: if pid == 1 { "MainProcess" } else { "Process-1" }.into(),
            label: label.into(),
            state: "is running".into(),
            stack: stack.into(),
        }
    }

    #[test]
    fn threads_of_one_process_are_listed_without_it() {
        let text = render(&[state(
            1,
            "\"MainThread\"",
            "File \"a.py\", line 1, in <module>\n",
        )]);
        assert_eq!(
            text,
            "  \"MainThread\" is running\n    File \"a.py\", line 1, in <module>\n"
        );
    }

    #[test]
    fn threads_of_several_processes_are_listed_with_theirs() {
        let text = render(&[state(1, "\"MainThread\"", ""), state(77, "thread 3", "")]);
        assert_eq!(
            text,
            "  \"MainThread\" of MainProcess (pid 1) is running\n  \
             thread 3 of Process-1 (pid 77) is running\n"
        );
    }
}
