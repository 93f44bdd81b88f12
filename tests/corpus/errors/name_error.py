# Uncaught NameError for an undefined global name used inside a function.
def show():
    print("about to use an undefined name")
    return x + 1

show()
