# Pool results without callbacks (apply, apply_async().get()), which the workers answer straight
# to the caller: ready/successful/wait/get(timeout) before and after the answer, exceptions with
# the worker's traceback as their cause, one result object however many threads get() it,
# results nobody asks for, and callbacks still run for the others.
import multiprocessing as mp
import threading
import time


def sq(x):
    return x * x


def boxed(x):
    return [x]


def fails(x):
    raise ValueError(f"bad {x}")


def nap(seconds):
    time.sleep(seconds)
    return seconds


if __name__ == "__main__":
    with mp.Pool(2) as pool:
        print(pool.apply(sq, (7,)), pool.apply(sq, kwds={"x": 3}))
        r = pool.apply_async(nap, (0.3,))
        print("ready at once:", r.ready())
        try:
            r.successful()
        except ValueError:
            print("successful() before the answer: ValueError")
        r.wait(0.01)
        try:
            r.get(timeout=0.01)
        except mp.TimeoutError:
            print("get(timeout) before the answer: TimeoutError")
        print(r.get(), r.ready(), r.successful())
        r.wait()
        print("get again:", r.get())

        r = pool.apply_async(fails, (5,))
        r.wait()
        print("failed:", r.ready(), r.successful())
        for _ in range(2):
            try:
                r.get()
            except ValueError as e:
                print("raised:", repr(e), type(e.__cause__).__name__, "Traceback" in str(e.__cause__))

        # Many threads get() one result: all of them the same object.
        r = pool.apply_async(boxed, (1,))
        got = []
        threads = [threading.Thread(target=lambda: got.append(r.get())) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print("one object:", len(got), all(g is got[0] for g in got), got[0])

        # Results nobody asks for until later.
        pending = [pool.apply_async(sq, (i,)) for i in range(3000)]
        time.sleep(0.1)
        print("late gets:", sum(p.get() for p in pending) == sum(i * i for i in range(3000)))

        # With callbacks, results come through the pool's result handler, as in CPython.
        seen = []
        done = threading.Event()

        def record(value):
            seen.append((value, threading.current_thread() is threading.main_thread()))
            done.set()

        pool.apply_async(sq, (6,), callback=record)
        done.wait(10)
        print("callback:", seen)
        errors = []
        r = pool.apply_async(fails, (1,), error_callback=errors.append)
        try:
            r.get()
        except ValueError:
            pass
        time.sleep(0.05)
        print("error_callback:", [repr(e) for e in errors])
