# Arbitrary-precision ints: powers, factorial, mixed big/small arithmetic, negative floor-div/mod, conversions.
print(2 ** 100)
print(2 ** 64, 2 ** 64 - 1, -(2 ** 63), -(2 ** 63) - 1)
print(2 ** 200 // 2 ** 100 == 2 ** 100)
def factorial(n):
    r = 1
    for i in range(2, n + 1):
        r *= i
    return r
print(factorial(20))
print(factorial(25))
print(factorial(30))
print(factorial(30) // factorial(28), 30 * 29)
big = 10 ** 30 + 7
print(big, big + 1, big - 10 ** 30, big * 3, big * -2)
print(big // 7, big % 7, big // -7, big % -7)
print(-big // 7, -big % 7, -big // -7, -big % -7)
print(divmod(-big, 1000))
print(big // 10 ** 29, big % 10 ** 29)
print(big == 10 ** 30 + 7, big > 10 ** 30, big < 2 ** 100, -big < 0)
print(big > 1.0, 2 ** 100 == 2.0 ** 100, 2 ** 100 + 1 == 2.0 ** 100)
print(str(2 ** 128), len(str(2 ** 1000)))
print(int("123456789012345678901234567890") + 1)
print(int("-99999999999999999999999") - 1)
print(hex(2 ** 100), bin(2 ** 70), oct(2 ** 65))
print(hex(-(2 ** 70)))
print(abs(-(10 ** 25)), -(-(10 ** 25)))
print(pow(2, 100, 10 ** 9 + 7), pow(3, 200, 1000))
print((2 ** 100) >> 90, 1 << 100, (2 ** 100) & 0xFFFF, (2 ** 100 - 1) & 0xFF)
print((2 ** 100) | 1, (2 ** 100) ^ (2 ** 100 - 1))
print(~(2 ** 100), -(2 ** 100) >> 3)
x = 1
for i in range(70):
    x = x * 3
print(x)
while x > 10 ** 10:
    x //= 1000
print(x, type(x))
print(2 ** 100 / 2 ** 99, (10 ** 20) / 4)
print(float(2 ** 100), float(-(10 ** 20)))
print(int(1e20), int(2.0 ** 70))
print(sum(range(10 ** 6)), sum([2 ** 64] * 4))
print(max(2 ** 100, 3 ** 60), min(-(2 ** 100), -(3 ** 60)))
print(sorted([2 ** 65, -3, 2 ** 64, 10 ** 19, 0]))
print(round(2 ** 100), round(123456789012345678901, -5))
print(hash(2 ** 100) == hash(2 ** 100), (2 ** 100) == (2 ** 100 + 0))
