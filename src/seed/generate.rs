//! Deterministic seed data (SPEC §9).
//!
//! * [`demo_contacts`] — the 482 HubSpot contacts of the demo workspace, in the
//!   final state of the design log: only Garrett Golden (Technology & Software,
//!   Manager) and Griselda Cervantes (Finance, Decision-maker) are enriched, both
//!   complete enough for a data-quality score of 100.
//! * [`contacts`] — any number of realistic contacts for any workspace, mixing
//!   unenriched contacts with every enrichment format of SPEC §6.2 and both
//!   spellings of the kernel analysis.
//!
//! The module is pure: no I/O, no clock, no database. Randomness comes from a
//! small splitmix64 generator written here (not the `rand` crate), seeded per
//! contact from `(seed, workspace, index)`; the output is therefore identical
//! on every platform and with every version of the dependencies, and contact
//! `i` never depends on contacts `0..i` (so `contacts(ws, s, n)` is a prefix of
//! `contacts(ws, s, n + 1)` and the iterator holds O(1) state).
//!
//! Derived (`enrichment_*`, `kernel_*`) columns are not filled here: the caller
//! runs the enrichment backfill of SPEC §6.2 on `enrichment_data` and
//! `kernel_analysis`.

use std::collections::HashSet;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

/// One generated contact: base columns + the raw enrichment JSON. Derived columns are NOT filled here
/// (the caller runs the enrichment backfill of §6.2 on enrichment_data/kernel_analysis).
#[derive(Debug, Clone, PartialEq)]
pub struct SeedContact {
    /// Primary key (a version-4 UUID built from the generator's bytes).
    pub id: Uuid,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// E-mail address, lower-case, unique within the workspace.
    pub email: String,
    /// Company name.
    pub company: Option<String>,
    /// Job title (the one title column).
    pub job_title: Option<String>,
    /// Phone number (US formats).
    pub phone: Option<String>,
    /// LinkedIn profile URL.
    pub linkedin_url: Option<String>,
    /// Company website URL.
    pub website: Option<String>,
    /// Base `vertical` column (as imported, not derived).
    pub vertical: Option<String>,
    /// Base `persona_type` column (as imported, not derived).
    pub persona_type: Option<String>,
    /// Base `annual_revenue` column.
    pub annual_revenue: Option<i64>,
    /// `pending` | `completed` | `failed` | `processing`.
    pub enrichment_status: &'static str,
    /// Raw enrichment JSON in one of the formats of SPEC §6.2.
    pub enrichment_data: Option<Value>,
    /// Raw WHO/WHEN/WHAT analysis (long or short key spellings).
    pub kernel_analysis: Option<Value>,
    /// When the enrichment completed (only for `completed` contacts).
    pub enriched_at: Option<DateTime<Utc>>,
    /// HubSpot-style lifecycle stage.
    pub lifecycle_stage: Option<String>,
    /// HubSpot-style lead status.
    pub lead_status: Option<String>,
    /// HubSpot-style deal pipeline stage.
    pub pipeline_stage: Option<String>,
    /// Identifier in the source system (Salesforce id, CSV row, API id).
    pub external_id: Option<String>,
    /// HubSpot contact id (numeric string) for contacts imported from HubSpot.
    pub hubspot_id: Option<String>,
    /// A key of [`products_catalog`], or `None`.
    pub assigned_product: Option<String>,
    /// `csv` | `hubspot` | `salesforce` | `manual` | `api`.
    pub source: &'static str,
    /// Tags from [`TAGS`] (0–3, distinct).
    pub tags: Vec<String>,
    /// Free-text notes.
    pub notes: Option<String>,
    /// Creation time: within the two years before [`epoch`], microsecond precision.
    pub created_at: DateTime<Utc>,
}

/// The demo workspace of §9.
pub const DEMO_WORKSPACE: Uuid = Uuid::from_u128(0x1111_1111_1111_1111_1111_1111_1111_1111);

/// Number of contacts of the demo workspace (the log's final state).
pub const DEMO_CONTACT_COUNT: usize = 482;

/// Allowed values of `enrichment_status`.
pub const ENRICHMENT_STATUSES: [&str; 4] = ["pending", "processing", "completed", "failed"];

/// Allowed values of `source`.
pub const SOURCES: [&str; 5] = ["csv", "hubspot", "salesforce", "manual", "api"];

/// Lifecycle stages the generator uses (HubSpot internal values).
pub const LIFECYCLE_STAGES: [&str; 8] = [
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
];

/// Lead statuses the generator uses (HubSpot internal values).
pub const LEAD_STATUSES: [&str; 8] = [
    "NEW",
    "OPEN",
    "IN_PROGRESS",
    "OPEN_DEAL",
    "UNQUALIFIED",
    "ATTEMPTED_TO_CONTACT",
    "CONNECTED",
    "BAD_TIMING",
];

/// Deal pipeline stages the generator uses (HubSpot default pipeline).
pub const PIPELINE_STAGES: [&str; 7] = [
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
];

/// Tag vocabulary.
pub const TAGS: [&str; 12] = [
    "inbound",
    "outbound",
    "webinar",
    "trade-show",
    "referral",
    "partner",
    "newsletter",
    "high-priority",
    "q1-target",
    "re-engage",
    "sba-eligible",
    "conference-2025",
];

/// Keys of [`products_catalog`].
pub const PRODUCT_KEYS: [&str; 5] =
    ["sba_504", "sba_7a", "equipment_finance", "commercial_real_estate", "working_capital"];

/// 2026-01-01T00:00:00Z in seconds since the Unix epoch.
const EPOCH_SECS: i64 = 1_767_225_600;
/// Two years (730 days) in microseconds.
const SPAN_US: u64 = 730 * 86_400 * 1_000_000;
/// Seed of the demo workspace (from the design log's name).
const DEMO_SEED: u64 = 0x6b9d_5f9a_463d_b6cb;
/// Stream separators, so that the demo and generated contacts never share a stream.
const STREAM_GENERATED: u64 = 0x5EED_C0DE_0000_0001;
const STREAM_DEMO: u64 = 0x5EED_C0DE_0000_0002;
/// Positions of the two enriched demo contacts.
const GARRETT_INDEX: u64 = 57;
const GRISELDA_INDEX: u64 = 318;

/// Fixed reference instant so that output does not depend on the clock: 2026-01-01T00:00:00Z.
pub fn epoch() -> DateTime<Utc> {
    DateTime::<Utc>::UNIX_EPOCH + TimeDelta::seconds(EPOCH_SECS)
}

/// The products catalog stored in users_settings.products for seeded workspaces
/// (SPEC §5 example: {"sba_504":{"name":"SBA 504 Loans","ltv":90,"close_days":30}, ...}, 5 products).
pub fn products_catalog() -> Value {
    serde_json::json!({
        "sba_504": {
            "name": "SBA 504 Loans",
            "ltv": 90,
            "close_days": 30,
            "min_amount": 250_000,
            "max_amount": 5_500_000,
            "description": "Long-term, fixed-rate financing for owner-occupied real estate and major equipment."
        },
        "sba_7a": {
            "name": "SBA 7(a) Loans",
            "ltv": 85,
            "close_days": 45,
            "min_amount": 50_000,
            "max_amount": 5_000_000,
            "description": "Flexible SBA-guaranteed loans for working capital, acquisitions and refinancing."
        },
        "equipment_finance": {
            "name": "Equipment Financing",
            "ltv": 100,
            "close_days": 14,
            "min_amount": 25_000,
            "max_amount": 2_000_000,
            "description": "Financing for vehicles, machinery and technology, secured by the equipment."
        },
        "commercial_real_estate": {
            "name": "Commercial Real Estate Loans",
            "ltv": 75,
            "close_days": 60,
            "min_amount": 500_000,
            "max_amount": 25_000_000,
            "description": "Acquisition and refinance loans for investor-owned commercial property."
        },
        "working_capital": {
            "name": "Working Capital Line of Credit",
            "ltv": 80,
            "close_days": 10,
            "min_amount": 50_000,
            "max_amount": 1_000_000,
            "description": "Revolving credit line to smooth seasonal cash flow."
        }
    })
}

/// `count` realistic contacts for `workspace`, deterministic from (`seed`, `workspace`); lazily generated
/// (an iterator holding O(1) state, so that 1 000 000 contacts never sit in memory at once).
/// `nth`/`skip` jump straight to the requested index.
pub fn contacts(workspace: Uuid, seed: u64, count: u64) -> impl Iterator<Item = SeedContact> {
    Contacts { workspace, seed, next: 0, end: count }
}

/// The contact at position `index` of `contacts(workspace, seed, _)`, computed directly
/// (useful to generate batches in parallel).
pub fn contact_at(workspace: Uuid, seed: u64, index: u64) -> SeedContact {
    generated_contact(workspace, seed, index)
}

/// The demo workspace's 482 contacts (final state of the design log), deterministic.
pub fn demo_contacts() -> impl Iterator<Item = SeedContact> {
    let mut used: HashSet<String> = HashSet::with_capacity(DEMO_CONTACT_COUNT * 2);
    used.insert(GARRETT_EMAIL.to_owned());
    used.insert(GRISELDA_EMAIL.to_owned());
    let mut out = Vec::with_capacity(DEMO_CONTACT_COUNT);
    for i in 0..DEMO_CONTACT_COUNT as u64 {
        let c = match i {
            GARRETT_INDEX => garrett_golden(i),
            GRISELDA_INDEX => griselda_cervantes(i),
            _ => demo_plain(i, &mut used),
        };
        out.push(c);
    }
    out.into_iter()
}

// ---------------------------------------------------------------------------
// Iterator
// ---------------------------------------------------------------------------

struct Contacts {
    workspace: Uuid,
    seed: u64,
    next: u64,
    end: u64,
}

impl Iterator for Contacts {
    type Item = SeedContact;

    fn next(&mut self) -> Option<SeedContact> {
        if self.next >= self.end {
            return None;
        }
        let i = self.next;
        self.next += 1;
        Some(generated_contact(self.workspace, self.seed, i))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match usize::try_from(self.end - self.next) {
            Ok(n) => (n, Some(n)),
            Err(_) => (usize::MAX, None),
        }
    }

    fn nth(&mut self, n: usize) -> Option<SeedContact> {
        let n = u64::try_from(n).unwrap_or(u64::MAX);
        self.next = self.next.saturating_add(n).min(self.end);
        self.next()
    }

    fn count(self) -> usize {
        usize::try_from(self.end - self.next).unwrap_or(usize::MAX)
    }
}

// ---------------------------------------------------------------------------
// PRNG (splitmix64)
// ---------------------------------------------------------------------------

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// splitmix64: tiny, fast, fully specified, so output never changes with a crate version.
struct Rng(u64);

impl Rng {
    fn for_contact(seed: u64, workspace: Uuid, index: u64, stream: u64) -> Self {
        let w = workspace.as_u128();
        let hi = (w >> 64) as u64;
        let lo = w as u64;
        let mut h = mix64(seed ^ stream);
        h = mix64(h ^ hi.wrapping_add(GOLDEN_GAMMA));
        h = mix64(h ^ lo.wrapping_add(GOLDEN_GAMMA.wrapping_mul(2)));
        h = mix64(h ^ index.wrapping_mul(0xD6E8_FEB8_6659_FD93));
        Rng(h)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN_GAMMA);
        mix64(self.0)
    }

    /// Uniform in `0..n` (`n > 0`), multiply-shift.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.index(items.len())]
    }

    fn pick_ref<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// True with probability `pct` percent.
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    fn uuid(&mut self) -> Uuid {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

// ---------------------------------------------------------------------------
// Small string helpers (cheap: no format! machinery)
// ---------------------------------------------------------------------------

fn cat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// Appends the lower-cased ASCII letters and digits of `s`.
fn push_slug(out: &mut String, s: &str) {
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        }
    }
}

fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(char::from(b));
    }
}

fn push_padded(out: &mut String, n: u64, width: usize) {
    let mut digits = 1;
    let mut m = n / 10;
    while m > 0 {
        digits += 1;
        m /= 10;
    }
    for _ in digits..width {
        out.push('0');
    }
    push_u64(out, n);
}

/// `1234567` → `1,234,567`.
fn push_grouped(out: &mut String, n: u64) {
    if n < 1000 {
        push_u64(out, n);
        return;
    }
    push_grouped(out, n / 1000);
    out.push(',');
    push_padded(out, n % 1000, 3);
}

fn num(n: u64) -> String {
    let mut s = String::with_capacity(20);
    push_u64(&mut s, n);
    s
}

fn grouped(n: u64) -> String {
    let mut s = String::with_capacity(26);
    push_grouped(&mut s, n);
    s
}

fn push_hex(out: &mut String, mut n: u64, digits: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 16];
    for slot in buf.iter_mut().take(digits) {
        *slot = HEX[(n & 0xF) as usize];
        n >>= 4;
    }
    for &b in buf[..digits].iter().rev() {
        out.push(char::from(b));
    }
}

fn s(v: &str) -> Value {
    Value::String(v.to_owned())
}

fn obj() -> Map<String, Value> {
    Map::new()
}

fn put(m: &mut Map<String, Value>, k: &str, v: Value) {
    m.insert(k.to_owned(), v);
}

fn str_array(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|i| s(i)).collect())
}

fn rfc3339(t: DateTime<Utc>) -> Value {
    Value::String(t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

// ---------------------------------------------------------------------------
// Word lists
// ---------------------------------------------------------------------------

// No "Garrett"/"Griselda" here and no last name starting with "Gold": the demo's
// two enriched contacts must be the only ones with those names.
const FIRST_NAMES: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Christopher",
    "Karen",
    "Charles",
    "Lisa",
    "Daniel",
    "Nancy",
    "Matthew",
    "Betty",
    "Anthony",
    "Sandra",
    "Mark",
    "Margaret",
    "Donald",
    "Ashley",
    "Steven",
    "Kimberly",
    "Andrew",
    "Emily",
    "Paul",
    "Donna",
    "Joshua",
    "Michelle",
    "Kenneth",
    "Carol",
    "Kevin",
    "Amanda",
    "Brian",
    "Melissa",
    "Timothy",
    "Deborah",
    "Ronald",
    "Stephanie",
    "Jason",
    "Rebecca",
    "George",
    "Sharon",
    "Edward",
    "Laura",
    "Jeffrey",
    "Cynthia",
    "Ryan",
    "Dorothy",
    "Jacob",
    "Amy",
    "Nicholas",
    "Kathleen",
    "Gary",
    "Angela",
    "Eric",
    "Shirley",
    "Jonathan",
    "Emma",
    "Stephen",
    "Brenda",
    "Larry",
    "Pamela",
    "Justin",
    "Nicole",
    "Scott",
    "Anna",
    "Brandon",
    "Samantha",
    "Benjamin",
    "Katherine",
    "Samuel",
    "Christine",
    "Gregory",
    "Debra",
    "Alexander",
    "Rachel",
    "Patrick",
    "Carolyn",
    "Frank",
    "Janet",
    "Raymond",
    "Maria",
    "Jack",
    "Olivia",
    "Dennis",
    "Heather",
    "Jerry",
    "Helen",
    "Tyler",
    "Catherine",
    "Aaron",
    "Diane",
    "Jose",
    "Julie",
    "Adam",
    "Victoria",
    "Nathan",
    "Joyce",
    "Henry",
    "Lauren",
    "Zachary",
    "Kelly",
    "Douglas",
    "Christina",
    "Peter",
    "Ruth",
    "Kyle",
    "Joan",
    "Noah",
    "Virginia",
    "Ethan",
    "Judith",
    "Jeremy",
    "Evelyn",
    "Christian",
    "Hannah",
    "Walter",
    "Andrea",
    "Keith",
    "Megan",
    "Austin",
    "Cheryl",
    "Roger",
    "Jacqueline",
    "Terry",
    "Madison",
    "Sean",
    "Teresa",
    "Gerald",
    "Abigail",
    "Carl",
    "Sophia",
    "Dylan",
    "Martha",
    "Harold",
    "Sara",
    "Jordan",
    "Gloria",
    "Jesse",
    "Janice",
    "Bryan",
    "Kathryn",
    "Lawrence",
    "Ann",
    "Arthur",
    "Isabella",
    "Gabriel",
    "Judy",
    "Bruce",
    "Charlotte",
    "Logan",
    "Julia",
    "Alan",
    "Grace",
    "Juan",
    "Amber",
    "Elijah",
    "Alice",
    "Albert",
    "Denise",
    "Wayne",
    "Frances",
    "Randy",
    "Danielle",
    "Mason",
    "Marilyn",
    "Vincent",
    "Natalie",
    "Liam",
    "Beverly",
    "Roy",
    "Diana",
    "Caleb",
    "Brittany",
    "Bradley",
    "Theresa",
    "Russell",
    "Kayla",
    "Lucas",
    "Alexis",
    "Priya",
    "Wei",
    "Mohammed",
    "Aisha",
    "Carlos",
    "Sofia",
    "Luis",
    "Ana",
    "Miguel",
    "Lucia",
    "Hiroshi",
    "Mei",
    "Raj",
    "Fatima",
    "Dmitri",
    "Elena",
    "Kwame",
    "Ngozi",
    "Diego",
    "Camila",
    "Marcus",
    "Jasmine",
    "Andre",
    "Tamika",
    "DeShawn",
    "Keisha",
    "Malik",
    "Latoya",
    "Omar",
    "Layla",
];

const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutierrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Ramos",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
    "Watson",
    "Brooks",
    "Chavez",
    "Wood",
    "James",
    "Bennett",
    "Gray",
    "Mendoza",
    "Ruiz",
    "Hughes",
    "Price",
    "Alvarez",
    "Castillo",
    "Sanders",
    "Patel",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "Jimenez",
    "Powell",
    "Jenkins",
    "Perry",
    "Russell",
    "Sullivan",
    "Bell",
    "Coleman",
    "Butler",
    "Henderson",
    "Barnes",
    "Fisher",
    "Vasquez",
    "Simmons",
    "Romero",
    "Jordan",
    "Patterson",
    "Alexander",
    "Hamilton",
    "Graham",
    "Reynolds",
    "Griffin",
    "Wallace",
    "Moreno",
    "West",
    "Cole",
    "Hayes",
    "Bryant",
    "Herrera",
    "Gibson",
    "Ellis",
    "Tran",
    "Medina",
    "Aguilar",
    "Stevens",
    "Murray",
    "Ford",
    "Castro",
    "Marshall",
    "Owens",
    "Harrison",
    "Fernandez",
    "McDonald",
    "Woods",
    "Washington",
    "Kennedy",
    "Wells",
    "Vargas",
    "Henry",
    "Chen",
    "Freeman",
    "Webb",
    "Tucker",
    "Guzman",
    "Burns",
    "Crawford",
    "Olson",
    "Simpson",
    "Porter",
    "Hunter",
    "Gordon",
    "Mendez",
    "Silva",
    "Shaw",
    "Snyder",
    "Mason",
    "Dixon",
    "Munoz",
    "Hunt",
    "Hicks",
    "Holmes",
    "Palmer",
    "Wagner",
    "Black",
    "Robertson",
    "Boyd",
    "Rose",
    "Stone",
    "Salazar",
    "Fox",
    "Warren",
    "Mills",
    "Meyer",
    "Rice",
    "Schmidt",
    "Garza",
    "Daniels",
    "Ferguson",
    "Nichols",
    "Stephens",
    "Soto",
    "Weaver",
    "Ryan",
    "Gardner",
    "Payne",
    "Grant",
    "Dunn",
    "Spencer",
    "Hawkins",
    "Arnold",
    "Pierce",
    "Hansen",
    "Peters",
    "Santos",
    "Hart",
    "Bradley",
    "Knight",
    "Elliott",
    "Cunningham",
    "Duncan",
    "Armstrong",
    "Hudson",
    "Carroll",
    "Lane",
    "Riley",
    "Andrews",
    "Alvarado",
    "Ray",
    "Delgado",
    "Berry",
    "Perkins",
    "Hoffman",
    "Johnston",
    "Matthews",
    "Pena",
    "Richards",
    "Contreras",
    "Willis",
    "Carpenter",
    "Sandoval",
    "O'Brien",
    "O'Connor",
    "Wang",
    "Zhang",
    "Liu",
    "Singh",
    "Shah",
    "Yamamoto",
    "Tanaka",
    "Kowalski",
    "Novak",
    "Okafor",
    "Mensah",
];

const COMPANY_PREFIXES: &[&str] = &[
    "Summit",
    "Pinnacle",
    "Blue Ridge",
    "Harbor",
    "Evergreen",
    "Northstar",
    "Ironwood",
    "Cedar",
    "Keystone",
    "Silverline",
    "Redwood",
    "Bayside",
    "Lakeshore",
    "Meridian",
    "Cornerstone",
    "Horizon",
    "Granite",
    "Riverbend",
    "Oakmont",
    "Sterling",
    "Crescent",
    "Liberty",
    "Pioneer",
    "Frontier",
    "Clearwater",
    "Highland",
    "Prairie",
    "Coastal",
    "Sierra",
    "Magnolia",
    "Beacon",
    "Atlas",
    "Vertex",
    "Trailhead",
    "Copperleaf",
    "Westfield",
    "Eastgate",
    "Northwind",
    "Sunbelt",
    "Lone Star",
    "Bluebonnet",
    "Cascade",
    "Tidewater",
    "Red Rock",
    "Heartland",
    "Canyon",
    "Anchor",
    "Patriot",
    "Ridgeline",
    "Stonebridge",
    "Willow Creek",
    "Maple",
    "Aspen",
    "Juniper",
    "Falcon",
    "Arrowhead",
    "Ember",
    "Lumen",
    "Nimbus",
    "Apex",
];

const LEGAL_SUFFIXES: &[&str] = &["", "", "", "", " Inc.", " LLC", " Corp.", " Co."];

const PERSONAL_DOMAINS: &[&str] = &[
    "gmail.com",
    "gmail.com",
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "icloud.com",
    "hotmail.com",
    "aol.com",
];

const TLDS: &[&str] = &[".com", ".com", ".com", ".com", ".com", ".net", ".co", ".io"];

struct Industry {
    name: &'static str,
    /// The company-name nouns of the industry ("Summit" + " " + noun).
    nouns: &'static [&'static str],
    /// What a business of the industry is called in prose.
    kind: &'static str,
    /// What contacts in the industry are responsible for.
    focus: &'static [&'static str],
    /// One-line company descriptions.
    about: &'static [&'static str],
}

