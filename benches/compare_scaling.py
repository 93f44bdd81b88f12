#!/usr/bin/env python3
"""Compare how gilsim's and CPython's thread costs grow from 2 to 1,000 threads.

Runs the scripts of benches/workloads/scaling/ at each thread count, under gilsim and CPython
alternately, round by round:
  * thread_start.py: Thread(target=noop).start() for all N, then every join(), per thread;
  * lock_ring.py: a token passed round a ring of N threads blocked in Lock.acquire(), per
    hand-off;
  * queue_throughput.py: N/2 producers and N/2 consumers through one queue.Queue, per item.

Each script times itself with time.perf_counter_ns (interpreter start-up and the first,
untimed round are not counted) and prints the nanoseconds and the units done. Prints, per
workload and thread count, the median cost per unit of --runs rounds for each interpreter, its
growth from the smallest thread count, and the gilsim/CPython ratio, with the load average
before and after: on a shared 2-core machine, compare figures measured together.

This is a measurement, not a test: it exits 0 even when gilsim is slower; 1 if a run fails;
2 if the gilsim binary is missing.

Usage:
    python3 benches/compare_scaling.py [--runs N] [--gilsim PATH] [--python PATH]
                                       [--threads 2,10,100,1000] [--only NAME]
                                       [--starts N] [--handoffs N] [--items N]
"""

import argparse
import os
import statistics
import sys

from self_timed import (BENCH_DIR, RunFailed, add_common_arguments, last_line_ints, loadavg,
                        show)

SCRIPTS = os.path.join(BENCH_DIR, "workloads", "scaling")


def run(cmd, timeout):
    """Runs one script and returns its seconds per unit (it prints `NANOSECONDS UNITS`)."""
    fields = last_line_ints(cmd, timeout)
    if len(fields) != 2:
        raise RunFailed(f"{' '.join(cmd)}: expected NANOSECONDS UNITS, got {fields}")
    ns, units = fields
    return ns / 1e9 / units


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--threads", default="2,10,100,1000",
                        help="comma-separated thread counts (default 2,10,100,1000; even, "
                             ">= 2)")
    parser.add_argument("--only", choices=["start", "lock", "queue"],
                        help="run one workload only")
    parser.add_argument("--starts", type=int, default=2000,
                        help="threads started per run (at least one round; default 2000)")
    parser.add_argument("--handoffs", type=int, default=10000,
                        help="lock hand-offs per run (at least one lap; default 10000)")
    parser.add_argument("--items", type=int, default=20000,
                        help="queue items per run (default 20000)")
    parser.add_argument("--timeout", type=float, default=300,
                        help="seconds one run may take before it counts as failed "
                             "(default 300)")
    args = parser.parse_args()
    try:
        counts = [int(x) for x in args.threads.split(",")]
    except ValueError:
        parser.error("--threads takes comma-separated integers")
    if args.runs < 1 or min(args.starts, args.handoffs, args.items) < 1:
        parser.error("--runs, --starts, --handoffs and --items must be >= 1")
    if any(t < 2 or t % 2 for t in counts):
        parser.error("thread counts must be even and >= 2 (the queue has N/2 producers)")
    if not os.path.isfile(args.gilsim):
        print(f"gilsim binary not found: {args.gilsim} (run `cargo build --release`)",
              file=sys.stderr)
        return 2

    # (key, title, unit, script, units per run)
    workloads = [
        ("start", "thread start + join", "per thread", "thread_start.py", args.starts),
        ("lock", "Lock hand-off (ring)", "per hand-off", "lock_ring.py", args.handoffs),
        ("queue", "queue.Queue put + get", "per item", "queue_throughput.py", args.items),
    ]
    if args.only:
        workloads = [w for w in workloads if w[0] == args.only]
    interpreters = [("gilsim", [args.gilsim, "run"]), ("CPython", [args.python])]

    load_before = loadavg()
    times = {}
    try:
        for r in range(args.runs):
            # One round runs every (workload, thread count, interpreter) once; the order
            # rotates so that no variant always follows the same one.
            variants = [(key, t, label, [*prefix, os.path.join(SCRIPTS, script), str(t),
                                         str(units)])
                        for key, _, _, script, units in workloads
                        for t in counts
                        for label, prefix in interpreters]
            shift = (r * len(interpreters)) % len(variants)
            if r % 2:
                # Odd rounds also swap which interpreter goes first within a pair.
                variants = [v for pair in zip(variants[1::2], variants[::2]) for v in pair]
            for key, t, label, cmd in variants[shift:] + variants[:shift]:
                times.setdefault((key, t, label), []).append(run(cmd, args.timeout))
            print(f"  round {r + 1}/{args.runs} done (load {loadavg()})", file=sys.stderr,
                  flush=True)
    except RunFailed as e:
        print(f"FAILED: {e}", file=sys.stderr)
        return 1

    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"gilsim: {args.gilsim}; python: {args.python}; {args.runs} runs, medians; "
          f"{os.cpu_count()} CPUs; load average {load_before} before, {loadavg()} after")
    for key, title, unit, _, units in workloads:
        print()
        header = (f"{title:<24} {'gilsim':>11} {'growth':>7} {'CPython':>11} {'growth':>7} "
                  f"{'gilsim/CPython':>15}")
        print(f"{header}   ({unit}; {units} per run)")
        print("-" * len(header))
        g0, p0 = med[(key, counts[0], "gilsim")], med[(key, counts[0], "CPython")]
        for t in counts:
            g, p = med[(key, t, "gilsim")], med[(key, t, "CPython")]
            print(f"{f'{t} threads':<24} {show(g):>11} {g / g0:>6.2f}x {show(p):>11} "
                  f"{p / p0:>6.2f}x {g / p:>14.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
