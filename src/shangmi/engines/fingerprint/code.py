"""Source-code normaliser: language-aware token streams from offline tree-sitter grammars.

For a supported language (Java, C, C++, Python, JavaScript, TypeScript/TSX, Go, C#; chosen by file
extension) the parse tree is walked in pre-order and yields two streams:

* `ast`: one token per named node type plus keyword tokens; identifiers become ``ID`` and literals ``LIT``
  (their subtrees are not entered); comments, punctuation and operators are dropped. Renaming, re-spacing,
  re-commenting and re-bracing therefore change nothing.
* `lit`: the exact text of every literal (strings, numbers, characters, booleans) whose content (quotes
  stripped) has at least MIN_LITERAL_CHARS characters: verbatim messages and constants survive most
  plagiarism and are strong evidence of copying, whereas ``0``, ``1``, ``'a'`` or ``""`` occur in nearly
  every program and are below the noise threshold of this channel (as k is for the winnowed channels).
  The `ast` stream keeps its ``LIT`` token for every literal either way.

Every token keeps the byte offset of its node so that a fingerprint maps back to a line range. The raw-text
channel of code files (comments and strings included) is produced by `text.py` on the whole file.

Cost: one tree-sitter parse (C, roughly 5-15 MB/s per core) and one Python step per node.
Precondition: `source` is the file's bytes (UTF-8 or close to it; tree-sitter tolerates bad bytes).
"""

from __future__ import annotations

import functools
from array import array
from dataclasses import dataclass

from .winnow import token_code

LANGUAGES = {
    ".java": "java",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".hpp": "cpp",
    ".hh": "cpp",
    ".hxx": "cpp",
    ".py": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".cs": "csharp",
}

# Node types that are literals although their names do not say so.
_LITERAL_NAMES = {
    "string",
    "number",
    "integer",
    "float",
    "true",
    "false",
    "null",
    "nil",
    "none",
    "undefined",
    "template_string",
    "concatenated_string",
    "char",
    "raw_string",
    "verbatim_string",
}
_EMIT, _LEAF, _SKIP, _DROP = 0, 1, 2, 3
_SYMBOLS = 1 << 16  # tree-sitter symbols (kind ids) are 16-bit
_ERROR_SYMBOL = _SYMBOLS - 1  # ts_builtin_sym_error: Node.is_error is kind_id == this
ID_CODE = token_code("ID")
LIT_CODE = token_code("LIT")
MAX_LITERAL_BYTES = 256
MIN_LITERAL_CHARS = 2
_QUOTES = b"\"'`"


@dataclass
class CodeTokens:
    """Token streams of one source file. `ast_offsets[i]` / `lit_offsets[i]` are byte offsets."""

    language: str
    ast: array
    ast_offsets: list[int]
    literals: list[bytes]
    lit_offsets: list[int]
    errors: int


def language_for(name: str) -> str | None:
    """The tree-sitter language of a file name, or None."""
    dot = name.rfind(".")
    return LANGUAGES.get(name[dot:].lower()) if dot >= 0 else None


@functools.cache
def _parser_and_table(language: str):
    from tree_sitter_language_pack import get_parser

    parser = get_parser(language)
    lang = parser.language
    actions: list[tuple[int, int]] = []
    for kind in range(lang.node_kind_count):
        name = lang.node_kind_for_id(kind) or ""
        named = lang.node_kind_is_named(kind)
        if "comment" in name:
            actions.append((_SKIP, 0))
        elif "identifier" in name or name in ("name", "this", "self", "super"):
            actions.append((_EMIT, ID_CODE))
        elif "literal" in name or name in _LITERAL_NAMES or (named and name.endswith("string")):
            actions.append((_LEAF, LIT_CODE))
        elif name == "ERROR":
            actions.append((_EMIT, token_code("ERROR")))
        elif named or name.replace("_", "").isalpha():
            actions.append((_EMIT, token_code(name)))
        else:
            actions.append((_DROP, 0))
    # Symbols at or past node_kind_count (the ERROR symbol is 65535) are emitted as code 0; padding the
    # table to every 16-bit symbol turns that bounds check, done once per node, into a plain lookup.
    actions.extend([(_EMIT, 0)] * (_SYMBOLS - len(actions)))
    return parser, actions


def _significant(literal: bytes) -> bool:
    """Whether a literal carries evidence: at least MIN_LITERAL_CHARS characters inside its quotes."""
    content = literal.strip(_QUOTES)
    return len(content.decode("utf-8", "replace")) >= MIN_LITERAL_CHARS


def tokenize(source: bytes, language: str) -> CodeTokens:
    """Parse `source` as `language` (a value of LANGUAGES) and return its token streams."""
    parser, actions = _parser_and_table(language)
    tree = parser.parse(source)
    ast = array("I")
    offsets: list[int] = []
    literals: list[bytes] = []
    lit_offsets: list[int] = []
    errors = 0
    cursor = tree.walk()
    # One Python step per node: bind the methods once (this loop is most of a code file's cost).
    push = ast.append
    push_off = offsets.append
    first_child, next_sibling, parent = cursor.goto_first_child, cursor.goto_next_sibling, cursor.goto_parent
    while True:
        node = cursor.node
        kind = node.kind_id
        action, code = actions[kind]
        descend = True
        if action == _EMIT:
            push(code)
            push_off(node.start_byte)
            if kind == _ERROR_SYMBOL:
                errors += 1
        elif action == _LEAF:
            start = node.start_byte
            push(code)
            push_off(start)
            value = source[start : min(node.end_byte, start + MAX_LITERAL_BYTES)]
            if _significant(value):
                literals.append(value)
                lit_offsets.append(start)
            descend = False
        elif action == _SKIP:
            descend = False
        if descend and first_child():
            continue
        while not next_sibling():
            if not parent():
                return CodeTokens(language, ast, offsets, literals, lit_offsets, errors)
