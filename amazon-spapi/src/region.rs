//! Regions, their endpoints, and the marketplace table.

use url::Url;

/// An SP-API region. Refresh tokens are region-scoped: store one per (seller, region).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Region {
    /// North America (US, CA, MX, BR).
    Na,
    /// Europe, Middle East, Africa and India.
    Eu,
    /// Far East (JP, AU, SG).
    Fe,
}

impl Region {
    /// Every region.
    pub const ALL: [Region; 3] = [Region::Na, Region::Eu, Region::Fe];

    /// Production endpoint.
    pub fn endpoint(self) -> &'static str {
        match self {
            Region::Na => "https://sellingpartnerapi-na.amazon.com",
            Region::Eu => "https://sellingpartnerapi-eu.amazon.com",
            Region::Fe => "https://sellingpartnerapi-fe.amazon.com",
        }
    }

    /// Static sandbox endpoint.
    pub fn sandbox_endpoint(self) -> &'static str {
        match self {
            Region::Na => "https://sandbox.sellingpartnerapi-na.amazon.com",
            Region::Eu => "https://sandbox.sellingpartnerapi-eu.amazon.com",
            Region::Fe => "https://sandbox.sellingpartnerapi-fe.amazon.com",
        }
    }

    /// The AWS region name Amazon lists for the endpoint (informational only: SP-API no
    /// longer needs SigV4 signing).
    pub fn aws_region(self) -> &'static str {
        match self {
            Region::Na => "us-east-1",
            Region::Eu => "eu-west-1",
            Region::Fe => "us-west-2",
        }
    }

    /// Short lowercase name (`na`, `eu`, `fe`).
    pub fn as_str(self) -> &'static str {
        match self {
            Region::Na => "na",
            Region::Eu => "eu",
            Region::Fe => "fe",
        }
    }
}

/// The Login with Amazon token endpoint (the same for every region).
pub const LWA_TOKEN_ENDPOINT: &str = "https://api.amazon.com/auth/o2/token";

/// One Amazon marketplace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Marketplace {
    /// Amazon's country code column (`UK`, not ISO `GB`).
    pub code: &'static str,
    /// Country name.
    pub country: &'static str,
    /// The `MarketplaceId`.
    pub id: &'static str,
    /// The region whose endpoint serves it.
    pub region: Region,
}

macro_rules! marketplaces {
    ($($code:literal, $country:literal, $id:literal, $region:ident;)+) => {
        /// Every marketplace Amazon lists, with its region.
        pub const MARKETPLACES: &[Marketplace] = &[
            $(Marketplace { code: $code, country: $country, id: $id, region: Region::$region },)+
        ];
    };
}

marketplaces! {
    "US", "United States", "ATVPDKIKX0DER", Na;
    "CA", "Canada", "A2EUQ1WTGCTBG2", Na;
    "MX", "Mexico", "A1AM78C64UM0Y8", Na;
    "BR", "Brazil", "A2Q3Y263D00KWC", Na;
    "UK", "United Kingdom", "A1F83G8C2ARO7P", Eu;
    "DE", "Germany", "A1PA6795UKMFR9", Eu;
    "FR", "France", "A13V1IB3VIYZZH", Eu;
    "IT", "Italy", "APJ6JRA9NG5V4", Eu;
    "ES", "Spain", "A1RKKUPIHCS9HS", Eu;
    "NL", "Netherlands", "A1805IZSGTT6HS", Eu;
    "SE", "Sweden", "A2NODRKZP88ZB9", Eu;
    "PL", "Poland", "A1C3SOZRARQ6R3", Eu;
    "BE", "Belgium", "AMEN7PMS3EDWL", Eu;
    "IE", "Ireland", "A28R8C7NBKEWEA", Eu;
    "TR", "Turkey", "A33AVAJ2PDY3EV", Eu;
    "AE", "United Arab Emirates", "A2VIGQ35RCS4UG", Eu;
    "SA", "Saudi Arabia", "A17E79C6D8DWNP", Eu;
    "EG", "Egypt", "ARBP9OOSHTCHU", Eu;
    "ZA", "South Africa", "AE08WJ6YKNBMC", Eu;
    "IN", "India", "A21TJRUUN4KGV", Eu;
    "JP", "Japan", "A1VC38T7YXB528", Fe;
    "AU", "Australia", "A39IBJ37TRP1C6", Fe;
    "SG", "Singapore", "A19VAU5U5O7RUS", Fe;
}

impl Marketplace {
    /// Looks a marketplace up by its `MarketplaceId`.
    pub fn by_id(id: &str) -> Option<&'static Marketplace> {
        MARKETPLACES.iter().find(|m| m.id == id)
    }

    /// Looks a marketplace up by Amazon's country code (`UK`; ISO `GB` is accepted too).
    pub fn by_code(code: &str) -> Option<&'static Marketplace> {
        let code = if code.eq_ignore_ascii_case("GB") {
            "UK"
        } else {
            code
        };
        MARKETPLACES
            .iter()
            .find(|m| m.code.eq_ignore_ascii_case(code))
    }
}

/// Checks that `url` may be used as an endpoint: `https`, or `http` to a loopback host only.
pub(crate) fn check_endpoint(url: &Url) -> Result<(), String> {
    match url.scheme() {
        "https" => Ok(()),
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                None => false,
            };
            if loopback {
                Ok(())
            } else {
                Err(format!(
                    "plain http is allowed only for loopback hosts, not {url}"
                ))
            }
        }
        other => Err(format!("unsupported endpoint scheme {other:?} in {url}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lookups() {
        assert_eq!(
            Marketplace::by_id("A1F83G8C2ARO7P").map(|m| m.region),
            Some(Region::Eu)
        );
        assert_eq!(
            Marketplace::by_code("gb").map(|m| m.id),
            Some("A1F83G8C2ARO7P")
        );
        assert_eq!(MARKETPLACES.len(), 23);
        assert_eq!(
            MARKETPLACES
                .iter()
                .filter(|m| m.region == Region::Fe)
                .count(),
            3
        );
    }

    #[test]
    fn http_only_for_loopback() {
        let ok = |s: &str| check_endpoint(&Url::parse(s).expect("url")).is_ok();
        assert!(ok("http://127.0.0.1:8080"));
        assert!(ok("http://[::1]:1"));
        assert!(ok("http://localhost:9"));
        assert!(ok("https://sellingpartnerapi-na.amazon.com"));
        assert!(!ok("http://sellingpartnerapi-na.amazon.com"));
        assert!(!ok("http://10.0.0.1"));
        assert!(!ok("ftp://127.0.0.1"));
    }
}
