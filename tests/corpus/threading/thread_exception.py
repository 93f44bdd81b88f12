# Uncaught exceptions in threads: reported on stderr, thread ends, main goes on and exits 0; SystemExit is silent; custom excepthook.
# corpus: err_last
import threading

hooked = []


def custom_hook(args):
    hooked.append((args.exc_type.__name__, str(args.exc_value), args.thread.name))


def fail_key():
    raise KeyError("k")


original = threading.excepthook
threading.excepthook = custom_hook
t = threading.Thread(target=fail_key, name="hooked-thread")
t.start()
t.join()
threading.excepthook = original
print("custom hook saw:", hooked)


def quiet_exit():
    raise SystemExit(3)


t = threading.Thread(target=quiet_exit, name="exiter")
t.start()
t.join()
print("SystemExit in thread: alive =", t.is_alive())

state = []


def bad(n):
    state.append("before")
    raise ValueError(f"bad value {n}")


class Crasher(threading.Thread):
    def run(self):
        state.append("crasher")
        return 1 // 0


c = Crasher(name="crasher")
c.start()
c.join()
print("after crasher:", c.is_alive(), state)

t = threading.Thread(target=bad, args=(42,), name="bad-worker")
t.start()
t.join()
print("main continues:", t.is_alive(), state, threading.active_count())
