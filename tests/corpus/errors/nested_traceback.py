# Uncaught exception several calls deep: a multi-frame traceback naming each function and line.
def parse_record(text):
    fields = text.split(",")
    return int(fields[1])

def load(records):
    total = 0
    for r in records:
        total += parse_record(r)
    return total

def main():
    print("loading")
    result = load(["a,1", "b,2", "c,oops"])
    print("result", result)

main()
