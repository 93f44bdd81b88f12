# Augmented assignment on names, attributes and subscripts (target evaluated once), in-place vs rebinding.
x = 10
x += 5; print(x)
x -= 3; print(x)
x *= 2; print(x)
x //= 5; print(x)
x %= 3; print(x)
x **= 10; print(x)
x /= 4; print(x)
n = 6
n <<= 3; print(n)
n >>= 1; print(n)
n &= 0b1010; print(n)
n |= 0b0101; print(n)
n ^= 0b1111; print(n)
s = "ab"
s += "cd"; s *= 2; print(s)
lst = [1, 2]
alias = lst
lst += [3]
print(lst, alias, lst is alias)
lst = lst + [4]
print(lst, alias, lst is alias)
t = (1, 2)
t2 = t
t += (3,)
print(t, t2)
class Box:
    def __init__(self):
        self.value = 1
        self.items = []
b = Box()
b.value += 41
b.items += ["x"]
b.value *= 2
print(b.value, b.items)
d = {"a": 1}
d["a"] += 10
d["b"] = d.get("b", 0) + 1
d["b"] -= 5
print(d)
grid = [[0, 0], [0, 0]]
grid[1][0] += 7
grid[0][1] -= 2
print(grid)
calls = []
def idx(i):
    calls.append(i)
    return i
arr = [10, 20, 30]
arr[idx(1)] += 5
print(arr, calls)
def get_box():
    print("get_box called")
    return b
get_box().value += 1
print(b.value)
big = 2 ** 62
big *= 16
print(big)
f = 1.5
f += 1
f *= 2
print(f)
counts = {}
for ch in "mississippi":
    counts[ch] = counts.get(ch, 0) + 1
print(counts)
