# Classes: __init__, instance and class attributes, methods, bound methods, dynamic attributes, getattr/setattr.
class Point:
    dims = 2
    created = 0
    def __init__(self, x, y=0):
        self.x = x
        self.y = y
        Point.created += 1
    def norm2(self):
        return self.x * self.x + self.y * self.y
    def moved(self, dx, dy):
        return Point(self.x + dx, self.y + dy)
    def scale(self, k):
        self.x *= k
        self.y *= k
        return self
p = Point(3, 4)
q = Point(1)
print(p.x, p.y, q.x, q.y, p.norm2(), q.norm2())
r = p.moved(1, 1)
print(r.x, r.y, Point.created)
print(p.scale(2).norm2(), p.x, p.y)
print(Point.dims, p.dims, q.dims)
p.dims = 3
print(Point.dims, p.dims, q.dims)
Point.dims = 5
print(Point.dims, p.dims, q.dims)
del p.dims
print(p.dims)
m = q.norm2
q.x = 10
print(m())
print(Point.norm2(q))
p.label = "dynamic"
print(p.label, hasattr(p, "label"), hasattr(q, "label"))
setattr(q, "label", "set via setattr")
print(getattr(q, "label"), getattr(q, "missing", "default"))
print(getattr(p, "x"), getattr(Point, "dims"))
class Counter:
    def __init__(self):
        self.counts = {}
    def add(self, key):
        self.counts[key] = self.counts.get(key, 0) + 1
        return self
    def most(self):
        best = None
        for k in self.counts:
            if best is None or self.counts[k] > self.counts[best]:
                best = k
        return best
c = Counter()
c.add("a").add("b").add("a")
for w in "the cat the dog the end".split():
    c.add(w)
print(c.counts, c.most())
class Empty:
    pass
e = Empty()
e.a = 1
e.b = [e.a]
print(e.a, e.b, isinstance(e, Empty))
print(type(p) is Point, type(e) is Empty, p is not q)
class Stack:
    def __init__(self):
        self._items = []
    def push(self, v):
        self._items.append(v)
    def pop(self):
        return self._items.pop()
    def peek(self):
        return self._items[-1] if self._items else None
    def size(self):
        return len(self._items)
s = Stack()
for v in range(5):
    s.push(v * v)
print(s.pop(), s.pop(), s.peek(), s.size())
try:
    p.nonexistent
except AttributeError as e:
    print("AttributeError:", e)
try:
    Point.nothing
except AttributeError as e:
    print("AttributeError:", e)
print(Point(0, 0).norm2() == 0, Point.created)
