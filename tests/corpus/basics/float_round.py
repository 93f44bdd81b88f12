# round(): half-to-even for ints and floats, ndigits positive/zero/negative, return types.
for v in [0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 2.4, 2.6, -2.6]:
    print(v, round(v), type(round(v)))
print(round(2.675, 2), round(1.005, 2), round(0.125, 2), round(0.375, 2))
print(round(3.14159, 2), round(3.14159, 3), round(3.14159, 0), round(-3.14159, 1))
print(round(1234.5678, -1), round(1234.5678, -2), round(1250.0, -2), round(1350.0, -2))
print(round(15, -1), round(25, -1), round(35, -1), round(-25, -1), round(7, 2), round(7, -5))
print(round(123456, -3), round(123500, -3), round(124500, -3))
print(round(0.1 + 0.2, 2), round(1 / 3, 5), round(2 / 3, 5))
print(round(1e20), round(-1e20, 2))
print(round(5), round(-5), type(round(5.0, 1)), type(round(5)))
print(round(0.0), round(-0.0, 1), round(0.49999999999999994))
print(round(2.5, 0), round(3.5, 0), round(-0.5, 0))
print(round(1e-10, 5), round(123.456, 10))
print(round(float("inf"), 2), round(float("-inf"), 1))
total = 0
for i in range(-10, 11):
    total += round(i / 2)
print("sum of round(i/2):", total)
print([round(x / 10, 1) for x in range(0, 30, 3)])
