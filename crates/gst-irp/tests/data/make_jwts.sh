#!/bin/sh
# Regenerates the signed JWT fixtures with the checked-in test key (run once;
# the tests compare against the files, so openssl is not needed to test).
# Shape as the IRP issues them: header {alg, kid, typ, x5t} with the
# certificate's SHA-1 thumbprint, payload {"data": "<JSON text>", "iss": "NIC"}.
set -eu
cd "$(dirname "$0")"
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
thumb_hex=$(openssl x509 -in irp_test_cert.pem -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
x5t=$(printf '%s' "$thumb_hex" | xxd -r -p | b64url)
header=$(printf '{"alg":"RS256","kid":"%s","typ":"JWT","x5t":"%s"}' "$thumb_hex" "$x5t" | b64url)
sign() { # $1 = data JSON text, $2 = output file
  data_json=$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')
  payload=$(printf '{"data":"%s","iss":"NIC"}' "$data_json" | b64url)
  sig=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign irp_test_key.pem | b64url)
  printf '%s.%s.%s' "$header" "$payload" "$sig" > "$2"
}
sign '{"SellerGstin":"01AMBPG7773M002","BuyerGstin":"36AMBPG7773M002","DocNo":"SINV-CFY-00067","DocTyp":"INV","DocDt":"16/09/2022","TotInvVal":118000.5,"ItemCnt":1,"MainHsnCode":"61149090","Irn":"706daeccda0ef6f818da78f3a2a05a1288731057373002289b46c3229289a2e7","IrnDt":"2022-09-16 19:29:00"}' signed_qr_code.jwt
sign '{"AckNo":232210036743849,"AckDt":"2022-09-16 19:29:00","Irn":"706daeccda0ef6f818da78f3a2a05a1288731057373002289b46c3229289a2e7","Version":"1.1","TranDtls":{"TaxSch":"GST","SupTyp":"B2B","RegRev":"N"},"DocDtls":{"Typ":"INV","No":"SINV-CFY-00067","Dt":"16/09/2022"},"SellerDtls":{"Gstin":"01AMBPG7773M002","LglNm":"_Test Indian Registered Company","Addr1":"Test Address - 1","Loc":"Test City","Pin":171302,"Stcd":"02"},"BuyerDtls":{"Gstin":"36AMBPG7773M002","LglNm":"_Test Registered Customer","Pos":"02","Addr1":"Test Address - 3","Loc":"Test City","Pin":500055,"Stcd":"36"},"ItemList":[{"ItemNo":0,"SlNo":"1","PrdDesc":"Test Trading Goods 1","IsServc":"N","HsnCd":"61149090","Qty":1000.0,"Unit":"NOS","UnitPrice":100.0,"TotAmt":100000.0,"Discount":0,"AssAmt":100000.0,"GstRt":18,"IgstAmt":0,"CgstAmt":9000.0,"SgstAmt":9000.0,"CesRt":0,"CesAmt":0,"CesNonAdvlAmt":0,"TotItemVal":118000.0}],"ValDtls":{"AssVal":100000.0,"CgstVal":9000.0,"SgstVal":9000.0,"IgstVal":0,"CesVal":0,"Discount":0,"OthChrg":0.0,"RndOffAmt":0.0,"TotInvVal":118000.0}}' signed_invoice.jwt
