# String indexing and slicing: negative indices, steps, reversed, out-of-range slices, immutability error.
s = "Hello, World"
print(s[0], s[4], s[-1], s[-5], s[len(s) - 1])
print(s[0:5], s[7:], s[:5], s[:], s[-5:], s[:-7])
print(s[::2], s[1::2], s[::-1], s[::-2], s[-1:-6:-1], s[5:0:-1])
print(repr(s[5:2]), repr(s[100:]), s[-100:3], s[3:100], repr(s[3:3]))
print(s[2:10:3], s[10:2:-3], s[::5], s[-3::-4])
print(s[0:len(s):1] == s, s[:3] + s[3:] == s)
for i in range(-3, 3):
    print(i, repr(s[i]), repr(s[i:]), repr(s[:i]))
word = "racecar"
print(word == word[::-1], "python"[::-1], "ab"[::-1] * 2)
print("abcdef"[1:-1], "abcdef"[-2:], "abcdef"[::3], "abcdef"[4:1:-1])
t = "x"
print(t[0], t[-1], t[:1], repr(t[1:]), repr(""[:5]), repr(""[::-1]))
try:
    s[12]
except IndexError as e:
    print("IndexError:", e)
try:
    s[-13]
except IndexError as e:
    print("IndexError:", e)
try:
    s[0] = "h"
except TypeError as e:
    print("TypeError:", e)
try:
    s["a"]
except TypeError as e:
    print("TypeError:", e)
try:
    s[::0]
except ValueError as e:
    print("ValueError:", e)
print(s[True], s[False:True + 2])
print([c for c in "abc"], list("héllo"[1:4]))
print("".join(s[i] for i in range(0, len(s), 3)))
print(s[slice(0, 5)], s[slice(None, None, -3)], slice(1, 5, 2), slice(3))
