#!/usr/bin/env python3
"""Checks that every fenced code block in README.md and docs/**/*.md is code that CI builds or runs.

- cpp: the block's lines are a contiguous run of lines of examples/*.cpp, apps/**/*.cpp,
  docs/snippets/*.cpp or tests/consumers/*.cpp (a block line `// ...` stands for any number of
  skipped lines). Lines are compared without trailing spaces, and without the indentation common
  to the block (the run in the file may be indented further, by the same amount on every line).
- cmake: a contiguous run of tests/consumers/**/CMakeLists.txt or docs/snippets/**/CMakeLists.txt.
- python: a contiguous run of docs/snippets/*.py or tests/keras/*.py.
- sh: each command that runs a tkeras program (`tkeras-xxx`, `build/apps/...`) uses only flags
  that the program's sources define, and each `make X` names a target of the Makefile.
- text, or no language: output, not checked.

A snippet file under docs/snippets/ counts only when docs/CMakeLists.txt names it, so that CI
builds (.cpp) or runs (.py) it.

Usage: scripts/check_doc_snippets.py [ROOT]   (default: the checkout this script is in)
Prints each failing block with its file and line; exits 1 when any fails, 0 otherwise.
"""

from __future__ import annotations

import dataclasses
import pathlib
import re
import shlex
import sys

CPP = {"cpp", "c++", "cxx", "cc"}
CMAKE = {"cmake"}
PYTHON = {"python", "py", "python3"}
SHELL = {"sh", "bash", "shell", "console"}
OUTPUT = {"", "text", "txt", "output"}

