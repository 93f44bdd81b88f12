# Locks, semaphores, events, conditions and barriers shared between processes.
import multiprocessing as mp
import time


def add_many(counter, lock, n):
    for _ in range(n):
        with lock:
            counter.value += 1


def wait_then_report(ev, q, name):
    ev.wait()
    q.put(name)


def at_barrier(b, q):
    q.put(b.wait())


def cond_waiter(cond, ready, q):
    with cond:
        ready.value += 1
        cond.notify_all()
        cond.wait()
        q.put("woken")


if __name__ == "__main__":
    mp.set_start_method("spawn")
    lock = mp.Lock()
    print(lock.acquire(), lock.acquire(False), lock.acquire(timeout=0.01))
    lock.release()
    try:
        lock.release()
    except ValueError as e:
        print("ValueError:", e)

    rl = mp.RLock()
    with rl:
        with rl:
            print("reentered")
    try:
        rl.release()
    except AssertionError as e:
        print("AssertionError:", e)

    s = mp.Semaphore(2)
    print(s.acquire(), s.acquire(), s.acquire(False), s.get_value())
    s.release()
    s.release()
    s.release()
    print(s.get_value())
    bs = mp.BoundedSemaphore(1)
    bs.acquire()
    bs.release()
    try:
        bs.release()
    except ValueError as e:
        print("ValueError:", e)

    counter = mp.Value("i", 0)
    lock = mp.Lock()
    ps = [mp.Process(target=add_many, args=(counter, lock, 500)) for _ in range(3)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    print("counter", counter.value)

    ev = mp.Event()
    q = mp.Queue()
    ps = [mp.Process(target=wait_then_report, args=(ev, q, n)) for n in ("a", "b")]
    for p in ps:
        p.start()
    time.sleep(0.1)
    print("before set", q.empty(), ev.is_set())
    ev.set()
    print(sorted([q.get(), q.get()]))
    for p in ps:
        p.join()
    ev.clear()
    print(ev.is_set(), ev.wait(0.01))

    b = mp.Barrier(3)
    ps = [mp.Process(target=at_barrier, args=(b, q)) for _ in range(2)]
    for p in ps:
        p.start()
    mine = b.wait()
    print("indices", sorted([mine, q.get(), q.get()]), b.parties, b.n_waiting, b.broken)
    for p in ps:
        p.join()
    b2 = mp.Barrier(2, timeout=0.05)
    try:
        b2.wait()
    except Exception as e:
        print(type(e).__name__, b2.broken)

    cond = mp.Condition()
    ready = mp.Value("i", 0)
    ps = [mp.Process(target=cond_waiter, args=(cond, ready, q)) for _ in range(2)]
    for p in ps:
        p.start()
    with cond:
        cond.wait_for(lambda: ready.value == 2, timeout=5)
        cond.notify_all()
    print(q.get(), q.get())
    for p in ps:
        p.join()
    with cond:
        print("timed out:", cond.wait(0.01))
    try:
        cond.notify()
    except AssertionError as e:
        print("AssertionError:", e)
