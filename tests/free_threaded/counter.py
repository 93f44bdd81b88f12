# `counter += 1` from 4 threads, N times each, with or without a threading.Lock
# (tests/free_threaded.rs).
import sys
import threading

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
use_lock = len(sys.argv) > 2 and sys.argv[2] == "lock"
counter = 0
lock = threading.Lock()

def bump():
    global counter
    for _ in range(N):
        counter += 1

def bump_locked():
    global counter
    for _ in range(N):
        with lock:
            counter += 1

ts = [threading.Thread(target=bump_locked if use_lock else bump) for _ in range(4)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("counter", counter)
print("lost", 4 * N - counter)
