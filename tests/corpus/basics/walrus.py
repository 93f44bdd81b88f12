# Assignment expressions (:=) in if, while, comprehensions and calls.
data = [3, 8, 1, 9, 4]
if (n := len(data)) > 3:
    print("long list", n)
print(n)
items = list(range(5))
while (item := items.pop()) > 1:
    print("popped", item)
print("stopped at", item, items)
values = [y for x in data if (y := x * 2) > 6]
print(values, y)
print((z := 10) + z)
def compute(v):
    print("compute", v)
    return v * v
results = [r for v in range(4) if (r := compute(v)) % 2 == 0]
print(results)
text = "hello world"
if (idx := text.find("o")) != -1:
    print("found at", idx)
total = 0
count = 0
while (count := count + 1) <= 5:
    total += count
print(total, count)
print([(a := i) * a for i in range(4)], a)
