//! Where a `q` parameter points: a handful of real-ish cities, IP addresses mapped onto
//! them, `lat,lon` pairs, and a made-up but stable place for anything else.

use std::net::IpAddr;

/// The address `q=auto:ip` stands for. The demo never sees the caller's real address, so
/// it uses one from the TEST-NET-3 documentation range.
pub(crate) const AUTO_IP: &str = "203.0.113.7";

/// A city the demo knows by name. Ids are sample values; coordinates, time zones and
/// GeoNames ids are real.
#[derive(Debug)]
pub(crate) struct City {
    pub(crate) name: &'static str,
    pub(crate) region: &'static str,
    pub(crate) country: &'static str,
    pub(crate) country_code: &'static str,
    pub(crate) continent_code: &'static str,
    pub(crate) continent_name: &'static str,
    pub(crate) is_eu: bool,
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    pub(crate) tz_id: &'static str,
    /// Offset from UTC in minutes on the demo's reference date (mid-June).
    pub(crate) utc_offset_min: i64,
    pub(crate) id: u64,
    pub(crate) geoname_id: u64,
    pub(crate) url: &'static str,
}

macro_rules! city {
    ($name:literal, $region:literal, $country:literal, $cc:literal, $cont:literal,
     $cont_name:literal, $eu:literal, $lat:literal, $lon:literal, $tz:literal, $off:literal,
     $id:literal, $geo:literal, $url:literal) => {
        City {
            name: $name,
            region: $region,
            country: $country,
            country_code: $cc,
            continent_code: $cont,
            continent_name: $cont_name,
            is_eu: $eu,
            lat: $lat,
            lon: $lon,
            tz_id: $tz,
            utc_offset_min: $off,
            id: $id,
            geoname_id: $geo,
            url: $url,
        }
    };
}

// One city per call, so the table reads as a table.
#[rustfmt::skip]
pub(crate) static CITIES: [City; 10] = [
    city!("London", "City of London, Greater London", "United Kingdom", "GB", "EU", "Europe",
        false, 51.5171, -0.1062, "Europe/London", 60, 2_801_268, 2_643_743,
        "london-city-of-london-greater-london-united-kingdom"),
    city!("Paris", "Ile-de-France", "France", "FR", "EU", "Europe", true, 48.8667, 2.3333,
        "Europe/Paris", 120, 803_267, 2_988_507, "paris-ile-de-france-france"),
    city!("Berlin", "Berlin", "Germany", "DE", "EU", "Europe", true, 52.5167, 13.4,
        "Europe/Berlin", 120, 530_215, 2_950_159, "berlin-berlin-germany"),
    city!("New York", "New York", "United States of America", "US", "NA", "North America",
        false, 40.7142, -74.0064, "America/New_York", -240, 2_618_724, 5_128_581,
        "new-york-new-york-united-states-of-america"),
    city!("San Francisco", "California", "United States of America", "US", "NA",
        "North America", false, 37.775, -122.4183, "America/Los_Angeles", -420, 2_487_956,
        5_391_959, "san-francisco-california-united-states-of-america"),
    city!("Tokyo", "Tokyo", "Japan", "JP", "AS", "Asia", false, 35.6895, 139.6917,
        "Asia/Tokyo", 540, 3_125_553, 1_850_147, "tokyo-tokyo-japan"),
    city!("Sydney", "New South Wales", "Australia", "AU", "OC", "Oceania", false, -33.8833,
        151.2167, "Australia/Sydney", 600, 2_146_208, 2_147_714,
        "sydney-new-south-wales-australia"),
    city!("Mumbai", "Maharashtra", "India", "IN", "AS", "Asia", false, 18.975, 72.8258,
        "Asia/Kolkata", 330, 1_122_378, 1_275_339, "mumbai-maharashtra-india"),
    city!("Sao Paulo", "Sao Paulo", "Brazil", "BR", "SA", "South America", false, -23.5333,
        -46.6167, "America/Sao_Paulo", -180, 312_054, 3_448_439,
        "sao-paulo-sao-paulo-brazil"),
    city!("Cape Town", "Western Cape", "South Africa", "ZA", "AF", "Africa", false, -33.9167,
        18.4167, "Africa/Johannesburg", 120, 2_563_711, 3_369_157,
        "cape-town-western-cape-south-africa"),
];

/// A resolved location: a known city or a stable made-up place.
#[derive(Debug, Clone)]
pub(crate) struct Place {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) region: String,
    pub(crate) country: String,
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    pub(crate) tz_id: String,
    pub(crate) utc_offset_min: i64,
    pub(crate) url: String,
    /// Seeds every weather value of this place.
    pub(crate) seed: u64,
}

