# sys.exit("message"): the message is printed to stderr and the exit status is 1.
import sys
print("about to fail")
sys.exit("fatal: configuration missing")
