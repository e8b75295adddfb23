"""zeep (a generic SOAP client that reads the WSDL) against the taxsdk
NtosService sandbox.

Usage: python zeep_ntos_scenario.py SERVICE_URL

Run by tests/tests/interop_zeep.rs with the Python of
target/interop-zeep-venv (zeep pinned to 4.3.3). SERVICE_URL is a fresh
sandbox's `http://127.0.0.1:PORT/ntosservice/ntosservice.asmx`; zeep loads
its WSDL from `SERVICE_URL?WSDL` and builds every call from it.

Steps: chek (right and wrong password, and chek over the WSDL's SOAP 1.2
port), get_un_id_from_tin, save_invoice (a new invoice), save_invoice_desc
(a line), change_invoice_status to 1 (send; then the same again, which the
status does not allow), get_invoice, and two DataTable operations:
get_seller_invoices (the invoices list) and get_invoice_desc (the lines).

What zeep 4.3.3 does with a DataTable result (a .NET `DataTable` written as
an inline `xs:schema` followed by a `diffgr:diffgram`): it compiles the
inline schema, which declares only the `NewDataSet` element, then looks up
the diffgram's root element in it; a DataTable's root is `DocumentElement`
(as on the real service and in the sandbox), so zeep raises
`zeep.exceptions.LookupError: No element 'DocumentElement' in namespace
None. Available elements are: NewDataSet`. The script records that error
(the `*_typed` steps) and reads the same operation as zeep users do instead:
`client.settings(raw_response=True)` hands back the HTTP reply untouched,
and lxml reads the raw elements: the schema's MainDataTable and columns
(name and xs: type), the diffgram's root, and each row as a dict of column
element name to text (the `*_raw` steps).

Prints one JSON object {"zeep": version, "steps": {name: step}} where a
step is {"ok": true, "value": ...} or {"ok": false, "error": {"type",
"message"}}. The script never stops at a failing step.
"""

import datetime
import decimal
import importlib.metadata
import json
import sys

from lxml import etree
from zeep import Client, Settings
from zeep.transports import Transport

SU = 'tbilisi:206322102'
SP = '123456'
BUYER_TIN = '12345678910'
UNSET = datetime.datetime(1, 1, 1)
TEMPURI = '{http://tempuri.org/}'
XS = '{http://www.w3.org/2001/XMLSchema}'
MSDATA = '{urn:schemas-microsoft-com:xml-msdata}'
DIFFGR = '{urn:schemas-microsoft-com:xml-diffgram-v1}'


def plain(value):
    """zeep's answers (objects, dicts, dates, decimals) as JSON values."""
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, '__values__'):
        return plain(dict(value.__values__))
    return value


def step(steps, name, action):
    """Run `action`; record {"ok", "value"} or {"ok": false, "error"}."""
    try:
        value = action()
    except Exception as exc:  # noqa: BLE001 - every failure is the result
        steps[name] = {'ok': False, 'error': {'type': type(exc).__name__, 'message': str(exc)}}
        return None
    steps[name] = {'ok': True, 'value': plain(value)}
    return value


def datatable(content, operation):
    """The raw DataTable of `operation`'s reply: schema and rows."""
    root = etree.fromstring(content)
    result = root.find(f'.//{TEMPURI}{operation}Result')
    if result is None:
        raise ValueError(f'no {operation}Result in the reply')
    schema = result.find(f'{XS}schema')
    data_set = schema.find(f'{XS}element')
    columns = [
        {'name': e.get('name'), 'type': e.get('type')}
        for e in schema.iter(f'{XS}element')
        if e.get('type') is not None
    ]
    diffgram = result.find(f'{DIFFGR}diffgram')
    document = diffgram[0] if len(diffgram) else None
    rows = [] if document is None else list(document)
    return {
        'data_set': data_set.get('name'),
        'main_table': data_set.get(f'{MSDATA}MainDataTable'),
        'columns': columns,
        'root': None if document is None else document.tag,
        'row_elements': sorted({row.tag for row in rows}),
        'rows': [{cell.tag: cell.text for cell in row} for row in rows],
    }


