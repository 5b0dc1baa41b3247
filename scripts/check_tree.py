#!/usr/bin/env python3
"""Checks of the source tree's shape that compilers do not make: run by ctest and CI.

  check_tree.py ROOT floors     an include never points up a floor (the order: README's "Floors:" line)
  check_tree.py ROOT names      a registered class name is compared as a string only in that class's own files

Each prints what is wrong, one line per finding with file and line, and exits 1 when anything is.
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')


def floor_order(root):
    """The floors from the README's line `Floors: a → b, c → d`: {folder: rank}."""
    for line in (root / "README.md").read_text().splitlines():
        if line.startswith("Floors: "):
            ranks = {}
            for rank, floor in enumerate(line[len("Floors: "):].split("→")):
                for folder in floor.split(","):
                    ranks[folder.strip().strip("`")] = rank
            return ranks
    sys.exit("check_tree: README.md has no line starting with \"Floors: \"")


def library_files(root):
    """(path, floor) of every header and source of the library, by the folder it is in."""
    for base in (root / "lib" / "include" / "tkeras", root / "lib" / "src"):
        for path in sorted(base.rglob("*")):
            if path.suffix in (".h", ".cpp", ".in") and path.is_file():
                relative = path.relative_to(base).parts
                yield path, (relative[0] if len(relative) > 1 else None)


def check_floors(root):
    ranks = floor_order(root)
    problems = []
    for path, floor in library_files(root):
        if floor is None:
            continue  # a header above every floor (none today; tkeras.h is generated)
        if floor not in ranks:
            problems.append(f"{path.relative_to(root)}: folder {floor}/ is on no floor of README.md's Floors line")
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            target = match.group(1).split("/")
            if target[0] == "tkeras" and len(target) > 2:
                target_floor = target[1]
            elif len(target) > 1 and target[0] in ranks:
                target_floor = target[0]
            else:
                continue  # a system or third-party header
            if target_floor == floor:
                continue
            if target_floor not in ranks:
                problems.append(f"{path.relative_to(root)}:{number}: includes {match.group(1)}, on no floor")
            elif ranks[target_floor] >= ranks[floor]:
                where = "a floor above" if ranks[target_floor] > ranks[floor] else "a floor beside"
                problems.append(f"{path.relative_to(root)}:{number}: {floor}/ includes {match.group(1)}, from "
                                f"{where} it ({target_floor}/)")
    return problems


def code_without_comments(text):
    """The text with comments blanked (line numbers kept) and string literals kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text[i] == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


REGISTRATION = re.compile(r'Registrar<[\w:]+>\s+\w+\(\s*"(\w+)"')


def compared_literals(line):
    """The string literals a line compares or looks up: `kind == "Dense"`, `"Dense" != kind`,
    `.find("Dense")`, `starts_with("Random")`, and the keys and values of a table `{"Dense", ...}`."""
    patterns = [r'(?:==|!=)\s*"(\w+)"', r'"(\w+)"\s*(?:==|!=)',
                r'(?:find|contains|count|at|starts_with|ends_with|erase|value)\(\s*"(\w+)"',
                r'\{\s*"(\w+)"\s*,', r',\s*"(\w+)"\s*\}']
    return [name for pattern in patterns for name in re.findall(pattern, line)]


def check_names(root):
    """A class registered as "Name" (layers, optimizers, losses...) is compared by name only in its
    own files: the source that registers it, and the header of the same name."""
    sources = [p for p, _ in library_files(root)]
    own = {}
    for path in sources:
        for name in REGISTRATION.findall(code_without_comments(path.read_text())):
            stem = path.stem
            own.setdefault(name, set()).update(
                p for p in sources if p.stem == stem and p.parent.name == path.parent.name)
    problems = []
    for path in sources:
        code = code_without_comments(path.read_text())
        for number, line in enumerate(code.splitlines(), 1):
            for literal in compared_literals(line):
                if literal in own and path not in own[literal]:
                    owners = ", ".join(sorted(str(p.relative_to(root)) for p in own[literal]))
                    problems.append(f"{path.relative_to(root)}:{number}: compares with the class name \"{literal}\"; "
                                    f"only its own files ({owners}) may")
    return problems


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in ("floors", "names"):
        sys.exit(__doc__)
    root = pathlib.Path(sys.argv[1]).resolve()
    problems = {"floors": check_floors, "names": check_names}[sys.argv[2]](root)
    for problem in problems:
        print(problem)
    print(f"check_tree {sys.argv[2]}: {'ok' if not problems else str(len(problems)) + ' problem(s)'}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
