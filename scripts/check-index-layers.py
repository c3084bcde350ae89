"""Checks the layers of the search index, query-service/index/, by its
includes.

  /usr/bin/python3 scripts/check-index-layers.py SOURCE_DIR
  /usr/bin/python3 scripts/check-index-layers.py --self-test

Each folder of the index may include its own headers and those of the
folders below it, never one above (query-service/index/CMakeLists.txt):

  index/ (bulletin_index.h)  may include  query/ postings/ store/ text/
  query/                                  postings/ store/ text/
  postings/                               text/
  store/                                  text/
  text/                                   nothing else of the index

Outside the index, only bulletin_index.h may be included, except from
tests/ and bench/, which reach the parts they test or measure.

--self-test proves the check can fail: trees with an upward include, a
sideways one (store/ to postings/) and an outside include of an internal
header must be refused, and a tree without them accepted.
Exits non-zero, naming each offending line, when any include breaks a rule.
"""

import os
import re
import sys
import tempfile

INDEX = "query-service/index"
PUBLIC_HEADER = INDEX + "/bulletin_index.h"
# Folder of the index ("" for index/ itself) -> folders it may include.
MAY_INCLUDE = {
    "": {"", "query", "postings", "store", "text"},
    "query": {"query", "postings", "store", "text"},
    "postings": {"postings", "text"},
    "store": {"store", "text"},
    "text": {"text"},
}
# Top-level folders whose files may include any header of the index.
EXEMPT = ("tests/", "bench/")
SOURCE_SUFFIXES = (".h", ".cc")
INCLUDE = re.compile(r'^\s*#\s*include\s+"(' + re.escape(INDEX) + r'/[^"]+)"')


def folder_of(index_path):
    """The index folder of a path under query-service/index/ ("" for the
    top), or None for a path deeper than the known folders."""
    parts = index_path[len(INDEX) + 1:].split("/")
    if len(parts) == 1:
        return ""
    return parts[0] if len(parts) == 2 and parts[0] in MAY_INCLUDE else None


def violations(root):
    """Every include under `root` that breaks a rule, as printable lines."""
    found = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs
                            if not d.startswith(".") and
                            not d.startswith("build"))
        for name in sorted(files):
            if not name.endswith(SOURCE_SUFFIXES):
                continue
            path = os.path.relpath(os.path.join(directory, name), root)
            with open(os.path.join(directory, name), encoding="utf-8",
                      errors="replace") as source:
                for number, line in enumerate(source, 1):
                    match = INCLUDE.match(line)
                    if match:
                        problem = check_include(path, match.group(1))
                        if problem:
                            found.append(f"{path}:{number}: {problem}")
    return found


def check_include(path, included):
    """Why `path` may not include `included`, or None when it may."""
    included_folder = folder_of(included)
    if included_folder is None:
        return f'"{included}" is in no layer of {INDEX}'
    if path.startswith(INDEX + "/"):
        folder = folder_of(path)
        if folder is None:
            return f"{path} is in no layer of {INDEX}"
        if included_folder not in MAY_INCLUDE[folder]:
            return (f"{folder or 'index'}/ may not include "
                    f"{included_folder or 'index'}/ (\"{included}\"): "
                    "a layer includes only itself and the layers below it")
        return None
    if path.startswith(EXEMPT) or included == PUBLIC_HEADER:
        return None
    return (f'"{included}" is internal to the index: outside it, include '
            f'"{PUBLIC_HEADER}"')


def write_tree(root, files):
    for path, text in files.items():
        os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
        with open(os.path.join(root, path), "w", encoding="utf-8") as out:
            out.write(text)


def self_test():
    """0 when the check accepts a clean tree and refuses each violation."""
    clean = {
        f"{INDEX}/bulletin_index.h": f'#include "{INDEX}/query/a.h"\n',
        f"{INDEX}/query/a.h": f'#include "{INDEX}/postings/b.h"\n'
                              f'#include "{INDEX}/store/c.h"\n',
        f"{INDEX}/postings/b.h": f'#include "{INDEX}/text/d.h"\n',
        f"{INDEX}/store/c.h": f'#include "{INDEX}/text/d.h"\n',
        f"{INDEX}/text/d.h": "",
        "query-service/main.cc": f'#include "{PUBLIC_HEADER}"\n',
        "tests/index/a_test.cc": f'#include "{INDEX}/query/a.h"\n',
    }
    broken = {
        "upward": {f"{INDEX}/text/d.h": f'#include "{INDEX}/postings/b.h"\n'},
        "sideways": {f"{INDEX}/store/c.h": f'#include "{INDEX}/postings/b.h"\n'},
        "outside": {"query-service/main.cc": f'#include "{INDEX}/query/a.h"\n'},
    }
    failures = 0
    for case, change in [("clean", {})] + list(broken.items()):
        with tempfile.TemporaryDirectory() as root:
            write_tree(root, {**clean, **change})
            found = violations(root)
        if bool(found) != (case != "clean"):
            print(f"self-test: the {case} tree was "
                  f"{'refused' if found else 'accepted'}: {found}")
            failures += 1
    return 1 if failures else 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    found = violations(argv[1])
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
