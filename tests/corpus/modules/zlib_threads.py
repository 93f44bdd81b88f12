# zlib.compress/decompress from several threads at once (they release the GIL): every result
# round-trips, and errors still raise zlib.error in the calling thread.
import threading
import zlib

results = {}


def worker(i):
    data = (str(i) * 1000 + "payload " * 5000).encode() * (i + 1)
    ok = True
    for level in (1, 6, 9):
        for wbits in (15, -15, 31):
            c = zlib.compress(data, level, wbits)
            ok = ok and zlib.decompress(c, wbits) == data
    ok = ok and zlib.decompress(zlib.compress(data), 47) == data
    try:
        zlib.decompress(b"not zlib data")
    except zlib.error as e:
        err = str(e)
    results[i] = (len(data), ok, err)


threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for i in sorted(results):
    print(i, results[i])
