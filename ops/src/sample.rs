//! Sample dragons: a deterministic, streaming generator of realistic records for
//! large data sets (benchmarks, load tests), and its JSON Lines and array writers.
//!
//! The same seed always gives the same records, on every platform: the generator
//! uses its own SplitMix64 and nothing from the time, the environment or threads.
//! Record `n` (1-based) is named `<Syllables>-<n, six digits or more>`, so names are
//! unique, case-insensitively too, however many are drawn. About one record in 50
//! holds a value that needs care: a line break, a quote, an apostrophe, a
//! backslash or non-ASCII text.

use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};

use dragons_contract::{DataFormat, Dragon};

/// The seed `gen-dragons` uses unless told otherwise.
pub const DEFAULT_SEED: u64 = 42;

/// The families records are drawn from, with their weights in records per 1000.
///
/// Skewed on purpose, so a family filter can be as selective as a test needs:
/// `copper` matches about 1% of records and `amethyst` about 0.1%.
pub const FAMILIES: &[(&str, u32)] = &[
    ("red", 230),
    ("green", 190),
    ("blue", 150),
    ("black", 120),
    ("white", 100),
    ("gold", 80),
    ("silver", 60),
    ("bronze", 40),
    ("brass", 19),
    ("copper", 10),
    ("amethyst", 1),
];

/// Sum of the weights in [`FAMILIES`].
const FAMILY_WEIGHT_TOTAL: u32 = 1000;

