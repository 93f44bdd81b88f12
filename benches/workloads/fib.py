# Recursive Fibonacci: exercises function calls and small-int arithmetic.


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def main():
    total = 0
    for n in range(22, 28):
        total += fib(n)
    print("fib checksum", total)


main()
