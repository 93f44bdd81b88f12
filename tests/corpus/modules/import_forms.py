# import forms: import x, import x as y, from x import a, b as c, imports inside functions, ModuleNotFoundError, __name__ guard.
import math
import math as m
import sys, time
from math import sqrt, pi as PI, floor
print(math.sqrt(16), m.sqrt(25), sqrt(36), PI == math.pi, floor(2.9))
print(m is math, m.pi == PI, math.floor is floor)
print(__name__)
def uses_local_import():
    import math as inner_math
    from math import gcd
    return inner_math.ceil(1.2), gcd(12, 18)
print(uses_local_import())
try:
    inner_math
except NameError as e:
    print("NameError:", e)
try:
    import nosuchmodule_gilsim
except ModuleNotFoundError as e:
    print("ModuleNotFoundError:", e)
try:
    import nosuchmodule_gilsim
except ImportError as e:
    print("caught as ImportError:", type(e) is ModuleNotFoundError)
try:
    from math import nosuchname
except ImportError as e:
    print("ImportError:", str(e).startswith("cannot import name 'nosuchname' from 'math'"))
import math
print(math.pi is PI, type(sys.argv) is list, hasattr(time, "time"))
pi = 3
print(pi, PI, math.pi)
def main():
    print("main() called because __name__ is", repr(__name__))
    return 0
if __name__ == "__main__":
    result = main()
    print("result", result)
else:
    print("imported, not run")
