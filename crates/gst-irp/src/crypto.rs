//! The IRP's cryptography, client and server side, on RustCrypto crates.
//!
//! - [`AppKey`]: the 32 random bytes a client makes per login; it travels
//!   RSA-encrypted inside the login payload and decrypts the session key.
//! - [`Sek`]: the session encryption key the IRP returns (AES-256-ECB with
//!   PKCS#7 padding under the AppKey); it encrypts every later payload.
//! - [`IrpPublicKey`]: the IRP's RSA public key (PEM or DER; SPKI, PKCS#1
//!   or an X.509 certificate), for the login payload (RSA PKCS#1 v1.5) and
//!   for verifying RS256 signatures on the signed invoice and QR code.
//! - [`IrpPrivateKey`]: the server side (the sandbox): decrypt login
//!   payloads and sign JWTs.
//!
//! Keys are kept in types whose `Debug` is redacted and whose memory is
//! zeroed on drop. AES-256-ECB without authentication is what the IRP
//! defines; it is implemented here only because the protocol requires it.

use std::fmt;
use std::path::Path;

use aes::Aes256;
use ecb::cipher::block_padding::Pkcs7;
use ecb::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyInit};
use rand::Rng as _;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use rsa::traits::PublicKeyParts;
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// Length in bytes of the AppKey and of the SEK (AES-256).
pub const KEY_LEN: usize = 32;

/// Bytes PKCS#1 v1.5 encryption padding takes from the modulus size.
const PKCS1_V15_OVERHEAD: usize = 11;

/// What went wrong in a cryptographic step. Messages name the value that
/// failed (never its secret content) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// A value that must be base64 is not.
    #[error("{what} is not valid base64: {message}")]
    Base64 {
        /// The value, e.g. `Sek` or `Data`.
        what: &'static str,
        /// The decoder's complaint.
        message: String,
    },
    /// A key has the wrong length.
    #[error("{what} must be {expected} bytes, got {actual}")]
    KeyLength {
        /// The key, e.g. `AppKey`.
        what: &'static str,
        /// Required length in bytes.
        expected: usize,
        /// Length found.
        actual: usize,
    },
    /// AES-256-ECB decryption failed: the key is not the one the text was
    /// encrypted with, or the text is damaged.
    #[error("cannot decrypt {what} (AES-256-ECB): {reason}")]
    Decrypt {
        /// The value, e.g. `Sek` or `Data`.
        what: &'static str,
        /// Why, e.g. the length or the padding.
        reason: String,
    },
    /// An RSA key could not be read.
    #[error("cannot read the RSA {kind} key from {origin}: {message}")]
    Key {
        /// `public` or `private`.
        kind: &'static str,
        /// Where it came from: a file path, `PEM text` or `DER bytes`.
        origin: String,
        /// What was wrong.
        message: String,
    },
    /// The RSA plaintext is longer than the key can encrypt in one block.
    #[error(
        "{what} is {len} bytes but a {bits}-bit RSA key encrypts at most {max} bytes with PKCS#1 v1.5"
    )]
    PlaintextTooLong {
        /// The value, e.g. `login payload`.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The most the key takes.
        max: usize,
        /// The key size in bits.
        bits: usize,
    },
    /// An RSA operation failed.
    #[error("RSA {operation} failed: {message}")]
    Rsa {
        /// `encryption`, `decryption`, `signing`, `key generation`.
        operation: &'static str,
        /// The library's message.
        message: String,
    },
    /// An RS256 signature does not match the message and key.
    #[error("the RS256 signature does not verify with the given public key")]
    BadSignature,
}

// Base64 goes through `base64-simd` (its AVX2/SSE4.1 code is picked at run
// time): a payload's `Data` is tens of kilobytes, and base64 was more than
// half of an encrypted round trip with a scalar engine (BENCHMARKS.md, 6).

/// Decode standard base64 (with padding), tolerating surrounding whitespace.
pub(crate) fn decode_base64(what: &'static str, text: &str) -> Result<Vec<u8>, CryptoError> {
    let text = text.trim();
    base64_simd::STANDARD
        .decode_to_vec(text)
        .map_err(|_| CryptoError::Base64 {
            what,
            message: base64_problem(text.as_bytes(), base64_simd::STANDARD.charset(), true),
        })
}

/// Standard base64 with padding, as the IRP writes it.
pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    base64_simd::STANDARD.encode_to_string(bytes)
}

/// Base64url without padding (JWT parts).
pub(crate) fn encode_base64url(bytes: impl AsRef<[u8]>) -> String {
    base64_simd::URL_SAFE_NO_PAD.encode_to_string(bytes)
}

/// Decode base64url, with or without padding (JWT parts); the error says
/// what is wrong with `text`.
pub(crate) fn decode_base64url(text: &str) -> Result<Vec<u8>, String> {
    let padded = text.ends_with('=');
    let engine = if padded {
        base64_simd::URL_SAFE
    } else {
        base64_simd::URL_SAFE_NO_PAD
    };
    engine
        .decode_to_vec(text)
        .map_err(|_| base64_problem(text.as_bytes(), engine.charset(), padded))
}

