# Float arithmetic: mixed int/float, float floor-div/mod signs, inf/nan propagation, zero signs.
print(1 + 2.0, 3 * 0.5, 10 / 4, 9 / 3, 1 - 0.9)
print(7.5 // 2, -7.5 // 2, 7.5 // -2, 7.5 % 2, -7.5 % 2, 7.5 % -2, -7.5 % -2)
print(divmod(5.5, 1.5), divmod(-5.5, 1.5))
print(0.5 ** 2, 2 ** 0.5 * 2 ** 0.5, 9 ** 0.5, 8 ** (1 / 3))
print(1e300 * 1e10, -1e300 * 1e10, 1e-300 * 1e-300, -1e-300 * 1e-300)
inf = float("inf")
nan = float("nan")
print(inf + inf, inf - inf, inf * 0, 0 * inf, inf / inf)
print(nan + 1, nan * 0, max(1.0, 2.0), min(-0.0, 0.0))
print(inf == inf, -inf == -inf, inf > 10 ** 400, -inf < -(10 ** 400))
print(nan == nan, nan is nan, [nan] == [nan])
print(0.0 == -0.0, -0.0 < 0.0, 1 / inf, -1 / inf, 0.0 * -5)
print(abs(-2.5), -(-0.0), -(0.0))
print(3.0 == 3, 3.0 != 3, 0.1 + 0.2 == 0.3)
print(1.5 + 2 ** 60, 2 ** 60 + 0.0)
print(10 ** 20 / 10 ** 10, 10 ** 30 / 3, 1 / 10 ** 30)
print(7 / 7, -7 / 7, 0 / 5, 0 / -5)
print(2.5 * 4 == 10, 0.1 * 10 == 1.0, 1e16 + 1 == 1e16)
x = 1.0
for _ in range(60):
    x /= 2
print(x, x * 2 ** 60)
print(round(3.7 + 0.2, 10), 3.7 + 0.2)
print(-0.0 * 0, 0.0 - 0.0, -0.0 - 0.0, -0.0 + -0.0)
print(1e308 + 1e308, (1e308 + 1e308) - 1e308)
print(5 % -0.5, float(7) // 1, -float(7) // 1)
try:
    print(1.0 / 0)
except ZeroDivisionError as e:
    print("ZeroDivisionError:", e)
try:
    print(1.0 // 0.0)
except ZeroDivisionError as e:
    print("ZeroDivisionError:", e)
try:
    print(1.0 % 0.0)
except ZeroDivisionError as e:
    print("ZeroDivisionError:", e)
try:
    print(float(10 ** 400))
except OverflowError as e:
    print("OverflowError:", e)
try:
    print(10 ** 400 / 1)
except OverflowError as e:
    print("OverflowError:", e)
