"""Checks `toolgate openapi inspect --json` output for a large real OpenAPI document.

    python check.py REPORT.json SPEC.json [--min-tools N]

REPORT.json is what toolgate printed; SPEC.json is the document it imported (read to count the
operations and to tell declared parameters from credentials). Prints one line per check
(`ok  …` or `FAIL …`), the skipped operations, and ends with `N passed, N failed`; exits 1 if a
check failed. Needs the `jsonschema` package (pinned in requirements.txt) and nothing else.
"""

import argparse
import json
import multiprocessing
import re
import sys

from jsonschema import Draft202012Validator

NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Argument names that carry credentials. An argument `{in}_{name}` matching this is a failure,
# unless the operation itself declares that parameter (GitHub's `key` of the Actions cache is
# a cache key, not an API key) and no security scheme of the document sends it.
CREDENTIAL_RE = re.compile(
    r"^(query|header|cookie)_("
    r"key|api[-_]?key|x-api-key|apikey|token|access[-_]?token|auth|auth[-_]?token|x-auth-token"
    r"|authorization|proxy-authorization|cookie|password|passwd|secret|client[-_]?secret"
    r"|private[-_]?token|session|session[-_]?id|sig|signature"
    r")$",
    re.IGNORECASE,
)
# Never an argument, declared or not: they are the transport's or the credential store's.
ALWAYS_CREDENTIAL = {"header_authorization", "header_proxy-authorization", "header_cookie"}

passed = 0
failed = 0


def check(ok, what, details=()):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {what}")
    else:
        failed += 1
        print(f"FAIL {what}")
        details = list(details)
        for d in details[:20]:
            print(f"       {d}")
        if len(details) > 20:
            print(f"       … and {len(details) - 20} more")


# Keywords whose values are instance data, not schemas: a `$ref` key in them is not a
# reference (GitHub's description has a schema `example` that is literally {"$ref": …}).
DATA_KEYWORDS = {"examples", "example", "default", "const", "enum"}
# Keywords whose values are maps from names to schemas: the keys are names, not keywords.
SCHEMA_MAPS = {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}


def find_refs(node, path="#"):
    """Yields the JSON pointer of every `$ref` keyword in a schema (not in example data)."""
    stack = [(node, path)]
    while stack:
        n, p = stack.pop()
        if isinstance(n, dict):
            for k, v in n.items():
                if k in ("$ref", "$dynamicRef", "$recursiveRef"):
                    yield f"{p}/{k}"
                elif k in DATA_KEYWORDS:
                    continue
                elif k in SCHEMA_MAPS and isinstance(v, dict):
                    for name, sub in v.items():
                        stack.append((sub, f"{p}/{k}/{name}"))
                else:
                    stack.append((v, f"{p}/{k}"))
        elif isinstance(n, list):
            for i, v in enumerate(n):
                stack.append((v, f"{p}/{i}"))


def meta_check(item):
    """(key, error or None): the schema against the 2020-12 meta-schema."""
    key, text = item
    schema = json.loads(text)
    try:
        Draft202012Validator.check_schema(schema)
        return key, None
    except Exception as e:  # SchemaError, or anything the schema makes jsonschema raise
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        return key, msg[:300]


def local(doc, obj):
    """Resolves a local `#/…` $ref (GitHub's description has only local ones)."""
    seen = 0
    while isinstance(obj, dict) and "$ref" in obj and seen < 32:
        ref = obj["$ref"]
        if not ref.startswith("#/"):
            return obj
        target = doc
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        obj, seen = target, seen + 1
    return obj


def declared_params(doc, method, path):
    item = doc.get("paths", {}).get(path, {})
    op = item.get(method.lower(), {})
    out = set()
    for p in list(item.get("parameters", [])) + list(op.get("parameters", [])):
        p = local(doc, p)
        if isinstance(p, dict) and "in" in p and "name" in p:
            out.add(f"{p['in']}_{p['name']}".lower())
    return out


