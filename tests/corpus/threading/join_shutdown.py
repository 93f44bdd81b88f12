# join(timeout) on a running thread, is_alive across it, and interpreter exit waiting for non-daemon threads but not daemon ones.
import threading
import time

release = threading.Event()


def blocked():
    release.wait(5)


t = threading.Thread(target=blocked, name="blocked")
t.start()
r = t.join(timeout=0.02)
print("join(timeout) returned", r, "alive:", t.is_alive())
t.join(0)
print("join(0) alive:", t.is_alive())
release.set()
t.join()
print("after real join alive:", t.is_alive())

# A daemon thread stuck forever does not keep the process alive.
forever = threading.Event()
d = threading.Thread(target=forever.wait, daemon=True, name="stuck-daemon")
d.start()
print("daemon alive:", d.is_alive(), d.daemon)

# A non-daemon thread that is never joined still finishes before the process exits.
log = []


def finisher():
    time.sleep(0.05)
    print("non-daemon thread finished; main had printed:", log)


n = threading.Thread(target=finisher, name="finisher")
n.start()
log.append("main done")
print("main done, threads:", sorted([th.name for th in threading.enumerate()]))