def raw(client, operation, **params):
    """Call `operation` without zeep's reply processing; the DataTable."""
    with client.settings(raw_response=True):
        response = getattr(client.service, operation)(**params)
    if response.status_code != 200:
        raise ValueError(f'HTTP {response.status_code}: {response.text[:200]}')
    return datatable(response.content, operation)


def main():
    service_url = sys.argv[1]
    steps = {}
    transport = Transport(timeout=30, operation_timeout=30)
    client = Client(f'{service_url}?WSDL', transport=transport, settings=Settings(strict=True))
    service = client.service

    def wsdl():
        ports = client.wsdl.services['NtosService'].ports
        soap11 = ports['NtosServiceSoap']
        return {
            'ports': sorted(ports),
            'operations': len(soap11.binding._operations),
            'address': soap11.binding_options['address'],
        }

    step(steps, 'wsdl', wsdl)
    ids = step(steps, 'chek', lambda: service.chek(su=SU, sp=SP, user_id=0))
    step(steps, 'chek_wrong_password', lambda: service.chek(su=SU, sp='wrong', user_id=0))
    soap12 = client.bind('NtosService', 'NtosServiceSoap12')
    step(steps, 'chek_soap12', lambda: soap12.chek(su=SU, sp=SP, user_id=0))
    user_id = ids['user_id'] if ids else 0

    buyer = step(steps, 'get_un_id_from_tin', lambda: service.get_un_id_from_tin(
        user_id=user_id, tin=BUYER_TIN, su=SU, sp=SP))
    seller = step(steps, 'get_un_id_from_user_id', lambda: service.get_un_id_from_user_id(
        user_id=user_id, su=SU, sp=SP))
    buyer_un_id = buyer['get_un_id_from_tinResult'] if buyer else 0

    saved = step(steps, 'save_invoice', lambda: service.save_invoice(
        user_id=user_id, invois_id=0, operation_date=datetime.datetime(2026, 1, 15),
        seller_un_id=seller or 0, buyer_un_id=buyer_un_id, overhead_no='', overhead_dt=UNSET,
        b_s_user_id=0, su=SU, sp=SP))
    invoice_id = saved['invois_id'] if saved else 0

    step(steps, 'save_invoice_desc', lambda: service.save_invoice_desc(
        user_id=user_id, id=0, su=SU, sp=SP, invois_id=invoice_id, goods='კარტოფილი',
        g_unit='კგ', g_number=decimal.Decimal('10'), full_amount=decimal.Decimal('118.00'),
        drg_amount=decimal.Decimal('18.00'), aqcizi_amount=decimal.Decimal('0'), akciz_id=0))
    step(steps, 'change_invoice_status', lambda: service.change_invoice_status(
        user_id=user_id, inv_id=invoice_id, status=1, su=SU, sp=SP))
    # Sent already: 1 -> 1 is not a transition.
    step(steps, 'change_invoice_status_again', lambda: service.change_invoice_status(
        user_id=user_id, inv_id=invoice_id, status=1, su=SU, sp=SP))
    step(steps, 'get_invoice', lambda: service.get_invoice(
        user_id=user_id, invois_id=invoice_id, su=SU, sp=SP))

    lists = dict(user_id=user_id, un_id=seller or 0, s_dt=UNSET, e_dt=UNSET, op_s_dt=UNSET,
                 op_e_dt=UNSET, invoice_no='', sa_ident_no='', desc='', doc_mos_nom='',
                 su=SU, sp=SP)
    lines = dict(user_id=user_id, invois_id=invoice_id, su=SU, sp=SP)
    step(steps, 'get_seller_invoices_typed', lambda: service.get_seller_invoices(**lists))
    step(steps, 'get_seller_invoices_raw', lambda: raw(client, 'get_seller_invoices', **lists))
    step(steps, 'get_invoice_desc_typed', lambda: service.get_invoice_desc(**lines))
    step(steps, 'get_invoice_desc_raw', lambda: raw(client, 'get_invoice_desc', **lines))

    print(json.dumps({'zeep': importlib.metadata.version('zeep'), 'steps': steps},
                     ensure_ascii=False))


if __name__ == '__main__':
    main()
