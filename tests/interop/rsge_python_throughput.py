"""Time SaveInvoice + GetTransactionResult pairs through rsge-python.

Usage: python rsge_python_throughput.py BASE_URL PAIRS PREFIX_HEX [WARMUP]

Run by tests/src/throughput.rs (the eapi_throughput benchmark) with the
Python of target/interop-venv. Logs in as the document's one-step test
account, does WARMUP untimed pairs, then times PAIRS sequential pairs with
time.perf_counter (interpreter start, imports and login are not timed) and
prints one JSON object: {"pairs": n, "seconds": s, "first_id": .., "last_id": ..}.

The invoice is the benchmark's (2 x 900, VAT 18% included, no transport).
rsge-python sends every INVOICE field it knows (about 40, defaults
included), and VAT_AMOUNT 0 unless set: it treats VAT_AMOUNT as an output,
and the sandbox rejects 0 (-2), so the line's VAT amount is set here.
"""

import json
import sys
import time
import uuid

from rsge import InvoiceClient
from rsge.invoice.models import Invoice

SELLER_TIN = '206322102'
BUYER_TIN = '12345678910'


def invoice() -> Invoice:
    inv = Invoice(
        inv_category=1,
        inv_type=3,
        operation_date='10-04-2019 10:00:00',
        tin_seller=SELLER_TIN,
        tin_buyer=BUYER_TIN,
    )
    line = inv.add_goods('მაცივარი', quantity=2, unit_price=900, unit_id=1, unit_txt='ცალი')
    line.vat_amount = 274.58
    return inv


def pair(client: InvoiceClient, inv: Invoice, transaction_id: str) -> int:
    txn = client.save_invoice(inv, transaction_id=transaction_id)
    result = client.get_transaction_result(txn)
    if result.invoice_id <= 0:
        raise RuntimeError(f'{txn}: no invoice id in {result.raw_data!r}')
    return result.invoice_id


def main() -> int:
    base_url, pairs, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    warmup = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    with InvoiceClient(base_url=base_url, timeout=30) as client:
        auth = client.authenticate('tbilisi', '123456')
        if not auth.access_token:
            raise RuntimeError(f'login failed: {auth!r}')
        inv = invoice()
        for _ in range(warmup):
            pair(client, inv, str(uuid.uuid4()))
        ids = []
        start = time.perf_counter()
        for index in range(pairs):
            ids.append(pair(client, inv, f'{prefix}-0000-4000-8000-{index:012x}'))
        seconds = time.perf_counter() - start
    print(json.dumps({
        'pairs': len(ids),
        'seconds': seconds,
        'first_id': ids[0] if ids else None,
        'last_id': ids[-1] if ids else None,
    }))
    return 0


if __name__ == '__main__':
    sys.exit(main())
