//! The demo's weather: values computed from a place's seed, its latitude, the date and the
//! hour — no randomness and no clock — shaped as WeatherAPI's `location`, `current` and
//! `forecastday` objects.
//!
//! The model is deliberately simple: a seasonal mean temperature from the latitude and the
//! day of the year, a daily swing peaking mid-afternoon, sunrise and sunset from the solar
//! declination, and per-day and per-hour variation drawn from hashes. Good enough for
//! values that look like weather and differ between places and days.

use std::f64::consts::{PI, TAU};

use serde_json::{Value, json};

use super::date::{self, DAY_SECS};
use super::place::{Place, mix, unit};

/// The demo's "now", 2025-06-15 12:10 UTC. Every `current` block and `localtime` is this
/// instant in the place's time zone, and a forecast without `dt` starts on its local date.
pub(crate) const REFERENCE_EPOCH: i64 =
    date::days_from_civil(2025, 6, 15) * DAY_SECS + 12 * 3600 + 10 * 60;

/// `forecastday[].hour` lists every third hour (00:00, 03:00, … 21:00) unless the `hour`
/// parameter asks for a single one, to keep responses compact.
const HOUR_STEP: usize = 3;

#[derive(Debug)]
struct Condition {
    code: u32,
    day: &'static str,
    night: &'static str,
    icon: u32,
}

const fn condition(code: u32, day: &'static str, night: &'static str, icon: u32) -> Condition {
    Condition {
        code,
        day,
        night,
        icon,
    }
}

const SUNNY: Condition = condition(1000, "Sunny", "Clear", 113);
const PARTLY_CLOUDY: Condition = condition(1003, "Partly cloudy", "Partly cloudy", 116);
const CLOUDY: Condition = condition(1006, "Cloudy", "Cloudy", 119);
const OVERCAST: Condition = condition(1009, "Overcast", "Overcast", 122);
const PATCHY_RAIN: Condition = condition(1063, "Patchy rain nearby", "Patchy rain nearby", 176);
const PATCHY_SNOW: Condition = condition(1066, "Patchy snow nearby", "Patchy snow nearby", 179);
const LIGHT_RAIN: Condition = condition(1183, "Light rain", "Light rain", 296);
const MODERATE_RAIN: Condition = condition(1189, "Moderate rain", "Moderate rain", 302);
const LIGHT_SNOW: Condition = condition(1213, "Light snow", "Light snow", 326);
const MODERATE_SNOW: Condition = condition(1219, "Moderate snow", "Moderate snow", 332);

/// The condition for an amount of precipitation (mm in an hour), a chance of it, a cloud
/// cover and a temperature.
fn pick_condition(precip_mm: f64, chance: f64, cloud: f64, temp_c: f64) -> &'static Condition {
    let snow = temp_c < 1.0;
    if precip_mm >= 1.0 {
        if snow { &MODERATE_SNOW } else { &MODERATE_RAIN }
    } else if precip_mm > 0.0 {
        if snow { &LIGHT_SNOW } else { &LIGHT_RAIN }
    } else if chance >= 30.0 {
        if snow { &PATCHY_SNOW } else { &PATCHY_RAIN }
    } else if cloud >= 85.0 {
        &OVERCAST
    } else if cloud >= 60.0 {
        &CLOUDY
    } else if cloud >= 25.0 {
        &PARTLY_CLOUDY
    } else {
        &SUNNY
    }
}

fn condition_json(condition: &Condition, is_day: bool) -> Value {
    let (text, period) = if is_day {
        (condition.day, "day")
    } else {
        (condition.night, "night")
    };
    json!({
        "text": text,
        "icon": format!("//cdn.weatherapi.com/weather/64x64/{period}/{}.png", condition.icon),
        "code": condition.code,
    })
}

