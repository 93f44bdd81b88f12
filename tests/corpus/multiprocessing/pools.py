# Pool: map/starmap/imap/imap_unordered/apply/apply_async/map_async, chunking, callbacks,
# initializer, maxtasksperchild, errors; ThreadPool runs lambdas.
import multiprocessing as mp
from multiprocessing.pool import ThreadPool
import os
import time

_greeting = None


def init(greeting):
    global _greeting
    _greeting = greeting


def greet(name):
    return f"{_greeting}, {name}"


def sq(x):
    return x * x


def slow_sq(x):
    time.sleep(0.01 * (5 - x))
    return x * x


def pid_of(_):
    time.sleep(0.01)
    return os.getpid()


def fails(x):
    if x == 2:
        raise KeyError(x)
    return x


if __name__ == "__main__":
    mp.set_start_method("spawn")
    with mp.Pool(2, initializer=init, initargs=("hi",)) as pool:
        print(pool.map(greet, ["ann", "bob"]))
        print(pool.map(sq, range(20), chunksize=3))
        print(pool.map(sq, []))
        print(pool.starmap(divmod, [(7, 2), (9, 4)]))
        print(list(pool.imap(slow_sq, range(5))))
        print(sorted(pool.imap_unordered(slow_sq, range(5), chunksize=2)))
        print(pool.apply(sq, (9,)))
        got = []
        r = pool.apply_async(sq, (4,), callback=got.append)
        r.wait()
        time.sleep(0.05)
        print(r.ready(), r.successful(), r.get(), got)
        r = pool.map_async(sq, [1, 2, 3], callback=got.append)
        print(r.get(timeout=5))
        errors = []
        r = pool.apply_async(fails, (2,), error_callback=errors.append)
        try:
            r.get()
        except KeyError as e:
            print("KeyError", e)
        time.sleep(0.05)
        print(r.successful(), [type(e).__name__ for e in errors])
        r = pool.apply_async(time.sleep, (0.5,))
        try:
            r.get(timeout=0.01)
        except mp.TimeoutError:
            print("TimeoutError", r.ready())
        try:
            r.successful()
        except ValueError:
            print("not ready")
        it = pool.imap(fails, range(4))
        print(next(it), next(it))
        try:
            next(it)
        except KeyError as e:
            print("KeyError from imap", e)

    pool = mp.Pool(2, maxtasksperchild=1)
    pids = pool.map(pid_of, range(4), chunksize=1)
    print(len(set(pids)) >= 3)
    pool.close()
    pool.join()
    try:
        pool.map(sq, [1])
    except ValueError as e:
        print("ValueError:", e)
    p2 = mp.Pool(1)
    try:
        p2.join()
    except ValueError as e:
        print("ValueError:", e)
    p2.terminate()
    try:
        mp.Pool(0)
    except ValueError as e:
        print("ValueError:", e)

    with ThreadPool(3) as tp:
        print(tp.map(lambda x: x + 1, range(5)))
        print(tp.apply(lambda: "lambda ok"))
    from multiprocessing.dummy import Pool as DummyPool
    with DummyPool(2) as dp:
        print(sorted(dp.imap_unordered(sq, range(6))))
