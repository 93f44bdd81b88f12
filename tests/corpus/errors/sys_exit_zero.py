# sys.exit(0) and sys.exit(None) from inside a function: successful exit with empty stderr.
import sys
def finish():
    print("finishing early")
    sys.exit(0)
    print("never printed")
finish()
print("never printed either")
