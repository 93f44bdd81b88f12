# Bitwise operators on ints (including negatives and big ints) and bools.
a, b = 0b1100, 0b1010
print(a & b, a | b, a ^ b, ~a, ~b, ~0, ~-1)
print(bin(a & b), bin(a | b), bin(a ^ b))
print(1 << 0, 1 << 10, 1 << 64, 1 << 100, 5 << 3)
print(1024 >> 3, 1 >> 1, -1 >> 1, -1 >> 100, -8 >> 1, -9 >> 1, -1024 >> 3)
print(-5 & 0xFF, -5 | 0, -5 ^ 1, -1 & 2 ** 70)
print(-6 & -4, -6 | -4, -6 ^ -4)
print(0xF0F0 & 0x0FF0, 0xF0F0 | 0x0FF0, 0xF0F0 ^ 0x0FF0)
print((2 ** 64 + 5) & 0xF, (2 ** 64) | 3, (2 ** 65) ^ (2 ** 64))
print(~(2 ** 64), -(2 ** 64) >> 60, (2 ** 100) >> 98)
print(True & True, True & False, True | False, True ^ True, ~True, ~False)
print(type(True & True), type(True & 1), 3 & True)
print(1 | 2 ^ 3 & 4, (1 | 2) ^ (3 & 4), 1 + 2 << 3, 1 + (2 << 3))
print(6 & 3 == 2, (6 & 3) == 2)
x = 0
for bit in [0, 3, 5, 63, 64]:
    x |= 1 << bit
print(x, bin(x))
popcount = 0
y = x
while y:
    popcount += y & 1
    y >>= 1
print("popcount", popcount)
mask = (1 << 8) - 1
for v in [0, 1, 255, 256, 1000, -1]:
    print(v, v & mask, hex(v & mask))
try:
    print(1 << -1)
except ValueError as e:
    print("ValueError:", e)
