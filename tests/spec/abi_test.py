#!/usr/bin/env python3
"""Tests for the ABI's one syscall list (abi/syscalls.toml) and its documentation.

  abi_test.py syscalls SOURCE_DIR  the generator's output from the real list: numbers dense and
                                   unique, each documented with its rights, one kernel handler
                                   defined for each, one sys:: wrapper and table entry each
  abi_test.py rejects SOURCE_DIR   the generator refuses broken lists and writes nothing
  abi_test.py readme SOURCE_DIR    abi/README.md lists every header of abi/stellina/ (and the
                                   generated stellina/syscalls.h), and nothing that is not there
"""
import glob
import os
import re
import subprocess
import sys
import tempfile


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def generate(source, syscall_list, out):
    return subprocess.run([sys.executable, os.path.join(source, "tools", "gen_syscalls.py"),
                           syscall_list, out], capture_output=True, text=True)


def read(path):
    with open(path) as f:
        return f.read()


def check_syscalls(source):
    with tempfile.TemporaryDirectory() as out:
        run = generate(source, os.path.join(source, "abi", "syscalls.toml"), out)
        if run.returncode != 0:
            fail(f"the generator refused the real list: {run.stderr}")
        abi = read(os.path.join(out, "stellina", "syscalls.h"))
        sdk = read(os.path.join(out, "stellina", "sys_calls.h"))
        handlers = read(os.path.join(out, "kernel", "sys_handlers.h"))
        table = read(os.path.join(out, "kernel", "sys_table.cc"))

    # The enum: numbers 0..N-1 in order, kSysCount N, each after its documentation.
    entries = re.findall(r"((?:  //.*\n)+)  kSys(\w+) = (\d+),", abi)
    numbers = [int(n) for _, _, n in entries]
    if numbers != list(range(len(numbers))) or not numbers:
        fail(f"syscall numbers are not 0..N-1, each once: {numbers}")
    count = re.search(r"kSysCount = (\d+),", abi)
    if not count or int(count.group(1)) != len(numbers):
        fail("kSysCount is not the number of syscalls")
    names = []
    for doc, camel, _ in entries:
        text = " ".join(line.strip()[3:] for line in doc.splitlines())
        m = re.match(r"(\w+)\(", text)
        if not m:
            fail(f"kSys{camel}: its documentation does not begin with its signature")
        names.append(m.group(1))
        if "Rights:" not in text:
            fail(f"{m.group(1)}: its documentation does not say which rights it needs")

    # Every handler is declared once, defined once in kernel/sys_*.cc, in the table at its
    # number, and wrapped in sys::.
    kernel_sources = {path: read(path) for path in glob.glob(os.path.join(source, "kernel",
                                                                          "sys_*.cc"))}
    table_order = re.findall(r"^    call_(\w+),$", table, re.M)
    if table_order != names:
        fail(f"the dispatch table is not in number order: {table_order} != {names}")
    for name in names:
        if len(re.findall(rf"\bsys_{name}\(", handlers)) != 1:
            fail(f"{name}: not declared exactly once in sys_handlers.h")
        defined = [path for path, text in kernel_sources.items()
                   if re.search(rf"^\S.*\bsys_{name}\(.*[^;]$", text, re.M)]
        if len(defined) != 1:
            fail(f"{name}: defined in {len(defined)} kernel/sys_*.cc files, not one: {defined}")
        if not re.search(rf"^(\[\[noreturn\]\] )?inline \w+ {name}\(", sdk, re.M):
            fail(f"{name}: no sys:: wrapper")
    print(f"{len(names)} syscalls, numbers dense, each documented, handled and wrapped")


GOOD = """
about = "x"
[[syscall]]
name = "one"
number = 0
args = ["Handle h"]
returns = "void"
doc = "does one thing."
rights = "none."
[[syscall]]
name = "two"
number = 1
args = []
returns = "Handle"
doc = "does another."
rights = "none."
"""

BROKEN = {
    "duplicate number": GOOD.replace("number = 1", "number = 0"),
    "gap in numbers": GOOD.replace("number = 1", "number = 2"),
    "duplicate name": GOOD.replace('"two"', '"one"'),
    "unknown argument type": GOOD.replace('"Handle h"', '"float h"'),
    "missing rights": GOOD.replace('rights = "none."\n[[', "[["),
    "empty doc": GOOD.replace('"does another."', '"  "'),
    "unknown return": GOOD.replace('returns = "Handle"', 'returns = "float"'),
    "too many arguments": GOOD.replace('["Handle h"]', '["Handle a", "Handle b", "Handle c", '
                                       '"Handle d", "Handle e", "Handle f", "Handle g"]'),
    "unknown field": GOOD.replace('about = "x"', 'about = "x"\n[[syscall]]\nname = "three"\n'
                                  'number = 2\nreturns = "void"\ndoc = "d"\nrights = "r"\n'
                                  'right = "typo"'),
    "not TOML": GOOD.replace("[[syscall]]", "[[syscall]", 1),
}


def check_rejects(source):
    with tempfile.TemporaryDirectory() as tmp:
        good = os.path.join(tmp, "good.toml")
        with open(good, "w") as f:
            f.write(GOOD)
        if generate(source, good, os.path.join(tmp, "good")).returncode != 0:
            fail("the generator refused a good list")
        for case, text in BROKEN.items():
            path = os.path.join(tmp, "bad.toml")
            with open(path, "w") as f:
                f.write(text)
            out = os.path.join(tmp, "bad")
            run = generate(source, path, out)
            if run.returncode != 1 or "gen_syscalls:" not in run.stderr:
                fail(f"{case}: accepted (exit {run.returncode}): {run.stdout}{run.stderr}")
            if os.path.exists(out):
                fail(f"{case}: refused, but wrote {os.listdir(out)}")
    print(f"{len(BROKEN)} broken lists refused")


def check_readme(source):
    readme = read(os.path.join(source, "abi", "README.md"))
    listed = set(re.findall(r"^\| `(stellina/[\w.]+\.h)` \|", readme, re.M))
    present = {"stellina/" + os.path.basename(p)
               for p in glob.glob(os.path.join(source, "abi", "stellina", "*.h"))}
    present.add("stellina/syscalls.h")  # generated from abi/syscalls.toml
    if present - listed:
        fail(f"abi/README.md does not list {sorted(present - listed)}")
    if listed - present:
        fail(f"abi/README.md lists headers that do not exist: {sorted(listed - present)}")
    print(f"abi/README.md lists all {len(present)} headers")


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("syscalls", "rejects", "readme"):
        print(__doc__, file=sys.stderr)
        return 2
    {"syscalls": check_syscalls, "rejects": check_rejects, "readme": check_readme}[
        sys.argv[1]](sys.argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
