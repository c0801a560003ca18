import pytest
from django.core.management import CommandError, call_command

from accounts.models import Commune
from accounts.services.communes import CommuneCsvError, import_communes, parse_commune_csv
from common.text import fold

pytestmark = pytest.mark.django_db


def test_tuyen_quang_has_124_communes_with_five_character_codes():
    communes = Commune.objects.filter(province__code="08")
    assert communes.count() == 124
    assert communes.filter(kind=Commune.Kind.PHUONG).count() == 7
    assert communes.filter(kind=Commune.Kind.XA).count() == 117
    codes = list(communes.values_list("code", flat=True))
    assert all(isinstance(c, str) and len(c) == 5 and c.isdigit() for c in codes)
    assert Commune.objects.get(code="00691").name == "Hà Giang 2"  # leading zeros kept


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("giap trung", "00985"),
        ("Giáp Trung", "00985"),
        ("GIÁP TRUNG", "00985"),
        ("xã Giáp Trung", "00985"),
        ("thai hoa", "02419"),
        ("Thái Hoà", "02419"),  # the old tone-mark placement finds the official "Thái Hòa"
        ("Thái Hòa", "02419"),
        ("son thuy", "02620"),
        ("Sơn Thuỷ", "02620"),
        ("ha giang 1", "00694"),
        ("phuong ha giang 2", "00691"),
        ("duong thuong", "00865"),  # đ folds to d
        ("02554", "02554"),
    ],
)
def test_lookup_ignores_accents_and_tone_mark_placement(typed, code):
    assert Commune.objects.search(typed).first().code == code


def test_exact_name_ranks_before_longer_names():
    names = [c.name for c in Commune.objects.search("minh")]
    assert len(names) >= 5
    assert all("minh" in fold(n) for n in names)
    assert names[0] == "Minh Ngọc"  # a prefix match, alphabetical, before "Yên Minh"
    assert names.index("Yên Minh") > names.index("Minh Thanh")


def test_empty_lookup_finds_nothing():
    assert not Commune.objects.search("  ").exists()


def test_import_command_is_idempotent(tmp_path):
    path = tmp_path / "communes.csv"
    path.write_text("code,name,type\n99001,Thử Nghiệm,xa\n99002,Đảo Thử,dac_khu\n", "utf-8")
    call_command("import_communes", path, province_code="99", province_name="Tỉnh Thử")
    call_command("import_communes", path, province_code="99", province_name="Tỉnh Thử")
    assert Commune.objects.filter(province__code="99").count() == 2
    assert Commune.objects.get(code="99002").kind == Commune.Kind.DAC_KHU


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("code,name,type\n99001,Một,xa\n9902,Hai,xa\n", "Dòng 3"),
        ("code,name,type\n99001,Một,xa\n99001,Hai,xa\n", "bị lặp"),
        ("code,name,type\n99001,Một,huyen\n", "loại"),
        ("ma,ten\n99001,Một\n", "cột"),
    ],
)
def test_bad_csv_names_the_problem_and_imports_nothing(tmp_path, csv_text, message):
    path = tmp_path / "bad.csv"
    path.write_text(csv_text, "utf-8")
    before = Commune.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("import_communes", path, province_code="99", province_name="Tỉnh Thử")
    assert Commune.objects.count() == before


def test_import_updates_a_renamed_commune():
    rows = parse_commune_csv("code,name,type\n00985,Giáp Trung Mới,xa\n")
    result = import_communes(rows=rows, province_code="08", province_name="Tuyên Quang")
    assert (result.created, result.updated) == (0, 1)
    assert Commune.objects.search("giap trung moi").get().code == "00985"


def test_parse_refuses_a_missing_name():
    with pytest.raises(CommuneCsvError, match="Dòng 2"):
        parse_commune_csv("code,name,type\n99001,,xa\n")
