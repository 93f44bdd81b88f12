# global statement, module-level reads from functions, and UnboundLocalError for locals read before assignment.
counter = 0
def bump():
    global counter
    counter += 1
    return counter
bump(); bump()
print(counter, bump(), counter)
def read_global():
    return counter * 10
print(read_global())
def create_global():
    global created
    created = "made inside function"
create_global()
print(created)
def nested_global():
    def inner():
        global counter
        counter = 100
    inner()
nested_global()
print(counter)
x = "module"
def local_shadow():
    x = "local"
    return x
print(local_shadow(), x)
def broken():
    print("x before assignment?")
    y = x + "!"
    x = "never"
    return y
try:
    broken()
except UnboundLocalError as e:
    print("UnboundLocalError:", e)
try:
    broken()
except NameError as e:
    print("caught as NameError too:", type(e) is UnboundLocalError)
def use_builtin():
    return len("abc")
print(use_builtin())
def shadow_builtin():
    len = lambda s: -1
    return len("abc")
print(shadow_builtin(), len("abc"))
total = 0
for i in range(5):
    total += i
print(total, i)
def modify_list_global():
    items.append(4)
items = [1, 2, 3]
modify_list_global()
print(items)
def multiple_globals():
    global g1, g2
    g1, g2 = 1, 2
multiple_globals()
print(g1 + g2)