/// Why writing a sample set failed.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    /// The writer failed.
    #[error("writing sample dragons: {0}")]
    Io(#[from] io::Error),
    /// A record could not be serialized (in practice: the writer failed under serde).
    #[error("serializing a sample dragon: {0}")]
    Json(#[from] serde_json::Error),
}

/// SplitMix64 (Steele, Lea and Flood): small, fast and the same everywhere.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`), by multiply-shift (Lemire; the bias is negligible).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// One item of a non-empty slice.
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// A place dragons live: city, country, state (empty where there is none) and
/// neighbourhoods.
type Place = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

/// Plain places: ASCII only, no quotes, apostrophes or backslashes.
#[rustfmt::skip]
const PLACES: &[Place] = &[
    ("anchorage", "usa", "alaska", &["w fireweed ln", "spenard", "midtown", "turnagain"]),
    ("juneau", "usa", "alaska", &["mendenhall valley", "douglas", "starr hill"]),
    ("seattle", "usa", "washington", &["fremont", "ballard", "capitol hill", "georgetown"]),
    ("portland", "usa", "oregon", &["sellwood", "alberta arts", "pearl district"]),
    ("san francisco", "usa", "california", &["mission district", "sunset", "north beach"]),
    ("san diego", "usa", "california", &["balboa park", "ocean beach", "north park"]),
    ("monterey", "usa", "california", &["cannery row", "new monterey"]),
    ("phoenix", "usa", "arizona", &["arcadia", "roosevelt row", "ahwatukee"]),
    ("tucson", "usa", "arizona", &["barrio viejo", "sam hughes", "dunbar spring"]),
    ("denver", "usa", "colorado", &["capitol hill", "five points", "highland"]),
    ("boulder", "usa", "colorado", &["chautauqua", "mapleton hill"]),
    ("salt lake city", "usa", "utah", &["the avenues", "sugar house"]),
    ("moab", "usa", "utah", &["spanish valley", "downtown"]),
    ("albuquerque", "usa", "new mexico", &["nob hill", "old town", "barelas"]),
    ("santa fe", "usa", "new mexico", &["canyon road", "railyard"]),
    ("austin", "usa", "texas", &["hyde park", "east austin", "zilker"]),
    ("galveston", "usa", "texas", &["east end", "the strand", "west end"]),
    ("omaha", "usa", "nebraska", &["old market", "benson", "dundee"]),
    ("minneapolis", "usa", "minnesota", &["seward", "northeast", "uptown"]),
    ("duluth", "usa", "minnesota", &["canal park", "lakeside"]),
    ("chicago", "usa", "illinois", &["wicker park", "pilsen", "hyde park", "the loop"]),
    ("milwaukee", "usa", "wisconsin", &["third ward", "bay view", "riverwest"]),
    ("detroit", "usa", "michigan", &["corktown", "midtown", "eastern market"]),
    ("cleveland", "usa", "ohio", &["tremont", "ohio city", "little italy"]),
    ("pittsburgh", "usa", "pennsylvania", &["south side flats", "lawrenceville", "shadyside"]),
    ("philadelphia", "usa", "pennsylvania", &["old city", "fishtown", "society hill"]),
    ("new york", "usa", "new york", &["financial district", "astoria", "red hook", "harlem"]),
    ("boston", "usa", "massachusetts", &["north end", "back bay", "jamaica plain"]),
    ("gloucester", "usa", "massachusetts", &["rocky neck", "east gloucester"]),
    ("portland", "usa", "maine", &["munjoy hill", "old port"]),
    ("asheville", "usa", "north carolina", &["montford", "river arts district"]),
    ("savannah", "usa", "georgia", &["historic district", "starland"]),
    ("charleston", "usa", "south carolina", &["the battery", "wagener terrace"]),
    ("tampa", "usa", "florida", &["davis islands", "ybor city", "seminole heights"]),
    ("new orleans", "usa", "louisiana", &["bywater", "marigny", "garden district"]),
    ("knoxville", "usa", "tennessee", &["old city", "fourth and gill"]),
    ("honolulu", "usa", "hawaii", &["kakaako", "kaimuki", "manoa"]),
    ("hilo", "usa", "hawaii", &["kaumana", "keaukaha"]),
    ("butte", "usa", "montana", &["uptown", "walkerville"]),
    ("boise", "usa", "idaho", &["north end", "bench"]),
    ("toronto", "canada", "ontario", &["kensington market", "the annex", "leslieville"]),
    ("halifax", "canada", "nova scotia", &["north end", "south end"]),
    ("calgary", "canada", "alberta", &["inglewood", "kensington", "bridgeland"]),
    ("vancouver", "canada", "british columbia", &["kitsilano", "gastown", "strathcona"]),
    ("london", "united kingdom", "england", &["camden", "greenwich", "brixton"]),
    ("edinburgh", "united kingdom", "scotland", &["old town", "leith", "morningside"]),
    ("dublin", "ireland", "", &["temple bar", "rathmines", "smithfield"]),
    ("sydney", "australia", "new south wales", &["the rocks", "newtown", "manly"]),
    ("hobart", "australia", "tasmania", &["battery point", "sandy bay"]),
    ("wellington", "new zealand", "", &["te aro", "thorndon", "island bay"]),
    ("cape town", "south africa", "western cape", &["bo-kaap", "woodstock", "sea point"]),
    ("lisbon", "portugal", "", &["alfama", "bairro alto", "belem"]),
    ("amsterdam", "netherlands", "north holland", &["jordaan", "de pijp"]),
    ("berlin", "germany", "", &["kreuzberg", "prenzlauer berg", "wedding"]),
];

/// Places whose names are not ASCII (used only for the awkward records).
#[rustfmt::skip]
const FOREIGN_PLACES: &[Place] = &[
    ("São Paulo", "brasil", "são paulo", &["bela vista", "vila madalena", "liberdade"]),
    ("Zürich", "switzerland", "zürich", &["kreis 1", "wiedikon", "höngg"]),
    ("Kraków", "poland", "małopolskie", &["kazimierz", "podgórze"]),
    ("Reykjavík", "iceland", "", &["vesturbær", "hlíðar"]),
    ("東京", "日本", "", &["浅草", "下北沢"]),
    ("Αθήνα", "Ελλάδα", "", &["Πλάκα", "Ψυρρή"]),
    ("Montréal", "canada", "québec", &["le plateau-mont-royal", "verdun"]),
    ("málaga", "españa", "andalucía", &["el perchel", "pedregalejo"]),
];

/// Name syllables: no digits and no `-`, so the numeric suffix keeps names unique.
const NAME_HEADS: &[&str] = &[
    "Vyr", "Ash", "Kal", "Zor", "Mor", "Thal", "Ign", "Sca", "Dra", "Bel", "Fen", "Quor", "Ryn",
    "Sel", "Umb", "Xan", "Yth", "Ora", "Nyx", "Gal", "Cin", "Tor", "Eld", "Hal",
];
const NAME_MIDDLES: &[&str] = &[
    "ma", "ri", "tho", "ve", "la", "ga", "xi", "do", "ne", "ru", "sa", "", "", "",
];
const NAME_TAILS: &[&str] = &[
    "xa", "rion", "th", "gar", "mir", "dra", "vex", "nor", "sys", "lith", "bane", "wyn", "ka",
    "zel", "dris", "mon",
];
/// Non-ASCII heads, for the awkward names.
const FOREIGN_HEADS: &[&str] = &["Ær", "Øs", "Þra", "Ýr", "Ål", "Śni", "Ður"];

/// First sentences; `{n}` is the name, `{c}` the city and `{y}` a year.
const OPENERS: &[&str] = &[
    "{n} was first reported over {c} in {y}.",
    "{n} has lived near {c} for as long as anyone can remember.",
    "Residents of {c} first noticed {n} in the spring of {y}.",
    "{n} hatched in the hills outside {c} around {y}.",
    "{n} arrived in {c} during the storms of {y} and stayed.",
    "{n} settled on the edge of {c} after a long migration in {y}.",
    "The first written record of {n} is a newspaper notice from {c}, dated {y}.",
];

/// Further sentences: ASCII, no quotes, apostrophes or backslashes.
const SENTENCES: &[&str] = &[
    "The dragon roosts on the old water tower and leaves scorch marks on the railing.",
    "Fishermen say it follows the boats out past the breakwater at dawn.",
    "It has been seen carrying whole hay bales back to its den.",
    "Local schoolchildren hold a festival in its honour every autumn.",
    "The city council has twice voted on whether to name a street after it.",
    "Its roar is loud enough to set off car alarms three blocks away.",
    "Hikers report warm patches of ground near the ridge where it sleeps.",
    "It prefers goats, but will settle for the occasional unattended barbecue.",
    "Nobody has seen it eat, and the farmers are grateful for that.",
    "A retired schoolteacher keeps a logbook of every one of its flights.",
    "Its wingspan has been estimated at anything from twelve to forty metres.",
    "During heat waves it sleeps in the river with only its nostrils above the water.",
    "Pilots on the evening approach report it flying alongside the runway lights.",
    "It once rescued a stranded kayaker and then refused to give the paddle back.",
    "The fire department keeps its number on a laminated card by the phone.",
    "It sheds its scales every spring, and the neighbours sell them at the farmers market.",
    "Its den is said to contain several hundred bicycles, all of them red.",
    "It is shy around cameras and has never been photographed in focus.",
    "Birdwatchers have given up complaining about it and now count it in their surveys.",
    "The local radio station reports its position along with the traffic.",
    "It hums when it is content, a sound like a distant freight train.",
    "Insurance companies in the area list it under acts of nature.",
    "It has a strong dislike of leaf blowers and has destroyed at least four.",
    "Every winter it melts the ice on the town pond so the ducks can swim.",
    "It guards a hoard of traffic cones that grows a little every year.",
    "The dragon is most active at dusk, when it patrols the edge of town.",
    "Tourists come from all over the region hoping to see it land.",
    "It has never harmed anyone, though it has frightened a great many mail carriers.",
    "A mural of it covers the whole side of the old cinema.",
    "Its eggs, if it has any, have never been found.",
    "On clear nights it can be seen circling the hospital, which the staff find reassuring.",
    "It has been banned from the county fair since an incident involving the pie contest.",
];

/// Nicknames for the records with double quotes.
const NICKNAMES: &[&str] = &["Old Smoky", "the Lantern", "Big Kettle", "the Night Mail"];

/// Sentences with apostrophes, for the awkward records.
const APOSTROPHES: &[&str] = &[
    "Along the coast it is known as the sailors' dragon.",
    "It sleeps on the roof of O'Neill's bakery when the ovens are on.",
    "It won't fly in the rain, and nobody's sure why.",
];

/// Second lines of the neighbourhoods that span two lines.
const LANDMARKS: &[&str] = &[
    "\nbehind the library",
    "\nnear the water tower",
    "\nby the old rail bridge",
];

/// What makes an awkward record awkward.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Awkward {
    /// A line break in the description.
    DescriptionNewline,
    /// A line break in the neighbourhood.
    NeighborhoodNewline,
    /// A double-quoted nickname in the description.
    DoubleQuote,
    /// An apostrophe in the description.
    Apostrophe,
    /// An `O'` name.
    ApostropheName,
    /// A backslash path in the description.
    Backslash,
    /// A non-ASCII city, country, state or neighbourhood.
    ForeignPlace,
    /// A non-ASCII name.
    ForeignName,
    /// An emoji in the description.
    Emoji,
}

