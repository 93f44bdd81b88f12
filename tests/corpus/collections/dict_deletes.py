# Deleting from a dict keeps the order of the rest; a re-inserted key goes to the end;
# emptying a large dict key by key is quick (a hole per delete, compacted as it goes).
d = {i: i * i for i in range(20000)}
for k in list(d):
    if k % 7:
        del d[k]
print(len(d), list(d)[:5], list(d)[-3:])
for k in list(d):
    d.pop(k)
print(len(d), d)

d = dict.fromkeys("abcdef", 0)
del d["b"]
d["b"] = 1
d.setdefault("a", 9)
d.setdefault("z", 2)
print(d, d.popitem(), d)
while d:
    d.popitem()
d["x"] = 1
print(d)

# Interleaved inserts and deletes, as a queue-like dict is used.
window = {}
total = 0
for i in range(10000):
    window[i] = i
    if len(window) > 3:
        total += window.pop(next(iter(window)))
print(sorted(window.items()), total)


class Point:
    def __init__(self, x, y=0):
        self.x = x
        self.y = y


p = Point(1)
p.z = 3
del p.x
p.x = 4
print(p.__dict__, vars(p) if False else "")
