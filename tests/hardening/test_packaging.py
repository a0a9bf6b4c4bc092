"""setup.cfg claims only the Python versions the code runs on and CI tests."""

from __future__ import annotations

import configparser
import sys

from .conftest import REPO


def _metadata() -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg", encoding="utf-8")
    return config


def test_python_requires_is_the_oldest_python_the_package_imports_on():
    # msa_builder uses datetime.UTC (ledger.py), new in 3.11: 3.10 cannot import the package.
    assert _metadata()["options"]["python_requires"].strip() == ">=3.11"
    assert sys.version_info >= (3, 11)


def test_the_classifiers_name_the_tested_version():
    classifiers = _metadata()["metadata"]["classifiers"].split("\n")
    assert "Programming Language :: Python :: 3.11" in classifiers
    assert not any(c.strip().endswith(":: 3.10") for c in classifiers)