const AWKWARD: &[Awkward] = &[
    Awkward::DescriptionNewline,
    Awkward::NeighborhoodNewline,
    Awkward::DoubleQuote,
    Awkward::Apostrophe,
    Awkward::ApostropheName,
    Awkward::Backslash,
    Awkward::ForeignPlace,
    Awkward::ForeignName,
    Awkward::Emoji,
];

/// One awkward record in this many, on average.
const AWKWARD_ONE_IN: u64 = 50;

/// The endless, deterministic stream of sample dragons for one seed; see [`records`].
#[derive(Debug, Clone)]
pub struct Records {
    rng: SplitMix64,
    /// The 1-based number of the last record produced.
    produced: u64,
}

/// The sample dragons for `seed`, without end: take as many as needed.
///
/// The same seed gives the same sequence; record `n` is named `…-{n:06}`.
pub fn records(seed: u64) -> Records {
    Records {
        rng: SplitMix64(seed),
        produced: 0,
    }
}

impl Iterator for Records {
    type Item = Dragon;

    fn next(&mut self) -> Option<Dragon> {
        self.produced += 1;
        Some(dragon(&mut self.rng, self.produced))
    }
}

impl std::iter::FusedIterator for Records {}

/// Upper-cases the first letter of each word, for place names in prose.
fn title_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at_word_start = true;
    for c in text.chars() {
        if at_word_start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        at_word_start = c == ' ' || c == '-';
    }
    out
}

