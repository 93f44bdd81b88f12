# @staticmethod, @classmethod (alternative constructors, subclass cls), and @property getters/setters.
class Temperature:
    scale = "C"
    instances = 0
    def __init__(self, celsius):
        self._c = celsius
        Temperature.instances += 1
    @property
    def celsius(self):
        return self._c
    @celsius.setter
    def celsius(self, value):
        if value < -273.15:
            raise ValueError("below absolute zero")
        self._c = value
    @property
    def fahrenheit(self):
        return self._c * 9 / 5 + 32
    @classmethod
    def from_fahrenheit(cls, f):
        return cls((f - 32) * 5 / 9)
    @staticmethod
    def is_valid(c):
        return c >= -273.15
    @classmethod
    def describe(cls):
        return "scale=" + cls.scale
t = Temperature(100)
print(t.celsius, t.fahrenheit)
t.celsius = 0
print(t.celsius, t.fahrenheit)
try:
    t.celsius = -300
except ValueError as e:
    print("ValueError:", e)
print(t.celsius)
u = Temperature.from_fahrenheit(212)
print(u.celsius, type(u) is Temperature)
print(Temperature.is_valid(-10), Temperature.is_valid(-500), t.is_valid(0))
print(Temperature.describe(), t.describe(), Temperature.instances)
class Kelvin(Temperature):
    scale = "K"
k = Kelvin.from_fahrenheit(32)
print(type(k) is Kelvin, isinstance(k, Temperature), k.celsius, Kelvin.describe())
class Circle:
    def __init__(self, r):
        self.r = r
    @property
    def area(self):
        return round(3.14159 * self.r * self.r, 2)
    @property
    def diameter(self):
        return self.r * 2
c = Circle(2)
print(c.area, c.diameter)
c.r = 10
print(c.area, c.diameter)
try:
    c.area = 5
except AttributeError:
    print("cannot set read-only property")
class MathUtil:
    @staticmethod
    def add(a, b):
        return a + b
    @staticmethod
    def twice(x):
        return MathUtil.add(x, x)
print(MathUtil.add(2, 3), MathUtil.twice(21), MathUtil().add(1, 1))
class Counter:
    count = 0
    @classmethod
    def increment(cls):
        cls.count += 1
        return cls.count
print(Counter.increment(), Counter.increment(), Counter().increment(), Counter.count)
class Lazy:
    def __init__(self):
        self.calls = 0
    @property
    def value(self):
        self.calls += 1
        return self.calls * 10
lz = Lazy()
print(lz.value, lz.value, lz.calls)
