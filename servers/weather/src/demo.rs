//! A bundled, WeatherAPI-shaped **sample** upstream, so that every weather tool can be tried
//! without an API key or a network.
//!
//! [`router`] serves, at its root, the five GET methods the weather tools call —
//! `/current.json`, `/forecast.json`, `/history.json`, `/search.json` and `/ip.json` — with
//! the response shapes WeatherAPI documents (`location`, `current`,
//! `forecast.forecastday[]` with `day`, `astro` and `hour`, search results, IP lookups).
//! Mount it wherever the tool spec's `base_url` points, e.g. under `/v1`.
//!
//! The data is made up and says so: every JSON object response carries
//! `"_sample": SAMPLE_NOTE` (each search result too, as search answers with an array), and
//! every response, errors included, the [`SAMPLE_HEADER`] header. It is deterministic: the
//! same request always gets the same answer. There is no randomness and no clock — "now"
//! is a fixed reference instant (2025-06-15 12:10 UTC), and only dates passed in `dt` and
//! friends are echoed back. Values derive from a hash of the place, so London and Tokyo
//! differ, and from its latitude and the date, so they look seasonal.
//!
//! `q` resolves as WeatherAPI documents it: a city name (a handful of known cities, such as
//! London, Paris, New York or Tokyo, get their real region, country and coordinates; any
//! other name becomes a place of that name in "Sample Region", "Sample Country"), `lat,lon`,
//! `id:<id>`, an IP address or `auto:ip`. The `key` parameter is accepted and ignored, as
//! are `lang` (conditions stay in English) and `tp`. Like WeatherAPI's free plan, a forecast
//! covers at most three days; every `hour` array lists every third hour unless the `hour`
//! parameter picks one.
//!
//! Errors mimic WeatherAPI's `{"error": {"code", "message"}}` body:
//!
//! | HTTP | code | when |
//! |------|------|------|
//! | 400  | 1003 | `q` is missing or empty (`Parameter q is missing.`) |
//! | 400  | 1006 | `ip.json` got a `q` that is not an IP address |
//! | 400  | 1007 | a `days`, `hour`, `dt`, `unixdt`, `end_dt` or `unixend_dt` is malformed, missing (history's `dt`) or out of range |
//! | 404  | 1005 | an unknown path (`API request url is invalid.`) |
//! | 405  | 1005 | a method other than GET or HEAD |
//!
//! Codes 1003, 1005 and 1006 are WeatherAPI's own; 1007 is the demo's, in the same style.

mod date;
mod place;
mod weather;

#[cfg(test)]
mod tests;

use axum::Router;
use axum::extract::RawQuery;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use self::place::Place;

/// The label every JSON object response carries in its top-level `_sample` field.
pub const SAMPLE_NOTE: &str =
    "Sample data from toolgate's bundled demo upstream, not real weather.";

/// A response header set on every response of the demo upstream, errors included.
pub const SAMPLE_HEADER: &str = "x-toolgate-sample";

/// Value of [`SAMPLE_HEADER`].
const SAMPLE_HEADER_VALUE: &str = "demo upstream, not real weather";

/// Most forecast days the demo returns, like WeatherAPI's free plan (and the `days` enum of
/// the tutorial's Forecast tool); larger `days` values are clamped to it.
const MAX_FORECAST_DAYS: i64 = 3;

/// The furthest apart `dt` and `end_dt` of a history request may be.
const MAX_HISTORY_SPAN_DAYS: i64 = 30;

/// The earliest date history is available for.
const FIRST_HISTORY_DAY: i64 = date::days_from_civil(2010, 1, 1);

