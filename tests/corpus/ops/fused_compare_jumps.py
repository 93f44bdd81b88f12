# `if`/`while` on a local against a constant or another local: the fused compare-and-jump
# on ints and floats, and every operand it hands back to the ops it stands for.

def f(n, m):
    out = []
    if n < 2:
        out.append("lt2")
    if n >= m:
        out.append("ge")
    else:
        out.append("lt")
    i = 0
    while i < m:
        i += 1
    out.append(i)
    if n == 2.5:
        out.append("eq2.5")
    if n != "x":
        out.append("ne-str")
    return out


print(f(1, 3), f(5, 3), f(2.5, 3.5), f(2.5, 2), f(True, 2))
try:
    print(f("a", 3))
except TypeError as e:
    print("TypeError", e)


def g(flag):
    if flag:
        x = 1
    if x < 3:
        return "small"


try:
    g(False)
except UnboundLocalError as e:
    print("UnboundLocalError", e)
print(g(True))
