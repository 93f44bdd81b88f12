# Uncaught ValueError at top level: stdout printed before the error is kept, traceback goes to stderr, exit code 1.
print("before the error")
value = int("42")
print("parsed", value)
raise ValueError("something went wrong: " + str(value))
print("never printed")
