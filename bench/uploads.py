"""Hostile and large uploads: the million-problem roster, the 200,000-question bank, and a
20,000-row roster through preview, confirm and its account slips.

    .venv/bin/python -m bench.uploads [--runs 3] [--roster 20000] [--million 1000000]
                                      [--bank 200000] [--bank-ok 5000]

Sets up a throwaway SQLite database (or the PostgreSQL of DATABASE_URL, which must be a
throwaway database: it is flushed) with the 124 communes, a "UBND xã …" organization in
each and a province administrator, and writes the files first (openpyxl, write-only):

- a roster of `--million` rows that all repeat one row with a bad phone number (about
  80 KB: a million problems in a tiny file);
- a bank of `--bank` identical valid questions (about 0.6 MB), and one of `--bank-ok`;
- a valid roster of `--roster` people.

Each step then runs in a process of its own, so its peak memory (VmHWM) is its own, and
through the pages (Django's test client, server time, no network) where a person would:

- reference: openpyxl alone reading every row of the million-row file (read-only,
  values only) — what any check that reads the file must at least cost;
- the million-problem roster uploaded: time until the answer, peak memory, problems kept;
- the big bank uploaded in the admin: time until the answer; the `--bank-ok` bank: time
  until its questions are in (a background job where the code has one: polled);
- the valid roster: upload (preview), confirm, then the account slips (the PDF, or the
  job that builds it: the request's own time, then the time until the file is ready).

Preview, confirm and slips are run `--runs` times each (a fresh database state each run:
the accounts are deleted between runs) and their medians reported.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.measure import ROOT, arguments, django_step, peak_rss_mb, with_options

ADMIN_PHONE = "0900000001"


def step(function):
    """A step run by `run` in its own Django process: the run's options, and its private
    files (problems, slips) in the run's folder."""

    @with_options
    def in_workdir(args) -> dict:
        from django.conf import settings

        settings.PRIVATE_ROOT = Path(args.workdir) / "private"
        return function(args)

    return in_workdir


def _admin_client():
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(phone=ADMIN_PHONE))
    return client


def _upload(path: Path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(path.name, path.read_bytes())


@step
def step_setup(args) -> dict:
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import Commune, Organization, Province, User
    from accounts.services.communes import load_tuyen_quang
    from common.text import fold

    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    load_tuyen_quang()
    # A roster names only organizations that exist: the valid roster's "UBND xã …".
    province = Province.objects.get(code="08")
    Organization.objects.bulk_create(
        Organization(
            name=f"UBND xã {commune.name}",
            search_name=fold(f"UBND xã {commune.name}"),
            kind=Organization.Kind.OTHER,
            province=province,
            commune=commune,
        )
        for commune in Commune.objects.all()
    )
    User.objects.create(
        phone=ADMIN_PHONE,
        full_name="Quản trị",
        is_superuser=True,
        is_staff=True,
        consent_at=timezone.now(),  # else every page sends them to the consent page first
    )
    return {}


@step
def step_write(args) -> dict:
    from openpyxl import Workbook

    from accounts.models import Commune
    from accounts.roster import COLUMNS
    from quiz.bank import COLUMNS as BANK_COLUMNS
    from quiz.bank import SAMPLE

    work = Path(args.workdir)
    sizes = {}

    def save(name, headers, rows):
        book = Workbook(write_only=True)
        sheet = book.create_sheet("Danh sách")
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
        book.save(work / name)
        sizes[name] = (work / name).stat().st_size

    # The hostile files are written as raw XML, as a tester would: rows without a cell
    # reference, one shared string repeated, no <dimension>: a million rows stay under the
    # zip guard's 50 MB expanded and compress to tens of KB.
    sizes["million.xlsx"] = raw_xlsx(
        work / "million.xlsx",
        strings=[*COLUMNS, "Nguyễn Văn Sai"],
        header=len(COLUMNS),
        rows=('<row><c t="s"><v>6</v></c></row>' for _ in range(args.million)),
    )
    bank_header = ["Câu hỏi", "A", "B", "Đáp án đúng"]
    sizes["bank-big.xlsx"] = raw_xlsx(
        work / "bank-big.xlsx",
        strings=[*bank_header, SAMPLE[0], "156", "5656", "B"],
        header=len(bank_header),
        rows=(
            f'<row r="{n}"><c t="s"><v>4</v></c><c t="s"><v>5</v></c>'
            '<c t="s"><v>6</v></c><c t="s"><v>7</v></c></row>'
            for n in range(2, args.bank + 2)
        ),
    )
    save("bank-ok.xlsx", BANK_COLUMNS, (SAMPLE for _ in range(args.bank_ok)))
    communes = list(Commune.objects.values_list("name", flat=True))
    save(
        "roster.xlsx",
        COLUMNS,
        (
            [
                f"Nguyễn Văn Mới {n}",
                f"03{n:08d}",
                1960 + n % 40,
                f"UBND xã {communes[n % len(communes)]}",
                communes[n % len(communes)],
                "Cán bộ cấp xã",
            ]
            for n in range(args.roster)
        ),
    )
    return sizes


def raw_xlsx(path: Path, *, strings: list[str], header: int, rows) -> int:
    """A minimal .xlsx: one sheet whose first row is strings[:header], then `rows` (XML)."""
    import zipfile
    from xml.sax.saxutils import escape

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    first = "".join(f'<c t="s"><v>{i}</v></c>' for i in range(header))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument"'
            ' Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Danh sách" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/sharedStrings.xml",
            f'<sst xmlns="{main}">'
            + "".join(f"<si><t>{escape(t)}</t></si>" for t in strings)
            + "</sst>",
        )
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<worksheet xmlns="{main}"><sheetData><row>{first}</row>'.encode())
            for row in rows:
                sheet.write(row.encode())
            sheet.write(b"</sheetData></worksheet>")
    return path.stat().st_size