const INDUSTRIES: &[Industry] = &[
    Industry {
        name: "Technology & Software",
        nouns: &["Software", "Technologies", "Systems", "Digital", "Labs"],
        kind: "software company",
        focus: &["platform engineering", "IT infrastructure and security", "product delivery"],
        about: &["B2B workflow software.", "Custom software and integration services."],
    },
    Industry {
        name: "Finance",
        nouns: &["Capital", "Financial", "Credit Union", "Lending", "Bancorp"],
        kind: "lender",
        focus: &["treasury and lending", "commercial lending relationships", "finance and accounting"],
        about: &["Community lender serving small businesses.", "Regional credit union."],
    },
    Industry {
        name: "SaaS",
        nouns: &["Cloud", "Analytics", "Platforms", "HQ", "Metrics"],
        kind: "SaaS vendor",
        focus: &["revenue operations", "customer success", "the go-to-market team"],
        about: &["B2B billing software.", "Subscription analytics for mid-market teams."],
    },
    Industry {
        name: "Healthcare",
        nouns: &["Health", "Medical Group", "Family Clinics", "Care Partners", "Dental"],
        kind: "medical practice",
        focus: &["patient care operations", "clinical staffing", "practice administration"],
        about: &["Multi-site primary care group.", "Outpatient specialty clinics."],
    },
    Industry {
        name: "Financial Services",
        nouns: &["Wealth Advisors", "Financial Group", "Payments", "Advisory"],
        kind: "advisory firm",
        focus: &["client advisory", "compliance and operations", "payments operations"],
        about: &["Independent wealth management firm.", "Payments processing for merchants."],
    },
    Industry {
        name: "Software Development",
        nouns: &["Dev Studio", "Code Works", "Software Studio", "Engineering"],
        kind: "development shop",
        focus: &["client delivery", "engineering hiring", "technical architecture"],
        about: &["Agency building web and mobile apps.", "Nearshore software development."],
    },
    Industry {
        name: "Food & Beverage",
        nouns: &["Foods", "Brewing Co.", "Coffee Roasters", "Provisions", "Beverage Co."],
        kind: "food producer",
        focus: &["production and distribution", "retail partnerships", "plant operations"],
        about: &["Craft brewery with regional distribution.", "Specialty food manufacturer."],
    },
    Industry {
        name: "Logistics",
        nouns: &["Logistics", "Freight", "Supply Chain", "Distribution", "Transport"],
        kind: "logistics firm",
        focus: &["fleet operations", "warehouse automation", "carrier relationships"],
        about: &["Regional freight broker.", "Third-party warehousing and fulfillment."],
    },
    Industry {
        name: "Manufacturing",
        nouns: &["Manufacturing", "Industries", "Fabrication", "Precision Parts", "Plastics"],
        kind: "manufacturer",
        focus: &["plant operations", "equipment purchasing", "supply chain planning"],
        about: &["Contract metal fabrication.", "Injection-molded components for OEMs."],
    },
    Industry {
        name: "Real Estate",
        nouns: &["Realty", "Properties", "Real Estate Group", "Development", "Land Co."],
        kind: "real estate firm",
        focus: &["acquisitions", "property management", "development financing"],
        about: &["Owner-operator of retail centers.", "Commercial property brokerage."],
    },
    Industry {
        name: "Insurance",
        nouns: &["Insurance", "Insurance Agency", "Underwriters", "Risk Partners"],
        kind: "insurance agency",
        focus: &["agency growth", "commercial lines", "claims operations"],
        about: &["Independent commercial insurance agency.", "Specialty risk underwriting."],
    },
    Industry {
        name: "Restaurants",
        nouns: &["Kitchen", "Restaurant Group", "Hospitality", "Grill", "Taqueria"],
        kind: "restaurant group",
        focus: &["new location openings", "franchise development", "kitchen operations"],
        about: &["Fast-casual restaurant group.", "Franchisee of a national burger brand."],
    },
    Industry {
        name: "Construction",
        nouns: &["Construction", "Builders", "Contracting", "Roofing"],
        kind: "contractor",
        focus: &["project estimating", "equipment purchasing", "field operations"],
        about: &["Commercial general contractor.", "Residential and light commercial roofing."],
    },
    Industry {
        name: "Retail",
        nouns: &["Outfitters", "Supply", "Market", "Home Goods"],
        kind: "retailer",
        focus: &["store expansion", "merchandising", "e-commerce operations"],
        about: &["Outdoor gear retailer with six stores.", "Neighborhood grocery chain."],
    },
    Industry {
        name: "Education",
        nouns: &["Academy", "Learning", "Schools", "Tutoring"],
        kind: "school",
        focus: &["enrollment", "campus facilities", "academic technology"],
        about: &["Private K-8 school network.", "Test-prep and tutoring centers."],
    },
    Industry {
        name: "Hospitality",
        nouns: &["Hotels", "Resorts", "Inn Group", "Suites"],
        kind: "hotel group",
        focus: &["property renovations", "guest experience", "revenue management"],
        about: &["Boutique hotel operator.", "Select-service hotel franchisee."],
    },
    Industry {
        name: "Legal Services",
        nouns: &["Law Group", "Legal", "Law Partners"],
        kind: "law firm",
        focus: &["firm operations", "practice growth", "legal technology"],
        about: &["Business and estate-planning law firm.", "Personal injury practice."],
    },
    Industry {
        name: "Marketing & Advertising",
        nouns: &["Marketing", "Media", "Creative", "Agency"],
        kind: "agency",
        focus: &["client services", "paid media", "new business"],
        about: &["Full-service digital marketing agency.", "Regional media buying firm."],
    },
    Industry {
        name: "Automotive",
        nouns: &["Motors", "Auto Group", "Collision", "Auto Parts"],
        kind: "dealership group",
        focus: &["dealership operations", "service department growth", "inventory financing"],
        about: &["Multi-brand dealership group.", "Collision repair centers."],
    },
    Industry {
        name: "Energy",
        nouns: &["Energy", "Solar", "Power", "Renewables"],
        kind: "energy company",
        focus: &["project finance", "field operations", "commercial installations"],
        about: &["Commercial solar installer.", "Fuel distribution and services."],
    },
    Industry {
        name: "Banking",
        nouns: &["Bank", "Community Bank", "Savings Bank", "Trust"],
        kind: "community bank",
        focus: &["commercial lending", "branch operations", "deposit growth"],
        about: &["Community bank with twelve branches.", "State-chartered savings bank."],
    },
    Industry {
        name: "Agriculture",
        nouns: &["Farms", "Growers", "Ag Supply", "Orchards"],
        kind: "farming operation",
        focus: &["equipment purchasing", "land acquisition", "crop sales"],
        about: &["Family-owned almond orchards.", "Agricultural equipment dealer."],
    },
    Industry {
        name: "Transportation",
        nouns: &["Trucking", "Transportation", "Fleet Services"],
        kind: "trucking company",
        focus: &["fleet replacement", "driver recruiting", "dispatch operations"],
        about: &["Regional less-than-truckload carrier.", "Owner-operator trucking fleet."],
    },
];

struct Persona {
    name: &'static str,
    titles: &'static [&'static str],
    decision_role: &'static str,
    influence: &'static str,
}

const PERSONAS: &[Persona] = &[
    Persona {
        name: "Decision-maker",
        titles: &["Owner", "President", "Chief Financial Officer", "Managing Partner", "General Manager"],
        decision_role: "decision_maker",
        influence: "high",
    },
    Persona {
        name: "Executive",
        titles: &["Chief Operating Officer", "Chief Revenue Officer", "EVP of Operations"],
        decision_role: "decision_maker",
        influence: "high",
    },
    Persona {
        name: "VP of Sales",
        titles: &["VP of Sales", "Vice President, Sales", "SVP Sales"],
        decision_role: "decision_maker",
        influence: "high",
    },
    Persona {
        name: "Manager",
        titles: &["Operations Manager", "Office Manager", "Sales Manager", "Project Manager"],
        decision_role: "influencer",
        influence: "medium",
    },
    Persona {
        name: "Director of IT",
        titles: &["Director of IT", "IT Director", "Head of Infrastructure"],
        decision_role: "evaluator",
        influence: "medium",
    },
    Persona {
        name: "Champion",
        titles: &["Revenue Operations Lead", "Sales Enablement Manager", "Senior Account Executive"],
        decision_role: "champion",
        influence: "medium",
    },
    Persona {
        name: "Owner",
        titles: &["Owner", "Co-Owner", "Owner & Operator"],
        decision_role: "decision_maker",
        influence: "high",
    },
    Persona {
        name: "owner_operator",
        titles: &["Owner-Operator", "Franchise Owner", "Owner"],
        decision_role: "decision_maker",
        influence: "high",
    },
    Persona {
        name: "Head of Nursing",
        titles: &["Head of Nursing", "Director of Nursing", "Chief Nursing Officer"],
        decision_role: "influencer",
        influence: "medium",
    },
    Persona {
        name: "Chief Executive Officer",
        titles: &["CEO", "Chief Executive Officer", "CEO & Co-Founder"],
        decision_role: "decision_maker",
        influence: "high",
    },
    Persona {
        name: "Influencer",
        titles: &["Senior Analyst", "Procurement Specialist", "Controller"],
        decision_role: "influencer",
        influence: "medium",
    },
    Persona {
        name: "End User",
        titles: &["Account Executive", "Sales Representative", "Staff Accountant", "Dispatcher"],
        decision_role: "end_user",
        influence: "low",
    },
    Persona {
        name: "Executive Decision Maker",
        titles: &["Managing Director", "Principal"],
        decision_role: "decision_maker",
        influence: "high",
    },
    Persona {
        name: "Founder",
        titles: &["Founder", "Co-Founder", "Founder & CEO"],
        decision_role: "decision_maker",
        influence: "high",
    },
    Persona {
        name: "CFO",
        titles: &["CFO", "Chief Financial Officer", "VP of Finance"],
        decision_role: "decision_maker",
        influence: "high",
    },
    Persona {
        name: "Gatekeeper",
        titles: &["Executive Assistant", "Office Administrator"],
        decision_role: "gatekeeper",
        influence: "low",
    },
    Persona {
        name: "Technical Evaluator",
        titles: &["Solutions Architect", "Senior Software Engineer", "Systems Administrator"],
        decision_role: "evaluator",
        influence: "medium",
    },
    Persona {
        name: "Director",
        titles: &["Director of Operations", "Director of Finance", "Director of Marketing"],
        decision_role: "influencer",
        influence: "medium",
    },
];

struct City {
    name: &'static str,
    state: &'static str,
    area_code: &'static str,
}

const fn city(name: &'static str, state: &'static str, area_code: &'static str) -> City {
    City { name, state, area_code }
}

const CITIES: &[City] = &[
    city("Austin", "TX", "512"),
    city("Dallas", "TX", "214"),
    city("Houston", "TX", "713"),
    city("San Antonio", "TX", "210"),
    city("Phoenix", "AZ", "602"),
    city("Denver", "CO", "303"),
    city("Seattle", "WA", "206"),
    city("Portland", "OR", "503"),
    city("San Francisco", "CA", "415"),
    city("Los Angeles", "CA", "213"),
    city("San Diego", "CA", "619"),
    city("Fresno", "CA", "559"),
    city("Sacramento", "CA", "916"),
    city("Reno", "NV", "775"),
    city("Las Vegas", "NV", "702"),
    city("Salt Lake City", "UT", "801"),
    city("Chicago", "IL", "312"),
    city("Minneapolis", "MN", "612"),
    city("Kansas City", "MO", "816"),
    city("St. Louis", "MO", "314"),
    city("Nashville", "TN", "615"),
    city("Atlanta", "GA", "404"),
    city("Charlotte", "NC", "704"),
    city("Raleigh", "NC", "919"),
    city("Miami", "FL", "305"),
    city("Tampa", "FL", "813"),
    city("Orlando", "FL", "407"),
    city("New York", "NY", "212"),
    city("Boston", "MA", "617"),
    city("Philadelphia", "PA", "215"),
    city("Pittsburgh", "PA", "412"),
    city("Columbus", "OH", "614"),
    city("Cleveland", "OH", "216"),
    city("Detroit", "MI", "313"),
    city("Indianapolis", "IN", "317"),
    city("Omaha", "NE", "402"),
    city("Boise", "ID", "208"),
    city("Albuquerque", "NM", "505"),
    city("Oklahoma City", "OK", "405"),
    city("Baltimore", "MD", "410"),
];

const TALKING_POINTS: &[&str] = &[
    "Pipeline velocity",
    "Rep ramp time",
    "Branch expansion",
    "SBA lending volume",
    "Rate environment",
    "Hiring plans",
    "Data platform",
    "Equipment upgrades",
    "Cash-flow seasonality",
    "Succession planning",
    "New location openings",
    "Vendor consolidation",
    "Customer retention",
    "Cost of capital",
    "Owner-occupied real estate",
];

