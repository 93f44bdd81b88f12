# Unicode text: code-point lengths/indexing, encode to UTF-8, and repr() quoting and escape rules.
s = "héllo wörld ✓ 😀"
print(s, len(s), s[1], s[-1], s[12], s[::-1])
print(len("😀"), len("日本語"), "日本語"[1], "日本語"[::-1], len("e\u0301"))
print(s.upper(), s.encode("utf-8"), len(s.encode()))
print("é".encode(), "€".encode("utf-8"), "😀".encode(), "abc".encode())
print([ord(c) for c in "aé€😀"], "".join(chr(c) for c in [72, 233, 8364]))
print("\u00e9" == "é", "\U0001F600" == "😀", "\x41", "\u03b1")
print(repr("plain"), repr("it's"), repr('say "hi"'), repr("both ' and \""), repr(""))
print(repr("tab\there"), repr("new\nline"), repr("cr\rx"), repr("back\\slash"), repr("nul\x00"), repr("\x7f"))
print(repr("bell\x07"), repr("esc\x1b"), repr("\x80"), repr("\xa0"), repr("é"), repr("日本"), repr("😀"))
print(repr("\u200b"), repr("a\u00a0b"))
print(str("é"), ["é", "a'b", 'a"b'], ("\n",), {"ключ": "значение"})
print("ñ" < "o", "Z" < "a" < "é", sorted(["é", "e", "f", "E"]))
print("café".find("é"), "café".replace("é", "e"), "ÇA".lower(), "straße".upper())
print("naïve".center(11, "·"), "über".ljust(6, "_") + "|", "日本".rjust(4, "*"))
print(r"raw\nstring", len(r"\n"), "\\n", len("\\n"))
print("""triple
quoted""", '''single triple''', "implicit" " concat")
print("a\
b")
print("\101\102", "\x41\x42", "\u0041")
