//! `convert_units`: length, mass, volume and temperature, as a typed tool with structured
//! output. The units are an enum, so the input schema lists them and the gateway refuses an
//! unknown unit before the tool runs.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use toolgate_tools::{CallContext, Json, Tool, ToolFailure, typed_tool};

/// What a unit measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dimension {
    /// Metres and the like.
    Length,
    /// Kilograms and the like.
    Mass,
    /// Litres and the like.
    Volume,
    /// Degrees.
    Temperature,
}

impl Dimension {
    fn name(self) -> &'static str {
        match self {
            Self::Length => "length",
            Self::Mass => "mass",
            Self::Volume => "volume",
            Self::Temperature => "temperature",
        }
    }
}

/// A unit of measurement, by its usual symbol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Unit {
    /// millimetre
    #[serde(rename = "mm")]
    Millimetre,
    /// centimetre
    #[serde(rename = "cm")]
    Centimetre,
    /// metre
    #[serde(rename = "m")]
    Metre,
    /// kilometre
    #[serde(rename = "km")]
    Kilometre,
    /// inch
    #[serde(rename = "in")]
    Inch,
    /// foot
    #[serde(rename = "ft")]
    Foot,
    /// yard
    #[serde(rename = "yd")]
    Yard,
    /// mile
    #[serde(rename = "mi")]
    Mile,
    /// gram
    #[serde(rename = "g")]
    Gram,
    /// kilogram
    #[serde(rename = "kg")]
    Kilogram,
    /// ounce
    #[serde(rename = "oz")]
    Ounce,
    /// pound
    #[serde(rename = "lb")]
    Pound,
    /// millilitre
    #[serde(rename = "ml")]
    Millilitre,
    /// litre
    #[serde(rename = "l")]
    Litre,
    /// US gallon
    #[serde(rename = "gal")]
    Gallon,
    /// degree Celsius
    #[serde(rename = "C")]
    Celsius,
    /// degree Fahrenheit
    #[serde(rename = "F")]
    Fahrenheit,
    /// kelvin
    #[serde(rename = "K")]
    Kelvin,
}

impl Unit {
    /// What the unit measures, and how many base units (metre, kilogram, litre) one of it
    /// is; temperatures convert through kelvin instead.
    fn scale(self) -> (Dimension, f64) {
        match self {
            Self::Millimetre => (Dimension::Length, 0.001),
            Self::Centimetre => (Dimension::Length, 0.01),
            Self::Metre => (Dimension::Length, 1.0),
            Self::Kilometre => (Dimension::Length, 1000.0),
            Self::Inch => (Dimension::Length, 0.0254),
            Self::Foot => (Dimension::Length, 0.3048),
            Self::Yard => (Dimension::Length, 0.9144),
            Self::Mile => (Dimension::Length, 1609.344),
            Self::Gram => (Dimension::Mass, 0.001),
            Self::Kilogram => (Dimension::Mass, 1.0),
            Self::Ounce => (Dimension::Mass, 0.028_349_523_125),
            Self::Pound => (Dimension::Mass, 0.453_592_37),
            Self::Millilitre => (Dimension::Volume, 0.001),
            Self::Litre => (Dimension::Volume, 1.0),
            Self::Gallon => (Dimension::Volume, 3.785_411_784),
            Self::Celsius | Self::Fahrenheit | Self::Kelvin => (Dimension::Temperature, 1.0),
        }
    }

    /// The unit's symbol, as the tool's arguments spell it.
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Millimetre => "mm",
            Self::Centimetre => "cm",
            Self::Metre => "m",
            Self::Kilometre => "km",
            Self::Inch => "in",
            Self::Foot => "ft",
            Self::Yard => "yd",
            Self::Mile => "mi",
            Self::Gram => "g",
            Self::Kilogram => "kg",
            Self::Ounce => "oz",
            Self::Pound => "lb",
            Self::Millilitre => "ml",
            Self::Litre => "l",
            Self::Gallon => "gal",
            Self::Celsius => "°C",
            Self::Fahrenheit => "°F",
            Self::Kelvin => "K",
        }
    }

    /// What the unit measures.
    #[must_use]
    pub fn dimension(self) -> Dimension {
        self.scale().0
    }
}

/// Why a conversion is impossible.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConversionError {
    /// The units measure different things.
    #[error("cannot convert {from} ({from_dimension}) to {to} ({to_dimension})")]
    Incompatible {
        /// The source unit's symbol.
        from: &'static str,
        /// What it measures.
        from_dimension: &'static str,
        /// The target unit's symbol.
        to: &'static str,
        /// What that measures.
        to_dimension: &'static str,
    },
    /// A temperature below absolute zero.
    #[error("{value} {unit} is below absolute zero")]
    BelowAbsoluteZero {
        /// The value given.
        value: f64,
        /// Its unit's symbol.
        unit: &'static str,
    },
}

