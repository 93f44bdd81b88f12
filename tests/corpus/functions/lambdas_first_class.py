# Lambdas and functions as first-class values: stored in containers, passed, returned, used as sort keys.
square = lambda x: x * x
print(square(7), (lambda: "no args")(), (lambda a, b=10: a + b)(1))
print((lambda *a, **k: (a, k))(1, 2, z=3))
ops = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b}
for name in ops:
    print(name, ops[name](7, 3))
def apply_twice(f, x):
    return f(f(x))
print(apply_twice(square, 3), apply_twice(lambda s: s + "!", "hi"))
def make_multiplier(n):
    return lambda x: x * n
triple = make_multiplier(3)
print(triple(5), triple("ab"), make_multiplier([0])(2))
people = [("alice", 30), ("bob", 25), ("carol", 35), ("dave", 25)]
print(sorted(people, key=lambda p: p[1]))
print(sorted(people, key=lambda p: (-p[1], p[0])))
print(max(people, key=lambda p: p[1]), min(people, key=lambda p: len(p[0])))
print(list(map(lambda x: x ** 2, range(6))))
print(list(filter(lambda x: x % 3 == 0, range(20))))
funcs = [square, triple, abs, str, len]
print([f(-4) if f is not len else f("four") for f in funcs])
def pipeline(*fns):
    def run(x):
        for f in fns:
            x = f(x)
        return x
    return run
p = pipeline(lambda x: x + 1, lambda x: x * 10, str, lambda s: s + "!")
print(p(4))
curry = lambda a: lambda b: lambda c: a + b + c
print(curry(1)(2)(3))
print(square is square, square == square, (lambda: 0) is (lambda: 0))
def returns_none():
    return
def returns_multiple():
    return 1, [2], "three"
def early(n):
    for i in range(n):
        if i * i > n:
            return i
    return None
print(returns_none(), returns_multiple(), early(50), early(0))
a, b, c = returns_multiple()
print(c, b, a)
callbacks = []
def register(cb):
    callbacks.append(cb)
    return cb
register(lambda: "first")
register(len)
print(callbacks[0](), callbacks[1]([1, 2, 3]), len(callbacks))
