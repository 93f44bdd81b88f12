# Queues and pipes between processes: a producer/consumer with a poison pill, JoinableQueue,
# SimpleQueue, duplex and one-way pipes, timeouts and errors.
import multiprocessing as mp
import queue


def producer(q, n):
    for i in range(n):
        q.put(("item", i, {"sq": i * i}))
    q.put(None)


def consumer(q, out):
    total = 0
    while True:
        item = q.get()
        if item is None:
            break
        total += item[2]["sq"]
    out.put(total)


def joinable_worker(jq):
    while True:
        item = jq.get()
        jq.task_done()
        if item is None:
            break


def echo(conn):
    while True:
        msg = conn.recv()
        if msg == "bye":
            conn.send("bye")
            break
        conn.send(msg[::-1])


def writer(conn):
    for word in ["a", "bb", "ccc"]:
        conn.send(word)
    conn.send_bytes(b"raw bytes")


if __name__ == "__main__":
    mp.set_start_method("spawn")
    q, out = mp.Queue(), mp.Queue()
    ps = [mp.Process(target=producer, args=(q, 50)), mp.Process(target=consumer, args=(q, out))]
    for p in ps:
        p.start()
    print("total", out.get())
    for p in ps:
        p.join()

    small = mp.Queue(maxsize=2)
    small.put(1)
    small.put(2)
    print(small.full(), small.qsize())
    try:
        small.put(3, timeout=0.05)
    except queue.Full:
        print("Full")
    print(small.get(), small.get_nowait())
    try:
        small.get(timeout=0.05)
    except queue.Empty:
        print("Empty")
    try:
        small.get_nowait()
    except queue.Empty:
        print("Empty again", small.empty())

    jq = mp.JoinableQueue()
    p = mp.Process(target=joinable_worker, args=(jq,))
    p.start()
    for i in range(5):
        jq.put(i)
    jq.put(None)
    jq.join()
    print("all tasks done")
    p.join()
    try:
        jq.task_done()
    except ValueError as e:
        print("ValueError:", e)

    sq = mp.SimpleQueue()
    sq.put([1, 2.5, "three", b"four", (5,), {6}, None, True])
    print(sq.get(), sq.empty())

    a, b = mp.Pipe()
    p = mp.Process(target=echo, args=(b,))
    p.start()
    for word in ["hello", "world"]:
        a.send(word)
        print(a.recv())
    a.send("bye")
    print(a.recv(), a.poll(0.01))
    p.join()

    r, w = mp.Pipe(duplex=False)
    p = mp.Process(target=writer, args=(w,))
    p.start()
    print([r.recv() for _ in range(3)], r.recv_bytes())
    p.join()
    print(r.readable, r.writable, w.readable, w.writable)
    try:
        r.send("x")
    except OSError as e:
        print("OSError:", e)

    a, b = mp.Pipe()
    b.send(1)
    b.close()
    print(a.recv(), b.closed)
    try:
        a.recv()
    except EOFError:
        print("EOFError")
    try:
        b.send(2)
    except OSError as e:
        print("OSError:", e)
