# Manager(): shared dict, list, Namespace and Value proxies, the docs example and more.
import multiprocessing
from multiprocessing import Process, Manager


def f(d, l):
    d[1] = '1'
    d['2'] = 2
    d[0.25] = None
    l.reverse()


def bump(ns, v, lock):
    for _ in range(100):
        with lock:
            ns.count = ns.count + 1
            v.value = v.value + 1


if __name__ == '__main__':
    multiprocessing.set_start_method('spawn')
    with Manager() as manager:
        d = manager.dict()
        l = manager.list(range(10))
        p = Process(target=f, args=(d, l))
        p.start()
        p.join()
        print(d)
        print(l)

        ns = manager.Namespace(count=0)
        v = manager.Value('i', 0)
        lock = manager.Lock()
        ps = [Process(target=bump, args=(ns, v, lock)) for _ in range(2)]
        for p in ps:
            p.start()
        for p in ps:
            p.join()
        print(ns.count, v.value)
        print(len(d), 1 in d, d.get('2'), d.get('x', 'default'), l[0], l[-1], len(l))
        d.update({'k': [1, 2]})
        print(d['k'], d.pop('k'), 'k' in d, sorted(d.items(), key=str))
        l.append(99)
        l.extend([100])
        l.sort()
        print(l[:3], l.index(99), l.count(0), list(l)[-2:])
        try:
            d['missing']
        except KeyError as e:
            print('KeyError', e)
        try:
            l[100]
        except IndexError as e:
            print('IndexError', e)
