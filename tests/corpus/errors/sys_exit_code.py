# sys.exit(3): exit status 3, no traceback, stdout before it kept, finally blocks still run.
import sys
print("exiting with 3")
try:
    sys.exit(3)
finally:
    print("finally runs during SystemExit")
print("never printed")
