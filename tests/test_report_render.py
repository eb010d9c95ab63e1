"""The report's rendering layer: document model, HTML page, report folder, figures.

A small report with every kind of block (Vietnamese text included, one real chart from
each figure function) is written once; the page is parsed with the standard library's
HTML parser for structure and self-containment, then opened in headless Chromium, which
must see every section and chart. The screenshot and the printed PDF are kept under
``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import ecocluster.figure_style as figure_style
import ecocluster.report.html as report_html
from browser import dump_dom, print_pdf, require_chromium, screenshot
from ecocluster.report import (
    Bullets,
    Callout,
    FigureBlock,
    KeyFigures,
    Paragraph,
    Report,
    ReportFiles,
    ReportOutputError,
    Section,
    TableBlock,
    figures,
    render_html,
    summary_json,
    write_report,
)

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CLUSTERS = ["Bát Tràng", "Đồng Kỵ", "Vạn Phúc"]


# A report with every block kind ---------------------------------------------------------


def _figures() -> dict[str, str]:
    seriousness = pd.DataFrame(
        {"Bát Tràng": [6.2, 7.9, 5.1], "Đồng Kỵ": [8.1, 7.5, 4.2], "Vạn Phúc": [5.0, 6.1, 6.8]},
        index=["Noise", "Air", "Water"],
    )
    constraints = pd.Series({"Lack of capital": 31, "Lack of knowledge": 18, "No space": 12})
    adoption = pd.DataFrame({"Installed": [13, 3, 1], "Not installed": [2, 13, 19]}, CLUSTERS)
    coefficients = pd.DataFrame(
        {
            "term": ["log turnover", "exporter"] * 2,
            "estimate": [1.2, 0.8, 1.0, 0.5],
            "conf_low": [0.4, -0.3, 0.1, -0.6],
            "conf_high": [2.0, 1.9, 1.9, 1.6],
            "specification": ["Logit", "Logit", "Firth logit", "Firth logit"],
        }
    )
    rng = np.random.default_rng(7)
    turnover = pd.Series(np.exp(rng.normal(6, 1, 51)))
    spending = turnover * 0.05 * np.exp(rng.normal(0, 0.5, 51))
    groups = pd.Series(np.repeat(CLUSTERS, [15, 16, 20]))
    return {
        "fig-seriousness": figures.grouped_bar_svg(
            seriousness,
            ylabel="Mean seriousness (1–10)",
            ylim=(0, 10),
            reference_line=5.5,
            reference_label="Scale midpoint (5.5)",
        ),
        "fig-constraints": figures.ranked_bar_svg(constraints, xlabel="Enterprises"),
        "fig-adoption": figures.stacked_share_svg(adoption, xlabel="Share of enterprises (%)"),
        "fig-models": figures.coefficient_plot_svg(coefficients),
        "fig-spending": figures.scatter_svg(
            turnover,
            spending,
            groups=groups,
            xlabel="Turnover (VND million)",
            ylabel="Spending (VND million)",
            logx=True,
        ),
    }


def _display_table() -> pd.DataFrame:
    columns = pd.MultiIndex.from_tuples(
        [("Employees", "mean"), ("Employees", "sum"), ("Exporters", "n")]
    )
    frame = pd.DataFrame(
        [["39.7", "595", "14"], ["49.7", "795", "9"], ["6.9", "138", "1"]],
        index=pd.Index(CLUSTERS, name="Cluster"),
        columns=columns,
    )
    return frame


def _data_tables() -> dict[str, pd.DataFrame]:
    characteristics = pd.DataFrame(
        {"employees_mean": [39.67, 49.6875, 6.9], "exporters": [14, 9, 1]},
        index=pd.Index(CLUSTERS, name="cluster"),
    )
    constraints = pd.DataFrame(
        {
            "constraint": ["Thiếu vốn", "Thiếu kiến thức"],
            "mentions": [31, 18],
            "share": [0.6, np.nan],
        }
    )
    return {"characteristics": characteristics, "constraints": constraints}


def make_report(svgs: dict[str, str]) -> Report:
    figure_blocks = [
        FigureBlock(id=name, title=f"Chart {name}", svg=svg, alt=f"Chart of {name}", caption="")
        for name, svg in svgs.items()
    ]
    figure_blocks[0] = FigureBlock(
        id="fig-seriousness",
        title="Seriousness of pollution by cluster",
        svg=svgs["fig-seriousness"],
        alt="Bars of mean seriousness of noise, air and water pollution in Bát Tràng, "
        "Đồng Kỵ and Vạn Phúc",
        caption="Scale 1 (not serious) to 10 (very serious); the dashed line is 5.5.",
    )
    return Report(
        title="Greening craft villages: Bát Tràng, Đồng Kỵ, Vạn Phúc",
        subtitle="Enterprise survey, September 2007",
        meta={
            "Study": "red-river-2007",
            "Data source": "responses.csv (synthetic)",
            "Generated": "2007-09-30 12:00",
            "ecocluster": "0.1.0",
        },
        synthetic=True,
        sections=(
            Section(
                id="at-a-glance",
                title="Study at a glance",
                lead="Fifty-one enterprises in three clusters of the Red River Delta.",
                blocks=(
                    KeyFigures((("Enterprises", "51"), ("Clusters", "3"), ("Adopters", "17"))),
                    Paragraph("Làng gốm Bát Tràng & làng nghề gỗ Đồng Kỵ <b>are</b> compared."),
                    Bullets(("Noise: Đồng Kỵ", "Water: Vạn Phúc")),
                ),
            ),
            Section(
                id="enterprises",
                title="Enterprises",
                blocks=(
                    TableBlock(
                        name="characteristics",
                        title="Enterprise characteristics by cluster",
                        frame=_display_table(),
                        notes=("Means over all enterprises of the cluster.",),
                        source="Konstadakopulos (2009), Table 2",
                    ),
                    Callout("The data are synthetic.", kind="warning"),
                    Callout("Shares are of enterprises, not of employees."),
                ),
            ),
            Section(
                id="environment",
                title="Environment and adoption",
                blocks=(
                    *figure_blocks,
                    TableBlock(
                        name="constraints",
                        title="Constraints on pollution control",
                        frame=pd.DataFrame(
                            {"Mentions": ["31", "18"], "Share": ["60.8 %", "—"]},
                            index=pd.Index(["Thiếu vốn", "Thiếu kiến thức"], name="Constraint"),
                        ),
                    ),
                ),
            ),
        ),
    )


SUMMARY = {
    "study": "red-river-2007",
    "clusters": CLUSTERS,
    "firms": np.int64(51),
    "adoption_rate": np.float64(17 / 51),
    "missing": float("nan"),
    "by_cluster": pd.Series({"Bát Tràng": 13, "Đồng Kỵ": 3, "Vạn Phúc": 1}),
    "nested": {"ratio": math.inf, "values": np.array([1.5, np.nan])},
}


@pytest.fixture(scope="module")
def svgs() -> dict[str, str]:
    return _figures()


@pytest.fixture(scope="module")
def report(svgs: dict[str, str]) -> Report:
    return make_report(svgs)


@pytest.fixture(scope="module")
def written(report: Report, tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    out = tmp_path_factory.mktemp("report") / "red-river-2007"
    return write_report(report, out, tables=_data_tables(), summary=SUMMARY)


# Parsing the page ----------------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None
    content: list[Element | str] = field(default_factory=list)

    @property
    def children(self) -> list[Element]:
        return [item for item in self.content if isinstance(item, Element)]

    def iter(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            yield from child.iter()

    def all_text(self) -> str:
        return "".join(item if isinstance(item, str) else item.all_text() for item in self.content)


class TreeBuilder(HTMLParser):
    """Enough of a DOM to check structure: elements, attributes and text."""

    VOID = frozenset({"meta", "link", "br", "img", "hr", "input", "col", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.current = self.root
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.content.append(element)
        if tag not in self.VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.content.append(Element(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None and node.parent is not None, f"stray </{tag}>"
        assert node is self.current, f"</{tag}> closes <{self.current.tag}> too"
        self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.content.append(data)


def parse(html: str) -> TreeBuilder:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.current is builder.root, f"<{builder.current.tag}> never closed"
    return builder


def by_id(root: Element) -> dict[str, Element]:
    found: dict[str, Element] = {}
    for element in root.iter():
        if "id" in element.attrs:
            assert element.attrs["id"] not in found, f"duplicate id {element.attrs['id']}"
            found[element.attrs["id"]] = element
    return found


# Document model ------------------------------------------------------------------------


def test_document_refuses_bad_ids_and_blocks() -> None:
    with pytest.raises(ValueError, match="lower-case"):
        Section(id="Tổng quan", title="x", blocks=())
    with pytest.raises(ValueError, match="lower-case"):
        TableBlock(name="../etc", title="x", frame=pd.DataFrame())
    with pytest.raises(ValueError, match="kind"):
        Callout("x", kind="danger")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="alt"):
        FigureBlock(id="f", title="x", svg="<svg/>", alt=" ")
    with pytest.raises(TypeError, match="not a block"):
        Section(id="s", title="x", blocks=("text",))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="repeated: a"):
        Report("t", "", {}, (Section("a", "x", ()), Section("a", "y", ())))
    with pytest.raises(ValueError, match="reserved"):
        Report("t", "", {}, (Section("contents", "x", ()),))
    section = Section("s", "x", [Paragraph("p")])  # type: ignore[arg-type]
    assert section.blocks == (Paragraph("p"),)
    assert Bullets(["a", "b"]).items == ("a", "b")  # type: ignore[arg-type]


# HTML page -----------------------------------------------------------------------------


def test_page_has_every_section_figure_and_table(report: Report, written: ReportFiles) -> None:
    html = written.html.read_text("utf-8")
    tree = parse(html)
    assert tree.doctype.lower() == "doctype html"
    document = tree.root.children[0]
    assert document.tag == "html" and document.attrs["lang"] == "en"
    assert any(e.tag == "meta" and e.attrs.get("charset") == "utf-8" for e in document.iter())
    ids = by_id(tree.root)

    for section in report.sections:
        element = ids[section.id]
        assert element.tag == "section"
        assert element.children[0].tag == "h2"
        assert section.title in element.children[0].all_text()
    for figure in report.figures():
        element = ids[figure.id]
        assert element.tag == "figure" and "figure" in element.attrs["class"].split()
        tags = [child.tag for child in element.children]
        assert tags == ["svg", "figcaption"]
        assert element.children[0].attrs["role"] == "img"
        assert figure.title in element.children[1].all_text()
    for table in report.tables():
        element = ids[table.html_id]
        assert any(e.tag == "table" for e in element.iter())
    toc = ids["contents"]
    links = {e.attrs["href"] for e in toc.iter() if e.tag == "a"}
    assert links == {f"#{item}" for item in report.ids}
    text = tree.root.all_text()
    assert "Synthetic data." in text
    assert "Đồng Kỵ" in text and "Làng gốm Bát Tràng & làng nghề gỗ Đồng Kỵ <b>are</b>" in text
    assert "Table 2." in text and "Figure 5." in text


def test_page_loads_nothing_from_outside(written: ReportFiles) -> None:
    html = written.html.read_text("utf-8")
    tree = parse(html)
    for element in tree.root.iter():
        assert element.tag not in ("script", "link", "img", "iframe", "object", "embed")
        for name in ("src", "href", "xlink:href", "srcset", "action"):
            value = element.attrs.get(name)
            if value is None:
                continue
            assert value.startswith("#") or value.startswith("tables/"), (element.tag, value)
    styles = "".join(e.all_text() for e in tree.root.iter() if e.tag == "style")
    assert "@import" not in styles and "url(" not in styles and "@font-face" not in styles
    assert "@media print" in styles and "size: A4" in styles
    csv_links = [e.attrs["href"] for e in tree.root.iter() if e.attrs.get("class") == "csv-link"]
    assert csv_links == ["tables/characteristics.csv", "tables/constraints.csv"]
    assert all((written.directory / link).is_file() for link in csv_links)


def test_tables_have_scoped_headers_spans_and_numeric_alignment(written: ReportFiles) -> None:
    tree = parse(written.html.read_text("utf-8"))
    table = next(e for e in by_id(tree.root)["table-characteristics"].iter() if e.tag == "table")
    head = next(e for e in table.iter() if e.tag == "thead")
    rows = [[cell for cell in row.children] for row in head.children]
    assert [(c.tag, c.all_text(), c.attrs.get("colspan")) for c in rows[0]] == [
        ("td", "", None),
        ("th", "Employees", "2"),
        ("th", "Exporters", None),
    ]
    assert [c.attrs.get("scope") for c in rows[0][1:]] == ["colgroup", "col"]
    assert [(c.all_text(), c.attrs["scope"]) for c in rows[1]] == [
        ("Cluster", "col"),
        ("mean", "col"),
        ("sum", "col"),
        ("n", "col"),
    ]
    assert all(c.attrs.get("class") == "num" for c in rows[1][1:])
    body = next(e for e in table.iter() if e.tag == "tbody")
    first = body.children[0].children
    assert (first[0].tag, first[0].attrs["scope"], first[0].all_text()) == (
        "th",
        "row",
        "Bát Tràng",
    )
    assert [c.all_text() for c in first[1:]] == ["39.7", "595", "14"]
    assert all(c.tag == "td" and c.attrs.get("class") == "num" for c in first[1:])
    caption = next(e for e in table.iter() if e.tag == "caption")
    assert caption.all_text() == "Table 1. Enterprise characteristics by cluster"

    other = by_id(tree.root)["table-constraints"]
    cells = [e for e in other.iter() if e.tag == "td"]
    # A "—" cell marks a missing value; the Share column is still aligned as numbers.
    assert [c.attrs.get("class") for c in cells] == ["num"] * 4


def test_repeated_outer_row_labels_are_shown_once() -> None:
    frame = pd.DataFrame(
        {"n": ["3", "4", "5"]},
        index=pd.MultiIndex.from_tuples(
            [("Bát Tràng", "gas"), ("Bát Tràng", "coal"), ("Đồng Kỵ", "wood")]
        ),
    )
    report = Report("t", "", {}, (Section("s", "S", (TableBlock("t", "T", frame),)),))
    tree = parse(render_html(report))
    head = next(e for e in tree.root.iter() if e.tag == "thead")
    assert [(c.tag, c.all_text()) for c in head.children[0].children] == [
        ("td", ""),
        ("td", ""),
        ("th", "n"),
    ]
    body = next(e for e in tree.root.iter() if e.tag == "tbody")
    labels = [[c.all_text() for c in row.children if c.tag == "th"] for row in body.children]
    assert labels == [["Bát Tràng", "gas"], ["", "coal"], ["Đồng Kỵ", "wood"]]


def test_text_is_escaped_and_normalised() -> None:
    nfd = unicodedata.normalize("NFD", "Đồng Kỵ")
    report = Report(
        "<script>alert(1)</script>",
        nfd,
        {"a&b": "<i>x</i>"},
        (Section("s", "S", (Paragraph("<img src=http://example.org/x.png>"),)),),
    )
    html = render_html(report)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and "&lt;img src=http://example.org/x.png&gt;" in html
    assert "&lt;i&gt;x&lt;/i&gt;" in html and "a&amp;b" in html
    assert unicodedata.normalize("NFC", nfd) in html and nfd not in html
    assert "</table>" not in html and "Contents" in html


def test_figures_with_scripts_or_outside_references_are_refused() -> None:
    for svg in (
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><image href="http://example.org/a.png"/></svg>',
        '<svg onload="alert(1)"></svg>',
        "<div>not svg</div>",
    ):
        block = FigureBlock(id="f", title="x", svg=svg, alt="x")
        report = Report("t", "", {}, (Section("s", "S", (block,)),))
        with pytest.raises(ValueError, match="figure 'f'"):
            render_html(report)


def test_svg_ids_are_prefixed_per_figure(svgs: dict[str, str], written: ReportFiles) -> None:
    tree = parse(written.html.read_text("utf-8"))
    ids = by_id(tree.root)  # also asserts that no id repeats on the page
    for name in svgs:
        inner = [e.attrs["id"] for e in ids[name].iter() if "id" in e.attrs][1:]
        assert inner and all(item.startswith(f"{name}--") for item in inner)
    html = written.html.read_text("utf-8")
    for reference in re.findall(r'href="#([^"]+)"|url\(#([^)]+)\)', html):
        target = reference[0] or reference[1]
        assert target in ids, target


# Report folder -------------------------------------------------------------------------


def test_csv_tables_round_trip_with_a_byte_order_mark(written: ReportFiles) -> None:
    assert sorted(written.tables) == ["characteristics", "constraints"]
    for name, path in written.tables.items():
        assert path == written.directory / "tables" / f"{name}.csv"
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        assert b"\r\n" not in path.read_bytes()
    characteristics = pd.read_csv(
        written.tables["characteristics"], encoding="utf-8-sig", index_col="cluster"
    )
    pd.testing.assert_frame_equal(characteristics, _data_tables()["characteristics"])
    constraints = pd.read_csv(written.tables["constraints"], encoding="utf-8-sig")
    pd.testing.assert_frame_equal(constraints, _data_tables()["constraints"])
    assert "Thiếu vốn" in written.tables["constraints"].read_text("utf-8-sig")


def test_summary_json_keeps_vietnamese_and_writes_nan_as_null(written: ReportFiles) -> None:
    text = written.summary.read_text("utf-8")
    assert "Đồng Kỵ" in text and "NaN" not in text and "Infinity" not in text
    data = json.loads(text)
    assert data["firms"] == 51 and data["adoption_rate"] == pytest.approx(17 / 51)
    assert data["missing"] is None and data["nested"] == {"ratio": None, "values": [1.5, None]}
    assert data["by_cluster"] == {"Bát Tràng": 13, "Đồng Kỵ": 3, "Vạn Phúc": 1}
    assert data["clusters"] == CLUSTERS
    with pytest.raises(TypeError, match=r"summary\['bad'\]: cannot write object"):
        summary_json({"bad": object()})
    frame = pd.DataFrame({"a": [1, None]})
    assert json.loads(summary_json({"rows": frame})) == {"rows": [{"a": 1.0}, {"a": None}]}


def test_marker_lists_the_files_written(written: ReportFiles) -> None:
    listed = (written.directory / report_html.MARKER).read_text("utf-8").splitlines()
    files = sorted(line for line in listed if not line.startswith("#"))
    on_disk = sorted(
        p.relative_to(written.directory).as_posix()
        for p in written.directory.rglob("*")
        if p.is_file() and p.name != report_html.MARKER
    )
    assert files == on_disk


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _small_report() -> Report:
    frame = pd.DataFrame({"n": ["1"]}, index=["Vạn Phúc"])
    return Report("t", "", {}, (Section("s", "S", (TableBlock("a", "A", frame),)),))


def test_a_failed_write_leaves_the_folder_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "report"
    tables = {"a": pd.DataFrame({"n": [1]}), "b": pd.DataFrame({"n": [2]})}
    write_report(_small_report(), out, tables=tables, summary={"run": 1})
    before = _snapshot(out)

    original = report_html._write_table
    calls = []

    def failing(frame: pd.DataFrame, path: Path) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError("disk full")
        original(frame, path)

    monkeypatch.setattr(report_html, "_write_table", failing)
    with pytest.raises(ReportOutputError, match="disk full"):
        write_report(_small_report(), out, tables=tables, summary={"run": 2})
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]

    fresh = tmp_path / "never"
    calls.clear()
    with pytest.raises(ReportOutputError):
        write_report(_small_report(), fresh, tables=tables, summary={})
    assert not fresh.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]

    def interrupted(frame: pd.DataFrame, path: Path) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(report_html, "_write_table", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_report(_small_report(), out, tables=tables, summary={"run": 3})
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_rewriting_replaces_a_previous_report_as_a_whole(tmp_path: Path) -> None:
    out = tmp_path / "report"
    two = {"a": pd.DataFrame({"n": [1]}), "b": pd.DataFrame({"n": [2]})}
    write_report(_small_report(), out, tables=two, summary={"run": 1})
    files = write_report(_small_report(), out, tables={"a": two["a"]}, summary={"run": 2})
    assert not (out / "tables" / "b.csv").exists()
    assert json.loads(files.summary.read_text("utf-8")) == {"run": 2}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_folders_with_other_files_are_refused(tmp_path: Path) -> None:
    tables = {"a": pd.DataFrame({"n": [1]})}
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "field-notes.txt").write_text("Đồng Kỵ, 12 Sept", "utf-8")
    with pytest.raises(ReportOutputError, match="not written by ecocluster"):
        write_report(_small_report(), foreign, tables=tables, summary={})
    assert _snapshot(foreign) == {"field-notes.txt": "Đồng Kỵ, 12 Sept".encode()}

    out = tmp_path / "report"
    write_report(_small_report(), out, tables=tables, summary={})
    (out / "tables" / "mine.xlsx").write_bytes(b"x")
    before = _snapshot(out)
    with pytest.raises(ReportOutputError, match=r"tables/mine\.xlsx"):
        write_report(_small_report(), out, tables=tables, summary={})
    assert _snapshot(out) == before

    a_file = tmp_path / "file.html"
    a_file.write_text("x", "utf-8")
    with pytest.raises(ReportOutputError, match="not a folder"):
        write_report(_small_report(), a_file, tables=tables, summary={})

    empty = tmp_path / "empty"
    empty.mkdir()
    assert write_report(_small_report(), empty, tables=tables, summary={}).html.is_file()


def test_every_table_needs_its_csv(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no CSV data for the report's tables: a"):
        write_report(_small_report(), tmp_path / "r", tables={}, summary={})
    with pytest.raises(ValueError, match="table name"):
        write_report(_small_report(), tmp_path / "r", tables={"A b": pd.DataFrame()}, summary={})
    assert not (tmp_path / "r").exists()


def test_importing_the_report_package_does_not_load_matplotlib() -> None:
    code = (
        "import sys, ecocluster, ecocluster.report; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib loaded'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# Figures -------------------------------------------------------------------------------


def test_figures_are_svg_elements_and_deterministic(svgs: dict[str, str]) -> None:
    again = _figures()
    for name, svg in svgs.items():
        assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>"), name
        assert again[name] == svg, f"{name} differs between two renderings"
        assert "<dc:date>" not in svg and "Matplotlib v" not in svg
        assert "<text" not in svg, "text must be drawn as paths"


def test_vietnamese_labels_have_every_glyph() -> None:
    labels = pd.Series({"Đồng Kỵ": 3, "Bát Tràng": 2, "Vạn Phúc": 1, "Hà Tây ướt": 1})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        svg = figures.ranked_bar_svg(labels, xlabel="Số doanh nghiệp")
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert "<!-- Đồng Kỵ -->" in svg and "<!-- Số doanh nghiệp -->" in svg
    # The check above would see a missing glyph: DejaVu Sans has no Chinese characters.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figures.ranked_bar_svg(pd.Series({"漢": 1}), xlabel="n")
    assert [w for w in caught if "missing from font" in str(w.message)]


def test_decomposed_labels_are_drawn_composed() -> None:
    nfd = unicodedata.normalize("NFD", "Đồng Kỵ")
    composed = figures.ranked_bar_svg(pd.Series({"Đồng Kỵ": 1}), xlabel="n")
    assert figures.ranked_bar_svg(pd.Series({nfd: 1}), xlabel="n") == composed


@pytest.mark.parametrize(
    "draw",
    [
        lambda: figures.grouped_bar_svg(pd.DataFrame(), ylabel="y"),
        lambda: figures.grouped_bar_svg(pd.DataFrame({"a": [np.nan]}, index=["x"]), ylabel="y"),
        lambda: figures.ranked_bar_svg(pd.Series(dtype=float), xlabel="x"),
        lambda: figures.ranked_bar_svg(pd.Series({"a": np.nan, "b": "n/a"}), xlabel="x"),
        lambda: figures.stacked_share_svg(pd.DataFrame(), xlabel="x"),
        lambda: figures.stacked_share_svg(pd.DataFrame({"a": [0, np.nan]}), xlabel="x"),
        lambda: figures.coefficient_plot_svg(
            pd.DataFrame(columns=["term", "estimate", "conf_low", "conf_high", "specification"])
        ),
        lambda: figures.scatter_svg(
            pd.Series(dtype=float), pd.Series(dtype=float), groups=None, xlabel="x", ylabel="y"
        ),
        lambda: figures.scatter_svg(
            pd.Series([0.0, -1.0]),
            pd.Series([1.0, 2.0]),
            groups=None,
            xlabel="x",
            ylabel="y",
            logx=True,
        ),
    ],
)
def test_figures_without_data_say_so(draw: object) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        svg = draw()  # type: ignore[operator]
    assert svg.startswith("<svg") and "<!-- No data -->" in svg


def test_figures_skip_missing_values() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = pd.DataFrame(
            {"Bát Tràng": [6.2, np.nan], "Đồng Kỵ": [np.nan, 4.0]}, ["Noise", "Air"]
        )
        grouped = figures.grouped_bar_svg(frame, ylabel="y", reference_line=5.5)
        shares = figures.stacked_share_svg(
            pd.DataFrame({"yes": [13, np.nan, 0], "no": [2, np.nan, 0]}, CLUSTERS), xlabel="%"
        )
        coefficients = figures.coefficient_plot_svg(
            pd.DataFrame(
                {
                    "term": ["a", "b", "c"],
                    "estimate": [0.5, np.nan, 2.0],
                    "conf_low": [0.1, 0.0, -np.inf],
                    "conf_high": [0.9, 1.0, np.inf],
                    "specification": ["Logit"] * 3,
                }
            )
        )
        scatter = figures.scatter_svg(
            pd.Series([1.0, 10.0, 0.0, np.nan]),
            pd.Series([2.0, np.nan, 3.0, 4.0]),
            groups=pd.Series(["Bát Tràng", None, "Đồng Kỵ", "Vạn Phúc"]),
            xlabel="x",
            ylabel="y",
            logx=True,
        )
    assert "<!-- 6.2 -->" in grouped and "<!-- 4.0 -->" in grouped
    assert "<!-- no data -->" in shares and "<!-- 87 -->" in shares
    assert "<!-- a -->" in coefficients and "<!-- b -->" not in coefficients
    # One point is left (1, 2); the pair at x = 0 is named as not shown.
    assert "1 point at zero or below not shown" in scatter
    with pytest.raises(ValueError, match="conf_low"):
        figures.coefficient_plot_svg(pd.DataFrame({"term": ["a"], "estimate": [1.0]}))


# In a browser --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_chromium()


def test_chromium_sees_every_section_and_figure(
    chromium: str, report: Report, written: ReportFiles
) -> None:
    tree = parse(dump_dom(written.html))
    ids = by_id(tree.root)
    for item in report.ids:
        assert item in ids, item
    for section in report.sections:
        assert ids[section.id].tag == "section"
    for name in (figure.id for figure in report.figures()):
        figure = ids[name]
        assert figure.tag == "figure"
        svg = figure.children[0]
        assert svg.tag == "svg" and any(e.tag == "path" for e in svg.iter()), name
    assert "Đồng Kỵ" in tree.root.all_text()


def test_chromium_renders_and_prints_the_page(chromium: str, written: ReportFiles) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    png = screenshot(written.html, ARTIFACTS / "report-render.png", width=1280, height=6000)
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 20_000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 6000)

    pdf = print_pdf(written.html, ARTIFACTS / "report-render.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 20_000


def _comments(svg: str) -> list[str]:
    """The texts matplotlib writes as comments beside their glyph paths."""
    return re.findall(r"<!-- (.*?) -->", svg, flags=re.S)


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (178.0, 594.0, [200.0, 300.0, 500.0]),
        (0.5, 2.0, [0.5, 1.0, 2.0]),
        (15.0, 4700.0, [20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0]),
        (1.0, 1e12, [1.0, 1e2, 1e4, 1e6, 1e8, 1e10, 1e12]),
        (403.3, 403.52, [403.3, 403.35, 403.4, 403.45, 403.5]),
    ],
)
def test_log_axis_ticks_leave_labels_over_any_range(
    low: float, high: float, expected: list[float]
) -> None:
    ticks = figure_style.PlainLogLocator().tick_values(low, high)
    assert ticks.tolist() == pytest.approx(expected)


def test_scatter_on_a_narrow_log_range_has_tick_labels_and_group_colours() -> None:
    rng = np.random.default_rng(1)
    turnover = pd.Series(np.exp(rng.normal(6, 0.3, 30)))  # about 180 to 600: under a decade
    spending = turnover * 0.05
    groups = pd.Series(np.repeat(CLUSTERS, 10))
    svg = figures.scatter_svg(
        turnover, spending, groups=groups, xlabel="x", ylabel="y", logx=True, logy=True
    )
    texts = _comments(svg)
    x_ticks = texts[: texts.index("x")]
    y_ticks = texts[texts.index("x") + 1 : texts.index("y")]
    assert x_ticks == ["200", "300", "500"] and len(y_ticks) >= 2
    fills = {colour.upper() for colour in re.findall(r"fill: (#[0-9a-fA-F]{6})", svg)}
    assert set(figures.PALETTE[:3]) <= fills


def test_grouped_bar_wraps_a_long_axis_label_and_boxes_value_labels() -> None:
    means = pd.DataFrame(
        {"Bát Tràng": [5.4, 5.6, 7.9], "Đồng Kỵ": [8.1, 5.5, 4.2]}, ["Noise", "Air", "Water"]
    )
    label = "Mean seriousness (1 = not serious, 10 = very serious)"
    svg = figures.grouped_bar_svg(
        means, ylabel=label, ylim=(0, 10), reference_line=5.5, reference_label="Midpoint"
    )
    texts = _comments(svg)
    lines = [text for text in texts if text.split()[0] in {"Mean", "serious,", "serious"}]
    assert " ".join(lines) == label and len(lines) >= 2
    assert all(len(line) <= 40 for line in lines)
    # Each of the six value labels sits on a white box above the reference line.
    assert svg.count("fill: #ffffff; opacity: 0.85") == 6
    with matplotlib.rc_context(figure_style.STYLE):
        figure = Figure(figsize=(figure_style.WIDTH_INCHES, 3.2), layout="constrained")
        axes = figure.add_subplot()
        axes.set_ylabel(label)
        figure_style.fit_axis_label(figure, axes.yaxis.label, figure_style.label_room(3.2))
        figure.draw_without_rendering()
        extent = axes.yaxis.label.get_window_extent()
        assert extent.y0 >= 0 and extent.y1 <= figure.bbox.height
