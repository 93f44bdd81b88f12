# strip/lstrip/rstrip (default and char sets), replace (with count), center/ljust/rjust (fill chars), zfill.
s = "  \t padded \n "
print(repr(s.strip()), repr(s.lstrip()), repr(s.rstrip()))
print(repr("xxhixx".strip("x")), repr("xxhixx".lstrip("x")), repr("xxhixx".rstrip("x")))
print(repr("abcHELLOcba".strip("abc")), repr("www.example.com".strip("w.com")), repr("".strip()), repr("   ".strip()))
print(repr("123abc321".strip("0123456789")), repr("hello".strip("")), repr("aaa".strip("a")))
print("hello world".replace("o", "0"), "hello world".replace("l", "L", 2), "aaa".replace("a", "bb"))
print("abc".replace("", "-"), "abc".replace("x", "y"), "aaaa".replace("aa", "b"), "abc".replace("b", ""))
print("one one one".replace("one", "two", 0), "one one one".replace("one", "two", -1))
print("[" + "hi".center(10) + "]", "[" + "hi".center(9) + "]", "[" + "hi".center(1) + "]", "[" + "odd".center(8, "*") + "]")
print("[" + "left".ljust(10) + "]", "[" + "right".rjust(10) + "]", "[" + "x".ljust(5, ".") + "]", "[" + "y".rjust(5, "0") + "]")
print("[" + "toolong".ljust(3) + "]", "[" + "abc".center(6, "-") + "]", "[" + "abc".center(7, "-") + "]")
print("42".zfill(5), "-42".zfill(5), "+7".zfill(4), "abc".zfill(5), "12345".zfill(3), "".zfill(2), "-".zfill(3))
table = [("apple", 1.5), ("kiwi", 12.25), ("watermelon", 3.0)]
for name, price in table:
    print(name.ljust(12, ".") + str(price).rjust(8))
print("=" * 20)
print("|" + "title".upper().center(18) + "|")
text = "  messy   spacing   here  "
print(repr(" ".join(text.split())))
print(repr("\u00a0nbsp\u00a0".strip()), repr("\x0bvt\x0c".strip()))
path = "/a/b/c/"
print(path.strip("/"), path.rstrip("/"), path.lstrip("/"))
print("mississippi".replace("ss", "SS").replace("i", "!", 2))