const TOPICS: &[&str] = &[
    "vendor consolidation",
    "equipment financing",
    "hiring in a tight labor market",
    "cash-flow forecasting",
    "expansion financing",
    "rising insurance costs",
    "automation",
    "customer retention",
];

const COSTS: &[&str] =
    &["borrowing", "insurance", "freight", "overtime", "software", "energy", "equipment leasing"];

const HIRING: &[&str] = &[
    "three data engineers",
    "two new store managers",
    "a controller",
    "regional sales roles",
    "CDL drivers",
    "registered nurses",
    "a second shift",
];

const HOOK_ANGLES: &[&str] = &[
    "Succession planning",
    "Refinancing window",
    "Expansion financing",
    "Equipment upgrade cycle",
    "Cash-flow smoothing",
    "Hiring surge",
    "Owner-occupied real estate",
];

const WHY_NOW: &[&str] = &[
    "Refinancing window",
    "Lease renewal coming up",
    "Recent expansion announcement",
    "Fiscal year planning",
    "Rate cuts expected",
];

const APPROACHES: &[&str] = &[
    "Lead with benchmark data.",
    "Open with a peer case study.",
    "Keep it short and ask for a 15-minute call.",
    "Reference the recent expansion.",
    "Offer a quick cash-flow analysis.",
];

const NEWS: &[&str] = &[
    "Opened a new location.",
    "Announced a regional expansion.",
    "Named to the Inc. 5000 list.",
    "Hired a new CFO.",
    "Acquired a local competitor.",
    "Launched a new product line.",
];

const VALUE_PROPS: &[&str] = &[
    "Faster close than a conventional loan",
    "Fixed rate for 25 years",
    "Up to 90% financing",
    "Preserves working capital",
    "One point of contact from term sheet to funding",
    "Cleaner CRM data",
];

const NOTES: &[&str] = &[
    "Met at the regional SBA lenders conference.",
    "Prefers e-mail over phone; follow up after quarter close.",
    "Asked for a rate sheet for owner-occupied property.",
    "Referred by an existing customer.",
    "Budget cycle starts in Q3.",
    "Left voicemail twice; assistant screens calls.",
    "Interested in equipment financing for two new trucks.",
    "Currently banking with a national lender, unhappy with response times.",
    "Do not call before 10am local time.",
    "Evaluating two competitors; decision expected next month.",
];

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const YEARS_WORDS: &[&str] = &["Six", "Eight", "Ten", "Twelve", "Fifteen", "Twenty"];

const TIMING: &[(&str, &str)] = &[
    ("URGENT", "high"),
    ("ACTIVE", "high"),
    ("ACTIVE", "medium"),
    ("WARMING", "medium"),
    ("NURTURE", "low"),
];

const CONTACT_TIMES: &[&str] = &["immediately", "Tuesday morning", "this week", "next quarter"];

const MODELS: &[&str] = &["sonar-pro", "sonar", "gpt-4o-mini"];

// ---------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------

/// Company name and e-mail domain.
fn company_name(r: &mut Rng, industry: &Industry) -> (String, String) {
    let prefix = r.pick(COMPANY_PREFIXES);
    let noun = r.pick(industry.nouns);
    let suffix = r.pick(LEGAL_SUFFIXES);
    let tld = if industry.name == "SaaS" && r.chance(50) { ".io" } else { r.pick(TLDS) };
    let name = cat(&[prefix, " ", noun, suffix]);
    let mut domain = String::with_capacity(prefix.len() + noun.len() + 4);
    push_slug(&mut domain, prefix);
    push_slug(&mut domain, noun);
    domain.push_str(tld);
    (name, domain)
}

fn phone(r: &mut Rng, area: &str) -> String {
    let exchange = r.range(201, 989) as u64;
    let line = r.below(10_000);
    let mut p = String::with_capacity(24);
    match r.below(4) {
        0 => {
            p.push('(');
            p.push_str(area);
            p.push_str(") ");
            push_u64(&mut p, exchange);
            p.push('-');
            push_padded(&mut p, line, 4);
        }
        1 => {
            p.push_str("+1 ");
            p.push_str(area);
            p.push('-');
            push_u64(&mut p, exchange);
            p.push('-');
            push_padded(&mut p, line, 4);
        }
        2 => {
            p.push_str(area);
            p.push('.');
            push_u64(&mut p, exchange);
            p.push('.');
            push_padded(&mut p, line, 4);
        }
        _ => {
            p.push_str(area);
            p.push('-');
            push_u64(&mut p, exchange);
            p.push('-');
            push_padded(&mut p, line, 4);
        }
    }
    if r.chance(5) {
        p.push_str(" ext. ");
        push_u64(&mut p, r.range(100, 499) as u64);
    }
    p
}

fn linkedin(r: &mut Rng, first: &str, last: &str) -> String {
    let mut u = String::with_capacity(64);
    u.push_str("https://www.linkedin.com/in/");
    push_slug(&mut u, first);
    u.push('-');
    push_slug(&mut u, last);
    if r.chance(70) {
        u.push('-');
        push_hex(&mut u, r.next_u64(), 8);
    }
    u
}

fn website(r: &mut Rng, domain: &str) -> String {
    if r.chance(80) { cat(&["https://www.", domain]) } else { cat(&["https://", domain]) }
}

fn created_at(r: &mut Rng, epoch: DateTime<Utc>) -> DateTime<Utc> {
    epoch - TimeDelta::microseconds((1 + r.below(SPAN_US)) as i64)
}

fn employees(r: &mut Rng) -> u32 {
    let (lo, hi) = match r.below(100) {
        0..=14 => (1, 10),
        15..=34 => (11, 50),
        35..=59 => (51, 200),
        60..=79 => (201, 1000),
        80..=91 => (1001, 5000),
        _ => (5001, 50_000),
    };
    r.range(lo, hi) as u32
}

/// Annual revenue, rounded the way people quote it.
fn revenue_for(r: &mut Rng, employees: u32) -> i64 {
    let raw = i64::from(employees) * r.range(60_000, 400_000);
    if raw >= 1_000_000 { raw / 100_000 * 100_000 } else { raw / 1000 * 1000 }
}

fn push_tenths(out: &mut String, tenths: i64) {
    push_u64(out, (tenths / 10) as u64);
    if tenths % 10 != 0 {
        out.push('.');
        push_u64(out, (tenths % 10) as u64);
    }
}

/// Revenue as text: "$12.5M", "€500K", "$1.2B", "$12,500,000", "4.5m", or an (unparseable) range.
fn revenue_text(r: &mut Rng, revenue: i64) -> String {
    let symbol = match r.below(10) {
        0 => "€",
        1 => "£",
        _ => "$",
    };
    let mut t = String::with_capacity(20);
    match r.below(20) {
        0 => {
            // A range: unparseable on purpose (SPEC: ranges → empty).
            let m = (revenue / 1_000_000).max(1);
            t.push_str(symbol);
            push_u64(&mut t, m as u64);
            t.push_str("M-");
            t.push_str(symbol);
            push_u64(&mut t, (m * 5) as u64);
            t.push('M');
        }
        1 | 2 => {
            t.push_str(symbol);
            push_grouped(&mut t, revenue as u64);
        }
        form => {
            let lower = form == 3;
            if form != 4 {
                t.push_str(symbol);
            }
            let suffix = if revenue >= 1_000_000_000 {
                push_tenths(&mut t, revenue / 100_000_000);
                if lower { 'b' } else { 'B' }
            } else if revenue >= 1_000_000 {
                push_tenths(&mut t, revenue / 100_000);
                if lower { 'm' } else { 'M' }
            } else {
                push_u64(&mut t, (revenue / 1000) as u64);
                if lower { 'k' } else { 'K' }
            };
            t.push(suffix);
        }
    }
    t
}

/// Revenue as JSON: a number (integer or float) or text.
fn revenue_value(r: &mut Rng, revenue: i64) -> Value {
    match r.below(10) {
        0..=3 => Value::from(revenue),
        4 => Value::from(revenue as f64 + 0.25),
        _ => Value::String(revenue_text(r, revenue)),
    }
}

/// Growth YoY as JSON: "18%", "-3%", "12.5%" or a fraction 0.07.
fn growth_value(r: &mut Rng) -> Value {
    let pct = r.range(-12, 48);
    match r.below(10) {
        0..=4 => {
            let mut g = String::with_capacity(5);
            if pct < 0 {
                g.push('-');
            }
            push_u64(&mut g, pct.unsigned_abs());
            g.push('%');
            Value::String(g)
        }
        5 => {
            let mut g = String::with_capacity(6);
            push_u64(&mut g, pct.unsigned_abs());
            g.push_str(".5%");
            Value::String(g)
        }
        _ => Value::from(pct as f64 / 100.0),
    }
}

const SIZE_BUCKETS: &[(u32, u32)] =
    &[(1, 10), (11, 50), (51, 200), (201, 500), (501, 1000), (1001, 5000), (5001, 10_000)];

/// A company-size text such as "51-200 employees", "1,000+", "250", "self-employed".
fn company_size_text(r: &mut Rng, employees: u32) -> String {
    if employees == 1 && r.chance(70) {
        return "self-employed".to_owned();
    }
    let bucket = SIZE_BUCKETS.iter().find(|(_, hi)| employees <= *hi).copied();
    match (r.below(10), bucket) {
        (0, _) => grouped(u64::from(employees)),
        (1, Some((lo, _))) if lo > 1 => {
            let mut t = grouped(u64::from(lo - 1));
            t.push('+');
            t
        }
        (_, None) => "10,000+".to_owned(),
        (k, Some((lo, hi))) => {
            let mut t = String::with_capacity(24);
            push_grouped(&mut t, u64::from(lo));
            t.push(if k == 2 { '–' } else { '-' });
            push_grouped(&mut t, u64::from(hi));
            if k < 7 {
                t.push_str(" employees");
            }
            t
        }
    }
}

/// "a " or "an " before `word`.
fn article(word: &str) -> &'static str {
    match word.as_bytes().first() {
        Some(b'a' | b'e' | b'i' | b'o' | b'u' | b'A' | b'E' | b'I' | b'O' | b'U') => "an ",
        _ => "a ",
    }
}

fn size_word(employees: u32) -> &'static str {
    match employees {
        0..=10 => "small",
        11..=200 => "growing",
        201..=1000 => "mid-sized",
        _ => "large",
    }
}

fn talking_points(r: &mut Rng) -> Value {
    let n = 2 + r.index(2);
    let start = r.index(TALKING_POINTS.len());
    let step = 1 + r.index(TALKING_POINTS.len() - 1);
    let mut items = Vec::with_capacity(n);
    for k in 0..n {
        items.push(s(TALKING_POINTS[(start + k * step) % TALKING_POINTS.len()]));
    }
    Value::Array(items)
}

/// Everything the text builders need about one contact.
struct Ctx<'a> {
    industry: &'static Industry,
    persona: &'static Persona,
    title: &'static str,
    city: &'static City,
    company: Option<&'a str>,
    website: Option<&'a str>,
    employees: u32,
    revenue: i64,
    enriched_at: DateTime<Utc>,
}

impl Ctx<'_> {
    /// The company in a sentence about the person.
    fn company_ref(&self) -> &str {
        self.company.unwrap_or("a small independent firm")
    }

    /// The company in a sentence addressed to the person.
    fn your_company(&self) -> &str {
        self.company.unwrap_or("your team")
    }

    fn location(&self) -> String {
        cat(&[self.city.name, ", ", self.city.state])
    }
}

