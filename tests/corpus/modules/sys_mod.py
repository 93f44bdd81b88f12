# sys module: argv, stdout.write (returns length), stderr output, recursion limit get/set, SystemExit caught.
import sys
print(type(sys.argv), len(sys.argv), sys.argv[0].endswith("sys_mod.py"))
n = sys.stdout.write("written via sys.stdout.write\n")
print("write returned", n)
sys.stdout.write("no newline;")
sys.stdout.write(" continued\n")
sys.stderr.write("this goes to stderr\n")
print("also stderr", file=sys.stderr)
print(sys.getrecursionlimit())
sys.setrecursionlimit(2500)
print(sys.getrecursionlimit())
def depth(n):
    return 0 if n == 0 else 1 + depth(n - 1)
print(depth(2000))
sys.setrecursionlimit(1000)
def forever(n):
    return forever(n + 1)
try:
    forever(0)
except RecursionError as e:
    print("RecursionError caught:", str(e).startswith("maximum recursion depth exceeded"))
print("still running after RecursionError", depth(100))
try:
    sys.exit(5)
except SystemExit as e:
    print("SystemExit code", e.code, repr(e))
try:
    sys.exit()
except SystemExit as e:
    print("SystemExit code", e.code)
try:
    sys.exit("message")
except SystemExit as e:
    print("SystemExit code", repr(e.code))
try:
    raise SystemExit(0)
except SystemExit as e:
    print("caught SystemExit(0)", e.code)
print(isinstance(SystemExit(), BaseException), isinstance(SystemExit(), Exception))
try:
    sys.exit(1)
except Exception:
    print("not reached: SystemExit is not an Exception")
except BaseException as e:
    print("caught via BaseException:", type(e))
print(sys.stdout is not sys.stderr)
print("end")
