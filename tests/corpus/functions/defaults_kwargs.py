# Default parameter values (evaluated once), keyword arguments, and mixing positional with keyword.
def greet(name, greeting="Hello", punct="!"):
    return greeting + ", " + name + punct
print(greet("Ann"))
print(greet("Bob", "Hi"))
print(greet("Cy", punct="?"))
print(greet(punct=".", name="Di", greeting="Yo"))
print(greet("Ed", greeting="Hey", punct="!!"))
def append_to(item, target=[]):
    target.append(item)
    return target
print(append_to(1))
print(append_to(2))
print(append_to(3, []))
print(append_to(4))
def safe_append(item, target=None):
    if target is None:
        target = []
    target.append(item)
    return target
print(safe_append(1), safe_append(2))
base = 10
def add_base(x, b=base):
    return x + b
base = 20
print(add_base(1), add_base(1, base))
def power(base, exp=2):
    return base ** exp
print(power(3), power(2, 10), power(exp=3, base=4))
def describe(a, b=2, c=3):
    return "a=" + str(a) + " b=" + str(b) + " c=" + str(c)
print(describe(1))
print(describe(1, c=30))
print(describe(1, 20))
print(describe(c=0, a=9))
def none_default(x=None):
    return "got None" if x is None else "got " + repr(x)
print(none_default(), none_default(0), none_default(x=""))
def count_calls(counter={"n": 0}):
    counter["n"] += 1
    return counter["n"]
print(count_calls(), count_calls(), count_calls({"n": 100}), count_calls())
def tuple_default(t=(1, 2)):
    return t + (3,)
print(tuple_default(), tuple_default((9,)))
def f(a, b):
    return a - b
print(f(10, 3), f(b=10, a=3), f(10, b=3))
try:
    f(1, a=2)
except TypeError as e:
    print("TypeError:", e)
try:
    f(1, 2, 3)
except TypeError as e:
    print("TypeError:", e)
try:
    f(1)
except TypeError as e:
    print("TypeError:", e)
try:
    f()
except TypeError as e:
    print("TypeError:", e)
try:
    f(1, c=2)
except TypeError as e:
    print("TypeError:", e)
try:
    greet()
except TypeError as e:
    print("TypeError:", e)
try:
    describe(1, 2, 3, 4)
except TypeError as e:
    print("TypeError:", e)