fn background(r: &mut Rng, c: &Ctx<'_>) -> String {
    let focus = r.pick(c.industry.focus);
    match r.below(6) {
        0 => cat(&[c.title, " at ", c.company_ref(), ", responsible for ", focus, "."]),
        1 => cat(&[
            "Leads ",
            focus,
            " for a ",
            size_word(c.employees),
            " ",
            c.industry.kind,
            " based in ",
            c.city.name,
            ".",
        ]),
        2 => cat(&[
            r.pick(YEARS_WORDS),
            " years in ",
            c.industry.name,
            "; now runs ",
            focus,
            " at ",
            c.company_ref(),
            ".",
        ]),
        3 => cat(&[
            "Owns the budget for ",
            focus,
            " at a ",
            size_word(c.employees),
            " ",
            c.industry.kind,
            " in ",
            c.city.name,
            ".",
        ]),
        4 => cat(&["Former consultant who moved in-house to run ", focus, " at ", c.company_ref(), "."]),
        _ if c.employees >= 20 => cat(&[
            "Second-generation leader of ",
            article(c.industry.kind),
            c.industry.kind,
            " with about ",
            &grouped(u64::from(c.employees)),
            " employees.",
        ]),
        _ => cat(&[
            "Runs ",
            article(c.industry.kind),
            c.industry.kind,
            " in ",
            c.city.name,
            " as a one-person shop.",
        ]),
    }
}

fn hook(r: &mut Rng, c: &Ctx<'_>) -> String {
    match r.below(10) {
        0 => cat(&["Congrats on the new location opening in ", r.pick_ref(CITIES).name, "."]),
        1 => cat(&["Saw ", c.your_company(), " is hiring ", r.pick(HIRING), "."]),
        2 => cat(&["Your Q", &num(1 + r.below(4)), " expansion into ", r.pick_ref(CITIES).name]),
        3 => "Rates have moved since your last refinance; the math may work now.".to_owned(),
        4 => cat(&[
            "Noticed ",
            c.your_company(),
            " just celebrated ",
            &num(5 + r.below(40)),
            " years in business.",
        ]),
        5 => cat(&["Your recent post about ", r.pick(TOPICS), " stood out."]),
        6 => cat(&[
            "Most ",
            c.industry.kind,
            " teams we work with are rethinking ",
            r.pick(TOPICS),
            " this year.",
        ]),
        7 => cat(&["Your SBA 504 refinance window closes in ", r.pick(MONTHS)]),
        8 => cat(&["Peers in ", c.city.name, " cut their ", r.pick(COSTS), " costs by a third last year."]),
        _ => cat(&["Saw the news about ", c.your_company(), " adding a second location."]),
    }
}

// ---------------------------------------------------------------------------
// Enrichment formats (SPEC §6.2)
// ---------------------------------------------------------------------------

/// `{"quick_enrich": {...}, "provider", "model", "generated_at"}`.
fn nested_format(r: &mut Rng, c: &Ctx<'_>) -> Value {
    let mut q = obj();
    put(&mut q, "summary", Value::String(background(r, c)));
    put(&mut q, "opening_line", Value::String(hook(r, c)));
    let persona = if r.chance(5) { "" } else { c.persona.name };
    put(&mut q, "persona_type", s(persona));
    put(&mut q, "vertical", s(c.industry.name));
    put(&mut q, "inferred_title", s(c.title));
    put(&mut q, "inferred_company_website", c.website.map_or(Value::Null, s));
    put(&mut q, "inferred_location", Value::String(c.location()));
    put(&mut q, "talking_points", talking_points(r));
    if r.chance(25) {
        put(&mut q, "industry", s(c.industry.name));
    }
    if r.chance(30) {
        put(&mut q, "company_size", Value::String(company_size_text(r, c.employees)));
    }
    let mut m = obj();
    put(&mut m, "quick_enrich", Value::Object(q));
    put(&mut m, "provider", s("perplexity"));
    put(&mut m, "model", s(r.pick(MODELS)));
    put(&mut m, "generated_at", rfc3339(c.enriched_at));
    Value::Object(m)
}

/// The same keys at the top level, optionally `industry`, `company_size`, company texts and scalars.
fn flat_format(r: &mut Rng, c: &Ctx<'_>) -> Value {
    let mut m = obj();
    put(&mut m, "summary", Value::String(background(r, c)));
    if r.chance(70) {
        put(&mut m, "opening_line", Value::String(hook(r, c)));
    }
    put(&mut m, "persona_type", s(c.persona.name));
    // Industry, when present, wins over vertical; sometimes they disagree.
    let vertical = if r.chance(15) { r.pick_ref(INDUSTRIES).name } else { c.industry.name };
    put(&mut m, "vertical", s(vertical));
    put(&mut m, "talking_points", talking_points(r));
    put(&mut m, "inferred_title", s(c.title));
    put(&mut m, "inferred_location", Value::String(c.location()));
    put(&mut m, "recommended_approach", s(r.pick(APPROACHES)));
    if r.chance(50) {
        put(&mut m, "industry", s(c.industry.name));
    }
    if r.chance(50) {
        put(&mut m, "company_size", Value::String(company_size_text(r, c.employees)));
    }
    if r.chance(40) {
        put(&mut m, "company_description", s(r.pick(c.industry.about)));
    }
    if r.chance(40) {
        put(&mut m, "company_overview", s(r.pick(c.industry.about)));
    }
    if r.chance(30) {
        put(&mut m, "recent_news", s(r.pick(NEWS)));
    }
    if r.chance(25) {
        put(&mut m, "linkedin_url", Value::Null);
        put(&mut m, "website", Value::Null);
    }
    if r.chance(20) {
        if let Some(company) = c.company {
            put(&mut m, "company_name", s(company));
        }
        put(&mut m, "revenue", revenue_value(r, c.revenue));
        put(&mut m, "employees", Value::from(c.employees));
        put(&mut m, "growth_yoy", growth_value(r));
        put(&mut m, "job_title", s(c.title));
    }
    Value::Object(m)
}

/// `{"company": {name, industry, revenue, employees, growth_yoy}, "person": {title, background}}`.
fn company_object_format(r: &mut Rng, c: &Ctx<'_>) -> Value {
    let mut co = obj();
    if let Some(company) = c.company {
        put(&mut co, "name", s(company));
    }
    put(&mut co, "industry", s(c.industry.name));
    if r.chance(90) {
        put(&mut co, "revenue", revenue_value(r, c.revenue));
    }
    let employees = match r.below(10) {
        0 => Value::String(grouped(u64::from(c.employees))),
        1 => Value::String(company_size_text(r, c.employees)),
        _ => Value::from(c.employees),
    };
    put(&mut co, "employees", employees);
    if r.chance(85) {
        put(&mut co, "growth_yoy", growth_value(r));
    }
    let mut person = obj();
    put(&mut person, "title", s(c.title));
    if r.chance(90) {
        put(&mut person, "background", Value::String(background(r, c)));
    }
    let mut m = obj();
    put(&mut m, "company", Value::Object(co));
    put(&mut m, "person", Value::Object(person));
    Value::Object(m)
}

/// `{"raw_results": {...}, "synthesized": {profile_summary, hook_angle, opening_line, company_data{...}}}`.
fn legacy_format(r: &mut Rng, c: &Ctx<'_>) -> Value {
    let mut cd = obj();
    if let Some(company) = c.company {
        put(&mut cd, "name", s(company));
    }
    put(&mut cd, "industry", s(c.industry.name));
    let revenue =
        if r.chance(60) { Value::from(c.revenue) } else { Value::String(revenue_text(r, c.revenue)) };
    put(&mut cd, "revenue", revenue);
    let employees =
        if r.chance(50) { Value::from(c.employees) } else { Value::String(grouped(u64::from(c.employees))) };
    put(&mut cd, "employees", employees);
    let mut syn = obj();
    put(&mut syn, "profile_summary", Value::String(background(r, c)));
    put(&mut syn, "hook_angle", s(r.pick(HOOK_ANGLES)));
    if r.chance(70) {
        put(&mut syn, "opening_line", Value::String(hook(r, c)));
    }
    put(&mut syn, "why_buy_now", s(r.pick(WHY_NOW)));
    put(&mut syn, "company_data", Value::Object(cd));
    let mut raw = obj();
    put(&mut raw, "company", s(r.pick(c.industry.about)));
    put(&mut raw, "person", Value::String(cat(&[c.title, ", ", c.city.name])));
    let mut m = obj();
    put(&mut m, "raw_results", Value::Object(raw));
    put(&mut m, "synthesized", Value::Object(syn));
    Value::Object(m)
}

/// The WHO/WHEN/WHAT analysis with the long or the short key spellings.
fn kernel(r: &mut Rng, c: &Ctx<'_>, long: bool, product: Option<&'static str>) -> Value {
    let (timing, urgency) = r.pick(TIMING);
    let hook = Value::String(hook(r, c));
    let mut who = obj();
    let mut when = obj();
    let mut what = obj();
    if long {
        put(&mut who, "persona_type", s(c.persona.name));
        put(&mut who, "decision_role", s(c.persona.decision_role));
        put(&mut who, "influence_level", s(c.persona.influence));
        put(&mut when, "timing_signal", s(timing));
        put(&mut when, "urgency_level", s(urgency));
        put(&mut when, "optimal_contact_time", s(r.pick(CONTACT_TIMES)));
        put(&mut what, "opening_hook", hook);
        let a = r.index(VALUE_PROPS.len());
        let b = (a + 1 + r.index(VALUE_PROPS.len() - 1)) % VALUE_PROPS.len();
        put(&mut what, "value_props", str_array(&[VALUE_PROPS[a], VALUE_PROPS[b]]));
        put(&mut what, "loan_products", str_array(product.as_slice()));
    } else {
        put(&mut who, "persona", s(c.persona.name));
        put(&mut who, "decision_role", s(c.persona.decision_role));
        put(&mut who, "influence", s(c.persona.influence));
        put(&mut when, "timing_signal", s(timing));
        put(&mut when, "urgency", s(urgency));
        put(&mut what, "hook", hook);
    }
    let mut m = obj();
    put(&mut m, "who", Value::Object(who));
    put(&mut m, "when", Value::Object(when));
    put(&mut m, "what", Value::Object(what));
    if long {
        put(&mut m, "generated_at", rfc3339(c.enriched_at));
        put(&mut m, "confidence_score", Value::from(r.range(40, 100)));
    }
    Value::Object(m)
}

// ---------------------------------------------------------------------------
// Generated contacts
// ---------------------------------------------------------------------------

