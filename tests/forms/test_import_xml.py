"""XML import: hostile documents (billion laughs, XXE, external DTD) refused; Cordon's own
export format and plain national-system rows read; hypothesis on the parser."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms.importing import ImportFileError, import_file
from forms.registry import get_template
from forms.validation import ValidationContext
from tests.forms.conftest import TODAY

CTX = ValidationContext(today=TODAY)
FIXTURE = HealthCheck.function_scoped_fixture  # tmp_path is reused on purpose

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<rows><row><plate>&lol9;</plate></row></rows>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE rows [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rows><row><plate>&xxe;</plate><country>FR</country></row></rows>
"""
EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE rows SYSTEM "http://127.0.0.1:9/evil.dtd">
<rows><row><plate>AB-123-CD</plate></row></rows>
"""
PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rows [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]>
<rows/>
"""


@pytest.mark.parametrize("document", [BILLION_LAUGHS, XXE, EXTERNAL_DTD, PARAMETER_ENTITY])
def test_hostile_xml_is_refused(tmp_path: Path, document: str) -> None:
    path = tmp_path / "hostile.xml"
    path.write_text(document, encoding="utf-8")
    with pytest.raises(ImportFileError, match="DTD"):
        import_file(path, get_template("vehicle"), context=CTX)


def test_malformed_xml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text("<rows>\n<row><plate>AB</plate>\n</rows>", encoding="utf-8")
    with pytest.raises(ImportFileError, match="line 3"):
        import_file(path, get_template("vehicle"), context=CTX)


def test_plain_rows_with_french_element_names(tmp_path: Path) -> None:
    path = tmp_path / "vehicules.xml"
    path.write_text(
        "<?xml version='1.0' encoding='utf-8'?>\n<export>"
        "<vehicule><Plaque>AB-123-CD</Plaque><Pays>France</Pays><Marque>Renault</Marque>"
        "<Code_de_traitement>H0</Code_de_traitement>"
        "<Fiabilite_de_la_source>A</Fiabilite_de_la_source>"
        "<Exactitude_de_l_information>1</Exactitude_de_l_information></vehicule>"
        "<vehicule><Plaque>EF-456-GH</Plaque><Pays>Atlantide</Pays>"
        "<Code_de_traitement>H0</Code_de_traitement>"
        "<Fiabilite_de_la_source>A</Fiabilite_de_la_source>"
        "<Exactitude_de_l_information>1</Exactitude_de_l_information></vehicule>"
        "</export>",
        encoding="utf-8",
    )
    report = import_file(path, get_template("vehicle"), context=CTX)
    assert report.format == "xml" and report.rows == 2 and report.blocked
    assert [(r.row, r.field, r.column) for r in report.refused] == [(2, "country", "Pays")]


def test_own_format_with_groups_lists_and_links(tmp_path: Path) -> None:
    path = tmp_path / "cordon.xml"
    path.write_text(
        """<?xml version="1.0" encoding="utf-8"?>
<records xmlns="urn:cordon:records:1">
 <record id="r1" template="person" version="1">
  <field name="family_name">王</field>
  <field name="family_name_latin">WANG</field>
  <field name="role">suspect</field>
  <list name="phones"><value>+86 139 1234 5678</value></list>
  <group name="identity_documents">
   <item><field name="document_type">passport</field><field name="number">E12345678</field>
         <field name="issuing_country">CN</field></item>
  </group>
  <field name="handling_code">H2</field><field name="source_reliability">B</field>
  <field name="information_accuracy">2</field>
 </record>
</records>""",
        encoding="utf-8",
    )
    report = import_file(path, get_template("person"), context=CTX)
    assert report.imported == 1, report.to_dict()
    values = report.records[0].values
    assert values["phones"] == ["+8613912345678"]
    assert values["identity_documents"][0]["number"] == "E12345678"


@settings(max_examples=60, deadline=None, suppress_health_check=[FIXTURE])
@given(st.text(max_size=300))
def test_any_text_gives_a_report_or_a_file_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.xml"
    path.write_text("<rows><row>" + text, encoding="utf-8", errors="replace")
    try:
        report = import_file(path, get_template("vehicle"), context=CTX, dry_run=True)
    except ImportFileError as exc:
        assert str(exc)
        return
    assert report.rows >= 0
