"""rsge-python's `InvoiceClient.list_invoices` decoding a ListInvoices reply.

Usage: python rsge_list_invoices.py BODY_FILE [--runs N] [--closest-out FILE]

BODY_FILE is the reply our decode benchmark decodes (written by
`list_invoices_decode --write-body`). What is timed, per run, is the
library's own `list_invoices()` with only the network taken out: the
client's `requests.Session.post` returns a `requests.Response` holding the
bytes of BODY_FILE (HTTP 200, `application/json; charset=utf-8`). So each
call does what it does on a real reply: `Response.json()` (UTF-8 decode and
`json.loads`), the STATUS check, then `dict(zip(Fields, row))` and
`Invoice.from_dict` for every row. Interpreter start, imports, reading the
file and one untimed warm-up call are not timed; the garbage collector runs
as it would for a user.

rsge-python 1.1.0 cannot decode the documented row: `Invoice.from_dict`
calls `int()` on TRANS_COST_PAYER, which the service fills with Georgian
display text ("მყიდველი"). The script records the error, then measures the
closest reply it accepts: the same bytes with the two display texts replaced
by their codes (`"მყიდველი"` -> `1.0`, `"გამყიდველი"` -> `2.0`; no other
byte changes). That reply is written to --closest-out, so that our decoder
is timed on the same bytes.

Prints one line `taxsdk-bench {json}`.
"""

import sys

import requests

from benchlib import emit, fail, option, timings, versions

# Display texts of TRANS_COST_PAYER and the codes rsge-python can read.
SUBSTITUTIONS = [
    ('"მყიდველი"'.encode(), b'1.0'),
    ('"გამყიდველი"'.encode(), b'2.0'),
]


def client_for(body):
    """An InvoiceClient whose HTTP POST answers with `body`."""
    from rsge import InvoiceClient

    client = InvoiceClient(base_url='http://127.0.0.1:9', timeout=30)
    # list_invoices only checks that a token is set.
    client._access_token = 'benchmark'

    def post(url, json=None, timeout=None, **_):
        response = requests.models.Response()
        response.status_code = 200
        response.url = url
        response.headers['Content-Type'] = 'application/json; charset=utf-8'
        response.encoding = 'utf-8'
        response._content = body
        return response

    client._session.post = post
    return client


def decode(body):
    """Rows of `body` as rsge-python's Invoice objects."""
    return client_for(body).list_invoices()


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith('--'):
        fail('usage: rsge_list_invoices.py BODY_FILE [--runs N] [--closest-out FILE]')
    runs = option(args, '--runs', 3)
    closest_out = option(args, '--closest-out', None, str)
    with open(args[0], 'rb') as f:
        body = f.read()

    result = {
        'bench': 'rsge_list_invoices',
        'versions': versions('rsge-python', 'requests'),
        'substitutions': [],
    }
    try:
        rows = len(decode(body))
        result['documented'] = {'ok': True, 'rows': rows}
        measured, which = body, 'documented'
    except Exception as exc:  # what the library raises is the finding
        result['documented'] = {'ok': False, 'error': f'{type(exc).__name__}: {exc}'}
        measured, which = body, 'closest'
        for old, new in SUBSTITUTIONS:
            count = measured.count(old)
            measured = measured.replace(old, new)
            result['substitutions'].append(
                {'from': old.decode(), 'to': new.decode(), 'count': count})
        try:
            rows = len(decode(measured))
        except Exception as exc2:
            fail(f'rsge-python cannot decode the closest reply either: {type(exc2).__name__}: {exc2}')
        if closest_out:
            with open(closest_out, 'wb') as f:
                f.write(measured)

    client = client_for(measured)
    client.list_invoices()  # warm-up
    timing = timings(runs, client.list_invoices)
    result['measured'] = dict(
        body=which, rows=rows, input_bytes=len(measured), runs=runs, **timing)
    emit(result)


if __name__ == '__main__':
    main()
