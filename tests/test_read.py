"""Reading survey exports: every KoboToolbox/ODK shape gives the same canonical Responses."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
import zipfile
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

import ecocluster
from ecocluster.errors import ReadError
from ecocluster.instrument import Instrument, build_instrument, load_instrument
from ecocluster.survey.export import to_kobo_export
from ecocluster.survey.read import iter_responses, read_responses
from ecocluster.survey.responses import Responses
from ecocluster.survey.xlsx import XlsxTable

FORM = load_instrument("red-river-2007")
CLUSTER_SPELLINGS = ["Bát Tràng", "Bat Trang", "bat_trang", "BÁT TRÀNG"]


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def make_responses(n: int = 30, seed: int = 2007) -> Responses:
    """Valid answers for every question, with Vietnamese text, drawn from a seeded generator."""
    rng = np.random.default_rng(seed)
    data: dict[str, list[str]] = {}
    for question in FORM.questions.values():
        names = FORM.choice_names(question)
        if question.type == "select_one":
            column = [str(rng.choice(names)) for _ in range(n)]
        elif question.type == "select_multiple":
            column = [" ".join(name for name in names if rng.random() < 0.3) for _ in range(n)]
        elif question.type == "integer":
            column = [str(rng.integers(0, 400)) for _ in range(n)]
        elif question.type == "decimal":
            column = [
                str(round(float(rng.random() * 1000), int(rng.integers(0, 3)))) for _ in range(n)
            ]
            column = [value.removesuffix(".0") for value in column]
        else:
            words = ["Làng gốm", "Thiếu mặt bằng", "đồ gỗ mỹ nghệ", "lụa Vạn Phúc", "=1+", "nan"]
            column = [str(rng.choice(words)) if rng.random() < 0.7 else "" for _ in range(n)]
        data[question.name] = column
    data["enterprise_id"] = [f"RR07-{i:03d}" for i in range(n)]
    data["cluster"] = [["bat_trang", "dong_ky", "van_phuc"][i % 3] for i in range(n)]
    meta = {
        "start": [f"2007-05-{1 + i % 28:02d}T08:00:00+07:00" for i in range(n)],
        "end": [f"2007-05-{1 + i % 28:02d}T09:30:00+07:00" for i in range(n)],
        "instanceID": [f"uuid:{i:08d}-aaaa" for i in range(n)],
        "_id": [str(1000 + i) for i in range(n)],
        "_uuid": [f"{i:08d}-aaaa" for i in range(n)],
        "_submission_time": [f"2007-05-{1 + i % 28:02d}T10:00:00" for i in range(n)],
        "_index": [str(i + 1) for i in range(n)],
    }
    return Responses(
        data=pd.DataFrame(data),
        meta=pd.DataFrame(meta),
        source_row=np.arange(2, n + 2),
        file="made.csv",
    )


@pytest.fixture(scope="module")
def made() -> Responses:
    return make_responses()


def assert_same(actual: Responses, expected: Responses) -> None:
    pd.testing.assert_frame_equal(actual.data, expected.data)
    pd.testing.assert_frame_equal(actual.meta, expected.meta)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def read_text(tmp_path: Path, text: str, name: str = "data.csv", **kw: str) -> Responses:
    return read_responses(write(tmp_path / name, text, **kw), FORM)


def xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


# ------------------------------------------------------------------ round trips
ROUND_TRIPS = [
    # Labels in English with some separators and in Vietnamese with the others.
    (style, None if style == "xml" else ("en" if separator in ("/", ".") else "vi"), *rest)
    for style, *rest in itertools.product(
        ("xml", "labels"), ("joined", "columns", "both"), ("/", ":", ".", None), (".csv", ".xlsx")
    )
    for separator in [rest[1]]
]


@pytest.mark.parametrize(("style", "language", "multiple", "separator", "suffix"), ROUND_TRIPS)
def test_every_export_style_reads_back_the_same(
    tmp_path: Path,
    made: Responses,
    style: str,
    language: str | None,
    multiple: str,
    separator: str | None,
    suffix: str,
) -> None:
    path = tmp_path / f"export{suffix}"
    to_kobo_export(
        made,
        FORM,
        path,
        style=style,  # type: ignore[arg-type]
        language=language,
        multiple=multiple,  # type: ignore[arg-type]
        group_separator=separator,
    )
    back = read_responses(path, FORM)
    assert_same(back, made)
    np.testing.assert_array_equal(back.source_row, made.source_row)
    assert back.extra_columns == []
    assert list(back.columns) == list(made.data.columns)
    assert back.file == str(path)


@pytest.mark.parametrize("separator", ["-", "_", "|", "#"])
def test_any_single_separator_character(tmp_path: Path, made: Responses, separator: str) -> None:
    styles: tuple[Literal["xml", "labels"], ...] = ("xml", "labels")
    for style in styles:
        path = tmp_path / f"{style}.csv"
        to_kobo_export(made, FORM, path, style=style, multiple="both", group_separator=separator)
        assert_same(read_responses(path, FORM), made)


def test_columns_name_the_header_a_person_looks_for(tmp_path: Path, made: Responses) -> None:
    path = tmp_path / "columns.csv"
    to_kobo_export(made, FORM, path, multiple="columns")
    back = read_responses(path, FORM)
    assert back.columns["q18_knowledge_sources"] == "knowledge/q18_knowledge_sources"
    assert back.columns["cluster"] == "profile/cluster"
    assert back.column_for("q15_inspections") == "government/q15_inspections"


def test_kobo_header_and_column_order(tmp_path: Path, made: Responses) -> None:
    path = tmp_path / "order.csv"
    to_kobo_export(made, FORM, path, multiple="both")
    header = path.read_text(encoding="utf-8").splitlines()[0].split(";")
    assert header[:3] == ['"start"', '"end"', '"profile/enterprise_id"']
    assert header[-5:] == [
        '"meta/instanceID"',
        '"_id"',
        '"_uuid"',
        '"_submission_time"',
        '"_index"',
    ]
    assert '"knowledge/q18_knowledge_sources/buyers"' in header


def test_chunks_give_the_same_as_one_read(tmp_path: Path, made: Responses) -> None:
    for suffix in (".csv", ".xlsx"):
        path = tmp_path / f"chunks{suffix}"
        to_kobo_export(made, FORM, path, style="labels", multiple="columns")
        whole = read_responses(path, FORM)
        chunks = list(iter_responses(path, FORM, chunksize=7))
        assert [len(chunk) for chunk in chunks] == [7, 7, 7, 7, 2]
        assert all(chunk.data.index.equals(pd.RangeIndex(len(chunk))) for chunk in chunks)
        pd.testing.assert_frame_equal(
            pd.concat([chunk.data for chunk in chunks], ignore_index=True), whole.data
        )
        pd.testing.assert_frame_equal(
            pd.concat([chunk.meta for chunk in chunks], ignore_index=True), whole.meta
        )
        np.testing.assert_array_equal(
            np.concatenate([chunk.source_row for chunk in chunks]), whole.source_row
        )


def test_chunksize_must_be_positive(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "enterprise_id\nA\n")
    with pytest.raises(ValueError, match="chunksize"):
        list(iter_responses(path, FORM, chunksize=0))


# ------------------------------------------------------------------- values
def test_cluster_spellings_resolve_to_one_name(tmp_path: Path) -> None:
    spellings = [
        *CLUSTER_SPELLINGS,
        nfd("Bát Tràng"),
        nfd("BÁT TRÀNG"),
        "  bat   trang ",
        "Đồng Kỵ",
        "dong ky",
        nfd("Vạn Phúc"),
        "Ha Long",
    ]
    rows = "\n".join(f"E{i};{value}" for i, value in enumerate(spellings))
    back = read_text(tmp_path, f"enterprise_id;{nfd('Cụm làng nghề')}\n{rows}\n")
    expected = ["bat_trang"] * 7 + ["dong_ky", "dong_ky", "van_phuc", "Ha Long"]
    assert back.data["cluster"].tolist() == expected
    assert back.columns["cluster"] == nfd("Cụm làng nghề")


def test_text_is_nfc_and_tidy_and_nan_is_a_value(tmp_path: Path) -> None:
    text = f'enterprise_id,q10_other\nA,"  {nfd("Thiếu  mặt bằng")}\n sản xuất "\nnan,NA\n,null\n'
    back = read_text(tmp_path, text)
    assert back.data["q10_other"].tolist() == ["Thiếu mặt bằng sản xuất", "NA", "null"]
    assert back.data["enterprise_id"].tolist() == ["A", "nan", ""]
    assert all(isinstance(value, str) for value in back.data.to_numpy().ravel())


def test_choice_labels_in_any_language_and_case(tmp_path: Path) -> None:
    text = (
        "q03_complaint_others,q22_banks,ownership\n"
        "Có,THỈNH THOẢNG,Hợp tác xã\n"
        "YES,never,co-operative\n"
        "khong,Often,Private enterprise\n"
    )
    back = read_text(tmp_path, text)
    assert back.data["q03_complaint_others"].tolist() == ["yes", "yes", "no"]
    assert back.data["q22_banks"].tolist() == ["occasionally", "never", "often"]
    assert back.data["ownership"].tolist() == ["cooperative", "cooperative", "private"]


def test_joined_labels_are_split_by_the_longest_choices(tmp_path: Path) -> None:
    label = FORM.label(FORM.question("q18_knowledge_sources"))
    values = [
        "Buyers/customers Other similar firms in the same industry or locality "
        "Other (media, television, ...)",
        "Trade association Research organisation/University",
        "Người mua/khách hàng Chuyên gia tư vấn",
        "buyers consultants",
        "buyers Ha Long consultants",
        "",
    ]
    body = "\n".join(f'E{i},"{value}"' for i, value in enumerate(values))
    back = read_text(tmp_path, f'enterprise_id,"{label}"\n{body}\n')
    assert back.data["q18_knowledge_sources"].tolist() == [
        "buyers similar_firms other",
        "trade_association research",
        "buyers consultants",
        "buyers consultants",
        "buyers Ha Long consultants",
        "",
    ]


def test_option_columns_win_over_the_joined_column(tmp_path: Path) -> None:
    header = ";".join(
        [
            "enterprise_id",
            "q06_equipment",
            "q06_equipment/electric_kiln",
            "q06_equipment/lpg_kiln",
            "q06_equipment/other",
        ]
    )
    rows = [
        "A;other;1;0;1",
        "B;;1.0;0.0;False",
        "C;electric_kiln;TRUE;true;FALSE",
        "D;;;;",
        "E;;0;0;0",
    ]
    back = read_text(tmp_path, "\n".join([header, *rows]) + "\n")
    assert back.data["q06_equipment"].tolist() == [
        "electric_kiln other",
        "electric_kiln",
        "electric_kiln lpg_kiln",
        "",
        "",
    ]
    assert back.columns["q06_equipment"] == "q06_equipment"


def test_option_column_with_another_value_is_refused(tmp_path: Path) -> None:
    text = "enterprise_id;q06_equipment/electric_kiln\nA;1\nB;x\n"
    with pytest.raises(ReadError, match="row 3, column 'q06_equipment/electric_kiln'") as caught:
        read_text(tmp_path, text)
    assert caught.value.row == 3


def test_xlsx_cells_read_as_a_person_sees_them(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["enterprise_id", "q15_inspections", "turnover", "q10_other", "start", "q06_installed"],
        ["A", 15, 15.0, dt.date(2007, 5, 1), dt.datetime(2007, 5, 1, 8, 30), True],
        ["B", 2.5, 1 / 3, dt.datetime(2007, 5, 2), None, "Có"],
        ["C", 10**20, 1e20, " x ", dt.time(8, 30), False],
    ]
    back = read_responses(xlsx(tmp_path / "cells.xlsx", rows), FORM)
    assert back.data["q15_inspections"].tolist() == ["15", "2.5", "1e+20"]
    assert back.data["turnover"].tolist() == ["15", "0.3333333333333333", "1e+20"]
    assert back.data["q10_other"].tolist() == ["2007-05-01", "2007-05-02", "x"]
    assert back.meta["start"].tolist() == ["2007-05-01T08:30:00", "", "08:30:00"]
    assert back.data["q06_installed"].tolist() == ["TRUE", "yes", "FALSE"]


# ------------------------------------------------------------------- formats
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters_are_sniffed(tmp_path: Path, delimiter: str) -> None:
    rows = [
        ["enterprise_id", "cluster", "q10_other"],
        ["A", "Bát Tràng", "a, b; c"],
        ["B", "dong_ky", ""],
    ]
    text = "\n".join(
        delimiter.join(f'"{cell}"' if any(d in cell for d in ",;") else cell for cell in row)
        for row in rows
    )
    back = read_text(tmp_path, text + "\n")
    assert back.data["cluster"].tolist() == ["bat_trang", "dong_ky"]
    assert back.data["q10_other"].tolist() == ["a, b; c", ""]


def test_unquoted_labels_with_commas_in_a_semicolon_file(tmp_path: Path) -> None:
    label = FORM.label(FORM.question("q02_resources"))
    assert "," in label
    back = read_text(tmp_path, f"enterprise_id;{label};Cluster (village)\nA;7;Van Phuc\n")
    assert back.data["q02_resources"].tolist() == ["7"]
    assert back.data["cluster"].tolist() == ["van_phuc"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be-bom"])
def test_unicode_encodings(tmp_path: Path, encoding: str) -> None:
    text = "enterprise_id;cluster;q10_other\r\nA;Đồng Kỵ;Thiếu vốn\r\nB;Bát Tràng;\r\n"
    path = tmp_path / "enc.csv"
    if encoding == "utf-16-be-bom":
        path.write_bytes(b"\xfe\xff" + text.encode("utf-16-be"))
    else:
        path.write_bytes(text.encode(encoding))
    back = read_responses(path, FORM)
    assert back.data["cluster"].tolist() == ["dong_ky", "bat_trang"]
    assert back.data["q10_other"].tolist() == ["Thiếu vốn", ""]
    assert back.source_row.tolist() == [2, 3]


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("cp1258", "enterprise_id,cluster\nA,Ha Noi\nB,Bát Tràng\n"),
        ("latin-1", "enterprise_id,q10_other\nA,Café\n"),
    ],
)
def test_legacy_encodings_are_refused_with_their_place(
    tmp_path: Path, encoding: str, text: str
) -> None:
    path = write(tmp_path / "legacy.csv", text, encoding)
    offset = next(i for i, byte in enumerate(path.read_bytes()) if byte >= 0x80)
    with pytest.raises(ReadError) as caught:
        read_responses(path, FORM)
    message = str(caught.value)
    assert str(path) in message
    assert f"byte {offset}" in message
    assert "UTF-8" in message and "save the file as UTF-8" in message
    line = text.encode(encoding)[:offset].count(b"\n") + 1
    assert f"line {line}" in message


def test_utf16_without_bom_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "u16.csv", "enterprise_id\nA\n", "utf-16-le")
    with pytest.raises(ReadError, match="UTF-16 without a byte-order mark"):
        read_responses(path, FORM)


def test_comment_lines_and_blank_lines_keep_row_numbers(tmp_path: Path) -> None:
    text = (
        "# SYNTHETIC DATA: invented enterprises\n"
        "# generated with seed 1\n"
        "\n"
        "enterprise_id,q10_other\n"
        "A,one\n"
        "\n"
        'B,"two\nlines"\n'
        "C,three\n"
    )
    back = read_text(tmp_path, text)
    assert back.data["enterprise_id"].tolist() == ["A", "B", "C"]
    # A quoted value over two lines is one row, as a spreadsheet program shows it.
    assert back.source_row.tolist() == [5, 7, 8]
    assert back.data["q10_other"].tolist() == ["one", "two lines", "three"]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings(tmp_path: Path, newline: str) -> None:
    lines = ["# note", "enterprise_id;cluster", "A;Bát Tràng", "", "B;dong ky"]
    back = read_text(tmp_path, newline.join(lines))
    assert back.data["cluster"].tolist() == ["bat_trang", "dong_ky"]
    assert back.source_row.tolist() == [3, 5]


def test_xlsx_comment_rows_and_gaps_keep_row_numbers(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["# SYNTHETIC DATA"],
        [],
        ["enterprise_id", "cluster"],
        ["A", "Bát Tràng"],
        [],
        ["B", "Dong Ky"],
    ]
    back = read_responses(xlsx(tmp_path / "comments.xlsx", rows), FORM)
    assert back.source_row.tolist() == [4, 6]
    assert back.data["cluster"].tolist() == ["bat_trang", "dong_ky"]


def test_unclosed_quote_is_refused_at_its_row(tmp_path: Path) -> None:
    text = 'enterprise_id,q10_other\nA,x\nB,x\nC,"unclosed\nD,x\n'
    for chunksize in (1, 50):
        path = write(tmp_path / "quote.csv", text)
        with pytest.raises(ReadError, match="row 4: a double quote opened in this row"):
            list(iter_responses(path, FORM, chunksize=chunksize))


def test_xlsx_without_openpyxl_internals_reads_the_same(
    tmp_path: Path, made: Responses, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "public.xlsx"
    to_kobo_export(made, FORM, path, style="labels", multiple="both")
    monkeypatch.setattr(XlsxTable, "fast", False)
    assert_same(read_responses(path, FORM), made)


def test_odk_central_headers(tmp_path: Path) -> None:
    header = "SubmissionDate,profile-enterprise_id,profile-cluster,meta-instanceID,KEY,ReviewState"
    back = read_text(tmp_path, header + "\n2007-05-01,A,dong_ky,uuid:1,uuid:1,approved\n")
    assert back.data.iloc[0].to_dict() == {"enterprise_id": "A", "cluster": "dong_ky"}
    assert list(back.meta.columns) == ["instanceID", "SubmissionDate", "KEY", "ReviewState"]
    assert back.extra_columns == []


def test_row_with_too_many_fields_is_refused(tmp_path: Path) -> None:
    text = "# note\nenterprise_id;q10_other\nA;x\nB;x;y\n"
    with pytest.raises(ReadError, match=r"row 4: this row has 3 fields but the header has 2"):
        read_text(tmp_path, text)


# ------------------------------------------------------------------ formulas
def test_formula_without_cached_value_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = xlsx(
        tmp_path / "formula.xlsx",
        [
            ["enterprise_id", "q15_inspections"],
            ["A", 3],
            ["B", 4],
            ["C", 5],
            ["D", 6],
            ["E", 7],
            ["F", "=B2+1"],
        ],
    )
    for fast in (True, False):
        monkeypatch.setattr(XlsxTable, "fast", fast)
        with pytest.raises(ReadError) as caught:
            read_responses(path, FORM)
        assert str(caught.value) == (
            f"{path}, row 7, column 'q15_inspections': formula =B2+1 has no computed value; "
            "open and save the file in a spreadsheet program [formula]"
        )


def _cache_formula(path: Path, replacements: dict[str, str]) -> None:
    """Give formula cells the computed values a spreadsheet program would have saved."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = next(name for name in parts if name.startswith("xl/worksheets/sheet"))
    xml = parts[sheet].decode("utf-8")
    for old, new in replacements.items():
        assert old in xml
        xml = xml.replace(old, new)
    parts[sheet] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w") as target:
        for name, content in parts.items():
            target.writestr(name, content)


