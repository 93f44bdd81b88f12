# Case methods (upper lower title capitalize) and predicates (isdigit isalpha isspace isupper islower), with edge cases.
words = ["hello", "HELLO", "Hello World", "hELLO wORLD", "it's a dog's life", "123abc", "", "ünïcödé", "straße", "x1y2"]
for w in words:
    print(repr(w), w.upper(), w.lower(), w.title(), w.capitalize())
samples = ["", "abc", "ABC", "Abc", "123", "12a", " ", " \t\n", "a b", "ÄÖÜ", "3.5", "-1", "ABC1", "abc!", "a"]
for s in samples:
    print(repr(s), s.isdigit(), s.isalpha(), s.isspace(), s.isupper(), s.islower())
print("hello world foo".title(), "HELLO".capitalize(), "mIxEd".capitalize(), "a".upper())
print("don't stop".title(), "x-ray vision".title(), "o'neil mc2".title())
print("ß".upper(), "ÉCOLE".lower(), "ñandú".title())
print("Σ".lower(), "ΑΒΓ".lower(), "ς".upper())
count_upper = sum(1 for c in "Hello World ABC" if c.isupper())
print(count_upper)
def is_identifier_like(s):
    return bool(s) and (s[0].isalpha() or s[0] == "_") and all(c.isalpha() or c.isdigit() or c == "_" for c in s)
print([is_identifier_like(s) for s in ["abc", "_x1", "1abc", "", "a-b", "ok_2"]])
