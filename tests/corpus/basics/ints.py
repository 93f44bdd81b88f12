# int literals (hex/octal/binary/underscores), basic arithmetic, true vs floor division, int repr.
print(0, -0, 7, -7, 1_000_000, 0x1F, 0o17, 0b1011, 0XFF, 0B1, 0O7)
print(10 + 3, 10 - 3, 10 * 3, 10 / 3, 10 // 3, 10 % 3, 10 ** 3)
print(6 / 3, type(6 / 3), 7 / 2, -7 / 2, 1 / 8)
print(2 ** 10, 2 ** 0, 0 ** 0, (-2) ** 3, (-2) ** 4, -2 ** 2)
print(2 ** -1, 2 ** -2, 10 ** -3)
print(abs(-5), abs(5), abs(0), -(-5), +5, -0)
print(5 == 5, 5 != 6, 3 < 4, 4 <= 4, 5 > 6, 5 >= 5)
print(5 == 5.0, 5 < 5.5, 2 ** 53 == 2.0 ** 53)
print(int("42"), int("-17"), int("+8"), int("0"), str(123), repr(-45))
print(1 + 2 * 3, (1 + 2) * 3, 2 * 3 ** 2, 100 // 7 * 7 + 100 % 7)
n = 9_223_372_036_854_775_807
print(n, n + 1, -n - 1, -n - 2)
print(n * 2, n * n)
print((n + 1) // 2, (n + 1) % 1000)
print(-(-n - 1))
print(abs(-n - 1))
print(7 // 1, 7 // -1, 0 // 5, 0 % 5)
counter = 0
for i in range(1, 11):
    counter += i * i
print("sum of squares 1..10 =", counter)
x = 12345
digits = []
while x:
    digits.append(x % 10)
    x //= 10
print(digits)
print(int(3.99), int(-3.99), int(1e10), int(-0.5))
print(divmod(17, 5), divmod(-17, 5), divmod(17, -5), divmod(-17, -5))
print(isinstance(3, int), isinstance(True, int), isinstance(3.0, int))
