# Integer arithmetic: floor division and modulo sign rules, divmod, precedence of unary minus and **.
pairs = [(7, 3), (-7, 3), (7, -3), (-7, -3), (6, 3), (-6, 3), (0, 4), (1, 7), (-1, 7), (3, 100), (-3, 100)]
for a, b in pairs:
    print(a, b, "//", a // b, "%", a % b, "divmod", divmod(a, b), "check", (a // b) * b + a % b == a)
print(-2 ** 2, (-2) ** 2, 2 ** -1, 2 ** 3 ** 2, (2 ** 3) ** 2)
print(-3 // 2, -(3 // 2), -3 % 2, -(3 % 2))
print(10 - 2 - 3, 100 / 10 / 5, 2 * 3 % 4, 7 % 4 * 3)
print(1 + -2, 1 - -2, - - 3, + - 3, -(+3))
print(5 // 2 * 2, 5 // (2 * 2), 2 ** 2 ** 0)
print(17 % 5 == 17 - 5 * (17 // 5), -17 % 5 == -17 - 5 * (-17 // 5))
print(abs(-10) // 3, abs(-10 // 3))
print(12345678 * 87654321, 99999 ** 3)
print(1000000007 * 1000000009 % 998244353)
print(7 // 2.0, -7 // 2.0, 7 % 2.5, -7 % 2.5)
print(3 * True, True + 1, False * 100)
print(int("1" * 30) // 7, int("1" * 30) % 7)
print(-1 // 10 ** 20, -1 % 10 ** 20)
print(divmod(-1, 10 ** 20))
acc = 1
for k in range(1, 25):
    acc = acc * k % 1000003
print(acc)
print(sum(i % 3 - 1 for i in range(10)))
