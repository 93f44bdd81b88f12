# `a[k] op= rhs` on a local list or dict, with a constant or local key: the statement's
# superinstruction on numbers, and every case it hands back to the ops it stands for.

def f():
    a = [1, 2.5, 3, 10**20]
    k = 1
    x, y = 3, 4
    a[0] += 1
    a[k] *= 2
    a[-1] += x * y
    a[2] -= x
    a[3] += 1
    d = {"w": 1, 2: 0.5}
    w = "w"
    d[w] += 1
    d[2] += x * 0.5
    try:
        d["zz"] += 1
    except KeyError as e:
        print("KeyError", e)
    s = ["a"]
    s[0] += "b"
    try:
        a[9] += 1
    except IndexError as e:
        print("IndexError", e)
    big = [2**62]
    big[0] += 2**62
    z = [7]
    z[0] //= 0 if False else 2
    m = [5]
    try:
        m[0] %= k - 1
    except ZeroDivisionError as e:
        print("ZDE", e)
    print(a, d, s, big, z, m)
    t = (1, 2)
    try:
        t[0] += 1
    except TypeError as e:
        print("TypeError", e)
f()