fn to_kelvin(value: f64, unit: Unit) -> f64 {
    match unit {
        Unit::Celsius => value + 273.15,
        Unit::Fahrenheit => (value - 32.0) * 5.0 / 9.0 + 273.15,
        _ => value,
    }
}

fn from_kelvin(kelvin: f64, unit: Unit) -> f64 {
    match unit {
        Unit::Celsius => kelvin - 273.15,
        Unit::Fahrenheit => (kelvin - 273.15) * 9.0 / 5.0 + 32.0,
        _ => kelvin,
    }
}

/// Converts `value` from `from` to `to`.
///
/// # Errors
/// When the units measure different things, or a temperature is below absolute zero.
pub fn convert(value: f64, from: Unit, to: Unit) -> Result<f64, ConversionError> {
    let (from_dimension, from_scale) = from.scale();
    let (to_dimension, to_scale) = to.scale();
    if from_dimension != to_dimension {
        return Err(ConversionError::Incompatible {
            from: from.symbol(),
            from_dimension: from_dimension.name(),
            to: to.symbol(),
            to_dimension: to_dimension.name(),
        });
    }
    if from_dimension == Dimension::Temperature {
        let kelvin = to_kelvin(value, from);
        if kelvin < 0.0 {
            return Err(ConversionError::BelowAbsoluteZero {
                value,
                unit: from.symbol(),
            });
        }
        return Ok(from_kelvin(kelvin, to));
    }
    Ok(value * from_scale / to_scale)
}

/// Arguments of `convert_units`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConvertArgs {
    /// The quantity to convert.
    pub value: f64,
    /// Its unit.
    pub from: Unit,
    /// The unit wanted.
    pub to: Unit,
}

/// What `convert_units` answers.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Conversion {
    /// The converted quantity.
    pub value: f64,
    /// Its unit.
    pub unit: Unit,
    /// The conversion for people, e.g. `5 km = 3.106856 mi`.
    pub text: String,
}

/// Rounds to six significant digits for display.
fn readable(value: f64) -> String {
    let text = format!("{value:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

/// The `convert_units` tool.
#[must_use]
pub fn tool() -> Arc<dyn Tool> {
    Arc::new(
        typed_tool(
            "convert_units",
            "Converts a quantity between units of length (mm, cm, m, km, in, ft, yd, mi), \
             mass (g, kg, oz, lb), volume (ml, l, gal) or temperature (C, F, K).",
            |args: ConvertArgs, _ctx: CallContext| async move {
                let value = convert(args.value, args.from, args.to)?;
                let text = format!(
                    "{} {} = {} {}",
                    readable(args.value),
                    args.from.symbol(),
                    readable(value),
                    args.to.symbol()
                );
                Ok::<_, ToolFailure>(Json(Conversion {
                    value,
                    unit: args.to,
                    text,
                }))
            },
        )
        .with_title("Convert units")
        .read_only()
        .idempotent(true)
        .open_world(false),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn lengths_masses_and_volumes_convert_through_their_base_unit() {
        let table = [
            (5.0, Unit::Kilometre, Unit::Mile, 3.106_855_961_185_069),
            (12.0, Unit::Inch, Unit::Foot, 1.0),
            (1.0, Unit::Pound, Unit::Gram, 453.592_37),
            (16.0, Unit::Ounce, Unit::Pound, 1.0),
            (1.0, Unit::Gallon, Unit::Litre, 3.785_411_784),
            (250.0, Unit::Millilitre, Unit::Litre, 0.25),
        ];
        for (value, from, to, expected) in table {
            let got = convert(value, from, to).expect("same dimension");
            assert!(close(got, expected), "{value} {from:?} -> {to:?}: {got}");
        }
    }

    #[test]
    fn temperatures_convert_through_kelvin() {
        assert!(close(
            convert(100.0, Unit::Celsius, Unit::Fahrenheit).expect("ok"),
            212.0
        ));
        assert!(close(
            convert(-40.0, Unit::Fahrenheit, Unit::Celsius).expect("ok"),
            -40.0
        ));
        assert!(close(
            convert(0.0, Unit::Kelvin, Unit::Celsius).expect("ok"),
            -273.15
        ));
    }

    #[test]
    fn different_dimensions_fail() {
        assert_eq!(
            convert(1.0, Unit::Kilogram, Unit::Metre)
                .expect_err("mass is not length")
                .to_string(),
            "cannot convert kg (mass) to m (length)"
        );
    }

    #[test]
    fn below_absolute_zero_fails() {
        assert_eq!(
            convert(-300.0, Unit::Celsius, Unit::Kelvin)
                .expect_err("colder than cold")
                .to_string(),
            "-300 °C is below absolute zero"
        );
    }

    #[test]
    fn readable_trims_trailing_zeros() {
        assert_eq!(readable(3.106_855_961), "3.106856");
        assert_eq!(readable(212.0), "212");
        assert_eq!(readable(-0.000_000_1), "0");
    }
}
