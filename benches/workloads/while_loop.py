# A long while loop with int arithmetic and modulo, inside a function
# (so loop variables are fast locals, not globals).


def spin(limit):
    i = 0
    acc = 0
    while i < limit:
        acc = (acc + i * 7 + (i % 13)) % 1000003
        if i % 3 == 0:
            acc += 1
        i += 1
    return acc


def main():
    print("while_loop checksum", spin(1200000))


main()