fn generated_contact(workspace: Uuid, seed: u64, index: u64) -> SeedContact {
    let mut r = Rng::for_contact(seed, workspace, index, STREAM_GENERATED);
    let epoch = epoch();
    let id = r.uuid();
    let first = r.pick(FIRST_NAMES);
    let last = r.pick(LAST_NAMES);
    let industry = r.pick_ref(INDUSTRIES);
    let persona = r.pick_ref(PERSONAS);
    let title = r.pick(persona.titles);
    let city = r.pick_ref(CITIES);

    let (company, domain) = if r.chance(92) {
        let (name, domain) = company_name(&mut r, industry);
        (Some(name), Some(domain))
    } else {
        (None, None)
    };
    let employees = if company.is_some() { employees(&mut r) } else { 1 };
    let revenue = revenue_for(&mut r, employees);

    // E-mail: the running index makes it unique for any count, with no memory.
    let mut email = String::with_capacity(48);
    push_slug(&mut email, first);
    email.push('.');
    push_slug(&mut email, last);
    email.push('.');
    push_u64(&mut email, index);
    email.push('@');
    match &domain {
        Some(d) if r.chance(85) => email.push_str(d),
        _ => email.push_str(r.pick(PERSONAL_DOMAINS)),
    }

    let phone = r.chance(75).then(|| phone(&mut r, city.area_code));
    let linkedin_url = r.chance(55).then(|| linkedin(&mut r, first, last));
    let website = match &domain {
        Some(d) if r.chance(70) => Some(website(&mut r, d)),
        _ => None,
    };
    let job_title = r.chance(85).then(|| title.to_owned());
    let vertical = r.chance(40).then(|| industry.name.to_owned());
    let persona_type = r.chance(25).then(|| persona.name.to_owned());
    let annual_revenue = (company.is_some() && r.chance(35)).then_some(revenue);

    let created_at = created_at(&mut r, epoch);
    let until_epoch = (epoch - created_at).num_microseconds().unwrap_or(1).max(1) as u64;
    let enriched_time = created_at + TimeDelta::microseconds(r.below(until_epoch) as i64);

    let assigned_product = r.chance(30).then(|| r.pick(&PRODUCT_KEYS));

    let status_roll = r.below(100);
    let enrichment_status = match status_roll {
        0..=24 => "pending",
        25..=29 => "failed",
        30..=34 => "processing",
        _ => "completed",
    };
    let (enrichment_data, kernel_analysis, enriched_at) = if enrichment_status == "completed" {
        let ctx = Ctx {
            industry,
            persona,
            title,
            city,
            company: company.as_deref(),
            website: website.as_deref(),
            employees,
            revenue,
            enriched_at: enriched_time,
        };
        let format = r.below(100);
        let data = match format {
            0..=3 => Value::Object(obj()),
            4..=27 => nested_format(&mut r, &ctx),
            28..=51 => flat_format(&mut r, &ctx),
            52..=75 => company_object_format(&mut r, &ctx),
            _ => legacy_format(&mut r, &ctx),
        };
        let with_kernel = format <= 3 || r.chance(60);
        let kernel = if with_kernel {
            let long = r.chance(50);
            Some(kernel(&mut r, &ctx, long, assigned_product))
        } else {
            None
        };
        (Some(data), kernel, Some(enriched_time))
    } else {
        (None, None, None)
    };

    let lifecycle_stage = r.chance(80).then(|| r.pick(&LIFECYCLE_STAGES).to_owned());
    let lead_status = r.chance(65).then(|| r.pick(&LEAD_STATUSES).to_owned());
    let pipeline_stage = r.chance(20).then(|| r.pick(&PIPELINE_STAGES).to_owned());

    let source = match r.below(100) {
        0..=29 => "csv",
        30..=54 => "hubspot",
        55..=74 => "salesforce",
        75..=84 => "manual",
        _ => "api",
    };
    let mut hubspot_id = None;
    let mut external_id = None;
    match source {
        "hubspot" => {
            hubspot_id = Some(num(100_000_000 + index * 10 + r.below(10)));
        }
        "salesforce" => {
            const B62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
            let mut x = String::with_capacity(18);
            x.push_str("003");
            for _ in 0..2 {
                let mut bits = r.next_u64();
                for _ in 0..6 {
                    x.push(char::from(B62[(bits % 62) as usize]));
                    bits /= 62;
                }
            }
            external_id = Some(x);
        }
        "csv" if r.chance(50) => {
            external_id = Some(cat(&["row-", &num(index + 2)]));
        }
        "api" => {
            let mut x = String::with_capacity(20);
            x.push_str("ext_");
            push_hex(&mut x, r.next_u64(), 16);
            external_id = Some(x);
        }
        _ => {}
    }

    let tag_count = match r.below(100) {
        0..=29 => 0,
        30..=64 => 1,
        65..=89 => 2,
        _ => 3,
    };
    let mut tags = Vec::with_capacity(tag_count);
    if tag_count > 0 {
        let start = r.index(TAGS.len());
        // Coprime with the 12 tags, so the walk visits distinct tags.
        let step = r.pick(&[1, 5, 7, 11]);
        let mut k = start;
        while tags.len() < tag_count {
            let t = TAGS[k % TAGS.len()];
            if !tags.iter().any(|x: &String| x == t) {
                tags.push(t.to_owned());
            }
            k += step;
        }
    }

    let notes = match r.below(100) {
        0..=9 => Some(r.pick(NOTES).to_owned()),
        10..=14 => Some(cat(&[r.pick(NOTES), " ", r.pick(NOTES)])),
        _ => None,
    };

    SeedContact {
        id,
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        email,
        company,
        job_title,
        phone,
        linkedin_url,
        website,
        vertical,
        persona_type,
        annual_revenue,
        enrichment_status,
        enrichment_data,
        kernel_analysis,
        enriched_at,
        lifecycle_stage,
        lead_status,
        pipeline_stage,
        external_id,
        hubspot_id,
        assigned_product: assigned_product.map(str::to_owned),
        source,
        tags,
        notes,
        created_at,
    }
}

// ---------------------------------------------------------------------------
// Demo workspace
// ---------------------------------------------------------------------------

const DEMO_LIFECYCLE: &[&str] =
    &["lead", "lead", "lead", "marketingqualifiedlead", "opportunity", "customer"];
const DEMO_LEAD_STATUS: &[&str] = &["NEW", "OPEN", "IN_PROGRESS", "ATTEMPTED_TO_CONTACT"];
const DEMO_OPEN_DEAL_STAGES: &[&str] = &[
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
];

const GARRETT_EMAIL: &str = "garrett.golden@brightpathsoftware.com";
const GRISELDA_EMAIL: &str = "griselda.cervantes@centralvalleyccu.org";

fn demo_hubspot_id(r: &mut Rng, index: u64) -> String {
    num(10_000_000 + index * 1000 + r.below(1000))
}

fn demo_plain(index: u64, used: &mut HashSet<String>) -> SeedContact {
    let mut r = Rng::for_contact(DEMO_SEED, DEMO_WORKSPACE, index, STREAM_DEMO);
    let epoch = epoch();
    let id = r.uuid();
    let first = r.pick(FIRST_NAMES);
    let last = r.pick(LAST_NAMES);
    let industry = r.pick_ref(INDUSTRIES);
    let persona = r.pick_ref(PERSONAS);
    let city = r.pick_ref(CITIES);
    let (company, domain) = if r.chance(88) {
        let (name, domain) = company_name(&mut r, industry);
        (Some(name), Some(domain))
    } else {
        (None, None)
    };

    // E-mail from the names and the company domain, de-duplicated with a counter.
    let mut local = String::with_capacity(32);
    let personal = domain.is_none() || r.chance(8);
    let pattern = r.below(10);
    if personal {
        push_slug(&mut local, first);
        if pattern < 5 {
            local.push('.');
        }
        push_slug(&mut local, last);
        if pattern >= 7 {
            push_u64(&mut local, r.range(60, 99) as u64);
        }
    } else {
        match pattern {
            0..=5 => {
                push_slug(&mut local, first);
                local.push('.');
                push_slug(&mut local, last);
            }
            6 | 7 => {
                let mut f = String::with_capacity(first.len());
                push_slug(&mut f, first);
                local.push_str(&f[..1]);
                push_slug(&mut local, last);
            }
            8 => push_slug(&mut local, first),
            _ => {
                push_slug(&mut local, first);
                local.push('_');
                push_slug(&mut local, last);
            }
        }
    }
    let at_domain = match &domain {
        Some(d) if !personal => d.clone(),
        _ => r.pick(PERSONAL_DOMAINS).to_owned(),
    };
    let mut email = cat(&[&local, "@", &at_domain]);
    let mut n = 2u64;
    while used.contains(&email) {
        email = cat(&[&local, &num(n), "@", &at_domain]);
        n += 1;
    }
    used.insert(email.clone());

    let job_title = r.chance(75).then(|| r.pick(persona.titles).to_owned());
    let phone = r.chance(60).then(|| phone(&mut r, city.area_code));
    let linkedin_url = r.chance(35).then(|| linkedin(&mut r, first, last));
    let website = match &domain {
        Some(d) if r.chance(50) => Some(website(&mut r, d)),
        _ => None,
    };
    let annual_revenue = if company.is_some() && r.chance(20) {
        let e = employees(&mut r);
        Some(revenue_for(&mut r, e))
    } else {
        None
    };
    let lifecycle = r.pick(DEMO_LIFECYCLE);
    let lead_status = r.chance(80).then(|| r.pick(DEMO_LEAD_STATUS).to_owned());
    let pipeline_stage = match lifecycle {
        "opportunity" => Some(r.pick(DEMO_OPEN_DEAL_STAGES).to_owned()),
        "customer" => Some("closedwon".to_owned()),
        _ => None,
    };
    let hubspot_id = Some(demo_hubspot_id(&mut r, index));
    let created_at = created_at(&mut r, epoch);

    SeedContact {
        id,
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        email,
        company,
        job_title,
        phone,
        linkedin_url,
        website,
        vertical: None,
        persona_type: None,
        annual_revenue,
        enrichment_status: "pending",
        enrichment_data: None,
        kernel_analysis: None,
        enriched_at: None,
        lifecycle_stage: Some(lifecycle.to_owned()),
        lead_status,
        pipeline_stage,
        external_id: None,
        hubspot_id,
        assigned_product: None,
        source: "hubspot",
        tags: Vec::new(),
        notes: None,
        created_at,
    }
}

