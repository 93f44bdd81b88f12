# Rich comparison methods: __eq__, __lt__ (sorted/min/max), reflected operations, default identity equality.
class Version:
    def __init__(self, text):
        self.parts = [int(p) for p in text.split(".")]
        self.text = text
    def __eq__(self, other):
        if not isinstance(other, Version):
            return NotImplemented
        return self.parts == other.parts
    def __lt__(self, other):
        return self.parts < other.parts
    def __repr__(self):
        return "V" + self.text
vs = [Version(t) for t in ["1.10.0", "1.2.3", "1.2", "0.9.9", "1.2.3"]]
print(sorted(vs))
print(sorted(vs, reverse=True))
print(min(vs), max(vs))
print(Version("1.2") == Version("1.2"), Version("1.2") != Version("1.3"), Version("1.2") == "1.2")
print(Version("1.0") < Version("1.1"), Version("2.0") > Version("1.9"))
print(Version("1.2.3") in vs, Version("5") in vs, vs.count(Version("1.2.3")), vs.index(Version("1.2")))
class Plain:
    pass
a = Plain()
b = Plain()
print(a == a, a == b, a != b, [a] == [a], a in [b, a])
class Card:
    order = "23456789TJQKA"
    def __init__(self, rank, suit):
        self.rank = rank
        self.suit = suit
    def __lt__(self, other):
        return (Card.order.index(self.rank), self.suit) < (Card.order.index(other.rank), other.suit)
    def __eq__(self, other):
        return self.rank == other.rank and self.suit == other.suit
    def __repr__(self):
        return self.rank + self.suit
hand = [Card("K", "s"), Card("2", "h"), Card("A", "d"), Card("T", "c"), Card("2", "c")]
hand.sort()
print(hand)
print(sorted(hand, key=lambda c: c.suit))
print(max(hand), min(hand), Card("A", "d") == hand[-1])
class Always:
    def __eq__(self, other):
        return True
print(Always() == 1, 1 == Always(), Always() != 2, None == Always())
class Loud:
    def __init__(self, n):
        self.n = n
    def __lt__(self, other):
        print("  Loud.__lt__", self.n, other.n)
        return self.n < other.n
print(Loud(1) < Loud(2))
print(Loud(1) > Loud(2))
try:
    print(Plain() < Plain())
except TypeError as e:
    print("TypeError:", e)
try:
    sorted([Plain(), Plain()])
except TypeError as e:
    print("TypeError:", e)
