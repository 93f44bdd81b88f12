# F7: the GIL does not make read-modify-write atomic.
# 4 threads x N updates at switch interval 0.1 ms. `counter += 1` keeps every update (the switch
# lands at the loop's back edge, after the store); `counter = counter + one()` loses some (the
# call's entry is a switch point between the load and the store). As CPython 3.11.
import sys
import threading

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
sys.setswitchinterval(0.0001)
counter = 0


def one():
    return 1


def plain():
    global counter
    for _ in range(N):
        counter += 1


def with_call():
    global counter
    for _ in range(N):
        counter = counter + one()


for worker in (plain, with_call):
    counter = 0
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"{worker.__name__}: {counter} of {4 * N} ({4 * N - counter} lost)")
