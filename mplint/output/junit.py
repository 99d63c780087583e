"""``junit``: JUnit XML for CI systems that show test reports (GitLab, Jenkins, Azure, CircleCI …).

One ``<testsuite>`` per file, named by its path. A file with findings has one ``<testcase>`` per diagnostic,
each with a ``<failure>`` (an ``<error>`` for a file mplint could not check: MPL001-MPL003); a file checked
with no findings has one passing ``<testcase>``, so the report counts every checked file::

    <testsuites name="mplint" tests="3" failures="1" errors="0" skipped="0">
      <testsuite name="src/app.py" tests="1" failures="1" errors="0" skipped="0">
        <testcase name="MPL101 bad-process-target (20:31)" classname="src.app" file="src/app.py" line="20">
          <failure message="…" type="MPL101">src/app.py:20:31: MPL101 …</failure>
        </testcase>
      </testsuite>
      <testsuite name="src/ok.py" tests="1" failures="0" errors="0" skipped="0">
        <testcase name="mplint" classname="src.ok" file="src/ok.py" />
      </testsuite>
    </testsuites>
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from mplint.diagnostics import Diagnostic
from mplint.output._text import file_and_cell, xml_safe
from mplint.output.context import OutputContext

__all__ = ["render", "render_statistics"]


def _classname(path: str) -> str:
    """``src/app.py`` -> ``src.app`` (JUnit class names are dotted)."""
    name = path.replace("\\", "/")
    if name.endswith(".py"):
        name = name[:-3]
    elif name.endswith(".pyi"):
        name = name[:-4]
    name = name.strip("/").replace("/", ".")
    return xml_safe(name) or "mplint"


def _counts(element: ET.Element, tests: int, failures: int, errors: int) -> None:
    element.set("tests", str(tests))
    element.set("failures", str(failures))
    element.set("errors", str(errors))
    element.set("skipped", "0")


def render(diagnostics: list[Diagnostic], context: OutputContext) -> str:
    by_file: dict[str, list[Diagnostic]] = {path: [] for path in context.checked_files}
    for d in diagnostics:
        by_file.setdefault(d.path, []).append(d)
    root = ET.Element("testsuites", {"name": "mplint"})
    total_tests = total_failures = total_errors = 0
    for path in sorted(by_file):
        found = by_file[path]
        suite = ET.SubElement(root, "testsuite", {"name": xml_safe(path)})
        classname = _classname(path)
        failures = errors = 0
        for d in found:
            case = ET.SubElement(
                suite,
                "testcase",
                {
                    "name": xml_safe(f"{d.code} {d.name} ({d.line}:{d.column})"),
                    "classname": classname,
                    "file": xml_safe(path),
                    "line": str(d.line),
                },
            )
            kind = "error" if d.is_meta else "failure"
            if d.is_meta:
                errors += 1
            else:
                failures += 1
            problem = ET.SubElement(case, kind, {"message": xml_safe(d.message), "type": d.code})
            body = f"{file_and_cell(path, d.cell)}:{d.line}:{d.column}: {d.code} {d.message}"
            if d.url:
                body += f"\n{d.url}"
            problem.text = xml_safe(body)
        if not found:
            ET.SubElement(
                suite,
                "testcase",
                {"name": "mplint", "classname": classname, "file": xml_safe(path)},
            )
        tests = max(len(found), 1)
        _counts(suite, tests, failures, errors)
        total_tests += tests
        total_failures += failures
        total_errors += errors
    _counts(root, total_tests, total_failures, total_errors)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def render_statistics(diagnostics: list[Diagnostic], context: OutputContext) -> str:
    """``--statistics`` keeps the report: a table would make the file unreadable to CI systems, and the
    counts per code are the ``type`` attributes of the failures."""
    return render(diagnostics, context)
