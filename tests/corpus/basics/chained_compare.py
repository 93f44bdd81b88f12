# Chained comparisons, including short-circuiting and single evaluation of middle operands.
print(1 < 2 < 3, 1 < 3 < 2, 3 > 2 > 1, 1 < 2 > 0)
print(1 == 1 == 1, 1 == 1 == 2, 1 != 2 != 1)
print(0 <= 5 <= 10, 0 <= 15 <= 10, -1 < 0 <= 0 < 1)
x = 5
print(1 < x < 10, 1 < x < 3, x == 5 > 4 >= 4)
print(1 < 2 < 3 < 4 < 5, 1 < 2 < 3 < 2 < 5)
print("a" < "b" < "c", "b" < "a" < "c")
print(2 in [1, 2] in [[1, 2]], 3 not in [1, 2] is not None)
def val(name, v):
    print("eval", name)
    return v
print(val("a", 1) < val("b", 2) < val("c", 3))
print(val("a", 1) < val("b", 0) < val("c", 3))
print(val("a", 5) > val("b", 4) > val("c", 6) > val("d", 0))
a = [1]
b = a
c = [1]
print(a is b is not c, a == c is not b)
print(1 < 2.5 < 3, 1.0 == 1 == True)
print((1 < 2) < 3, 1 < (2 < 3))
print(not 1 < 2 < 3, not (1 > 2))
r = 0 < x < 10 and x % 2 == 1
print(r)
