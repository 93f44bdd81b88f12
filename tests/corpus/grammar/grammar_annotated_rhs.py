# Grammar rule annotated_rhs: annotated assignments. Annotations are evaluated by CPython but
# only checked for syntax by gilsim, so they stay side-effect free here.
count: int = 3
name: str = "gil" + "sim"
pending: list
print(count, name)


class Box:
    size: int = 10
    label: str

    def __init__(self):
        self.items: list = []
        self.items.append(self.size)


box = Box()
box.items[0]: int = 42
print(box.size, box.items)

table = {}
table["key"]: str = "value"
print(table)


def scale(n: int, factor: float = 2.0) -> float:
    result: float = n * factor
    return result


print(scale(4), scale(3, factor=0.5))
