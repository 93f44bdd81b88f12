# range objects: repr, len, indexing (negative), slicing (returns range), negative steps, `in`, equality, errors.
print(range(10), range(2, 8), range(1, 10, 2), range(10, 0, -3), range(0))
print(len(range(10)), len(range(2, 8)), len(range(1, 10, 2)), len(range(10, 0, -3)), len(range(5, 5)), len(range(5, 0)))
r = range(3, 30, 4)
print(list(r), r[0], r[2], r[-1], r[-2], r.start, r.stop, r.step)
print(r[1:3], r[::2], r[::-1], r[-2:], r[10:], list(r[::-1]))
print(range(10)[2:5], range(10)[::-3], range(10)[5:2:-1], list(range(10)[5:2:-1]))
print(7 in r, 8 in r, 31 in r, -1 in range(-5, 5), 2.0 in range(3), "x" in range(3))
print(range(0) == range(2, 2), range(0, 3) == range(3), range(1, 4, 2) == range(1, 5, 2), range(3) == [0, 1, 2])
print(list(range(-10, -20, -3)), list(range(-3, 3, 2)), list(range(5, -5, -2)))
print(r.index(11), r.count(11), r.count(12))
print(sum(range(1, 101)), max(range(7)), min(range(3, 9)), sorted(range(3, 0, -1)))
print(list(reversed(range(1, 8, 3))), bool(range(0)), bool(range(1)))
big = range(0, 10 ** 12, 7)
print(len(big), big[-1], 7 * 10 ** 10 in big, 10 ** 11 in big, big[10 ** 9])
for i in range(3, -1, -1):
    print("countdown", i)
print([i for i in range(20) if i % 7 == 0], list(range(1, 2)), list(range(1, 2, -1)))
try:
    r[100]
except IndexError as e:
    print("IndexError:", e)
try:
    range(1, 5, 0)
except ValueError as e:
    print("ValueError:", e)
try:
    r.index(12)
except ValueError as e:
    print("ValueError:", e)
try:
    range(1.5)
except TypeError as e:
    print("TypeError:", e)
