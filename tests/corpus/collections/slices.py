# List slicing: steps, negatives, clamping, slice assignment (grow/shrink), extended-slice assignment, del, slice objects.
a = list(range(10))
print(a[2:5], a[:3], a[7:], a[-3:], a[:-7], a[::3], a[::-1], a[8:2:-2], a[-1:-4:-1])
print(a[5:2], a[100:], a[-100:2], a[3:100], a[::-100], a[1:9:100])
b = a[:]
b[2:5] = ["x"]
print(b)
b[1:1] = [100, 200]
print(b)
b[:] = [0, 1]
print(b)
b[len(b):] = [2, 3]
print(b)
b[-1:] = []
print(b)
c = list(range(8))
c[::2] = ["e0", "e2", "e4", "e6"]
print(c)
c[1::3] = "XYZ"
print(c)
try:
    c[::2] = [1, 2]
except ValueError as e:
    print("ValueError:", e)
d = list(range(10))
del d[1:3]
print(d)
del d[::3]
print(d)
del d[-2:]
print(d)
s = slice(1, 7, 2)
print(s, s.start, s.stop, s.step, a[s], "abcdefgh"[s], tuple(range(10))[s])
print(slice(None), slice(5), slice(None, None, -1), a[slice(None, None, -1)] == a[::-1])
print(slice(1, 5, 2).indices(3), slice(None, None, -1).indices(4))
t = (0, 1, 2, 3, 4)
print(t[1:3], t[::-2], t[:0])
m = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
print([row[1:] for row in m[:2]], [row[::-1] for row in m], m[::-1][0])
e = [1, 2, 3]
e[1:2] = [[20, 21]]
print(e)
f = [0] * 5
f[1:4] = range(3)
print(f)
g = list("abcdef")
g[2:4], g[0] = ["C", "D"], "A"
print("".join(g))
