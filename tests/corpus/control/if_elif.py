# if/elif/else chains, nested ifs, truthiness in conditions, and `pass` in every block kind.
def classify(n):
    if n < 0:
        return "negative"
    elif n == 0:
        return "zero"
    elif n < 10:
        if n % 2 == 0:
            return "small even"
        else:
            return "small odd"
    elif n < 100:
        return "medium"
    else:
        return "large"
for n in [-5, 0, 3, 4, 10, 99, 100, 12345]:
    print(n, classify(n))
def fizzbuzz(n):
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return str(n)
print(" ".join(fizzbuzz(i) for i in range(1, 21)))
for value in [0, 1, "", "x", [], [0], None, {}, 0.0]:
    if value:
        print(repr(value), "-> if branch")
    else:
        print(repr(value), "-> else branch")
x = 5
if x > 3: print("one-line if")
if x > 10:
    print("not printed")
elif x > 4: print("one-line elif")
if x:
    pass
else:
    print("not printed")
if not x:
    pass
elif x == 5:
    pass
print("after pass blocks")
def noop():
    pass
class Empty:
    pass
for _ in range(2):
    pass
while False:
    pass
print(noop(), Empty is not None)
grade = 83
if grade >= 90:
    letter = "A"
elif grade >= 80:
    letter = "B"
elif grade >= 70:
    letter = "C"
else:
    letter = "F"
print(grade, letter)
if (a := 3) and a > 2 and not a > 5:
    print("compound condition true", a)
