# The language core on its own: classes, closures, exceptions, big ints and f-strings, single-threaded.
# Expect: a few lines of output identical to `python3 examples/hello_core.py`.


class Account:
    def __init__(self, owner, balance=0):
        self.owner = owner
        self.balance = balance

    def deposit(self, amount):
        if amount <= 0:
            raise ValueError(f"deposit must be positive, got {amount}")
        self.balance += amount
        return self

    def __repr__(self):
        return f"Account({self.owner!r}, {self.balance})"


def counter():
    count = 0

    def step():
        nonlocal count
        count += 1
        return count

    return step


acct = Account("ada").deposit(50).deposit(25)
print(acct)
try:
    acct.deposit(-5)
except ValueError as e:
    print("refused:", e)
tick = counter()
print([tick() for _ in range(3)])
print(f"2**100 = {2**100:,}")
print(sorted({"b": 2, "a": 1, "c": 3}.items(), key=lambda kv: -kv[1]))
