"""gst_irn (PyPI `gst-e-invoicing`) against the taxsdk IRP sandbox.

Usage: python gst_irn_scenario.py --base-url URL --public-key PEM_FILE
       --gstin G --client-id ID --client-secret S --username U --password P
       --buyer GSTIN --doc-no NUMBER

Run by tests/tests/interop_gst_irn.rs with the Python of
target/interop-gst-irn-venv (gst-e-invoicing pinned to 0.9.0). URL is a
fresh sandbox's `http://127.0.0.1:PORT` (gst_irn appends `/eivital/...`
itself, so no trailing slash); gst_irn's Session takes the public key as
PEM text, read here from PEM_FILE.

Steps, all through gst_irn's Session: generate_token (token cached in a
temporary directory; cache_valid says whether gst_irn would re-use it, i.e.
whether the sandbox's TokenExpiry parses and lies ahead), a login with a
wrong password, get_gst_info(buyer) and gst_irn's to_buyer on its answer,
generate_e_invoice of an INV-01 invoice (the spec's example made
inter-state: seller G in Karnataka to the buyer in Maharashtra, IGST), the
SignedInvoice and SignedQRCode checked with PyJWT against the public key
and the QR code rendered by gst_irn.qr, get_e_invoice_by_irn, the IRN by
document details (session.get), the same invoice again (RequestError 2150
with InfoDtls DUPIRN), the cancellation (session.post), the e-invoice read
again (Status CNL) and the invoice once more after cancellation (2150).

Prints one JSON object {"gst_irn": version, "steps": {name: step}} where a
step is {"ok": true, "value": ...} or {"ok": false, "error": {"type",
"message", and for gst_irn's RequestError "codes" (ErrorDetails' codes),
"info" (InfoDtls) or "body" (a non-JSON reply)}}. The script never stops at
a failing step.
"""

import argparse
import importlib.metadata
import json
import logging
import tempfile
from pathlib import Path
from urllib.parse import quote

import jwt
from gst_irn import Session
from gst_irn.converters import to_buyer
from gst_irn.qr import get_qr_code_image_base64
from gst_irn.session import RequestError, _get_stored_token

EXAMPLE = Path(__file__).resolve().parents[2] / 'spec/gst-irp/examples/generate-irn.request.json'
DOC_DATE = '16/09/2022'


def error(exc):
    """An exception as JSON; gst_irn's RequestError(message, body) in full."""
    out = {'type': type(exc).__name__, 'message': str(exc.args[0]) if exc.args else str(exc)}
    if isinstance(exc, RequestError) and len(exc.args) > 1:
        body = exc.args[1]
        if isinstance(body, dict):
            out['codes'] = [e.get('ErrorCode') for e in body.get('ErrorDetails') or []]
            out['info'] = body.get('InfoDtls')
        else:
            out['body'] = body
    return out


def step(steps, name, action, show=lambda value: value):
    """Run `action`; record {"ok", "value": show(its value)} or {"ok": false,
    "error"}; return its value."""
    try:
        value = action()
        steps[name] = {'ok': True, 'value': show(value)}
        return value
    except Exception as exc:  # noqa: BLE001 - every failure is the result
        steps[name] = {'ok': False, 'error': error(exc)}
        return None


def invoice(seller, buyer, doc_no):
    """The spec's example, adapted as crates/sandbox/tests/gst_irp_client.rs
    does: seller in Karnataka (29), buyer and place of supply Maharashtra
    (27), so IGST instead of CGST + SGST, and no e-way bill."""
    document = json.loads(EXAMPLE.read_text())
    document['DocDtls']['No'] = doc_no
    document['SellerDtls'].update(Gstin=seller, Stcd='29', Pin=560001)
    document['BuyerDtls'].update(Gstin=buyer, Stcd='27', Pos='27', Pin=400001)
    document['ItemList'][0].update(IgstAmt=18000.0, CgstAmt=0, SgstAmt=0)
    document['ValDtls'].update(IgstVal=18000.0, CgstVal=0, SgstVal=0)
    del document['EwbDtls']
    return document


