# getattr (with default), setattr, hasattr, delattr-like via del, on instances, classes and modules.
import math
class Config:
    debug = False
    def __init__(self):
        self.name = "app"
    def greet(self):
        return "hello from " + self.name
cfg = Config()
print(getattr(cfg, "name"), getattr(cfg, "debug"), getattr(cfg, "missing", None), getattr(cfg, "missing", 0))
print(hasattr(cfg, "name"), hasattr(cfg, "debug"), hasattr(cfg, "greet"), hasattr(cfg, "nope"))
setattr(cfg, "name", "renamed")
setattr(cfg, "level", 3)
print(cfg.name, cfg.level, getattr(cfg, "greet")())
for field in ["name", "level", "debug", "ghost"]:
    print(field, "=", getattr(cfg, field, "<unset>"))
setattr(Config, "debug", True)
print(cfg.debug, Config().debug)
print(getattr(math, "pi") == math.pi, hasattr(math, "sqrt"), hasattr(math, "nosuch"), getattr(math, "floor")(2.7))
method_name = "upper"
print(getattr("shout", method_name)(), getattr([3, 1, 2], "index")(2))
try:
    getattr(cfg, "ghost")
except AttributeError as e:
    print("AttributeError:", e)
try:
    getattr(5, "real_nope")
except AttributeError as e:
    print("AttributeError:", e)
class Dynamic:
    pass
d = Dynamic()
for i, key in enumerate(["alpha", "beta", "gamma"]):
    setattr(d, key, i * 10)
print(d.alpha, d.beta, d.gamma, [getattr(d, k) for k in ["gamma", "alpha"]])
print(hasattr(d, "beta"))
del d.beta
print(hasattr(d, "beta"), getattr(d, "beta", "deleted"))
print(hasattr(None, "x"), hasattr([], "append"), hasattr({}, "keys"), hasattr("", "join"))
try:
    setattr(5, "x", 1)
except AttributeError as e:
    print("AttributeError:", e)
try:
    getattr(cfg, 5)
except TypeError as e:
    print("TypeError:", e)
