# str.format: auto/explicit/keyword fields, indexing and attributes in fields, conversions, format specs, braces.
print("{} {}".format("a", "b"), "{1} {0}".format("a", "b"), "{0}{0}{1}".format("x", "y"))
print("{name} is {age}".format(name="Ann", age=30), "{0} {k}".format(1, k=2))
print("{0[0]} {0[1]} {1[key]}".format(["L0", "L1"], {"key": "dv"}))
class P:
    x = 3
    y = 4
print("({0.x}, {0.y})".format(P()), "{p.x}".format(p=P()))
print("{!r} {!s} {!r}".format("s", "s", 5))
print("{{literal}} {{{}}}".format("inner"))
print("[{:>8}] [{:<8}] [{:^8}] [{:*^9}] [{:-<6}] [{:0>4}]".format("r", "l", "c", "mid", "x", 7))
print("{:d} {:5d} {:<5d}| {:05d} {:+d} {: d} {:,} {:_}".format(42, 42, 42, 42, 42, 42, 1234567, 1234567))
print("{:x} {:X} {:#x} {:o} {:#o} {:b} {:#b} {:08b}".format(255, 255, 255, 8, 8, 5, 5, 5))
print("{:f} {:.2f} {:8.3f} {:<8.1f}| {:+.1f} {:.0f}".format(3.14159, 3.14159, 3.14159, 2.5, 2.5, 2.5))
print("{:e} {:.2e} {:E} {:g} {:g} {:.3g}".format(1234.5, 0.00012345, 1e-10, 1e20, 0.5, 2 / 3))
print("{:%} {:.1%} {:.0%}".format(0.5, 0.123, 1))
print("{:,.2f} {:,d} {:,}".format(1234567.891, 10 ** 9, -98765))
print("{:10} | {:10} | {:<10} | {:>10}".format("str", 12, 3.5, "s"))
print("{}".format(None), "{}".format([1, "a"]), "{}".format({"k": (1,)}), "{:}".format(7))
print("{:.3}".format("abcdef"), "{:>6.2}".format("xyz"), "{:.3}".format(3.14159))
print("{:=+8d} {:=8.2f}".format(42, -3.5))
w = 10
print("{:>{}}|{:^{w}}|".format("dyn", 6, "mid", w=w))
print("{0:{1}.{2}f}".format(3.14159, 8, 2))
print("{} {} {}".format(1, 2.0, True), "{:d}".format(True), "{:.1f}".format(10))
print("{!s:5}|{!r:>7}|".format(None, "ab"))
items = [("apple", 3, 0.5), ("banana", 12, 0.25), ("cherry", 100, 10.0)]
for name, qty, price in items:
    print("{:<8}{:>5}{:>8.2f}".format(name, qty, price))
print("{0}-{0}-{0}".format("ab"), "{}".format(""), repr("{}".format("")))
try:
    "{} {}".format(1)
except IndexError as e:
    print("IndexError:", e)
try:
    "{x}".format(y=1)
except KeyError as e:
    print("KeyError:", e)
try:
    "{:d}".format("s")
except ValueError as e:
    print("ValueError:", e)
try:
    "{0} {}".format(1, 2)
except ValueError as e:
    print("ValueError:", e)
