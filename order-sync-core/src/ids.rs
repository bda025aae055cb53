//! Newtype identifiers, so an Amazon order id can never be passed where a host id is meant.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a raw identifier.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The raw identifier.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Unwraps the raw identifier.
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

string_id!(
    /// Amazon's order id (`3-7-7` digits, e.g. `902-3159896-1390916`).
    AmazonOrderId
);
string_id!(
    /// Amazon's id of one line of an order (`OrderItemId`).
    OrderItemId
);
string_id!(
    /// A seller account as the engine knows it (one set of credentials and jobs).
    AccountId
);
string_id!(
    /// The host's (cart's, ERP's or warehouse's) id of an order or fulfilment request.
    HostOrderId
);
string_id!(
    /// An Amazon marketplace id (e.g. `ATVPDKIKX0DER`).
    MarketplaceId
);
string_id!(
    /// The seller's reference of one package within an order (`packageReferenceId`:
    /// positive numeric, unique within the order).
    PackageRef
);

impl PackageRef {
    /// Whether Amazon will accept this reference: a positive decimal number.
    pub fn is_valid(&self) -> bool {
        !self.0.is_empty()
            && self.0.bytes().all(|b| b.is_ascii_digit())
            && self.0.bytes().any(|b| b != b'0')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_ref_validity() {
        assert!(PackageRef::new("1").is_valid());
        assert!(PackageRef::new("0012").is_valid());
        assert!(!PackageRef::new("0").is_valid());
        assert!(!PackageRef::new("").is_valid());
        assert!(!PackageRef::new("A1").is_valid());
        assert!(!PackageRef::new("-1").is_valid());
    }

    #[test]
    fn debug_names_the_type() {
        assert_eq!(
            format!("{:?}", AmazonOrderId::new("1-2-3")),
            "AmazonOrderId(\"1-2-3\")"
        );
    }
}
