#!/usr/bin/env python3
"""Compare gilsim's process mode against CPython's multiprocessing, side by side.

Runs, in the same run and alternating round by round:
  * process start + join (benches/workloads/processes/start_join.py): gilsim (interp and os
    backends) and CPython with each start method (fork, forkserver, spawn);
  * the pool round trip Pool(2).apply_async(f, (x,)).get()
    (benches/workloads/processes/apply_async.py): gilsim (both backends) and CPython (default
    start method);
  * ThreadPoolExecutor(4) per-task overhead, submit then result()
    (benches/workloads/processes/executor_task.py): gilsim and CPython;
  * as a control for machine load, F8's process pool speed-up, 8 x count(n) via Pool(2).map
    vs a list comprehension (benches/workloads/processes/f8_map.py), on both.

With --baseline PATH, a second gilsim binary (e.g. one built from an older commit) runs every
gilsim variant too, in the same rotation: a before/after measured under the same load. --only
restricts the run to some of the measurements (e.g. `--only trip,task`).

Each script times its own loop with time.perf_counter_ns (interpreter start-up and the first,
untimed round are not counted). Prints the median per operation of --runs rounds and the
ratios, with the load average before and after: on a shared 2-core machine, compare ratios
measured together, not numbers from different runs.

This is a measurement, not a test: it exits 0 even when gilsim is slower; 1 if a run fails;
2 if the gilsim binary is missing.

Usage:
    python3 benches/compare_processes.py [--runs N] [--gilsim PATH] [--python PATH]
                                         [--baseline PATH] [--only start,trip,task,f8]
                                         [--starts N] [--round-trips N] [--f8-size N]
"""

import argparse
import os
import statistics
import sys

from self_timed import (BENCH_DIR, RunFailed, add_common_arguments, last_line_ints, loadavg,
                        show)

SCRIPTS = os.path.join(BENCH_DIR, "workloads", "processes")
START_METHODS = ["fork", "forkserver", "spawn"]


run = last_line_ints


