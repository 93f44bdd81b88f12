# The examples of the Python docs page for concurrent.futures, with ThreadPoolExecutor.
# The URL example loads fake pages (a sleep, so the completion order is fixed) instead of using
# the network; the is_prime example uses smaller numbers so it stays quick.
import concurrent.futures
import math
import time
from concurrent.futures import ThreadPoolExecutor

# Executor.submit
with ThreadPoolExecutor(max_workers=1) as executor:
    future = executor.submit(pow, 323, 1235)
    print(future.result())

# ThreadPoolExecutor Example
URLS = ['http://www.foxnews.com/',
        'http://www.cnn.com/',
        'http://europe.wsj.com/',
        'http://www.bbc.co.uk/',
        'http://nonexistant-subdomain.python.org/']

PAGES = {
    'http://www.foxnews.com/': (0.4, 248193),
    'http://www.cnn.com/': (0.1, 1173528),
    'http://europe.wsj.com/': (0.5, 931022),
    'http://www.bbc.co.uk/': (0.3, 327405),
}


# Retrieve a single page and report the URL and contents
def load_url(url, timeout):
    if url not in PAGES:
        time.sleep(0.2)
        raise OSError('<urlopen error [Errno -2] Name or service not known>')
    delay, size = PAGES[url]
    time.sleep(delay)
    return b'x' * size


# We can use a with statement to ensure threads are cleaned up promptly
with concurrent.futures.ThreadPoolExecutor(max_workers=5) as executor:
    # Start the load operations and mark each future with its URL
    future_to_url = {executor.submit(load_url, url, 60): url for url in URLS}
    for future in concurrent.futures.as_completed(future_to_url):
        url = future_to_url[future]
        try:
            data = future.result()
        except Exception as exc:
            print('%r generated an exception: %s' % (url, exc))
        else:
            print('%r page is %d bytes' % (url, len(data)))

# ProcessPoolExecutor Example, run on threads
PRIMES = [
    999999999989,
    1000000007,
    1000000009,
    1000000007,
    999999937,
    998244353,
    1000000011]


def is_prime(n):
    if n < 2:
        return False
    if n == 2:
        return True
    if n % 2 == 0:
        return False

    sqrt_n = int(math.floor(math.sqrt(n)))
    for i in range(3, sqrt_n + 1, 2):
        if n % i == 0:
            return False
    return True


def main():
    with concurrent.futures.ThreadPoolExecutor() as executor:
        for number, prime in zip(PRIMES, executor.map(is_prime, PRIMES)):
            print('%d is prime: %s' % (number, prime))


if __name__ == '__main__':
    main()
