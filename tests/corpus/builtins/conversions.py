# Type conversions: int() with bases/whitespace/underscores, float(), str(), bool(), list/tuple/dict/set constructors.
print(int("42"), int("  42  "), int("\t-7\n"), int("1_000_000"), int("+5"), int("007"))
print(int("ff", 16), int("FF", 16), int("z", 36), int("777", 8), int("101", 2), int("0x1f", 16), int("0b11", 0))
print(int("0", 0), int("1_0", 0), int(" 0o10 ", 0), int("-0x10", 16))
print(int(3.99), int(-3.99), int(True), int(1e15), int("9" * 25))
print(float("1.5"), float(" 2 "), float("-0.0"), float("1e-3"), float("1E3"), float("inf"), float("-Infinity"), float("nan"))
print(float(3), float(-0), float("1_5.2_5"), float(2 ** 70))
print(str(12), str(-1.5), str(True), str(None), str([1, "a"]), str((1,)), str({"a": [1]}), str(b"x"))
print(bool(0), bool(1), bool(""), bool("False"), bool([]), bool([[]]), bool(0.0), bool(-1e-300))
print(list("abc"), list((1, 2)), list(range(3)), list({"a": 1, "b": 2}), list({"x": 1}.values()))
print(tuple([1, 2]), tuple("hi"), tuple(), tuple(range(2)))
print(dict(a=1, b=2), dict([("x", 1), ("y", 2)]), dict({"k": 1}, m=2), dict(), dict(zip("ab", [1, 2])))
print(sorted(set([3, 1, 3, 2])), set(), sorted(set("aabbc")), len(set(range(100))))
print(list(b"AB"), bytes([72, 105]), bytes(3), b"hi".decode())
bad = ["", " ", "abc", "1.5", "1__0", "_1", "0x", "12a"]
for s in bad:
    try:
        print(repr(s), "->", int(s))
    except ValueError as e:
        print(repr(s), "-> ValueError:", e)
for s in ["abc", "", "1.2.3", "--1"]:
    try:
        float(s)
    except ValueError as e:
        print("ValueError:", e)
try:
    int("12", 1)
except ValueError as e:
    print("ValueError:", e)
try:
    int(float("inf"))
except OverflowError as e:
    print("OverflowError:", e)
try:
    int(float("nan"))
except ValueError as e:
    print("ValueError:", e)
try:
    int([1])
except TypeError as e:
    print("TypeError:", e)
print(int(str(2 ** 100)) == 2 ** 100, float(str(0.1)) == 0.1, str(int("-0")), repr(float("1e500")))
