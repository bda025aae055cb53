//! MWS regions, their endpoints and marketplace ids, and custom endpoints.

use std::fmt;

use url::Url;

use crate::error::Error;

/// An MWS region: every marketplace of a region is served by one endpoint host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Region {
    /// North America (US, CA, MX, BR) on `mws.amazonservices.com`.
    NorthAmerica,
    /// Europe on `mws-eu.amazonservices.com` (AE and IN have their own hosts).
    Europe,
    /// Far East (JP, AU, SG).
    FarEast,
    /// China (`mws.amazonservices.com.cn`; gone from the 2022 documentation).
    China,
}

/// One Amazon marketplace: country, id and the endpoint that served it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Marketplace {
    /// Two-letter country code (`GB` for the UK).
    pub country: &'static str,
    /// The MarketplaceId, unchanged in SP-API.
    pub id: &'static str,
    /// The MWS endpoint (scheme and host).
    pub endpoint: &'static str,
    /// The region.
    pub region: Region,
}

impl fmt::Debug for Marketplace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Marketplace({} {})", self.country, self.id)
    }
}

macro_rules! marketplaces {
    ($($name:ident, $country:literal, $id:literal, $endpoint:literal, $region:ident;)*) => {
        impl Marketplace {
            $(
                #[doc = concat!("Amazon ", $country, " (`", $id, "`) on `", $endpoint, "`.")]
                pub const $name: Marketplace = Marketplace {
                    country: $country,
                    id: $id,
                    endpoint: $endpoint,
                    region: Region::$region,
                };
            )*
            /// Every marketplace this crate knows.
            pub const ALL: &'static [Marketplace] = &[$(Marketplace::$name),*];
        }
    };
}

marketplaces! {
    US, "US", "ATVPDKIKX0DER", "https://mws.amazonservices.com", NorthAmerica;
    CA, "CA", "A2EUQ1WTGCTBG2", "https://mws.amazonservices.ca", NorthAmerica;
    MX, "MX", "A1AM78C64UM0Y8", "https://mws.amazonservices.com.mx", NorthAmerica;
    BR, "BR", "A2Q3Y263D00KWC", "https://mws.amazonservices.com", NorthAmerica;
    DE, "DE", "A1PA6795UKMFR9", "https://mws-eu.amazonservices.com", Europe;
    ES, "ES", "A1RKKUPIHCS9HS", "https://mws-eu.amazonservices.com", Europe;
    FR, "FR", "A13V1IB3VIYZZH", "https://mws-eu.amazonservices.com", Europe;
    IT, "IT", "APJ6JRA9NG5V4", "https://mws-eu.amazonservices.com", Europe;
    GB, "GB", "A1F83G8C2ARO7P", "https://mws-eu.amazonservices.com", Europe;
    NL, "NL", "A1805IZSGTT6HS", "https://mws-eu.amazonservices.com", Europe;
    SE, "SE", "A2NODRKZP88ZB9", "https://mws-eu.amazonservices.com", Europe;
    PL, "PL", "A1C3SOZRARQ6R3", "https://mws-eu.amazonservices.com", Europe;
    BE, "BE", "AMEN7PMS3EDWL", "https://mws-eu.amazonservices.com", Europe;
    TR, "TR", "A33AVAJ2PDY3EV", "https://mws-eu.amazonservices.com", Europe;
    SA, "SA", "A17E79C6D8DWNP", "https://mws-eu.amazonservices.com", Europe;
    EG, "EG", "ARBP9OOSHTCHU", "https://mws-eu.amazonservices.com", Europe;
    AE, "AE", "A2VIGQ35RCS4UG", "https://mws.amazonservices.ae", Europe;
    IN, "IN", "A21TJRUUN4KGV", "https://mws.amazonservices.in", Europe;
    JP, "JP", "A1VC38T7YXB528", "https://mws.amazonservices.jp", FarEast;
    AU, "AU", "A39IBJ37TRP1C6", "https://mws.amazonservices.com.au", FarEast;
    SG, "SG", "A19VAU5U5O7RUS", "https://mws-fe.amazonservices.com", FarEast;
    CN, "CN", "AAHKV2X7AFYLW", "https://mws.amazonservices.com.cn", China;
}

