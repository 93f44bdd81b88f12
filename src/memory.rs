//! How much heap the process uses, and the checks that turn a request too big for it into
//! Python's `MemoryError` instead of an abort.
//!
//! Rust aborts the process when an allocation fails, so "fail cleanly" has to be decided before
//! allocating. [`CountingAlloc`], the process's global allocator, delegates every call to the
//! system allocator and keeps a count of the bytes live. The places that build big values
//! (sequence repetition, list and dict growth, big-int arithmetic, string joins and padding,
//! frames) ask [`reserve`] first: a request that would take the live total past the limit is a
//! `MemoryError`. The limit is `--max-memory` ([`set_limit`]) when given, else the memory the
//! machine had available (plus free swap) when first asked: a request beyond that would at
//! best push the machine into swapping or the OOM killer, and at worst make the system
//! allocator return null, on which Rust aborts.
//!
//! Small allocations are not checked one by one: a run may pass its limit by the small
//! objects made between two checked sites, never by a big value.
//!
//! The count is kept only once a limit is set: one shared counter updated by every allocation
//! of every thread would make threads on different cores contend for its cache line (the
//! no-GIL policy and the process mode exist to show threads *not* contending). Without a
//! limit, a request is checked against the machine's memory alone. Blocks allocated before
//! the count began are subtracted when freed, so the count may read low, never high.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicUsize, Ordering};

use crate::vm::{ExcKind, PyErr, PyResult};

/// Bytes allocated through [`CountingAlloc`] since counting began, less those freed (which may
/// include blocks allocated before: hence signed).
static LIVE: AtomicIsize = AtomicIsize::new(0);
/// Is [`LIVE`] kept? Set with the first limit.
static COUNTING: AtomicBool = AtomicBool::new(false);

/// Adds `delta` bytes to the count, if it is kept.
#[inline(always)]
fn count(delta: isize) {
    if COUNTING.load(Ordering::Relaxed) {
        LIVE.fetch_add(delta, Ordering::Relaxed);
    }
}
/// `--max-memory`, in bytes; `usize::MAX` when not set.
static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);

/// The global allocator: the system allocator, counting live bytes.
pub struct CountingAlloc;

// SAFETY: every method forwards its arguments unchanged to `System`, which implements
// `GlobalAlloc` soundly, and returns `System`'s result unchanged; so each upholds exactly the
// contract `System` does (the pointer, layout and size requirements the caller promised are
// passed through as they are). The only other thing done is arithmetic on an atomic counter,
// which neither allocates nor unwinds (a relaxed load and `fetch_add` cannot panic; the add
// wraps rather than overflows), as a global allocator must not. `realloc` counts the change only when `System` succeeded, when
// the old block of `layout.size()` bytes was replaced by one of `new_size` bytes.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's guarantees for `alloc` are passed on unchanged.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's guarantees for `alloc_zeroed` are passed on unchanged.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by this allocator, that is by `System`, with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        count(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` was allocated by `System` with `layout`; the caller's guarantees on
        // `new_size` are passed on unchanged.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as isize - layout.size() as isize);
        }
        p
    }
}

/// Bytes allocated and not yet freed, by the whole process, since a limit was set (0 before).
pub fn live_bytes() -> usize {
    LIVE.load(Ordering::Relaxed).max(0) as usize
}

/// Sets the heap limit (`--max-memory`); `None` goes back to the machine's memory. The limit
/// is per process: every interpreter in it shares it, as they share the heap.
pub fn set_limit(bytes: Option<usize>) {
    if bytes.is_some() {
        COUNTING.store(true, Ordering::Relaxed);
    }
    LIMIT.store(bytes.unwrap_or(usize::MAX), Ordering::Relaxed);
}

/// The limit requests are checked against: `--max-memory`, or else the machine's available
/// memory.
pub fn limit() -> usize {
    match LIMIT.load(Ordering::Relaxed) {
        usize::MAX => machine_memory(),
        n => n,
    }
}