SKIP_LINE = "// ..."
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\s]*)[^`]*$")


@dataclasses.dataclass
class Block:
    path: pathlib.Path
    line: int  # 1-based line of the opening fence
    language: str
    lines: list[str]


def read_lines(path: pathlib.Path) -> list[str]:
    return [line.rstrip() for line in path.read_text(encoding="utf-8").splitlines()]


def fenced_blocks(path: pathlib.Path) -> list[Block]:
    """The fenced code blocks of a Markdown file, with their indentation (a list item's) removed."""
    blocks = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"].expandtabs())
        body = []
        j = i + 1
        while j < len(lines):
            closing = FENCE.match(lines[j])
            if closing and closing["fence"][0] == fence[0] and len(closing["fence"]) >= len(fence) \
                    and not closing["info"]:
                break
            # Markdown removes up to the fence's own indentation from each line of its block.
            line = lines[j].expandtabs()
            strip = min(indent, len(line) - len(line.lstrip(" ")))
            body.append(line[strip:].rstrip())
            j += 1
        blocks.append(Block(path, i + 1, opening["info"].lower(), dedent(body)))
        i = j + 1
    return blocks


def dedent(lines: list[str]) -> list[str]:
    """Lines without their trailing spaces and without the indentation they all share."""
    lines = [line.rstrip() for line in lines]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    indents = [len(line) - len(line.lstrip(" ")) for line in lines if line]
    common = min(indents, default=0)
    return [line[common:] for line in lines]


def segments(block: list[str], skip_marker: str | None) -> list[list[str]]:
    """The block split at its skip lines: the runs that must appear in order in one file."""
    if skip_marker is None:
        return [block]
    parts: list[list[str]] = [[]]
    for line in block:
        if line.strip() == skip_marker:
            parts.append([])
        else:
            parts[-1].append(line)
    return [part for part in parts if part]


def run_matches(file_lines: list[str], start: int, run: list[str]) -> str | None:
    """The indentation with which `run` appears at `start` in the file, or None when it does not."""
    if start + len(run) > len(file_lines):
        return None
    indent = None
    for offset, wanted in enumerate(run):
        have = file_lines[start + offset]
        if not wanted:
            if have.strip():
                return None
            continue
        if not have.endswith(wanted):
            return None
        prefix = have[: len(have) - len(wanted)]
        if prefix.strip(" \t") or (indent is not None and prefix != indent):
            return None
        indent = prefix
    return indent if indent is not None else ""


def contains(file_lines: list[str], block: list[str], skip_marker: str | None) -> bool:
    """Whether the block is a contiguous excerpt of the file (its skip lines skipping any lines)."""
    parts = segments(block, skip_marker)
    if not parts:
        return True

    def place(part_index: int, from_line: int, indent: str | None) -> bool:
        if part_index == len(parts):
            return True
        part = parts[part_index]
        for start in range(from_line, len(file_lines) - len(part) + 1):
            found = run_matches(file_lines, start, part)
            if found is None or (indent is not None and found != indent):
                continue
            if place(part_index + 1, start + len(part), found):
                return True
        return False

    return place(0, 0, None)


class Checker:
    def __init__(self, root: pathlib.Path):
        self.root = root
        docs_cmake = root / "docs" / "CMakeLists.txt"
        text = docs_cmake.read_text(encoding="utf-8") if docs_cmake.exists() else ""
        # What docs/CMakeLists.txt builds or runs: its commands, without comments and quoted
        # strings (a test's name may mention a file it does not run).
        text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
        self.docs_cmake = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
        self.failures: list[str] = []
        self.unbuilt: list[str] = []
        self.cpp_files = self._files(["examples/*.cpp", "apps/**/*.cpp", "tests/consumers/*.cpp"]) + \
            self._snippets("docs/snippets/*.cpp")
        self.cmake_files = self._files(["tests/consumers/**/CMakeLists.txt", "docs/snippets/**/CMakeLists.txt"])
        self.python_files = self._files(["tests/keras/*.py"]) + self._snippets("docs/snippets/*.py")
        self.make_targets = self._make_targets()
        self.programs = self._programs()

    def _files(self, patterns: list[str]) -> list[tuple[pathlib.Path, list[str]]]:
        paths = sorted({path for pattern in patterns for path in self.root.glob(pattern) if path.is_file()})
        return [(path, read_lines(path)) for path in paths]

    def _snippets(self, pattern: str) -> list[tuple[pathlib.Path, list[str]]]:
        """Snippet files that docs/CMakeLists.txt builds or runs; the others are reported."""
        kept = []
        for path, lines in self._files([pattern]):
            if re.search(rf"(?<![\w.-])snippets/{re.escape(path.name)}(?![\w.-])", self.docs_cmake):
                kept.append((path, lines))
            else:
                self.unbuilt.append(f"{path.relative_to(self.root)}: docs/CMakeLists.txt neither builds nor runs it, "
                                    "so code blocks cannot be checked against it")
        return kept

    def _make_targets(self) -> set[str]:
        targets = set()
        makefile = self.root / "Makefile"
        if makefile.exists():
            for line in read_lines(makefile):
                rule = re.match(r"^([A-Za-z0-9_./$() -]+?)\s*::?(?!=)", line)
                if rule and not line.startswith("\t"):
                    targets.update(rule.group(1).split())
        return targets

    def _programs(self) -> dict[str, list[pathlib.Path]]:
        """Each executable that apps/ and examples/ define, with its source files."""
        programs: dict[str, list[pathlib.Path]] = {}
        for cmake in sorted(self.root.glob("apps/**/CMakeLists.txt")) + sorted(self.root.glob("examples/CMakeLists.txt")):
            text = cmake.read_text(encoding="utf-8")
            for name, sources in re.findall(r"add_executable\(\s*([\w.-]+)([^)]*)\)", text):
                files = [cmake.parent / source for source in sources.split()
                         if re.search(r"\.(cpp|cc|cxx|h|hpp)$", source)]
                programs[name] = [path for path in files if path.exists()]
        return programs

    def fail(self, block: Block, reason: str) -> None:
        where = f"{block.path.relative_to(self.root)}:{block.line}"
        shown = "\n".join(f"    | {line}" for line in block.lines)
        self.failures.append(f"{where}: {block.language or 'untagged'} block: {reason}\n{shown}")

    def check(self, block: Block) -> None:
        language = block.language
        if language in OUTPUT:
            return
        if language in CPP:
            self._excerpt(block, self.cpp_files, SKIP_LINE,
                          "examples/*.cpp, apps/**/*.cpp, docs/snippets/*.cpp or tests/consumers/*.cpp")
        elif language in CMAKE:
            self._excerpt(block, self.cmake_files, None,
                          "tests/consumers/**/CMakeLists.txt or docs/snippets/**/CMakeLists.txt")
        elif language in PYTHON:
            self._excerpt(block, self.python_files, None, "docs/snippets/*.py (run by a test) or tests/keras/*.py")
        elif language in SHELL:
            self._shell(block)
        else:
            self.fail(block, f"the language \"{language}\" is not one this check knows "
                             "(cpp, cmake, python, sh; text or none for output)")

    def _excerpt(self, block: Block, files, skip_marker: str | None, where: str) -> None:
        if not any(line.strip() and line.strip() != skip_marker for line in block.lines):
            self.fail(block, "the block holds no code")
            return
        if not any(contains(lines, block.lines, skip_marker) for _, lines in files):
            self.fail(block, f"its lines are not a contiguous run of any of {where}")

    def _shell(self, block: Block) -> None:
        commands = []
        pending = ""
        for line in block.lines:
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            commands.append(pending + line)
            pending = ""
        if pending:
            commands.append(pending)
        for command in commands:
            if not command.strip() or command.lstrip().startswith("#"):
                continue
            for problem in self._command_problems(command):
                self.fail(block, f"`{command.strip()}`: {problem}")

    def _command_problems(self, line: str) -> list[str]:
        try:
            lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            lexer.commenters = "#"
            tokens = list(lexer)
        except ValueError as error:
            return [f"cannot be split into words ({error})"]
        problems = []
        for command in split_commands(tokens):
            problems += self._simple_command_problems(command)
        return problems

    def _simple_command_problems(self, words: list[str]) -> list[str]:
        problems = []
        # A quoted word with spaces may be a command of its own (`script -qc "tkeras-bench ..."`).
        for word in words:
            if " " in word:
                problems += self._command_problems(word)
        while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
            words = words[1:]
        if not words:
            return problems
        if pathlib.PurePosixPath(words[0]).name == "make":
            for word in words[1:]:
                if word.startswith("-") or "=" in word:
                    continue
                if word not in self.make_targets:
                    problems.append(f"`make {word}`: the Makefile has no target {word}")
        for index, word in enumerate(words):
            program = pathlib.PurePosixPath(word).name
            runs_program = index == 0 or "/" in word
            if not runs_program or not re.fullmatch(r"tkeras-[A-Za-z0-9-]+", program):
                continue
            if program not in self.programs:
                problems.append(f"no app or example defines a program named {program}")
                continue
            sources = "\n".join(path.read_text(encoding="utf-8") for path in self.programs[program])
            uses_cli11 = "CLI/CLI.hpp" in sources or "CLI::App" in sources
            for flag in words[index + 1:]:
                if not flag.startswith("--") or flag == "--":
                    continue
                name = flag.split("=", 1)[0]
                if name == "--help" and uses_cli11:
                    continue
                if not re.search(rf"{re.escape(name)}(?![A-Za-z0-9_-])", sources):
                    problems.append(f"{program}'s sources define no flag {name}")
        return problems

    def run(self, markdown: list[pathlib.Path]) -> int:
        blocks = [block for path in markdown for block in fenced_blocks(path)]
        for block in blocks:
            self.check(block)
        for problem in self.unbuilt:
            print(f"warning: {problem}")
        for failure in self.failures:
            print(failure)
            print()
        checked = sum(1 for block in blocks if block.language not in OUTPUT)
        print(f"check_doc_snippets: {len(blocks)} code blocks in {len(markdown)} files, {checked} checked, "
              f"{len(self.failures)} failed")
        return 1 if self.failures else 0


def split_commands(tokens: list[str]) -> list[list[str]]:
    """Simple commands of a shell line, split at its operators and parentheses."""
    commands: list[list[str]] = [[]]
    for token in tokens:
        if token and all(char in "();<>|&" for char in token):
            commands.append([])
        else:
            commands[-1].append(token)
    return [command for command in commands if command]


def main(argv: list[str]) -> int:
    root = pathlib.Path(argv[1] if len(argv) > 1 else pathlib.Path(__file__).resolve().parent.parent).resolve()
    markdown = [root / "README.md"] + sorted((root / "docs").glob("**/*.md"))
    markdown = [path for path in markdown if path.is_file()]
    return Checker(root).run(markdown)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
