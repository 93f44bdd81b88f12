# open(): write then read text and binary files under /tmp with `with`, append mode, readlines, iteration, errors.
import os
base = "/tmp/gilsim_corpus_file_io_" + str(os.getpid())
text_path = base + ".txt"
bin_path = base + ".bin"
with open(text_path, "w") as f:
    n = f.write("first line\n")
    f.write("second line ✓\n")
    f.write("third")
print("write returned", n)
with open(text_path) as f:
    content = f.read()
print(repr(content), len(content))
with open(text_path, "r") as f:
    lines = f.readlines()
print(lines)
with open(text_path) as f:
    for i, line in enumerate(f):
        print(i, repr(line))
with open(text_path, "a") as f:
    f.write("\nappended")
with open(text_path) as f:
    print(f.read().splitlines())
with open(text_path) as f:
    print(repr(f.readline()), repr(f.readline()))
with open(text_path, "w") as f:
    f.write("overwritten")
with open(text_path) as f:
    print(f.read())
payload = bytes(range(0, 256, 15)) + b"\x00\xff"
with open(bin_path, "wb") as f:
    print("wrote", f.write(payload), "bytes")
with open(bin_path, "rb") as f:
    back = f.read()
print(back, type(back), back == payload, len(back))
with open(text_path, "rb") as f:
    print(f.read())
with open(text_path, "w") as a, open(bin_path, "wb") as b:
    a.write("two files")
    b.write(b"at once")
with open(text_path) as a, open(bin_path, "rb") as b:
    print(a.read(), b.read())
f = open(text_path)
print(f.closed)
f.close()
print(f.closed)
with open(text_path) as g:
    pass
print(g.closed)
try:
    open("/nonexistent_gilsim_dir/missing.txt")
except FileNotFoundError as e:
    print("FileNotFoundError:", e)
try:
    open("/nonexistent_gilsim_dir/missing.txt")
except OSError as e:
    print("caught as OSError:", type(e) is FileNotFoundError)
os.remove(text_path)
os.remove(bin_path)
print("cleaned up")