/// What is wrong with base64 `text` that the decoder refused (the SIMD
/// decoder only says that it is wrong): the first byte outside `charset`,
/// misplaced padding, a length no encoding has, or stray bits in the last
/// character.
fn base64_problem(text: &[u8], charset: &[u8; 64], padded: bool) -> String {
    let data_len = text.len() - text.iter().rev().take_while(|&&b| b == b'=').count();
    if let Some(at) = text.iter().position(|&b| b == b'=')
        && (at < data_len || !padded || text.len() - at > 2)
    {
        return format!("misplaced padding `=` at offset {at}");
    }
    if let Some(at) = text[..data_len].iter().position(|b| !charset.contains(b)) {
        let byte = text[at];
        return if byte.is_ascii_graphic() {
            format!("invalid character `{}` at offset {at}", byte as char)
        } else {
            format!("invalid byte 0x{byte:02x} at offset {at}")
        };
    }
    if padded && !text.len().is_multiple_of(4) {
        return format!("length {} is not a multiple of 4", text.len());
    }
    if data_len % 4 == 1 {
        return format!("length {data_len} leaves a lone last character");
    }
    "the last character has bits set beyond the data (not canonical base64)".into()
}

/// AES-256-ECB with PKCS#7 padding.
pub fn aes256_ecb_encrypt(key: &[u8; KEY_LEN], plaintext: &[u8]) -> Vec<u8> {
    ecb::Encryptor::<Aes256>::new(key.into()).encrypt_padded_vec::<Pkcs7>(plaintext)
}

/// AES-256-ECB with PKCS#7 padding, the inverse of [`aes256_ecb_encrypt`];
/// `what` names the value in the error.
pub fn aes256_ecb_decrypt(
    what: &'static str,
    key: &[u8; KEY_LEN],
    ciphertext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    aes256_ecb_decrypt_owned(what, key, ciphertext.to_vec())
}

/// [`aes256_ecb_decrypt`] in the buffer that holds the ciphertext (a
/// payload just decoded from base64 needs no second copy).
fn aes256_ecb_decrypt_owned(
    what: &'static str,
    key: &[u8; KEY_LEN],
    mut buffer: Vec<u8>,
) -> Result<Vec<u8>, CryptoError> {
    if buffer.is_empty() || !buffer.len().is_multiple_of(16) {
        return Err(CryptoError::Decrypt {
            what,
            reason: format!(
                "{} bytes is not a whole number of 16-byte blocks",
                buffer.len()
            ),
        });
    }
    let plain_len = ecb::Decryptor::<Aes256>::new(key.into())
        .decrypt_padded::<Pkcs7>(&mut buffer)
        .map_err(|_| CryptoError::Decrypt {
            what,
            reason: "bad PKCS#7 padding (wrong key or damaged text)".into(),
        })?
        .len();
    buffer.truncate(plain_len);
    Ok(buffer)
}

/// A 32-byte AES key held as a secret; shared by [`AppKey`] and [`Sek`].
struct Key32(SecretBox<[u8; KEY_LEN]>);

impl Key32 {
    fn generate() -> Self {
        let mut bytes = Box::new([0u8; KEY_LEN]);
        rand::rng().fill_bytes(bytes.as_mut_slice());
        Key32(SecretBox::new(bytes))
    }

    fn from_slice(what: &'static str, bytes: &[u8]) -> Result<Self, CryptoError> {
        if bytes.len() != KEY_LEN {
            return Err(CryptoError::KeyLength {
                what,
                expected: KEY_LEN,
                actual: bytes.len(),
            });
        }
        let mut key = Box::new([0u8; KEY_LEN]);
        key.copy_from_slice(bytes);
        Ok(Key32(SecretBox::new(key)))
    }

    fn from_base64(what: &'static str, text: &str) -> Result<Self, CryptoError> {
        let bytes = Zeroizing::new(decode_base64(what, text)?);
        Self::from_slice(what, &bytes)
    }

    fn bytes(&self) -> &[u8; KEY_LEN] {
        self.0.expose_secret()
    }

    fn to_base64(&self) -> SecretString {
        SecretString::from(encode_base64(self.bytes()))
    }
}

impl Clone for Key32 {
    fn clone(&self) -> Self {
        Key32(SecretBox::new(Box::new(*self.bytes())))
    }
}

/// The AppKey of one login: 32 random bytes the client makes, sends
/// RSA-encrypted to the IRP, and uses to decrypt the [`Sek`] in the reply.
///
/// `Debug` is redacted; the bytes are zeroed on drop.
#[derive(Clone)]
pub struct AppKey(Key32);

impl AppKey {
    /// A fresh random AppKey (operating-system-seeded CSPRNG).
    pub fn generate() -> Self {
        AppKey(Key32::generate())
    }

