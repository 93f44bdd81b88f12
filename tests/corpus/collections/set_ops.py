# sets of small ints: add discard remove pop, union/intersection/difference/symmetric via methods and operators, subset tests.
s = {3, 1, 2}
print(s, len(s), 2 in s, 5 in s, set(), {0})
s.add(4)
s.add(2)
print(s)
s.discard(1)
s.discard(100)
print(s)
s.remove(4)
print(s)
try:
    s.remove(100)
except KeyError as e:
    print("KeyError:", e)
a = {1, 2, 3, 4}
b = {3, 4, 5, 6}
print(a | b, a & b, a - b, b - a, a ^ b)
print(a.union(b), a.intersection(b), a.difference(b), a.symmetric_difference(b))
print(a.union([7], (0,)), a.intersection(range(3)), a.difference({1}, {2}))
print({1, 2} <= a, {1, 2} < a, a <= a, a < a, a >= {1}, a > {1, 5})
print({1, 2}.issubset(a), a.issuperset({1, 2}), {9}.issubset(a), {1, 2}.isdisjoint({3}), a.isdisjoint(b))
print(a == {4, 3, 2, 1}, a != b, {1} == {1.0}, set() == set([]))
c = set(range(5))
c |= {5}
c &= {0, 1, 2, 5, 7}
c -= {0}
c ^= {2, 3}
print(c)
c.update([6, 7], {0})
print(c, sorted(c))
d = c.copy()
d.clear()
print(d, c == d, len(c))
dup = [5, 1, 5, 2, 1, 5]
print(set(dup), len(set(dup)), sorted(set(dup)))
print({x % 4 for x in range(20)}, {x for x in range(6) if x % 2})
e = {7}
print(e.pop(), e)
try:
    set().pop()
except KeyError as e2:
    print("KeyError:", e2)
print(sorted({3, 1} | {2}), list({5}), tuple({6}))
words = ["b", "a", "b", "c", "a"]
print(sorted(set(words)), len(set(words)), "a" in set(words))
seen = set()
order = []
for w in words:
    if w not in seen:
        seen.add(w)
        order.append(w)
print(order)
print({1, 2, 3} - {2} | {7} & {7, 8})
print(set("aab") == {"a", "b"}, set((1, 2)) == {2, 1}, bool(set()), bool({0}))
