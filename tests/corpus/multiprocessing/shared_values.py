# Value and Array: typecodes, wrapping like C types, slicing, locks.
import multiprocessing as mp


def negate(arr):
    for i in range(len(arr)):
        arr[i] = -arr[i]


def set_chars(c):
    c.value = b"z"


if __name__ == "__main__":
    mp.set_start_method("spawn")
    for tc, v in [("i", 7), ("l", 2**40), ("d", 1.5), ("f", 0.1), ("b", 200), ("c", b"x"), ("i", 2**31)]:
        x = mp.Value(tc, v)
        print(tc, x.value)
    print(mp.Value("i").value, mp.Value("d").value)
    v = mp.Value("i", 5)
    print(v)
    with v.get_lock():
        v.value += 1
    print(v.value)
    raw = mp.Value("i", 3, lock=False)
    print(raw.value, hasattr(raw, "get_lock"))

    a = mp.Array("i", [1, 2, 3, 4, 5])
    print(len(a), a[0], a[-1], a[1:3], a[:], list(a))
    a[1:3] = [20, 30]
    a[-1] = 50
    print(a[:])
    p = mp.Process(target=negate, args=(a,))
    p.start()
    p.join()
    print(a[:])
    z = mp.Array("d", 3)
    print(z[:])
    try:
        a[1:3] = [1]
    except ValueError as e:
        print("ValueError:", e)
    try:
        a[10]
    except IndexError as e:
        print("IndexError:", e)
    c = mp.Array("c", b"hello")
    print(c.value, c.raw, len(c))
    c[0] = b"j"
    print(c.value)
    cv = mp.Value("c", b"a")
    p = mp.Process(target=set_chars, args=(cv,))
    p.start()
    p.join()
    print(cv.value)
