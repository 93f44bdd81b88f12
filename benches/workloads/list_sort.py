# List building, comprehensions, slicing and sorting (with and without keys).


def lcg_list(n, seed):
    out = []
    x = seed
    for _ in range(n):
        x = (x * 1103515245 + 12345) % 2147483648
        out.append(x % 100000)
    return out


def main():
    total = 0
    for round_ in range(6):
        data = lcg_list(30000, round_ + 1)
        squares = [v * v % 9973 for v in data]
        evens = [v for v in data if v % 2 == 0]
        pairs = [(v % 100, v) for v in data[:10000]]
        data.sort()
        squares.sort(reverse=True)
        evens = sorted(evens, key=lambda v: -v)
        pairs.sort()
        total += data[0] + data[-1] + data[len(data) // 2]
        total += squares[0] + squares[-1] + len(evens) + evens[0]
        total += pairs[0][1] + pairs[-1][1] + sum(data[::1000])
    print("list_sort checksum", total)


main()