def test_formula_with_cached_value_reads_the_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = xlsx(
        tmp_path / "cached.xlsx",
        [["enterprise_id", "q15_inspections", "q10_other"], ["A", "=1+2", '=IF(1,"","x")']],
    )
    _cache_formula(
        path,
        {
            '<c r="B2"><f>1+2</f><v /></c>': '<c r="B2"><f>1+2</f><v>3</v></c>',
            '<c r="C2"><f>IF(1,"","x")</f><v /></c>': (
                '<c r="C2" t="str"><f>IF(1,"","x")</f><v></v></c>'
            ),
        },
    )
    for fast in (True, False):
        monkeypatch.setattr(XlsxTable, "fast", fast)
        back = read_responses(path, FORM)
        assert back.data["q15_inspections"].tolist() == ["3"]
        assert back.data["q10_other"].tolist() == [""]


def test_rich_text_and_a_sheet_with_a_dtd(tmp_path: Path) -> None:
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    rich = CellRichText([TextBlock(InlineFont(b=True), "Bát"), " Tràng"])
    path = xlsx(tmp_path / "rich.xlsx", [["enterprise_id", "cluster"], ["A", rich]])
    assert read_responses(path, FORM).data["cluster"].tolist() == ["bat_trang"]
    _cache_formula(path, {"<worksheet": '<!DOCTYPE worksheet [<!ENTITY a "b">]><worksheet'})
    with pytest.raises(ReadError, match="DTD"):
        read_responses(path, FORM)