    /// An AppKey from its 32 raw bytes (e.g. a test vector).
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        AppKey(Key32(SecretBox::new(Box::new(bytes))))
    }

    /// An AppKey from its base64 text (44 characters), as it travels in the
    /// login payload.
    pub fn from_base64(text: &str) -> Result<Self, CryptoError> {
        Key32::from_base64("AppKey", text).map(AppKey)
    }

    /// The base64 text (44 characters) that goes into the login payload.
    pub fn to_base64(&self) -> SecretString {
        self.0.to_base64()
    }

    /// The raw key bytes.
    pub fn expose_bytes(&self) -> &[u8; KEY_LEN] {
        self.0.bytes()
    }

    /// Decrypt the `Sek` of a login reply: base64 of AES-256-ECB/PKCS#7 of
    /// the raw 32-byte session key under this AppKey.
    pub fn decrypt_sek(&self, encrypted_sek: &str) -> Result<Sek, CryptoError> {
        let ciphertext = decode_base64("Sek", encrypted_sek)?;
        let plain = Zeroizing::new(aes256_ecb_decrypt("Sek", self.0.bytes(), &ciphertext)?);
        Key32::from_slice("Sek", &plain).map(Sek)
    }

    /// Server side: encrypt `sek` under this AppKey for the login reply's
    /// `Sek` field (64 base64 characters).
    pub fn encrypt_sek(&self, sek: &Sek) -> String {
        encode_base64(&aes256_ecb_encrypt(self.0.bytes(), sek.expose_bytes()))
    }
}

impl fmt::Debug for AppKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AppKey(<redacted>)")
    }
}

/// The session encryption key (SEK) of an IRP session: 32 bytes that
/// encrypt every request payload and decrypt every reply's `Data`.
///
/// `Debug` is redacted; the bytes are zeroed on drop.
#[derive(Clone)]
pub struct Sek(Key32);

impl Sek {
    /// Server side: a fresh random session key.
    pub fn generate() -> Self {
        Sek(Key32::generate())
    }

    /// A SEK from its 32 raw bytes.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Sek(Key32(SecretBox::new(Box::new(bytes))))
    }

    /// A SEK from the base64 of its raw bytes (as a token store keeps it;
    /// not the AppKey-encrypted form of the login reply, see
    /// [`AppKey::decrypt_sek`]).
    pub fn from_base64(text: &str) -> Result<Self, CryptoError> {
        Key32::from_base64("SEK", text).map(Sek)
    }

    /// The base64 of the raw bytes, to store the session.
    pub fn to_base64(&self) -> SecretString {
        self.0.to_base64()
    }

    /// The raw key bytes.
    pub fn expose_bytes(&self) -> &[u8; KEY_LEN] {
        self.0.bytes()
    }

    /// Encrypt a payload (AES-256-ECB/PKCS#7) and return its base64, the
    /// value of a request's `Data` field.
    pub fn encrypt(&self, plaintext: &[u8]) -> String {
        encode_base64(&aes256_ecb_encrypt(self.0.bytes(), plaintext))
    }

    /// Decrypt the base64 `Data` of a reply; `what` names it in errors.
    pub fn decrypt(&self, what: &'static str, data: &str) -> Result<Vec<u8>, CryptoError> {
        aes256_ecb_decrypt_owned(what, self.0.bytes(), decode_base64(what, data)?)
    }
}

impl fmt::Debug for Sek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sek(<redacted>)")
    }
}

/// Upper-case hex of bytes (thumbprints, as the IRP's JWT `kid`).
pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    use fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02X}");
    }
    out
}

/// Lower-case hex of bytes (IRNs, token cache keys).
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    hex_upper(bytes).to_ascii_lowercase()
}

/// SHA-256 of `data`.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// The IRP's RSA public key: encrypts the login payload and verifies the
/// RS256 signatures of the signed invoice and QR code.
///
/// Reads PEM (`PUBLIC KEY`, `RSA PUBLIC KEY` or `CERTIFICATE`), DER of the
/// same three, or bare base64 of the DER (as some portals publish the key).
/// Two values are equal when the key and the thumbprint's source (the
/// certificate, or the key itself) are.
#[derive(Clone, PartialEq, Eq)]
pub struct IrpPublicKey {
    key: rsa::PublicKey,
    /// SHA-1 of the certificate DER when read from a certificate, else of
    /// the SubjectPublicKeyInfo DER.
    thumbprint: [u8; 20],
}

impl IrpPublicKey {
    fn from_rsa(key: rsa::PublicKey, certificate_der: Option<&[u8]>) -> Result<Self, CryptoError> {
        let thumbprint = match certificate_der {
            Some(der) => Sha1::digest(der).into(),
            None => {
                let spki = key.to_public_key_der().map_err(|e| CryptoError::Key {
                    kind: "public",
                    origin: "the decoded key".into(),
                    message: e.to_string(),
                })?;
                Sha1::digest(spki.as_bytes()).into()
            }
        };
        Ok(IrpPublicKey { key, thumbprint })
    }

    /// Read a PEM text: `PUBLIC KEY` (SPKI), `RSA PUBLIC KEY` (PKCS#1) or
    /// `CERTIFICATE` (X.509, the key inside is used).
    pub fn from_pem(text: &str) -> Result<Self, CryptoError> {
        Self::from_pem_at(text, "PEM text")
    }

