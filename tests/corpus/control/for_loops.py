# for loops over lists, strings, ranges, dicts, tuples; for-else; break/continue; loop variable after loop.
for ch in "abc":
    print(ch, end=" ")
print()
for x in [10, 20, 30]:
    print(x * 2, end=",")
print()
for k in {"b": 1, "a": 2, "c": 3}:
    print("key", k)
for k, v in {"x": 1, "y": 2}.items():
    print(k, "=", v)
for t in (1, "two", 3.0, None):
    print(repr(t))
for i in range(3):
    pass
print("loop var after loop:", i)
for n in range(2, 20):
    for d in range(2, n):
        if n % d == 0:
            break
    else:
        print(n, "is prime")
for word in ["alpha", "beta", "gamma"]:
    if word == "beta":
        continue
    print("word", word)
else:
    print("for-else after continue-only loop")
for n in []:
    print("never")
else:
    print("for-else on empty loop")
items = [1, 2, 3]
for it in items:
    it *= 10
print(items)
for i in range(5):
    if i == 3:
        break
    i = 100
    print("rebinding does not change iteration", i)
total = 0
for i in range(1, 101):
    total += i
print("total", total)
for i, ch in enumerate("xyz", start=1):
    print(i, ch)
for a, b in zip([1, 2, 3], "pq"):
    print(a, b)
result = []
for i in range(3):
    for j in range(3):
        if j > i:
            break
        result.append((i, j))
print(result)
for i in range(10, 0, -3):
    print("down", i)
nums = [5, 3, 8]
for idx in range(len(nums)):
    nums[idx] = nums[idx] ** 2
print(nums)
