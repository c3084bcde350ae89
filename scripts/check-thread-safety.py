"""Runs clang's thread-safety analysis over every translation unit of a
build tree, without generating code.

  /usr/bin/python3 scripts/check-thread-safety.py BUILD_DIR [JOBS]

BUILD_DIR is configured with clang and -DBULLETIN_THREAD_SAFETY=ON (so each
compile command has -Wthread-safety -Werror), and its generated sources
(protos, embedded files) are built. Every command of its
compile_commands.json, which lists each source of every target, is run with
-fsyntax-only in place of its output: the analysis is part of clang's
semantic checks, so it finds all it finds in a full compile, at the cost of
parsing alone (no code generation, no linking).

First, the check proves it can fail: a file that writes a guarded member
without its mutex, compiled with the flags of a file that includes
common/sync/mutex.h, must be refused. Exits non-zero, printing clang's
diagnostics, when any file fails.
"""

import concurrent.futures
import json
import os
import shlex
import subprocess
import sys
import tempfile

# Writes a member guarded by mu_ without holding mu_: -Wthread-safety
# with -Werror must refuse it.
VIOLATION = """\
#include "common/sync/mutex.h"

class Broken {
 public:
  void Add(int n) { total_ += n; }

 private:
  bulletin::Mutex mu_;
  int total_ ABSL_GUARDED_BY(mu_) = 0;
};

void Use() { Broken().Add(1); }
"""


def syntax_only(entry, source=None):
    """The entry's compile command with -fsyntax-only and no output file,
    compiling `source` instead of its own file when given."""
    if "arguments" in entry:
        args = list(entry["arguments"])
    else:
        args = shlex.split(entry["command"])
    out = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
            continue
        if arg in ("-MD", "-MMD"):
            continue
        if source is not None and arg == entry["file"]:
            arg = source
        out.append(arg)
    return out + ["-fsyntax-only"]


def run(entry, source=None):
    result = subprocess.run(syntax_only(entry, source), cwd=entry["directory"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    return result.returncode, result.stdout


def main(build_dir, jobs):
    with open(os.path.join(build_dir, "compile_commands.json")) as f:
        entries = json.load(f)
    if not entries:
        sys.exit(f"{build_dir}/compile_commands.json lists no files")
    if not all("-Wthread-safety" in (e.get("command") or
                                     " ".join(e.get("arguments", [])))
               for e in entries):
        sys.exit(f"{build_dir} is not configured with "
                 "-DBULLETIN_THREAD_SAFETY=ON")

    # The check must be able to fail: the violation, with the flags of the
    # file that defines the mutex's users' primitives.
    model = next((e for e in entries
                  if e["file"].endswith("common/sync/thread_pool.cc")), None)
    if model is None:
        sys.exit("no compile command for common/sync/thread_pool.cc to "
                 "model the violation's flags on")
    with tempfile.TemporaryDirectory() as scratch:
        violation = os.path.join(scratch, "violation.cc")
        with open(violation, "w") as f:
            f.write(VIOLATION)
        code, output = run(model, violation)
    if code == 0 or "-Wthread-safety" not in output:
        sys.exit("a write to a guarded member without its mutex passed: "
                 "the thread-safety analysis is not on\n" + output)
    print("a known violation is refused (-Wthread-safety-analysis)")

    failures = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for entry, (code, output) in zip(entries, pool.map(run, entries)):
            if code != 0:
                failures += 1
                print(f"FAILED: {entry['file']}\n{output}", flush=True)
            elif output.strip():
                print(output, end="", flush=True)
    if failures:
        sys.exit(f"{failures} of {len(entries)} files failed the analysis")
    print(f"{len(entries)} files pass clang -Wthread-safety -Werror")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else
         os.cpu_count())
