"""scripts/system-packages.sh: the one list of Debian packages, installed when possible, or a
clear stop (packages and command) before any test runs."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "system-packages.sh"
BASH = shutil.which("bash")
EXPECTED = [
    "chromium", "poppler-utils", "libnss3-tools", "libpango-1.0-0", "libpangoft2-1.0-0",
    "libharfbuzz-subset0", "fonts-dejavu-core",
]  # fmt: skip


def _tool(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!{BASH}\n{body}\n")
    path.chmod(0o755)


@pytest.fixture
def fake_system(tmp_path):
    """A PATH holding only fakes: dpkg-query answering from a list of installed packages, id
    answering a uid, and (when asked) apt-get/sudo recording their calls."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    installed = tmp_path / "installed"
    installed.write_text("")
    _tool(bin_dir, "dpkg-query", (  # bash only: nothing else is on this PATH
        f'pkg="${{@: -1}}"; while read -r p; do [ "$p" = "$pkg" ] && {{ printf installed; exit 0; }}; '
        f"done < {installed}; printf not-installed"
    ))  # fmt: skip

    def run(*, uid=1000, apt=False, sudo=False, have=()):
        installed.write_text("".join(f"{p}\n" for p in have))
        _tool(bin_dir, "id", f"echo {uid}")
        for name, wanted in (("apt-get", apt), ("sudo", sudo)):
            (bin_dir / name).unlink(missing_ok=True)
            if wanted:
                _tool(bin_dir, name, f'echo "{name} $*" >> {calls}')
        calls.write_text("")
        env = {"PATH": str(bin_dir), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
        done = subprocess.run(
            [BASH, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60
        )
        return done, calls.read_text()

    return run


def test_the_list_is_the_one_the_suite_needs():
    listed = subprocess.run(
        [BASH, str(SCRIPT), "--list"], capture_output=True, text=True, check=True
    )
    assert listed.stdout.split() == EXPECTED


def test_without_apt_it_stops_naming_the_packages_and_the_command(fake_system):
    done, calls = fake_system(apt=False, have=["chromium", "fonts-dejavu-core"])
    assert done.returncode != 0
    missing = [p for p in EXPECTED if p not in ("chromium", "fonts-dejavu-core")]
    assert "Faltam pacotes do sistema" in done.stderr and "Missing system packages" in done.stderr
    assert "apt-get install -y --no-install-recommends " + " ".join(missing) in done.stderr
    assert (
        "chromium"
        not in done.stderr.split("Faltam pacotes do sistema que os testes e o produto usam:")[
            1
        ].splitlines()[0]
    )
    assert calls == ""


def test_without_root_or_sudo_it_stops_before_calling_apt(fake_system):
    done, calls = fake_system(uid=1000, apt=True, sudo=False)
    assert done.returncode != 0
    assert "sem permissão de root" in done.stderr
    assert " ".join(EXPECTED) in done.stderr
    assert calls == ""


def test_as_root_it_installs_only_what_is_missing(fake_system):
    done, calls = fake_system(uid=0, apt=True, have=EXPECTED[:3])
    assert done.returncode == 0, done.stderr
    assert calls.splitlines() == [
        "apt-get update -qq",
        "apt-get install -y -qq --no-install-recommends " + " ".join(EXPECTED[3:]),
    ]


def test_with_passwordless_sudo_it_installs_through_sudo(fake_system):
    done, calls = fake_system(uid=1000, apt=True, sudo=True)
    assert done.returncode == 0, done.stderr
    lines = calls.splitlines()
    assert lines[0] == "sudo -n true"
    assert lines[-1].startswith("sudo -n DEBIAN_FRONTEND=noninteractive apt-get install")
    assert lines[-1].endswith(" ".join(EXPECTED))


def test_nothing_missing_nothing_done(fake_system):
    done, calls = fake_system(uid=1000, apt=True, have=EXPECTED)
    assert (done.returncode, done.stderr, calls) == (0, "", "")


def test_make_test_and_make_run_and_ci_check_the_packages_first():
    base = Path(settings.BASE_DIR)
    for target, first_python in (("test", "pytest"), ("run", "migrate")):
        plan = subprocess.run(
            ["make", "-n", "-B", target], cwd=base, capture_output=True, text=True,
            env={**os.environ, "MAKEFLAGS": ""}, check=True,
        ).stdout  # fmt: skip
        assert plan.index("scripts/system-packages.sh") < plan.index(first_python), target
    ci = (base / ".ci" / "run").read_text()
    assert "scripts/system-packages.sh" in ci
    assert "libnss3-tools" not in ci  # the list lives in one place
    assert ci.index("scripts/system-packages.sh") < ci.index("\nmake test")
