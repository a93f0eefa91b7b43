import csv
import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from formations.models import Certification, Domain, RomeCode

# Real subsets of the published files, laid out as `import_reference_data` expects (see tests/data/README.md).
REFERENCE_DATA = Path(__file__).resolve().parents[1] / "data"
DEMO_DATA = Path(__file__).resolve().parents[2] / "formations" / "data" / "demo"
ROME_CSV = REFERENCE_DATA / "rome" / "rome_codes.csv"
FORMACODE_CSV = REFERENCE_DATA / "formacode" / "formacode_labels_france_competences_fixture.csv"
OLD_FORMACODE_CSV = REFERENCE_DATA / "formacode" / "formacode_it_digital_lheo_schema.csv"
QPV_CSV = REFERENCE_DATA / "qpv" / "qpv_2015_metropole.csv"
RNCP_XML = REFERENCE_DATA / "certifications" / "france_competences_RNCP_5_fiches.xml"
RS_XML = REFERENCE_DATA / "certifications" / "france_competences_RS_7_fiches.xml"


def run(*args):
    """Run a command; return what it printed, the summary first and the warnings after."""
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command(*args, stdout=stdout, stderr=stderr)
    return stdout.getvalue() + stderr.getvalue()


def read_rows(path):
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def write_rows(path, rows, encoding="utf-8", delimiter=","):
    with path.open("w", encoding=encoding, newline="") as file:
        csv.writer(file, delimiter=delimiter).writerows(rows)
    return path


def rome_rows():
    return read_rows(ROME_CSV)


def count_rows(path):
    """Data rows of a CSV file, its header excluded: the counts the import summaries give."""
    return len(read_rows(path)) - 1


def fiches(path):
    return etree.parse(path, etree.XMLParser(resolve_entities=False, no_network=True))


def fiche_codes(path):
    return [fiche.findtext("NUMERO_FICHE") for fiche in fiches(path).getroot().findall("FICHE")]


ROMES = count_rows(ROME_CSV)


# --- ROME -----------------------------------------------------------------------------------------


def test_import_rome_loads_every_code():
    output = run("import_rome", ROME_CSV)

    assert output == f"{ROMES} métiers ROME : {ROMES} créés, 0 modifiés, 0 inchangés.\n"
    assert RomeCode.objects.count() == ROMES
    developer = RomeCode.objects.get(code="M1805")
    assert developer.label == "Études et développement informatique"
    assert (developer.domain_code, developer.grand_domain_code) == ("M18", "M")
    assert developer.domain_label == "Systèmes d'information et de télécommunication"


def test_reimporting_rome_changes_nothing(django_assert_max_num_queries):
    path = ROME_CSV
    run("import_rome", path)
    before = list(RomeCode.objects.values().order_by("pk"))

    with django_assert_max_num_queries(6):
        output = run("import_rome", path)

    assert output == f"{ROMES} métiers ROME : 0 créés, 0 modifiés, {ROMES} inchangés.\n"
    assert list(RomeCode.objects.values().order_by("pk")) == before


def test_import_rome_updates_changed_labels_only(tmp_path):
    run("import_rome", ROME_CSV)
    rows = rome_rows()
    rows[10][1] = "Nouvel intitulé"

    output = run("import_rome", write_rows(tmp_path / "rome.csv", rows))

    assert output == f"{ROMES} métiers ROME : 0 créés, 1 modifiés, {ROMES - 1} inchangés.\n"
    assert RomeCode.objects.get(code=rows[10][0]).label == "Nouvel intitulé"


def test_import_rome_reads_windows_1252_with_semicolons(tmp_path):
    path = write_rows(tmp_path / "rome.csv", rome_rows(), encoding="cp1252", delimiter=";")

    output = run("import_rome", path)

    assert output.startswith(f"{ROMES} métiers ROME : {ROMES} créés")
    assert RomeCode.objects.get(code="M1805").label == "Études et développement informatique"
    assert RomeCode.objects.get(code="A1101").grand_domain_label == (
        "Agriculture et Pêche, Espaces naturels et Espaces verts, Soins aux animaux"
    )


def test_import_rome_reads_utf8_with_bom(tmp_path):
    path = write_rows(tmp_path / "rome.csv", rome_rows(), encoding="utf-8-sig")

    output = run("import_rome", path)

    assert output.startswith(f"{ROMES} métiers ROME : {ROMES} créés")
    assert RomeCode.objects.get(code="M1805").label == "Études et développement informatique"


def test_import_rome_names_the_missing_columns(tmp_path):
    rows = [[cell for index, cell in enumerate(row) if index not in (1, 3)] for row in rome_rows()]

    with pytest.raises(CommandError, match="Colonnes manquantes : label, domain_label."):
        run("import_rome", write_rows(tmp_path / "rome.csv", rows))
    assert RomeCode.objects.count() == 0


