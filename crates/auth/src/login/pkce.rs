//! PKCE (RFC 7636, S256) verifier and challenge, and the anti-forgery `state` value.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

/// A PKCE pair: the verifier stays here, the challenge goes in the authorize URL.
#[derive(Clone)]
pub struct PkceCodes {
    /// Sent with the code exchange; proves we started this sign-in.
    pub code_verifier: String,
    /// base64url(SHA-256(verifier)).
    pub code_challenge: String,
}

impl PkceCodes {
    /// A fresh pair from 64 random bytes.
    pub fn generate() -> PkceCodes {
        let code_verifier = random_b64(64);
        PkceCodes {
            code_challenge: code_challenge_for(&code_verifier),
            code_verifier,
        }
    }
}

/// The S256 challenge of `verifier`.
pub fn code_challenge_for(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A fresh `state`: 32 random bytes, base64url.
pub fn generate_state() -> String {
    random_b64(32)
}

fn random_b64(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_example_challenge() {
        assert_eq!(
            code_challenge_for("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let a = PkceCodes::generate();
        assert_eq!(a.code_verifier.len(), 86);
        assert_ne!(generate_state(), generate_state());
    }
}
