#!/usr/bin/env python3
"""Compare gilsim against CPython on the workloads in benches/workloads/.

For each workload, runs `gilsim run W` and `python3 W` alternately --runs
times, timing each subprocess with time.perf_counter, checks that both
interpreters print identical output, and prints a table of median wall
times plus the geometric mean of the gilsim/CPython ratios.

This is a measurement, not a test: it exits 0 even when gilsim is slower.
It exits 1 if any workload's outputs differ (or a run fails), 2 on usage
errors (e.g. the gilsim binary is missing).

With --baseline PATH, a second gilsim binary (e.g. one built from an older
commit) runs in the same alternation, and the table adds its ratio to CPython
and the new/baseline ratio: a before/after measured under the same load.

Usage:
    python3 benches/compare.py [--runs N] [--gilsim PATH] [--baseline PATH]
                               [--filter SUBSTR] [--python PATH] [--python-arg ARG]...
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
    parser.add_argument("--baseline", metavar="PATH",
                        help="another gilsim binary to run alternately (a before/after)")
    parser.add_argument("--filter", default="",
                        help="only run workloads whose file name contains this substring")
    args = parser.parse_args()

    if args.runs < 1:
        parser.error("--runs must be >= 1")
    for binary in filter(None, (args.gilsim, args.baseline)):
        if not os.path.isfile(binary):
            print(f"gilsim binary not found: {binary} (run `cargo build --release`)",
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
        cpy_times, gil_times, base_times = [], [], []
        ok = True
        for _ in range(args.runs):
            # Alternate the interpreters so drifting machine load affects
            # them roughly equally.
            ct, cproc = run_once(cpy_cmd)
            gt, gproc = run_once(gil_cmd)
            cpy_times.append(ct)
            gil_times.append(gt)
            if args.baseline:
                bt, bproc = run_once([args.baseline, "run", path])
                base_times.append(bt)
                if bproc.stdout != gproc.stdout:
                    failures.append(f"{name}: the baseline's output differs")
                    ok = False
                    break
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
            bmed = statistics.median(base_times) if base_times else None
            rows.append((name[:-3], cmed, gmed, gmed / cmed, bmed))
        else:
            rows.append((name[:-3], None, None, None, None))
        # Print progress on stderr so the table on stdout stays clean.
        print(f"  done {name}", file=sys.stderr, flush=True)
    sys.stderr.flush()

    header = f"{'workload':<16} {'CPython (s)':>12} {'gilsim (s)':>12} {'gilsim/CPython':>15}"
    if args.baseline:
        header += f" {'baseline/CPython':>17} {'gilsim/baseline':>16}"
    python_desc = " ".join([args.python, *args.python_arg])
    print(f"runs per interpreter: {args.runs}; python: {python_desc}; gilsim: {args.gilsim}")
    print(header)
    print("-" * len(header))
    if args.baseline:
        print(f"baseline: {args.baseline}")
    ratios, base_ratios = [], []
    for name, cmed, gmed, ratio, bmed in rows:
        if ratio is None:
            print(f"{name:<16} {'FAILED':>12} {'FAILED':>12} {'-':>15}")
            continue
        ratios.append(ratio)
        line = f"{name:<16} {cmed:>12.3f} {gmed:>12.3f} {ratio:>15.2f}"
        if bmed is not None:
            base_ratios.append(bmed / cmed)
            line += f" {bmed / cmed:>17.2f} {gmed / bmed:>16.2f}"
        print(line)
    print("-" * len(header))
    geomean = lambda xs: math.exp(sum(math.log(r) for r in xs) / len(xs))
    if ratios:
        line = f"{'geomean':<16} {'':>12} {'':>12} {geomean(ratios):>15.2f}"
        if base_ratios:
            line += f" {geomean(base_ratios):>17.2f}"
        print(line)

    if failures:
        print("\nFAILURES:", file=sys.stderr)
        for f in failures:
            print(f, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
