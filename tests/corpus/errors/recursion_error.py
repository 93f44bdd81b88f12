# Infinite recursion: uncaught RecursionError (only the last stderr line and the exit code are compared).
# corpus: err_last
def down(n):
    return down(n + 1)

print("starting")
down(0)
