# initializer/initargs run once in each worker; an initializer that raises breaks the pool:
# the queued futures fail with BrokenThreadPool and later submits raise it.
# corpus: err_last
import threading
from concurrent.futures import ThreadPoolExecutor, BrokenExecutor
from concurrent.futures.thread import BrokenThreadPool

local = threading.local()
inits = []


def init(tag, n):
    local.tag = f"{tag}-{n}"
    inits.append(tag)


with ThreadPoolExecutor(max_workers=1, initializer=init, initargs=("w", 7)) as ex:
    print([ex.submit(lambda: local.tag).result() for _ in range(3)])
print("initializer calls:", inits)


def bad_init():
    raise ValueError("init failed")


ex = ThreadPoolExecutor(max_workers=1, initializer=bad_init)
f = ex.submit(pow, 2, 3)
try:
    f.result()
except BrokenThreadPool as e:
    print("BrokenThreadPool:", e, isinstance(e, BrokenExecutor), isinstance(e, RuntimeError))
try:
    ex.submit(pow, 2, 3)
except BrokenThreadPool as e:
    print("submit raised:", e)
ex.shutdown()
