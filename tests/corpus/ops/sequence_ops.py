# Sequence operators: concatenation, repetition (including zero/negative counts), membership, len.
print([1, 2] + [3], (1,) + (2, 3), "ab" + "cd", b"x" + b"y")
print([0] * 3, [1, 2] * 2, "ab" * 3, (1,) * 4, b"-" * 5)
print([1] * 0, "x" * -1, (1, 2) * -5, 3 * "ab", 2 * [None])
grid = [[0] * 2] * 2
grid[0][0] = 9
print(grid)
grid = [[0] * 2 for _ in range(2)]
grid[0][0] = 9
print(grid)
print(2 in [1, 2, 3], 4 in [1, 2, 3], 4 not in [1, 2, 3])
print("ell" in "hello", "" in "abc", "xyz" in "abc", "a" not in "abc")
print((1, 2) in [(1, 2), (3, 4)], [1] in [[1], [2]], 1 in (1.0,))
print("k" in {"k": 1}, 1 in {"k": 1}, 3 in {1, 2, 3}, 5 in range(0, 10, 5))
print(b"b" in b"abc", 98 in b"abc", 99 in b"ab")
print(len([1, 2, 3]), len(()), len("héllo"), len(b"\x00\x01"), len({1: 2}), len(range(5)))
s = "-"
s = s * 3 + ">" + s * 0
print(s)
print([1, 2, 3] + list("ab") + list(range(2)))
print(sum([[1], [2, 3], []], []))
print("".join(["a", "b"] * 3))
try:
    print([1] + (2,))
except TypeError as e:
    print("TypeError:", e)
try:
    print("a" + 1)
except TypeError as e:
    print("TypeError:", e)
try:
    print("a" * 2.0)
except TypeError as e:
    print("TypeError:", e)
try:
    print(1 in 5)
except TypeError as e:
    print("TypeError:", e)
