"""Schema figures for a list of MCP tools: the quality side of bench/run.sh.

    python schema_stats.py TOOLS.json

TOOLS.json is either toolgate's `openapi inspect --json` report (an object with `tools`) or a
list of {name, input_schema, output_schema} (what fastmcp_import.py --out writes). Prints one
JSON object: how many input and output schemas pass JSON Schema 2020-12 meta-validation
(jsonschema's Draft202012Validator.check_schema), how many hold a `$ref` keyword (outside
example data), their total and largest sizes, and the first few invalid ones.
"""

import json
import multiprocessing
import sys

from jsonschema import Draft202012Validator

DATA_KEYWORDS = {"examples", "example", "default", "const", "enum"}
SCHEMA_MAPS = {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}


def has_ref(node):
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            for k, v in n.items():
                if k in ("$ref", "$dynamicRef", "$recursiveRef"):
                    return True
                if k in DATA_KEYWORDS:
                    continue
                if k in SCHEMA_MAPS and isinstance(v, dict):
                    stack.extend(v.values())
                else:
                    stack.append(v)
        elif isinstance(n, list):
            stack.extend(n)
    return False


def meta_check(text):
    try:
        Draft202012Validator.check_schema(json.loads(text))
        return None
    except Exception as e:
        return (str(e).splitlines() or [type(e).__name__])[0][:200]


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        data = json.load(f)
    tools = data["tools"] if isinstance(data, dict) else data

    texts = {}  # distinct schema text -> error (filled below)
    rows = []
    for t in tools:
        for field in ("input_schema", "output_schema"):
            s = t.get(field)
            if s is None:
                continue
            text = json.dumps(s, sort_keys=True)
            texts.setdefault(text, None)
            rows.append((t.get("name"), field, text, has_ref(s)))
    distinct = sorted(texts, key=len, reverse=True)
    with multiprocessing.Pool(multiprocessing.cpu_count()) as pool:
        errors = pool.map(meta_check, distinct, chunksize=4)
    texts = dict(zip(distinct, errors))

    out = {"tools": len(tools)}
    for field, short in (("input_schema", "input"), ("output_schema", "output")):
        mine = [r for r in rows if r[1] == field]
        out[f"{short}_schemas"] = len(mine)
        out[f"{short}_valid"] = sum(1 for r in mine if texts[r[2]] is None)
        out[f"{short}_with_ref"] = sum(1 for r in mine if r[3])
        out[f"{short}_bytes"] = sum(len(r[2]) for r in mine)
        big = max(mine, key=lambda r: len(r[2]), default=None)
        out[f"{short}_largest"] = [big[0], len(big[2])] if big else None
        out[f"{short}_invalid_examples"] = [
            f"{r[0]}: {texts[r[2]]}" for r in mine if texts[r[2]] is not None
        ][:5]
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
