//! `_futures`: the native half of `concurrent.futures` (Python, in
//! `python/concurrent/futures/`): the [`future::Future`] every executor hands out, and the
//! `ThreadPoolExecutor`'s [`work::WorkQueue`], whose `submit` and `run_next` are a task's
//! whole path through the executor. Written natively because a task's cost was a few dozen
//! Python calls (a `Future` with its `Condition`, a work item, an idle semaphore); it is now a
//! handful of native ones (see `benches/README.md`).

use std::sync::{Arc, OnceLock};

use super::native_class;
use crate::vm::errors::PyResult;
use crate::vm::objects::*;
use crate::vm::{Value, Vm};

pub mod future;
pub mod work;

pub fn init(_vm: &mut Vm, m: &Arc<Module>) -> PyResult<()> {
    m.set("Future", Value::Class(future_class().clone()));
    m.set("WorkQueue", Value::Class(work::work_queue_class().clone()));
    Ok(())
}

/// The class of futures: `concurrent.futures.Future` (and `_base.Future`), so it names that
/// module as its own.
pub fn future_class() -> &'static Arc<Class> {
    static CLASS: OnceLock<Arc<Class>> = OnceLock::new();
    CLASS.get_or_init(|| native_class("Future", "concurrent.futures._base", future::METHODS))
}
