# while loops with break, continue, else (run only without break), and nested loops.
i = 0
while i < 5:
    print("i =", i)
    i += 1
else:
    print("while-else ran, i =", i)
i = 0
while i < 10:
    i += 1
    if i % 2 == 0:
        continue
    if i > 7:
        print("breaking at", i)
        break
    print("odd", i)
else:
    print("not printed")
while False:
    print("never")
else:
    print("else of a never-run loop")
n = 27
steps = 0
while n != 1:
    n = n // 2 if n % 2 == 0 else 3 * n + 1
    steps += 1
print("collatz steps for 27:", steps)
a, b = 0, 1
fibs = []
while len(fibs) < 15:
    fibs.append(a)
    a, b = b, a + b
print(fibs)
outer = 0
while outer < 3:
    inner = 0
    while True:
        inner += 1
        if inner > outer:
            break
    print("outer", outer, "inner", inner)
    outer += 1
count = 0
while True:
    count += 1
    if count == 1000:
        break
print("count", count)
stack = [1, [2, [3, [4]]]]
depth = 0
while stack:
    depth += 1
    stack = stack[-1] if isinstance(stack[-1], list) else []
print("depth", depth)
x = 100
while x > 1:
    x //= 3
    if x == 11:
        continue
    print("x", x)
