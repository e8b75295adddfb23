"""rsge-python's InvoiceClient against the taxsdk eAPI sandbox.

Usage: python rsge_python_scenario.py SANDBOX_URL DOCUMENT_URL

Run by tests/tests/interop_rsge_python.rs with the Python of
target/interop-venv. SANDBOX_URL is a fresh eAPI sandbox; DOCUMENT_URL is a
loopback server answering /Users/Authenticate and /Invoice/ListInvoices with
the official document's own example replies.

Prints one JSON object {"rsge_python": version, "steps": {name: step}} where
a step is {"ok": true, "value": ...} or {"ok": false, "error": {"type",
"message", "code"}}; some steps also carry "raw": what the server really
answered to the same request (HTTP status and STATUS), to show what the
library reported instead. The script never stops at a failing step.
"""

import importlib.metadata
import json
import sys
import traceback

import requests
from rsge import InvoiceClient
from rsge.invoice.models import Invoice

SELLER_TIN = '206322102'
BUYER_TIN = '12345678910'


def error_of(exc: BaseException) -> dict:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f'{frames[-1].filename.rsplit("/", 1)[-1]}:{frames[-1].lineno}' if frames else ''
    return {
        'type': type(exc).__name__,
        'message': str(exc),
        'code': getattr(exc, 'code', None),
        'where': where,
    }


def step(steps: dict, name: str, action):
    """Run `action`; record {"ok", "value"} or {"ok": false, "error"}."""
    try:
        value = action()
    except Exception as exc:  # noqa: BLE001 - every failure is the result
        steps[name] = {'ok': False, 'error': error_of(exc)}
        return None
    steps[name] = {'ok': True, 'value': value}
    return value


def raw_reply(base_url: str, path: str, payload: dict, token: str = '') -> dict:
    """What the server answers to `payload`, read without rsge-python."""
    headers = {'Authorization': f'bearer {token}'} if token else {}
    response = requests.post(f'{base_url}{path}', json=payload, headers=headers, timeout=30)
    try:
        status = response.json().get('STATUS', {})
    except ValueError:
        status = {}
    return {'http_status': response.status_code, 'status_id': status.get('ID'),
            'status_text': status.get('TEXT')}


def new_invoice(vat_amount) -> Invoice:
    inv = Invoice(
        inv_category=1,              # goods / services
        inv_type=3,                  # without transport
        operation_date='10-04-2019 10:00:00',
        tin_seller=SELLER_TIN,
        tin_buyer=BUYER_TIN,
    )
    line = inv.add_goods('მაცივარი', quantity=2, unit_price=900, unit_id=1, unit_txt='ცალი')
    if vat_amount is not None:
        line.vat_amount = vat_amount
    return inv


def invoice_view(inv: Invoice) -> dict:
    return {
        'id': inv.id,
        'inv_category': inv.inv_category,
        'inv_type': inv.inv_type,
        'tin_seller': inv.tin_seller,
        'tin_buyer': inv.tin_buyer,
        'seller_action': inv.seller_action,
        'buyer_action': inv.buyer_action,
        'amount_full': inv.amount_full,
        'amount_vat': inv.amount_vat,
        'operation_date': inv.operation_date,
        'goods': [
            {'goods_name': g.goods_name, 'unit_id': g.unit_id, 'quantity': g.quantity,
             'unit_price': g.unit_price, 'amount': g.amount, 'vat_amount': g.vat_amount,
             'vat_type': g.vat_type}
            for g in inv.invoice_goods
        ],
    }


