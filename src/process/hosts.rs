//! The OS threads that child interpreters (the `interp` backend) run on, kept for the next
//! child once theirs has ended.
//!
//! Starting an OS thread with an interpreter's stack (`runtime::INTERPRETER_STACK` reserved)
//! costs a `clone`, a fresh stack whose first pages fault in as the eval loop touches them,
//! and an unmapping when the thread ends: tens of microseconds, a large part of what starting
//! a `multiprocessing.Process` costs once the child's own work is small. A thread whose child
//! has ended therefore waits [`KEEP`] for another child before it ends. Nothing of a child
//! outlives it on its thread: the child's interpreter is dropped before the thread waits, and
//! the only thread-local state an interpreter thread has (the trashcan's, `vm::trashcan`) is
//! empty between top-level drops.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use parking_lot::Mutex;

/// The life of one child interpreter, run on a host thread.
pub type Job = Box<dyn FnOnce() + Send>;

/// How long a host thread whose child has ended waits for another.
const KEEP: Duration = Duration::from_secs(2);

/// At most this many host threads wait at once; one more ends when its child does.
const MAX_IDLE: usize = 16;

/// A waiting host thread: where to send its next job.
struct Idle {
    id: u64,
    jobs: Sender<Job>,
}

/// The waiting host threads, the most recently used last (it is taken first: its stack is
/// the most likely to be still in the caches).
static IDLE: Mutex<Vec<Idle>> = Mutex::new(Vec::new());

/// Runs `job` on a waiting host thread, or on a new one.
pub fn run(job: Job) -> std::io::Result<()> {
    let idle = IDLE.lock().pop();
    let job = match idle {
        Some(host) => match host.jobs.send(job) {
            Ok(()) => return Ok(()),
            // Its thread is gone (it cannot be: a thread leaves the list before it ends).
            Err(mpsc::SendError(job)) => job,
        },
        None => job,
    };
    let (jobs, inbox) = mpsc::channel();
    static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::thread::Builder::new()
        .name("gilsim-process".into())
        .stack_size(crate::runtime::INTERPRETER_STACK)
        .spawn(move || host(id, job, jobs, inbox))?;
    Ok(())
}

/// A host thread: runs its first job, then each job sent to it while it waits, until it has
/// waited [`KEEP`] for nothing.
fn host(id: u64, first: Job, jobs: Sender<Job>, inbox: Receiver<Job>) {
    let mut job = first;
    loop {
        job();
        {
            let mut idle = IDLE.lock();
            if idle.len() >= MAX_IDLE {
                return;
            }
            idle.push(Idle {
                id,
                jobs: jobs.clone(),
            });
        }
        job = match inbox.recv_timeout(KEEP) {
            Ok(next) => next,
            Err(RecvTimeoutError::Timeout) => {
                let mut idle = IDLE.lock();
                match idle.iter().position(|h| h.id == id) {
                    Some(i) => {
                        idle.remove(i);
                        return;
                    }
                    // Taken from the list after the wait timed out: its job is on the way.
                    None => {
                        drop(idle);
                        match inbox.recv() {
                            Ok(next) => next,
                            Err(_) => return,
                        }
                    }
                }
            }
            Err(RecvTimeoutError::Disconnected) => return,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The thread a job runs on.
    fn run_and_report() -> std::thread::ThreadId {
        let (tx, rx) = mpsc::channel();
        run(Box::new(move || {
            tx.send(std::thread::current().id()).unwrap()
        }))
        .unwrap();
        rx.recv_timeout(Duration::from_secs(10)).unwrap()
    }

    #[test]
    fn a_host_thread_runs_the_next_job() {
        // Other tests may start child interpreters meanwhile and take the waiting thread, so
        // a few tries: one of them must see the thread of the job before it.
        let reused = (0..5).any(|_| {
            let first = run_and_report();
            // Time for the host to go back to the list after its job.
            std::thread::sleep(Duration::from_millis(50));
            run_and_report() == first
        });
        assert!(reused, "no job ran on the thread of the job before it");
    }
}
