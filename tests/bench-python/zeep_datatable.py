"""zeep (and plain lxml) on a SOAP DataTable reply: NtosService `get_seller_invoices`.

Usage: python zeep_datatable.py BODY_FILE [--runs N] [--wsdl FILE] [--closest-out FILE]

BODY_FILE is the reply our DataTable benchmark decodes (written by
`datatable_decode --write-body`): a SOAP 1.1 envelope whose
`get_seller_invoicesResult` holds a .NET DataTable as .NET writes it, an
inline `xs:schema` declaring a `NewDataSet` of `invoices` rows and a
`diffgr:diffgram` holding the rows in a `DocumentElement`.

Two Python decoders are timed, each per run on the whole reply (loading the
WSDL, imports and one untimed warm-up are not timed):

- `zeep`: zeep's own reply processing for the operation, from the service's
  WSDL (`ntos_get_seller_invoices.wsdl`, an excerpt):
  `Soap11Binding.process_reply` with a `requests.Response` holding the bytes
  (HTTP 200, text/xml). lxml parses the envelope, zeep checks for a Fault,
  maps the body onto `get_seller_invoicesResponse`, compiles the inline
  schema and deserialises the diffgram's content with it: every row becomes
  a zeep object whose cells are typed by the schema (`Decimal`, `datetime`,
  str). That is zeep's DataTable handling; the timed call ends with the list
  of row objects.

  zeep 4.3.3 cannot process the reply as .NET writes it: it looks the
  diffgram's `DocumentElement` up in the inline schema, which only declares
  `NewDataSet`, and raises `LookupError`. The script records that error and
  times zeep on the closest reply it accepts: the same bytes with the
  `DocumentElement` tags renamed `NewDataSet` (what .NET writes for a
  DataSet; two tags changed, nothing else). That reply is written to
  --closest-out, so that our decoder is timed on the same bytes.

- `lxml`: what a zeep user does instead (`client.settings(raw_response=True)`
  hands back the HTTP body untouched): `lxml.etree.fromstring` on the
  documented bytes, column names and `xs:` types from the inline schema, and
  one dict per row of the diffgram, every schema column converted like our
  typed rows are: `xs:decimal` -> `decimal.Decimal`, `xs:int`/`long`/`short`
  -> `int`, `xs:dateTime` -> `datetime.fromisoformat`, `xs:boolean` -> bool,
  `xs:double` -> float, other types str; absent or empty -> None.

Prints one line `taxsdk-bench {json}`.
"""

import datetime
import decimal
import os
import sys

import requests
from lxml import etree

from benchlib import emit, fail, option, timings, versions

XS = '{http://www.w3.org/2001/XMLSchema}'
DIFFGRAM_NS = 'urn:schemas-microsoft-com:xml-diffgram-v1'
OPERATION = 'get_seller_invoices'
# DocumentElement (a DataTable) -> NewDataSet (a DataSet): what zeep accepts.
SUBSTITUTIONS = [
    (b'<DocumentElement xmlns="">', b'<NewDataSet xmlns="">'),
    (b'</DocumentElement>', b'</NewDataSet>'),
]


def response_of(body):
    response = requests.models.Response()
    response.status_code = 200
    response.headers['Content-Type'] = 'text/xml; charset=utf-8'
    response.encoding = 'utf-8'
    response._content = body
    return response


def zeep_rows(client, operation, body):
    """zeep's processing of the reply; the rows as zeep objects."""
    result = client.service._binding.process_reply(client, operation, response_of(body))
    rows = []
    for part in result['_value_1'] or []:
        # The compiled inline schema, then the diffgram's data set object.
        values = getattr(part, '__values__', None)
        if values is None:
            continue
        for item in values.get('_value_1') or []:
            rows.extend(item.values())
    return rows


def local(tag):
    return tag.rsplit('}', 1)[-1]


CONVERT = {
    'decimal': decimal.Decimal,
    'int': int, 'long': int, 'short': int, 'byte': int, 'integer': int,
    'unsignedByte': int, 'unsignedInt': int,
    'dateTime': datetime.datetime.fromisoformat,
    'boolean': lambda text: text in ('true', '1'),
    'double': float, 'float': float,
}


def lxml_rows(body):
    """The documented reply walked with lxml; one typed dict per row."""
    root = etree.fromstring(body)
    schema = next(root.iter(XS + 'schema'))
    sequence = next(schema.iter(XS + 'sequence'))
    columns = [(e.get('name'), CONVERT.get(e.get('type', 'xs:string').split(':')[-1], str))
               for e in sequence if e.tag == XS + 'element']
    diffgram = next(root.iter('{%s}diffgram' % DIFFGRAM_NS))
    rows = []
    for container in diffgram:
        if container.tag.startswith('{' + DIFFGRAM_NS + '}'):
            continue  # diffgr:before / diffgr:errors
        for row in container:
            cells = {local(cell.tag): cell.text for cell in row}
            rows.append({name: (convert(text) if text else None)
                         for name, convert in columns
                         for text in (cells.get(name),)})
    return rows


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith('--'):
        fail('usage: zeep_datatable.py BODY_FILE [--runs N] [--wsdl FILE] [--closest-out FILE]')
    runs = option(args, '--runs', 9)
    here = os.path.dirname(os.path.abspath(__file__))
    wsdl = option(args, '--wsdl', os.path.join(here, 'ntos_get_seller_invoices.wsdl'), str)
    closest_out = option(args, '--closest-out', None, str)
    with open(args[0], 'rb') as f:
        body = f.read()

    import zeep

    client = zeep.Client(wsdl)
    operation = client.service._binding.get(OPERATION)
    result = {
        'bench': 'zeep_datatable',
        'versions': versions('zeep', 'lxml'),
        'input_bytes': len(body),
        'runs': runs,
        'substitutions': [],
    }
    zeep_body, which = body, 'documented'
    try:
        rows = len(zeep_rows(client, operation, body))
        result['documented'] = {'ok': True, 'rows': rows}
    except Exception as exc:  # what zeep raises is the finding
        result['documented'] = {'ok': False, 'error': f'{type(exc).__name__}: {exc}'}
        which = 'closest'
        for old, new in SUBSTITUTIONS:
            result['substitutions'].append(
                {'from': old.decode(), 'to': new.decode(), 'count': zeep_body.count(old)})
            zeep_body = zeep_body.replace(old, new)
        try:
            rows = len(zeep_rows(client, operation, zeep_body))
        except Exception as exc2:
            fail(f'zeep cannot process the closest reply either: {type(exc2).__name__}: {exc2}')
        if closest_out:
            with open(closest_out, 'wb') as f:
                f.write(zeep_body)
    lxml_count = len(lxml_rows(body))
    if lxml_count != rows:
        fail(f'zeep found {rows} rows, lxml {lxml_count}')

    result['rows'] = rows
    result['measurements'] = [
        dict(id='zeep', body=which,
             label='zeep Soap11Binding.process_reply (inline schema, typed row objects)',
             **timings(runs, lambda: zeep_rows(client, operation, zeep_body))),
        dict(id='lxml', body='documented',
             label='lxml walk of the diffgram, cells converted by schema type',
             **timings(runs, lambda: lxml_rows(body))),
    ]
    emit(result)


if __name__ == '__main__':
    main()
