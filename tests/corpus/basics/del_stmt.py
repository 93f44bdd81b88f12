# del on names, list items and slices, dict keys, and attributes; errors after deletion.
x = 5
del x
try:
    print(x)
except NameError as e:
    print("NameError:", e)
lst = list(range(10))
del lst[0]
print(lst)
del lst[-1]
print(lst)
del lst[2:4]
print(lst)
del lst[::2]
print(lst)
del lst[:]
print(lst)
d = {"a": 1, "b": 2, "c": 3}
del d["b"]
print(d)
try:
    del d["zzz"]
except KeyError as e:
    print("KeyError:", e)
class Obj:
    pass
o = Obj()
o.attr = 1
o.other = 2
print(hasattr(o, "attr"))
del o.attr
print(hasattr(o, "attr"), hasattr(o, "other"))
try:
    del o.attr
except AttributeError as e:
    print("AttributeError:", e)
a, b, c = 1, 2, 3
del a, b
print(c)
try:
    print(a)
except NameError as e:
    print("NameError:", e)
nested = {"k": [1, 2, 3]}
del nested["k"][1]
print(nested)
def f():
    y = 1
    del y
    try:
        return y
    except NameError as e:
        return "local gone: " + str(e)
print(f())
try:
    lst2 = [1]
    del lst2[5]
except IndexError as e:
    print("IndexError:", e)
x = 1
del x
x = 2
print(x)
