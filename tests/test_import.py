import subprocess
import sys

import ticketcore as tc


def test_import_is_cheap():
    """`import ticketcore` must not pull in babel, sqlite3, hypothesis or dateutil."""
    code = (
        "import sys, ticketcore;"
        "heavy = ['babel', 'sqlite3', '_sqlite3', 'hypothesis', 'dateutil', 'dateutil.parser',"
        " 'holidays', 'pytest'];"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_the_check_above_can_see_a_heavy_import():
    code = "import sys, ticketcore, sqlite3; print('sqlite3' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"


def test_all_names_exist_and_are_sorted_public_api():
    for name in tc.__all__:
        assert hasattr(tc, name), name
    public = (
        {n for n in dir(tc) if not n.startswith(("_", "@"))}
        - {"TYPE_CHECKING"}
        - {
            # submodules, importable but not part of the flat API
            "enums",
            "errors",
            "events",
            "limits",
            "model",
            "ticket",
            "workflow",
            "testing",
            "calendar",
            "sla",
            "i18n",
            "ports",
            "storage",
            "cli",
            "clock",
            "helpdesk",
            "serialization",
        }
    )
    assert public <= set(tc.__all__), public - set(tc.__all__)


def test_package_version_matches_metadata():
    from importlib.metadata import version

    assert version("ticketcore") == tc.__version__
