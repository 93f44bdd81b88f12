# queue: FIFO order, maxsize with put_nowait/put(timeout) -> Full, get_nowait/get(timeout) -> Empty, task_done/join, Lifo, Priority, Simple.
import queue
import threading

q = queue.Queue()
for i in range(5):
    q.put(i)
print(q.qsize(), q.empty(), q.full(), [q.get() for _ in range(5)], q.empty())

try:
    q.get_nowait()
except queue.Empty as e:
    print("get_nowait on empty:", type(e).__name__, repr(str(e)))
try:
    q.get(timeout=0.01)
except queue.Empty:
    print("get(timeout) on empty: Empty")
try:
    q.get(block=False)
except queue.Empty:
    print("get(block=False) on empty: Empty")
try:
    q.get(timeout=-1)
except ValueError as e:
    print("ValueError:", e)
print(issubclass(queue.Empty, Exception), issubclass(queue.Full, Exception))

b = queue.Queue(maxsize=2)
b.put("a")
b.put_nowait("b")
print(b.full(), b.qsize(), b.maxsize)
try:
    b.put_nowait("c")
except queue.Full as e:
    print("put_nowait on full:", type(e).__name__, repr(str(e)))
try:
    b.put("c", timeout=0.01)
except queue.Full:
    print("put(timeout) on full: Full")
try:
    b.put("c", block=False)
except queue.Full:
    print("put(block=False) on full: Full")
print(b.get_nowait(), b.full())
b.put("c")
print([b.get() for _ in range(2)], b.empty())

# A blocked put() resumes when a consumer makes room.
side = []
b.put(1)
b.put(2)


def late_putter():
    b.put(3)
    side.append("put done")


t = threading.Thread(target=late_putter)
t.start()
first = b.get()
t.join()
print(first, side, [b.get_nowait(), b.get_nowait()])

# task_done / join
tq = queue.Queue()
for i in range(6):
    tq.put(i)
print("unfinished:", tq.unfinished_tasks)
handled = []


def handler():
    while True:
        try:
            item = tq.get_nowait()
        except queue.Empty:
            return
        handled.append(item * item)
        tq.task_done()


hs = [threading.Thread(target=handler) for _ in range(2)]
for h in hs:
    h.start()
tq.join()
print("joined:", sorted(handled), tq.unfinished_tasks)
for h in hs:
    h.join()
try:
    tq.task_done()
except ValueError as e:
    print("ValueError:", e)

lq = queue.LifoQueue()
for c in "abcd":
    lq.put(c)
print("lifo:", [lq.get() for _ in range(4)])

pq = queue.PriorityQueue()
for item in [(3, "c"), (1, "a"), (5, "e"), (2, "b"), (4, "d"), (0, "z")]:
    pq.put(item)
print("priority:", [pq.get_nowait() for _ in range(6)])
pq2 = queue.PriorityQueue(maxsize=1)
pq2.put(9)
try:
    pq2.put_nowait(1)
except queue.Full:
    print("priority full")

sq = queue.SimpleQueue()
print(sq.empty(), sq.qsize())
for i in range(3):
    sq.put(i * 10)
sq.put_nowait(99)
print(sq.qsize(), sq.get(), sq.get_nowait(), sq.get(timeout=0.01), sq.get(False))
try:
    sq.get(timeout=0.01)
except queue.Empty:
    print("simple empty")
print("SimpleQueue has task_done:", hasattr(sq, "task_done"), "maxsize:", hasattr(sq, "maxsize"))
