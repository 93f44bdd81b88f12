# sorted() and list.sort(): key, reverse, stability, mixed numerics; reversed() on lists, ranges, strings, tuples.
print(sorted([3, 1, 2]), sorted("banana"), sorted((5, -1, 0)), sorted([]))
print(sorted([3, 1, 2], reverse=True), sorted("hello", reverse=True))
print(sorted({"b": 1, "a": 2, "c": 0}), sorted({"b": 1, "a": 2}.items()))
print(sorted([2.5, 1, -3, 0.5, True]), sorted([10 ** 20, -(10 ** 20), 0]))
words = ["pear", "Fig", "apple", "kiwi", "Banana", "date"]
print(sorted(words))
print(sorted(words, key=str.lower))
print(sorted(words, key=len))
print(sorted(words, key=len, reverse=True))
print(sorted(words, key=lambda w: (len(w), w)))
records = [("b", 2), ("a", 2), ("c", 1), ("d", 1), ("e", 2)]
print(sorted(records, key=lambda r: r[1]))
print(sorted(records, key=lambda r: r[1], reverse=True))
print(sorted(records))
print(sorted([[2, 1], [1, 2], [1], [2]]))
lst = [5, 2, 9, 1]
out = lst.sort()
print(out, lst)
lst.sort(key=lambda x: -x)
print(lst)
lst.sort(reverse=True, key=lambda x: x % 3)
print(lst)
orig = [3, 2, 1]
s = sorted(orig)
print(orig, s, s is orig)
print(list(reversed([1, 2, 3])), list(reversed(range(5))), list(reversed("abc")), list(reversed((1, 2))))
print(list(reversed(range(0, 10, 3))), list(reversed([])), "".join(reversed("stressed")))
r = reversed([1, 2, 3])
print(next(r), list(r))
nums = [1, 2, 3, 4]
nums.reverse()
print(nums)
print(sorted(set([3, 1, 2])), sorted(x * x for x in range(-3, 4)))
print(sorted(["10", "9", "100"]), sorted(["10", "9", "100"], key=int))
print(sorted([-5, 3, -1, 2], key=abs), max([-5, 3, -1, 2], key=abs))
try:
    sorted([1, "a"])
except TypeError as e:
    print("TypeError:", e)
big = list(range(1000, 0, -7))
print(sorted(big)[:5], sorted(big)[-3:], len(sorted(big)))
