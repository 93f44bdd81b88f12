# Generator expressions passed to calls: sum, all, any (short-circuit), max/min (key), "".join, sorted, list/tuple/set/dict.
r = range(10)
print(sum(x * x for x in r), sum(x for x in r if x % 2), sum((x for x in r), 100))
print(all(x >= 0 for x in r), all(x > 0 for x in r), any(x > 8 for x in r), any(x > 9 for x in r))
print(all(x for x in []), any(x for x in []))
print(max(x % 7 for x in r), min(-x for x in r), max((len(w), w) for w in ["bb", "a", "ccc", "dd"]))
print(max((x for x in []), default="none"), min((w for w in ["pear", "fig"]), key=len))
print("".join(c.upper() for c in "shout"), "-".join(str(i) for i in range(4)), ", ".join(w for w in ["a", "b"] if w != "b"))
print(sorted(x % 4 for x in r), sorted((w for w in "bca"), reverse=True))
print(list(x + 1 for x in range(3)), tuple(c for c in "ab"), set(x // 3 for x in range(9)))
print(dict((k, len(k)) for k in ["xx", "y"]))
checked = []
def check(x):
    checked.append(x)
    return x > 2
print(any(check(x) for x in range(10)), checked)
checked.clear()
print(all(check(x) for x in [5, 4, 1, 9]), checked)
g = (x * 10 for x in range(3))
print(next(g), list(g), list(g))
print(sum(1 for line in "a\nb\nc".splitlines() if line != "b"))
words = ["alpha", "beta", "gamma", "delta"]
print(max(words, key=lambda w: sum(1 for c in w if c == "a")))
print(sum(len(w) for w in words) / len(words))
print(any(w.startswith("g") for w in words), all(len(w) >= 4 for w in words))
nested = [[1, 2], [3], []]
print(sum(sum(row) for row in nested), max(len(row) for row in nested))
print(list(zip((i for i in range(3)), (c for c in "xyz"))))
print(sorted((v, k) for k, v in {"a": 3, "b": 1, "c": 2}.items()))
total = sum(i * j for i in range(4) for j in range(4) if i != j)
print(total)
print(" ".join(f"{n:02d}" for n in range(0, 30, 7)))