def test_export_refuses_options_it_cannot_honour(tmp_path: Path, made: Responses) -> None:
    path = tmp_path / "out.csv"
    with pytest.raises(ValueError, match="language"):
        to_kobo_export(made, FORM, path, style="labels", language="fr")
    with pytest.raises(ValueError, match="group_separator"):
        to_kobo_export(made, FORM, path, group_separator="x")
    with pytest.raises(ValueError, match="delimiter"):
        to_kobo_export(made, FORM, path, delimiter="|")
    with pytest.raises(ValueError, match=r"\.ods"):
        to_kobo_export(made, FORM, tmp_path / "out.ods")
    broken = make_responses(2)
    broken.data["q10_other"] = ["ok", "bell\x07"]
    with pytest.raises(ValueError, match="row 3 holds a control character"):
        to_kobo_export(broken, FORM, tmp_path / "out.xlsx")
    to_kobo_export(made, FORM, path, style="labels", language="Tiếng Việt (vi)")
    assert_same(read_responses(path, FORM), made)


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    responses = make_responses(3)
    responses.data["q10_other"] = ["=1+", "=SUM(A1:A2)", "x"]
    path = tmp_path / "text.xlsx"
    to_kobo_export(responses, FORM, path)
    assert read_responses(path, FORM).data["q10_other"].tolist() == ["=1+", "=SUM(A1:A2)", "x"]


