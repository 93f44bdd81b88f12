# min/max (varargs, iterables, key, default, ties), sum (start, floats, lists), any/all basics.
print(min(3, 1, 2), max(3, 1, 2), min([4, 5]), max((7,)), min("hello"), max("hello"))
print(min(1, 2.5), max(-1, -1.5), max(True, 0), min([[2], [1, 3]]))
print(max([], default="empty"), min((), default=None), max([1], default=0))
print(min(["bb", "a", "ccc"], key=len), max(["bb", "a", "ccc"], key=len))
print(max(["ab", "cd", "ef"], key=len), min(["ab", "cd", "ef"], key=len))
print(max({"a": 3, "b": 1}), max({"a": 3, "b": 1}, key=lambda k: {"a": 3, "b": 1}[k]))
print(max(range(10), key=lambda x: (x % 4, x)), min(range(1, 10), key=lambda x: abs(x - 5.4)))
print(max(1, 2, key=lambda x: -x), min("b", "a", "c", key=str.upper))
print(sum([1, 2, 3]), sum([]), sum(range(101)), sum([1, 2], 10), sum((0.5, 0.25)))
print(sum([0.1] * 10), sum([1, 2.5]), sum([True, True]))
print(sum([[1], [2, 3]], []), sum([(1,), (2,)], ()))
print(sum(x for x in range(10) if x % 2), sum([10 ** 20, 1, -(10 ** 20)]))
print(any([]), all([]), any([0, None, ""]), all([1, "a", [0]]), any([0, 1]), all([1, 0]))
print(any(x > 3 for x in [1, 5]), all(x > 0 for x in [1, -5]))
try:
    max([])
except ValueError as e:
    print("ValueError:", e)
try:
    min()
except TypeError as e:
    print("TypeError:", e)
try:
    sum(["a", "b"], "")
except TypeError as e:
    print("TypeError:", e)
try:
    max(1, "a")
except TypeError as e:
    print("TypeError:", e)
data = [("x", 3), ("y", 9), ("z", 9), ("w", 1)]
print(max(data, key=lambda p: p[1]), min(data, key=lambda p: p[1]))
print(max(data), min(data))
nums = [5, -2, 8, -9, 3]
print(max(nums, key=abs), min(nums, key=abs), sum(abs(n) for n in nums))
print(max(float("-inf"), -1e308), min(float("inf"), 1e308))
