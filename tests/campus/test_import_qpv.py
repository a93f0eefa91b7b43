import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from campus.models import Qpv

# The whole published 2015 list (see tests/data/README.md).
QPV_CSV = Path(__file__).resolve().parents[1] / "data" / "qpv" / "qpv_2015_metropole.csv"
DEMO_QPV = Path(__file__).resolve().parents[2] / "campus" / "data" / "demo" / "qpv.csv"


@pytest.fixture
def qpv_file():
    return QPV_CSV


@pytest.fixture
def qpv_rows(qpv_file):
    with qpv_file.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def count_rows(path):
    with path.open(encoding="utf-8", newline="") as file:
        return sum(1 for _row in csv.reader(file)) - 1


QPVS = count_rows(QPV_CSV)


def run(*args):
    stdout = io.StringIO()
    call_command(*args, stdout=stdout)
    return stdout.getvalue()


def write_rows(path, rows, encoding="utf-8", delimiter=","):
    with path.open("w", encoding=encoding, newline="") as file:
        csv.writer(file, delimiter=delimiter).writerows(rows)
    return path


def test_import_qpv_loads_the_whole_2015_list(qpv_file, django_assert_max_num_queries):
    # Batches, not one query per row (SQLite caps a query at 999 parameters, hence a few more batches).
    with django_assert_max_num_queries(15):
        output = run("import_qpv", qpv_file)

    assert output == f"{QPVS} quartiers prioritaires : {QPVS} créés, 0 modifiés, 0 inchangés.\n"
    assert Qpv.objects.count() == QPVS
    franc_moisin = Qpv.objects.get(code="QP093028")
    assert franc_moisin.name == "Franc Moisin - Cosmonautes - Cristino Garcia - Landy"
    assert franc_moisin.communes == "Aubervilliers La Courneuve Saint-Denis"
    assert franc_moisin.insee_codes == "93001;93027;93066"
    assert franc_moisin.department == "93"


def test_import_qpv_accepts_corsican_codes(qpv_file):
    run("import_qpv", qpv_file)

    assert Qpv.objects.get(code="QP02A002").insee_codes == "2A004"


def test_reimporting_qpv_changes_nothing(qpv_file):
    run("import_qpv", qpv_file)
    before = list(Qpv.objects.values().order_by("pk"))

    assert run("import_qpv", qpv_file) == f"{QPVS} quartiers prioritaires : 0 créés, 0 modifiés, {QPVS} inchangés.\n"
    assert list(Qpv.objects.values().order_by("pk")) == before


def test_import_qpv_reads_windows_1252_with_semicolons(qpv_rows, tmp_path):
    path = write_rows(tmp_path / "qpv.csv", qpv_rows, encoding="cp1252", delimiter=";")

    assert run("import_qpv", path).startswith(f"{QPVS} quartiers prioritaires : {QPVS} créés")
    assert Qpv.objects.get(code="QP093028").insee_codes == "93001;93027;93066"
    assert Qpv.objects.get(code="QP093014").communes == "BondyBobigny Le Blanc-Mesnil Noisy-le-Sec"


def test_import_qpv_reads_utf8_with_bom(qpv_rows, tmp_path):
    path = write_rows(tmp_path / "qpv.csv", qpv_rows, encoding="utf-8-sig")

    assert run("import_qpv", path).startswith(f"{QPVS} quartiers prioritaires : {QPVS} créés")


def test_import_qpv_names_the_missing_column(qpv_rows, tmp_path):
    rows = [row[:4] for row in qpv_rows]

    with pytest.raises(CommandError, match="^Colonne manquante : department.$"):
        run("import_qpv", write_rows(tmp_path / "qpv.csv", rows))
    assert Qpv.objects.count() == 0


def test_malformed_rows_name_line_and_column_and_nothing_is_written(qpv_rows, tmp_path):
    qpv_rows[600][0] = "QP93028"
    qpv_rows[700][1] = ""

    with pytest.raises(CommandError) as error:
        run("import_qpv", write_rows(tmp_path / "qpv.csv", qpv_rows))

    assert str(error.value).splitlines() == [
        "Import annulé, rien n'a été enregistré :",
        "ligne 601, colonne code : Un code QPV ressemble à QP093028 ou QP02A001.",
        "ligne 701, colonne name : Ce champ ne peut pas être vide.",
    ]
    assert Qpv.objects.count() == 0


def test_failed_import_leaves_existing_qpv_unchanged(qpv_file, qpv_rows, tmp_path):
    run("import_qpv", qpv_file)
    code = qpv_rows[1][0]
    qpv_rows[1][1] = "Nouveau nom"
    qpv_rows[900][4] = "9999"

    with pytest.raises(CommandError, match="ligne 901, colonne department"):
        run("import_qpv", write_rows(tmp_path / "qpv.csv", qpv_rows))
    assert Qpv.objects.get(code=code).name != "Nouveau nom"


def test_demo_qpv_subset_copies_real_rows(qpv_rows):
    run("import_qpv", DEMO_QPV)

    real = {row[0]: row for row in qpv_rows[1:]}
    demo = list(Qpv.objects.values_list("code", "name", "communes", "insee_codes", "department"))
    assert len(demo) == 15
    assert {code[:5] for code, *_ in demo} == {"QP093", "QP069", "QP013", "QP059"}
    assert all(list(row) == real[row[0]] for row in demo)
