"""Proves that a build tree checks the locking annotations.

  /usr/bin/python3 scripts/check-thread-safety.py BUILD_DIR

BUILD_DIR is configured with clang and -DBULLETIN_THREAD_SAFETY=ON, so that
building it compiles every source of every target with -Wthread-safety
-Werror: a broken locking promise (common/sync/mutex.h's ABSL_GUARDED_BY
and friends) fails the build. This script checks, before that build, that
it will: every command of its compile_commands.json carries the flag, and a
file that writes a guarded member without its mutex, compiled with the
flags of a file that includes common/sync/mutex.h, is refused. Exits
non-zero, printing why, otherwise.
"""

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


def main(build_dir):
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
    print(f"a known violation is refused (-Wthread-safety-analysis); "
          f"all {len(entries)} compile commands check the annotations")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