# -------------------------------------------------------------------- headers
def test_duplicate_question_columns_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"columns 'cluster' and 'Cluster \(village\)'"):
        read_text(tmp_path, "enterprise_id,cluster,Cluster (village)\nA,bat_trang,Bat Trang\n")
    with pytest.raises(ReadError, match="columns 'profile/cluster' and 'cluster'"):
        read_text(tmp_path, "profile/cluster,cluster\nbat_trang,bat_trang\n")
    with pytest.raises(ReadError, match="option 'buyers'"):
        read_text(
            tmp_path,
            "q18_knowledge_sources/buyers,q18_knowledge_sources/Buyers/customers\n1,1\n",
        )
    with pytest.raises(ReadError, match="metadata '_id'"):
        read_text(tmp_path, "enterprise_id,_id,_ID\nA,1,1\n")


def test_no_matching_header_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"right form\?.*enterprise_id, cluster"):
        read_text(tmp_path, "name,age,_id\nAn,30,1\n")


def test_extra_and_metadata_columns(tmp_path: Path) -> None:
    header = [
        "start",
        "profile/enterprise_id",
        "interviewer note",
        "_tags",
        "meta/instanceID",
        "formhub/uuid",
        "__version__",
        "_validation_status",
        "Meta:DeprecatedID",
        "_id",
        "",
    ]
    text = (
        ";".join(header)
        + "\n"
        + ";".join(["s", "A", "n", "", "uuid:1", "f", "v1", "", "uuid:0", "7", ""])
        + "\n"
    )
    back = read_text(tmp_path, text)
    assert back.extra_columns == ["interviewer note"]
    assert list(back.meta.columns) == [
        "start",
        "instanceID",
        "deprecatedID",
        "formhub_uuid",
        "_id",
        "_validation_status",
        "__version__",
        "_tags",
    ]
    assert back.meta.iloc[0].tolist() == ["s", "uuid:1", "uuid:0", "f", "7", "", "v1", ""]
    assert list(back.data.columns) == ["enterprise_id"]


