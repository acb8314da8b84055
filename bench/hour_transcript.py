#!/usr/bin/env python3
"""hour_transcript.py — lays WebVTT files end to end into one long transcript.

Usage: hour_transcript.py OUT.vtt IN.vtt [IN.vtt ...] [--seconds S]

Each input's cues are shifted to start where the previous input ended (plus
a 2 s gap), the inputs repeat in order until S seconds (default 3600) are
filled, and the last cue that starts before S ends the file. Cue text is
copied as written (speaker labels included); NOTE/STYLE blocks and cue ids
are dropped. The output is deterministic for the same inputs.
"""
import argparse
import re
import sys

TIME = re.compile(r"^\s*((?:\d+:)?\d{2}:\d{2}\.\d{3})\s+-->\s+((?:\d+:)?\d{2}:\d{2}\.\d{3})")


def ms(t):
    parts = t.split(":")
    s = float(parts[-1])
    m = int(parts[-2])
    h = int(parts[-3]) if len(parts) == 3 else 0
    return int(round(((h * 60 + m) * 60 + s) * 1000))


def stamp(v):
    h, v = divmod(v, 3_600_000)
    m, v = divmod(v, 60_000)
    s, v = divmod(v, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{v:03d}"


def cues(path):
    out = []
    lines = open(path, encoding="utf-8").read().replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        m = TIME.match(lines[i])
        if not m:
            i += 1
            continue
        text = []
        i += 1
        while i < len(lines) and lines[i].strip():
            text.append(lines[i])
            i += 1
        if text:
            out.append((ms(m.group(1)), ms(m.group(2)), "\n".join(text)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("--seconds", type=int, default=3600)
    a = ap.parse_args()
    sources = [c for c in (cues(p) for p in a.inputs) if c]
    if not sources:
        sys.exit("hour_transcript: no cues in the inputs")
    limit = a.seconds * 1000
    offset, n, k = 0, 0, 0
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("WEBVTT\n\n")
        while offset < limit:
            src = sources[k % len(sources)]
            k += 1
            base = src[0][0]
            for s, e, text in src:
                s2, e2 = s - base + offset, e - base + offset
                if s2 >= limit:
                    break
                f.write(f"{stamp(s2)} --> {stamp(e2)}\n{text}\n\n")
                n += 1
                end = e2
            offset = end + 2000
    print(f"hour_transcript: {n} cues, {end / 1000:.0f} s from {len(sources)} files", file=sys.stderr)


if __name__ == "__main__":
    main()