@step
def step_reference(args) -> dict:
    from openpyxl import load_workbook

    start = time.perf_counter()
    book = load_workbook(Path(args.workdir) / "million.xlsx", read_only=True)
    rows = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return {"seconds": time.perf_counter() - start, "rows": rows, "peak_mb": peak_rss_mb()}


@step
def step_million(args) -> dict:
    from accounts.models import RosterImport

    client = _admin_client()
    upload = _upload(Path(args.workdir) / "million.xlsx")
    base = peak_rss_mb()
    start = time.perf_counter()
    response = client.post("/dieu-phoi/nhap-danh-sach/", {"file": upload})
    seconds = time.perf_counter() - start
    roster = RosterImport.objects.order_by("-pk").first()
    page = response.content.decode()
    if response.status_code == 302:
        assert "/nhap-danh-sach/" in response.url, response.url  # checked: its preview
    return {
        "seconds": seconds,
        "status": response.status_code,
        "refused": response.status_code == 200 and "errorlist" in page,
        "kept_problems": len(roster.problems) if roster else 0,
        "peak_mb": peak_rss_mb(),
        "base_mb": base,
    }


def _jobs():
    try:
        from accounts.models import Job
    except ImportError:  # the code before background jobs
        return None
    return Job


def _wait_for_job(job_model, since_pk: int, timeout: float = 1800) -> float:
    """Seconds until the newest job after `since_pk` is finished (polled)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        job = job_model.objects.filter(pk__gt=since_pk).order_by("-pk").first()
        if job and job.state in ("done", "failed"):
            if job.state == "failed":
                raise SystemExit(f"job {job.pk} failed: {job.error}")
            return time.perf_counter() - start
        time.sleep(0.05)
    raise SystemExit("job did not finish")


def _last_job_pk(job_model) -> int:
    if job_model is None:
        return 0
    last = job_model.objects.order_by("-pk").first()
    return last.pk if last else 0


@step
def step_bank(args) -> dict:
    from django.conf import settings

    from quiz.models import Question

    settings.EXPORTS_IN_BACKGROUND = True
    Job = _jobs()
    figures = {}
    for name in ("bank-big.xlsx", "bank-ok.xlsx"):
        # By batches: one DELETE … IN of 200,000 ids passes PostgreSQL's 65,535 parameters.
        while ids := list(Question.objects.values_list("pk", flat=True)[:10_000]):
            Question.objects.filter(pk__in=ids).delete()
        since = _last_job_pk(Job)
        client = _admin_client()
        upload = _upload(Path(args.workdir) / name)
        start = time.perf_counter()
        response = client.post("/quan-tri/quiz/question/nhap/", {"file": upload})
        request = time.perf_counter() - start
        waited = 0.0
        if response.status_code == 302:  # imported, or a job's page: not a detour
            assert "/quiz/question/" in response.url or "/cong-viec/" in response.url
        if response.status_code == 302 and Job and _last_job_pk(Job) > since:
            waited = _wait_for_job(Job, since)
        figures[name] = {
            "request": request,
            "total": request + waited,
            "status": response.status_code,
            "questions": Question.objects.count(),
            "job": bool(waited),
        }
    figures["peak_mb"] = peak_rss_mb()
    return figures


@step
def step_roster(args) -> dict:
    """Preview, confirm and slips of the valid roster, once; the accounts are deleted after."""
    from django.conf import settings

    from accounts.models import RosterImport, SignInCode, User

    settings.EXPORTS_IN_BACKGROUND = True
    Job = _jobs()
    client = _admin_client()
    upload = _upload(Path(args.workdir) / "roster.xlsx")
    figures = {}
    start = time.perf_counter()
    response = client.post("/dieu-phoi/nhap-danh-sach/", {"file": upload})
    figures["preview"] = time.perf_counter() - start
    assert response.status_code == 302, response.status_code
    preview_url = response.url
    start = time.perf_counter()
    assert client.post(preview_url).status_code == 302
    figures["confirm"] = time.perf_counter() - start
    roster = RosterImport.objects.order_by("-pk").first()
    figures["created"] = roster.created_count
    since = _last_job_pk(Job)
    start = time.perf_counter()
    response = client.post(f"{preview_url}phieu.pdf")
    figures["slips_request"] = time.perf_counter() - start
    if response.status_code == 302 and Job:  # a background job builds them
        figures["slips"] = figures["slips_request"] + _wait_for_job(Job, since)
    else:
        assert response["Content-Type"] == "application/pdf", response.status_code
        figures["slips"] = figures["slips_request"]
    figures["codes"] = SignInCode.objects.count()
    figures["peak_mb"] = peak_rss_mb()
    SignInCode.objects.all().delete()
    User.objects.filter(pk__in=roster.created_ids).delete()
    return figures


def run(name: str, args, env) -> dict:
    options = ("workdir", "roster", "million", "bank", "bank_ok")
    return django_step("bench.uploads", env, name, **{o: getattr(args, o) for o in options})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--roster", type=int, default=20_000)
    parser.add_argument("--million", type=int, default=1_000_000)
    parser.add_argument("--bank", type=int, default=200_000)
    parser.add_argument("--bank-ok", type=int, default=5_000)
    parser.add_argument("--skip", default="", help="comma-separated steps not to run")
    args = arguments(parser, globals())
    if args is None:  # this process ran a Django step
        return
    skip = set(filter(None, args.skip.split(",")))
    args.workdir = tempfile.mkdtemp(prefix="hocso-bench-uploads-")
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_SECRET_KEY": "bench-uploads-" + "x" * 40,
    }
    if not env.get("DATABASE_URL"):
        env["SQLITE_PATH"] = str(Path(args.workdir) / "db.sqlite3")
    env.pop("REDIS_URL", None)
    database = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    run("setup", args, env)
    sizes = run("write", args, env)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    print(f"{database}; code at {commit} ({ROOT}); cores: {os.cpu_count()}; files:")
    for name, size in sizes.items():
        print(f"  {name}: {size / 1024:,.0f} KB")
    print()
    print("| step | figure |")
    print("| --- | --- |")
    if "million" not in skip:
        reference = run("reference", args, env)
        million = run("million", args, env)
        print(
            f"| reference: openpyxl alone reads the {reference['rows']:,} rows "
            f"| {reference['seconds']:.1f} s, peak {reference['peak_mb']:.0f} MB |"
        )
        outcome = "refused" if million["refused"] else f"HTTP {million['status']}"
        print(
            f"| million-problem roster uploaded | {million['seconds']:.2f} s "
            f"({million['seconds'] / reference['seconds']:.3f}× the reference), {outcome}, "
            f"peak {million['peak_mb']:.0f} MB (process at start {million['base_mb']:.0f} MB), "
            f"{million['kept_problems']:,} problems kept |"
        )
    if "bank" not in skip:
        bank = run("bank", args, env)
        for name, label in (("bank-big.xlsx", args.bank), ("bank-ok.xlsx", args.bank_ok)):
            b = bank[name]
            how = "background job" if b["job"] else "in the request"
            print(
                f"| bank of {label:,} questions uploaded | request {b['request']:.2f} s "
                f"(HTTP {b['status']}), {b['questions']:,} questions in after {b['total']:.1f} s "
                f"({how}) |"
            )
        print(f"| bank step peak memory | {bank['peak_mb']:.0f} MB |")
    if "roster" not in skip:
        runs = [run("roster", args, env) for _ in range(args.runs)]

        def median(key):
            return statistics.median(r[key] for r in runs)

        def spread(key, digits=1):
            return ", ".join(f"{r[key]:.{digits}f}" for r in runs)

        print(
            f"| roster of {args.roster:,}: preview (upload and check) | {median('preview'):.1f} s "
            f"({spread('preview')}) |"
        )
        print(
            f"| roster confirm ({runs[0]['created']:,} accounts) | {median('confirm'):.1f} s "
            f"({spread('confirm')}) |"
        )
        print(
            f"| their slips: the request | {median('slips_request'):.2f} s "
            f"({spread('slips_request', 2)}) |"
        )
        print(
            f"| their slips: until the PDF is ready ({runs[0]['codes']:,} codes) "
            f"| {median('slips'):.1f} s ({spread('slips')}) |"
        )
        print(f"| roster step peak memory | {median('peak_mb'):.0f} MB |")


if __name__ == "__main__":
    main()