def test_unnamed_columns_with_data_are_extra(tmp_path: Path) -> None:
    back = read_text(tmp_path, "enterprise_id,,q10_other,\nA,,x,\nB,stray,y,\n")
    assert back.extra_columns == ["column 2 (no header)"]
    rows: list[list[object]] = [["enterprise_id", "q10_other"], ["A", "x", None, "stray"]]
    back = read_responses(xlsx(tmp_path / "wide.xlsx", rows), FORM)
    assert back.extra_columns == ["column D (no header)"]
    assert back.data["q10_other"].tolist() == ["x"]


def _nested_form() -> Instrument:
    survey = pd.DataFrame(
        {
            "type": [
                "begin_group",
                "begin_group",
                "text",
                "end_group",
                "end_group",
                "begin_group",
                "text",
                "end_group",
            ],
            "name": ["outer", "inner", "kiln", "inner", "outer", "other", "kiln_2", "other"],
            "label::English (en)": [
                "Outer",
                "Inner part",
                "Kiln type",
                "",
                "",
                "Other part",
                "Kiln type",
                "",
            ],
        }
    )
    choices = pd.DataFrame({"list_name": ["yn"], "name": ["yes"], "label::English (en)": ["Yes"]})
    return build_instrument({"survey": survey, "choices": choices})


