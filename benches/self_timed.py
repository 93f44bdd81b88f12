"""What the compare_*.py scripts share: running a self-timing script and showing its figures.

Each script under benches/workloads/ that times itself prints, on its last line, integers
(nanoseconds, then counts); `last_line_ints` runs one and returns them.
"""

import os
import subprocess


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
