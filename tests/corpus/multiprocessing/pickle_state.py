# pickle's __getstate__/__setstate__ protocol, through pickle.dumps/loads and across processes.
import multiprocessing
import pickle


class Partial:
    # Only part of the state is sent; without __setstate__ the dict becomes the attributes.
    def __init__(self, n):
        self.n = n
        self.cache = [n] * 3

    def __getstate__(self):
        return {"n": self.n}


class Rebuilt:
    def __init__(self, name):
        self.name = name
        self.how = "made"

    def __getstate__(self):
        return (self.name,)

    def __setstate__(self, state):
        (self.name,) = state
        self.how = "rebuilt"


class OnlySetstate:
    def __setstate__(self, state):
        print("setstate with", sorted(state.items()))
        for k, v in state.items():
            setattr(self, k, v)


class NoneState:
    def __getstate__(self):
        return None

    def __setstate__(self, state):
        print("not called for a None state")


class Falsy:
    def __getstate__(self):
        return 0

    def __setstate__(self, state):
        self.got = state


class NotADict:
    def __getstate__(self):
        return (1, 2)


def describe(x):
    return (type(x).__name__, sorted(vars(x).items()))


def echo(q, out):
    out.put(describe(q.get()))


if __name__ == "__main__":
    multiprocessing.set_start_method("spawn")
    empty = OnlySetstate()
    full = OnlySetstate()
    full.a = 1
    values = [Partial(4), Rebuilt("r"), full, empty, NoneState(), Falsy()]
    for v in values:
        print(describe(pickle.loads(pickle.dumps(v))))
    try:
        pickle.loads(pickle.dumps(NotADict()))
    except pickle.UnpicklingError as e:
        print("UnpicklingError:", e)
    q, out = multiprocessing.Queue(), multiprocessing.Queue()
    for v in [Partial(5), Rebuilt("across")]:
        p = multiprocessing.Process(target=echo, args=(q, out))
        p.start()
        q.put(v)
        print("child saw", out.get())
        p.join()
