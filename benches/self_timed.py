"""What the compare_*.py scripts share: running a self-timing script and showing its figures.

Each script under benches/workloads/ that times itself prints, on its last line, integers
(nanoseconds, then counts); `last_line_ints` runs one and returns them.
"""

import os
import subprocess
import sys

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)


def add_common_arguments(parser):
    """--runs, --gilsim and --python, as every compare_*.py script takes them."""
    parser.add_argument("--runs", type=int, default=5,
                        help="rounds per measurement, medians taken (default 5)")
    parser.add_argument("--gilsim",
                        default=os.path.join(REPO_ROOT, "target", "release", "gilsim"),
                        help="path to the gilsim binary (default target/release/gilsim)")
    parser.add_argument("--python", default=sys.executable or "python3",
                        help="CPython interpreter to compare against (default: this one)")


class RunFailed(Exception):
    pass


def last_line_ints(cmd, timeout=None):
    """Runs `cmd` and returns the integers of its last line of output."""
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RunFailed(f"{' '.join(cmd)}: still running after {timeout} s") from None
    lines = proc.stdout.strip().splitlines()
    try:
        fields = [int(x) for x in lines[-1].split()] if lines else []
    except ValueError:
        fields = []
    if proc.returncode != 0 or not fields:
        raise RunFailed(f"{' '.join(cmd)}: exit {proc.returncode}\n"
                        f"  stdout: {proc.stdout.strip()[-300:]}\n"
                        f"  stderr: {proc.stderr.strip()[-500:]}")
    return fields


def show(seconds):
    """A duration in us below a millisecond, else in ms."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} us"
    return f"{seconds * 1e3:.2f} ms"


def loadavg():
    try:
        return "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "?"