/// What one place's day looks like before the hours vary it.
#[derive(Debug)]
struct DayBase {
    seed: u64,
    temp_c: f64,
    wet: f64,
    cloud: f64,
    wind_kph: f64,
    wind_degree: f64,
    sunrise: f64,
    sunset: f64,
    uv_peak: f64,
}

impl DayBase {
    fn new(place: &Place, day: i64) -> Self {
        let seed = mix(place.seed, day as u64);
        let doy = date::day_of_year(day) as f64;
        let abs_lat = place.lat.abs();
        let hemisphere = if place.lat >= 0.0 { 1.0 } else { -1.0 };
        // +1 in mid-July north of the equator, -1 in mid-January; the other way round south.
        let season = (TAU * (doy - 196.0) / 365.25).cos() * hemisphere;
        let wet = unit(mix(seed, 2));
        let (sunrise, sunset) = sun_times(place, doy);
        Self {
            seed,
            temp_c: 27.0 - 0.3 * abs_lat
                + 0.18 * abs_lat * season
                + (unit(mix(seed, 1)) - 0.5) * 6.0,
            wet,
            cloud: 60.0 * unit(mix(seed, 3)) + 40.0 * wet,
            wind_kph: 5.0 + 25.0 * unit(mix(seed, 4)),
            wind_degree: 360.0 * unit(mix(seed, 5)),
            sunrise,
            sunset,
            uv_peak: (11.0 - 0.1 * abs_lat + 3.0 * season).clamp(1.0, 11.0),
        }
    }
}

/// Local sunrise and sunset in hours, from the solar declination (polar days and nights
/// clamp to a full or empty day).
fn sun_times(place: &Place, doy: f64) -> (f64, f64) {
    let declination = 23.44_f64.to_radians() * (TAU * (284.0 + doy) / 365.0).sin();
    let phi = place.lat.clamp(-89.0, 89.0).to_radians();
    let cos_hour_angle = ((-0.833_f64).to_radians().sin() - phi.sin() * declination.sin())
        / (phi.cos() * declination.cos());
    let half_day = cos_hour_angle.clamp(-1.0, 1.0).acos().to_degrees() / 15.0;
    let solar_noon = 12.0 + place.utc_offset_min as f64 / 60.0 - place.lon / 15.0;
    (solar_noon - half_day, solar_noon + half_day)
}

/// One moment's weather.
#[derive(Debug)]
struct Sample {
    temp_c: f64,
    feelslike_c: f64,
    dewpoint_c: f64,
    humidity: i64,
    cloud: i64,
    wind_kph: f64,
    wind_degree: i64,
    pressure_mb: f64,
    precip_mm: f64,
    chance_of_rain: i64,
    chance_of_snow: i64,
    vis_km: f64,
    uv: f64,
    is_day: bool,
    condition: &'static Condition,
}

