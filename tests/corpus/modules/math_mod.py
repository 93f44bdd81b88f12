# math module: constants, sqrt/floor/ceil/gcd/factorial/isqrt, log/exp/trig at exact points, isclose, hypot, fabs, inf/nan.
import math
print(math.pi, math.e, math.inf, -math.inf, math.nan)
print(math.sqrt(16), math.sqrt(2), math.sqrt(0.25), math.sqrt(10 ** 10), math.sqrt(0.0))
print(math.floor(2.7), math.floor(-2.7), math.floor(5), math.ceil(2.1), math.ceil(-2.1), math.ceil(7))
print(type(math.floor(2.5)), type(math.ceil(2.5)), math.floor(1e20), math.ceil(-0.5))
print(math.gcd(12, 18), math.gcd(0, 5), math.gcd(-12, 18), math.gcd(2 ** 100, 6 ** 50), math.gcd(0, 0))
print(math.factorial(0), math.factorial(10), math.factorial(30))
print(math.isqrt(0), math.isqrt(15), math.isqrt(16), math.isqrt(10 ** 30), math.isqrt(2 ** 101))
print(math.log(1), math.log(math.e), math.log(100, 10), math.log(8, 2), math.log(1024, 2), math.log(0.5))
print(math.exp(0), math.exp(1) == math.e, round(math.exp(2), 10), round(math.log(10), 12))
print(math.sin(0), math.cos(0), round(math.sin(math.pi / 2), 12), round(math.cos(math.pi), 12))
print(round(math.sin(math.pi / 6), 12), round(math.cos(math.pi / 3), 12), round(math.sin(-math.pi / 2), 12))
print(math.isclose(0.1 + 0.2, 0.3), math.isclose(1.0, 1.1), math.isclose(1.0, 1.05, rel_tol=0.1), math.isclose(0, 1e-12))
print(math.isclose(0, 1e-12, abs_tol=1e-9), math.isclose(math.inf, math.inf), math.isclose(math.nan, math.nan))
print(math.hypot(3, 4), math.hypot(5, 12), math.hypot(0, 0), math.hypot(1, 1) == math.sqrt(2))
print(math.fabs(-3), math.fabs(2.5), math.fabs(-0.0), type(math.fabs(-3)))
print(math.inf > 10 ** 300, -math.inf < -1e308, math.inf == float("inf"), math.nan != math.nan)
print(math.floor(-0.0), math.sqrt(1e-300) > 0, math.sqrt(math.inf), math.fabs(-math.inf))
print(math.gcd(math.factorial(20), 2 ** 70), math.isqrt(math.factorial(20)), math.exp(-math.inf))
for bad in [lambda: math.sqrt(-1), lambda: math.log(0), lambda: math.factorial(-1), lambda: math.isqrt(-4)]:
    try:
        bad()
    except ValueError as e:
        print("ValueError:", e)
try:
    math.floor(math.inf)
except OverflowError as e:
    print("OverflowError:", e)
try:
    math.exp(1000)
except OverflowError as e:
    print("OverflowError:", e)