def test_nested_group_prefixes_and_ambiguous_labels(tmp_path: Path) -> None:
    form = _nested_form()
    path = write(tmp_path / "nested.csv", "outer/inner/kiln;Other part:Kiln type\nA;B\n")
    back = read_responses(path, form)
    assert back.data.iloc[0].to_dict() == {"kiln": "A", "kiln_2": "B"}
    path = write(tmp_path / "nested2.csv", "Outer.Inner part.Kiln type\nA\n")
    assert read_responses(path, form).data.columns.tolist() == ["kiln"]
    path = write(tmp_path / "ambiguous.csv", "Kiln type\nA\n")
    with pytest.raises(ReadError, match="ambiguous"):
        read_responses(path, form)


# ------------------------------------------------------------- empty and odd
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"# only a comment\n\n", "empty"),
        (b"enterprise_id,cluster\n", "no data rows"),
        (b"enterprise_id,cluster\r\n\r\n,\r\n", "no data rows"),
    ],
)
def test_files_without_data(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(ReadError, match=message):
        read_responses(path, FORM)


def test_xlsx_without_data(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="empty"):
        read_responses(xlsx(tmp_path / "empty.xlsx", []), FORM)
    with pytest.raises(ReadError, match="no data rows"):
        read_responses(xlsx(tmp_path / "header.xlsx", [["enterprise_id"]]), FORM)


def test_wrong_kind_of_file(tmp_path: Path, made: Responses) -> None:
    with pytest.raises(ReadError, match="not a readable Excel workbook"):
        read_responses(write(tmp_path / "fake.xlsx", "enterprise_id\nA\n"), FORM)
    real = tmp_path / "real.xlsx"
    to_kobo_export(made, FORM, real)
    renamed = tmp_path / "renamed.csv"
    renamed.write_bytes(real.read_bytes())
    with pytest.raises(ReadError, match="Excel workbook"):
        read_responses(renamed, FORM)
    with pytest.raises(ReadError, match=r"save it as \.xlsx"):
        read_responses(write(tmp_path / "old.xls", "x"), FORM)
    with pytest.raises(ReadError, match="does not exist"):
        read_responses(tmp_path / "missing.csv", FORM)
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(ReadError, match="is a folder"):
        read_responses(tmp_path / "folder.csv", FORM)


def test_error_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "named.csv", "nothing,here\n1,2\n")
    with pytest.raises(ReadError) as caught:
        read_responses(path, FORM)
    assert caught.value.file == str(path)
    assert re.match(re.escape(str(path)), str(caught.value))


def test_bundled_example_reads_with_comment_rows() -> None:
    example = Path(ecocluster.__file__).parent / "data/examples/red-river-2007/responses.csv"
    lines = example.read_text(encoding="utf-8").splitlines()
    comments = sum(1 for line in lines if line.startswith("#"))
    back = read_responses(example, FORM)
    assert len(back) == len(lines) - comments - 1
    assert back.source_row[0] == comments + 2
    assert back.extra_columns == []
