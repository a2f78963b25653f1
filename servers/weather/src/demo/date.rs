//! Calendar arithmetic for the demo upstream: days since 1970-01-01 (UTC) to and from
//! `yyyy-MM-dd`, and WeatherAPI's local-time spellings. No clock is read here.

/// Seconds in a day.
pub(crate) const DAY_SECS: i64 = 86_400;

/// The day number of 9999-12-31, the last date the demo accepts. Keeping dates at or below
/// it keeps every epoch computation far from `i64` overflow.
pub(crate) const LAST_DAY: i64 = days_from_civil(9999, 12, 31);

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) const fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The `(year, month, day)` of a day number; the inverse of [`days_from_civil`].
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    // Both values are small and positive by construction (1..=31 and 1..=12).
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses a strict `yyyy-MM-dd` date (four-digit year, zero-padded month and day, a real
/// calendar date) into a day number.
pub(crate) fn parse_date(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let digits_at = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    if !digits_at(0..4) || !digits_at(5..7) || !digits_at(8..10) {
        return None;
    }
    let year: i64 = text.get(0..4)?.parse().ok()?;
    let month: u32 = text.get(5..7)?.parse().ok()?;
    let day: u32 = text.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// The day number of a Unix timestamp, if it falls between 1970-01-01 and 9999-12-31.
pub(crate) fn day_of_unix(text: &str) -> Option<i64> {
    let secs: i64 = text.parse().ok()?;
    let day = secs.div_euclid(DAY_SECS);
    (0..=LAST_DAY).contains(&day).then_some(day)
}

/// `yyyy-MM-dd`.
pub(crate) fn format_date(days: i64) -> String {
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Day of the year, 1 for 1 January.
pub(crate) fn day_of_year(days: i64) -> i64 {
    let (year, _, _) = civil_from_days(days);
    days - days_from_civil(year, 1, 1) + 1
}

/// A local date and time, given as seconds since 1970-01-01 00:00 *local*. WeatherAPI
/// writes `location.localtime` with an unpadded hour (`2025-06-15 9:10`) and every other
/// time with a padded one (`2025-06-15 09:00`); `pad_hour` picks the style.
pub(crate) fn format_local(local_secs: i64, pad_hour: bool) -> String {
    let days = local_secs.div_euclid(DAY_SECS);
    let secs = local_secs.rem_euclid(DAY_SECS);
    let (hour, minute) = (secs / 3600, secs % 3600 / 60);
    let date = format_date(days);
    if pad_hour {
        format!("{date} {hour:02}:{minute:02}")
    } else {
        format!("{date} {hour}:{minute:02}")
    }
}

/// A time of day in hours (`5.75`) as WeatherAPI's astronomy strings (`05:45 AM`).
pub(crate) fn format_clock(hours: f64) -> String {
    let total = if hours.is_finite() {
        (hours * 60.0).round() as i64
    } else {
        0
    };
    let minutes = total.rem_euclid(24 * 60);
    let (hour, minute) = (minutes / 60, minutes % 60);
    let suffix = if hour < 12 { "AM" } else { "PM" };
    let hour12 = match hour % 12 {
        0 => 12,
        h => h,
    };
    format!("{hour12:02}:{minute:02} {suffix}")
}