fn sample(base: &DayBase, hour: f64) -> Sample {
    let hash = mix(base.seed, 100 + hour.clamp(0.0, 23.0) as u64);
    let jitter = |salt: u64| unit(mix(hash, salt)) - 0.5;
    // +1 at 15:00, -1 at 03:00.
    let diurnal = (TAU * (hour - 15.0) / 24.0).cos();
    let cloud = (base.cloud + 30.0 * jitter(1)).clamp(0.0, 100.0);
    let temp_c = round1(base.temp_c + 4.5 * diurnal * (1.0 - cloud / 200.0) + jitter(2));
    let chance = if base.wet > 0.6 {
        ((base.wet - 0.6) / 0.4 * (70.0 + 60.0 * jitter(3)) + 30.0).clamp(0.0, 100.0)
    } else {
        base.wet * 15.0
    };
    let precip_mm = if chance >= 60.0 {
        round2((chance - 60.0) / 40.0 * 2.5 * (0.5 + jitter(4)))
    } else {
        0.0
    };
    let humidity = (65.0 - 20.0 * diurnal + 25.0 * base.wet + 10.0 * jitter(5)).clamp(15.0, 100.0);
    let wind_kph = round1((base.wind_kph * (1.0 + 0.25 * diurnal) + 4.0 * jitter(6)).max(0.0));
    let is_day = hour >= base.sunrise && hour < base.sunset;
    let uv = if is_day {
        let height = (PI * (hour - base.sunrise) / (base.sunset - base.sunrise)).sin();
        round1(height.max(0.0) * base.uv_peak * (1.0 - cloud / 140.0))
    } else {
        0.0
    };
    let feelslike_c = if temp_c < 10.0 {
        temp_c - 0.1 * wind_kph
    } else if temp_c > 26.0 {
        temp_c + 0.05 * (humidity - 40.0)
    } else {
        temp_c
    };
    let snow = temp_c < 1.0;
    Sample {
        temp_c,
        feelslike_c: round1(feelslike_c),
        dewpoint_c: round1(temp_c - (100.0 - humidity) / 5.0),
        humidity: humidity.round() as i64,
        cloud: cloud.round() as i64,
        wind_kph,
        wind_degree: (base.wind_degree + 40.0 * jitter(7))
            .rem_euclid(360.0)
            .round() as i64
            % 360,
        pressure_mb: (1013.0 + (0.45 - base.wet) * 30.0).round(),
        precip_mm,
        chance_of_rain: if snow { 0 } else { chance.round() as i64 },
        chance_of_snow: if snow { chance.round() as i64 } else { 0 },
        vis_km: if precip_mm >= 1.0 {
            5.0
        } else if precip_mm > 0.0 {
            8.0
        } else {
            10.0
        },
        uv,
        is_day,
        condition: pick_condition(precip_mm, chance, cloud, temp_c),
    }
}

/// The instant [`REFERENCE_EPOCH`] in the place's local time, as seconds since
/// 1970-01-01 00:00 local.
fn local_now(place: &Place) -> i64 {
    REFERENCE_EPOCH + place.utc_offset_min * 60
}

/// The place's local date at [`REFERENCE_EPOCH`], as a day number.
pub(crate) fn today(place: &Place) -> i64 {
    local_now(place).div_euclid(DAY_SECS)
}

/// WeatherAPI's `location` object.
pub(crate) fn location_json(place: &Place) -> Value {
    json!({
        "name": place.name,
        "region": place.region,
        "country": place.country,
        "lat": place.lat,
        "lon": place.lon,
        "tz_id": place.tz_id,
        "localtime_epoch": REFERENCE_EPOCH,
        "localtime": date::format_local(local_now(place), false),
    })
}

/// WeatherAPI's `current` object at [`REFERENCE_EPOCH`], with `air_quality` when `aqi`.
pub(crate) fn current_json(place: &Place, aqi: bool) -> Value {
    let local = local_now(place);
    let base = DayBase::new(place, local.div_euclid(DAY_SECS));
    let now = sample(&base, local.rem_euclid(DAY_SECS) as f64 / 3600.0);
    // WeatherAPI refreshes its current conditions every quarter of an hour.
    let updated = local - local.rem_euclid(900);
    let mut current = json!({
        "last_updated_epoch": updated - place.utc_offset_min * 60,
        "last_updated": date::format_local(updated, true),
        "temp_c": now.temp_c,
        "temp_f": fahrenheit(now.temp_c),
        "is_day": i64::from(now.is_day),
        "condition": condition_json(now.condition, now.is_day),
        "wind_mph": mph(now.wind_kph),
        "wind_kph": now.wind_kph,
        "wind_degree": now.wind_degree,
        "wind_dir": compass(now.wind_degree),
        "pressure_mb": now.pressure_mb,
        "pressure_in": round2(now.pressure_mb * 0.02953),
        "precip_mm": now.precip_mm,
        "precip_in": round2(now.precip_mm / 25.4),
        "humidity": now.humidity,
        "cloud": now.cloud,
        "feelslike_c": now.feelslike_c,
        "feelslike_f": fahrenheit(now.feelslike_c),
        "dewpoint_c": now.dewpoint_c,
        "dewpoint_f": fahrenheit(now.dewpoint_c),
        "vis_km": now.vis_km,
        "vis_miles": round1(now.vis_km * 0.621_371),
        "uv": now.uv,
        "gust_mph": mph(now.wind_kph * 1.4),
        "gust_kph": round1(now.wind_kph * 1.4),
    });
    if aqi && let Some(fields) = current.as_object_mut() {
        let q = |salt: u64, scale: f64| round1(scale * (0.2 + unit(mix(base.seed, 200 + salt))));
        let pm2_5 = q(4, 25.0);
        fields.insert(
            "air_quality".to_owned(),
            json!({
                "co": q(1, 400.0),
                "no2": q(2, 30.0),
                "o3": q(3, 90.0),
                "so2": q(5, 6.0),
                "pm2_5": pm2_5,
                "pm10": round1(pm2_5 * 1.6),
                "us-epa-index": if pm2_5 < 12.0 { 1 } else if pm2_5 < 35.4 { 2 } else { 3 },
                "gb-defra-index": (pm2_5 / 12.0).ceil().clamp(1.0, 10.0) as i64,
            }),
        );
    }
    current
}

