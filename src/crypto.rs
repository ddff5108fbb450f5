//! API keys at rest (SPEC §5): AES-256-GCM with `LATTICEIQ_ENCRYPTION_KEY`
//! and a random 96-bit nonce per value, stored as
//! `v1:<base64(nonce ‖ ciphertext ‖ tag)>`. The API never returns a key:
//! only whether one is set and its last four characters.

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

const PREFIX: &str = "v1:";
const NONCE_LEN: usize = 12;

/// Encrypts `plaintext` with `key`.
pub fn encrypt(key: &[u8; 32], plaintext: &str) -> Result<String, String> {
    let cipher = Aes256Gcm::new(key.into());
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let ct = cipher.encrypt(&nonce, plaintext.as_bytes()).map_err(|_| "encryption failed".to_owned())?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ct);
    Ok(format!("{PREFIX}{}", STANDARD.encode(out)))
}

/// Decrypts a value made by [`encrypt`] with the same key.
pub fn decrypt(key: &[u8; 32], stored: &str) -> Result<String, String> {
    let b64 = stored.strip_prefix(PREFIX).ok_or("not an encrypted value")?;
    let bytes = STANDARD.decode(b64).map_err(|_| "not an encrypted value")?;
    if bytes.len() < NONCE_LEN + 16 {
        return Err("encrypted value too short".to_owned());
    }
    let (nonce, ct) = bytes.split_at(NONCE_LEN);
    let cipher = Aes256Gcm::new(key.into());
    let pt = cipher
        .decrypt(nonce.into(), ct)
        .map_err(|_| "cannot decrypt: wrong LATTICEIQ_ENCRYPTION_KEY or corrupted value".to_owned())?;
    String::from_utf8(pt).map_err(|_| "decrypted value is not UTF-8".to_owned())
}

/// The last four characters of a secret (all of it when shorter).
pub fn last_four(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    #[test]
    fn values_round_trip_and_differ_for_the_same_plaintext() {
        let a = encrypt(&KEY, "sk-secret-1234").unwrap();
        let b = encrypt(&KEY, "sk-secret-1234").unwrap();
        assert_ne!(a, b);
        assert!(!a.contains("sk-secret"));
        assert_eq!(decrypt(&KEY, &a).unwrap(), "sk-secret-1234");
        assert!(decrypt(&[8; 32], &a).is_err());
        assert_eq!(last_four("sk-secret-1234"), "1234");
        assert_eq!(last_four("ab"), "ab");
    }
}