    fn from_pem_at(text: &str, origin: &str) -> Result<Self, CryptoError> {
        let error = |message: String| CryptoError::Key {
            kind: "public",
            origin: origin.to_string(),
            message,
        };
        let text = text.trim();
        let label = pem_label(text)
            .ok_or_else(|| error("no `-----BEGIN ...-----` line: not a PEM text".into()))?;
        match label {
            "PUBLIC KEY" => rsa::PublicKey::from_public_key_pem(text)
                .map_err(|e| error(format!("invalid SPKI `PUBLIC KEY`: {e}")))
                .and_then(|k| Self::from_rsa(k, None)),
            "RSA PUBLIC KEY" => rsa::PublicKey::from_pkcs1_pem(text)
                .map_err(|e| error(format!("invalid PKCS#1 `RSA PUBLIC KEY`: {e}")))
                .and_then(|k| Self::from_rsa(k, None)),
            "CERTIFICATE" => {
                use x509_cert::der::{DecodePem, Encode};
                let cert = x509_cert::Certificate::from_pem(text)
                    .map_err(|e| error(format!("invalid X.509 `CERTIFICATE`: {e}")))?;
                let der = cert
                    .to_der()
                    .map_err(|e| error(format!("cannot re-encode the certificate: {e}")))?;
                Self::from_certificate(&cert, &der, origin)
            }
            other => Err(error(format!(
                "PEM label `{other}` is not a public key: expected PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE"
            ))),
        }
    }

    fn from_certificate(
        cert: &x509_cert::Certificate,
        der: &[u8],
        origin: &str,
    ) -> Result<Self, CryptoError> {
        use x509_cert::der::Encode;
        let spki = cert
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(|e| CryptoError::Key {
                kind: "public",
                origin: origin.to_string(),
                message: format!("cannot encode the certificate's public key: {e}"),
            })?;
        let key = rsa::PublicKey::from_public_key_der(&spki).map_err(|e| CryptoError::Key {
            kind: "public",
            origin: origin.to_string(),
            message: format!("the certificate's key is not an RSA key: {e}"),
        })?;
        Self::from_rsa(key, Some(der))
    }

    /// Read DER bytes: SPKI, PKCS#1 or an X.509 certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, CryptoError> {
        Self::from_der_at(der, "DER bytes")
    }

    fn from_der_at(der: &[u8], origin: &str) -> Result<Self, CryptoError> {
        if let Ok(key) = rsa::PublicKey::from_public_key_der(der) {
            return Self::from_rsa(key, None);
        }
        if let Ok(key) = rsa::PublicKey::from_pkcs1_der(der) {
            return Self::from_rsa(key, None);
        }
        use x509_cert::der::Decode;
        match x509_cert::Certificate::from_der(der) {
            Ok(cert) => Self::from_certificate(&cert, der, origin),
            Err(e) => Err(CryptoError::Key {
                kind: "public",
                origin: origin.to_string(),
                message: format!(
                    "{} bytes are neither an SPKI nor a PKCS#1 RSA public key nor an X.509 certificate ({e})",
                    der.len()
                ),
            }),
        }
    }

    /// Read PEM, DER, or bare base64 of the DER, whichever `bytes` hold.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        Self::from_bytes_at(bytes, "key bytes")
    }

    fn from_bytes_at(bytes: &[u8], origin: &str) -> Result<Self, CryptoError> {
        match std::str::from_utf8(bytes).map(str::trim) {
            Ok(text) if text.starts_with("-----BEGIN") => Self::from_pem_at(text, origin),
            Ok(text) if !text.is_empty() && text.bytes().all(is_base64_byte) => {
                // Published keys are often wrapped over several lines.
                let compact: String = text.split_ascii_whitespace().collect();
                let der = decode_base64("public key", &compact).map_err(|e| CryptoError::Key {
                    kind: "public",
                    origin: origin.to_string(),
                    message: e.to_string(),
                })?;
                Self::from_der_at(&der, origin)
            }
            _ => Self::from_der_at(bytes, origin),
        }
    }

    /// Read a key file (PEM, DER or base64 of the DER).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, CryptoError> {
        let path = path.as_ref();
        let origin = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| CryptoError::Key {
            kind: "public",
            origin: origin.clone(),
            message: e.to_string(),
        })?;
        Self::from_bytes_at(&bytes, &origin)
    }

    /// Modulus size in bits (2048 for the IRP's keys).
    pub fn bits(&self) -> usize {
        self.key.size() * 8
    }

    /// The longest plaintext one RSA PKCS#1 v1.5 block takes (245 bytes for
    /// a 2048-bit key).
    pub fn max_plaintext_len(&self) -> usize {
        self.key.size().saturating_sub(PKCS1_V15_OVERHEAD)
    }

    /// RSA PKCS#1 v1.5 encryption of one block; `what` names the value in
    /// errors.
    pub fn encrypt(&self, what: &'static str, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let max = self.max_plaintext_len();
        if plaintext.len() > max {
            return Err(CryptoError::PlaintextTooLong {
                what,
                len: plaintext.len(),
                max,
                bits: self.bits(),
            });
        }
        self.key
            .pkcs1v15_encrypt_with_rng(&mut rand::rng(), plaintext)
            .map_err(|e| CryptoError::Rsa {
                operation: "encryption",
                message: e.to_string(),
            })
    }

    /// Check an RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signature.
    pub fn verify_rs256(&self, message: &[u8], signature: &[u8]) -> Result<(), CryptoError> {
        self.key
            .pkcs1v15_verify::<Sha256>(message, signature)
            .map_err(|_| CryptoError::BadSignature)
    }

    /// SHA-1 thumbprint: of the certificate when the key was read from one
    /// (what the IRP's JWT `kid`/`x5t` name), else of the SPKI DER.
    pub fn thumbprint_sha1(&self) -> [u8; 20] {
        self.thumbprint
    }

    /// The key as SPKI PEM (`PUBLIC KEY`), e.g. for a sandbox to publish.
    pub fn to_pem(&self) -> Result<String, CryptoError> {
        self.key
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| CryptoError::Rsa {
                operation: "key encoding",
                message: e.to_string(),
            })
    }

    /// The key as SPKI DER.
    pub fn to_der(&self) -> Result<Vec<u8>, CryptoError> {
        self.key
            .to_public_key_der()
            .map(|d| d.as_bytes().to_vec())
            .map_err(|e| CryptoError::Rsa {
                operation: "key encoding",
                message: e.to_string(),
            })
    }
}

