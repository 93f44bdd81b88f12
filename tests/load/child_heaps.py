# Regression: an ended child interpreter frees its heap. Starts `batch` processes that do
# nothing, joins them, `rounds` times, printing the RSS after each round. (Each child's modules
# used to stay in memory, about 450 kB a child, their functions and globals a cycle.)
import sys
import multiprocessing as mp


def status(field):
    # A field of /proc/self/status in kB (VmRSS, VmHWM), 0 where there is none.
    with open("/proc/self/status") as f:
        for line in f.read().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def noop():
    pass


if __name__ == "__main__":
    batch, rounds = int(sys.argv[1]), int(sys.argv[2])
    for r in range(rounds):
        ps = [mp.Process(target=noop) for _ in range(batch)]
        for p in ps:
            p.start()
        for p in ps:
            p.join()
        codes = sorted(set(p.exitcode for p in ps))
        print(f"round {r} rss {status('VmRSS')} kB exitcodes {codes}")
