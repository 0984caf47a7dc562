#!/usr/bin/env python3
"""One-time converter (not used at run time): NAS-Bench-201 split lists (JSON: key -> ["int", [index
strings]]) to the compact bitmaps the engine embeds. Bit i (byte i // 8, bit i % 8, LSB first) is 1
when image i belongs to the second key (valid / xvalid) and 0 when it belongs to the first (train /
xtest). The script checks that the two lists partition 0..N-1 before writing.

usage: make_split_bits.py SPLIT.txt FIRST_KEY SECOND_KEY OUT.bits
"""
import json
import sys


def main(src, first_key, second_key, out):
    with open(src) as f:
        lists = json.load(f)
    first = [int(s) for s in lists[first_key][1]]
    second = [int(s) for s in lists[second_key][1]]
    n = len(first) + len(second)
    if sorted(first + second) != list(range(n)):
        sys.exit(f"{src}: {first_key} and {second_key} do not partition 0..{n - 1}")
    bits = bytearray((n + 7) // 8)
    for i in second:
        bits[i // 8] |= 1 << (i % 8)
    with open(out, "wb") as f:
        f.write(bits)
    print(f"{out}: {n} images, {len(first)} {first_key}, {len(second)} {second_key}")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