def registration(reply):
    """What a GenerateIrn / GetIrnDetails reply says, without the JWTs, and
    which of the documented keys it lacks (the IRP sends them as null)."""
    keep = ('Irn', 'AckNo', 'AckDt', 'Status', 'EwbNo', 'EwbDt', 'EwbValidTill', 'Remarks')
    out = {k: reply.get(k) for k in keep}
    out['absent'] = [k for k in keep if k not in reply]
    out['has_signed_invoice'] = bool(reply.get('SignedInvoice'))
    out['has_signed_qr_code'] = bool(reply.get('SignedQRCode'))
    return out


def verified(token, public_key):
    """A SignedInvoice / SignedQRCode checked by PyJWT: its claims, data decoded."""
    claims = jwt.decode(token, key=public_key, algorithms=['RS256'])
    header = jwt.get_unverified_header(token)
    return {'header': header, 'iss': claims.get('iss'), 'data': json.loads(claims['data'])}


def main():
    parser = argparse.ArgumentParser()
    for name in ('base-url', 'public-key', 'gstin', 'client-id', 'client-secret',
                 'username', 'password', 'buyer', 'doc-no'):
        parser.add_argument(f'--{name}', required=True)
    args = parser.parse_args()
    # gst_irn logs every RequestError at ERROR; the steps record them.
    logging.getLogger('gst_irn').setLevel(logging.CRITICAL)

    public_key = Path(args.public_key).read_text()
    settings = dict(gstin=args.gstin, client_id=args.client_id,
                    client_secret=args.client_secret, username=args.username,
                    public_key=public_key, base_url=args.base_url)
    session = Session(password=args.password, **settings)
    base = args.base_url
    steps = {}

    with tempfile.TemporaryDirectory() as cache_dir:
        def login():
            session.generate_token(cache_dir=cache_dir)
            cached = json.loads(next(Path(cache_dir).glob('*.json')).read_text())
            return {'has_token': bool(session._auth_token),
                    'token_expiry': cached['expiry_time'],
                    'cache_valid': _get_stored_token(cache_dir, session) is not None}
        step(steps, 'generate_token', login)

        wrong = Session(password=args.password + '-wrong', **settings)
        step(steps, 'generate_token_wrong_password',
             lambda: wrong.generate_token(cache_dir=cache_dir))

    gst_info = step(steps, 'get_gst_info', lambda: session.get_gst_info(args.buyer))
    step(steps, 'to_buyer', lambda: to_buyer(gst_info, '27'))

    document = invoice(args.gstin, args.buyer, args.doc_no)
    generated = step(steps, 'generate_e_invoice',
                     lambda: session.generate_e_invoice(document), registration) or {}
    irn = generated.get('Irn')
    step(steps, 'signed_invoice', lambda: verified(generated['SignedInvoice'], public_key))
    step(steps, 'signed_qr_code', lambda: verified(generated['SignedQRCode'], public_key))
    step(steps, 'qr_code_image', lambda: get_qr_code_image_base64(generated['SignedQRCode'])[:22])

    step(steps, 'get_e_invoice_by_irn', lambda: session.get_e_invoice_by_irn(irn), registration)
    by_doc = (f'{base}/eicore/v1.03/Invoice/irnbydocdetails?doctype=INV'
              f'&docnum={quote(args.doc_no, safe="")}&docdate={DOC_DATE}')
    step(steps, 'get_irn_by_doc_details', lambda: session.get(by_doc), registration)
    step(steps, 'generate_e_invoice_again', lambda: session.generate_e_invoice(document),
         registration)

    cancel = {'Irn': irn, 'CnlRsn': '1', 'CnlRem': 'Wrong entry'}
    step(steps, 'cancel', lambda: session.post(f'{base}/eicore/v1.03/Invoice/Cancel', cancel))
    step(steps, 'get_e_invoice_after_cancel', lambda: session.get_e_invoice_by_irn(irn),
         registration)
    step(steps, 'generate_e_invoice_after_cancel', lambda: session.generate_e_invoice(document),
         registration)

    print(json.dumps({'gst_irn': importlib.metadata.version('gst-e-invoicing'),
                      'steps': steps}, ensure_ascii=False))


if __name__ == '__main__':
    main()
