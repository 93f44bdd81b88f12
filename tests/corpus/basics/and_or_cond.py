# `and`/`or` return operands (with short-circuit), `not`, and conditional expressions.
print(1 and 2, 0 and 2, 1 or 2, 0 or 2, None or 0, "" and "x")
print([] or [1], [0] or [1], {} and 5, "a" and "b" and "c")
print(None or False or 0 or "", 1 and None and 2)
def side(name, v):
    print("called", name)
    return v
print(side("a", 0) and side("b", 1))
print(side("a", 1) and side("b", 2))
print(side("a", 1) or side("b", 2))
print(side("a", 0) or side("b", 0) or side("c", 3))
print(not side("x", ""))
for n in [-3, 0, 4, 15]:
    label = "negative" if n < 0 else "zero" if n == 0 else "big" if n > 10 else "small"
    print(n, label)
x = 7
print("odd" if x % 2 else "even", ("yes" if x > 5 else "no").upper())
print((lambda v: v * 2 if v else -1)(0), (lambda v: v * 2 if v else -1)(4))
y = side("t", True) if side("cond", False) else side("f", "F")
print(y)
name = ""
display = name or "anonymous"
print(display)
items = None
count = items and len(items)
print(count)
items = [1, 2]
print(items and len(items))
print(1 if [] else 2, 1 if [[]] else 2)
print(True and 3 or 4, False and 3 or 4, True and 0 or 4)
print(1 < 2 and 2 < 3 or 5 > 6)
