# Thread: target/args/kwargs/name, run() subclass, default names, start twice, join errors, is_alive, daemon, repr.
import threading

results = []


def work(a, b, scale=1, tag=""):
    results.append((tag, (a + b) * scale))


t = threading.Thread(target=work, args=(2, 3), kwargs={"scale": 10, "tag": "kw"}, name="adder")
print(t.name, t.is_alive(), t.ident is None, t.daemon)
print(repr(t))
t.start()
t.join()
print(t.is_alive(), t.ident is not None, results)


class Squarer(threading.Thread):
    def __init__(self, n):
        super().__init__()
        self.n = n
        self.result = None

    def run(self):
        self.result = self.n * self.n


s = Squarer(7)
print(s.name)
s.start()
s.join()
print(s.result, s.is_alive())


def noop():
    pass


class Box:
    def method(self):
        pass


names = [
    threading.Thread(target=noop).name,
    threading.Thread().name,
    threading.Thread(target=lambda: None).name,
    threading.Thread(target=Box().method).name,
    threading.Thread(target=noop, name="given").name,
    threading.Thread(target=noop, name=42).name,
    threading.Thread(target=noop, name="").name,
]
print(names)

t = threading.Thread(target=noop)
t.start()
try:
    t.start()
except RuntimeError as e:
    print("start twice:", e)
t.join()
try:
    t.start()
except RuntimeError as e:
    print("start after join:", e)

u = threading.Thread(target=noop)
try:
    u.join()
except RuntimeError as e:
    print("join before start:", e)
try:
    threading.current_thread().join()
except RuntimeError as e:
    print("join self:", e)

d = threading.Thread(target=noop, daemon=True)
print(d.daemon, repr(d))
d.daemon = False
print(d.daemon)
d.start()
try:
    d.daemon = True
except RuntimeError as e:
    print("daemon:", e)
d.join()

inherited = []


def spawn_child():
    c = threading.Thread(target=noop)
    inherited.append(c.daemon)
    c.start()
    c.join()


p = threading.Thread(target=spawn_child, daemon=True)
p.start()
p.join()
print("child of daemon is daemon:", inherited)

j = threading.Thread(target=noop)
j.start()
print("join returns", j.join(), j.join(0.01))
