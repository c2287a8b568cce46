"""Drops what a rendered file never reaches from main(), so templates emit the runtime unguarded.

The file is taken apart before each top-level def, class or decorator that follows two blank
lines, the comment lines right above it included. A part that holds only definitions is kept when
main(), or a kept part, reads a name it binds; every other part (the imports and constants) is
kept. Parts are shared word for word by many snippets, so each distinct part is parsed once per
process.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache

DEFINITION_START = re.compile(r"\n\n\n(?=(?:#.*\n)*(?:def |class |@))")
SEPARATOR = "\n\n\n"


def keep_reachable(source: str) -> str:
    """The source without the parts whose functions and classes main() never reaches."""
    parts = DEFINITION_START.split(source)
    facts = [_facts(part) for part in parts]
    kept = {index for index, (_, _, always) in enumerate(facts) if always}
    wanted = {"main"}.union(*(facts[index][1] for index in kept))
    changed = True
    while changed:
        changed = False
        for index, (binds, reads, _) in enumerate(facts):
            if index not in kept and binds & wanted:
                kept.add(index)
                wanted |= reads
                changed = True
    if len(kept) == len(parts):
        return source
    return SEPARATOR.join(part for index, part in enumerate(parts) if index in kept)


@lru_cache(maxsize=4096)
def _facts(part: str) -> tuple[frozenset[str], frozenset[str], bool]:
    """(names the part binds at top level, names it reads, whether it holds anything but
    definitions); a string that is a name counts as read (an annotation such as "_Reply")."""
    tree = ast.parse(part)
    binds = frozenset(node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef)))
    reads = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            reads.add(node.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
            reads.add(node.value)
    always = not all(isinstance(node, (ast.FunctionDef, ast.ClassDef)) for node in tree.body)
    return binds, frozenset(reads), always