fn family(rng: &mut SplitMix64) -> &'static str {
    let mut ticket = rng.below(u64::from(FAMILY_WEIGHT_TOTAL));
    for (name, weight) in FAMILIES {
        let weight = u64::from(*weight);
        if ticket < weight {
            return name;
        }
        ticket -= weight;
    }
    // Unreachable while the weights add up to the total; a test checks that.
    "red"
}

fn name(rng: &mut SplitMix64, number: u64, awkward: Option<Awkward>) -> String {
    let mut name = String::with_capacity(32);
    if awkward == Some(Awkward::ApostropheName) {
        name.push_str("O'");
    }
    let head = if awkward == Some(Awkward::ForeignName) {
        rng.pick(FOREIGN_HEADS)
    } else {
        rng.pick(NAME_HEADS)
    };
    name.push_str(head);
    name.push_str(rng.pick(NAME_MIDDLES));
    name.push_str(rng.pick(NAME_TAILS));
    // Writing to a String cannot fail.
    let _ = write!(name, "-{number:06}");
    name
}

fn description(
    rng: &mut SplitMix64,
    name: &str,
    city: &str,
    family: &str,
    number: u64,
    awkward: Option<Awkward>,
) -> String {
    let year = 1900 + rng.below(125);
    let mut text = rng
        .pick(OPENERS)
        .replace("{n}", name)
        .replace("{c}", &title_case(city))
        .replace("{y}", &year.to_string());
    // Mostly short, sometimes long: 0, 0, 1, 1 or 2 more sentences, or 4..=9 one
    // time in 25 (about 360 bytes a record on average).
    let more = if rng.below(25) == 0 {
        4 + rng.below(6)
    } else {
        rng.below(5) / 2
    };
    let more = if awkward == Some(Awkward::DescriptionNewline) {
        more.max(1)
    } else {
        more
    };
    let newline_before = rng.below(more.max(1));
    for i in 0..more {
        let separator = if awkward == Some(Awkward::DescriptionNewline) && i == newline_before {
            '\n'
        } else {
            ' '
        };
        text.push(separator);
        text.push_str(rng.pick(SENTENCES));
    }
    let extra = match awkward {
        Some(Awkward::DoubleQuote) => Some(format!(
            "Children in the neighbourhood call it \"{}\".",
            rng.pick(NICKNAMES)
        )),
        Some(Awkward::Apostrophe) => Some(rng.pick(APOSTROPHES).to_owned()),
        Some(Awkward::Backslash) => Some(format!(
            "Its sighting reports are filed under \\\\records\\{family}\\{number}."
        )),
        Some(Awkward::Emoji) => Some("Its fan club signs every post with \u{1F409}.".to_owned()),
        _ => None,
    };
    if let Some(extra) = extra {
        text.push(' ');
        text.push_str(&extra);
    }
    text
}

