//! Credit simulation, the Indonesian leasing convention (flat rate per year).
//! One function serves the website widget and the WhatsApp bot, so both quote the
//! same figures. All amounts are whole rupiah.
//!
//! ```text
//! principal      = price − DP           (price = the car's credit price when it has one)
//! total_interest = principal × flat rate per year × years
//! instalment     = (principal + total_interest) / months     (rounded up to the rupiah)
//! TDP            = DP + admin fee + insurance (+ first instalment when paid up front, ADDM)
//! ```

use serde::{Deserialize, Serialize};

/// Leasing terms of one showroom. Rates are in basis points of flat interest per
/// year (650 = 6.5 %), per tenor in years.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreditTerms {
    /// Flat rate per year for tenors of 1, 2, 3, 4 and 5 years, in basis points.
    pub flat_rate_bps: [i64; 5],
    pub admin_fee: i64,
    /// Insurance as basis points of the price, paid with the TDP.
    pub insurance_bps: i64,
    /// Lowest down payment accepted, in percent.
    pub min_dp_percent: i64,
    /// Whether the first instalment is paid with the TDP (ADDM) or a month later (ADDB).
    pub first_instalment_upfront: bool,
}

impl Default for CreditTerms {
    /// Typical used-car leasing terms; every showroom should set its own.
    fn default() -> Self {
        CreditTerms {
            flat_rate_bps: [550, 600, 650, 700, 750],
            admin_fee: 3_000_000,
            insurance_bps: 250,
            min_dp_percent: 20,
            first_instalment_upfront: true,
        }
    }
}

/// The down payment, as the buyer states it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DownPayment {
    Percent(f64),
    Amount(i64),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Simulation {
    pub price: i64,
    pub dp: i64,
    pub dp_percent: f64,
    pub principal: i64,
    pub tenor_years: i64,
    pub flat_rate_percent: f64,
    pub total_interest: i64,
    pub instalment: i64,
    pub admin_fee: i64,
    pub insurance: i64,
    /// Total first payment.
    pub tdp: i64,
    pub first_instalment_upfront: bool,
    /// A leasing rule of thumb: income at least three times the instalment.
    pub min_monthly_income: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditError {
    #[error("Tenor harus 1 sampai 5 tahun.")]
    Tenor,
    #[error("DP minimal {0}% dari harga.")]
    DpTooLow(i64),
    #[error("DP harus lebih kecil dari harga mobil.")]
    DpTooHigh,
    #[error("Harga mobil tidak valid untuk simulasi.")]
    Price,
}

/// Simulates one tenor. `price` is the price the leasing works from: the credit
/// price when the car has one, else the cash price.
pub fn simulate(price: i64, dp: DownPayment, tenor_years: i64, terms: &CreditTerms) -> Result<Simulation, CreditError> {
    if price <= 0 {
        return Err(CreditError::Price);
    }
    if !(1..=5).contains(&tenor_years) {
        return Err(CreditError::Tenor);
    }
    let dp_amount = match dp {
        DownPayment::Amount(a) => a,
        DownPayment::Percent(p) if p.is_finite() => ((price as f64) * p / 100.0).round() as i64,
        DownPayment::Percent(_) => return Err(CreditError::DpTooLow(terms.min_dp_percent)),
    };
    // Compare in integers: dp / price >= min% ⇔ dp × 100 >= min × price.
    if dp_amount.saturating_mul(100) < terms.min_dp_percent.saturating_mul(price) {
        return Err(CreditError::DpTooLow(terms.min_dp_percent));
    }
    if dp_amount >= price {
        return Err(CreditError::DpTooHigh);
    }
    let rate_bps = terms.flat_rate_bps[(tenor_years - 1) as usize];
    let principal = price - dp_amount;
    let months = tenor_years * 12;
    // i128 keeps principal × rate × years exact for any price up to the Rupiah maximum.
    let total_interest = ((principal as i128 * rate_bps as i128 * tenor_years as i128) / 10_000) as i64;
    let total = principal + total_interest;
    let instalment = (total + months - 1) / months;
    let insurance = ((price as i128 * terms.insurance_bps as i128) / 10_000) as i64;
    let tdp = dp_amount + terms.admin_fee + insurance + if terms.first_instalment_upfront { instalment } else { 0 };
    Ok(Simulation {
        price,
        dp: dp_amount,
        dp_percent: (dp_amount as f64) * 100.0 / (price as f64),
        principal,
        tenor_years,
        flat_rate_percent: rate_bps as f64 / 100.0,
        total_interest,
        instalment,
        admin_fee: terms.admin_fee,
        insurance,
        tdp,
        first_instalment_upfront: terms.first_instalment_upfront,
        min_monthly_income: instalment * 3,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms() -> CreditTerms {
        CreditTerms {
            flat_rate_bps: [500, 550, 600, 650, 700],
            admin_fee: 3_000_000,
            insurance_bps: 250,
            min_dp_percent: 20,
            first_instalment_upfront: true,
        }
    }

    #[test]
    fn the_reference_example() {
        // domain.md §4: 180 jt, DP 25 %, 6 % flat, 36 months, admin 3 jt, insurance 4.5 jt.
        let s = simulate(180_000_000, DownPayment::Percent(25.0), 3, &terms()).unwrap();
        assert_eq!(s.dp, 45_000_000);
        assert_eq!(s.principal, 135_000_000);
        assert_eq!(s.total_interest, 24_300_000);
        assert_eq!(s.instalment, 4_425_000);
        assert_eq!(s.insurance, 4_500_000);
        assert_eq!(s.tdp, 56_925_000);
        assert_eq!(s.min_monthly_income, 13_275_000);
    }

    #[test]
    fn dp_as_an_amount_and_payment_at_month_end() {
        let t = CreditTerms { first_instalment_upfront: false, ..terms() };
        let s = simulate(200_000_000, DownPayment::Amount(60_000_000), 4, &t).unwrap();
        assert_eq!(s.principal, 140_000_000);
        assert_eq!(s.total_interest, 36_400_000);
        assert_eq!(s.instalment, 3_675_000);
        assert_eq!(s.tdp, 60_000_000 + 3_000_000 + 5_000_000);
    }

    #[test]
    fn instalments_round_up() {
        let s = simulate(100_000_001, DownPayment::Percent(30.0), 1, &terms()).unwrap();
        assert!(s.instalment * 12 >= s.principal + s.total_interest);
    }

    #[test]
    fn refuses_what_a_leasing_would() {
        assert_eq!(simulate(100_000_000, DownPayment::Percent(10.0), 3, &terms()), Err(CreditError::DpTooLow(20)));
        assert_eq!(simulate(100_000_000, DownPayment::Amount(100_000_000), 3, &terms()), Err(CreditError::DpTooHigh));
        assert_eq!(simulate(100_000_000, DownPayment::Percent(30.0), 6, &terms()), Err(CreditError::Tenor));
        assert_eq!(simulate(0, DownPayment::Percent(30.0), 3, &terms()), Err(CreditError::Price));
        assert!(simulate(100_000_000, DownPayment::Percent(f64::NAN), 3, &terms()).is_err());
    }
}
