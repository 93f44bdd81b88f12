# dict methods: get setdefault pop popitem update keys values items copy clear, insertion order, `in`, fromkeys-free.
d = {"b": 2, "a": 1}
d["c"] = 3
print(d, len(d), "a" in d, "z" in d, 2 in d, "z" not in d)
print(d["a"], d.get("a"), d.get("z"), d.get("z", 0), d.get("z", [1]))
print(d.setdefault("a", 100), d.setdefault("e", 5), d.setdefault("f"), d)
print(d.pop("e"), d.pop("missing", "dflt"), d.pop("f"), d)
print(d.popitem(), d)
d.update({"x": 10, "a": -1})
d.update(y=20)
d.update([("z", 26)])
print(d)
print(list(d.keys()), list(d.values()), list(d.items()))
c = d.copy()
c["new"] = True
print("new" in d, "new" in c, c is d)
d["b"] = "updated in place keeps order"
print(d)
del d["b"]
d["b"] = "reinserted goes last"
print(d)
d.clear()
print(d, len(d), bool(d))
groups = {}
for word in ["apple", "avocado", "banana", "blueberry", "cherry"]:
    groups.setdefault(word[0], []).append(word)
print(groups)
counts = {}
for ch in "abracadabra":
    counts[ch] = counts.get(ch, 0) + 1
print(counts, max(counts, key=counts.get))
inv = {v: k for k, v in {"one": 1, "two": 2}.items()}
print(inv)
nested = {"outer": {"inner": [1, 2]}}
nested["outer"]["inner"].append(3)
nested["outer"]["new"] = {}
print(nested)
print({1: "int", "1": "str", 1.5: "float", (1,): "tuple", None: "none", True: "bool overwrites 1"})
merged = {**{"a": 1, "b": 2}, **{"b": 3, "c": 4}}
print(merged, dict(merged, d=5))
print({} == dict(), {"a": 1} == {"a": 1.0}, {"a": 1, "b": 2} == {"b": 2, "a": 1})
try:
    {}["nope"]
except KeyError as e:
    print("KeyError:", e)
try:
    {}.pop("nope")
except KeyError as e:
    print("KeyError:", e)
try:
    {}.popitem()
except KeyError as e:
    print("KeyError:", e)
try:
    {}[[1]] = 2
except TypeError as e:
    print("TypeError:", e)
order = {}
for k in [5, 3, 9, 1]:
    order[k] = k * k
print(order, list(order), sorted(order))
big = {i: str(i) for i in range(1000)}
for i in range(0, 1000, 2):
    del big[i]
print(len(big), list(big)[:5], big[999])
