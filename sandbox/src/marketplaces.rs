//! Amazon marketplaces the sandbox knows, with the local data the generator draws from.

use rust_decimal::Decimal;

/// Marketplaces a default sandbox seller participates in: US, CA, UK, DE, FR, JP (four
/// currencies, Latin and Japanese scripts).
pub const DEFAULT_MARKETPLACES: &[&str] = &[
    "ATVPDKIKX0DER",
    "A2EUQ1WTGCTBG2",
    "A1F83G8C2ARO7P",
    "A1PA6795UKMFR9",
    "A13V1IB3VIYZZH",
    "A1VC38T7YXB528",
];

/// One marketplace and what orders placed there look like.
#[derive(Debug)]
pub(crate) struct Marketplace {
    pub(crate) id: &'static str,
    /// ISO 3166-1 alpha-2 country of addresses (GB, not UK).
    pub(crate) country: &'static str,
    pub(crate) name: &'static str,
    pub(crate) currency: &'static str,
    pub(crate) language: &'static str,
    pub(crate) domain: &'static str,
    /// Decimal places of the currency.
    pub(crate) scale: u32,
    /// Price multiplier from the USD catalogue price.
    pub(crate) fx: Decimal,
    /// Tax rate applied to item and shipping prices (per cent).
    pub(crate) tax_pct: u32,
    pub(crate) first_names: &'static [&'static str],
    pub(crate) last_names: &'static [&'static str],
    pub(crate) streets: &'static [&'static str],
    /// (city, state or region, postal code)
    pub(crate) cities: &'static [(&'static str, &'static str, &'static str)],
    pub(crate) phone_prefix: &'static str,
    pub(crate) carriers: &'static [&'static str],
}

