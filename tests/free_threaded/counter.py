# `counter += 1` from 4 threads, N times each, with or without a threading.Lock, or
# `slot[0] += 1` on a shared list (argument "item"; tests/free_threaded.rs).
import sys
import threading

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
mode = sys.argv[2] if len(sys.argv) > 2 else "plain"
counter = 0
slot = [0]
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

def bump_item():
    s = slot
    for _ in range(N):
        s[0] += 1

work = {"plain": bump, "lock": bump_locked, "item": bump_item}[mode]
ts = [threading.Thread(target=work) for _ in range(4)]
for t in ts:
    t.start()
for t in ts:
    t.join()
counter += slot[0]
print("counter", counter)
print("lost", 4 * N - counter)