def test_malformed_rows_name_line_and_column_and_nothing_is_written(tmp_path):
    rows = rome_rows()
    rows[199][0] = "M18"  # line 200 of the file, the header being line 1
    rows[299][1] = ""

    with pytest.raises(CommandError) as error:
        run("import_rome", write_rows(tmp_path / "rome.csv", rows))

    message = str(error.value)
    assert "ligne 200, colonne code : Un code ROME ressemble à M1805." in message
    assert "ligne 300, colonne label : Ce champ ne peut pas être vide." in message
    assert len(message.splitlines()) == 3
    assert RomeCode.objects.count() == 0


def test_failed_import_leaves_existing_rows_unchanged(tmp_path):
    run("import_rome", ROME_CSV)
    rows = rome_rows()
    rows[10][1] = "Nouvel intitulé"
    rows.append(["Z9999", "Métier inventé", "", "", "", ""])
    rows[400][0] = "not a code"

    with pytest.raises(CommandError, match="ligne 401, colonne code"):
        run("import_rome", write_rows(tmp_path / "rome.csv", rows))

    assert RomeCode.objects.get(code=rows[10][0]).label != "Nouvel intitulé"
    assert not RomeCode.objects.filter(code="Z9999").exists()
    assert RomeCode.objects.count() == ROMES


def test_line_numbers_count_spreadsheet_rows_not_text_lines(tmp_path):
    rows = rome_rows()[:5]
    rows[1][1] = "Un intitulé\nsur deux lignes"
    rows[3][0] = "?"
    rows.insert(3, [])  # a blank row is still a row

    with pytest.raises(CommandError, match=r"ligne 5, colonne code"):
        run("import_rome", write_rows(tmp_path / "rome.csv", rows))


def test_a_code_twice_in_the_file_is_an_error(tmp_path):
    rows = rome_rows()
    rows.append(rows[1])

    with pytest.raises(CommandError, match=rf"ligne {len(rows)}, colonne code : « A1101 » figure déjà ligne 2."):
        run("import_rome", write_rows(tmp_path / "rome.csv", rows))


def test_long_error_lists_are_capped(tmp_path):
    rows = rome_rows()
    for row in rows[1:61]:
        row[0] = "?"

    with pytest.raises(CommandError) as error:
        run("import_rome", write_rows(tmp_path / "rome.csv", rows))

    lines = str(error.value).splitlines()
    assert len(lines) == 52
    assert lines[-1] == "… et 10 autres erreurs"


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Impossible de lire"):
        run("import_rome", tmp_path / "absent.csv")


# --- Formacode ------------------------------------------------------------------------------------


def test_import_formacode_loads_the_current_labels():
    output = run("import_formacode", FORMACODE_CSV)

    domains = count_rows(FORMACODE_CSV)
    assert output == f"{domains} domaines Formacode : {domains} créés, 0 modifiés, 0 inchangés.\n"
    assert Domain.objects.get(formacode="31090").label == "Développement web"
    assert Domain.objects.get(formacode="31045").label == "Cybersécurité"


def test_import_formacode_reads_the_older_edition_ignoring_extra_columns():
    output = run("import_formacode", OLD_FORMACODE_CSV)

    domains = count_rows(OLD_FORMACODE_CSV)
    assert output == f"{domains} domaines Formacode : {domains} créés, 0 modifiés, 0 inchangés.\n"


def test_reimporting_formacode_changes_nothing():
    run("import_formacode", FORMACODE_CSV)

    domains = count_rows(FORMACODE_CSV)
    assert run("import_formacode", FORMACODE_CSV) == (
        f"{domains} domaines Formacode : 0 créés, 0 modifiés, {domains} inchangés.\n"
    )


def test_import_formacode_rejects_a_bad_code(tmp_path):
    path = write_rows(tmp_path / "formacode.csv", [["code", "label"], ["31090", "Développement web"], ["3109", "Web"]])

    with pytest.raises(CommandError, match="ligne 3, colonne code : Un code Formacode compte 5 chiffres."):
        run("import_formacode", path)
    assert Domain.objects.count() == 0


# --- Certifications -------------------------------------------------------------------------------