impl fmt::Debug for IrpPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IrpPublicKey")
            .field("bits", &self.bits())
            .field("thumbprint_sha1", &hex_upper(&self.thumbprint))
            .finish()
    }
}

fn is_base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'\n' | b'\r' | b' ')
}

/// The label of the first `-----BEGIN <label>-----` line.
fn pem_label(text: &str) -> Option<&str> {
    let rest = text.trim_start().strip_prefix("-----BEGIN ")?;
    let end = rest.find("-----")?;
    Some(&rest[..end])
}

/// An RSA private key for the server side of the protocol (the sandbox):
/// decrypts login payloads and signs the invoice and QR code JWTs.
///
/// `Debug` shows only the size and thumbprint; the key material is zeroed
/// on drop (by `rsa`).
#[derive(Clone)]
pub struct IrpPrivateKey {
    key: rsa::PrivateKey,
    public: IrpPublicKey,
}

impl IrpPrivateKey {
    fn from_rsa(key: rsa::PrivateKey) -> Result<Self, CryptoError> {
        let public = IrpPublicKey::from_rsa(key.to_public_key(), None)?;
        Ok(IrpPrivateKey { key, public })
    }

    /// A new key pair with public exponent 65537 (`bits` >= 1024; the IRP
    /// uses 2048). Takes a moment: generate once and keep it.
    pub fn generate(bits: usize) -> Result<Self, CryptoError> {
        let key = rsa::PrivateKey::new(&mut rand::rng(), bits).map_err(|e| CryptoError::Rsa {
            operation: "key generation",
            message: format!("{bits} bits: {e}"),
        })?;
        Self::from_rsa(key)
    }

    /// Read a PEM private key: PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`.
    pub fn from_pem(text: &str) -> Result<Self, CryptoError> {
        Self::from_pem_at(text, "PEM text")
    }

    fn from_pem_at(text: &str, origin: &str) -> Result<Self, CryptoError> {
        let error = |message: String| CryptoError::Key {
            kind: "private",
            origin: origin.to_string(),
            message,
        };
        let text = text.trim();
        let key = match pem_label(text) {
            Some("PRIVATE KEY") => rsa::PrivateKey::from_pkcs8_pem(text)
                .map_err(|e| error(format!("invalid PKCS#8 `PRIVATE KEY`: {e}")))?,
            Some("RSA PRIVATE KEY") => rsa::PrivateKey::from_pkcs1_pem(text)
                .map_err(|e| error(format!("invalid PKCS#1 `RSA PRIVATE KEY`: {e}")))?,
            Some(other) => {
                return Err(error(format!(
                    "PEM label `{other}` is not a private key: expected PRIVATE KEY or RSA PRIVATE KEY"
                )));
            }
            None => {
                return Err(error(
                    "no `-----BEGIN ...-----` line: not a PEM text".into(),
                ));
            }
        };
        Self::from_rsa(key)
    }

    /// Read DER bytes: PKCS#8 or PKCS#1.
    pub fn from_der(der: &[u8]) -> Result<Self, CryptoError> {
        let key = rsa::PrivateKey::from_pkcs8_der(der)
            .or_else(|_| rsa::PrivateKey::from_pkcs1_der(der))
            .map_err(|_| CryptoError::Key {
                kind: "private",
                origin: "DER bytes".into(),
                message: format!(
                    "{} bytes are neither a PKCS#8 nor a PKCS#1 RSA private key",
                    der.len()
                ),
            })?;
        Self::from_rsa(key)
    }

