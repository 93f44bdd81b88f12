# zlib: crc32 values (incl. running crc), compress/decompress round-trips (compressed bytes are not printed).
import zlib
print(zlib.crc32(b""), zlib.crc32(b"hello"), zlib.crc32(b"hello world"), zlib.crc32(b"The quick brown fox jumps over the lazy dog"))
print(zlib.crc32(b"world", zlib.crc32(b"hello ")) == zlib.crc32(b"hello world"))
print(zlib.crc32(bytes(range(256))), zlib.crc32(b"a" * 100000), hex(zlib.crc32(b"123456789")))
data = b"abcabcabc" * 1000
comp = zlib.compress(data)
print(type(comp), len(comp) < len(data), zlib.decompress(comp) == data)
for payload in [b"", b"x", "unicode ✓ text".encode(), bytes(range(256)) * 4]:
    c = zlib.compress(payload)
    print(len(payload), zlib.decompress(c) == payload)
c9 = zlib.compress(data, 9)
c1 = zlib.compress(data, 1)
print(zlib.decompress(c9) == data, zlib.decompress(c1) == data)
text = ("lorem ipsum dolor sit amet " * 50).encode()
print(len(text), len(zlib.compress(text)) < len(text) // 5, zlib.decompress(zlib.compress(text)).decode()[:11])