/// The parts of an enriched demo contact that differ between the two.
struct DemoEnriched {
    index: u64,
    first: &'static str,
    last: &'static str,
    email: &'static str,
    company: &'static str,
    domain: &'static str,
    title: &'static str,
    phone: &'static str,
    industry: &'static str,
    persona: &'static str,
    revenue_text: &'static str,
    revenue: i64,
    employees: u32,
    growth: &'static str,
    background: &'static str,
    decision_role: &'static str,
    influence: &'static str,
    timing: &'static str,
    urgency: &'static str,
    contact_time: &'static str,
    hook: &'static str,
    value_props: [&'static str; 2],
    enriched_at_secs: i64,
    lifecycle: &'static str,
    lead_status: &'static str,
    pipeline_stage: &'static str,
}

fn demo_enriched(d: &DemoEnriched) -> SeedContact {
    let mut r = Rng::for_contact(DEMO_SEED, DEMO_WORKSPACE, d.index, STREAM_DEMO);
    let id = r.uuid();
    let hubspot_id = Some(demo_hubspot_id(&mut r, d.index));
    let enriched_at = DateTime::<Utc>::UNIX_EPOCH + TimeDelta::seconds(d.enriched_at_secs);
    // Created at least a month before the enrichment.
    let created_at = enriched_at
        - TimeDelta::days(30)
        - TimeDelta::microseconds(r.below(SPAN_US - 60 * 86_400 * 1_000_000) as i64);

    let enrichment_data = serde_json::json!({
        "company": {
            "name": d.company,
            "industry": d.industry,
            "revenue": d.revenue_text,
            "employees": d.employees,
            "growth_yoy": d.growth,
        },
        "person": {
            "title": d.title,
            "background": d.background,
        }
    });
    let kernel_analysis = serde_json::json!({
        "who": {
            "persona_type": d.persona,
            "decision_role": d.decision_role,
            "influence_level": d.influence,
        },
        "when": {
            "timing_signal": d.timing,
            "urgency_level": d.urgency,
            "optimal_contact_time": d.contact_time,
        },
        "what": {
            "opening_hook": d.hook,
            "value_props": d.value_props,
        },
        "generated_at": enriched_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "confidence_score": 95,
    });

    let mut linkedin = String::from("https://www.linkedin.com/in/");
    push_slug(&mut linkedin, d.first);
    linkedin.push('-');
    push_slug(&mut linkedin, d.last);

    SeedContact {
        id,
        first_name: d.first.to_owned(),
        last_name: d.last.to_owned(),
        email: d.email.to_owned(),
        company: Some(d.company.to_owned()),
        job_title: Some(d.title.to_owned()),
        phone: Some(d.phone.to_owned()),
        linkedin_url: Some(linkedin),
        website: Some(cat(&["https://www.", d.domain])),
        vertical: Some(d.industry.to_owned()),
        persona_type: Some(d.persona.to_owned()),
        annual_revenue: Some(d.revenue),
        enrichment_status: "completed",
        enrichment_data: Some(enrichment_data),
        kernel_analysis: Some(kernel_analysis),
        enriched_at: Some(enriched_at),
        lifecycle_stage: Some(d.lifecycle.to_owned()),
        lead_status: Some(d.lead_status.to_owned()),
        pipeline_stage: Some(d.pipeline_stage.to_owned()),
        external_id: None,
        hubspot_id,
        assigned_product: None,
        source: "hubspot",
        tags: Vec::new(),
        notes: None,
        created_at,
    }
}

fn garrett_golden(index: u64) -> SeedContact {
    demo_enriched(&DemoEnriched {
        index,
        first: "Garrett",
        last: "Golden",
        email: GARRETT_EMAIL,
        company: "Brightpath Software",
        domain: "brightpathsoftware.com",
        // No persona-group word (decision, owner, vp, chief, ...) in the title.
        title: "Senior Engineering Manager",
        phone: "(512) 834-2291",
        industry: "Technology & Software",
        persona: "Manager",
        revenue_text: "$12.5M",
        revenue: 12_500_000,
        employees: 340,
        growth: "18%",
        background: "Leads a 40-person platform engineering group and runs the evaluation of new sales and data tooling.",
        decision_role: "influencer",
        influence: "medium",
        timing: "ACTIVE",
        urgency: "medium",
        contact_time: "Tuesday morning",
        hook: "Your team's move to usage-based pricing this spring caught my eye.",
        value_props: ["Faster quote turnaround", "Cleaner CRM data"],
        // 2025-12-30T16:05:00Z
        enriched_at_secs: 1_767_110_700,
        lifecycle: "opportunity",
        lead_status: "IN_PROGRESS",
        pipeline_stage: "presentationscheduled",
    })
}

fn griselda_cervantes(index: u64) -> SeedContact {
    demo_enriched(&DemoEnriched {
        index,
        first: "Griselda",
        last: "Cervantes",
        email: GRISELDA_EMAIL,
        company: "Central Valley Community Credit Union",
        domain: "centralvalleyccu.org",
        title: "Chief Financial Officer",
        phone: "(559) 437-8120",
        industry: "Finance",
        persona: "Decision-maker",
        revenue_text: "$14.2M",
        revenue: 14_200_000,
        employees: 85,
        growth: "6%",
        background: "Leads treasury and lending decisions at a regional credit union with eleven branches across the Central Valley.",
        decision_role: "decision_maker",
        influence: "high",
        timing: "URGENT",
        urgency: "high",
        contact_time: "immediately",
        hook: "Congrats on the new branch opening in Fresno.",
        value_props: ["Up to 90% financing", "Fixed rate for 25 years"],
        // 2025-12-31T18:22:05Z
        enriched_at_secs: 1_767_205_325,
        lifecycle: "opportunity",
        lead_status: "OPEN",
        pipeline_stage: "qualifiedtobuy",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::time::Instant;

    fn ws(n: u128) -> Uuid {
        Uuid::from_u128(0xABCD_0000_0000_4000_8000_0000_0000_0000 | n)
    }

    fn words(s: &str) -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
    }

    fn non_empty(v: Option<&Value>) -> bool {
        match v {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) => !s.is_empty(),
            Some(Value::Array(a)) => !a.is_empty(),
            Some(_) => true,
        }
    }

    fn all_strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::String(s) => out.push(s),
            Value::Array(a) => a.iter().for_each(|x| all_strings(x, out)),
            Value::Object(m) => m.values().for_each(|x| all_strings(x, out)),
            _ => {}
        }
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    enum Format {
        Nested,
        FlatWithIndustry,
        FlatWithCompanySize,
        FlatPlain,
        CompanyObject,
        Legacy,
        Empty,
    }

    fn format_of(d: &Value) -> Format {
        if d.get("quick_enrich").is_some() {
            Format::Nested
        } else if d.get("company").is_some_and(Value::is_object) {
            Format::CompanyObject
        } else if d.get("synthesized").is_some() {
            Format::Legacy
        } else if d.as_object().is_some_and(|m| m.is_empty()) {
            Format::Empty
        } else if d.get("industry").is_some() {
            Format::FlatWithIndustry
        } else if d.get("company_size").is_some() {
            Format::FlatWithCompanySize
        } else {
            Format::FlatPlain
        }
    }

    #[test]
    fn the_same_seed_gives_identical_output_and_another_seed_different_output() {
        let a: Vec<_> = contacts(ws(1), 42, 500).collect();
        let b: Vec<_> = contacts(ws(1), 42, 500).collect();
        assert_eq!(a, b);
        let c: Vec<_> = contacts(ws(1), 43, 500).collect();
        assert_ne!(a, c);
        assert!(a.iter().zip(&c).filter(|(x, y)| x.email == y.email).count() < 50);
        let d: Vec<_> = contacts(ws(2), 42, 500).collect();
        assert_ne!(a, d);
        assert_eq!(demo_contacts().collect::<Vec<_>>(), demo_contacts().collect::<Vec<_>>());
    }

    #[test]
    fn a_shorter_run_is_a_prefix_of_a_longer_one_and_contact_at_agrees() {
        let short: Vec<_> = contacts(ws(3), 7, 100).collect();
        let long: Vec<_> = contacts(ws(3), 7, 101).collect();
        assert_eq!(short[..], long[..100]);
        assert_eq!(contact_at(ws(3), 7, 100), long[100]);
        assert_eq!(contacts(ws(3), 7, 101).size_hint(), (101, Some(101)));
    }