/// The demo upstream, serving the five WeatherAPI methods at its root (`/current.json`, …).
pub fn router() -> Router {
    Router::new()
        .route("/current.json", get(current))
        .route("/forecast.json", get(forecast))
        .route("/history.json", get(history))
        .route("/search.json", get(search))
        .route("/ip.json", get(ip_lookup))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn current(RawQuery(query): RawQuery) -> Response {
    reply(current_body(&Params::parse(query.as_deref())))
}

async fn forecast(RawQuery(query): RawQuery) -> Response {
    reply(forecast_body(&Params::parse(query.as_deref())))
}

async fn history(RawQuery(query): RawQuery) -> Response {
    reply(history_body(&Params::parse(query.as_deref())))
}

async fn search(RawQuery(query): RawQuery) -> Response {
    reply(search_body(&Params::parse(query.as_deref())))
}

async fn ip_lookup(RawQuery(query): RawQuery) -> Response {
    reply(ip_body(&Params::parse(query.as_deref())))
}

async fn not_found() -> Response {
    ApiError::new(StatusCode::NOT_FOUND, 1005, "API request url is invalid.").into_response()
}

async fn method_not_allowed() -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        1005,
        "API request url is invalid. The demo upstream only answers GET requests.",
    )
    .into_response()
}

fn current_body(params: &Params) -> Result<Value, ApiError> {
    let place = place::resolve(params.q()?);
    Ok(json!({
        "_sample": SAMPLE_NOTE,
        "location": weather::location_json(&place),
        "current": weather::current_json(&place, params.flag("aqi")),
    }))
}

fn forecast_body(params: &Params) -> Result<Value, ApiError> {
    let place = place::resolve(params.q()?);
    let days = params.days()?;
    let hour = params.hour()?;
    // With `dt` (or `unixdt`), WeatherAPI answers with that one day.
    let (first, count) = match params.date("dt", "unixdt")? {
        Some(day) => (day, 1),
        None => (weather::today(&place), days),
    };
    let mut body = json!({
        "_sample": SAMPLE_NOTE,
        "location": weather::location_json(&place),
        "current": weather::current_json(&place, params.flag("aqi")),
        "forecast": {"forecastday": forecast_days(&place, first, count, hour)},
    });
    if params.flag("alerts")
        && let Some(fields) = body.as_object_mut()
    {
        fields.insert("alerts".to_owned(), json!({"alert": []}));
    }
    Ok(body)
}

fn history_body(params: &Params) -> Result<Value, ApiError> {
    let place = place::resolve(params.q()?);
    let first = params.date("dt", "unixdt")?.ok_or_else(|| {
        ApiError::invalid("Parameter dt is missing. Pass a date in yyyy-MM-dd format.")
    })?;
    if first < FIRST_HISTORY_DAY {
        return Err(ApiError::invalid(
            "Parameter dt must be on or after 2010-01-01.",
        ));
    }
    let count = match params.date("end_dt", "unixend_dt")? {
        None => 1,
        Some(last) if last < first => {
            return Err(ApiError::invalid("Parameter end_dt must not be before dt."));
        }
        Some(last) if last - first > MAX_HISTORY_SPAN_DAYS => {
            return Err(ApiError::invalid(
                "Parameters dt and end_dt must not be more than 30 days apart.",
            ));
        }
        Some(last) => last - first + 1,
    };
    Ok(json!({
        "_sample": SAMPLE_NOTE,
        "location": weather::location_json(&place),
        "forecast": {"forecastday": forecast_days(&place, first, count, params.hour()?)},
    }))
}

fn forecast_days(place: &Place, first: i64, count: i64, hour: Option<u32>) -> Vec<Value> {
    (first..first + count)
        .map(|day| weather::forecast_day_json(place, day, hour))
        .collect()
}

fn search_body(params: &Params) -> Result<Value, ApiError> {
    let results = place::search(params.q()?)
        .into_iter()
        .map(|place| {
            json!({
                "id": place.id,
                "name": place.name,
                "region": place.region,
                "country": place.country,
                "lat": place.lat,
                "lon": place.lon,
                "url": place.url,
                "_sample": SAMPLE_NOTE,
            })
        })
        .collect();
    Ok(Value::Array(results))
}

