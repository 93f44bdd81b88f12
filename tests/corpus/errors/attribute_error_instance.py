# Uncaught AttributeError on a user-class instance: 'Foo' object has no attribute 'bar'.
class Foo:
    def __init__(self):
        self.size = 1

f = Foo()
print(f.size)
print(f.bar)
