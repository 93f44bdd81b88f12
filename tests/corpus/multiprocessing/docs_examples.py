# The examples of the Python documentation's multiprocessing page, with the spawn start method.
import multiprocessing as mp
from multiprocessing import Process, Queue, Pipe, Lock, Value, Array, Pool
import os


def f(x):
    return x * x


def info(title):
    print(title)
    print('module name:', __name__)
    print('has parent:', mp.parent_process() is not None)


def g(name):
    info('function f')
    print('hello', name)


def put_in(q):
    q.put([42, None, 'hello'])


def send_on(conn):
    conn.send([42, None, 'hello'])
    conn.close()


def locked_print(l, i):
    l.acquire()
    try:
        print('hello world', i)
    finally:
        l.release()


def fill(n, a):
    n.value = 3.1415927
    for i in range(len(a)):
        a[i] = -a[i]


if __name__ == '__main__':
    mp.set_start_method('spawn')
    with Pool(5) as p:
        print(p.map(f, [1, 2, 3]))

    info('main line')
    p = Process(target=g, args=('bob',))
    p.start()
    p.join()

    q = Queue()
    p = Process(target=put_in, args=(q,))
    p.start()
    print(q.get())
    p.join()

    parent_conn, child_conn = Pipe()
    p = Process(target=send_on, args=(child_conn,))
    p.start()
    print(parent_conn.recv())
    p.join()

    lock = Lock()
    for num in range(3):
        p = Process(target=locked_print, args=(lock, num))
        p.start()
        p.join()

    num = Value('d', 0.0)
    arr = Array('i', range(10))
    p = Process(target=fill, args=(num, arr))
    p.start()
    p.join()
    print(num.value)
    print(arr[:])

    with Pool(processes=4) as pool:
        print(pool.map(f, range(10)))
        for i in pool.imap_unordered(f, range(10)):
            pass
        res = pool.apply_async(f, (20,))
        print(res.get(timeout=1))
        res = pool.apply_async(os.getpid, ())
        print(res.get(timeout=1) != os.getpid())
        multiple_results = [pool.apply_async(os.getpid, ()) for i in range(4)]
        print(len([res.get(timeout=1) for res in multiple_results]))
        print(sorted(pool.imap_unordered(f, range(10))))
    print("Now the pool is closed and no longer available")