    /// FNV-1a over the stable, serialized form of contacts (not Debug output, which may change).
    fn digest<'a>(cs: impl Iterator<Item = &'a SeedContact>) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |bytes: &[u8]| {
            for b in bytes.iter().chain(&[0xFF]) {
                h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
            }
        };
        for c in cs {
            feed(c.id.as_bytes());
            feed(c.email.as_bytes());
            feed(c.company.as_deref().unwrap_or("-").as_bytes());
            feed(c.phone.as_deref().unwrap_or("-").as_bytes());
            feed(c.enrichment_status.as_bytes());
            feed(c.source.as_bytes());
            feed(c.tags.join(",").as_bytes());
            feed(&c.created_at.timestamp_micros().to_le_bytes());
            feed(&c.enriched_at.map_or(0, |t| t.timestamp_micros()).to_le_bytes());
            for v in [&c.enrichment_data, &c.kernel_analysis] {
                feed(v.as_ref().map_or_else(String::new, canonical).as_bytes());
            }
        }
        h
    }

    /// JSON text with object keys sorted, whatever serde_json's map keeps.
    fn canonical(v: &Value) -> String {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                let parts: Vec<String> = keys
                    .iter()
                    .map(|k| format!("{}:{}", Value::String((*k).clone()), canonical(&m[*k])))
                    .collect();
                format!("{{{}}}", parts.join(","))
            }
            Value::Array(a) => format!("[{}]", a.iter().map(canonical).collect::<Vec<_>>().join(",")),
            other => other.to_string(),
        }
    }

    #[test]
    fn the_output_is_pinned_across_platforms_and_versions() {
        // splitmix64 reference value for state 0.
        assert_eq!(Rng(0).next_u64(), 0xE220_A839_7B1D_CDAF);
        let c = contact_at(ws(9), 1, 0);
        assert_eq!(c.id.get_version_num(), 4);
        // Golden values: a change here changes every seeded database (update them knowingly).
        assert_eq!(c.id.to_string(), "3f058df8-f91e-4be9-a581-cb4278c9b151");
        assert_eq!(c.email, "alan.myers.0@cornerstonepower.com");
        assert_eq!(digest(contacts(ws(9), 1, 1000).collect::<Vec<_>>().iter()), 0xd4a1_2dc7_3369_6829);
        assert_eq!(digest(demo_contacts().collect::<Vec<_>>().iter()), 0x3121_6345_fa63_2d75);
    }

    #[test]
    fn the_demo_workspace_reproduces_the_final_state_of_the_log() {
        let demo: Vec<_> = demo_contacts().collect();
        assert_eq!(demo.len(), 482);
        assert_eq!(DEMO_WORKSPACE.to_string(), "11111111-1111-1111-1111-111111111111");
        assert!(demo.iter().all(|c| c.source == "hubspot"));

        let emails: HashSet<_> = demo.iter().map(|c| c.email.as_str()).collect();
        assert_eq!(emails.len(), 482);
        assert!(demo.iter().all(|c| c.email == c.email.to_lowercase() && c.email.contains('@')));
        let ids: HashSet<_> = demo.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), 482);
        let hubspot: HashSet<_> = demo.iter().filter_map(|c| c.hubspot_id.as_deref()).collect();
        assert_eq!(hubspot.len(), 482);
        assert!(hubspot.iter().all(|h| h.chars().all(|c| c.is_ascii_digit())));

        let enriched: Vec<_> = demo.iter().filter(|c| c.enrichment_status == "completed").collect();
        assert_eq!(enriched.len(), 2);
        let expected = [
            ("Garrett", "Golden", "Technology & Software", "Manager"),
            ("Griselda", "Cervantes", "Finance", "Decision-maker"),
        ];
        for (c, (first, last, industry, persona)) in enriched.iter().zip(expected) {
            assert_eq!((c.first_name.as_str(), c.last_name.as_str()), (first, last));
            let d = c.enrichment_data.as_ref().unwrap();
            let k = c.kernel_analysis.as_ref().unwrap();
            assert_eq!(d["company"]["industry"], industry);
            assert_eq!(k["who"]["persona_type"], persona);
            // All six quality inputs are known → quality 100.
            for v in [
                &d["company"]["name"],
                &d["company"]["revenue"],
                &d["company"]["industry"],
                &d["person"]["title"],
                &d["person"]["background"],
                &d["company"]["growth_yoy"],
            ] {
                assert!(non_empty(Some(v)), "{first}: {v}");
            }
            assert!(d["company"]["employees"].as_u64().unwrap() >= 50);
            assert!(non_empty(k["when"].get("timing_signal")));
            assert!(non_empty(k["what"].get("opening_hook")));
            let mut texts = Vec::new();
            all_strings(d, &mut texts);
            all_strings(k, &mut texts);
            assert!(texts.iter().all(|t| !t.contains('[') && !t.contains("{{")), "{texts:?}");
            assert!(c.enriched_at.unwrap() < epoch() && c.created_at < c.enriched_at.unwrap());
        }
        assert_eq!(enriched[0].enriched_at.unwrap().to_rfc3339(), "2025-12-30T16:05:00+00:00");
        assert_eq!(enriched[1].enriched_at.unwrap().to_rfc3339(), "2025-12-31T18:22:05+00:00");
        let garrett_title =
            enriched[0].enrichment_data.as_ref().unwrap()["person"]["title"].as_str().unwrap();
        let forbidden = [
            "decision",
            "owner",
            "founder",
            "executive",
            "ceo",
            "cfo",
            "cto",
            "coo",
            "president",
            "chief",
            "vp",
        ];
        assert!(words(garrett_title).iter().all(|w| !forbidden.contains(&w.as_str())));

        for c in demo.iter().filter(|c| c.enrichment_status != "completed") {
            assert_eq!(c.enrichment_status, "pending");
            assert!(c.enrichment_data.is_none() && c.kernel_analysis.is_none() && c.enriched_at.is_none());
            assert!(c.persona_type.is_none() && c.vertical.is_none());
            assert!(c.first_name != "Garrett" && c.first_name != "Griselda", "{c:?}");
            assert!(!c.last_name.starts_with("Gold"), "{c:?}");
            assert!(
                ["lead", "marketingqualifiedlead", "opportunity", "customer"]
                    .contains(&c.lifecycle_stage.as_deref().unwrap())
            );
            if let Some(s) = &c.lead_status {
                assert!(["NEW", "OPEN", "IN_PROGRESS", "ATTEMPTED_TO_CONTACT"].contains(&s.as_str()));
            }
            assert!(c.created_at < epoch() && c.created_at >= epoch() - TimeDelta::days(730));
        }
    }

    #[test]
    fn twenty_thousand_generated_contacts_are_realistic_and_valid() {
        let n = 20_000;
        let all: Vec<_> = contacts(ws(5), 2026, n).collect();
        assert_eq!(all.len(), 20_000);

        let emails: HashSet<String> = all.iter().map(|c| c.email.to_lowercase()).collect();
        assert_eq!(emails.len(), all.len());
        let ids: HashSet<_> = all.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), all.len());

        let unenriched = all.iter().filter(|c| c.enrichment_status != "completed").count();
        let share = unenriched as f64 / n as f64;
        assert!((0.32..0.38).contains(&share), "unenriched share {share}");

        let catalog = products_catalog();
        let catalog = catalog.as_object().unwrap();
        assert_eq!(catalog.len(), PRODUCT_KEYS.len());
        assert!(PRODUCT_KEYS.iter().all(|k| catalog.contains_key(*k)));

        let mut formats: HashMap<Format, usize> = HashMap::new();
        let (mut long_kernel, mut short_kernel, mut with_kernel, mut enriched) = (0, 0, 0, 0);
        let (mut rev_num, mut rev_float, mut rev_str, mut growth_str, mut growth_num) = (0, 0, 0, 0, 0);
        let mut rev_symbols: HashSet<char> = HashSet::new();
        let mut negative_growth = 0;
        let mut sizes: HashSet<String> = HashSet::new();
        let mut sources: HashMap<&str, usize> = HashMap::new();
        let mut industries: HashSet<String> = HashSet::new();
        let mut personas: HashSet<String> = HashSet::new();
        let mut products = 0;

        for c in &all {
            assert!(ENRICHMENT_STATUSES.contains(&c.enrichment_status));
            assert!(SOURCES.contains(&c.source));
            *sources.entry(c.source).or_default() += 1;
            if let Some(v) = &c.lifecycle_stage {
                assert!(LIFECYCLE_STAGES.contains(&v.as_str()));
            }
            if let Some(v) = &c.lead_status {
                assert!(LEAD_STATUSES.contains(&v.as_str()));
            }
            if let Some(v) = &c.pipeline_stage {
                assert!(PIPELINE_STAGES.contains(&v.as_str()));
            }
            if let Some(p) = &c.assigned_product {
                assert!(catalog.contains_key(p));
                products += 1;
            }
            assert!(c.tags.len() <= 3);
            assert_eq!(c.tags.iter().collect::<HashSet<_>>().len(), c.tags.len());
            assert!(c.tags.iter().all(|t| TAGS.contains(&t.as_str())));
            assert_eq!(c.hubspot_id.is_some(), c.source == "hubspot");
            if let Some(h) = &c.hubspot_id {
                assert!(h.chars().all(|ch| ch.is_ascii_digit()));
            }

            assert!(!c.first_name.is_empty() && c.first_name.len() <= 100);
            assert!(!c.last_name.is_empty() && c.last_name.len() <= 100);
            assert!(c.email.len() <= 255 && c.email == c.email.to_lowercase());
            assert_eq!(c.email.matches('@').count(), 1);
            for v in [&c.company, &c.job_title] {
                assert!(v.as_ref().is_none_or(|s| s.len() <= 255));
            }
            assert!(c.phone.as_ref().is_none_or(|s| s.len() <= 50));
            for v in [&c.linkedin_url, &c.website] {
                assert!(v.as_ref().is_none_or(|s| s.len() <= 500 && s.starts_with("https://")));
            }
            for v in [&c.vertical, &c.persona_type] {
                assert!(v.as_ref().is_none_or(|s| s.len() <= 100));
            }
            assert!(c.notes.as_ref().is_none_or(|s| s.len() <= 2000));
            assert!(c.created_at < epoch() && c.created_at >= epoch() - TimeDelta::days(730));
            assert_eq!(c.created_at.timestamp_subsec_nanos() % 1000, 0);

            if c.enrichment_status != "completed" {
                assert!(
                    c.enrichment_data.is_none() && c.kernel_analysis.is_none() && c.enriched_at.is_none()
                );
                continue;
            }
            enriched += 1;
            let at = c.enriched_at.unwrap();
            assert!(at >= c.created_at && at < epoch());
            let d = c.enrichment_data.as_ref().unwrap();
            let f = format_of(d);
            *formats.entry(f).or_default() += 1;
            if f == Format::Empty {
                assert!(c.kernel_analysis.is_some());
            }
            let mut texts = Vec::new();
            all_strings(d, &mut texts);
            assert!(texts.iter().all(|t| !t.contains("{{")));
            if let Some(i) = d.pointer("/company/industry").or(d.get("industry")).or(d.get("vertical")) {
                industries.insert(i.as_str().unwrap().to_owned());
            }
            for key in ["/company_size", "/quick_enrich/company_size", "/company/employees"] {
                if let Some(Value::String(s)) = d.pointer(key) {
                    sizes.insert(s.clone());
                }
            }
            if f == Format::CompanyObject {
                match d.pointer("/company/revenue") {
                    Some(Value::Number(n)) if n.is_f64() => rev_float += 1,
                    Some(Value::Number(_)) => rev_num += 1,
                    Some(Value::String(s)) => {
                        rev_str += 1;
                        rev_symbols.extend(s.chars().next());
                    }
                    _ => {}
                }
                match d.pointer("/company/growth_yoy") {
                    Some(Value::String(s)) => {
                        growth_str += 1;
                        negative_growth += usize::from(s.starts_with('-'));
                    }
                    Some(Value::Number(_)) => growth_num += 1,
                    _ => {}
                }
            }
            if let Some(k) = &c.kernel_analysis {
                with_kernel += 1;
                let p = k.pointer("/who/persona_type").or(k.pointer("/who/persona")).unwrap();
                personas.insert(p.as_str().unwrap().to_owned());
                if k.pointer("/who/persona_type").is_some() {
                    long_kernel += 1;
                    for key in ["/who/influence_level", "/when/urgency_level", "/what/opening_hook"] {
                        assert!(non_empty(k.pointer(key)), "{key}");
                    }
                } else {
                    short_kernel += 1;
                    for key in ["/who/persona", "/who/influence", "/when/urgency", "/what/hook"] {
                        assert!(non_empty(k.pointer(key)), "{key}");
                    }
                }
            }
        }

        for f in [
            Format::Nested,
            Format::FlatWithIndustry,
            Format::FlatWithCompanySize,
            Format::FlatPlain,
            Format::CompanyObject,
            Format::Legacy,
            Format::Empty,
        ] {
            assert!(formats.get(&f).copied().unwrap_or(0) > 100, "{f:?}: {formats:?}");
        }
        for f in [Format::Nested, Format::CompanyObject, Format::Legacy] {
            let share = formats[&f] as f64 / enriched as f64;
            assert!((0.20..0.28).contains(&share), "{f:?} {share}");
        }
        let kernel_share = with_kernel as f64 / enriched as f64;
        assert!((0.55..0.68).contains(&kernel_share), "kernel share {kernel_share}");
        assert!(long_kernel > 1000 && short_kernel > 1000);
        assert!(rev_num > 100 && rev_float > 50 && rev_str > 100);
        assert!(['$', '€', '£'].iter().all(|s| rev_symbols.contains(s)), "{rev_symbols:?}");
        assert!(growth_str > 100 && growth_num > 100 && negative_growth > 10);
        assert!(sizes.contains("self-employed") && sizes.contains("10,000+"), "{sizes:?}");
        assert!(sizes.iter().any(|s| s.ends_with(" employees")));
        assert!(sizes.iter().any(|s| s.contains('–')));
        assert!(industries.len() >= 20, "{industries:?}");
        for i in ["Technology & Software", "Finance", "SaaS", "Food & Beverage", "Restaurants"] {
            assert!(industries.contains(i), "{i}");
        }
        assert!(personas.len() >= 15);
        for p in ["Decision-maker", "Manager", "owner_operator", "Chief Executive Officer", "End User"] {
            assert!(personas.contains(p), "{p}");
        }
        assert_eq!(sources.len(), 5);
        let product_share = products as f64 / n as f64;
        assert!((0.27..0.33).contains(&product_share), "{product_share}");

        let employees: Vec<u64> = all
            .iter()
            .filter_map(|c| c.enrichment_data.as_ref()?.pointer("/company/employees")?.as_u64())
            .collect();
        assert!(employees.contains(&1));
        assert!(employees.iter().any(|&e| e > 20_000));
        assert!(employees.iter().all(|&e| (1..=50_000).contains(&e)));
    }

    #[test]
    fn emails_stay_unique_far_into_a_ten_million_run() {
        // Uniqueness comes from the index in the local part: check it at large indexes.
        let mut seen = HashSet::new();
        for i in (0..10_000_000u64).step_by(9_973).chain(9_999_000..10_000_000) {
            let c = contact_at(ws(6), 11, i);
            let local = c.email.split('@').next().unwrap().to_owned();
            assert!(local.ends_with(&format!(".{i}")), "{}", c.email);
            assert!(seen.insert(c.email));
        }
    }

    #[test]
    fn the_iterator_is_lazy_and_jumps_straight_to_an_index() {
        let start = Instant::now();
        let millionth = contacts(ws(7), 1, 1_000_000).nth(999_999).unwrap();
        assert!(start.elapsed().as_millis() < 100, "{:?}", start.elapsed());
        assert_eq!(millionth, contact_at(ws(7), 1, 999_999));
        assert!(contacts(ws(7), 1, 1_000_000).nth(1_000_000).is_none());
        let mut it = contacts(ws(7), 1, 10_000_000);
        assert_eq!(it.next().unwrap(), contact_at(ws(7), 1, 0));
        assert_eq!(it.size_hint().0, 9_999_999);
        let start = Instant::now();
        let tail: Vec<_> = contacts(ws(7), 1, 10_000_000).skip(9_999_990).collect();
        assert_eq!(tail.len(), 10);
        assert!(start.elapsed().as_millis() < 100, "{:?}", start.elapsed());
    }

    #[test]
    fn generation_cost_per_contact_is_printed() {
        let n = 100_000u64;
        let start = Instant::now();
        let mut bytes = 0usize;
        for c in contacts(ws(8), 99, n) {
            bytes += c.email.len();
        }
        let per = start.elapsed().as_nanos() as f64 / n as f64 / 1000.0;
        println!("generated {n} contacts, {per:.2} µs per contact ({bytes} email bytes)");
        assert!(bytes > 0);
    }

    #[test]
    fn the_helpers_format_numbers_like_people_do() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(12_500_000), "12,500,000");
        let mut p = String::new();
        push_padded(&mut p, 42, 4);
        assert_eq!(p, "0042");
        let mut h = String::new();
        push_hex(&mut h, 0xBEEF, 6);
        assert_eq!(h, "00beef");
        let mut r = Rng(5);
        let texts: HashSet<String> = (0..2000).map(|_| revenue_text(&mut r, 4_100_000)).collect();
        assert!(texts.contains("$4.1M") && texts.contains("€4.1M") && texts.contains("$4,100,000"));
        assert!(texts.contains("4.1m") || texts.contains("$4.1m"));
        let t: HashSet<String> = (0..500).map(|_| revenue_text(&mut r, 500_000)).collect();
        assert!(t.contains("€500K"), "{t:?}");
        let t: HashSet<String> = (0..500).map(|_| revenue_text(&mut r, 1_200_000_000)).collect();
        assert!(t.contains("$1.2B"), "{t:?}");
        assert_eq!(epoch().to_rfc3339(), "2026-01-01T00:00:00+00:00");
    }
}
