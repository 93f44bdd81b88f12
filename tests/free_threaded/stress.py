# Stress for `--gil none` (tests/free_threaded.rs): N_THREADS threads x N_OPS mixed operations
# on shared lists, dicts and sets, including self-aliasing ones (l.extend(l), d.update(d),
# l == l), slices racing pops, sorts racing appends, iteration while others mutate. Every
# Python-level error a race can legitimately cause in CPython is caught; anything else (a
# panic, a deadlock, an uncaught exception) fails the test. A Lock-protected counter stays exact.
import sys
import threading

N_THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 8
N_OPS = int(sys.argv[2]) if len(sys.argv) > 2 else 20000

shared = [0, 1, 2, 3, 4]
other = [1, 2, 3]
words = ["a", "b", "c"]
table = {}
bag = set()
loop = [0]
lock = threading.Lock()
exact = 0
errors = []


class Key:
    def __init__(self, v):
        self.v = v
    def __eq__(self, o):
        return isinstance(o, Key) and self.v == o.v
    def __hash__(self):
        return hash(self.v)
    def __lt__(self, o):
        return self.v < o.v
    def __repr__(self):
        return "Key(%d)" % self.v


def worker(k):
    global exact, other, bag
    for i in range(N_OPS):
        op = (i * 7 + k) % 23
        if op == 0:
            shared.append(i)
        elif op == 1:
            try:
                shared.pop()
            except IndexError:
                pass
        elif op == 2:
            shared.extend(other)
            other.extend(x for x in shared[:2] if type(x) is int)
            del other[3:]
        elif op == 3:
            shared.extend(shared[-3:])
            if len(shared) > 200:
                del shared[50:]
        elif op == 4:
            shared.insert(i % 5, -i)
            shared.insert(-1, Key(i))
        elif op == 5:
            try:
                shared.remove(-i + 4)
            except ValueError:
                pass
            try:
                shared.remove(Key(i - 1))
            except ValueError:
                pass
        elif op == 6:
            try:
                shared.sort(key=lambda x: x.v if isinstance(x, Key) else x)
            except ValueError:
                pass
            other.sort()
            other.sort(reverse=True)
        elif op == 7:
            table[(k, i % 50)] = i
            table.setdefault(i % 30, [])
            table.pop((k, (i - 7) % 50), None)
        elif op == 8:
            table.update(table)
            table.update({(k, -1): Key(i)})
            d2 = dict(table)
            d3 = table.copy()
            if len(d2) > 400:
                table.clear()
        elif op == 9:
            bag.add(i % 97)
            bag.discard((i + 13) % 97)
            bag.update(bag)
            bag |= {k}
            b2 = bag & {1, 2, 3}
        elif op == 10:
            s = sorted(bag)
            c = shared.copy()
            t = tuple(shared)
            l2 = shared + other
            m = other * 2
        elif op == 11:
            eq = shared == shared
            ne = shared == other
            try:
                lt = other < shared
            except TypeError:
                pass
            deq = table == table
            seq = bag == bag
            found = 3 in shared
        elif op == 12:
            r = repr(shared) + repr(table) + repr(bag)
            if len(loop) < 50:
                loop.append(loop)
            r = repr(loop)
        elif op == 13:
            n = 0
            for x in shared:
                n += 1
                if n > 300:
                    break
            for key in table:
                pass
            for v in list(table.values()):
                pass
        elif op == 14:
            words.append(str(i % 10))
            if len(words) > 40:
                del words[:20]
            joined = ",".join(words)
        elif op == 15:
            try:
                shared[i % 3] = i
            except IndexError:
                pass
            shared[1:3] = [i, i + 1, i + 2]
            shared[:] = shared[-100:]
        elif op == 16:
            try:
                x = shared[i % 7]
                y = shared[-1]
            except IndexError:
                pass
            z = shared[::2]
            w = shared[::-3]
        elif op == 17:
            try:
                del shared[0]
            except IndexError:
                pass
            del shared[::5]
        elif op == 18:
            try:
                shared.index(i % 9)
            except ValueError:
                pass
            c = shared.count(1)
            shared.reverse()
        elif op == 19:
            other += other
            del other[3:]
            words.extend(words[:1])
        elif op == 20:
            try:
                table.popitem()
            except KeyError:
                pass
            ks = list(table.keys())
            its = list(table.items())
        elif op == 21:
            try:
                bag.pop()
            except KeyError:
                pass
            mx = max(other)
            total = sum(x for x in other if type(x) is int)
        else:
            a = [k, i]
            b = [i, k]
            a.extend(b)
            b.extend(a)
            a == b
        with lock:
            exact += 1


threads = [threading.Thread(target=worker, args=(k,)) for k in range(N_THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("exact", exact, "expected", N_THREADS * N_OPS)
print("alive", sum(t.is_alive() for t in threads))
