"""Runs py-key-value-aio 0.4.6 for the interop tests: one JSON command on stdin, one JSON answer on stdout.

Command:
    {"backend": "redis", "options": {<keyword arguments of the store's constructor>},
     "keySanitization": "<name of a strategy class in the backend's module>" (optional),
     "operations": [<operation>, ...]}

Operations (`collection` and `ttl` may be left out, as a Python caller would):
    {"op": "put", "key": k, "value": {...}, "collection": c, "ttl": seconds}
    {"op": "put_many", "entries": [[k, {...}], ...], "collection": c, "ttl": seconds}
    {"op": "get", "key": k, "collection": c}              -> {"value": {...} or null, "ttl": seconds or null}
    {"op": "get_many", "keys": [k, ...], "collection": c}  -> [{"value": ..., "ttl": ...}, ...]
    {"op": "delete", "key": k, "collection": c}           -> true or false

Answer: {"results": [<one per operation>]}. A failure prints {"error": "<type>: <message>"} and exits with 1.
"""

import asyncio
import importlib
import json
import sys
import warnings

# py-key-value warns that most stores are "unstable"; the answer on stdout must stay clean JSON.
warnings.simplefilter("ignore")

STORES = {
    "redis": ("key_value.aio.stores.redis", "RedisStore"),
    "valkey": ("key_value.aio.stores.valkey", "ValkeyStore"),
    "memcached": ("key_value.aio.stores.memcached", "MemcachedStore"),
    "postgres": ("key_value.aio.stores.postgresql", "PostgreSQLStore"),
    "mongodb": ("key_value.aio.stores.mongodb", "MongoDBStore"),
    "elasticsearch": ("key_value.aio.stores.elasticsearch", "ElasticsearchStore"),
    "dynamodb": ("key_value.aio.stores.dynamodb", "DynamoDBStore"),
    "filetree": ("key_value.aio.stores.filetree", "FileTreeStore"),
}


def tolerate_servers_without_ttl_api():
    """dynalite answers UpdateTimeToLive with UnknownOperationException, which fails py-key-value's setup.

    AWS never gives that answer, so skipping it changes nothing else: the items are written as on AWS.
    """
    from botocore.exceptions import ClientError

    from key_value.aio.stores.dynamodb import store as dynamodb_store

    enable = dynamodb_store._enable_dynamodb_ttl

    async def enable_if_supported(client, table_name, attribute_name="ttl"):
        try:
            await enable(client, table_name, attribute_name)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "UnknownOperationException":
                raise

    dynamodb_store._enable_dynamodb_ttl = enable_if_supported


def tolerate_servers_without_info_api():
    """Elasticsearch's integ-test distribution has no `GET /` (405), which py-key-value's setup calls to detect serverless.

    Its answer only decides whether writes ask for a refresh; on a server without it the store is not serverless.
    """
    from elasticsearch import ApiError

    from key_value.aio.stores.elasticsearch import store as elasticsearch_store

    setup = elasticsearch_store.ElasticsearchStore._setup

    async def setup_without_info(self):
        try:
            await setup(self)
        except ApiError as error:
            if error.meta.status != 405:
                raise
            self._is_serverless = False

    elasticsearch_store.ElasticsearchStore._setup = setup_without_info


SERVER_SHIMS = {"dynamodb": tolerate_servers_without_ttl_api, "elasticsearch": tolerate_servers_without_info_api}


def build_store(command):
    module_name, class_name = STORES[command["backend"]]
    module = importlib.import_module(module_name)
    options = dict(command.get("options", {}))
    if "keySanitization" in command:
        options["key_sanitization_strategy"] = getattr(module, command["keySanitization"])()
    if command["backend"] in SERVER_SHIMS:
        SERVER_SHIMS[command["backend"]]()
    return getattr(module, class_name)(**options)


def scoped(operation):
    """The keyword arguments a Python caller passes: only those the operation names."""
    return {name: operation[name] for name in ("collection", "ttl") if operation.get(name) is not None}


async def run(store, operation):
    op = operation["op"]
    if op == "put":
        await store.put(operation["key"], operation["value"], **scoped(operation))
        return None
    if op == "put_many":
        keys = [key for key, _ in operation["entries"]]
        values = [value for _, value in operation["entries"]]
        await store.put_many(keys, values, **scoped(operation))
        return None
    if op == "get":
        value, ttl = await store.ttl(operation["key"], **scoped(operation))
        return {"value": value, "ttl": ttl}
    if op == "get_many":
        found = await store.ttl_many(operation["keys"], **scoped(operation))
        return [{"value": value, "ttl": ttl} for value, ttl in found]
    if op == "delete":
        return await store.delete(operation["key"], **scoped(operation))
    raise ValueError(f"unknown operation {op!r}")


async def main():
    command = json.load(sys.stdin)
    store = build_store(command)
    try:
        results = [await run(store, operation) for operation in command["operations"]]
    finally:
        close = getattr(store, "close", None)
        if close is not None:
            await close()
    return results


if __name__ == "__main__":
    try:
        answer = {"results": asyncio.run(main())}
    except Exception as error:  # noqa: BLE001 - the test reports whatever went wrong
        json.dump({"error": f"{type(error).__name__}: {error}"}, sys.stdout)
        sys.exit(1)
    json.dump(answer, sys.stdout)