impl Marketplace {
    /// Looks a marketplace up by its id.
    pub fn by_id(id: &str) -> Option<Marketplace> {
        Self::ALL.iter().copied().find(|m| m.id == id)
    }

    /// Looks a marketplace up by country code (`UK` is accepted for `GB`).
    pub fn by_country(country: &str) -> Option<Marketplace> {
        let country = if country.eq_ignore_ascii_case("UK") {
            "GB"
        } else {
            country
        };
        Self::ALL
            .iter()
            .copied()
            .find(|m| m.country.eq_ignore_ascii_case(country))
    }

    /// The endpoint that serves this marketplace.
    pub fn endpoint(&self) -> Endpoint {
        Endpoint::from_static(self.endpoint)
    }
}

/// The base URL requests are sent to: an Amazon host, or a custom one (wiremock, the
/// sandbox). Section paths (`/Orders/2013-09-01`) are appended to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    base: Url,
}

impl Endpoint {
    /// A custom endpoint, e.g. `http://127.0.0.1:8080` or `http://host/prefix`.
    pub fn custom(base: &str) -> Result<Self, Error> {
        let base = Url::parse(base)
            .map_err(|e| Error::InvalidRequest(format!("endpoint {base:?}: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(Error::InvalidRequest(format!(
                "endpoint {base} must be an http(s) URL with a host"
            )));
        }
        Ok(Self { base })
    }

    fn from_static(base: &'static str) -> Self {
        // Only called with the constant table above, which a unit test parses in full; no
        // input from the network, a file or a user reaches this `expect`.
        #[allow(clippy::expect_used)]
        let base = Url::parse(base).expect("static MWS endpoint table holds valid URLs");
        Self { base }
    }

    /// The endpoint of a region's main host.
    pub fn for_region(region: Region) -> Self {
        match region {
            Region::NorthAmerica => Marketplace::US.endpoint(),
            Region::Europe => Marketplace::DE.endpoint(),
            Region::FarEast => Marketplace::SG.endpoint(),
            Region::China => Marketplace::CN.endpoint(),
        }
    }

    /// The base URL.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The URL of a section path such as `/Orders/2013-09-01` under this endpoint.
    pub fn url_for(&self, section_path: &str) -> Url {
        let mut url = self.base.clone();
        let prefix = url.path().trim_end_matches('/').to_owned();
        let path = format!("{prefix}/{}", section_path.trim_start_matches('/'));
        url.set_path(&path);
        url.set_query(None);
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_static_endpoint_is_a_valid_url() {
        for m in Marketplace::ALL {
            let url = Url::parse(m.endpoint).unwrap();
            assert_eq!(url.scheme(), "https", "{m:?}");
            assert_eq!(
                m.endpoint().base().as_str().trim_end_matches('/'),
                m.endpoint
            );
        }
        assert_eq!(Marketplace::ALL.len(), 22);
    }

    #[test]
    fn lookups() {
        assert_eq!(Marketplace::by_id("A1F83G8C2ARO7P"), Some(Marketplace::GB));
        assert_eq!(Marketplace::by_country("uk"), Some(Marketplace::GB));
        assert_eq!(
            Marketplace::by_country("ca").map(|m| m.id),
            Some("A2EUQ1WTGCTBG2")
        );
        assert_eq!(Marketplace::by_id("nope"), None);
    }

    #[test]
    fn section_urls() {
        let e = Endpoint::custom("http://127.0.0.1:9000").unwrap();
        assert_eq!(
            e.url_for("/Orders/2013-09-01").as_str(),
            "http://127.0.0.1:9000/Orders/2013-09-01"
        );
        let e = Endpoint::custom("http://h/prefix/").unwrap();
        assert_eq!(
            e.url_for("/Feeds/2009-01-01").as_str(),
            "http://h/prefix/Feeds/2009-01-01"
        );
        assert_eq!(
            Endpoint::for_region(Region::Europe).url_for("/").as_str(),
            "https://mws-eu.amazonservices.com/"
        );
        assert!(Endpoint::custom("ftp://x").is_err());
        assert!(Endpoint::custom("not a url").is_err());
    }
}