    /// Read a private key file (PEM or DER).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, CryptoError> {
        let path = path.as_ref();
        let origin = path.display().to_string();
        let bytes = Zeroizing::new(std::fs::read(path).map_err(|e| CryptoError::Key {
            kind: "private",
            origin: origin.clone(),
            message: e.to_string(),
        })?);
        match std::str::from_utf8(&bytes) {
            Ok(text) if text.trim_start().starts_with("-----BEGIN") => {
                Self::from_pem_at(text, &origin)
            }
            _ => Self::from_der(&bytes).map_err(|e| match e {
                CryptoError::Key { kind, message, .. } => CryptoError::Key {
                    kind,
                    origin,
                    message,
                },
                other => other,
            }),
        }
    }

    /// The key as PKCS#8 PEM (`PRIVATE KEY`), to keep it for the next run.
    pub fn to_pem(&self) -> Result<SecretString, CryptoError> {
        self.key
            .to_pkcs8_pem(LineEnding::LF)
            .map(|pem| SecretString::from(pem.as_str()))
            .map_err(|e| CryptoError::Rsa {
                operation: "key encoding",
                message: e.to_string(),
            })
    }

    /// The public half.
    pub fn public_key(&self) -> &IrpPublicKey {
        &self.public
    }

    /// RSA PKCS#1 v1.5 decryption of one block (blinded).
    ///
    /// The `rsa` crate answers a wrong padding with a deterministic
    /// pseudo-random plaintext instead of an error (implicit rejection,
    /// against padding oracles), so callers detect a wrong key when the
    /// plaintext does not parse.
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.key
            .pkcs1v15_decrypt_with_rng(&mut rand::rng(), ciphertext)
            .map(Zeroizing::new)
            .map_err(|e| CryptoError::Rsa {
                operation: "decryption",
                message: e.to_string(),
            })
    }

    /// RS256 signature (RSASSA-PKCS1-v1_5 with SHA-256) of `message`.
    pub fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.key
            .pkcs1v15_sign::<Sha256>(message)
            .map_err(|e| CryptoError::Rsa {
                operation: "signing",
                message: e.to_string(),
            })
    }
}

