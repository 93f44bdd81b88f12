# The fused ops (local op const, local op local, local[const], local[local], compare then
# jump) on operands outside their fast path: each must behave as the ops it stands for.


def arith(a, b):
    out = []
    out.append(a + 1)
    out.append(a - b)
    out.append(a * b)
    out.append(a * 2)
    out.append(b % 3)
    out.append(a // 2)
    return out


print(arith(3, 4))
print(arith(2.5, 0.5))


def concat(a, b):
    return a + a, a * b, a[0], a[b - 2]


print(concat("ab", 2), concat([1, 2], 3))
print(arith(2**62, 2**62))
print(arith(-7, -5))
print(arith(True, False))


def index(seq, i):
    return seq[0], seq[-1], seq[i], seq[-i]


print(index([10, 20, 30], 1))
print(index((10, 20, 30), 2))
print(index("xyz", 1))
print(index({0: "a", -1: "b", 1: "c"}, 1))
print(index([1, 2, 3], True))


def compare(a, b):
    if a < b:
        return "lt"
    if a == b:
        return "eq"
    return "ge"


print(compare(1, 2), compare(2, 2), compare(3, 2))
print(compare(1.5, 2), compare(2, 2.0), compare("b", "a"), compare((1, 2), (1, 3)))
print(compare(2**70, 2**69), compare(-(2**70), 1))


def errors(x, i, z):
    try:
        print(x[5])
    except IndexError as e:
        print("IndexError", e)
    try:
        print(x[i])
    except IndexError as e:
        print("IndexError", e)
    try:
        print(i // z)
    except ZeroDivisionError as e:
        print("ZeroDivisionError", e)
    try:
        if i < "s":
            print("?")
    except TypeError as e:
        print("TypeError", e)


errors([1, 2, 3], -4, 0)
errors((1, 2, 3), 7, 0.0)


def unbound(flag):
    if flag:
        n = 1
    return n + 1


def local_zero_div(x):
    y = 0
    return x % y


try:
    unbound(False)
except UnboundLocalError as e:
    print("UnboundLocalError", e)
try:
    local_zero_div(5)
except ZeroDivisionError as e:
    print("ZeroDivisionError", e)


def count_down(n):
    steps = 0
    while n > 0:
        n -= 1
        steps += 1
    return steps


print(count_down(5), count_down(2.5), count_down(-1))


class Loud:
    def __init__(self):
        self.items = [0, 0]

    def __getitem__(self, k):
        print("get", k)
        return self.items[k]

    def __setitem__(self, k, v):
        print("set", k, v)
        self.items[k] = v


def augmented(seq, i):
    seq[0] += 5
    seq[i] *= 3
    seq[-1] -= 1
    seq[i] = seq[0]
    return seq


print(augmented([1, 2, 3], 1))
print(augmented({0: 1, 1: 2, -1: 3}, 1))
print(augmented(Loud(), 1).items)
try:
    augmented([7], 4)
except IndexError as e:
    print("IndexError", e)


def augmented_walrus(seq):
    other = [100, 200]
    old = seq
    seq[0] += (seq := other)[1]
    return old, seq


print(augmented_walrus([1, 2]))
