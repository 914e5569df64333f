#!/usr/bin/env python3
"""Benchmark fixtures, all signed by the DEMO-ONLY signer, made in one process
(signing one document takes about a millisecond; one python start per file
would dominate). Every document has its own number, so its own sha256: the
gateway rejects the same bytes twice from one unit as `duplicate`.

    gen_fixtures.py TRUSTDIR OUTDIR KIND COUNT [START]

KIND:
  report   N-BC-BENCH.pdf                       signed PDF report (electronic-only type)
  pair     N-UBND-BENCH.pdf + N-UBND-BENCH_scan.pdf   signed công văn + its paper scan
  p7s      N-BC-BENCH.docx + N-BC-BENCH.docx.p7s      detached CMS report
  scan     N-UBND-SCAN_scan.pdf                 unsigned scan alone (waits for its twin)
  invite   25-GM-UBND.pdf + 25-GM-UBND.json     signed giấy mời for fan-out to all communes
"""

import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(here), "fixtures"))

from ltfixtures import pdf, pki  # noqa: E402
from make_sample import load_demo_signer, write  # noqa: E402
from make_sample import signed_pdf as sign_lines  # noqa: E402


def main(argv):
    if len(argv) not in (4, 5):
        sys.stderr.write(__doc__)
        return 2
    trust, out, kind, count = argv[:4]
    start = int(argv[4]) if len(argv) == 5 else 1
    signer = load_demo_signer(trust)
    os.makedirs(out, exist_ok=True)
    when = pki.now()

    def signed_pdf(lines):
        return sign_lines(signer, lines, when)

    for n in range(start, start + int(count)):
        if kind == "report":
            write(os.path.join(out, "%d-BC-BENCH.pdf" % n),
                  signed_pdf(["DEMO-ONLY bao cao so %d/BC-BENCH" % n, when.isoformat()]))
        elif kind == "pair":
            key = "%d-UBND-BENCH" % n
            write(os.path.join(out, key + ".pdf"), signed_pdf(["DEMO-ONLY cong van so %d/UBND-BENCH" % n]))
            write(os.path.join(out, key + "_scan.pdf"), pdf.scan_pdf(["DEMO-ONLY ban giay so %d/UBND-BENCH" % n]))
        elif kind == "p7s":
            key = "%d-BC-BENCH" % n
            docx = b"PK\x03\x04" + ("DEMO-ONLY .docx stand-in, bao cao so %d/BC-BENCH\n%s\n" % (n, when.isoformat())).encode()
            write(os.path.join(out, key + ".docx"), docx)
            write(os.path.join(out, key + ".docx.p7s"), pki.cms_sign(signer, docx, signing_time=when))
        elif kind == "scan":
            write(os.path.join(out, "%d-UBND-SCAN_scan.pdf" % n), pdf.scan_pdf(["DEMO-ONLY ban giay so %d/UBND-SCAN" % n]))
        elif kind == "invite":
            key = "%d-GM-UBND" % n
            write(os.path.join(out, key + ".pdf"), signed_pdf(["DEMO-ONLY giay moi so %d/GM-UBND" % n]))
            write(os.path.join(out, key + ".json"), json.dumps(
                {"number": "%d/GM-UBND" % n, "type": "GM", "subject": "mời họp", "recipients": ["communes"]},
                ensure_ascii=False).encode())
        else:
            sys.stderr.write("unknown kind %s\n" % kind)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