fn ip_body(params: &Params) -> Result<Value, ApiError> {
    let (ip, city) = place::ip_city(params.q()?).ok_or_else(|| {
        ApiError::new(StatusCode::BAD_REQUEST, 1006, "No matching location found.")
    })?;
    let place = place::resolve(&ip.to_string());
    let location = weather::location_json(&place);
    Ok(json!({
        "_sample": SAMPLE_NOTE,
        "ip": ip.to_string(),
        "type": if ip.is_ipv4() { "ipv4" } else { "ipv6" },
        "continent_code": city.continent_code,
        "continent_name": city.continent_name,
        "country_code": city.country_code,
        "country_name": city.country,
        // WeatherAPI spells this flag as a string.
        "is_eu": if city.is_eu { "true" } else { "false" },
        "geoname_id": city.geoname_id,
        "city": city.name,
        "region": city.region,
        "lat": city.lat,
        "lon": city.lon,
        "tz_id": city.tz_id,
        "localtime_epoch": location["localtime_epoch"],
        "localtime": location["localtime"],
    }))
}

/// Labels a handler's result as sample data and turns it into a response.
fn reply(result: Result<Value, ApiError>) -> Response {
    match result {
        Ok(body) => labelled(StatusCode::OK, &body),
        Err(error) => error.into_response(),
    }
}

fn labelled(status: StatusCode, body: &Value) -> Response {
    let mut response = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.to_string(),
    )
        .into_response();
    response
        .headers_mut()
        .insert(SAMPLE_HEADER, HeaderValue::from_static(SAMPLE_HEADER_VALUE));
    response
}

/// A WeatherAPI-style error: `{"error": {"code": …, "message": …}}` with an HTTP status.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    code: u32,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: u32, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// The demo's code 1007: a parameter is malformed, missing or out of range.
    fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, 1007, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message}});
        labelled(self.status, &body)
    }
}

/// A request's query parameters, decoded; the first occurrence of a name wins and an empty
/// value counts as absent.
#[derive(Debug)]
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(query: Option<&str>) -> Self {
        let pairs = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        Self(pairs)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim())
            .filter(|value| !value.is_empty())
    }

    fn q(&self) -> Result<&str, ApiError> {
        self.get("q")
            .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, 1003, "Parameter q is missing."))
    }

    /// `aqi=yes`, `alerts=yes`.
    fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|value| value.eq_ignore_ascii_case("yes"))
    }

    /// `days`: 1 when absent, clamped to `1..=MAX_FORECAST_DAYS`, an error when not a number.
    fn days(&self) -> Result<i64, ApiError> {
        let Some(text) = self.get("days") else {
            return Ok(1);
        };
        let days: i64 = text.parse().map_err(|_| {
            ApiError::invalid(format!(
                "Parameter days must be a whole number of days, not '{text}'."
            ))
        })?;
        Ok(days.clamp(1, MAX_FORECAST_DAYS))
    }

    /// `hour`: one hour of the day, 0 to 23.
    fn hour(&self) -> Result<Option<u32>, ApiError> {
        self.get("hour")
            .map(|text| {
                text.parse::<u32>()
                    .ok()
                    .filter(|hour| *hour < 24)
                    .ok_or_else(|| {
                        ApiError::invalid(format!(
                            "Parameter hour must be an hour from 0 to 23, not '{text}'."
                        ))
                    })
            })
            .transpose()
    }

    /// A date given either as `yyyy-MM-dd` in `name` or as a Unix timestamp in `unix_name`.
    fn date(&self, name: &str, unix_name: &str) -> Result<Option<i64>, ApiError> {
        match (self.get(name), self.get(unix_name)) {
            (None, None) => Ok(None),
            (Some(_), Some(_)) => Err(ApiError::invalid(format!(
                "Please either pass '{name}' or '{unix_name}' and not both in same request."
            ))),
            (Some(text), None) => date::parse_date(text).map(Some).ok_or_else(|| {
                ApiError::invalid(format!(
                    "Parameter {name} is invalid: '{text}' is not a date in yyyy-MM-dd format."
                ))
            }),
            (None, Some(text)) => date::day_of_unix(text).map(Some).ok_or_else(|| {
                ApiError::invalid(format!(
                    "Parameter {unix_name} is invalid: '{text}' is not a Unix timestamp."
                ))
            }),
        }
    }
}
