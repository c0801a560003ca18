"""Mandatory training at province scale: roster import, compliance dashboard and export.

    .venv/bin/python -m bench.campaigns [--people 100000] [--roster 20000] [--runs 5]
                                        [--export-runs 3] [--preview-runs 5]
                                        [--steps dashboard,export,preview,refuse,confirm]
                                        [--baseline /path/to/older/checkout]

Sets up a throwaway SQLite database (or the PostgreSQL of DATABASE_URL, which must be a
throwaway database: it is flushed), with the 124 communes, `--people` commune officials
spread over them and over 300 organizations, one campaign assigning all of them, a third
started and a quarter completed (each completion with its certificate, one in 50 of them
too fast). Each step then runs in its own process so its peak memory (ru_maxrss above
the process's baseline) is its own:

- dashboard: the province administrator's campaign page through Django's test client
  (server time, no network), median of `--runs`, and its SQL query count;
- export: building the campaign's .xlsx with every assignment (what the background job
  runs after the coordinator presses the button), time and peak memory, median of
  `--export-runs`, each followed by openpyxl alone writing the same rows (the floor);
- preview of a `--roster`-row roster (.xlsx written beforehand, every row valid),
  `--preview-runs` times, each in a fresh process: median time and peak memory; and the
  same file read alone through common.spreadsheets (every row, nothing checked), the
  reader's share of it. With `--baseline`, the other checkout's preview and read take
  turns with these, on the same database and file: a before/after under the same load;
- confirm of that roster, time and peak memory.

`--steps` runs only the steps named (the seed always runs). The load average is printed
before and after: this machine's cores are shared.
"""

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.measure import ROOT, arguments, django_step, median, peak_rss_mb, with_options


@with_options
def step_seed(args) -> dict:
    import datetime

    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import Commune, Organization, ParticipantKind, Province, User
    from common.text import fold
    from courses.imports import parse_markdown
    from courses.services import import_course
    from learning.models import Assignment, Campaign, Certificate

    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)  # a flush empties the communes a migration loaded
    from accounts.services.communes import load_tuyen_quang

    load_tuyen_quang()
    started = time.perf_counter()
    course = import_course(
        data=parse_markdown((ROOT / "tests/courses/sample.md").read_text(encoding="utf-8")),
        publish=True,
    )
    province = Province.objects.get(code="08")
    communes = list(Commune.objects.all())
    Organization.objects.bulk_create(
        Organization(
            name=f"Cơ quan thử {n}",
            search_name=fold(f"Cơ quan thử {n}"),
            kind=Organization.Kind.OTHER,
            province=province,
            commune=communes[n % len(communes)],
        )
        for n in range(300)
    )
    organizations = list(Organization.objects.values_list("pk", flat=True))
    password = make_password(None)
    now = timezone.now()
    User.objects.bulk_create(
        (
            User(
                phone=f"08{n:08d}",
                full_name=f"Cán bộ {n}",
                search_name=f"can bo {n}",
                commune=communes[n % len(communes)],
                organization_id=organizations[n % len(organizations)],
                participant_kind=ParticipantKind.COMMUNE_OFFICIAL,
                password=password,
            )
            for n in range(args.people)
        ),
        batch_size=5000,
    )
    campaign = Campaign.objects.create(
        title="Bồi dưỡng kỹ năng số 2025",
        kinds=[ParticipantKind.COMMUNE_OFFICIAL],
        opens_on=datetime.date(2025, 10, 1),
        deadline=datetime.date(2025, 12, 31),
    )
    campaign.courses.add(course)
    on_time = timezone.make_aware(datetime.datetime(2025, 11, 20, 9))
    late = timezone.make_aware(datetime.datetime(2026, 1, 5, 9))
    Assignment.objects.bulk_create(
        (
            Assignment(
                campaign=campaign,
                user_id=uid,
                assigned_at=now,
                started_at=on_time if i % 3 == 0 else None,
                completed_at=(on_time if i % 8 == 0 else late) if i % 4 == 0 else None,
            )
            for i, uid in enumerate(User.objects.values_list("pk", flat=True).iterator())
        ),
        batch_size=5000,
    )
    # Each completion has its certificate (the dashboard's speed flag reads them); one in
    # 50 was finished faster than the course's minimum reading time.
    Certificate.objects.bulk_create(
        (
            Certificate(
                user_id=uid,
                course=course,
                code=f"B{n:09d}",
                full_name=name,
                course_title=course.title,
                issued_at=done,
                seconds_taken=10 if n % 50 == 0 else 36_000,
            )
            for n, (uid, name, done) in enumerate(
                Assignment.objects.filter(completed_at__isnull=False)
                .values_list("user_id", "user__full_name", "completed_at")
                .iterator()
            )
        ),
        batch_size=5000,
    )
    admin = User.objects.create(
        phone="0900000001", full_name="Quản trị", is_superuser=True, consent_at=timezone.now()
    )
    return {"seconds": time.perf_counter() - started, "campaign": campaign.pk, "admin": admin.pk}


