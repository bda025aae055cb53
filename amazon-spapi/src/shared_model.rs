//! Wire types that Orders v0 and Orders v2026-01-01 define identically; each version's
//! module re-exports them, so `orders_v0::X` and `orders_v2026::X` are the same type.

use crate::serde_util::open_enum;

open_enum! {
    /// `Measurement` unit (`Measurement.Unit` in Orders v0, `Measurement.unit` in v2026-01-01:
    /// the same values in both).
    pub enum MeasurementUnit {
        /// oz
        Ounces => "OUNCES",
        /// lb
        Pounds => "POUNDS",
        /// kg
        Kilograms => "KILOGRAMS",
        /// g
        Grams => "GRAMS",
        /// mg
        Milligrams => "MILLIGRAMS",
        /// in
        Inches => "INCHES",
        /// ft
        Feet => "FEET",
        /// m
        Meters => "METERS",
        /// cm
        Centimeters => "CENTIMETERS",
        /// mm
        Millimeters => "MILLIMETERS",
        /// m²
        SquareMeters => "SQUARE_METERS",
        /// cm²
        SquareCentimeters => "SQUARE_CENTIMETERS",
        /// ft²
        SquareFeet => "SQUARE_FEET",
        /// in²
        SquareInches => "SQUARE_INCHES",
        /// gal
        Gallons => "GALLONS",
        /// pt
        Pints => "PINTS",
        /// qt
        Quarts => "QUARTS",
        /// fl oz
        FluidOunces => "FLUID_OUNCES",
        /// l
        Liters => "LITERS",
        /// m³
        CubicMeters => "CUBIC_METERS",
        /// ft³
        CubicFeet => "CUBIC_FEET",
        /// in³
        CubicInches => "CUBIC_INCHES",
        /// cm³
        CubicCentimeters => "CUBIC_CENTIMETERS",
        /// count
        Count => "COUNT",
    }
}
