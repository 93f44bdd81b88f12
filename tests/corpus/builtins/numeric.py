# Numeric builtins: abs, round, divmod, pow (2- and 3-arg, negative exponents), hex/bin/oct, chr/ord.
print(abs(-3), abs(3.5), abs(-0.0), abs(-(2 ** 80)), abs(False), abs(-True))
print(divmod(7, 2), divmod(-7, 2), divmod(7, -2), divmod(7.5, 2), divmod(0, 3))
print(pow(2, 10), pow(2, -2), pow(-2, 3), pow(2.0, 3), pow(4, 0.5), pow(0, 0))
print(pow(3, 4, 5), pow(2, 100, 13), pow(-3, 3, 7), pow(5, 0, 1), pow(7, 2, -5))
print(pow(3, -1, 7), pow(10, -2, 7), 3 * pow(3, -1, 7) % 7)
print(hex(0), hex(255), hex(-255), hex(2 ** 40), hex(3735928559))
print(bin(0), bin(5), bin(-5), bin(2 ** 10), bin(True))
print(oct(0), oct(8), oct(-8), oct(511))
print(int(hex(12345), 16), int(bin(99), 2), int(oct(77), 8), int("0x1A", 0), int("0b101", 0), int("0o17", 0))
print(chr(65), chr(97), chr(48), chr(32) + "|", chr(233), chr(8364), chr(128512))
print(ord("A"), ord("z"), ord("0"), ord(" "), ord("é"), ord("€"), ord("😀"), ord("\n"))
print("".join(chr(ord(c) + 1) for c in "HAL"))
print([ord(c) - ord("a") for c in "hello"])
print(round(2.5), round(3.5), round(-1.5), round(7.25, 1), round(7.35, 1), round(12345, -2))
print(round(10 ** 20 + 5, -1), round(-7.5), round(1.23456789, 4))
print(abs(-7) == 7, divmod(100, 7)[0] * 7 + divmod(100, 7)[1])
print(max(abs(x) for x in [-10, 3, 7]), sum(divmod(17, 5)))
print(hex(ord("a")), bin(ord(" ")), chr(int("41", 16)))
print(int(2.5) + int(-2.5), float(7), int("  -0  "), -int("5"))
try:
    pow(2, -1, 4)
except ValueError as e:
    print("ValueError:", e)
try:
    chr(0x110000)
except ValueError as e:
    print("ValueError:", e)
try:
    divmod(1, 0)
except ZeroDivisionError as e:
    print("ZeroDivisionError:", e)
try:
    hex(1.5)
except TypeError as e:
    print("TypeError:", e)
