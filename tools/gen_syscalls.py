#!/usr/bin/env python3
"""Generates the syscall ABI from its one list, abi/syscalls.toml.

    gen_syscalls.py SYSCALLS.toml OUT_DIR

writes, under OUT_DIR:
  stellina/syscalls.h   the ABI: syscall numbers, each documented (what, rights, errors)
  stellina/sys_calls.h  the SDK's sys:: wrappers (included by stellina/sys.h)
  kernel/sys_handlers.h the kernel's handler prototypes, in the kernel's argument types
  kernel/sys_table.cc   the kernel's dispatch: decode the argument words, call, translate

A file whose content would not change is left alone, so rerunning rebuilds nothing. The list
is checked first (numbers dense and unique, names unique, argument types known, every field
present); a bad list writes nothing and exits with status 1.
"""

import dataclasses
import os
import re
import sys
import textwrap
import tomllib

MAX_ARGS = 6
WIDTH = 100
INTEGERS = {"uint32_t", "uint64_t", "int64_t", "bool"}
# Types the kernel takes as plain words: addresses it never dereferences.
ADDRESSES = {"void*", "ThreadEntry"}
# Types whose range the dispatcher checks: a word that does not fit is InvalidArgument.
CHECKED = {"uint32_t"}
BUILTINS = INTEGERS | {"char", "void", "uint8_t"}
VALUE_RETURNS = {"Handle", "uint64_t", "uint32_t", "count", "address"}


class ListError(Exception):
    pass


@dataclasses.dataclass
class Arg:
    type: str  # as the SDK declares it, without the name: "const char*", "Handle*"
    name: str
    array: str  # "[2]" or ""
    default: str  # "" when required

    def abi_decl(self):
        return f"{self.type} {self.name}{self.array}"

    def pointee(self):
        """For a pointer the kernel follows: (const?, element type); None otherwise."""
        if self.array:
            return False, self.type
        m = re.fullmatch(r"(const )?(\w+)\*", self.type)
        if not m or self.type in ADDRESSES:
            return None
        return bool(m.group(1)), m.group(2)


@dataclasses.dataclass
class Syscall:
    name: str
    number: int
    args: list
    returns: str
    doc: str
    rights: str
    errors: str
    never_fails: bool

    @property
    def constant(self):
        return "kSys" + "".join(w.capitalize() for w in self.name.split("_"))


def parse_arg(text, where):
    m = re.fullmatch(r"(.+?)\s*\b(\w+)(\[\d+\])?(?:\s*=\s*(\S.*))?", text.strip())
    if not m:
        raise ListError(f"{where}: cannot read argument '{text}'")
    arg = Arg(m.group(1).replace(" *", "*"), m.group(2), m.group(3) or "", m.group(4) or "")
    base = re.fullmatch(r"(?:const )?(\w+)\*?", arg.type)
    if not base:
        raise ListError(f"{where}: unknown argument type '{arg.type}'")
    if arg.type not in INTEGERS | ADDRESSES | {"Handle"} and arg.pointee() is None:
        raise ListError(f"{where}: argument type '{arg.type}' is neither a word nor a pointer")
    return arg


def text_field(entry, key, where):
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ListError(f"{where}: '{key}' is missing or empty")
    return " ".join(value.split())


def load(path):
    with open(path, "rb") as f:
        data = tomllib.load(f)
    about = data.get("about")
    if not isinstance(about, str) or not about.strip():
        raise ListError(f"{path}: 'about' (the header's introduction) is missing")
    calls = []
    for i, entry in enumerate(data.get("syscall", [])):
        name = entry.get("name")
        where = f"{path}: syscall {name or '#' + str(i)}"
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ListError(f"{where}: a name in snake_case is required")
        number = entry.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise ListError(f"{where}: a number >= 0 is required")
        args = [parse_arg(a, where) for a in entry.get("args", [])]
        if len(args) > MAX_ARGS:
            raise ListError(f"{where}: more than {MAX_ARGS} arguments")
        returns = entry.get("returns")
        if returns not in VALUE_RETURNS | {"void", "noreturn"}:
            raise ListError(f"{where}: returns must be one of void, noreturn, "
                            + ", ".join(sorted(VALUE_RETURNS)))
        never_fails = entry.get("never_fails", False)
        if never_fails and returns not in VALUE_RETURNS:
            raise ListError(f"{where}: never_fails needs a value to return")
        unknown = set(entry) - {"name", "number", "args", "returns", "doc", "rights", "errors",
                                "never_fails"}
        if unknown:
            raise ListError(f"{where}: unknown fields {sorted(unknown)}")
        errors = " ".join(entry["errors"].split()) if "errors" in entry else ""
        calls.append(Syscall(name, number, args, returns, text_field(entry, "doc", where),
                             text_field(entry, "rights", where), errors, never_fails))
    check(path, calls)
    return about.strip(), calls