/// One `forecastday` entry: `date`, `date_epoch`, `day`, `astro` and `hour` (every
/// [`HOUR_STEP`] hours, or only `only_hour`).
pub(crate) fn forecast_day_json(place: &Place, day: i64, only_hour: Option<u32>) -> Value {
    let base = DayBase::new(place, day);
    let hours: Vec<Sample> = (0..24).map(|hour| sample(&base, f64::from(hour))).collect();
    let count = hours.len() as f64;
    let sum = |field: fn(&Sample) -> f64| hours.iter().map(field).sum::<f64>();
    let max = |field: fn(&Sample) -> f64| hours.iter().map(field).fold(f64::MIN, f64::max);
    let min = |field: fn(&Sample) -> f64| hours.iter().map(field).fold(f64::MAX, f64::min);

    let (max_c, min_c) = (max(|s| s.temp_c), min(|s| s.temp_c));
    let avg_c = round1(sum(|s| s.temp_c) / count);
    let total_mm = round2(sum(|s| s.precip_mm));
    let rain = max(|s| s.chance_of_rain as f64);
    let snow = max(|s| s.chance_of_snow as f64);
    let avg_vis = round1(sum(|s| s.vis_km) / count);
    let max_wind = max(|s| s.wind_kph);
    // A day's worth of rain counts as "moderate" from 6 mm, an hour's from 1 mm.
    let day_condition = pick_condition(
        total_mm / 6.0,
        rain.max(snow),
        sum(|s| s.cloud as f64) / count,
        avg_c,
    );

    let listed: Vec<Value> = match only_hour {
        Some(hour) => vec![hour_json(place, day, hour, &base)],
        None => (0..24u32)
            .step_by(HOUR_STEP)
            .map(|hour| hour_json(place, day, hour, &base))
            .collect(),
    };
    json!({
        "date": date::format_date(day),
        "date_epoch": day * DAY_SECS,
        "day": {
            "maxtemp_c": max_c,
            "maxtemp_f": fahrenheit(max_c),
            "mintemp_c": min_c,
            "mintemp_f": fahrenheit(min_c),
            "avgtemp_c": avg_c,
            "avgtemp_f": fahrenheit(avg_c),
            "maxwind_mph": mph(max_wind),
            "maxwind_kph": max_wind,
            "totalprecip_mm": total_mm,
            "totalprecip_in": round2(total_mm / 25.4),
            "totalsnow_cm": if snow > 0.0 { round1(total_mm) } else { 0.0 },
            "avgvis_km": avg_vis,
            "avgvis_miles": round1(avg_vis * 0.621_371),
            "avghumidity": (sum(|s| s.humidity as f64) / count).round() as i64,
            "daily_will_it_rain": i64::from(rain >= 50.0),
            "daily_chance_of_rain": rain as i64,
            "daily_will_it_snow": i64::from(snow >= 50.0),
            "daily_chance_of_snow": snow as i64,
            "condition": condition_json(day_condition, true),
            "uv": max(|s| s.uv),
        },
        "astro": astro_json(day, &base),
        "hour": listed,
    })
}

