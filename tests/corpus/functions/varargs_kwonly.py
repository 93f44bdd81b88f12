# *args, **kwargs, keyword-only parameters, and call-site unpacking with * and **.
def show(*args, **kwargs):
    print("args", args, "kwargs", kwargs)
show()
show(1, 2)
show(a=1, b=2)
show(1, "x", key=None)
show(*[1, 2, 3], *"ab")
show(**{"z": 26, "y": 25}, x=24)
def total(first, *rest):
    s = first
    for r in rest:
        s += r
    return s
print(total(1), total(1, 2, 3), total(*range(10)))
def kw_only(a, *, b, c=3):
    return (a, b, c)
print(kw_only(1, b=2), kw_only(1, c=0, b=2), kw_only(a=1, b=2))
def mixed(a, b=2, *args, c, d=4, **kw):
    return "a=%r b=%r args=%r c=%r d=%r kw=%r" % (a, b, args, c, d, kw)
print(mixed(1, c=3))
print(mixed(1, 2, 3, 4, 5, c=6, e=7, f=8))
print(mixed(*[1, 2], c=3, **{"d": 40, "extra": True}))
def collect(**options):
    keys = list(options)
    return keys, sorted(options.items())
print(collect(z=1, a=2, m=3))
def forward(*args, **kwargs):
    return target(*args, **kwargs)
def target(x, y=0, *, scale=1):
    return (x + y) * scale
print(forward(1), forward(1, 2), forward(1, y=5, scale=10))
def star_only(*, flag=False):
    return flag
print(star_only(), star_only(flag=True))
try:
    kw_only(1, 2)
except TypeError as e:
    print("TypeError:", e)
try:
    kw_only(1)
except TypeError as e:
    print("TypeError:", e)
try:
    kw_only(1, b=2, d=4)
except TypeError as e:
    print("TypeError:", e)
try:
    star_only(True)
except TypeError as e:
    print("TypeError:", e)
try:
    target(1, 2, 3)
except TypeError as e:
    print("TypeError:", e)
def argcount(*args):
    return len(args)
print(argcount(), argcount(None), argcount(*[], *[1], *(2, 3)))
args = (1, 2)
kwargs = {"scale": 3}
print(target(*args, **kwargs))
class Widget:
    def method(self, a, *, b=0):
        return a + b
w = Widget()
print(w.method(1), w.method(1, b=2))
try:
    w.method(1, 2)
except TypeError as e:
    print("TypeError:", e)
