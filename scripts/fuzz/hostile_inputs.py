#!/usr/bin/env python3
"""Writes the large hand-crafted hostile inputs of the fuzz targets.

    python3 scripts/fuzz/hostile_inputs.py OUTDIR      # OUTDIR/<target>/<name>
    python3 scripts/fuzz/hostile_inputs.py --list      # target/name, size, what it attacks

Inputs over 16 KiB are not committed (Fuzz/Regressions/ keeps the small ones
and every fuzzer finding); they are made here, the same bytes on every run.
`swift test` (FuzzReplayTests) writes them to a temporary folder and replays
them through each target's property with the fuzz limits (10 s, 1 GiB), as it
replays Fuzz/Regressions/; scripts/fuzz/run.sh writes them to
.build-fuzz/seeds/hostile/ and seeds the targets with them.

Each input is one function below, registered with the target it is for, its
file name and one line saying what it attacks. Standard library only.
"""
import os
import sys

INPUTS = []  # (target, name, what it attacks, function returning bytes)


def hostile(target, name, attacks):
    def register(make):
        INPUTS.append((target, name, attacks, make))
        return make
    return register


# --- cms: detached .p7s signatures (DER or PEM) --------------------------

@hostile("cms", "indefinite-nesting.p7s",
         "20,000 indefinite-length SEQUENCEs (30 80) each closed by end-of-contents: recursion in the DER/BER decoder")
def cms_indefinite_nesting():
    return b"\x30\x80" * 20_000 + b"\x00\x00" * 20_000


def der_length(n):
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


@hostile("cms", "nested-sequences.p7s",
         "5,000 definite-length SEQUENCEs nested in one another, each length exact: recursion on well-formed DER")
def cms_nested_sequences():
    der = b"\x30\x00"
    for _ in range(5_000 - 1):
        der = b"\x30" + der_length(len(der)) + der
    return der


# --- config-toml: lienthong.toml -----------------------------------------

@hostile("config-toml", "diagnostics-everywhere.toml",
         "20,000 lines of a bare `=`, then refused headers, float, date-time and a repeated table: 20,000+ diagnostics")
def toml_diagnostics_everywhere():
    return (b"=\n" * 20_000
            + b"[a.b]\n[[c]]\nx = 1.5\ny = 2018-07-01T08:00\n[gateway]\n[gateway]\n")


@hostile("config-toml", "huge-escapes.toml",
         "150,000 \\U/\\u/\\t escapes in one string (U+10FFFF, NUL), then bad escapes: escape decoding cost and validity")
def toml_huge_escapes():
    return (b'[rule]\ncitation = "' + b"\\U0010FFFF\\u0000\\t" * 50_000
            + b'"\nelectronic_only = ["\\UFFFFFFFF", "\\uD800", "\\u12", "\\U"]\n')


@hostile("config-toml", "key-1mib.toml",
         "a 1 MiB bare key, then an unterminated quoted key: key scanning and the diagnostic quoting the key")
def toml_key_1mib():
    return b"[gateway]\n" + b"k" * 1_048_576 + b' = 1\n"' + b"q" * 1_000 + b'" = \n'


@hostile("config-toml", "nested-arrays-100k.toml",
         "100,000 unclosed `[` on one line: the parser's stack (overflowed before nesting was bounded to 32)")
def toml_nested_arrays_100k():
    return b"[gateway]\noffice = " + b"[" * 100_000 + b"\n"


@hostile("config-toml", "nested-arrays-closed.toml",
         "20,000 `[` closed by 20,000 `]`: the nesting bound on a well-formed value")
def toml_nested_arrays_closed():
    return b"[gateway]\nunits = " + b"[" * 20_000 + b"]" * 20_000 + b"\n"


@hostile("config-toml", "nested-inline-tables.toml",
         "50,000 inline tables nested `{ a = { a = …`, closed: stack depth through inline tables")
def toml_nested_inline_tables():
    return b"[rule]\neffective" + b" = { a" * 50_000 + b" = 1" + b" }" * 50_000 + b"\n"


@hostile("config-toml", "nested-mixed-multiline.toml",
         "10,000 `[` `{ x = [` levels over 20,000 lines: nesting across newlines and recovery after it")
def toml_nested_mixed_multiline():
    return b"[intake]\nignore = " + b"[\n{ x = [\n" * 10_000 + b"\n"


# --- control-request: one line on the control socket ---------------------

@hostile("control-request", "escapes-and-surrogates",
         "12,000 JSON escapes in an id (surrogate pairs, NUL, newline) and lone surrogates: string decoding")
def control_escapes_and_surrogates():
    return (b'{"command":"hold","id":"' + b"\\ud800\\udc00\\u0000\\n" * 3_000
            + b'\\ud800","unit":"\\udfff"}')


@hostile("control-request", "nested-arrays-60k",
         "60,000 unclosed `[` as the command: JSON decoder recursion")
def control_nested_arrays_60k():
    return b'{"command":' + b"[" * 60_000 + b"}"


@hostile("control-request", "nested-objects-20k",
         "10,000 objects nested in the id, closed: JSON decoder recursion on a well-formed line")
def control_nested_objects_20k():
    return b'{"command":"status","id' + b'":{"a' * 10_000 + b'":1' + b"}" * 10_001