impl Place {
    fn from_city(city: &City) -> Self {
        Self {
            id: city.id,
            name: city.name.to_owned(),
            region: city.region.to_owned(),
            country: city.country.to_owned(),
            lat: city.lat,
            lon: city.lon,
            tz_id: city.tz_id.to_owned(),
            utc_offset_min: city.utc_offset_min,
            url: city.url.to_owned(),
            seed: fnv1a(city.name.to_ascii_lowercase().as_bytes()),
        }
    }

    /// A place that is not in [`CITIES`], named after the query.
    fn sample(query: &str, coords: Option<(f64, f64)>) -> Self {
        let name: String = query.chars().take(100).collect();
        let seed = fnv1a(name.to_lowercase().as_bytes());
        let (lat, lon) = coords.unwrap_or_else(|| {
            (
                round2(-55.0 + unit(mix(seed, 1)) * 125.0),
                round2(-180.0 + unit(mix(seed, 2)) * 360.0),
            )
        });
        // Whole-hour zones from the longitude; POSIX `Etc/GMT` names flip the sign.
        let offset_hours = (lon / 15.0).round() as i64;
        let tz_id = if offset_hours == 0 {
            "UTC".to_owned()
        } else {
            format!("Etc/GMT{:+}", -offset_hours)
        };
        let slug: String = name
            .to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        Self {
            id: 9_000_000 + seed % 1_000_000,
            url: format!("{slug}-sample-region-sample-country"),
            name,
            region: "Sample Region".to_owned(),
            country: "Sample Country".to_owned(),
            lat,
            lon,
            tz_id,
            utc_offset_min: offset_hours * 60,
            seed,
        }
    }
}

/// Resolves a non-empty `q` the way WeatherAPI documents it: an IP address or `auto:ip`,
/// `id:<location id>`, `lat,lon` in decimal degrees, or a name (`London`, `Paris, France`).
/// Anything unrecognised becomes a sample place named after the query.
pub(crate) fn resolve(query: &str) -> Place {
    if let Some((_, city)) = ip_city(query) {
        return Place::from_city(city);
    }
    if let Some(id) = query
        .strip_prefix("id:")
        .and_then(|id| id.trim().parse::<u64>().ok())
        && let Some(city) = CITIES.iter().find(|city| city.id == id)
    {
        return Place::from_city(city);
    }
    if let Some((lat, lon)) = parse_coords(query) {
        let near = CITIES
            .iter()
            .find(|city| (city.lat - lat).abs() <= 0.5 && (city.lon - lon).abs() <= 0.5);
        return near.map_or_else(|| Place::sample(query, Some((lat, lon))), Place::from_city);
    }
    let head = query.split(',').next().unwrap_or(query).trim();
    match CITIES
        .iter()
        .find(|city| city.name.eq_ignore_ascii_case(head))
    {
        Some(city) => Place::from_city(city),
        None => Place::sample(query, None),
    }
}

/// The search endpoint: known cities whose name contains `q` (case-insensitively), or the
/// single place `q` resolves to when none does.
pub(crate) fn search(query: &str) -> Vec<Place> {
    let needle = query.to_lowercase();
    let matches: Vec<Place> = CITIES
        .iter()
        .filter(|city| city.name.to_lowercase().contains(&needle))
        .map(Place::from_city)
        .collect();
    if matches.is_empty() {
        vec![resolve(query)]
    } else {
        matches
    }
}

/// The address `q` names (`auto:ip` or a literal IPv4/IPv6 address) and the known city the
/// demo places it in, picked by a hash so that one address always lands in one city.
pub(crate) fn ip_city(query: &str) -> Option<(IpAddr, &'static City)> {
    let text = if query.eq_ignore_ascii_case("auto:ip") {
        AUTO_IP
    } else {
        query
    };
    let ip: IpAddr = text.parse().ok()?;
    let index = usize::try_from(fnv1a(ip.to_string().as_bytes()) % CITIES.len() as u64).ok()?;
    Some((ip, CITIES.get(index)?))
}

/// `lat,lon` in decimal degrees, within range.
fn parse_coords(query: &str) -> Option<(f64, f64)> {
    let (lat, lon) = query.split_once(',')?;
    let lat: f64 = lat.trim().parse().ok()?;
    let lon: f64 = lon.trim().parse().ok()?;
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// 64-bit FNV-1a: a stable hash, unlike `DefaultHasher`, whose output may change between
/// Rust releases.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Mixes a salt into a seed (the SplitMix64 finaliser), for independent streams of values.
pub(crate) fn mix(seed: u64, salt: u64) -> u64 {
    let mut z = seed ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A hash as a number in `[0, 1)`.
pub(crate) fn unit(hash: u64) -> f64 {
    (hash >> 11) as f64 / (1u64 << 53) as f64
}
