# Uncaught AttributeError on a builtin type: 'int' object has no attribute 'foo'.
n = 5
print(n)
n.foo()