def scheme_args(doc):
    """Argument names that a security scheme of the document would send."""
    out = set()
    if doc.get("swagger"):
        schemes = doc.get("securityDefinitions", {})
    else:
        schemes = doc.get("components", {}).get("securitySchemes", {})
    for s in schemes.values():
        s = local(doc, s)
        if s.get("type") == "apiKey" and "in" in s and "name" in s:
            out.add(f"{s['in']}_{s['name']}".lower())
        else:
            out.add("header_authorization")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("spec")
    ap.add_argument("--min-tools", type=int, default=1200)
    ap.add_argument("--jobs", type=int, default=multiprocessing.cpu_count())
    args = ap.parse_args()

    with open(args.report, encoding="utf-8") as f:
        report = json.load(f)
    with open(args.spec, encoding="utf-8") as f:
        doc = json.load(f)
    tools = report.get("tools", [])
    skipped = report.get("skipped", [])
    warnings = report.get("warnings", [])

    n_ops = sum(
        1 for item in doc.get("paths", {}).values() for m in item if m in HTTP_METHODS
    )
    print(
        f"--- {len(tools)} tools, {len(skipped)} skipped, {len(warnings)} warnings, "
        f"{n_ops} operations in the document, import_ms {report.get('import_ms')}"
    )

    check(
        len(tools) >= args.min_tools,
        f"at least {args.min_tools} tools (got {len(tools)})",
    )
    check(
        len(tools) + len(skipped) == n_ops,
        f"every operation is a tool or skipped ({len(tools)} + {len(skipped)} = {n_ops})",
        [f"{len(tools)} + {len(skipped)} != {n_ops}"],
    )

    bad_names = [t.get("name") for t in tools if not NAME_RE.match(str(t.get("name", "")))]
    check(
        not bad_names,
        f"every tool name matches {NAME_RE.pattern}",
        [repr(n) for n in bad_names],
    )
    seen, dups = set(), []
    for t in tools:
        n = t.get("name")
        if n in seen:
            dups.append(n)
        seen.add(n)
    check(not dups, f"tool names are unique ({len(seen)} distinct)", dups)

    print(f"--- skipped operations ({len(skipped)}):")
    for s in skipped:
        print(f"    {s.get('method')} {s.get('path')} ({s.get('operation_id')}): {s.get('reason')}")
    no_reason = [
        f"{s.get('method')} {s.get('path')}"
        for s in skipped
        if not isinstance(s.get("reason"), str) or not s["reason"].strip()
    ]
    check(not no_reason, "every skipped operation has a reason", no_reason)
    if warnings:
        print(f"--- warnings ({len(warnings)}):")
        for w in warnings[:50]:
            print(f"    {w}")

    # Schemas: present, typed, no $ref, and valid against the 2020-12 meta-schema.
    missing = [t.get("name") for t in tools if not isinstance(t.get("input_schema"), dict)]
    not_object = [
        t.get("name")
        for t in tools
        if isinstance(t.get("input_schema"), dict) and t["input_schema"].get("type") != "object"
    ]
    check(not missing and not not_object, "every tool has an input_schema of type object",
          [f"{n}: missing" for n in missing] + [f"{n}: not type object" for n in not_object])

    schemas = {}  # distinct schema text -> the first (tool, field) that has it
    owners = {}
    refs = []
    n_schemas = 0
    for t in tools:
        for field in ("input_schema", "output_schema"):
            s = t.get(field)
            if s is None:
                continue
            n_schemas += 1
            text = json.dumps(s, sort_keys=True)
            key = f"{t.get('name')}.{field}"
            owners.setdefault(text, []).append(key)
            schemas.setdefault(text, key)
            for p in find_refs(s):
                refs.append(f"{key}: {p}")
    check(not refs, f"no $ref in any of the {n_schemas} tool schemas", refs)

    items = [(key, text) for text, key in schemas.items()]
    items.sort(key=lambda kv: -len(kv[1]))  # big ones first: better load balance
    jobs = max(1, args.jobs)
    if jobs > 1:
        with multiprocessing.Pool(jobs) as pool:
            results = pool.map(meta_check, items, chunksize=4)
    else:
        results = [meta_check(i) for i in items]
    bad = {key: err for key, err in results if err}
    invalid = []
    for text, key in schemas.items():
        if key in bad:
            invalid.extend(f"{k}: {bad[key]}" for k in owners[text])
    check(
        not invalid,
        f"all {n_schemas} schemas ({len(items)} distinct) pass 2020-12 meta-validation",
        invalid,
    )

    # Credentials never become arguments.
    cred_args = scheme_args(doc)
    bad_args, declared_ok = [], []
    for t in tools:
        names = []
        for a in t.get("arguments", []):
            names.append(a.get("name") if isinstance(a, dict) else a)
        names.extend((t.get("input_schema") or {}).get("properties", {}).keys())
        declared = declared_params(doc, t.get("method", ""), t.get("path", ""))
        for n in sorted(set(filter(None, names))):
            low = n.lower()
            if low in ALWAYS_CREDENTIAL or low in cred_args:
                bad_args.append(f"{t['name']}: {n}")
            elif CREDENTIAL_RE.match(low):
                if low in declared:
                    declared_ok.append(f"{t['name']}: {n}")
                else:
                    bad_args.append(f"{t['name']}: {n} (not a parameter the operation declares)")
    if declared_ok:
        print("--- credential-like names that are ordinary declared parameters (allowed):")
        for d in declared_ok:
            print(f"    {d}")
    check(not bad_args, "no argument is a credential", bad_args)

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
