# printf-style % formatting: d s r f e x o %, widths, precision, flags, tuples vs single values, dict mapping.
print("%d %s %.2f %5r %-5s|%05d %x %o %e %%" % (42, "str", 3.14159, "r", "left", 42, 255, 8, 12345.678))
print("%d" % 3.99, "%d" % -3.99, "%i" % 7, "%d" % True, "%s" % True, "%d" % (2 ** 70))
print("%5d|%-5d|%05d|%+d|%+d|% d" % (42, 42, 42, 42, -42, 42))
print("%x %X %#x %#X %o %#o %x" % (255, 255, 255, 255, 8, 8, -255))
print("%f %.0f %.1f %.3f %10.3f|%-10.2f|%+.2f" % (1.5, 2.5, 0.05, 2 / 3, 3.14159, 2.5, 1))
print("%e %.2e %E %.0e" % (12345.678, 0.000123, 1e20, 5e10))
print("%g %g %g %g %g %g" % (0.0001, 0.00001, 123456, 1234567, 1.5, 100.0))
print("%s %s %s %s" % (None, [1, 2], (3,), {"a": 1}))
print("%r %r %r" % ("it's", 'q"q', 1.0))
print("%s" % "single", "%s" % ("tuple-wrapped",), "%s" % [1, 2], "%s and %s" % ("a", "b"))
print("%(name)s is %(age)d years" % {"name": "Ann", "age": 30})
print("%c%c%c" % (72, "i", 33))
print("%3s|%-3s|%.2s|%5.1s|" % ("a", "b", "abcdef", "xyz"))
print("%.3s" % "hello", "%6d" % 42)
print("%%d literally" % (), "100%%" % ())
print("%s" % (1, ) + "%s" % 2)
print("%.2f%%" % 99.5, "%d%%" % 50)
print("%5.1f" % 3.14159, "%-8.3f|" % 2.0, "%08.2f" % -3.5)
print("%s %s" % ("x", 1) == "x 1")
for value in [0, 1, -1, 255, 65535, 10 ** 12]:
    print("%12d %12x %#14o %s" % (value, value, value, value))
try:
    print("%d %d" % (1,))
except TypeError as e:
    print("TypeError:", e)
try:
    print("%d" % (1, 2))
except TypeError as e:
    print("TypeError:", e)
try:
    print("%d" % "x")
except TypeError as e:
    print("TypeError:", e)
try:
    print("%(missing)s" % {"a": 1})
except KeyError as e:
    print("KeyError:", e)
print("%.1f %.1f %.1f %.1f" % (0.25, 0.35, 2.5, -0.05))
print("%.0f %.0f %.0f %.0f" % (0.5, 1.5, 2.5, -0.5))
