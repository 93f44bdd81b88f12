//! A task's way back: the slot a pool worker answers one task into, which the caller's
//! `AsyncResult.get()` waits on directly.
//!
//! The answer of a task nobody is to be called back for (`apply_async` without a callback,
//! so `apply()` and every `apply_async(...).get()`) need not pass through the pool's
//! result-handler thread: the worker puts it here and the waiting caller wakes at once, one
//! thread wake-up where the handler made two (the handler's, then the caller's). On this
//! project's 2-vCPU VM a wake-up costs 20-25 us, most of a round trip (`benches/README.md`).
//!
//! As the other process primitives ([`super::shared`]) it holds only bytes (the serialized
//! answer), so it crosses between interpreters as itself; the caller rebuilds the answer with
//! [`take`](Reply::take). It also serves as the result's event: `set()` settles it without an
//! answer (the parent decided the result itself, e.g. a broken pool), `is_set()` and `wait()`
//! are `Event`'s.

use std::sync::Arc;
use std::time::Instant;

use parking_lot::{Condvar, Mutex};

use super::shared::timeout_arg;
use super::wire::{self, Payload};
use super::{blocking, wait_until};
use crate::modules::{method_args, receiver};
use crate::runtime::monitor::{Holding, Wait, Waitable};
use crate::vm::errors::PyResult;
use crate::vm::objects::*;
use crate::vm::{Value, Vm};

enum Answer {
    Pending,
    /// The worker's answer, serialized, not yet taken.
    Came(Payload),
    /// Taken, or settled by the parent: nothing more comes.
    Settled,
}

/// One task's answer slot.
pub struct Reply {
    answer: Mutex<Answer>,
    changed: Condvar,
}

primitive!(
    Reply,
    "Reply",
    [
        ("put", put),
        ("take", take),
        ("set", set),
        ("is_set", is_set),
        ("wait", wait),
    ]
);

/// `Reply()`.
pub fn reply_new(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("Reply", 0, 0, &[])?;
    Ok(Value::object(Reply::new()))
}

impl Reply {
    fn new() -> Reply {
        Reply {
            answer: Mutex::new(Answer::Pending),
            changed: Condvar::new(),
        }
    }

    fn settle(&self, answer: Answer) {
        let mut a = self.answer.lock();
        if matches!(*a, Answer::Pending) {
            *a = answer;
            self.changed.notify_all();
        }
    }

    fn is_set(&self) -> bool {
        !matches!(*self.answer.lock(), Answer::Pending)
    }
}

fn this<'a>(args: &Args<'a>) -> PyResult<&'a Reply> {
    receiver::<Reply>(args, "Reply", "method")
}

/// `put(answer)`: the worker's answer (serialized here); ignored once the reply is settled.
fn put(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let r = this(&args)?;
    let rest = method_args(&args);
    rest.check("put", 1, 1, &[])?;
    let payload = super::shared::send(vm, &rest.pos[0])?;
    r.settle(Answer::Came(payload));
    Ok(Value::None)
}

/// `take()`: the answer, rebuilt, the first time; None afterwards, or if the parent settled
/// the reply itself. An answer that cannot be rebuilt raises, and stays to be taken again.
fn take(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let r = this(&args)?;
    method_args(&args).check("take", 0, 0, &[])?;
    let payload = {
        let mut a = r.answer.lock();
        match std::mem::replace(&mut *a, Answer::Settled) {
            Answer::Came(p) => p,
            Answer::Pending => {
                *a = Answer::Pending;
                return Ok(Value::None);
            }
            Answer::Settled => return Ok(Value::None),
        }
    };
    match wire::loads(vm, &payload) {
        Ok(v) => Ok(v),
        Err(e) => {
            let mut a = r.answer.lock();
            if matches!(*a, Answer::Settled) {
                *a = Answer::Came(payload);
            }
            Err(e)
        }
    }
}

/// `set()`: settled without an answer (one that comes later is dropped); wakes the waiters.
fn set(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    this(&args)?.settle(Answer::Settled);
    Ok(Value::None)
}

/// `is_set()`: has the answer come (or the reply been settled)?
fn is_set(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Bool(this(&args)?.is_set()))
}

/// `wait(timeout=None)`: waits, with the GIL released, until `is_set()`; returns it.
fn wait(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let r = this(&args)?;
    let rest = method_args(&args);
    rest.check("wait", 0, 1, &["timeout"])?;
    if r.is_set() {
        return Ok(Value::Bool(true));
    }
    let deadline = timeout_arg(rest.get(0, "timeout"))?.map(|t| Instant::now() + t);
    let probe: Arc<dyn Waitable> = Arc::new(Probe(args.pos[0].clone()));
    let id = r as *const Reply as usize as u64;
    let set = blocking(
        vm,
        "pool.reply",
        id,
        Wait::new(deadline, Some(probe)),
        |cancel| {
            let mut a = r.answer.lock();
            wait_until(&r.changed, &mut a, deadline, cancel, |a| {
                !matches!(a, Answer::Pending)
            })
        },
    )?;
    Ok(Value::Bool(set))
}

/// A waiter's view of its reply for the deadlock watchdog: busy until answered.
struct Probe(Value);

impl Waitable for Probe {
    fn holding(&self) -> Holding {
        match self.0.downcast::<Reply>() {
            Some(r) if r.is_set() => Holding::Free,
            _ => Holding::Busy,
        }
    }

    fn describe(&self) -> String {
        "a pool task's reply".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_settlement_wins() {
        let r = Reply::new();
        assert!(!r.is_set());
        r.settle(Answer::Settled);
        r.settle(Answer::Came(Payload {
            bytes: vec![1],
            handles: vec![],
        }));
        assert!(r.is_set());
        assert!(matches!(*r.answer.lock(), Answer::Settled));
    }
}