fn dragon(rng: &mut SplitMix64, number: u64) -> Dragon {
    let awkward = (rng.below(AWKWARD_ONE_IN) == 0).then(|| rng.pick(AWKWARD));
    let dragon_name = name(rng, number, awkward);
    let family = family(rng);
    let (city, country, state, neighborhoods) = if awkward == Some(Awkward::ForeignPlace) {
        rng.pick(FOREIGN_PLACES)
    } else {
        rng.pick(PLACES)
    };
    let mut neighborhood = rng.pick(neighborhoods).to_owned();
    if awkward == Some(Awkward::NeighborhoodNewline) {
        neighborhood.push_str(rng.pick(LANDMARKS));
    }
    let bare_name = dragon_name
        .rsplit_once('-')
        .map_or(dragon_name.as_str(), |(bare, _)| bare);
    let description = description(rng, bare_name, city, family, number, awkward);
    Dragon {
        dragon_name_str: dragon_name,
        family_str: family.to_owned(),
        description_str: description,
        location_city_str: city.to_owned(),
        location_country_str: country.to_owned(),
        location_state_str: state.to_owned(),
        location_neighborhood_str: neighborhood,
    }
}

/// Writes the first `count` records for `seed` as JSON Lines, and returns the writer.
///
/// Streams through its own buffer in constant memory, so pass the raw writer (a
/// file, stdout, a `Vec<u8>`).
pub fn write_lines<W: Write>(count: u64, seed: u64, writer: W) -> Result<W, SampleError> {
    write(DataFormat::JsonLines, count, seed, writer)
}

/// Writes the first `count` records for `seed` as one JSON array document (`[`,
/// records separated by `,\n`, `]\n`), and returns the writer.
pub fn write_array<W: Write>(count: u64, seed: u64, writer: W) -> Result<W, SampleError> {
    write(DataFormat::JsonArray, count, seed, writer)
}

