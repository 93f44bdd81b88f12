# time module: only order facts and types, never actual values.
import time
t1 = time.time()
p1 = time.perf_counter()
time.sleep(0.05)
t2 = time.time()
p2 = time.perf_counter()
print(type(t1), type(p1))
print(t2 >= t1, p2 > p1, p2 - p1 >= 0.04, t2 - t1 < 30)
print(t1 > 1600000000)
time.sleep(0)
start = time.perf_counter()
total = 0
for i in range(10000):
    total += i
elapsed = time.perf_counter() - start
print(total, elapsed >= 0, elapsed < 20)
stamps = [time.time() for _ in range(5)]
print(all(a <= b for a, b in zip(stamps, stamps[1:])))