@with_options
def step_dashboard(args) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from learning.models import Campaign

    client = Client()
    client.force_login(User.objects.get(phone="0900000001"))
    url = f"/dieu-phoi/dot-hoc/{Campaign.objects.get().pk}/"
    assert client.get(url).status_code == 200  # warm
    times, sql = [], []
    for _ in range(args.runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200
        sql.append(sum(float(query["time"]) for query in queries.captured_queries))
    return {
        "median_ms": median(times) * 1000,
        "sql_ms": median(sql) * 1000,
        "queries": len(queries),
    }


@with_options
def step_export(args) -> dict:
    from django.conf import settings
    from django.utils import timezone
    from openpyxl import Workbook, load_workbook

    from accounts.models import User
    from learning.models import Campaign, ExportJob
    from learning.reports import campaign_people
    from learning.services.campaign_exports import PEOPLE_CHUNK, build_campaign_export

    settings.PRIVATE_ROOT = Path(args.workdir) / "private"
    admin, campaign = User.objects.get(phone="0900000001"), Campaign.objects.get()
    base = peak_rss_mb()
    seconds, floors, ratios = [], [], []
    # Export and reference take turns, so a burst of load on this shared machine hits
    # both sides of a ratio rather than one.
    for _ in range(args.export_runs):
        job = ExportJob.objects.create(
            created_by=admin, campaign=campaign, created_at=timezone.now()
        )
        start = time.perf_counter()
        build_campaign_export(job.pk)  # what the background thread runs
        seconds.append(time.perf_counter() - start)
        if len(seconds) == 1:  # ru_maxrss only grows: the reference below holds every row
            peak = peak_rss_mb() - base
        job.refresh_from_db()
        content = (settings.PRIVATE_ROOT / job.file_name).read_bytes()
        sheet = load_workbook(io.BytesIO(content), read_only=True)["Người học"]
        values = list(sheet.iter_rows(min_row=2, values_only=True))
        # Reference: openpyxl writing the same rows, already in memory, with nothing else
        # (no query, no scope, no formatting) — the floor for this export.
        reference = Workbook(write_only=True)
        plain = reference.create_sheet("x")
        start = time.perf_counter()
        for row in values:
            plain.append(row)
        reference.save(io.BytesIO())
        floors.append(time.perf_counter() - start)
        ratios.append(seconds[-1] / floors[-1])
        del values
    # The export's own query alone (read and thrown away): the part that is not writing.
    start = time.perf_counter()
    for _row in campaign_people(
        campaign.assignments.all(), campaign=campaign, today=timezone.localdate()
    ).iterator(chunk_size=PEOPLE_CHUNK):
        pass
    query = time.perf_counter() - start
    return {
        "seconds": median(seconds),
        "all_seconds": seconds,
        "peak_mb": peak,
        "rows": job.total,
        "bytes": len(content),
        "floor": median(floors),
        "ratio": median(ratios),
        "query": query,
    }


@with_options
def step_write_roster(args) -> dict:
    from openpyxl import Workbook

    from accounts.models import Commune
    from accounts.roster import COLUMNS

    communes = list(Commune.objects.values_list("name", flat=True))
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Danh sách")
    sheet.append(COLUMNS)
    for n in range(args.roster):
        # A roster names only organizations that exist: the seed's "Cơ quan thử m" is in
        # communes[m % 124], so every row is valid and the whole check runs.
        sheet.append(
            [
                f"Nguyễn Văn Mới {n}",
                f"03{n:08d}",
                1960 + n % 40,
                f"Cơ quan thử {n % len(communes)}",
                communes[n % len(communes)],
                "Cán bộ cấp xã",  # named by the campaign: confirm also assigns them
            ]
        )
    path = Path(args.workdir) / "roster.xlsx"
    book.save(path)
    return {"bytes": path.stat().st_size}


def _roster_upload(args):
    from django.core.files.uploadedfile import SimpleUploadedFile

    path = Path(args.workdir) / "roster.xlsx"
    return SimpleUploadedFile("roster.xlsx", path.read_bytes())


@with_options
def step_preview(args) -> dict:
    from accounts.models import User
    from accounts.scopes import Scope
    from accounts.services.rosters import preview_roster

    admin = User.objects.get(phone="0900000001")
    upload = _roster_upload(args)
    # RSS, not tracemalloc: a reader written in Rust allocates outside Python's heap.
    base = peak_rss_mb()
    start = time.perf_counter()
    roster = preview_roster(upload, user=admin, scope=Scope.of(admin))
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "peak_mb": peak_rss_mb() - base,
        "rows": len(roster.rows),
        "problems": len(roster.problems),
        "roster": roster.pk,
    }


