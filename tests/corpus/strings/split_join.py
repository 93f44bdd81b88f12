# split/rsplit (sep, maxsplit, whitespace rules), join, splitlines (keepends), partition.
print("a b  c".split(), "  lead and trail  ".split(), "".split(), "   ".split())
print("a,b,,c".split(","), ",".split(","), "".split(","), "abc".split(","))
print("a b c d".split(" ", 1), "a b c d".split(maxsplit=2), "a b c d".rsplit(" ", 1), "a b c d".rsplit(maxsplit=2))
print("a::b::c".split("::"), "a::b::c".rsplit("::", 1), "x--y--z".split("--", 0))
print("one\ttwo\nthree  four\r\nfive".split())
print("1 2 3".split(" "), " 1  2 ".split(" "))
print("k=v=w".split("=", 1), "k=v=w".rsplit("=", 1), "aaa".split("a"), "banana".split("an"))
print(",".join(["a", "b", "c"]), "".join(["x", "y"]), " - ".join("abc"), ", ".join([]), "|".join(["solo"]))
print("\n".join(["line1", "line2"]))
print("-".join(str(i) for i in range(5)), "+".join(map(str, [1, 2, 3])))
print("line1\nline2\r\nline3\rline4".splitlines())
print("line1\nline2\n".splitlines(), "".splitlines(), "\n".splitlines(), "no newline".splitlines())
print("a\nb\r\nc\n".splitlines(True), "x\n\ny".splitlines(keepends=True))
print("key: value: more".partition(": "), "no sep here".partition(":"), ":start".partition(":"))
print("a.b.c".partition("."), "end.".partition("."))
head, sep, tail = "user@example.com".partition("@")
print(head, sep, tail)
csv = "name,age,city\nann,30,paris\nbob,25,rome"
rows = [line.split(",") for line in csv.splitlines()]
print(rows)
header, *records = rows
print([dict(zip(header, r)) for r in records])
words = "the quick brown fox jumps over the lazy dog".split()
print(len(words), " ".join(reversed(words)), " ".join(w.capitalize() for w in words))
print("/".join("usr/local/bin".split("/")[::-1]))
try:
    "a".split("")
except ValueError as e:
    print("ValueError:", e)
try:
    ",".join([1, 2])
except TypeError as e:
    print("TypeError:", e)

# Results built from known-ASCII parts keep counting code points right beside non-ASCII ones.
x = "-".join(["ab", "é", "c"])
print(x, len(x), x[2], "é b".split(), len("é b".split()[0]), "ÉA".lower(), "é".upper(), len(",".join(["a"])), ", ".join(("x","y")))
try:
    "-".join(["a", 1])
except TypeError as e:
    print(e)
l = ["a"]
print("".join(l * 3), "|".join(iter(["p", "q"])))
