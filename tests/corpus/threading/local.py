# threading.local: per-thread attribute values, missing attributes, hasattr/getattr default, del, subclass __init__ rerun per thread.
import threading

data = threading.local()
data.x = "main"
data.items = [1]
seen = {}


def lookup(obj, name):
    try:
        return getattr(obj, name)
    except AttributeError as e:
        return "AttributeError: " + str(e)


def worker(i):
    before = lookup(data, "x")
    data.x = f"worker-{i}"
    data.items = [i] * i
    seen[i] = (before, data.x, data.items)


ts = [threading.Thread(target=worker, args=(i,)) for i in range(1, 4)]
for t in ts:
    t.start()
for t in ts:
    t.join()
for k in sorted(seen):
    print(seen[k])
print("main keeps:", data.x, data.items)
print(lookup(data, "missing"))

# Two local objects are independent of each other.
a = threading.local()
b = threading.local()
a.v = 1
b.v = 2
print(a.v, b.v)

# hasattr / getattr with a default.
probe = []


def probe_worker():
    try:
        probe.append((hasattr(data, "x"), getattr(data, "x", "default")))
    except AttributeError as e:
        probe.append("AttributeError escaped: " + str(e))


t = threading.Thread(target=probe_worker)
t.start()
t.join()
try:
    print("main:", hasattr(data, "x"), hasattr(data, "nope"), getattr(data, "nope", "default"))
except AttributeError as e:
    print("AttributeError escaped:", e)
print("worker:", probe)

# del
try:
    del data.items
    print("deleted:", lookup(data, "items"), data.x)
except AttributeError as e:
    print("del failed: AttributeError:", e)


class Ctx(threading.local):
    created = 0

    def __init__(self, start):
        Ctx.created += 1
        self.value = start
        self.log = []

    def push(self, item):
        self.log.append(item)
        return len(self.log)


ctx = Ctx(10)
ctx.push("m")
per_thread = {}


def use_ctx(i):
    try:
        v = ctx.value
        ctx.value += i
        n = ctx.push(i)
        per_thread[i] = (v, ctx.value, n)
    except AttributeError as e:
        per_thread[i] = "AttributeError: " + str(e)


ts = [threading.Thread(target=use_ctx, args=(i,)) for i in range(3)]
for t in ts:
    t.start()
    t.join()
for k in sorted(per_thread):
    print(k, per_thread[k])
print("main ctx:", ctx.value, ctx.log, "inits:", Ctx.created)
