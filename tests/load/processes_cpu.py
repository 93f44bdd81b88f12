# Load test: P processes at once, each running a CPU-bound loop, in rounds. argv: processes,
# loop length, rounds. Every result must arrive and be right, every process must exit 0;
# prints the totals and the memory figures after each round.
import sys
import multiprocessing as mp


def status(field):
    # A field of /proc/self/status in kB (VmRSS, VmHWM), 0 where there is none.
    with open("/proc/self/status") as f:
        for line in f.read().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def spin(i, n):
    acc = 0
    k = 0
    while k < n:
        acc += (k * k + i) % 7
        k += 1
    return acc


def work(i, n, results):
    results.put((i, spin(i, n)))


def one_round(procs, n, want):
    results = mp.Queue()
    ps = [mp.Process(target=work, args=(i, n, results), name=f"cpu-{i}") for i in range(procs)]
    for p in ps:
        p.start()
    got = {}
    for _ in range(procs):
        i, acc = results.get(timeout=600)
        got[i] = acc
    for p in ps:
        p.join()
    wrong = [i for i in range(procs) if got.get(i) != want[i % 7]]
    codes = sorted(set(p.exitcode for p in ps))
    return len(got), wrong, codes, len(mp.active_children())


if __name__ == "__main__":
    procs, n, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    # spin(i, n) depends on i only modulo 7.
    want = [spin(i, n) for i in range(7)]
    print(f"start rss {status('VmRSS')} kB")
    for r in range(rounds):
        count, wrong, codes, children = one_round(procs, n, want)
        ok = count == procs and not wrong and codes == [0] and children == 0
        print(f"round {r}: results {count} wrong {wrong} exitcodes {codes} children {children} ok {ok}")
        print(f"round {r} rss {status('VmRSS')} kB hwm {status('VmHWM')} kB")
