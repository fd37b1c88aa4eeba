#!/usr/bin/python3
"""Lists the unittest test methods of test scripts, for CMake to register one ctest test
per method (tests/CMakeLists.txt): a test then has a timeout of its own, runs beside any
other, and a failure names it. Reads the scripts with ast; nothing is imported or run.

    list_python_tests.py SCRIPT...   prints "SCRIPT Class.test_method" lines

A test class is one that derives, directly or through classes of the same file, from
unittest.TestCase; its tests are its test_* methods and those it inherits from such
classes. A script without classes that runs another one with runpy.run_path (the same
tests against another daemon) lists that script's tests, run through its own path.
"""
import ast
import os
import re
import sys


def test_classes(tree):
    """{class name: [test method names]} for the TestCase classes of a module."""
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}

    def base_names(node):
        return [base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", None) for base in node.bases]

    def is_test_case(name, seen=()):
        node = classes.get(name)
        if node is None or name in seen:
            return False
        return any(base == "TestCase" or is_test_case(base, seen + (name,)) for base in base_names(node))

    def methods(name):
        node = classes[name]
        own = [item.name for item in node.body
               if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name.startswith("test_")]
        inherited = [m for base in base_names(node) if base in classes for m in methods(base)]
        return own + [m for m in inherited if m not in own]

    return {name: methods(name) for name in classes if is_test_case(name)}


def tests_of(script):
    with open(script) as f:
        source = f.read()
    found = test_classes(ast.parse(source, script))
    if not found:
        other = re.search(r"runpy\.run_path\(.*[\"'](test_\w+\.py)[\"']", source)
        if other:
            return tests_of(os.path.join(os.path.dirname(script), other.group(1)))
    return ["%s.%s" % (name, method) for name, methods in found.items() for method in methods]


def main(scripts):
    for script in scripts:
        tests = tests_of(script)
        if not tests:
            raise SystemExit("%s: no unittest test methods found" % script)
        for test in tests:
            print("%s %s" % (script, test))


if __name__ == "__main__":
    main(sys.argv[1:])