fn hour_json(place: &Place, day: i64, hour: u32, base: &DayBase) -> Value {
    let at = sample(base, f64::from(hour));
    let local = day * DAY_SECS + i64::from(hour) * 3600;
    json!({
        "time_epoch": local - place.utc_offset_min * 60,
        "time": date::format_local(local, true),
        "temp_c": at.temp_c,
        "temp_f": fahrenheit(at.temp_c),
        "is_day": i64::from(at.is_day),
        "condition": condition_json(at.condition, at.is_day),
        "wind_mph": mph(at.wind_kph),
        "wind_kph": at.wind_kph,
        "wind_degree": at.wind_degree,
        "wind_dir": compass(at.wind_degree),
        "pressure_mb": at.pressure_mb,
        "precip_mm": at.precip_mm,
        "humidity": at.humidity,
        "cloud": at.cloud,
        "feelslike_c": at.feelslike_c,
        "feelslike_f": fahrenheit(at.feelslike_c),
        "will_it_rain": i64::from(at.chance_of_rain >= 50),
        "chance_of_rain": at.chance_of_rain,
        "will_it_snow": i64::from(at.chance_of_snow >= 50),
        "chance_of_snow": at.chance_of_snow,
        "vis_km": at.vis_km,
        "uv": at.uv,
    })
}

/// WeatherAPI's `astro` object. The moon's phase comes from the synodic month counted from
/// the new moon of 2000-01-06 18:14 UTC; moonrise trails sunrise by the moon's age.
fn astro_json(day: i64, base: &DayBase) -> Value {
    const SYNODIC_DAYS: f64 = 29.530_588_853;
    const PHASES: [&str; 8] = [
        "New Moon",
        "Waxing Crescent",
        "First Quarter",
        "Waxing Gibbous",
        "Full Moon",
        "Waning Gibbous",
        "Last Quarter",
        "Waning Crescent",
    ];
    let known_new_moon = date::days_from_civil(2000, 1, 6) as f64 + (18.0 + 14.0 / 60.0) / 24.0;
    let age = (day as f64 + 0.5 - known_new_moon).rem_euclid(SYNODIC_DAYS);
    let fraction = age / SYNODIC_DAYS;
    let phase = PHASES[(fraction * 8.0 + 0.5) as usize % PHASES.len()];
    let moonrise = base.sunrise + fraction * 24.0;
    json!({
        "sunrise": date::format_clock(base.sunrise),
        "sunset": date::format_clock(base.sunset),
        "moonrise": date::format_clock(moonrise),
        "moonset": date::format_clock(moonrise + 12.4),
        "moon_phase": phase,
        "moon_illumination": ((1.0 - (TAU * fraction).cos()) / 2.0 * 100.0).round() as i64,
        "is_moon_up": 0,
        "is_sun_up": 0,
    })
}

/// The 16-point compass direction of a bearing in degrees.
fn compass(degrees: i64) -> &'static str {
    const POINTS: [&str; 16] = [
        "N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW",
        "NW", "NNW",
    ];
    let index = ((degrees.rem_euclid(360) as f64 / 22.5) + 0.5) as usize % POINTS.len();
    POINTS[index]
}

fn fahrenheit(celsius: f64) -> f64 {
    round1(celsius * 1.8 + 32.0)
}

fn mph(kph: f64) -> f64 {
    round1(kph / 1.609_344)
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}