@with_options
def step_read(args) -> dict:
    """The roster file read alone: every row through the uploads' reader, nothing checked."""
    from accounts.roster import MAX_ROSTER_ROWS
    from common.spreadsheets import open_xlsx, sheet_rows

    upload = _roster_upload(args)
    base = peak_rss_mb()
    start = time.perf_counter()
    workbook = open_xlsx(upload, formulas=True, max_rows=MAX_ROSTER_ROWS)
    rows = sum(1 for _ in sheet_rows(workbook))
    workbook.close()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": peak_rss_mb() - base, "rows": rows}


@with_options
def step_confirm(args) -> dict:
    from django.utils import timezone

    from accounts.models import RosterImport
    from accounts.services.rosters import confirm_roster

    roster = RosterImport.objects.latest("created_at")
    base = peak_rss_mb()
    start = time.perf_counter()
    ids = confirm_roster(roster, now=timezone.now())  # on commit: campaign assignment
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": peak_rss_mb() - base, "created": len(ids)}


@with_options
def step_refuse(args) -> dict:
    """Time to refuse a 200 MB zip bomb and a .docx renamed to .xlsx."""
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import User
    from accounts.scopes import Scope
    from accounts.services.rosters import preview_roster
    from common.spreadsheets import SpreadsheetError

    bomb, docx = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (200 * 1024 * 1024))
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    admin = User.objects.get(phone="0900000001")
    figures = {"bomb_bytes": len(bomb.getvalue())}
    for name, content in (("bomb", bomb.getvalue()), ("docx", docx.getvalue())):
        upload = SimpleUploadedFile(f"{name}.xlsx", content)
        start = time.perf_counter()
        try:
            preview_roster(upload, user=admin, scope=Scope.of(admin))
        except SpreadsheetError:
            figures[name] = (time.perf_counter() - start) * 1000
        else:
            raise SystemExit(f"{name} was not refused")
    return figures


def run(step: str, args, env, tree: Path = ROOT) -> dict:
    """A step in a Django process of its own, with the code of `tree` (this checkout, or
    --baseline's)."""
    options = ("workdir", "people", "roster", "runs", "export_runs")
    return django_step(
        "bench.campaigns", env, step, cwd=tree, **{o: getattr(args, o) for o in options}
    )


def load() -> str:
    return ", ".join(f"{figure:.1f}" for figure in os.getloadavg())


def median_of(runs: list[dict], key: str) -> float:
    return median(r[key] for r in runs)