/// This process's heap use plus the memory available and the free swap, when first asked
/// (Linux: `/proc/meminfo`); elsewhere, or unreadable, the most any allocation may ask for
/// (`isize::MAX`).
fn machine_memory() -> usize {
    static MEMORY: OnceLock<usize> = OnceLock::new();
    *MEMORY.get_or_init(|| {
        let Ok(info) = std::fs::read_to_string("/proc/meminfo") else {
            return isize::MAX as usize;
        };
        let kib = |key: &str| -> Option<usize> {
            let line = info.lines().find(|l| l.starts_with(key))?;
            line[key.len()..]
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .ok()
        };
        match (kib("MemAvailable:"), kib("SwapFree:")) {
            (Some(mem), swap) => (mem + swap.unwrap_or(0))
                .saturating_mul(1024)
                .saturating_add(live_bytes()),
            _ => isize::MAX as usize,
        }
    })
}

/// Can `bytes` more be allocated within the limit? `MemoryError` if not.
#[inline]
pub fn reserve(bytes: usize) -> PyResult<()> {
    if bytes <= limit().saturating_sub(live_bytes()) {
        Ok(())
    } else {
        Err(memory_error())
    }
}

/// [`reserve`] for `count` items of `size` bytes each (an overflowing product is refused).
#[inline]
pub fn reserve_items(count: usize, size: usize) -> PyResult<()> {
    reserve(count.checked_mul(size).ok_or_else(memory_error)?)
}

/// Before pushing onto a vector of `T`: when the push would make it grow, checks that the
/// grown buffer fits (a `Vec` doubles, so the check runs once per doubling).
#[inline]
pub fn reserve_push<T>(v: &Vec<T>) -> PyResult<()> {
    if v.len() == v.capacity() {
        reserve_items(v.capacity().max(4), std::mem::size_of::<T>())?;
    }
    Ok(())
}

/// Python's `MemoryError`, as CPython raises it: no message.
pub fn memory_error() -> PyErr {
    PyErr::new(ExcKind::MemoryError, "")
}

/// Parses a size such as `512M`, `2G`, `1.5GiB`, `100000` (bytes): the `--max-memory` value.
/// Suffixes K, M, G, T (with an optional `B`, `iB`) are powers of 1024.
pub fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let num: f64 = num
        .parse()
        .map_err(|_| format!("invalid size '{text}': expected a number such as 512M or 2G"))?;
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        other => {
            return Err(format!(
                "invalid size unit '{other}' in '{text}' (use K, M, G or T)"
            ));
        }
    };
    let bytes = num * (1u64 << shift) as f64;
    if !(bytes >= 1.0 && bytes < usize::MAX as f64) {
        return Err(format!("invalid size '{text}': must be at least 1 byte"));
    }
    Ok(bytes as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The counter follows allocations through the global allocator: this exercises the
    /// `unsafe` impl (alloc, realloc both ways, dealloc) and checks its arithmetic.
    #[test]
    fn live_bytes_follow_an_allocation() {
        // Other tests allocate on other threads meanwhile, so allow slack around the figures.
        COUNTING.store(true, Ordering::Relaxed);
        let before = live_bytes();
        let mut v: Vec<u8> = Vec::with_capacity(64 << 20);
        v.push(1);
        assert!(
            live_bytes() >= before + (60 << 20),
            "{} {}",
            before,
            live_bytes()
        );
        v.reserve_exact(128 << 20);
        assert!(live_bytes() >= before + (120 << 20));
        v.shrink_to_fit();
        drop(v);
        assert!(live_bytes() < before + (32 << 20));
        let z = vec![0u8; 48 << 20];
        assert!(live_bytes() >= before + (40 << 20));
        drop(z);
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("12X").is_err());
        assert!(parse_size("M").is_err());
        assert!(parse_size("0").is_err());
    }

    #[test]
    fn requests_beyond_the_machine_are_refused() {
        assert!(reserve(usize::MAX).is_err());
        assert!(reserve_items(1 << 40, 1 << 30).is_err());
        assert!(reserve(1024).is_ok());
    }
}