def test_import_certifications_loads_rncp_and_rs_fiches():
    run("import_rome", ROME_CSV)
    rncp, rs = len(fiche_codes(RNCP_XML)), len(fiche_codes(RS_XML))

    assert run("import_certifications", RNCP_XML) == (
        f"{rncp} certifications : {rncp} créées, 0 modifiées, 0 inchangées.\n"
        "Codes ROME inconnus, non reliés : A1500 (RNCP40344).\n"
    )
    assert run("import_certifications", RS_XML) == f"{rs} certifications : {rs} créées, 0 modifiées, 0 inchangées.\n"

    designer = Certification.objects.get(code="RNCP36490")
    assert (designer.repertoire, designer.level, designer.active) == ("RNCP", 6, True)
    assert designer.title == "Concepteur développeur d'applications"
    assert designer.registration_end == datetime.date(2027, 6, 1)
    assert designer.url == "https://www.francecompetences.fr/recherche/rncp/36490/"
    assert sorted(rome.code for rome in designer.rome_codes.all()) == ["M1802", "M1805"]
    assert sorted(rome.code for rome in Certification.objects.get(code="RNCP35419").rome_codes.all()) == [
        "M1802",
        "M1803",
        "M1805",
    ]
    assert Certification.objects.get(code="RNCP35419").active is False
    assert Certification.objects.get(code="RNCP37488").level == 4
    assert Certification.objects.get(code="RNCP35625").certifiers.splitlines() == [
        "ECOLE NATIONALE SUPERIEURE DES ARTS ET TECHNIQUES DU THEATRE",
        "MINISTERE DE L'ENSEIGNEMENT SUPERIEUR ET DE LA RECHERCHE",
    ]
    cyber = Certification.objects.get(code="RS5568")
    assert (cyber.repertoire, cyber.level) == ("RS", None)
    assert cyber.url == "https://www.francecompetences.fr/recherche/rs/5568/"


def test_reimporting_certifications_changes_nothing():
    run("import_rome", ROME_CSV)
    run("import_certifications", RNCP_XML)
    links = sorted(Certification.rome_codes.through.objects.values_list("certification_id", "romecode_id"))

    rncp = len(fiche_codes(RNCP_XML))
    assert run("import_certifications", RNCP_XML).startswith(
        f"{rncp} certifications : 0 créées, 0 modifiées, {rncp} inchangées.\n"
    )
    assert sorted(Certification.rome_codes.through.objects.values_list("certification_id", "romecode_id")) == links


def test_certifications_are_linked_once_rome_codes_arrive():
    output = run("import_certifications", RNCP_XML)
    assert "M1805 (RNCP35419, RNCP36490)" in output
    assert not Certification.objects.get(code="RNCP36490").rome_codes.exists()

    run("import_rome", ROME_CSV)

    # Every fiche of the subset names at least one known ROME code, so each one changes.
    rncp = len(fiche_codes(RNCP_XML))
    assert run("import_certifications", RNCP_XML).startswith(
        f"{rncp} certifications : 0 créées, {rncp} modifiées, 0 inchangées.\n"
    )
    assert sorted(rome.code for rome in Certification.objects.get(code="RNCP36490").rome_codes.all()) == [
        "M1802",
        "M1805",
    ]


def test_a_fiche_with_a_bad_level_is_named_and_nothing_is_written(tmp_path):
    tree = fiches(RNCP_XML)
    third = tree.getroot().findall("FICHE")[2]
    third.find("NOMENCLATURE_EUROPE/NIVEAU").text = "NIV9"
    tree.write(tmp_path / "rncp.xml", encoding="UTF-8")

    with pytest.raises(CommandError) as error:
        run("import_certifications", tmp_path / "rncp.xml")

    code = fiche_codes(RNCP_XML)[2]
    assert f"fiche 3 ({code}), champ NIVEAU : La valeur «\xa09\xa0» n’est pas un choix valide." in str(error.value)
    assert Certification.objects.count() == 0


def test_a_fiche_with_a_bad_date_is_named(tmp_path):
    tree = fiches(RS_XML)
    tree.getroot().findall("FICHE")[1].find("DATE_FIN_ENREGISTREMENT").text = "2026-12-31"
    tree.write(tmp_path / "rs.xml", encoding="UTF-8")

    code = fiche_codes(RS_XML)[1]
    with pytest.raises(CommandError, match=rf"fiche 2 \({code}\), champ DATE_FIN_ENREGISTREMENT"):
        run("import_certifications", tmp_path / "rs.xml")


def test_failed_certification_import_leaves_existing_fiches_unchanged(tmp_path):
    run("import_certifications", RS_XML)
    tree = fiches(RS_XML)
    first, second = tree.getroot().findall("FICHE")[:2]
    first.find("INTITULE").text = "Nouvel intitulé"
    second.find("ACTIF").text = "Peut-être"
    tree.write(tmp_path / "rs.xml", encoding="UTF-8")

    with pytest.raises(CommandError, match=rf"fiche 2 \({second.findtext('NUMERO_FICHE')}\), champ ACTIF"):
        run("import_certifications", tmp_path / "rs.xml")
    assert Certification.objects.get(code=first.findtext("NUMERO_FICHE")).title != "Nouvel intitulé"


