"""What libyaml makes of YAML texts: the reference of tests/it/yaml_differential.rs.

Reads a JSON array of texts on stdin and writes a JSON array of verdicts on stdout, one per
text, in order. Each text is composed (parsed into PyYAML's node graph, aliases resolved, no
types resolved) with `yaml.CSafeLoader`, libyaml's parser:

  {"ok": true, "docs": [tree, ...], "merged": [tree, ...] | null}
  {"ok": true, "docs": null, "merged": null, "huge": true}   (aliases expand past 100,000 nodes)
  {"ok": false, "error": "..."}

A tree is the value as written, every scalar a string, so YAML 1.1 typing (`yes`, `010`) cannot
blur the comparison: a scalar is its JSON string, a sequence a JSON array, a mapping
{"map": [[key, value], ...]} in written order with `<<` kept as a key. `merged` is the same
documents with merge keys resolved by PyYAML's own `flatten_mapping`, mappings as
{"merged": {key-as-json: value}} with the last of equal keys winning (dict semantics); null
where PyYAML's constructor refuses the merge (a `<<` onto a scalar) or a key is not a string.
"""

import copy
import json
import sys

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

if not getattr(yaml, "__with_libyaml__", False):
    sys.exit("PyYAML is built without libyaml: no yaml.CSafeLoader")


def weight(node, memo):
    """Nodes the tree stands for once aliases are expanded (an alias bomb is huge)."""
    if id(node) in memo:
        return memo[id(node)]
    memo[id(node)] = 1  # a recursive alias counts once
    if isinstance(node, ScalarNode):
        total = 1
    elif isinstance(node, SequenceNode):
        total = 1 + sum(weight(item, memo) for item in node.value)
    else:
        total = 1 + sum(weight(k, memo) + weight(v, memo) for k, v in node.value)
    memo[id(node)] = total
    return total


def tree(node, depth=0):
    if depth > 400:
        raise RecursionError("too deep")
    if isinstance(node, ScalarNode):
        return node.value
    if isinstance(node, SequenceNode):
        return [tree(item, depth + 1) for item in node.value]
    return {"map": [[tree(k, depth + 1), tree(v, depth + 1)] for k, v in node.value]}


class _Flattener(SafeConstructor):
    def __init__(self):
        SafeConstructor.__init__(self)


def flatten_all(node, flattener, seen):
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, MappingNode):
        flattener.flatten_mapping(node)
        for k, v in node.value:
            flatten_all(k, flattener, seen)
            flatten_all(v, flattener, seen)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            flatten_all(item, flattener, seen)


class NotComparable(Exception):
    pass


def merged_tree(node, depth=0):
    if depth > 400:
        raise RecursionError("too deep")
    if isinstance(node, ScalarNode):
        return node.value
    if isinstance(node, SequenceNode):
        return [merged_tree(item, depth + 1) for item in node.value]
    out = {}
    for k, v in node.value:
        if not isinstance(k, ScalarNode):
            raise NotComparable()
        out[k.value] = merged_tree(v, depth + 1)
    return {"merged": out}


def verdict(text):
    try:
        docs = list(yaml.compose_all(text, Loader=yaml.CSafeLoader))
    except yaml.YAMLError as e:
        return {"ok": False, "error": str(e).replace("\n", " ")}
    except RecursionError:
        return {"ok": False, "error": "too deep for the reference"}
    try:
        memo = {}
        if sum(weight(d, memo) for d in docs) > 100_000:
            return {"ok": True, "docs": None, "merged": None, "huge": True}
        raw = [tree(d) for d in docs]
    except RecursionError:
        return {"ok": False, "error": "too deep for the reference"}
    try:
        copies = copy.deepcopy(docs)
        flattener = _Flattener()
        seen = set()
        for d in copies:
            flatten_all(d, flattener, seen)
        merged = [merged_tree(d) for d in copies]
    except (yaml.YAMLError, NotComparable, RecursionError):
        merged = None
    return {"ok": True, "docs": raw, "merged": merged}


def main():
    sys.setrecursionlimit(10000)
    texts = json.load(sys.stdin)
    json.dump([verdict(t) for t in texts], sys.stdout)


main()
