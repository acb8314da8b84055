#!/usr/bin/env python3
"""gen_vtt.py — writes the edit-captions benchmark input: a one-hour WebVTT
file with 900 cues of 4 s each (the shape of a real talk's captions).

Usage: gen_vtt.py OUT.vtt [--cues N] [--seconds S]

Every cue has a speaker label, and some carry words the benchmark job edits
("gonna", "wanna", a profanity, a multi-word phrase), so the engine does real
matching work on every cue rather than scanning text that never matches.
The output is deterministic: the same arguments give the same bytes.
"""
import argparse

SENTENCES = [
    "we are gonna look at the quarterly numbers before lunch",
    "so if you wanna follow along open the shared document now",
    "this damn projector keeps turning itself off again",
    "the New York office will present the second part",
    "let me know if anything on this slide is unclear",
    "our captions pipeline handles about forty languages today",
    "that was a really good question from the back row",
    "and honestly the results were better than we expected",
]


def stamp(ms):
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--cues", type=int, default=900)
    ap.add_argument("--seconds", type=int, default=3600)
    a = ap.parse_args()
    step = a.seconds * 1000 // a.cues
    lines = ["WEBVTT", ""]
    for i in range(a.cues):
        start, end = i * step, (i + 1) * step
        text = SENTENCES[i % len(SENTENCES)]
        second = SENTENCES[(i * 3 + 1) % len(SENTENCES)]
        lines += [str(i + 1), f"{stamp(start)} --> {stamp(end)}",
                  f"[speaker_{i % 3}] {text.capitalize()},", f"{second}.", ""]
    with open(a.out, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
