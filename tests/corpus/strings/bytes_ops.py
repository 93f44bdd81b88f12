# bytes: literals, repr escaping, indexing gives ints, slicing, concatenation, decode, hex, bytes() constructors.
b = b"hello"
print(b, repr(b), len(b), b[0], b[-1], b[1:3], b[::-1], b[::2])
print(type(b[0]), type(b[0:1]), b[0:1] == b"h", b[0] == 104)
print(b + b" world", b * 2, b"" + b"", b"abc" == b"abc", b"abc" < b"abd")
print(b"\x00\x01\x7f\x80\xff", b"\n\t\r\\", b"'", b'"', b"'\"", b"\x41BC")
print(repr(b"it's"), repr(b'say "hi"'), repr(b"both ' \""))
print(b.decode(), b.decode("utf-8"), "héllo".encode().decode(), b"caf\xc3\xa9".decode())
print(b.hex(), b"\x00\xff\x10".hex(), b"".hex(), bytes(range(5)).hex())
print(bytes(3), bytes([1, 2, 255]), bytes(range(65, 70)), bytes("é", "utf-8"), bytes(b"copy"))
print(list(b"AZ"), [c for c in b"\x01\x02"], sum(b"\x01\x02\x03"), max(b"abc"))
print(b"ll" in b, 108 in b, 120 in b, b.find(b"l"), b.count(b"l"), b.index(b"o"))
print(b.upper(), b"  x  ".strip(), b"a,b".split(b","), b"-".join([b"a", b"b"]), b.replace(b"l", b"L"))
print(b.startswith(b"he"), b.endswith(b"lo"), b"123".isdigit(), b"abc".isalpha())
print("😀".encode(), len("😀".encode()), "😀".encode().hex())
print(str(b"x"), f"{b'fmt'}", "%s" % b"pct", "%r" % b"pct")
print(b"abc"[1:] + bytes([100]), bytes(reversed(b"abc")))
data = "naïve café".encode("utf-8")
print(data, len(data), data.decode("utf-8"))
print(b"\xe2\x82\xac".decode(), b"\xf0\x9f\x98\x80".decode())
print([b"b", b"a"] < [b"b", b"b"], sorted([b"b", b"a", b"A"]))
print(bytes([0x68, 0x69]) == b"hi", b"hi" == "hi", b"" == bytes())
try:
    b[0] = 1
except TypeError as e:
    print("TypeError:", e)
try:
    b + "s"
except TypeError as e:
    print("TypeError:", e)
try:
    bytes([256])
except ValueError as e:
    print("ValueError:", e)
try:
    b"\xff\xfe".decode("utf-8")
except UnicodeDecodeError as e:
    print("UnicodeDecodeError:", e)
try:
    b[10]
except IndexError as e:
    print("IndexError:", e)
