#!/usr/bin/env python3
"""A minimal Handle.Net REST client, written from Handle.Net's published REST API documentation
(Handle.Net Technical Manual, "HTTP JSON REST API"), independent of Resolver's code: Python's standard
library only.

    GET /api/handles/<prefix>/<suffix>[?type=T&index=N]  ->  {"responseCode": 1, "handle": ..., "values": [...]}

Usage: handle_rest_client.py BASE_URL [--token T] [--type T]... [--index N]... [--keep-slashes] HANDLE...

Each HANDLE is split at its first '/'; the suffix is percent-encoded as a browser's encodeURIComponent does
(every byte outside A-Z a-z 0-9 -_.!~*'() is encoded as UTF-8, '/' included unless --keep-slashes). Prints one
JSON line per handle: {"asked", "status", "responseCode", "handle", "values": [{"index", "type", "value"}]}.
"""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request


def encode_component(text, keep_slashes):
    # encodeURIComponent leaves A-Z a-z 0-9 - _ . ! ~ * ' ( ) alone.
    return urllib.parse.quote(text, safe="-_.!~*'()" + ("/" if keep_slashes else ""), encoding="utf-8")


def resolve(base, handle, token=None, types=(), indexes=(), keep_slashes=False):
    prefix, _, suffix = handle.partition("/")
    url = "%s/api/handles/%s/%s" % (base.rstrip("/"), encode_component(prefix, False), encode_component(suffix, keep_slashes))
    query = [("type", t) for t in types] + [("index", str(i)) for i in indexes]
    if query:
        url += "?" + urllib.parse.urlencode(query)
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    answer = json.loads(body.decode("utf-8"))
    values = []
    for value in answer.get("values", []):
        data = value["data"]
        values.append({"index": value["index"], "type": value["type"],
                       "value": data["value"] if data["format"] == "string" else data["format"] + ":" + data["value"]})
    return {"asked": handle, "status": status, "responseCode": answer["responseCode"],
            "handle": answer.get("handle"), "values": values}


def main(argv):
    base, token, types, indexes, keep, handles = argv[0], None, [], [], False, []
    rest = iter(argv[1:])
    for arg in rest:
        if arg == "--token":
            token = next(rest)
        elif arg == "--type":
            types.append(next(rest))
        elif arg == "--index":
            indexes.append(int(next(rest)))
        elif arg == "--keep-slashes":
            keep = True
        else:
            handles.append(arg)
    for handle in handles:
        print(json.dumps(resolve(base, handle, token, types, indexes, keep), ensure_ascii=False))


if __name__ == "__main__":
    sys.stdout.reconfigure(encoding="utf-8")
    main(sys.argv[1:])
