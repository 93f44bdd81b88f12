# List/dict/set comprehensions: conditions, nesting, multiple for-clauses, scoping of the loop variable.
print([x * x for x in range(8)])
print([x for x in range(20) if x % 3 == 0 if x % 2 == 0])
print([x if x % 2 else -x for x in range(6)])
print([(x, y) for x in range(3) for y in range(x)])
print([[x * y for y in range(1, 4)] for x in range(1, 4)])
matrix = [[1, 2, 3], [4, 5, 6]]
print([row[i] for i in range(3) for row in matrix], [[row[i] for row in matrix] for i in range(3)])
print([c.upper() for c in "hello" if c not in "aeiou"])
print([w for w in "the quick brown fox".split() if len(w) > 3])
print({x: x ** 2 for x in range(5)}, {k: v for k, v in [("a", 1), ("b", 2)] if v > 1})
print({v: k for k, v in {"x": 1, "y": 2, "z": 1}.items()})
print({x % 5 for x in range(12)}, {len(w) for w in ["a", "bb", "cc", "ddd"]})
print({c: "aeiou".count(c) + "banana".count(c) for c in "abn"})
x = "outer"
squares = [x for x in range(3)]
print(x, squares)
n = 10
print([n * i for i in range(3)], [[n + i + j for j in range(2)] for i in range(2)])
def make():
    factor = 3
    return [factor * v for v in range(4)]
print(make())
print([s for s in ["", "a", None, "b", 0] if s])
words = ["apple", "bob", "kayak", "level", "xyz"]
print([w for w in words if w == w[::-1]])
print(sum([i for i in range(101) if i % 2 == 0]), len([1 for _ in range(7)]))
flat = [item for sub in [[1, 2], [], [3], [4, 5, 6]] for item in sub]
print(flat)
pairs = [(i, j) for i in range(1, 5) for j in range(i + 1, 5) if (i + j) % 2 == 1]
print(pairs)
grid = {(r, c): r * 3 + c for r in range(2) for c in range(3)}
print(grid)
print([f(3) for f in [lambda v: v + 1, lambda v: v * 2]])
primes = [p for p in range(2, 50) if all(p % d for d in range(2, p))]
print(primes)
print([[0] * 2 for _ in range(3)], [i for i in []], {k: 0 for k in []}, {e for e in []})
lengths = {w: len(w) for w in ["one", "three", "five"]}
print(lengths, sorted(lengths, key=lengths.get))
