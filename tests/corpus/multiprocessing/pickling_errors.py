# What cannot cross to another process fails in start()/submit, with pickle's errors.
# corpus: err_last
import multiprocessing as mp
import pickle
import threading


def top(x):
    return x


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __repr__(self):
        return f"Point({self.x}, {self.y})"


def show(e):
    text = str(e)
    at = text.find(" at 0x")
    if at >= 0:
        text = text[:at] + text[text.find(">", at):]
    print(type(e).__name__ + ":", text)


def echo(q, value):
    q.put(value)


if __name__ == "__main__":
    mp.set_start_method("spawn")
    for bad in [lambda: 1, threading.Lock(), open(__file__)]:
        try:
            mp.Process(target=top, args=(bad,)).start()
        except Exception as e:
            show(e)

    def nested():
        pass

    try:
        mp.Process(target=nested).start()
    except Exception as e:
        show(e)

    q = mp.Queue()
    values = [Point(1, 2), ValueError("bad", 3), {"k": [1, (2, 3)]}, 2**100, -1.5, b"\x00\xff",
              frozenset({1}), range(1, 10, 2), None, top, Point, len]
    p = mp.Process(target=echo, args=(q, values))
    p.start()
    back = q.get()
    p.join()
    print(back[0], repr(back[1]), back[1].args, back[2:8])
    print(back[8] is None, back[9] is top, back[10] is Point, back[11] is len)
    print(pickle.loads(pickle.dumps([Point(3, 4), {1, 2}])))
    try:
        pickle.dumps(lambda: 0)
    except pickle.PicklingError as e:
        show(e)
    deep = []
    for _ in range(2000):
        deep = [deep]
    try:
        pickle.dumps(deep)
    except RecursionError as e:
        print("RecursionError:", e)
