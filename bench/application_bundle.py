"""The whole application as one PDF (zcps/application_bundle.py) with ~200 MB of attachments:
time, peak memory growth, and the same merge done the usual pypdf way for comparison.

    python bench/application_bundle.py [--megabytes 200] [--file-mb 10] [--page-kb 250]
                                       [--no-naive]

Makes one scan-like PDF of ``--file-mb`` MB (200 pages at most, as uploads): pages of
``--page-kb`` KB each, every page its own
JPEG of noise (DCTDecode, as a scanner writes it; noise so that nothing compresses). Stores it
as as many attachments as ``--megabytes`` needs (one per archive item, spread over the
achievement categories) of one application, recommended to an acceptance point; and a quarter
of them in a second application, to show that memory does not grow with the attachments.
SQLite in a temporary folder. The embedded font is loaded before (a server has it from its
first document).

For each application, ``bundle_file`` is run three times: once for the time, once for the peak
RSS growth (Linux: the high-water mark is reset through /proc/self/clear_refs just before, and
VmHWM − VmRSS read after; elsewhere the growth of ru_maxrss, which only shows a new peak), once
under tracemalloc (Python's own allocations). Then, unless ``--no-naive``, the same attachments
merged with ``PdfWriter.append`` and written to a temporary file, measured the same way. Checks
the page count of what it made; prints its figures.
"""
import argparse
import io
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image  # noqa: E402
from pypdf import PdfReader, PdfWriter  # noqa: E402

from models import ApplicationStatus, ArchiveCategory, ReviewStatus, StoredFile  # noqa: E402
from tests import factories  # noqa: E402
from tests.conftest import app_config  # noqa: E402
from zcps import create_app, workflow  # noqa: E402
from zcps.application_bundle import bundle_file  # noqa: E402
from zcps.extensions import db  # noqa: E402
from zcps.review_form import review_form_pdf  # noqa: E402
from zcps.storage import path_of, store_bytes  # noqa: E402

MB = 1024 * 1024
MAX_PAGES = 200  # UPLOAD_MAX_PAGES' default
CATEGORIES = (ArchiveCategory.PAPER, ArchiveCategory.AWARD, ArchiveCategory.PROJECT,
              ArchiveCategory.PATENT, ArchiveCategory.CERTIFICATE, ArchiveCategory.OTHER)


def noise_jpeg(target: int, seed: int) -> tuple[bytes, int]:
    """A JPEG of noise of about ``target`` bytes, and its side in pixels."""
    side = max(64, int((target / 0.78) ** 0.5))  # noise at quality 90: ~0.78 bytes a pixel
    data = random.Random(seed).randbytes(side * side)
    buffer = io.BytesIO()
    Image.frombytes("L", (side, side), data).save(buffer, "JPEG", quality=90)
    return buffer.getvalue(), side


