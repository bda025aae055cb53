//! MWS credentials: seller id, access key id, secret key and an optional MWS auth token.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// The identity and keys every MWS request is signed with.
///
/// `Debug` never prints any of them: the seller id and access key id are not secret in the
/// cryptographic sense, but they identify an account and appear in no log of ours.
#[derive(Clone)]
pub struct Credentials {
    seller_id: String,
    access_key_id: String,
    secret_key: SecretString,
    mws_auth_token: Option<SecretString>,
}

impl Credentials {
    /// Credentials for a self-authorised seller (no MWS auth token).
    pub fn new(
        seller_id: impl Into<String>,
        access_key_id: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Self {
        Self {
            seller_id: seller_id.into(),
            access_key_id: access_key_id.into(),
            secret_key: SecretString::from(secret_key.into()),
            mws_auth_token: None,
        }
    }

    /// Adds the `MWSAuthToken` a seller granted to a developer (`amzn.mws.<uuid>`).
    pub fn with_mws_auth_token(mut self, token: impl Into<String>) -> Self {
        self.mws_auth_token = Some(SecretString::from(token.into()));
        self
    }

    /// The seller (merchant) id sent as `SellerId`.
    pub fn seller_id(&self) -> &str {
        &self.seller_id
    }

    /// The access key id sent as `AWSAccessKeyId`.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret key that signs requests.
    pub fn secret_key(&self) -> &SecretString {
        &self.secret_key
    }

    /// The MWS auth token, if the requests are made on a seller's behalf.
    pub fn mws_auth_token(&self) -> Option<&str> {
        self.mws_auth_token.as_ref().map(|t| t.expose_secret())
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("seller_id", &"[redacted]")
            .field("access_key_id", &"[redacted]")
            .field("secret_key", &"[redacted]")
            .field(
                "mws_auth_token",
                &self.mws_auth_token.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_everything() {
        let c = Credentials::new("A1SELLER", "AKIDEXAMPLE", "s3cr3t/key+")
            .with_mws_auth_token("amzn.mws.0000-token");
        let shown = format!("{c:?} {c:#?}");
        for secret in ["A1SELLER", "AKIDEXAMPLE", "s3cr3t", "amzn.mws"] {
            assert!(!shown.contains(secret), "{secret} leaked in {shown}");
        }
        assert!(shown.contains("[redacted]"));
        assert_eq!(c.mws_auth_token(), Some("amzn.mws.0000-token"));
    }
}
