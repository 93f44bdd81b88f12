# Uncaught user-defined exception: the traceback's last line shows the class name and str(exc).
class InsufficientFunds(Exception):
    def __init__(self, needed):
        super().__init__("need " + str(needed) + " more")
        self.needed = needed

def withdraw(balance, amount):
    if amount > balance:
        raise InsufficientFunds(amount - balance)
    return balance - amount

print(withdraw(100, 30))
print(withdraw(100, 130))