def print_table(med, kind, title, unit, rows):
    """One table of medians per operation, each row as a multiple of the first (gilsim's)."""
    print()
    header = f"{title:<24} {unit:>12} {'vs gilsim':>10}"
    print(header)
    print("-" * len(header))
    g = med[(kind, rows[0][0])]
    for label, _, ops in rows:
        t = med[(kind, label)]
        print(f"{label:<24} {show(t):>12} {t / g:>9.2f}x   ({ops} per run)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--starts", type=int, default=40,
                        help="process start + joins per run (spawn: a quarter, at least 5; "
                             "default 40)")
    parser.add_argument("--round-trips", type=int, default=2000,
                        help="apply_async round trips per run (default 2000)")
    parser.add_argument("--tasks", type=int, default=20000,
                        help="ThreadPoolExecutor tasks per run (default 20000)")
    parser.add_argument("--f8-size", type=int, default=1_000_000,
                        help="count per item in the F8 control, 0 to skip (default 1000000)")
    parser.add_argument("--baseline", metavar="PATH",
                        help="another gilsim binary to run beside --gilsim (a before/after)")
    parser.add_argument("--only", default="start,trip,task,f8",
                        help="comma-separated measurements to run, of start, trip, task, f8 "
                             "(default all)")
    args = parser.parse_args()
    only = set(args.only.split(","))
    if not only <= {"start", "trip", "task", "f8"}:
        parser.error("--only takes start, trip, task and f8")
    if args.runs < 1 or args.starts < 1 or args.round_trips < 1:
        parser.error("--runs, --starts and --round-trips must be >= 1")
    for binary in filter(None, (args.gilsim, args.baseline)):
        if not os.path.isfile(binary):
            print(f"gilsim binary not found: {binary} (run `cargo build --release`)",
                  file=sys.stderr)
            return 2

    start_join = os.path.join(SCRIPTS, "start_join.py")
    apply_async = os.path.join(SCRIPTS, "apply_async.py")
    f8_map = os.path.join(SCRIPTS, "f8_map.py")

    # (label, command, operations per run): seconds per operation = printed ns / operations.
    os_backend = ["--process-backend", "os"]
    starts = [("gilsim interp", [args.gilsim, "run", start_join, str(args.starts)], args.starts),
              ("gilsim os", [args.gilsim, "run", *os_backend, start_join, str(args.starts)],
               args.starts)]
    for method in START_METHODS:
        n = max(5, args.starts // 4) if method == "spawn" else args.starts
        starts.append((f"CPython {method}", [args.python, start_join, str(n), method], n))
    executor = os.path.join(SCRIPTS, "executor_task.py")
    trips = [
        ("gilsim", [args.gilsim, "run", apply_async, str(args.round_trips)], args.round_trips),
        ("gilsim os", [args.gilsim, "run", *os_backend, apply_async, str(args.round_trips)],
         args.round_trips),
        ("CPython", [args.python, apply_async, str(args.round_trips)], args.round_trips),
    ]
    tasks = [
        ("gilsim", [args.gilsim, "run", executor, str(args.tasks)], args.tasks),
        ("CPython", [args.python, executor, str(args.tasks)], args.tasks),
    ]
    if args.baseline:
        # Each gilsim row gets a baseline row after it.
        def with_baseline(rows):
            out = []
            for label, cmd, ops in rows:
                out.append((label, cmd, ops))
                if cmd[0] == args.gilsim:
                    out.append((label.replace("gilsim", "baseline"), [args.baseline, *cmd[1:]],
                                ops))
            return out
        starts, trips, tasks = with_baseline(starts), with_baseline(trips), with_baseline(tasks)
    starts = starts if "start" in only else []
    trips = trips if "trip" in only else []
    tasks = tasks if "task" in only else []
    f8 = []
    if args.f8_size > 0 and "f8" in only:
        f8 = [("gilsim", [args.gilsim, "run", f8_map, "1", "both", str(args.f8_size)]),
              ("CPython", [args.python, f8_map, "1", "both", str(args.f8_size)])]

    load_before = loadavg()
    times = {}
    try:
        for r in range(args.runs):
            # One round runs every variant once; the order rotates so that no variant always
            # follows the same one.
            variants = [("start", *v) for v in starts] + [("trip", *v) for v in trips]
            variants += [("task", *v) for v in tasks]
            variants += [("f8", label, cmd, 1) for label, cmd in f8]
            shift = r % len(variants)
            for kind, label, cmd, ops in variants[shift:] + variants[:shift]:
                out = run(cmd)
                if kind == "f8":
                    value = out[1] / out[0]
                else:
                    value = out[0] / 1e9 / ops
                times.setdefault((kind, label), []).append(value)
            print(f"  round {r + 1}/{args.runs} done (load {loadavg()})", file=sys.stderr,
                  flush=True)
    except RunFailed as e:
        print(f"FAILED: {e}", file=sys.stderr)
        return 1

    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"gilsim: {args.gilsim}; python: {args.python}; {args.runs} runs, medians; "
          f"load average {load_before} before, {loadavg()} after")
    if args.baseline:
        print(f"baseline: {args.baseline}")
    for kind, title, unit, rows in [("start", "process start + join", "per process", starts),
                                     ("trip", "apply_async().get()", "per trip", trips),
                                     ("task", "ThreadPoolExecutor task", "per task", tasks)]:
        if rows:
            print_table(med, kind, title, unit, rows)
    if f8:
        print()
        header = f"{'F8 Pool(2).map / seq':<24} {'ratio':>12}"
        print(header)
        print("-" * len(header))
        for label, _ in f8:
            print(f"{label:<24} {med[('f8', label)]:>12.2f}   (8 x count({args.f8_size}))")
    return 0


if __name__ == "__main__":
    sys.exit(main())
