# Single inheritance: overriding, super().__init__ and super().method(), multi-level chains, inherited attributes.
class Animal:
    kind = "animal"
    def __init__(self, name):
        self.name = name
    def speak(self):
        return self.name + " makes a sound"
    def describe(self):
        return self.name + " is a " + self.kind + "; " + self.speak()
class Dog(Animal):
    kind = "dog"
    def __init__(self, name, breed):
        super().__init__(name)
        self.breed = breed
    def speak(self):
        return self.name + " barks"
class Puppy(Dog):
    def speak(self):
        return super().speak() + " softly"
class Cat(Animal):
    pass
a = Animal("generic")
d = Dog("Rex", "lab")
p = Puppy("Bit", "pug")
c = Cat("Tom")
for x in [a, d, p, c]:
    print(x.describe())
print(d.breed, p.breed, p.kind, c.kind)
print(isinstance(p, Puppy), isinstance(p, Dog), isinstance(p, Animal), isinstance(d, Puppy))
print(issubclass(Puppy, Animal), issubclass(Animal, Dog), issubclass(Cat, Cat), issubclass(Dog, object))
print(isinstance(c, (Dog, Cat)), isinstance(a, (Dog, Cat)))
class Base:
    def __init__(self):
        self.log = ["Base.__init__"]
    def hello(self):
        return "Base.hello"
    def template(self):
        return "[" + self.hook() + "]"
    def hook(self):
        return "base-hook"
class Mid(Base):
    def __init__(self):
        super().__init__()
        self.log.append("Mid.__init__")
    def hello(self):
        return "Mid.hello > " + super().hello()
class Leaf(Mid):
    def __init__(self):
        super().__init__()
        self.log.append("Leaf.__init__")
    def hello(self):
        return "Leaf.hello > " + super().hello()
    def hook(self):
        return "leaf-hook"
leaf = Leaf()
print(leaf.log)
print(leaf.hello())
print(leaf.template(), Mid().template())
print(Base.hello(leaf), Mid.hello(leaf))
class Shape:
    def area(self):
        return 0
    def summary(self):
        return self.name() + " area=" + str(self.area())
    def name(self):
        return "shape"
class Rect(Shape):
    def __init__(self, w, h):
        self.w, self.h = w, h
    def area(self):
        return self.w * self.h
    def name(self):
        return "rect"
class Square(Rect):
    def __init__(self, s):
        super().__init__(s, s)
    def name(self):
        return "square(" + super().name() + ")"
shapes = [Shape(), Rect(2, 3), Square(4)]
for s in shapes:
    print(s.summary())
print(sum(s.area() for s in shapes))
class Config:
    defaults = {"debug": False}
class DevConfig(Config):
    pass
DevConfig.defaults["debug"] = True
print(Config.defaults, DevConfig.defaults is Config.defaults)
DevConfig.extra = 1
print(hasattr(DevConfig, "extra"), hasattr(Config, "extra"))
class MyError(Exception):
    pass
print(issubclass(MyError, Exception), issubclass(MyError, BaseException), isinstance(MyError(), MyError))
print(issubclass(bool, int), issubclass(int, bool), isinstance(True, int))
