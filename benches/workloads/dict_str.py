# Word counting: str split/join/lower, dict get/set, sorting the counts.

WORDS = ("the quick brown fox jumps over the lazy dog while a small cat "
         "watches from the warm window and the old man reads his paper "
         "near the river bank under a grey sky full of rain").split()


def make_text(nlines, seed):
    lines = []
    x = seed
    nw = len(WORDS)
    for _ in range(nlines):
        parts = []
        for _ in range(12):
            x = (x * 1103515245 + 12345) % 2147483648
            w = WORDS[x % nw]
            if x % 5 == 0:
                w = w.upper()
            parts.append(w)
        lines.append(" ".join(parts))
    return "\n".join(lines)


def count_words(text):
    counts = {}
    for line in text.split("\n"):
        for word in line.split():
            key = word.lower()
            counts[key] = counts.get(key, 0) + 1
    return counts


def main():
    text = make_text(16000, 42)
    counts = count_words(text)
    pairs = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    top = ",".join([k + "=" + str(v) for k, v in pairs[:5]])
    joined = "-".join(sorted(counts))
    print("dict_str checksum", len(counts), sum(counts.values()), len(joined), top)


main()