def spread(runs: list[dict], key: str, digits: int = 2) -> str:
    return ", ".join(f"{r[key]:.{digits}f}" for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--roster", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--export-runs", type=int, default=3)
    parser.add_argument("--preview-runs", type=int, default=5)
    parser.add_argument("--steps", default="dashboard,export,preview,refuse,confirm")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="a checkout of other code (a git worktree of an older commit): its roster "
        "preview and read are timed in turn with this one's, on the same database",
    )
    args = arguments(parser, globals())
    if args is None:  # this process ran a Django step
        return
    args.workdir = tempfile.mkdtemp(prefix="hocso-bench-")
    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "testserver"}
    env.setdefault("DJANGO_SECRET_KEY", "bench-" + os.urandom(16).hex())  # DEBUG off needs one
    if not env.get("DATABASE_URL"):
        env["SQLITE_PATH"] = str(Path(args.workdir) / "db.sqlite3")
    env.pop("REDIS_URL", None)
    database = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    seeded = run("seed", args, env)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    print(
        f"{database}; {args.people:,} assignments over 124 communes and 300 organizations "
        f"(seeded in {seeded['seconds']:.0f} s); code at {commit}; cores: {os.cpu_count()}; "
        f"load average {load()}\n"
    )
    steps = set(args.steps.split(","))
    print("| step | figure | target |")
    print("| --- | --- | --- |")
    if "dashboard" in steps:
        dashboard(args, env)
    if "export" in steps:
        export(args, env)
    if steps & {"preview", "refuse", "confirm"}:
        run("write_roster", args, env)
    if "preview" in steps:
        preview(args, env)
    if "refuse" in steps:
        refuse(args, env)
    if "confirm" in steps:
        confirm(args, env)
    print(f"\nload average at the end: {load()}")


def dashboard(args, env) -> None:
    dashboard = run("dashboard", args, env)
    print(
        f"| dashboard (server time, median of {args.runs}) | {dashboard['median_ms']:.0f} ms "
        f"(SQL {dashboard['sql_ms']:.0f} ms), {dashboard['queries']} queries "
        "| ≤ 300 ms, ≤ 15 queries |"
    )


def export(args, env) -> None:
    export = run("export", args, env)
    print(
        f"| export, people sheet of {export['rows']:,} rows (median of {args.export_runs}) "
        f"| {export['seconds']:.1f} s ({', '.join(f'{s:.1f}' for s in export['all_seconds'])}), "
        f"peak +{export['peak_mb']:.0f} MB, {export['bytes'] / 1e6:.1f} MB file; "
        f"openpyxl alone on the same rows: {export['floor']:.1f} s "
        f"({export['ratio']:.2f}×, median of the pairs); its query alone {export['query']:.1f} s "
        "| ≤ 10 s, ≤ 100 MB |"
    )


def preview(args, env) -> None:
    # Preview and read alone (and the baseline's, if any) take turns, each in a fresh
    # process, so a burst of load on this shared machine hits every side rather than one.
    trees = {"": ROOT} | ({" (baseline)": args.baseline} if args.baseline else {})
    runs = {(label, step): [] for label in trees for step in ("preview", "read")}
    for _ in range(args.preview_runs):
        for (label, step), figures in runs.items():
            figures.append(run(step, args, env, trees[label]))
    for label in trees:
        previews, reads = runs[label, "preview"], runs[label, "read"]
        print(
            f"| roster preview{label}, {args.roster:,} rows (median of {args.preview_runs}) "
            f"| {median_of(previews, 'seconds'):.2f} s ({spread(previews, 'seconds')}), "
            f"peak +{median_of(previews, 'peak_mb'):.0f} MB "
            f"({spread(previews, 'peak_mb', 0)}); {previews[-1]['rows']:,} valid, "
            f"{previews[-1]['problems']} problems | ≤ 1.5 s, ≤ 150 MB |"
        )
        print(
            f"| the same file read alone{label} ({reads[-1]['rows']:,} rows) "
            f"| {median_of(reads, 'seconds'):.2f} s ({spread(reads, 'seconds')}), "
            f"peak +{median_of(reads, 'peak_mb'):.0f} MB ({spread(reads, 'peak_mb', 0)}) | |"
        )


def refuse(args, env) -> None:
    refuse = run("refuse", args, env)
    print(
        f"| refuse a zip bomb ({refuse['bomb_bytes'] / 1e6:.1f} MB file, 200 MB inside) "
        f"and a renamed .docx | {refuse['bomb']:.0f} ms, {refuse['docx']:.0f} ms | well under 2 s |"
    )


def confirm(args, env) -> None:
    confirm = run("confirm", args, env)
    print(
        f"| roster confirm | {confirm['seconds']:.1f} s, peak +{confirm['peak_mb']:.0f} MB "
        f"({confirm['created']:,} accounts, campaign assignment included) | ≤ 20 s |"
    )


if __name__ == "__main__":
    main()
