"""Writes the sanitization test vectors that @kv/core checks itself against.

Each vector is the output of py-key-value's own strategy for one input, so the
TypeScript port is held to byte-for-byte agreement. Run with py-key-value-aio 0.4.6:

    python -m venv .venv && .venv/bin/pip install py-key-value-aio==0.4.6
    .venv/bin/python tooling/interop/sanitization_vectors.py > packages/core/test/fixtures/sanitization-vectors.json
"""

import json
import sys

from key_value.aio._utils.sanitization import (
    AlwaysHashStrategy,
    HashExcessLengthStrategy,
    HashFragmentMode,
    HybridSanitizationStrategy,
    PassthroughStrategy,
)
from key_value.aio._utils.sanitize import ALPHANUMERIC_CHARACTERS

INPUTS = [
    "", "a", "test::key", "hello world", "ünïcödé", "日本語", "🎉emoji",
    "".join(chr(ord("a") + i % 26) for i in range(300)),
    "H_abc", "S_abc", "h_abc", "a/b\\c", "..", "key#?%", "x" * 1000, "a\nb\tc",
    "_", "___", "-", "::", "a::", "valid_key_123", "Mixed-Case.Key",
    "default_collection::test::key", "é" * 300, "🎉" * 300, "x" * 240, "x" * 241,
]

ALLOWED = {"ALNUM_": ALPHANUMERIC_CHARACTERS + "_", "ALNUM": ALPHANUMERIC_CHARACTERS}
MODES = {"always": HashFragmentMode.ALWAYS, "never": HashFragmentMode.NEVER, "only_if_changed": HashFragmentMode.ONLY_IF_CHANGED}

# (class name, options as the TypeScript port names them)
STRATEGIES = [
    ("PassthroughStrategy", {}),
    ("AlwaysHashStrategy", {}),
    ("AlwaysHashStrategy", {"hashLength": 16}),
    ("AlwaysHashStrategy", {"hashLength": 9}),
    ("HashExcessLengthStrategy", {}),
    ("HashExcessLengthStrategy", {"maxLength": 16}),
    ("HashExcessLengthStrategy", {"maxLength": 100}),
    ("HybridSanitizationStrategy", {}),
    ("HybridSanitizationStrategy", {"allowedCharacters": "ALNUM_", "hashFragmentLength": 8}),
    ("HybridSanitizationStrategy", {"allowedCharacters": "ALNUM_", "hashFragmentMode": "always"}),
    ("HybridSanitizationStrategy", {"allowedCharacters": "ALNUM_", "hashFragmentMode": "never"}),
    ("HybridSanitizationStrategy", {"allowedCharacters": "ALNUM_", "maxLength": 20, "hashFragmentLength": 4}),
    ("HybridSanitizationStrategy", {"allowedCharacters": "ALNUM", "replacementCharacter": "-", "maxLength": 32}),
    ("HybridSanitizationStrategy", {"maxLength": 10}),
    ("HybridSanitizationStrategy", {"maxLength": 10, "hashFragmentMode": "always"}),
]


def build(name, options):
    if name == "PassthroughStrategy":
        return PassthroughStrategy()
    if name == "AlwaysHashStrategy":
        return AlwaysHashStrategy(hash_length=options.get("hashLength", 64))
    if name == "HashExcessLengthStrategy":
        return HashExcessLengthStrategy(max_length=options.get("maxLength", 240))
    kwargs = {
        "max_length": options.get("maxLength", 240),
        "replacement_character": options.get("replacementCharacter", "_"),
        "hash_fragment_mode": MODES[options.get("hashFragmentMode", "only_if_changed")],
        "hash_fragment_length": options.get("hashFragmentLength", 8),
    }
    if "allowedCharacters" in options:
        kwargs["allowed_characters"] = ALLOWED[options["allowedCharacters"]]
    return HybridSanitizationStrategy(**kwargs)


vectors = []
for name, options in STRATEGIES:
    strategy = build(name, options)
    for value in INPUTS:
        try:
            strategy.validate(value)
            refused = False
        except Exception:
            refused = True
        vectors.append({"strategy": name, "options": options, "input": value, "output": strategy.sanitize(value), "refused": refused})

json.dump({"source": "py-key-value-aio 0.4.6", "allowed": ALLOWED, "vectors": vectors}, sys.stdout, ensure_ascii=False, indent=0)
sys.stdout.write("\n")
