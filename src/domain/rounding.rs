//! The one rounding rule of every number kartlegg shows or writes: halves away from zero.
//!
//! Scores, shares and means are ratios of small whole numbers (percents over a few dozen
//! answers, means over a few dozen respondents). A true half such as 2.675 (107/40) has no
//! exact binary form and may be stored a hair below it; the nudge of a few billionths brings
//! it back to its half, and is far smaller than the gap between two such ratios.

/// `value` rounded to `places` decimals, halves away from zero; never −0.
pub fn round(value: f64, places: u32) -> f64 {
    if !value.is_finite() {
        return value;
    }
    let factor = 10f64.powi(places as i32);
    let scaled = value * factor;
    let nudged = scaled + scaled.signum() * 1e-9 * scaled.abs().max(1.0);
    let rounded = nudged.round() / factor;
    if rounded == 0.0 { 0.0 } else { rounded }
}

#[cfg(test)]
mod tests {
    use super::round;

    #[test]
    fn halves_go_away_from_zero() {
        assert_eq!(round(62.5, 0), 63.0);
        assert_eq!(round(-62.5, 0), -63.0);
        assert_eq!(round(4.25, 1), 4.3);
        assert_eq!(round(4.35, 1), 4.4);
        assert_eq!(round(2.675, 2), 2.68);
        assert_eq!(round(0.125, 2), 0.13);
        assert_eq!(round(87.5, 0), 88.0);
        assert_eq!(round(65.625, 1), 65.6);
    }

    #[test]
    fn what_is_not_a_half_is_not_pushed_over() {
        assert_eq!(round(62.49, 0), 62.0);
        assert_eq!(round(100.0 / 3.0, 0), 33.0);
        assert_eq!(round(200.0 / 3.0, 1), 66.7);
        assert_eq!(round(4.249_999, 1), 4.2);
    }

    #[test]
    fn no_negative_zero() {
        assert!(round(-0.04, 1).is_sign_positive());
        assert!(round(-0.4, 0).is_sign_positive());
    }

    #[test]
    fn every_ratio_of_small_numbers_rounds_as_exact_arithmetic_does() {
        // k/n for every n up to 200 respondents, at 0, 1 and 2 places, against integer
        // arithmetic: round half away from zero of k·10^p / n.
        for n in 1..=200i64 {
            for k in 0..=(5 * n) {
                for places in 0..=2u32 {
                    let factor = 10i64.pow(places);
                    let numerator = k * factor;
                    let expected = (2 * numerator + n) / (2 * n);
                    let got = round(k as f64 / n as f64, places) * factor as f64;
                    assert_eq!(got.round() as i64, expected, "{k}/{n} at {places}");
                }
            }
        }
    }
}
