# dict views: repr of keys/values/items, live updates, membership, iteration with items(), len, list conversion.
d = {"a": 1, "b": 2}
k = d.keys()
v = d.values()
it = d.items()
print(k, v, it)
d["c"] = 3
print(k, v, it, len(k), len(v), len(it))
print("a" in k, "z" in k, 2 in v, 9 in v, ("a", 1) in it, ("a", 2) in it)
del d["a"]
print(list(k), list(v), list(it))
print({}.keys(), {}.values(), {}.items())
print(sorted(d.keys()), sum(d.values()), dict(d.items()))
for key, value in d.items():
    print(key, "->", value)
for key in d.keys():
    print("key", key)
for value in d.values():
    print("value", value)
print(list(reversed(list(d.items()))), [kv[0] for kv in it])
print({1: [1, 2], 2: (3,)}.values(), {None: None}.items())
print(d.keys() == {"b", "c"}, d.keys() == {"b": 0, "c": 0}.keys())
x = {"one": 1}
print(repr(x.keys()), str(x.items()))
nested = {"a": {"b": {"c": 1}}}
print(nested["a"]["b"].items())
print(len({i: i for i in range(10)}.keys()), max({"x": 5, "y": 7}.values()))
e = {}
e[2] = "two"
e[1] = "one"
e[3] = "three"
print(list(e.keys()), list(e.items()))
