# Producer/consumer: several producers and workers over bounded queues, sentinels, results summed and sorted after join.
import queue
import threading

jobs = queue.Queue(maxsize=4)
results = queue.Queue()
N_WORKERS = 4
N_PRODUCERS = 2
PER_PRODUCER = 50


def producer(p):
    for i in range(PER_PRODUCER):
        jobs.put(p * 1000 + i)


def worker(w):
    count = 0
    total = 0
    while True:
        item = jobs.get()
        if item is None:
            jobs.task_done()
            break
        total += item * 2
        count += 1
        results.put(item)
        jobs.task_done()
    results.put(("done", w, count > -1))
    sums[w] = (count, total)


sums = {}
workers = [threading.Thread(target=worker, args=(w,), name=f"worker-{w}") for w in range(N_WORKERS)]
producers = [threading.Thread(target=producer, args=(p,)) for p in range(N_PRODUCERS)]
for t in workers + producers:
    t.start()
for p in producers:
    p.join()
jobs.join()
print("all jobs processed, unfinished:", jobs.unfinished_tasks)
for _ in workers:
    jobs.put(None)
for w in workers:
    w.join()

items = []
done = []
while not results.empty():
    r = results.get_nowait()
    if isinstance(r, tuple):
        done.append(r)
    else:
        items.append(r)
expected = sorted([p * 1000 + i for p in range(N_PRODUCERS) for i in range(PER_PRODUCER)])
print(len(items), sorted(items) == expected, sum(items))
print(sorted(done))
print("counts add up:", sum([c for c, _ in sums.values()]), "total:", sum([t for _, t in sums.values()]))
print(sorted(sums) == list(range(N_WORKERS)), jobs.empty(), threading.active_count())

# Pipeline of two stages joined by a small bounded queue.
stage1 = queue.Queue()
stage2 = queue.Queue(maxsize=2)
out = []


def square():
    while True:
        x = stage1.get()
        if x is None:
            stage2.put(None)
            return
        stage2.put(x * x)


def collect():
    while True:
        y = stage2.get()
        if y is None:
            return
        out.append(y)


a = threading.Thread(target=square)
c = threading.Thread(target=collect)
a.start()
c.start()
for x in range(10):
    stage1.put(x)
stage1.put(None)
a.join()
c.join()
print(sorted(out), sum(out))