const US_FIRST: &[&str] = &[
    "James", "Mary", "José", "Zoë", "Chloé", "Nguyễn", "Aaliyah", "Liam", "Sofía", "Björn",
];
const US_LAST: &[&str] = &[
    "Smith", "García", "O'Brien", "Nguyen", "Johnson", "Müller", "Peña", "Kowalski", "Lee", "Brown",
];
const US_STREETS: &[&str] = &[
    "Main St",
    "Oak Avenue",
    "Maple Dr",
    "Cañon Rd",
    "Pine St",
    "Elm Court",
];
const US_CITIES: &[(&str, &str, &str)] = &[
    ("Seattle", "WA", "98101"),
    ("Canton", "MI", "48817"),
    ("Austin", "TX", "78701"),
    ("San José", "CA", "95113"),
    ("Española", "NM", "87532"),
    ("Brooklyn", "NY", "11201"),
];
const CA_FIRST: &[&str] = &[
    "Étienne",
    "Amélie",
    "Noah",
    "Chloé",
    "François",
    "Olivia",
    "Benoît",
];
const CA_LAST: &[&str] = &[
    "Tremblay",
    "Gagnon",
    "Côté",
    "Roy",
    "Bouchard",
    "Wilson",
    "Lévesque",
];
const CA_STREETS: &[&str] = &[
    "rue Saint-Denis",
    "Queen St W",
    "boulevard René-Lévesque",
    "Bay St",
];
const CA_CITIES: &[(&str, &str, &str)] = &[
    ("Montréal", "QC", "H2X 1Y4"),
    ("Toronto", "ON", "M5V 2T6"),
    ("Québec", "QC", "G1R 4P5"),
    ("Vancouver", "BC", "V6B 1A1"),
];
const UK_FIRST: &[&str] = &[
    "Oliver", "Amelia", "Siobhán", "Rhys", "Eilidh", "Zoë", "Seán",
];
const UK_LAST: &[&str] = &[
    "Jones",
    "Ó Briain",
    "Williams",
    "Taylor",
    "MacDonald",
    "Davies",
    "Ní Mhaoláin",
];
const UK_STREETS: &[&str] = &[
    "High Street",
    "Station Road",
    "Church Lane",
    "Victoria Road",
];
const UK_CITIES: &[(&str, &str, &str)] = &[
    ("London", "Greater London", "SW1A 1AA"),
    ("Manchester", "Greater Manchester", "M1 1AE"),
    ("Cardiff", "South Glamorgan", "CF10 1EP"),
    ("Edinburgh", "Midlothian", "EH1 1YZ"),
];
const DE_FIRST: &[&str] = &[
    "Jürgen", "Käthe", "Björn", "Lena", "Jörg", "Müge", "Łukasz", "Anaïs",
];
const DE_LAST: &[&str] = &[
    "Müller",
    "Schröder",
    "Weiß",
    "Groß",
    "Öztürk",
    "Bäcker",
    "Schäfer",
];
const DE_STREETS: &[&str] = &[
    "Hauptstraße",
    "Königsallee",
    "Bahnhofstraße",
    "Schloßstraße",
    "Am Großen Wannsee",
];
const DE_CITIES: &[(&str, &str, &str)] = &[
    ("München", "Bayern", "80331"),
    ("Köln", "Nordrhein-Westfalen", "50667"),
    ("Düsseldorf", "Nordrhein-Westfalen", "40213"),
    ("Berlin", "Berlin", "10115"),
    ("Nürnberg", "Bayern", "90402"),
];
const FR_FIRST: &[&str] = &[
    "François",
    "Hélène",
    "Zoé",
    "Gaël",
    "Anaïs",
    "Jérôme",
    "Maëlle",
];
const FR_LAST: &[&str] = &[
    "Lefèvre",
    "Dubois",
    "Bérénger",
    "Moreau",
    "Fontaine",
    "Girard",
    "Leroy",
];
const FR_STREETS: &[&str] = &[
    "rue de la Paix",
    "avenue des Champs-Élysées",
    "rue Saint-Honoré",
    "place Bellecour",
];
const FR_CITIES: &[(&str, &str, &str)] = &[
    ("Paris", "Île-de-France", "75008"),
    ("Lyon", "Auvergne-Rhône-Alpes", "69002"),
    ("Orléans", "Centre-Val de Loire", "45000"),
    ("Besançon", "Bourgogne-Franche-Comté", "25000"),
];
const JP_FIRST: &[&str] = &["太郎", "花子", "翔太", "さくら", "健", "美咲"];
const JP_LAST: &[&str] = &["山田", "佐藤", "鈴木", "高橋", "田中", "渡辺"];
const JP_STREETS: &[&str] = &["千代田1-1", "銀座4-5-6", "梅田2-4-9", "栄3-15-33"];
const JP_CITIES: &[(&str, &str, &str)] = &[
    ("千代田区", "東京都", "100-0001"),
    ("中央区", "東京都", "104-0061"),
    ("大阪市北区", "大阪府", "530-0001"),
    ("名古屋市中区", "愛知県", "460-0008"),
];
const MX_FIRST: &[&str] = &["José", "María", "Ñuño", "Guadalupe", "Andrés"];
const MX_LAST: &[&str] = &["Hernández", "López", "Martínez", "Pérez", "Núñez"];
const MX_STREETS: &[&str] = &[
    "Av. Insurgentes Sur",
    "Calle Álvaro Obregón",
    "Paseo de la Reforma",
];
const MX_CITIES: &[(&str, &str, &str)] = &[
    ("Ciudad de México", "CDMX", "06600"),
    ("Guadalajara", "Jalisco", "44100"),
    ("Mérida", "Yucatán", "97000"),
];
const ES_FIRST: &[&str] = &["Íñigo", "Begoña", "Álvaro", "Núria", "Sofía"];
const ES_LAST: &[&str] = &["Muñoz", "Peña", "Ibáñez", "Gómez", "Castaño"];
const ES_STREETS: &[&str] = &["Calle Mayor", "Gran Vía", "Passeig de Gràcia"];
const ES_CITIES: &[(&str, &str, &str)] = &[
    ("Madrid", "Madrid", "28013"),
    ("Barcelona", "Cataluña", "08007"),
    ("A Coruña", "Galicia", "15001"),
];
const IT_FIRST: &[&str] = &["Niccolò", "Lucia", "Nicolò", "Chiara", "Andrea"];
const IT_LAST: &[&str] = &["Rossi", "Bianchi", "Esposito", "D'Angelo", "Romano"];
const IT_STREETS: &[&str] = &["Via del Corso", "Via Roma", "Corso Buenos Aires"];
const IT_CITIES: &[(&str, &str, &str)] = &[
    ("Roma", "RM", "00186"),
    ("Milano", "MI", "20124"),
    ("Forlì", "FC", "47121"),
];
const BR_FIRST: &[&str] = &["João", "Conceição", "Antônio", "Márcia", "Luíza"];
const BR_LAST: &[&str] = &["da Silva", "Gonçalves", "Araújo", "Simões", "Magalhães"];
const BR_STREETS: &[&str] = &["Rua Augusta", "Avenida Paulista", "Rua da Consolação"];
const BR_CITIES: &[(&str, &str, &str)] = &[
    ("São Paulo", "SP", "01310-100"),
    ("Rio de Janeiro", "RJ", "20040-020"),
    ("Belém", "PA", "66010-000"),
];

