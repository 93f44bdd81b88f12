#!/usr/bin/env python3
"""Compare gilsim against CPython on the workloads in benches/workloads/.

For each workload, runs `gilsim run W` and `python3 W` alternately --runs
times, timing each subprocess with time.perf_counter, checks that both
interpreters print identical output, and prints a table of median wall
times plus the geometric mean of the gilsim/CPython ratios.

This is a measurement, not a test: it exits 0 even when gilsim is slower.
It exits 1 if any workload's outputs differ (or a run fails), 2 on usage
errors (e.g. the gilsim binary is missing).

Usage:
    python3 benches/compare.py [--runs N] [--gilsim PATH] [--filter SUBSTR]
                               [--python PATH] [--python-arg ARG]...
"""

import argparse
import math
import os
import statistics
import subprocess
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)
WORKLOAD_DIR = os.path.join(BENCH_DIR, "workloads")


def run_once(cmd):
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True)
    elapsed = time.perf_counter() - start
    return elapsed, proc


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5,
                        help="runs per interpreter per workload (default 5)")
    parser.add_argument("--gilsim",
                        default=os.path.join(REPO_ROOT, "target", "release", "gilsim"),
                        help="path to the gilsim binary (default target/release/gilsim)")
    parser.add_argument("--python", default=sys.executable or "python3",
                        help="CPython interpreter to compare against (default: this one)")
    parser.add_argument("--python-arg", action="append", default=[], metavar="ARG",
                        help="extra argument for CPython, repeatable (e.g. --python-arg=-S "
                             "to skip site imports and measure without their startup cost)")
    parser.add_argument("--filter", default="",
                        help="only run workloads whose file name contains this substring")
    args = parser.parse_args()

    if args.runs < 1:
        parser.error("--runs must be >= 1")
    if not os.path.isfile(args.gilsim):
        print(f"gilsim binary not found: {args.gilsim} (run `cargo build --release`)",
              file=sys.stderr)
        return 2

    workloads = sorted(
        f for f in os.listdir(WORKLOAD_DIR)
        if f.endswith(".py") and args.filter in f
    )
    if not workloads:
        print(f"no workloads match filter {args.filter!r}", file=sys.stderr)
        return 2

    rows = []
    failures = []
    for name in workloads:
        path = os.path.join(WORKLOAD_DIR, name)
        cpy_cmd = [args.python, *args.python_arg, path]
        gil_cmd = [args.gilsim, "run", path]
        cpy_times, gil_times = [], []
        ok = True
        for _ in range(args.runs):
            # Alternate the two interpreters so drifting machine load affects
            # both roughly equally.
            ct, cproc = run_once(cpy_cmd)
            gt, gproc = run_once(gil_cmd)
            cpy_times.append(ct)
            gil_times.append(gt)
            if cproc.returncode != 0 or gproc.returncode != 0:
                failures.append(
                    f"{name}: exit codes python={cproc.returncode} gilsim={gproc.returncode}\n"
                    f"  python stderr: {cproc.stderr.decode(errors='replace').strip()[-500:]}\n"
                    f"  gilsim stderr: {gproc.stderr.decode(errors='replace').strip()[-500:]}")
                ok = False
                break
            if cproc.stdout != gproc.stdout:
                failures.append(
                    f"{name}: outputs differ\n"
                    f"  python: {cproc.stdout.decode(errors='replace').strip()[:500]}\n"
                    f"  gilsim: {gproc.stdout.decode(errors='replace').strip()[:500]}")
                ok = False
                break
        if ok:
            cmed = statistics.median(cpy_times)
            gmed = statistics.median(gil_times)
            rows.append((name[:-3], cmed, gmed, gmed / cmed))
        else:
            rows.append((name[:-3], None, None, None))
        # Print progress on stderr so the table on stdout stays clean.
        print(f"  done {name}", file=sys.stderr, flush=True)
    sys.stderr.flush()

    header = f"{'workload':<16} {'CPython (s)':>12} {'gilsim (s)':>12} {'gilsim/CPython':>15}"
    python_desc = " ".join([args.python, *args.python_arg])
    print(f"runs per interpreter: {args.runs}; python: {python_desc}; gilsim: {args.gilsim}")
    print(header)
    print("-" * len(header))
    ratios = []
    for name, cmed, gmed, ratio in rows:
        if ratio is None:
            print(f"{name:<16} {'FAILED':>12} {'FAILED':>12} {'-':>15}")
            continue
        ratios.append(ratio)
        print(f"{name:<16} {cmed:>12.3f} {gmed:>12.3f} {ratio:>15.2f}")
    print("-" * len(header))
    if ratios:
        geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        print(f"{'geomean':<16} {'':>12} {'':>12} {geo:>15.2f}")

    if failures:
        print("\nFAILURES:", file=sys.stderr)
        for f in failures:
            print(f, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