def scan_pdf(file_bytes: int, page_bytes: int) -> tuple[bytes, int]:
    """A PDF of A4 pages, each one full-page JPEG (as a scanner makes them); its page count."""
    pages = min(MAX_PAGES, max(1, file_bytes // page_bytes))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", None]
    kids = []
    for n in range(pages):
        jpeg, side = noise_jpeg(page_bytes, n)
        image, content, page = len(objects) + 1, len(objects) + 2, len(objects) + 3
        draw = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
        objects += [
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n%s\nendstream"
            % (side, side, len(jpeg), jpeg),
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(draw), draw),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /XObject << /Im0 %d 0 R >> >> >>" % (content, image)]
        kids.append(page)
    objects[1] = b"<< /Type /Pages /Count %d /Kids [%s] >>" % (
        len(kids), b" ".join(b"%d 0 R" % kid for kid in kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    start = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f\r\n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n\r\n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, start))
    return out.getvalue(), pages


def application_with(unit, point, name: str, scan: bytes, files: int):
    person = factories.applicant(unit, name)
    owner = factories.applicant_account(person)
    items = []
    for n in range(files):
        item = factories.archive_item(person, ReviewStatus.PENDING, CATEGORIES[n % len(CATEGORIES)],
                                      f"{name}的业绩{n + 1}")
        workflow.attach_file(owner, item, store_bytes(scan, f"扫描件{n + 1}.pdf"))
        workflow.review_item(factories.employer(unit), item, "approve")
        items.append(item)
    application = factories.application(person, ApplicationStatus.RECOMMENDED, items=items,
                                        acceptance_point=point)
    db.session.commit()
    return application


def rss_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def peak_growth(run) -> tuple[float, str]:
    """MiB the process grew to while ``run()`` ran, above what it held before."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # resets VmHWM to the current RSS
        before = rss_kib("VmRSS")
        run()
        return (rss_kib("VmHWM") - before) / 1024, "VmHWM - VmRSS"
    except OSError:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        run()
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return (after - before) / 1024, "ru_maxrss growth"


def traced_peak(run) -> float:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


def in_child(measurement):
    """``measurement()``'s result, computed in a forked process: one that has never merged
    anything, so memory the allocator kept from an earlier run does not hide a peak."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            db.engine.dispose(close=False)  # the parent's connections stay the parent's
            result = repr(measurement()).encode()
        except BaseException as error:  # noqa: BLE001 - reported by the parent
            result = repr(("error", repr(error))).encode()
        os.write(write, result)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    import ast

    return ast.literal_eval(data.decode())


def measure(label: str, run) -> None:
    def timed():
        started = time.perf_counter()
        pages, size = run()
        return pages, size, time.perf_counter() - started

    pages, size, seconds = in_child(timed)
    growth, how = in_child(lambda: peak_growth(run))
    traced = in_child(lambda: traced_peak(run))
    print(f"{label}: {pages} pages, {size / MB:.1f} MiB written in {seconds:.2f} s; "
          f"peak RSS growth {growth:.1f} MiB ({how}); tracemalloc peak {traced:.1f} MiB")


def zcps_bundle(application, pages: int):
    def run():
        handle, size = bundle_file(application)
        handle.close()
        return pages, size
    return run


def pypdf_writer(application):
    """The usual way: PdfWriter.append of every attachment, then write."""
    def run():
        writer = PdfWriter()
        handles = []
        for item in application.items:
            for file_id in item.file_ids:
                handle = open(path_of(db.session.get(StoredFile, file_id)), "rb")
                handles.append(handle)
                writer.append(PdfReader(handle))
        with tempfile.TemporaryFile() as output:
            writer.write(output)
            size = output.tell()
        for handle in handles:
            handle.close()
        return len(writer.pages), size
    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=200)
    parser.add_argument("--file-mb", type=float, default=10)
    parser.add_argument("--page-kb", type=int, default=250)
    parser.add_argument("--no-naive", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="zcps-bundle-bench-"))
    app = create_app(app_config(folder, f"sqlite:///{folder / 'bench.sqlite3'}",
                                SMS_BACKEND="outbox"))
    with app.app_context(), app.test_request_context():
        from flask_migrate import upgrade

        upgrade()
        started = time.perf_counter()
        scan, scan_pages = scan_pdf(int(args.file_mb * MB), args.page_kb * 1024)
        files = max(1, round(args.megabytes * MB / len(scan)))
        unit = factories.unit("基准单位")
        point = factories.acceptance_point("基准受理点")
        big = application_with(unit, point, "王大", scan, files)
        small = application_with(unit, point, "李小", scan, max(1, files // 4))
        print(f"attachments: one PDF of {len(scan) / MB:.1f} MiB ({scan_pages} pages of "
              f"~{args.page_kb} KiB JPEG) stored {files} times = {files * len(scan) / MB:.0f} "
              f"MiB in one application, {max(1, files // 4)} times in another; set up in "
              f"{time.perf_counter() - started:.1f} s; load {os.getloadavg()[0]:.1f}")
        del scan
        # The font is read once per process, by the first document it prints: not counted.
        review_form_pdf(small)
        for application, count in ((small, max(1, files // 4)), (big, files)):
            def counted(application=application):
                handle, _size = bundle_file(application)
                with handle:
                    return len(PdfReader(handle).pages)

            total = in_child(counted)
            assert total >= count * scan_pages, (total, count, scan_pages)
            measure(f"zcps bundle_file, {count} attachments ({application.applicant.name})",
                    zcps_bundle(application, total))
        if not args.no_naive:
            for application, count in ((small, max(1, files // 4)), (big, files)):
                measure(f"pypdf PdfWriter.append + write, {count} attachments only",
                        pypdf_writer(application))
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
