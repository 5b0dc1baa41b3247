"""Turns the parity suite's report (build/tests/keras-parity.jsonl, one JSON line per comparison)
into the table of docs/keras_parity.md: the largest deviation of each quantity, per test.

Usage: python tests/keras/report.py build/tests/keras-parity.jsonl"""
import json
import sys

largest = {}
with open(sys.argv[1]) as f:
    for line in f:
        entry = json.loads(line)
        key = (entry["test"], entry["quantity"])
        count, deviation, tolerance = largest.get(key, (0, 0.0, entry["tolerance"]))
        largest[key] = (count + 1, max(deviation, entry["deviation"]), tolerance)

print("| test | quantity | comparisons | largest relative deviation | tolerance |")
print("|---|---|---|---|---|")
for (test, quantity), (count, deviation, tolerance) in sorted(largest.items()):
    shown = "(a named difference)" if tolerance is None else f"{tolerance:g}"
    print(f"| {test} | {quantity} | {count} | {deviation:.2e} | {shown} |")
