# return from inside a for loop nested in with / try / except blocks: the loop's iterator must
# not be mistaken for the with's exit function or the handler's exception.
class CM:
    def __init__(self, name):
        self.name = name

    def __enter__(self):
        print("enter", self.name)
        return self

    def __exit__(self, *exc):
        print("exit", self.name, exc[0])
        return False


def pair(a, b):
    return (a, b)


def in_with(xs):
    with CM("w"):
        for x in xs:
            if x == 2:
                return pair(x, len(xs))
    return None


def nested(xs):
    with CM("outer"), CM("inner"):
        for x in xs:
            for y in xs:
                if x * y == 6:
                    return pair(x, y)
    return "none"


def in_finally(xs):
    try:
        for x in xs:
            with CM("f"):
                for y in "ab":
                    return pair(x, y)
    finally:
        print("finally runs")


def in_handler(xs):
    try:
        raise KeyError("k")
    except KeyError as e:
        for x in xs:
            if x > 1:
                return pair(x, repr(e))


def in_while_with_for(n):
    i = 0
    while True:
        with CM("loop"):
            for j in range(n):
                if i * j == 4:
                    return pair(i, j)
        i += 1


print(in_with([1, 2, 3]))
print(in_with([]))
print(nested([1, 2, 3]))
print(in_finally([7]))
print(in_handler([1, 2]))
print(in_while_with_for(3))
