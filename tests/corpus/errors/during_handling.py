# Uncaught exception raised inside an except block: "During handling of the above exception, another exception occurred".
def cleanup():
    raise RuntimeError("cleanup failed")

try:
    print("working")
    [1, 2, 3][10]
except IndexError:
    cleanup()