def main() -> int:
    base_url, document_url = sys.argv[1], sys.argv[2]
    steps: dict = {}
    client = InvoiceClient(base_url=base_url, timeout=30)

    # Wrong password: the service answers HTTP 401 with STATUS -100.
    step(steps, 'authenticate_wrong_password',
         lambda: InvoiceClient(base_url=base_url).authenticate('tbilisi', 'wrong').status_id)
    steps['authenticate_wrong_password']['raw'] = raw_reply(
        base_url, '/Users/Authenticate', {'USERNAME': 'tbilisi', 'PASSWORD': 'wrong'})

    auth = step(steps, 'authenticate', lambda: client.authenticate('tbilisi', '123456'))
    if auth is not None:
        steps['authenticate']['value'] = {
            'has_access_token': bool(auth.access_token), 'needs_pin': auth.needs_pin,
            'expires_in': auth.expires_in, 'masked_mobile': auth.masked_mobile,
            'status_id': auth.status_id}
    token = auth.access_token if auth is not None else ''

    def org_info():
        org = client.get_org_info(SELLER_TIN)
        return {'tin': org.tin, 'name': org.name, 'address': org.address,
                'is_vat_payer': org.is_vat_payer, 'is_diplomat': org.is_diplomat}
    step(steps, 'get_org_info', org_info)

    # Unknown TIN: the service answers HTTP 400 with STATUS -2.
    step(steps, 'get_org_info_unknown_tin', lambda: client.get_org_info('123456789').name)
    steps['get_org_info_unknown_tin']['raw'] = raw_reply(
        base_url, '/Org/GetOrgInfoByTin', {'Tin': '123456789'}, token)

    # As rsge-python builds it: VAT_AMOUNT is sent as 0 (the library treats
    # it as an output field, as the document marks it).
    as_built = new_invoice(vat_amount=None)
    step(steps, 'save_invoice_as_built', lambda: client.save_invoice(as_built))
    steps['save_invoice_as_built']['sent_vat_amount'] = as_built.to_dict()['INVOICE_GOODS'][0]['VAT_AMOUNT']
    if not steps['save_invoice_as_built']['ok']:
        steps['save_invoice_as_built']['raw'] = raw_reply(
            base_url, '/Invoice/SaveInvoice', {'INVOICE': as_built.to_dict()}, token)

    # With the line's VAT amount filled in (2 x 900, VAT 18% included).
    inv = new_invoice(vat_amount=274.58)
    txn = step(steps, 'save_invoice', lambda: client.save_invoice(inv))

    invoice_id = None
    if txn is not None:
        result = step(steps, 'get_transaction_result', lambda: client.get_transaction_result(txn))
        if result is not None:
            invoice_id = result.invoice_id
            steps['get_transaction_result']['value'] = {
                'transaction_id': txn, 'invoice_id': result.invoice_id, 'raw': result.raw_data}

    listed = step(steps, 'list_invoices', lambda: client.list_invoices(TYPE=10, MAXIMUM_ROWS=0))
    if listed is not None:
        steps['list_invoices']['value'] = [invoice_view(row) for row in listed]

    if invoice_id:
        got = step(steps, 'get_invoice', lambda: client.get_invoice(invoice_id=invoice_id))
        if got is not None:
            steps['get_invoice']['value'] = invoice_view(got)
        # GetInvoiceStatus is not an endpoint of the eAPI.
        step(steps, 'get_invoice_status', lambda: client.get_invoice_status(invoice_id))
        steps['get_invoice_status']['raw'] = raw_reply(
            base_url, '/Invoice/GetInvoiceStatus', {'INVOICE': {'ID': invoice_id}}, token)

    # The document's own ListInvoices reply (served by DOCUMENT_URL).
    doc_client = InvoiceClient(base_url=document_url, timeout=30)
    step(steps, 'document_authenticate',
         lambda: bool(doc_client.authenticate('tbilisi', '123456').access_token))
    doc_rows = step(steps, 'document_list_invoices', lambda: doc_client.list_invoices(TYPE=10))
    if doc_rows is not None:
        steps['document_list_invoices']['value'] = [invoice_view(row) for row in doc_rows]

    step(steps, 'sign_out', client.sign_out)
    client.close()
    doc_client.close()

    print(json.dumps({
        'rsge_python': importlib.metadata.version('rsge-python'),
        'steps': steps,
    }, ensure_ascii=False))
    return 0


if __name__ == '__main__':
    sys.exit(main())
