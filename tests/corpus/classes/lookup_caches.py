# Global, module-attribute and class-attribute lookups answered from gilsim's per-thread
# caches must see every change: rebinding a global, deleting it (falling back to the
# builtin), monkeypatching a method on a class or a base, shadowing it on an instance,
# and changing a module's attribute.
import math

scale = 2


def scaled(x):
    return x * scale


def rebind(v):
    global scale
    scale = v


print([scaled(1) for _ in range(3)])
rebind(10)
print(scaled(1))

len = lambda x: "shadowed"  # noqa: E731


def measure(s):
    return len(s)


print(measure("abc"))
del len
print(measure("abc"))


class Base:
    def who(self):
        return "base"


class Child(Base):
    pass


c = Child()
print([c.who() for _ in range(3)])
Base.who = lambda self: "patched base"
print(c.who())
Child.who = lambda self: "patched child"
print(c.who())
c.who = lambda: "instance"
print(c.who())
del c.who
print(c.who())
del Child.who
print(c.who())


class Point:
    def __init__(self, x):
        self.x = x


print([Point(i).x for i in range(3)])


def new_init(self, x):
    self.x = -x


Point.__init__ = new_init
print(Point(5).x)


def sqrt_of(v):
    return math.sqrt(v)


print(sqrt_of(16.0))
math.sqrt = lambda v: "patched sqrt"
print(sqrt_of(16.0))