def check(path, calls):
    if not calls:
        raise ListError(f"{path}: no syscalls")
    names = [c.name for c in calls]
    for n in set(names):
        if names.count(n) > 1:
            raise ListError(f"{path}: '{n}' is declared twice")
    numbers = sorted(c.number for c in calls)
    if numbers != list(range(len(calls))):
        dup = sorted({n for n in numbers if numbers.count(n) > 1})
        missing = sorted(set(range(len(calls))) - set(numbers))
        raise ListError(f"{path}: numbers must be 0..{len(calls) - 1}, each once "
                        f"(twice: {dup}, missing: {missing})")


def comment(text, indent):
    prefix = " " * indent + "// "
    return "\n".join(textwrap.wrap(text, WIDTH, initial_indent=prefix, subsequent_indent=prefix,
                                   break_long_words=False, break_on_hyphens=False)) + "\n"


def doc_of(c):
    returns = "" if c.returns in ("void", "noreturn") else f" -> {c.returns}"
    text = f"{c.name}({', '.join(a.abi_decl() for a in c.args)}){returns}: {c.doc}"
    text += f" Rights: {c.rights}"
    if c.errors:
        text += f" Errors: {c.errors}"
    return text


HEADER = "// Generated by tools/gen_syscalls.py from abi/syscalls.toml: edit that, not this.\n"


def abi_header(about, calls):
    out = ["#pragma once\n", HEADER, "//\n"]
    for para in about.split("\n\n"):
        out.append(comment(" ".join(para.split()), 0))
        out.append("//\n")
    out.pop()
    out.append("\n#include <stdint.h>\n\nnamespace stellina::abi {\n\n")
    out.append("// What thread_create starts: a function given its argument.\n")
    out.append("using ThreadEntry = void (*)(uint64_t);\n\n")
    out.append("enum Syscall : uint64_t {\n")
    for c in sorted(calls, key=lambda c: c.number):
        out.append(comment(doc_of(c), 2))
        out.append(f"  {c.constant} = {c.number},\n\n")
    out.append(f"  kSysCount = {len(calls)},\n}};\n\n}}  // namespace stellina::abi\n")
    return "".join(out)


def qualify(type_text, namespace):
    def q(m):
        word = m.group(0)
        return word if word in BUILTINS or word == "const" else f"{namespace}{word}"
    return re.sub(r"\b\w+\b", q, type_text)


def sdk_header(calls):
    out = ["#pragma once\n", HEADER,
           "// The raw syscalls, one inline function each; included by <stellina/sys.h>, which\n"
           "// defines syscall() and to_word() first.\n\n"
           "namespace stellina::sys {\n"]
    for c in sorted(calls, key=lambda c: c.number):
        out.append("\n")
        params = ", ".join(f"{qualify(a.type, 'abi::')} {a.name}{a.array}"
                           + (f" = {a.default}" if a.default else "") for a in c.args)
        words = "".join(f", to_word({a.name})" for a in c.args)
        call = f"syscall(abi::{c.constant}{words})"
        if c.returns == "noreturn":
            out.append(f"[[noreturn]] inline void {c.name}({params}) {{\n"
                       f"  {call};\n  __builtin_unreachable();\n}}\n")
        elif c.never_fails:
            out.append(f"inline uint64_t {c.name}({params}) {{\n"
                       f"  return static_cast<uint64_t>({call});\n}}\n")
        else:
            out.append(f"inline int64_t {c.name}({params}) {{\n  return {call};\n}}\n")
    out.append("\n}  // namespace stellina::sys\n")
    return "".join(out)


