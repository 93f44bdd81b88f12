# Uncaught TypeError from calling a function with a missing required argument.
def f(x):
    return x * 2

print(f(x=3))
print(f())
