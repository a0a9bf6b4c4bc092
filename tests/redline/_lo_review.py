"""LibreOffice's own Accept All and Reject All, for the tests; runs under a Python that has `uno`.

Not imported by the tests: `libreoffice.py` starts it as `python3 _lo_review.py SOFFICE PROFILE`
with the system Python (Debian's python3-uno), as PdfConverter starts msa_builder's UNO worker.
It starts one headless soffice with a private profile, then reads one JSON job per line on stdin
({"src": path}) and answers one JSON line per job on stdout: the document's body as LibreOffice
shows it after `.uno:AcceptAllTrackedChanges`, after `.uno:RejectAllTrackedChanges`, and as loaded,
each paragraph as [style, list label, text] (a table as ["<table>", "", its cells' texts]), plus
the tracked changes LibreOffice imported, as [type, text] pairs. Those two dispatches are the
Review menu's buttons, so this is exactly what an attorney using LibreOffice would get.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import uno  # type: ignore[import-not-found]

# Start-up and property helpers are the PDF worker's own (it runs under this same Python).
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "msa_builder" / "pdf"))
from _uno_worker import _connect, _props  # noqa: E402


def _paragraphs(text: object) -> list[list[str]]:
    out: list[list[str]] = []
    enum = text.createEnumeration()  # type: ignore[attr-defined]
    while enum.hasMoreElements():
        element = enum.nextElement()
        if element.supportsService("com.sun.star.text.Paragraph"):
            out.append([element.ParaStyleName, element.ListLabelString, element.getString()])
        else:
            cells = [element.getCellByName(name).getString() for name in element.getCellNames()]
            out.append(["<table>", "", " | ".join(cells)])
    return out


def _review(desktop: object, dispatcher: object, src: str) -> dict[str, object]:
    url = uno.systemPathToFileUrl(os.path.abspath(src))
    result: dict[str, object] = {}
    for name, command in (("shown", None), ("accept", ".uno:AcceptAllTrackedChanges"),
                          ("reject", ".uno:RejectAllTrackedChanges")):
        doc = desktop.loadComponentFromURL(url, "_blank", 0,  # type: ignore[attr-defined]
                                           _props(Hidden=True, FilterName="MS Word 2007 XML"))
        try:
            if command is not None:
                dispatcher.executeDispatch(doc.getCurrentController().getFrame(),  # type: ignore[attr-defined]
                                           command, "", 0, ())
                result[f"{name}_left"] = doc.getRedlines().getCount()
            result[name] = _paragraphs(doc.getText())
        finally:
            doc.close(True)
    return result


def main() -> int:
    soffice, profile = sys.argv[1], sys.argv[2]
    pipe = f"msa-review-{uuid.uuid4().hex}"
    proc = subprocess.Popen([soffice, f"-env:UserInstallation={uno.systemPathToFileUrl(profile)}", "--headless",
                             "--invisible", "--norestore", "--nologo", f"--accept=pipe,name={pipe};urp;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        context = _connect(pipe, proc)
        smgr = context.ServiceManager  # type: ignore[attr-defined]
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", context)
        for line in sys.stdin:
            job = json.loads(line)
            try:
                answer = {"ok": True, **_review(desktop, dispatcher, job["src"])}
            except Exception as exc:  # reported to the test, which fails with it
                answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
        try:
            desktop.terminate()
        except Exception:  # the bridge goes away while soffice quits
            pass
    finally:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