def test_malformed_xml_is_a_clear_error_and_nothing_is_written(tmp_path):
    text = RNCP_XML.read_text(encoding="utf-8")
    (tmp_path / "rncp.xml").write_text(text[: len(text) // 2], encoding="utf-8")

    with pytest.raises(CommandError, match="n'est pas un fichier XML valide, rien n'a été enregistré"):
        run("import_certifications", tmp_path / "rncp.xml")
    assert Certification.objects.count() == 0


def test_xml_entities_are_never_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    (tmp_path / "fiches.xml").write_text(
        f'<?xml version="1.0"?><!DOCTYPE FICHES [<!ENTITY secret SYSTEM "{secret.as_uri()}">]>'
        "<FICHES><FICHE><NUMERO_FICHE>RS1</NUMERO_FICHE><INTITULE>Titre &secret;</INTITULE>"
        "<ACTIF>Oui</ACTIF></FICHE></FICHES>"
    )

    run("import_certifications", tmp_path / "fiches.xml")

    assert Certification.objects.get(code="RS1").title == "Titre"


def test_an_xml_file_without_fiches_is_an_error():
    with pytest.raises(CommandError, match="Aucune fiche"):
        run("import_certifications", REFERENCE_DATA / "lheo" / "sample-lheo-2.2-onisep-bts.xml")


# --- Everything at once, and the demo subsets -------------------------------------------------------


def test_import_reference_data_loads_the_whole_folder():
    output = run("import_reference_data", REFERENCE_DATA)

    domains, qpv = count_rows(FORMACODE_CSV), count_rows(QPV_CSV)
    rncp, rs = len(fiche_codes(RNCP_XML)), len(fiche_codes(RS_XML))
    assert output.splitlines() == [
        f"{ROMES} métiers ROME : {ROMES} créés, 0 modifiés, 0 inchangés.",
        f"{domains} domaines Formacode : {domains} créés, 0 modifiés, 0 inchangés.",
        f"{rncp} certifications : {rncp} créées, 0 modifiées, 0 inchangées.",
        f"{rs} certifications : {rs} créées, 0 modifiées, 0 inchangées.",
        f"{qpv} quartiers prioritaires : {qpv} créés, 0 modifiés, 0 inchangés.",
        "Codes ROME inconnus, non reliés : A1500 (RNCP40344).",
    ]
    assert Certification.objects.get(code="RNCP37488").rome_codes.filter(code="M1810").exists()


def test_import_reference_data_checks_the_folder_before_writing(tmp_path):
    (tmp_path / "rome").mkdir()
    (tmp_path / "rome" / "rome_codes.csv").write_bytes(ROME_CSV.read_bytes())

    with pytest.raises(CommandError, match="certifications/\\*.xml, qpv/qpv_2015_metropole.csv"):
        run("import_reference_data", tmp_path)
    assert RomeCode.objects.count() == 0


def test_import_reference_data_is_all_or_nothing(tmp_path):
    for path in [ROME_CSV, FORMACODE_CSV, RNCP_XML]:
        copy = tmp_path / path.relative_to(REFERENCE_DATA)
        copy.parent.mkdir(exist_ok=True)
        copy.write_bytes(path.read_bytes())
    (tmp_path / "qpv").mkdir()
    write_rows(
        tmp_path / "qpv" / "qpv_2015_metropole.csv",
        [["code", "name", "commune", "insee_code", "department"], ["QP999", "Quartier", "Commune", "", "99"]],
    )

    with pytest.raises(CommandError, match="(?s)qpv/qpv_2015_metropole.csv : .*ligne 2, colonne code"):
        run("import_reference_data", tmp_path)
    assert (RomeCode.objects.count(), Domain.objects.count(), Certification.objects.count()) == (0, 0, 0)


def test_demo_subsets_import_without_warnings():
    output = run("import_rome", DEMO_DATA / "rome_codes.csv")
    output += run("import_formacode", DEMO_DATA / "formacode.csv")
    output += run("import_certifications", DEMO_DATA / "certifications.xml")

    assert "inconnus" not in output
    assert RomeCode.objects.filter(code__startswith="M18").count() == 10
    assert set(Certification.objects.values_list("code", flat=True)) >= {
        "RNCP37674",
        "RNCP37873",
        "RNCP36490",
        "RNCP35959",
        "RNCP37488",
        "RS5568",
    }
    assert Domain.objects.get(formacode="31090").label == "Développement web"