def kernel_type(arg):
    pointee = arg.pointee()
    if pointee is not None:
        const, element = pointee
        element = "Handle" if element == "Handle" else qualify(element, "stellina::abi::")
        return f"UserIn<{element}>" if const else f"UserOut<{element}>"
    if arg.type in ADDRESSES:
        return "uint64_t"
    return arg.type


def kernel_return(c):
    if c.returns == "noreturn":
        return "[[noreturn]] void"
    if c.returns == "void":
        return "lib::Result<void>"
    return "lib::Result<Handle>" if c.returns == "Handle" else "lib::Result<uint64_t>"


def kernel_header(calls):
    out = ["#pragma once\n", HEADER,
           "// The syscall handlers, one per syscall, in the kernel's argument types; the\n"
           "// dispatcher (sys_table.cc) decodes the argument words and turns the Result into\n"
           "// the ABI's Status. Included by kernel/syscall.h.\n\n"
           "namespace kernel {\n\n"]
    for c in sorted(calls, key=lambda c: c.number):
        params = ", ".join(f"{kernel_type(a)} {a.name}" for a in c.args)
        out.append(f"{kernel_return(c)} sys_{c.name}({params});\n")
    out.append("\n}  // namespace kernel\n")
    return "".join(out)


def kernel_table(calls):
    out = [HEADER, "// The syscall table and dispatcher.\n\n",
           '#include "kernel/syscall.h"\n\nnamespace kernel {\n\n'
           "namespace abi = stellina::abi;\n\nnamespace {\n\n"]
    for c in sorted(calls, key=lambda c: c.number):
        out.append(f"int64_t call_{c.name}(SyscallArgs a) {{\n")
        checked = [f"!fits<{a.type}>(a[{i}])" for i, a in enumerate(c.args) if a.type in CHECKED]
        if checked:
            out.append(f"  if ({' || '.join(checked)}) return abi::kErrInvalidArgument;\n")
        words = []
        for i, a in enumerate(c.args):
            if a.type == "Handle" and not a.array:
                words.append(f"handle_arg(a[{i}])")
            else:
                words.append(f"arg<{kernel_type(a)}>(a[{i}])")
        call = f"sys_{c.name}({', '.join(words)})"
        if c.returns == "noreturn":
            out.append(f"  {call};\n}}\n\n")
        else:
            out.append(f"  return to_return({call});\n}}\n\n")
    out.append("using Handler = int64_t (*)(SyscallArgs);\nconstexpr Handler kTable[] = {\n")
    for c in sorted(calls, key=lambda c: c.number):
        out.append(f"    call_{c.name},\n")
    out.append("};\nstatic_assert(sizeof(kTable) / sizeof(kTable[0]) == abi::kSysCount);\n\n"
               "}  // namespace\n\n"
               "int64_t syscall_dispatch(uint64_t number, uint64_t a0, uint64_t a1, uint64_t a2,\n"
               "                         uint64_t a3, uint64_t a4, uint64_t a5) {\n"
               "  if (number >= abi::kSysCount) return abi::kErrNotSupported;\n"
               "  const uint64_t args[6] = {a0, a1, a2, a3, a4, a5};\n"
               "  return kTable[number](args);\n}\n\n}  // namespace kernel\n")
    return "".join(out)


def write(path, text):
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        about, calls = load(argv[1])
    except (ListError, tomllib.TOMLDecodeError, OSError) as e:
        print(f"gen_syscalls: {e}", file=sys.stderr)
        return 1
    out = argv[2]
    write(os.path.join(out, "stellina", "syscalls.h"), abi_header(about, calls))
    write(os.path.join(out, "stellina", "sys_calls.h"), sdk_header(calls))
    write(os.path.join(out, "kernel", "sys_handlers.h"), kernel_header(calls))
    write(os.path.join(out, "kernel", "sys_table.cc"), kernel_table(calls))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