/// Writes the first `count` records for `seed` in `format`, and returns the writer.
pub fn write<W: Write>(
    format: DataFormat,
    count: u64,
    seed: u64,
    writer: W,
) -> Result<W, SampleError> {
    let mut out = BufWriter::with_capacity(1 << 16, writer);
    if format == DataFormat::JsonArray {
        out.write_all(b"[")?;
    }
    for (i, dragon) in (0..count).zip(records(seed)) {
        match format {
            DataFormat::JsonLines => {
                serde_json::to_writer(&mut out, &dragon)?;
                out.write_all(b"\n")?;
            }
            DataFormat::JsonArray => {
                if i > 0 {
                    out.write_all(b",\n")?;
                }
                serde_json::to_writer(&mut out, &dragon)?;
            }
        }
    }
    if format == DataFormat::JsonArray {
        out.write_all(b"]\n")?;
    }
    out.into_inner()
        .map_err(|e| SampleError::Io(e.into_error()))
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};

    use handlers::domain::validation::DragonValidator;
    use serde_json::Value;

    use super::*;

    fn lines(count: u64, seed: u64) -> Vec<u8> {
        write_lines(count, seed, Vec::new()).unwrap()
    }

    fn is_awkward(d: &Dragon) -> bool {
        [
            &d.dragon_name_str,
            &d.family_str,
            &d.description_str,
            &d.location_city_str,
            &d.location_country_str,
            &d.location_state_str,
            &d.location_neighborhood_str,
        ]
        .iter()
        .any(|v| {
            v.chars()
                .any(|c| matches!(c, '\n' | '"' | '\'' | '\\') || !c.is_ascii())
        })
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let a = lines(2_000, 42);
        assert_eq!(a, lines(2_000, 42));
        assert_ne!(a, lines(2_000, 43));
        assert_eq!(lines(500, DEFAULT_SEED), lines(500, DEFAULT_SEED));
    }

    #[test]
    fn a_shorter_set_is_a_prefix_of_a_longer_one() {
        let short = lines(100, 7);
        let long = lines(1_000, 7);
        assert!(long.starts_with(&short));
    }

    #[test]
    fn writes_exactly_count_records() {
        for count in [0, 1, 2, 999] {
            let text = String::from_utf8(lines(count, 1)).unwrap();
            assert_eq!(
                text.matches('\n').count() as u64,
                count,
                "one line feed a record"
            );
            assert!(count == 0 || text.ends_with('\n'));
            for line in text.lines() {
                serde_json::from_str::<Dragon>(line).unwrap();
            }
        }
    }

    #[test]
    fn every_record_parses_and_meets_the_schema() {
        let validator = DragonValidator::new().unwrap();
        let text = String::from_utf8(lines(20_000, 3)).unwrap();
        for (i, line) in text.lines().enumerate() {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("line {}: {e}: {line}", i + 1));
            let dragon = validator
                .validate(&value)
                .unwrap_or_else(|v| panic!("line {}: {v}: {line}", i + 1));
            // Compact, in field order: the line is exactly serde's serialization.
            assert_eq!(serde_json::to_string(&dragon).unwrap(), line);
        }
    }

    #[test]
    fn names_are_unique_case_insensitively() {
        let mut seen = HashSet::new();
        for dragon in records(11).take(100_000) {
            assert!(
                seen.insert(dragon.dragon_name_str.to_lowercase()),
                "duplicate {}",
                dragon.dragon_name_str
            );
        }
        assert_eq!(seen.len(), 100_000);
    }

    #[test]
    fn families_follow_their_weights() {
        assert_eq!(
            FAMILIES.iter().map(|(_, w)| w).sum::<u32>(),
            FAMILY_WEIGHT_TOTAL
        );
        let n = 200_000;
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for dragon in records(5).take(n) {
            *counts.entry(dragon.family_str).or_default() += 1;
        }
        assert_eq!(counts.len(), FAMILIES.len(), "{counts:?}");
        for (family, weight) in FAMILIES {
            let expected = n as f64 * f64::from(*weight) / f64::from(FAMILY_WEIGHT_TOTAL);
            let got = counts[*family] as f64;
            // Within 5 standard deviations (binomial), at least 10 records.
            let slack = (5.0 * expected.sqrt()).max(10.0);
            assert!(
                (got - expected).abs() < slack,
                "{family}: {got} records, expected about {expected}"
            );
        }
    }

    #[test]
    fn about_one_record_in_fifty_is_awkward_and_every_kind_appears() {
        let sample: Vec<Dragon> = records(9).take(50_000).collect();
        let awkward = sample.iter().filter(|d| is_awkward(d)).count();
        // 2% expected (1000); allow for chance.
        assert!((800..=1200).contains(&awkward), "{awkward} awkward records");
        let any = |f: &dyn Fn(&Dragon) -> bool| sample.iter().any(f);
        assert!(any(&|d| d.description_str.contains('\n')));
        assert!(any(&|d| d.location_neighborhood_str.contains('\n')));
        assert!(any(&|d| d.description_str.contains('"')));
        assert!(any(&|d| d.description_str.contains('\'')));
        assert!(any(&|d| d.dragon_name_str.starts_with("O'")));
        assert!(any(&|d| d.description_str.contains('\\')));
        assert!(any(&|d| !d.location_city_str.is_ascii()));
        assert!(any(&|d| !d.dragon_name_str.is_ascii()));
        assert!(any(&|d| d.description_str.contains('\u{1F409}')));
        assert!(any(&|d| d.location_state_str.is_empty()));
    }

    #[test]
    fn records_average_about_360_bytes_with_varied_descriptions() {
        let n = 20_000u64;
        let bytes = lines(n, DEFAULT_SEED).len() as u64;
        let average = bytes / n;
        assert!((330..=390).contains(&average), "{average} bytes a record");
        let lengths: Vec<usize> = records(DEFAULT_SEED)
            .take(n as usize)
            .map(|d| d.description_str.len())
            .collect();
        let shortest = lengths.iter().min().copied().unwrap_or(0);
        let longest = lengths.iter().max().copied().unwrap_or(0);
        assert!(shortest < 100 && longest > 600, "{shortest}..{longest}");
    }

    #[test]
    fn array_is_the_same_records_as_lines() {
        let count = 1_000;
        let array = write_array(count, 21, Vec::new()).unwrap();
        let text = String::from_utf8(array).unwrap();
        assert!(
            text.starts_with("[{") && text.ends_with("}]\n"),
            "{text:.40}"
        );
        assert_eq!(text.matches("},\n{").count() as u64, count - 1);
        let parsed: Vec<Value> = serde_json::from_str(&text).unwrap();
        let from_lines: Vec<Value> = String::from_utf8(lines(count, 21))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(parsed.len() as u64, count);
        assert_eq!(parsed, from_lines);
        assert_eq!(write_array(0, 21, Vec::new()).unwrap(), b"[]\n");
    }
}
