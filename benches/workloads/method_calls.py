# Method calls and attribute access on small objects of a user class.


class Vec2:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def add(self, other):
        return Vec2(self.x + other.x, self.y + other.y)

    def scale(self, k):
        return Vec2(self.x * k, self.y * k)

    def dot(self, other):
        return self.x * other.x + self.y * other.y


class Counter:
    def __init__(self):
        self.n = 0

    def bump(self, k):
        self.n = (self.n + k) % 1000007
        return self.n

    def value(self):
        return self.n


def main():
    acc = Vec2(0, 0)
    step = Vec2(1, 2)
    c = Counter()
    for i in range(150000):
        acc = acc.add(step.scale(i % 7))
        c.bump(acc.dot(step) % 97)
        if i % 1000 == 0:
            acc = Vec2(acc.x % 1009, acc.y % 1013)
    print("method_calls checksum", acc.x, acc.y, c.value())


main()
