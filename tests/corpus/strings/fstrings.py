# f-strings: expressions, nested quotes, !r/!s, format specs (widths, precision, commas, percent, exp), nested specs, `=`.
x = 3.14159
n = 42
s = "hi"
p = 0.256
big = 1234567
items = [1, 2, 3]
d = {"key": "value"}
print(f"x={x} n={n} s={s}")
print(f"{x:.2f} {x:8.3f}| {x:<8.1f}| {x:e} {x:.3e} {x:g}")
print(f"{n:>5}|{n:<5}|{n:^5}|{n:05d}|{n:+d}|{n:x}|{n:#b}|{n:o}")
print(f"{big:,} {big:_} {big:,.2f} {-big:,}")
print(f"{s:^10}|{s:*>6}|{s:-<6}|{s!r}|{s!s}|{s!r:>6}|")
print(f"{p:.1%} {p:%} {1:.0%}")
print(f"{x=} {n=} {s=}")
print(f"{n + 1=} {items[0]=} {len(items) = }")
print(f"{x=:.2f} {s=!s}")
print(f"{items} {items[1:]} {items[-1] * 10} {d['key']} {d}")
print(f"{'nested quotes'} {len('abc')} {'yes' if n > 40 else 'no'}")
print(f"{n // 5} {n % 5} {n ** 2} {-n} {n / 8}")
width = 10
precision = 3
print(f"[{x:{width}.{precision}f}] [{s:>{width}}] [{n:0{width}d}]")
print(f"{{braces}} {{{n}}} {'{'}")
print(f"{[i * i for i in range(4)]} {sum(i for i in range(5))}")
print(f"{'a' + 'b'} {str(1) + str(2)} {max(3, 7)}")
print(f"{True} {None} {1.0} {10 ** 20} {0.1 + 0.2}")
print(f"{3.0:.0f} {2.5:.0f} {-0.0:.1f} {1e16:.0f} {1/3:.10f}")
name = "World"
greeting = f"Hello, {name}!"
print(greeting, len(greeting))
print(f"{f'{n}' * 2}", f"{'x' * 3:>5}")
print(f"multi {n} " f"part {s}" " plain")
print(F"capital F {n}", rf"raw \n {n}")
class Pt:
    def __init__(self, a, b):
        self.a, self.b = a, b
    def __repr__(self):
        return f"Pt({self.a!r}, {self.b!r})"
    def __str__(self):
        return f"<{self.a}, {self.b}>"
pt = Pt(1, "two")
print(f"{pt} {pt!r} {pt=}")
for i in range(1, 4):
    print(f"{i:>3}. {'*' * i:<4}| {i / 3:.3f}")
print(f"{12:#x} {255:X} {255:#o} {10:b} {-5:08.2f} {3.5:=+8.2f}")
print(f"{1e-05} {1e+16} {123.456:.2e} {0.000123:g} {1e100:.2g}")
