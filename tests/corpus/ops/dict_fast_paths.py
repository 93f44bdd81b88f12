# The eval loop's by-reference paths for d[k] and d[k] = v with a local dict and a str or int
# key, for `for x in <list or tuple>`, and where each falls back to the general protocol.


class Plain:
    """Hashed by identity: never on the by-reference path."""


def counts(words):
    d = {}
    for w in words:
        d[w] = d.get(w, 0) + 1
    return d


def main():
    d = counts("a b a c b a".split())
    print(sorted(d.items()))
    k = "a"
    print(d[k], d["b"], "c" in d, "z" in d)

    # An int key equal to a float or bool key finds the same entry, as in CPython.
    n = {1: "one", 2.0: "two"}
    i = 2
    print(n[i], n[True])
    n[i] = "TWO"
    print(n)

    # A missing key still raises KeyError with the key.
    try:
        print(d["missing"])
    except KeyError as e:
        print("KeyError", e)
    m = "missing"
    try:
        print(d[m])
    except KeyError as e:
        print("KeyError", e)

    # Keys that are not str or int take the general path.
    t = {}
    key = (1, 2)
    t[key] = "tuple"
    obj = Plain()
    t[obj] = "object"
    print(t[key], t[obj], len(t), Plain() in t)
    try:
        t[[1]] = 0
    except TypeError as e:
        print("TypeError", e)
    try:
        print(d.get([1]))
    except TypeError as e:
        print("TypeError", e)

    # Growing a dict one new key at a time past several resizes keeps every entry.
    g = {}
    for j in range(1000):
        s = str(j)
        g[s] = j
        g[j] = s
    print(len(g), g["999"], g[999], g["0"])

    # A replaced value and the order of keys are kept.
    g2 = {"x": 1, "y": 2}
    x = "x"
    g2[x] = 10
    print(list(g2.items()))

    # A list iterator, once exhausted, stays exhausted even if the list grows.
    items = [1, 2]
    it = iter(items)
    print(list(it))
    items.append(3)
    print(list(it))
    for ch in "hé":
        print(ch)
    for x in (1, 2):
        for y in [x, x * 10]:
            print(x, y)


main()