impl fmt::Debug for IrpPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IrpPrivateKey")
            .field("bits", &self.public.bits())
            .field("thumbprint_sha1", &hex_upper(&self.public.thumbprint))
            .field("private", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");

    fn data(name: &str) -> String {
        format!("{DATA}{name}")
    }

    fn test_private_key() -> IrpPrivateKey {
        IrpPrivateKey::from_file(data("irp_test_key.pem")).unwrap()
    }

    fn unhex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn base64_errors_say_what_is_wrong() {
        let problem = |text: &str| match decode_base64("Data", text) {
            Err(CryptoError::Base64 { what, message }) => {
                assert_eq!(what, "Data");
                message
            }
            other => panic!("{text:?} gave {other:?}"),
        };
        assert_eq!(problem("QUJD*EVG"), "invalid character `*` at offset 4");
        assert_eq!(problem("QUJD\u{7}EVG"), "invalid byte 0x07 at offset 4");
        assert_eq!(problem("QU=DREVG"), "misplaced padding `=` at offset 2");
        assert_eq!(problem("QUJDR"), "length 5 is not a multiple of 4");
        assert_eq!(
            problem("QR=="),
            "the last character has bits set beyond the data (not canonical base64)"
        );
        assert_eq!(decode_base64("Data", " QUJD\n").unwrap(), b"ABC");
        assert_eq!(encode_base64(b"ABCD"), "QUJDRA==");
        // JWT parts: base64url, padding optional.
        assert_eq!(decode_base64url("-_8").unwrap(), [0xfb, 0xff]);
        assert_eq!(decode_base64url("-_8=").unwrap(), [0xfb, 0xff]);
        assert_eq!(encode_base64url([0xfb, 0xff]), "-_8");
        assert_eq!(
            decode_base64url("+_8").unwrap_err(),
            "invalid character `+` at offset 0"
        );
        assert_eq!(
            decode_base64url("QUJDR").unwrap_err(),
            "length 5 leaves a lone last character"
        );
    }

    #[test]
    fn aes256_ecb_matches_fips197_vector() {
        // FIPS-197 appendix C.3: AES-256 of one block.
        let key: [u8; 32] =
            unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
                .try_into()
                .unwrap();
        let plain = unhex("00112233445566778899aabbccddeeff");
        let cipher = aes256_ecb_encrypt(&key, &plain);
        // A full block of plaintext gets a second, all-padding block.
        assert_eq!(cipher.len(), 32);
        assert_eq!(&cipher[..16], unhex("8ea2b7ca516745bfeafc49904b496089"));
        assert_eq!(aes256_ecb_decrypt("test", &key, &cipher).unwrap(), plain);
    }

    #[test]
    fn sek_encryption_matches_openssl() {
        // `openssl enc -aes-256-ecb -K <AppKey hex> -nosalt` of the SEK bytes.
        let app_key = AppKey::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").unwrap();
        let sek = Sek::from_base64("YD3rEBXKcb4rc67whX13gR81LAc7YQjXLZgQowkU3/Q=").unwrap();
        let encrypted = app_key.encrypt_sek(&sek);
        assert_eq!(
            encrypted,
            "Z4qguXm837ddpz+w27BmJGS6JdCtd+6Ez1P2ZGhZBEqfO3UEkm+L024xGOkDpM1K"
        );
        assert_eq!(encrypted.len(), 64);
        let back = app_key.decrypt_sek(&encrypted).unwrap();
        assert_eq!(back.expose_bytes(), sek.expose_bytes());
    }

    #[test]
    fn payload_encryption_matches_openssl() {
        let sek = Sek::from_base64("YD3rEBXKcb4rc67whX13gR81LAc7YQjXLZgQowkU3/Q=").unwrap();
        let json = br#"{"Gstin":"29AAACP7879D1Z0","TradeName":"TALLY SOLUTIONS PVT LTD"}"#;
        let expected = "D3Gzj+gVe6zB4LzaSBqPR4ulkcw9lQnHo4PASUKSZOs8QZXRONsK2DEmEjGhBqyibcqfC4wKMgFrwDUlUdB17rPJTB7Z6QGw2WG5IPOyIJQ=";
        assert_eq!(sek.encrypt(json), expected);
        assert_eq!(sek.decrypt("Data", expected).unwrap(), json);
    }

    #[test]
    fn random_keys_round_trip_and_differ() {
        let a = AppKey::generate();
        let b = AppKey::generate();
        assert_ne!(a.expose_bytes(), b.expose_bytes());
        assert_eq!(a.to_base64().expose_secret().len(), 44);
        let sek = Sek::generate();
        let back = a.decrypt_sek(&a.encrypt_sek(&sek)).unwrap();
        assert_eq!(back.expose_bytes(), sek.expose_bytes());
        let again = AppKey::from_base64(a.to_base64().expose_secret()).unwrap();
        assert_eq!(again.expose_bytes(), a.expose_bytes());
        let text = "{\"ItemList\":[]} with some non-ASCII: ₹ अ".as_bytes();
        assert_eq!(sek.decrypt("Data", &sek.encrypt(text)).unwrap(), text);
        assert_eq!(sek.decrypt("Data", &sek.encrypt(b"")).unwrap(), b"");
    }

    #[test]
    fn wrong_key_and_bad_input_are_named_errors() {
        let sek = Sek::generate();
        let other = Sek::generate();
        let data = sek.encrypt(b"{\"a\":1}");
        // A wrong key almost always breaks the padding; either way the
        // plaintext is not what was sent.
        match other.decrypt("Data", &data) {
            Err(e) => assert!(e.to_string().contains("cannot decrypt Data"), "{e}"),
            Ok(plain) => assert_ne!(plain, b"{\"a\":1}"),
        }
        let e = sek.decrypt("Data", "not base64!").unwrap_err();
        assert!(e.to_string().starts_with("Data is not valid base64"), "{e}");
        let e = sek.decrypt("Data", "AAAA").unwrap_err();
        assert!(e.to_string().contains("16-byte blocks"), "{e}");
        let e = AppKey::from_base64("AAAA").unwrap_err();
        assert_eq!(e.to_string(), "AppKey must be 32 bytes, got 3");
        let app = AppKey::generate();
        let e = app
            .decrypt_sek(&encode_base64(&aes256_ecb_encrypt(
                app.expose_bytes(),
                b"short",
            )))
            .unwrap_err();
        assert_eq!(e.to_string(), "Sek must be 32 bytes, got 5");
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let app = AppKey::from_bytes([7; 32]);
        let sek = Sek::from_bytes([7; 32]);
        assert_eq!(format!("{app:?}"), "AppKey(<redacted>)");
        assert_eq!(format!("{sek:?}"), "Sek(<redacted>)");
        let key = test_private_key();
        let shown = format!("{key:?}");
        assert!(
            shown.contains("<redacted>") && shown.contains("2048"),
            "{shown}"
        );
        let pem = key.to_pem().unwrap();
        assert!(!format!("{pem:?}").contains("PRIVATE"));
    }

    #[test]
    fn public_keys_load_from_every_form() {
        let expected = test_private_key().public_key().clone();
        let files = [
            "irp_test_pub.pem",
            "irp_test_pub_pkcs1.pem",
            "irp_test_pub.der",
            "irp_test_cert.pem",
            "irp_test_cert.der",
        ];
        for file in files {
            let key = IrpPublicKey::from_file(data(file)).unwrap();
            assert_eq!(key.key, expected.key, "{file}");
            assert_eq!(key.bits(), 2048);
            assert_eq!(key.max_plaintext_len(), 245);
        }
        // Bare base64 of the DER, as some portals publish it.
        let der = std::fs::read(data("irp_test_pub.der")).unwrap();
        let key = IrpPublicKey::from_bytes(encode_base64(&der).as_bytes()).unwrap();
        assert_eq!(key.key, expected.key);
        let wrapped = encode_base64(&der)
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        let key = IrpPublicKey::from_bytes(wrapped.as_bytes()).unwrap();
        assert_eq!(key.key, expected.key);
        // Round trip through our own encodings.
        let pem = expected.to_pem().unwrap();
        assert_eq!(IrpPublicKey::from_pem(&pem).unwrap(), expected);
        assert_eq!(
            IrpPublicKey::from_der(&expected.to_der().unwrap()).unwrap(),
            expected
        );
    }

    #[test]
    fn certificate_thumbprint_is_the_sha1_of_its_der() {
        // `openssl x509 -noout -fingerprint -sha1` of the test certificate.
        let key = IrpPublicKey::from_file(data("irp_test_cert.pem")).unwrap();
        assert_eq!(
            hex_upper(&key.thumbprint_sha1()),
            "322198D1330556E025FADE16CF865D5A5377C4A8"
        );
    }

    #[test]
    fn private_keys_load_from_pkcs8_and_pkcs1() {
        let a = IrpPrivateKey::from_file(data("irp_test_key.pem")).unwrap();
        let b = IrpPrivateKey::from_file(data("irp_test_key_pkcs1.pem")).unwrap();
        assert_eq!(a.public_key(), b.public_key());
        let again = IrpPrivateKey::from_pem(a.to_pem().unwrap().expose_secret()).unwrap();
        assert_eq!(again.public_key(), a.public_key());
    }

    #[test]
    fn bad_keys_name_the_origin_and_problem() {
        let e = IrpPublicKey::from_pem("hello").unwrap_err();
        assert!(e.to_string().contains("not a PEM text"), "{e}");
        let private = std::fs::read_to_string(data("irp_test_key.pem")).unwrap();
        let e = IrpPublicKey::from_pem(&private).unwrap_err();
        assert!(
            e.to_string()
                .contains("PEM label `PRIVATE KEY` is not a public key"),
            "{e}"
        );
        let e = IrpPublicKey::from_file(data("missing.pem")).unwrap_err();
        assert!(e.to_string().contains("missing.pem"), "{e}");
        let e = IrpPublicKey::from_der(b"\x30\x03\x02\x01\x01").unwrap_err();
        assert!(e.to_string().contains("neither an SPKI"), "{e}");
        let e = IrpPrivateKey::from_file(data("irp_test_pub.pem")).unwrap_err();
        assert!(
            e.to_string().contains("irp_test_pub.pem") && e.to_string().contains("PUBLIC KEY"),
            "{e}"
        );
        // The error text never carries key material.
        assert!(!e.to_string().contains("MII"));
    }

    #[test]
    fn rsa_decrypts_an_openssl_ciphertext() {
        // `openssl pkeyutl -encrypt -pkeyopt rsa_padding_mode:pkcs1` under
        // the test public key.
        let cipher_b64 = std::fs::read_to_string(data("login_ciphertext.b64")).unwrap();
        let cipher = decode_base64("test", &cipher_b64).unwrap();
        let plain = test_private_key().decrypt(&cipher).unwrap();
        assert_eq!(plain.as_slice(), b"eyJVc2VyTmFtZSI6InRlc3R1c2VyIn0=");
    }

    #[test]
    fn rsa_round_trip_and_size_limit() {
        let key = test_private_key();
        let public = key.public_key();
        let message = [b'x'; 245];
        let cipher = public.encrypt("login payload", &message).unwrap();
        assert_eq!(cipher.len(), 256);
        assert_eq!(key.decrypt(&cipher).unwrap().as_slice(), message);
        let e = public.encrypt("login payload", &[b'x'; 246]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "login payload is 246 bytes but a 2048-bit RSA key encrypts at most 245 bytes with PKCS#1 v1.5"
        );
    }

    #[test]
    fn rs256_signature_matches_openssl_and_verifies() {
        // `openssl dgst -sha256 -sign irp_test_key.pem`, base64url.
        let message = b"eyJhbGciOiJSUzI1NiJ9.eyJkYXRhIjoie30iLCJpc3MiOiJOSUMifQ";
        let expected = "JWd7DaD4pXjRLZdOVOKloR8G4w9PGs4xR8-fJMw7bnHgkLnWb94_zerOqKsog55xuf1C4SXbeHyAQ0giA_xB0Br3d4wcrWsa7fnL-5Cewptv6ssoUAjMXGdKH_yNoa_L1RSeVeaLlLVMNvQZWlNwG1_QVWEuawbGNhgzz-OXUjrk-48QDlciarkSclU54W9HSGVY6XFPsQaq1vu-Z3-K1LyZG0LgQh7Q-8-DRb7WjB9MMpuGtNJ5A5_IHO8Id4ZV_GHQLrXdKcHthJN3ALNTJqGVbz_RHqGcxNZ5NAe0TLgYRCP1P4WigoU3VDUXGb4Hp5NnhnIQSznxh17lCuW2ww";
        let key = test_private_key();
        let signature = key.sign_rs256(message).unwrap();
        let b64url = encode_base64url(&signature);
        assert_eq!(b64url, expected);
        key.public_key().verify_rs256(message, &signature).unwrap();
        let e = key
            .public_key()
            .verify_rs256(b"other", &signature)
            .unwrap_err();
        assert_eq!(e, CryptoError::BadSignature);
    }
}
