# Nested loops: matrix building, searching with flags and for-else, break/continue in inner loops.
matrix = []
for r in range(4):
    row = []
    for c in range(5):
        row.append(r * c)
    matrix.append(row)
for row in matrix:
    print(" ".join(str(v).rjust(2) for v in row))
target = 6
found = None
for r, row in enumerate(matrix):
    for c, v in enumerate(row):
        if v == target:
            found = (r, c)
            break
    if found:
        break
print("found", target, "at", found)
for r in range(3):
    for c in range(3):
        if c == 1:
            continue
        print(r, c, end="; ")
    print("| row", r, "done")
for a in range(1, 20):
    for b in range(a, 20):
        c2 = a * a + b * b
        c = int(c2 ** 0.5)
        if c * c == c2 and c < 20:
            print("pythagorean", a, b, c)
transposed = []
for c in range(5):
    transposed.append([matrix[r][c] for r in range(4)])
print(transposed)
count = 0
for i in range(10):
    for j in range(10):
        for k in range(10):
            if i + j + k == 10:
                count += 1
print("triples summing to 10:", count)
words = ["apple", "kiwi", "banana"]
for w in words:
    for ch in w:
        if ch in "aeiou":
            print(w, "first vowel", ch)
            break
    else:
        print(w, "no vowel")
i = 0
while i < 3:
    for j in range(3):
        if j > i + 1:
            break
    else:
        print("inner for-else", i)
    i += 1
print("end")
