# find/rfind/index/count/startswith/endswith, including start/end arguments, tuples of prefixes, and not-found cases.
s = "the cat sat on the mat"
print(s.find("at"), s.rfind("at"), s.find("dog"), s.rfind("dog"), s.find(""), s.rfind(""))
print(s.find("at", 6), s.find("at", 6, 10), s.find("at", 6, 9), s.rfind("at", 0, 10), s.find("the", 1))
print(s.find("t", -5), s.rfind("t", -10, -3), s.find("", 100), s.find("", 5))
print(s.index("cat"), s.rindex("the"), s.index("a", 10))
print(s.count("at"), s.count("the"), s.count("t"), s.count("xyz"), s.count(""), "".count(""), "aaaa".count("aa"))
print(s.count("a", 10), s.count("a", 0, 10), s.count("t", -3))
print(s.startswith("the"), s.startswith("cat"), s.startswith("cat", 4), s.startswith(""), s.startswith(("a", "t")))
print(s.endswith("mat"), s.endswith("the"), s.endswith("the", 0, 18), s.endswith(("dog", "mat")), s.endswith(()))
print("abc".startswith("abcd"), "".startswith(""), "".endswith("x"))
try:
    s.index("dog")
except ValueError as e:
    print("ValueError:", e)
try:
    s.rindex("dog")
except ValueError as e:
    print("ValueError:", e)
text = "a-b-c-d"
positions = []
i = text.find("-")
while i != -1:
    positions.append(i)
    i = text.find("-", i + 1)
print(positions)
print("héllo wörld".find("ö"), "héllo".index("l"), "日本語テキスト".find("テ"), "日本語".count("本"))
files = ["report.pdf", "image.PNG", "notes.txt", "archive.tar.gz"]
print([f for f in files if f.lower().endswith((".png", ".pdf"))])
print([f.rfind(".") for f in files], [f[f.rfind(".") + 1:] for f in files])
print("banana".find("na"), "banana".rfind("na"), "banana".count("na"), "banana".count("a", 2, 5))
print("x" in "xyz", "xyz".find("yz") >= 0, "aAaA".count("a"), "aAaA".lower().count("a"))
