"""The README's commands: `make demo PORT=…` serves on that port, links follow; `make serve` seeds nothing."""

import subprocess

from django.conf import settings


def make(*args):
    # -n: print the commands, run none of them.
    result = subprocess.run(
        ["make", "-n", *args], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_demo_serves_on_the_port_asked_and_e_mails_link_there():
    commands = make("demo", "PORT=8123", "-o", "install")

    assert "SITE_URL=http://127.0.0.1:8123 .venv/bin/python manage.py runserver 127.0.0.1:8123" in commands
    assert "http://127.0.0.1:8000" not in commands


def test_make_demo_serves_on_8000_by_default():
    assert "runserver 127.0.0.1:8000" in make("demo", "-o", "install")


def test_make_serve_serves_without_seeding_again():
    commands = make("serve", "-o", "install")

    assert "runserver 127.0.0.1:8000" in commands
    assert "seed_demo" not in commands and "migrate" not in commands


def test_make_help_lists_serve():
    result = subprocess.run(["make", "help"], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60)

    assert "make serve" in result.stdout
