//! The example of README's "Property-testing lock fairness", kept here word for word (from
//! `use` on) so the copy a user takes compiles and passes.

use std::time::Duration;

use gilsim::observe::State;
use gilsim::runtime::Runtime;
use gilsim::workload::{ThreadWork, Workload};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// 16 cases unless `PROPTEST_CASES` says otherwise (a count set in code beats the variable,
/// so read it here); failing seeds go to `tests/proptest-regressions/fairness.txt`.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok());
    ProptestConfig {
        cases: cases.unwrap_or(16),
        max_shrink_iters: 64,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/proptest-regressions/fairness.txt",
        ))),
        ..ProptestConfig::default()
    }
}

fn work() -> impl Strategy<Value = ThreadWork> {
    prop_oneof![
        (1_000u32..200_000).prop_map(|iterations| ThreadWork::Cpu { iterations }),
        (1u32..10, 0u32..3).prop_map(|(sleeps, sleep_ms)| ThreadWork::Io { sleeps, sleep_ms }),
        (1u32..300).prop_map(|n| ThreadWork::LockedUpdates { n }),
        (1u32..200).prop_map(|n| ThreadWork::QueueItems { n }),
    ]
}

proptest! {
    #![proptest_config(config())]

    /// Under the fifo GIL: one holder at a time, nothing lost, no wait longer than a second.
    #[test]
    fn fifo_is_exclusive_fair_and_loses_nothing(
        threads in prop::collection::vec(work(), 1..=8),
        interval_ms in 1u64..=10,
    ) {
        let w = Workload::new(threads);
        let report = Runtime::builder()
            .gil("fifo")
            .unwrap()
            .switch_interval(Duration::from_millis(interval_ms))
            .run_source("workload.py", &w.script());
        prop_assert_eq!(report.exit_code, 0, "{:?}", report);
        w.verify(&report.stdout).map_err(TestCaseError::fail)?;
        prop_assert!(report.overlapping_holds().is_none(), "{:?}", report.overlapping_holds());
        for t in report.threads() {
            for wait in t.spans.iter().filter(|s| s.state == State::Waiting && s.acquired) {
                prop_assert!(
                    wait.duration_ns() < 1_000_000_000,
                    "{} waited {} ms for the GIL",
                    t.name,
                    wait.duration_ns() / 1_000_000
                );
            }
        }
    }
}
