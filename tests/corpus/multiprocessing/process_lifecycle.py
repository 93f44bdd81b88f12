# Process objects: names, exit codes, is_alive, terminate, daemon, errors of misuse.
# corpus: err_last
import multiprocessing as mp
import sys
import time


def quiet():
    pass


def exit_with(code):
    sys.exit(code)


def raise_it():
    raise ValueError("from the child")


def spin():
    while True:
        pass


def whoami(q):
    p = mp.current_process()
    q.put((p.name, p.daemon, mp.parent_process().name, mp.parent_process().pid == q_parent_pid()))


def q_parent_pid():
    import os
    return os.getppid()


class Worker(mp.Process):
    def __init__(self, q, n):
        super().__init__()
        self.q = q
        self.n = n

    def run(self):
        self.q.put(self.n * 2)


if __name__ == '__main__':
    mp.set_start_method('spawn')
    p = mp.Process(target=quiet)
    print(p.name, p.exitcode, p.is_alive(), p.daemon, p.pid)
    p.start()
    p.join()
    print(p.exitcode, p.is_alive())

    for code in (0, 3, None, "message"):
        p = mp.Process(target=exit_with, args=(code,))
        p.start()
        p.join()
        print("exit", repr(code), "->", p.exitcode)

    p = mp.Process(target=raise_it, name="Raiser")
    p.start()
    p.join()
    print("raised ->", p.exitcode)

    p = mp.Process(target=spin, daemon=True)
    p.start()
    time.sleep(0.2)
    print("alive", p.is_alive())
    p.terminate()
    p.join()
    print("terminate ->", p.exitcode, p.is_alive())

    q = mp.Queue()
    p = mp.Process(target=whoami, args=(q,), name="Named")
    p.start()
    print(q.get())
    p.join()

    w = Worker(q, 21)
    w.start()
    print(q.get())
    w.join()

    print(mp.current_process().name, mp.parent_process())
    p = mp.Process(target=quiet)
    try:
        p.join()
    except AssertionError as e:
        print("AssertionError:", e)
    p.start()
    try:
        p.start()
    except AssertionError as e:
        print("AssertionError:", e)
    p.join()
    p.close()
    try:
        p.is_alive()
    except ValueError as e:
        print("ValueError:", e)
    print(len(mp.active_children()))
