"""Payloads made and read by py-key-value's own wrappers, for @kv's format tests.

Reads one JSON command on stdin and prints one JSON answer. Each section runs
py-key-value's wrapper over its MemoryStore: "write" values are put through the
wrapper and the raw stored values (the payloads) are answered; "read" payloads
(made by @kv) are put raw into the store and read back through the wrapper.

    {"compression": {"min_size_to_compress": 1024, "write": [value, ...], "read": [payload, ...]},
     "fernet": {"source_material": "...", "salt": "...", "write": [...], "read": [...]},
     "derive_keys": [["source material", "salt"], ...]}

Run with py-key-value-aio 0.4.6 and its wrappers-encryption extra.
"""

import asyncio
import json
import sys

from key_value.aio.errors import DecryptionError
from key_value.aio.stores.memory import MemoryStore
from key_value.aio.wrappers.compression import CompressionWrapper
from key_value.aio.wrappers.encryption import FernetEncryptionWrapper
from key_value.aio.wrappers.encryption.fernet import _generate_encryption_key

COLLECTION = "payloads"


async def exchange(wrapper, store, section):
    written = []
    for index, value in enumerate(section.get("write", [])):
        key = f"write-{index}"
        await wrapper.put(key, value, collection=COLLECTION)
        written.append(await store.get(key, collection=COLLECTION))
    read = []
    for index, payload in enumerate(section.get("read", [])):
        key = f"read-{index}"
        await store.put(key, payload, collection=COLLECTION)
        try:
            read.append({"value": await wrapper.get(key, collection=COLLECTION)})
        except DecryptionError as error:
            read.append({"error": type(error).__name__})
    return {"written": written, "read": read}


async def main():
    command = json.load(sys.stdin)
    answer = {}
    if "compression" in command:
        section = command["compression"]
        store = MemoryStore()
        wrapper = CompressionWrapper(store, min_size_to_compress=section.get("min_size_to_compress", 1024))
        answer["compression"] = await exchange(wrapper, store, section)
    if "fernet" in command:
        section = command["fernet"]
        store = MemoryStore()
        wrapper = FernetEncryptionWrapper(store, source_material=section["source_material"], salt=section["salt"])
        answer["fernet"] = await exchange(wrapper, store, section)
    if "derive_keys" in command:
        answer["derived_keys"] = [
            _generate_encryption_key(source_material=source, salt=salt).decode("ascii") for source, salt in command["derive_keys"]
        ]
    json.dump(answer, sys.stdout)


asyncio.run(main())
