"""Runs py-key-value-aio 0.4.6's PydanticAdapter for the interop test: one JSON command on stdin, one JSON answer on stdout.

Command: {"write": [{"type": t, "value": v}, ...], "read": [{"type": t, "stored": {...}}, ...]}
    write: validates v as type t, puts it through PydanticAdapter and answers the dict the store holds;
    read: puts the stored dict into the store as it is, gets it through PydanticAdapter
          (raise_on_validation_error=True) and answers the value in JSON mode, or the error's class name.
Answer: {"written": [{"stored": {...}}, ...], "read": [{"value": v} | {"error": "DeserializationError"}, ...]}
"""

import asyncio
import json
import sys
import warnings
from typing import Optional

from pydantic import BaseModel, TypeAdapter

warnings.simplefilter("ignore")

from key_value.aio.adapters.pydantic import PydanticAdapter  # noqa: E402
from key_value.aio.stores.memory.store import MemoryStore  # noqa: E402


class User(BaseModel):
    name: str
    age: int
    tags: list[str] = []


TYPES = {
    "user": User,
    "users": list[User],
    "numbers": list[int],
    "count": int,
    "label": str,
    "ratio": float,
    "flag": bool,
    "scores": dict[str, int],
    "maybe_user": Optional[User],
}

COLLECTION = "interop"


async def main() -> None:
    command = json.load(sys.stdin)
    store = MemoryStore()
    written = []
    for index, case in enumerate(command.get("write", [])):
        model = TYPES[case["type"]]
        adapter = PydanticAdapter(key_value=store, pydantic_model=model)
        key = f"write-{index}"
        await adapter.put(key, TypeAdapter(model).validate_python(case["value"]), collection=COLLECTION)
        written.append({"stored": await store.get(key, collection=COLLECTION)})
    read = []
    for index, case in enumerate(command.get("read", [])):
        model = TYPES[case["type"]]
        adapter = PydanticAdapter(key_value=store, pydantic_model=model, raise_on_validation_error=True)
        key = f"read-{index}"
        await store.put(key, case["stored"], collection=COLLECTION)
        try:
            value = await adapter.get(key, collection=COLLECTION)
            read.append({"value": TypeAdapter(model).dump_python(value, mode="json")})
        except Exception as error:  # the class name is the answer
            read.append({"error": type(error).__name__})
    json.dump({"written": written, "read": read}, sys.stdout)


asyncio.run(main())
