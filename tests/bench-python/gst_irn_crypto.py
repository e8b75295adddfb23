"""gst_irn's payload crypto (PyPI gst-e-invoicing) on an IRP e-invoice.

Usage: python gst_irn_crypto.py PAYLOAD_FILE [--iterations N] [--runs N]

PAYLOAD_FILE holds `{"sek": base64 key, "plaintext": invoice JSON,
"ciphertext": base64 | null}` (written by gst-irp's `crypto` benchmark with
`--write-payload`, so both sides work on the same bytes and key).

What is timed, per run, is N round trips of
`gst_irn.crypto.encrypt_with_aes(plaintext_bytes, sek)` followed by
`gst_irn.crypto.decrypt_with_aes(that, sek)`: the two functions
`gst_irn.Session.post` calls on every request payload and every reply's
`Data` (the key passed as base64, as the session keeps it; AES-256-ECB with
PKCS#7 from the `cryptography` package, base64, and UTF-8 decoding of the
reply). JSON encoding, HTTP and the login's RSA step are not included, as on
the Rust side. Checked once, untimed: the ciphertext is byte for byte the
one our benchmark wrote (ECB is deterministic) and decrypts to the payload.

Prints one line `taxsdk-bench {json}` with microseconds per round trip.
"""

import json
import sys

from benchlib import emit, fail, option, timings, versions


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith('--'):
        fail('usage: gst_irn_crypto.py PAYLOAD_FILE [--iterations N] [--runs N]')
    iterations = option(args, '--iterations', 2000)
    runs = option(args, '--runs', 9)
    if iterations < 1 or runs < 1:
        fail('--iterations and --runs must be positive')
    with open(args[0], encoding='utf-8') as f:
        payload = json.load(f)
    sek, text = payload['sek'], payload['plaintext']
    plaintext = text.encode('utf-8')

    from gst_irn import crypto

    data = crypto.encrypt_with_aes(plaintext, sek)
    expected = payload.get('ciphertext')
    if expected is not None and data != expected:
        fail('gst_irn and gst-irp produce different ciphertexts for the same payload and key')
    if crypto.decrypt_with_aes(data, sek) != text:
        fail('gst_irn does not decrypt its own ciphertext back to the payload')

    def round_trips():
        for _ in range(iterations):
            crypto.decrypt_with_aes(crypto.encrypt_with_aes(plaintext, sek), sek)

    round_trips()  # warm-up
    timing = timings(runs, round_trips)
    per_call = {key.replace('_ms', '_us'): value * 1e3 / iterations
                for key, value in timing.items()}
    emit({
        'bench': 'gst_irn_crypto',
        'versions': versions('gst-e-invoicing', 'cryptography'),
        'payload_bytes': len(plaintext),
        'iterations': iterations,
        'runs': runs,
        'ciphertext_checked': expected is not None,
        'measurements': [dict(
            id='gst_irn',
            label='gst_irn crypto.encrypt_with_aes + decrypt_with_aes',
            **per_call)],
    })


if __name__ == '__main__':
    main()
