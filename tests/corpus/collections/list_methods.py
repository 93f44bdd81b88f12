# list methods: append extend insert pop remove index count reverse copy clear, plus aliasing vs copies.
lst = [3, 1, 4]
lst.append(1)
print(lst)
lst.extend([5, 9])
lst.extend("ab")
lst.extend(range(2))
lst.extend(())
print(lst)
lst.insert(0, "first")
lst.insert(-1, "before-last")
lst.insert(100, "end")
lst.insert(-100, "start")
print(lst)
print(lst.pop(), lst.pop(0), lst.pop(2), lst.pop(-2))
print(lst)
lst.remove("a")
lst.remove(1)
print(lst)
print(lst.index(4), lst.index(5), lst.index(1, 2), lst.count(1), lst.count("zzz"))
nums = [1, 2, 3, 2, 1, 2]
print(nums.count(2), nums.index(2), nums.index(2, 2), nums.index(2, 4, 6))
nums.reverse()
print(nums)
c = nums.copy()
c.append(99)
print(nums, c, c is nums)
alias = nums
alias.append(7)
print(nums)
nums.clear()
print(nums, alias, c)
nested = [[1], [2]]
shallow = nested.copy()
shallow[0].append("shared")
shallow[1] = ["replaced"]
print(nested, shallow)
sliced = nested[:]
print(sliced == nested, sliced is nested)
stack = []
for i in range(4):
    stack.append(i * i)
while stack:
    print("pop", stack.pop())
queue = ["a", "b", "c"]
while queue:
    print("dequeue", queue.pop(0))
print([].copy(), [None] * 2, list(), [1, [2, [3]]])
print(lst.append(0), lst.extend([]), lst.insert(0, 0), lst.reverse(), lst.clear())
matrix = [[0] * 3 for _ in range(2)]
matrix[1][2] = 5
print(matrix, len(matrix), len(matrix[0]))
items = ["x", "y", "z"]
items[1] = "Y"
items[-1] = "Z"
print(items)
try:
    [].pop()
except IndexError as e:
    print("IndexError:", e)
try:
    [1, 2].pop(5)
except IndexError as e:
    print("IndexError:", e)
try:
    [1, 2].remove(3)
except ValueError as e:
    print("ValueError:", e)
try:
    ["a"].index("b")
except ValueError as e:
    print("ValueError:", e)
try:
    items[3] = "w"
except IndexError as e:
    print("IndexError:", e)
big = list(range(10000))
big.extend(big)
print(len(big), big[-1], sum(big))
