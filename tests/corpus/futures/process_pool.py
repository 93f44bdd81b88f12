# ProcessPoolExecutor: the docs' is_prime example (bounded), chunked map, exceptions, SystemExit in a task.
import concurrent.futures
import math
import sys

PRIMES = [112272535095293, 112582705942171, 112272535095293, 115280095190773, 115797848077099, 1099726899285419]

def is_prime(n):
    if n < 2:
        return False
    if n == 2:
        return True
    if n % 2 == 0:
        return False
    sqrt_n = int(math.floor(math.sqrt(n)))
    for i in range(3, min(sqrt_n, 20000) + 1, 2):
        if n % i == 0:
            return False
    return True

def boom(x):
    raise ValueError(x)

def leave(x):
    sys.exit(x)

def main():
    with concurrent.futures.ProcessPoolExecutor() as executor:
        for number, prime in zip(PRIMES, executor.map(is_prime, PRIMES)):
            print('%d is prime: %s' % (number, prime))
        print(list(executor.map(pow, [2, 3], [5, 2], chunksize=2)))
        f = executor.submit(boom, 3)
        print(type(f.exception()).__name__, f.exception())
        fs = [executor.submit(pow, 2, i) for i in range(10)]
        print(sorted(f.result() for f in concurrent.futures.as_completed(fs)))
        f = executor.submit(leave, 4)
        try:
            f.result()
        except SystemExit as e:
            print("SystemExit", e.code)
        print(executor.submit(pow, 3, 3).result())
    try:
        executor.submit(pow, 1, 1)
    except RuntimeError as e:
        print(e)

if __name__ == '__main__':
    import multiprocessing
    multiprocessing.set_start_method('spawn')
    main()