const NA_CARRIERS: &[&str] = &["UPS", "USPS", "FedEx", "DHL", "OnTrac"];
const EU_CARRIERS: &[&str] = &[
    "Royal Mail",
    "DHL",
    "DPD",
    "Hermes Logistik Gruppe",
    "La Poste",
    "GLS",
];
const JP_CARRIERS: &[&str] = &["YAMATO", "SAGAWA", "JP_EXPRESS"];

/// Every marketplace the sandbox can serve.
pub(crate) static MARKETPLACES: &[Marketplace] = &[
    Marketplace {
        id: "ATVPDKIKX0DER",
        country: "US",
        name: "Amazon.com",
        currency: "USD",
        language: "en_US",
        domain: "www.amazon.com",
        scale: 2,
        fx: Decimal::from_parts(100, 0, 0, false, 2),
        tax_pct: 8,
        first_names: US_FIRST,
        last_names: US_LAST,
        streets: US_STREETS,
        cities: US_CITIES,
        phone_prefix: "+1 206-555-",
        carriers: NA_CARRIERS,
    },
    Marketplace {
        id: "A2EUQ1WTGCTBG2",
        country: "CA",
        name: "Amazon.ca",
        currency: "CAD",
        language: "en_CA",
        domain: "www.amazon.ca",
        scale: 2,
        fx: Decimal::from_parts(136, 0, 0, false, 2),
        tax_pct: 13,
        first_names: CA_FIRST,
        last_names: CA_LAST,
        streets: CA_STREETS,
        cities: CA_CITIES,
        phone_prefix: "+1 514-555-",
        carriers: NA_CARRIERS,
    },
    Marketplace {
        id: "A1AM78C64UM0Y8",
        country: "MX",
        name: "Amazon.com.mx",
        currency: "MXN",
        language: "es_MX",
        domain: "www.amazon.com.mx",
        scale: 2,
        fx: Decimal::from_parts(1700, 0, 0, false, 2),
        tax_pct: 16,
        first_names: MX_FIRST,
        last_names: MX_LAST,
        streets: MX_STREETS,
        cities: MX_CITIES,
        phone_prefix: "+52 55 5555 ",
        carriers: NA_CARRIERS,
    },
    Marketplace {
        id: "A2Q3Y263D00KWC",
        country: "BR",
        name: "Amazon.com.br",
        currency: "BRL",
        language: "pt_BR",
        domain: "www.amazon.com.br",
        scale: 2,
        fx: Decimal::from_parts(520, 0, 0, false, 2),
        tax_pct: 17,
        first_names: BR_FIRST,
        last_names: BR_LAST,
        streets: BR_STREETS,
        cities: BR_CITIES,
        phone_prefix: "+55 11 5555-",
        carriers: NA_CARRIERS,
    },
    Marketplace {
        id: "A1F83G8C2ARO7P",
        country: "GB",
        name: "Amazon.co.uk",
        currency: "GBP",
        language: "en_GB",
        domain: "www.amazon.co.uk",
        scale: 2,
        fx: Decimal::from_parts(79, 0, 0, false, 2),
        tax_pct: 20,
        first_names: UK_FIRST,
        last_names: UK_LAST,
        streets: UK_STREETS,
        cities: UK_CITIES,
        phone_prefix: "+44 20 7946 ",
        carriers: EU_CARRIERS,
    },
    Marketplace {
        id: "A1PA6795UKMFR9",
        country: "DE",
        name: "Amazon.de",
        currency: "EUR",
        language: "de_DE",
        domain: "www.amazon.de",
        scale: 2,
        fx: Decimal::from_parts(92, 0, 0, false, 2),
        tax_pct: 19,
        first_names: DE_FIRST,
        last_names: DE_LAST,
        streets: DE_STREETS,
        cities: DE_CITIES,
        phone_prefix: "+49 30 5555",
        carriers: EU_CARRIERS,
    },
    Marketplace {
        id: "A13V1IB3VIYZZH",
        country: "FR",
        name: "Amazon.fr",
        currency: "EUR",
        language: "fr_FR",
        domain: "www.amazon.fr",
        scale: 2,
        fx: Decimal::from_parts(92, 0, 0, false, 2),
        tax_pct: 20,
        first_names: FR_FIRST,
        last_names: FR_LAST,
        streets: FR_STREETS,
        cities: FR_CITIES,
        phone_prefix: "+33 1 55 55 ",
        carriers: EU_CARRIERS,
    },
    Marketplace {
        id: "APJ6JRA9NG5V4",
        country: "IT",
        name: "Amazon.it",
        currency: "EUR",
        language: "it_IT",
        domain: "www.amazon.it",
        scale: 2,
        fx: Decimal::from_parts(92, 0, 0, false, 2),
        tax_pct: 22,
        first_names: IT_FIRST,
        last_names: IT_LAST,
        streets: IT_STREETS,
        cities: IT_CITIES,
        phone_prefix: "+39 06 5555 ",
        carriers: EU_CARRIERS,
    },
    Marketplace {
        id: "A1RKKUPIHCS9HS",
        country: "ES",
        name: "Amazon.es",
        currency: "EUR",
        language: "es_ES",
        domain: "www.amazon.es",
        scale: 2,
        fx: Decimal::from_parts(92, 0, 0, false, 2),
        tax_pct: 21,
        first_names: ES_FIRST,
        last_names: ES_LAST,
        streets: ES_STREETS,
        cities: ES_CITIES,
        phone_prefix: "+34 91 555 ",
        carriers: EU_CARRIERS,
    },
    Marketplace {
        id: "A1VC38T7YXB528",
        country: "JP",
        name: "Amazon.co.jp",
        currency: "JPY",
        language: "ja_JP",
        domain: "www.amazon.co.jp",
        scale: 0,
        fx: Decimal::from_parts(150, 0, 0, false, 0),
        tax_pct: 10,
        first_names: JP_FIRST,
        last_names: JP_LAST,
        streets: JP_STREETS,
        cities: JP_CITIES,
        phone_prefix: "+81 3-5555-",
        carriers: JP_CARRIERS,
    },
];

/// Looks a marketplace up by id.
pub(crate) fn by_id(id: &str) -> Option<&'static Marketplace> {
    MARKETPLACES.iter().find(|m| m.id == id)
}

/// Whether `id` is one of Amazon's marketplace ids known to the sandbox.
pub fn is_known_marketplace(id: &str) -> bool {
    by_id(id).is_some()
}
