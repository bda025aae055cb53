//! String enumerations of Amazon's schemas, with an `Other` arm for values a reader meets
//! that this crate does not know yet.

/// Declares a `#[non_exhaustive]` enum of wire strings with an `Other(String)` arm that
/// keeps unknown values verbatim. Parsing trims whitespace and never fails.
macro_rules! string_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($variant:ident => $wire:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $(
                #[doc = concat!("`", $wire, "`")]
                $variant,
            )*
            /// A value this crate does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// The value as Amazon writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Other(s) => s.as_str(),
                }
            }

            /// Whether the value is one of the known ones (not `Other`).
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Other(_))
            }

            /// Every known value (without `Other`).
            pub const KNOWN: &'static [$name] = &[$(Self::$variant),*];
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s.trim() {
                    $($wire => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(s))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;
