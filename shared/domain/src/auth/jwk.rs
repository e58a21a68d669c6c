//! Public keys as JWKs (RFC 7517), their RFC 7638 thumbprints (used as `kid`), and the two DER
//! conversions KMS needs: SubjectPublicKeyInfo -> point, and ECDSA-Sig-Value -> JWS `r || s`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use simple_asn1::ASN1Block;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicJwk {
    pub kty: String,
    pub crv: String,
    pub x: String,
    pub y: String,
    pub kid: String,
    pub alg: String,
    #[serde(rename = "use")]
    pub use_: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyFormatError {
    #[error("not a DER SubjectPublicKeyInfo for a P-256 key")]
    BadPublicKey,
    #[error("not a DER ECDSA signature")]
    BadSignature,
}

impl PublicJwk {
    /// The only keys the realm signs and verifies with: EC P-256, ES256, for signatures.
    pub fn is_es256_signing_key(&self) -> bool {
        (self.kty.as_str(), self.crv.as_str(), self.alg.as_str(), self.use_.as_str()) == ("EC", "P-256", "ES256", "sig")
    }

    /// From an uncompressed SEC1 point `0x04 || X || Y` (65 bytes).
    pub fn from_uncompressed_point(point: &[u8]) -> Result<Self, KeyFormatError> {
        if point.len() != 65 || point[0] != 0x04 {
            return Err(KeyFormatError::BadPublicKey);
        }
        let x = B64.encode(&point[1..33]);
        let y = B64.encode(&point[33..65]);
        // RFC 7638: members in lexicographic order, no whitespace.
        let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
        let kid = B64.encode(Sha256::digest(canonical.as_bytes()));
        Ok(Self { kty: "EC".into(), crv: "P-256".into(), x, y, kid, alg: "ES256".into(), use_: "sig".into() })
    }

    /// From the DER SubjectPublicKeyInfo that KMS `GetPublicKey` returns.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, KeyFormatError> {
        let blocks = simple_asn1::from_der(der).map_err(|_| KeyFormatError::BadPublicKey)?;
        match blocks.as_slice() {
            [ASN1Block::Sequence(_, items)] => match items.as_slice() {
                [ASN1Block::Sequence(_, _alg), ASN1Block::BitString(_, bits, point)] if *bits == 65 * 8 => {
                    Self::from_uncompressed_point(point)
                }
                _ => Err(KeyFormatError::BadPublicKey),
            },
            _ => Err(KeyFormatError::BadPublicKey),
        }
    }
}

/// DER `SEQUENCE { r INTEGER, s INTEGER }` -> the 64-byte `r || s` a JWS ES256 signature is.
pub fn der_signature_to_jws(der: &[u8]) -> Result<[u8; 64], KeyFormatError> {
    let blocks = simple_asn1::from_der(der).map_err(|_| KeyFormatError::BadSignature)?;
    let [ASN1Block::Sequence(_, items)] = blocks.as_slice() else {
        return Err(KeyFormatError::BadSignature);
    };
    let [ASN1Block::Integer(_, r), ASN1Block::Integer(_, s)] = items.as_slice() else {
        return Err(KeyFormatError::BadSignature);
    };
    let mut out = [0u8; 64];
    for (i, n) in [r, s].into_iter().enumerate() {
        let (sign, bytes) = n.to_bytes_be();
        if sign == num_bigint::Sign::Minus {
            return Err(KeyFormatError::BadSignature);
        }
        let trimmed: &[u8] = {
            let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
            &bytes[start..]
        };
        if trimmed.len() > 32 {
            return Err(KeyFormatError::BadSignature);
        }
        let off = i * 32 + (32 - trimmed.len());
        out[off..off + trimmed.len()].copy_from_slice(trimmed);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_signature_with_short_and_padded_integers() {
        // r = 0x00ff.. (33 bytes with sign pad), s = 0x01 (1 byte)
        let mut r = vec![0x00];
        r.extend([0xffu8; 32]);
        let mut der = vec![0x30, (2 + r.len() + 2 + 1) as u8, 0x02, r.len() as u8];
        der.extend(&r);
        der.extend([0x02, 0x01, 0x01]);
        let raw = der_signature_to_jws(&der).unwrap();
        assert_eq!(&raw[..32], &[0xff; 32]);
        assert_eq!(&raw[32..63], &[0u8; 31]);
        assert_eq!(raw[63], 1);
    }

    #[test]
    fn spki_of_a_p256_key() {
        // The fixed 26-byte SPKI prefix of every P-256 public key, then the point.
        let prefix = [
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
            0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
        ];
        let mut point = vec![4u8];
        point.extend((0..64).map(|i| i as u8));
        let mut der = prefix.to_vec();
        der.extend(&point);
        let jwk = PublicJwk::from_spki_der(&der).unwrap();
        assert_eq!(jwk, PublicJwk::from_uncompressed_point(&point).unwrap());
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(der_signature_to_jws(b"nope"), Err(KeyFormatError::BadSignature));
        assert_eq!(PublicJwk::from_spki_der(b"nope"), Err(KeyFormatError::BadPublicKey));
        assert_eq!(PublicJwk::from_uncompressed_point(&[4u8; 10]), Err(KeyFormatError::BadPublicKey));
    }

    #[test]
    fn thumbprint_matches_rfc7638_example_shape() {
        let mut point = vec![4u8];
        point.extend([1u8; 64]);
        let jwk = PublicJwk::from_uncompressed_point(&point).unwrap();
        assert_eq!(jwk.kid.len(), 43);
        assert_eq!(jwk.x, B64.encode([1u8; 32]));
        // Same key -> same kid; different key -> different kid.
        assert_eq!(jwk, PublicJwk::from_uncompressed_point(&point).unwrap());
        point[64] = 2;
        assert_ne!(jwk.kid, PublicJwk::from_uncompressed_point(&point).unwrap().kid);
    }
}