@hostile("control-request", "over-limit-line",
         "a 70,028-byte request, over maxRequestBytes (64 KiB): must be refused unread, not decoded")
def control_over_limit_line():
    return b'{"command":"status","id":"' + b"x" * 70_000 + b'"}'


# --- manifest: <key>.json -------------------------------------------------

@hostile("manifest", "many-recipients.json",
         "20,000 recipients (100 ids repeated), twice the 10,000 bound: the bound and duplicate handling")
def manifest_many_recipients():
    ids = ",".join('"000.00.%02d.H41"' % (i % 100) for i in range(20_000))
    return ('{"recipients":[' + ids + "]}").encode()


@hostile("manifest", "nested-arrays.json",
         "60,000 arrays nested as recipients, closed: JSON decoder recursion")
def manifest_nested_arrays():
    return b'{"recipients":' + b"[" * 60_000 + b"]" * 60_000 + b"}"


# --- pdf-objects: the object index and scanners ---------------------------

@hostile("pdf-objects", "nested-arrays.pdf",
         "an object of 100,000 unclosed `[`: recursion in the PDF object parser")
def pdf_nested_arrays():
    return b"%PDF-1.7\n1 0 obj\n" + b"[" * 100_000 + b"\nendobj\n"


@hostile("pdf-objects", "nested-dicts.pdf",
         "an object of 50,000 unclosed `<< /A`: recursion in the PDF dictionary parser")
def pdf_nested_dicts():
    return b"%PDF-1.7\n1 0 obj\n" + b"<< /A " * 50_000 + b"\nendobj\n"


# --- pdf-validate: a dropped PDF, validated end to end ---------------------

@hostile("pdf-validate", "contents-huge-hex.pdf",
         "a /Sig whose /Contents is 600,000 hex digits (300,000 bytes 0x30): hex decoding and CMS parsing of a huge blob")
def pdf_contents_huge_hex():
    return (b"%PDF-1.7\n1 0 obj << /Type /Sig /ByteRange [0 10 20 30] /Contents <"
            + b"30" * 300_000 + b"> >>\nendobj\n%%EOF\n")


@hostile("pdf-validate", "many-signatures.pdf",
         "2,999 /Sig objects, each with its own /ByteRange and a truncated CMS (30 80): per-signature work and report size")
def pdf_many_signatures():
    objects = b"".join(
        b"%d 0 obj << /Type /Sig /ByteRange [0 %d %d 1] /Contents <3080> >> endobj\n" % (n, n, n + 5)
        for n in range(1, 3_000))
    return b"%PDF-1.7\n" + objects + b"%%EOF\n"


@hostile("pdf-validate", "nested-arrays-byterange.pdf",
         "a /ByteRange of 50,000 unclosed `[`: recursion where the signature scanner reads the ByteRange")
def pdf_nested_arrays_byterange():
    return (b"%PDF-1.7\n1 0 obj << /Type /Sig /ByteRange " + b"[" * 50_000
            + b" /Contents <00> >>\nendobj\n%%EOF\n")


# --- pem: PEM detection and decoding --------------------------------------

@hostile("pem", "begin-repeated.pem",
         "20,000 `-----BEGIN ` back to back and no END line: each label ends at the next marker; rescans in the search")
def pem_begin_repeated():
    return b"-----BEGIN " * 20_000


@hostile("pem", "no-end-long-label.pem",
         "a 5,000-byte label (the bound is 64) and 80,000 bytes of base64 with no END line: an unterminated block")
def pem_no_end_long_label():
    return b"-----BEGIN " + b"L" * 5_000 + b"-----\n" + b"QUJD" * 20_000 + b"\n"


# --- units-csv: units.csv -------------------------------------------------

CSV_HEADER = b"id,name,level,parent,signer,active_from,active_to,successor\n"


@hostile("units-csv", "field-1mib.csv",
         "a 1 MiB unquoted name field: field scanning and a unit name far over any sane length")
def csv_field_1mib():
    return CSV_HEADER + b"000.00.00.H41," + b"A" * 1_048_576 + b",province,,,,,\n"


@hostile("units-csv", "many-columns.csv",
         "a record of 100,001 empty fields and one of 50,001 quoted empty fields: per-field cost and wrong-width records")
def csv_many_columns():
    return CSV_HEADER + b"," * 100_000 + b"\n" + b'"",' * 50_000 + b"\n"


@hostile("units-csv", "quoted-field-1mib-lines.csv",
         "one quoted field of 262,144 lines of escaped quotes: line tracking inside a 768 KiB quoted field")
def csv_quoted_field_1mib_lines():
    return (CSV_HEADER + b'000.00.00.H41,"' + b'""\n' * 262_144
            + b'",province,,,,,\n')


def main(argv):
    if argv[1:] == ["--list"]:
        for target, name, attacks, make in INPUTS:
            print("%s/%s\t%d\t%s" % (target, name, len(make()), attacks))
        return 0
    if len(argv) != 2 or argv[1].startswith("-"):
        print("usage: %s OUTDIR | --list" % argv[0], file=sys.stderr)
        return 2
    out = argv[1]
    for target, name, _, make in INPUTS:
        folder = os.path.join(out, target)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, name), "wb") as f:
            f.write(make())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
