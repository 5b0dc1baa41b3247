#!/bin/sh
# Runs a command and passes when it exits with the expected code after printing exactly one line.
# Usage: expect_one_line_exit.sh CODE COMMAND [ARGS...]
expected=$1
shift
output=$("$@" 2>&1)
code=$?
printf '%s\n' "$output"
lines=$(printf '%s\n' "$output" | wc -l)
if [ "$code" -ne "$expected" ] || [ "$lines" -ne 1 ]; then
  echo "expected exit code $expected and one line, received exit code $code and $lines line(s)"
  exit 1
fi
