"""Splits a policy text as archived into one clause (sentence) per line,
with headings on lines of their own starting with "# ". Words are never
changed: only line breaks move. Used once to prepare old.txt and new.txt
from the archived texts named in README.md; kept so the split can be
checked and redone.

    python3 split.py < archived.txt > old.txt
"""
import re
import sys

# Camel-case words that are names, not a heading glued to a sentence.
NAMES = {"AgileBits", "iPhone", "PayPal", "YouTube", "LinkedIn", "GitHub"}
ABBREVIATIONS = re.compile(r"(\b[A-Z]\.|\be\.g\.|\bi\.e\.|\betc\.|\bInc\.)$")


def is_heading(line):
    words = line.split()
    return (
        0 < len(words) <= 12
        and not re.search(r"[.;:,!?)]$", line)
        and line[0].isupper()
    )


def unglue(text):
    """'...2017.IntroductionHere at' -> a heading line between sentences."""
    out = []
    for piece in re.split(r"(?<=[a-z0-9)][.!?:)])(?=[A-Z]|1Password)", text):
        # A heading glued to the next sentence: 'Cookies and TrackingWe do'.
        m = re.match(r"^((?:\S+ ){0,9}?\S*?[a-z)])([A-Z][a-z]+ .*)$", piece)
        glued = m and m.group(1).split()[-1] + m.group(2).split()[0]
        if m and glued.strip(",.;:") not in NAMES:
            head = m.group(1)
            if not re.search(r"[.;:,!?]", head):
                out.append("# " + head)
                piece = m.group(2)
        out.append(piece)
    return out


def sentences(paragraph):
    parts = []
    start = 0
    for m in re.finditer(r"[.!?]\"?(?= +[\"A-Z0-9])", paragraph):
        before = paragraph[start : m.end()]
        if ABBREVIATIONS.search(before):
            continue
        parts.append(before.strip())
        start = m.end()
    parts.append(paragraph[start:].strip())
    return [p for p in parts if p]


def main():
    text = sys.stdin.read()
    lines = [l.strip() for l in text.splitlines()]
    blocks = []  # paragraphs and headings, in order
    current = []
    for line in lines:
        if not line or is_heading(line):
            if current:
                blocks.append(" ".join(current))
                current = []
            if line:
                blocks.append("# " + line)
            continue
        current.append(line)
        # A list item or lead-in ends at the end of its line.
        if re.search(r"[;:]$", line):
            blocks.append(" ".join(current))
            current = []
    if current:
        blocks.append(" ".join(current))
    for block in blocks:
        if block.startswith("# "):
            print(block)
            continue
        for piece in unglue(block):
            if piece.startswith("# "):
                print(piece)
            else:
                for s in sentences(piece):
                    print(s)


main()
