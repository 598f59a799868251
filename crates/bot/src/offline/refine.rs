//! Answers that lean on the cars last shown (bot memory): relative refinements ("yang lebih murah"), the
//! sticky-context rule for follow-up searches, picks by attribute ("yang 2019 itu", "yang km-nya paling kecil")
//! and "balik ke yang sebelumnya". The understanding says what was meant (`nlu::followup`); this resolves it.

use garasi_domain::car::{BodyType, Fuel, Transmission};

use super::*;
use crate::memory::ShownCar;
use crate::nlu::{Exclusions, Relative, Superlative};

/// The last search's filters under the new message's: a follow-up keeps what it does not name, a new search
/// keeps nothing (an earlier brand is not carried into "cari SUV diesel").
pub(super) fn merge_follow_up(new: &Filters, prev: Option<&Filters>, follow_up: bool) -> Filters {
    let mut f = new.clone();
    let Some(prev) = prev.filter(|_| follow_up) else { return f };
    f.brand = f.brand.or(prev.brand.clone());
    f.model = f.model.or(prev.model.clone());
    f.price_min = f.price_min.or(prev.price_min);
    f.price_max = f.price_max.or(prev.price_max);
    f.year_min = f.year_min.or(prev.year_min);
    f.year_max = f.year_max.or(prev.year_max);
    f.transmission = f.transmission.or(prev.transmission.clone());
    f.fuel = f.fuel.or(prev.fuel.clone());
    f.body_type = f.body_type.or(prev.body_type.clone());
    f.seats_min = f.seats_min.or(prev.seats_min);
    let union = |a: &mut Vec<String>, b: &[String]| {
        for x in b {
            if !a.contains(x) {
                a.push(x.clone());
            }
        }
    };
    let Exclusions { brand, model, transmission, fuel, body_type, color } = &prev.exclude;
    union(&mut f.exclude.brand, brand);
    union(&mut f.exclude.model, model);
    union(&mut f.exclude.transmission, transmission);
    union(&mut f.exclude.fuel, fuel);
    union(&mut f.exclude.body_type, body_type);
    union(&mut f.exclude.color, color);
    // A value the new message excludes is no longer wanted ("jangan yang manual" after "manual").
    if f.transmission.as_ref().is_some_and(|t| f.exclude.transmission.contains(t)) {
        f.transmission = None;
    }
    if f.fuel.as_ref().is_some_and(|x| f.exclude.fuel.contains(x)) {
        f.fuel = None;
    }
    if f.brand.as_ref().is_some_and(|b| f.exclude.brand.contains(b)) {
        f.brand = None;
        f.model = None;
    }
    f
}

/// The exclusions as catalogue filters; colours widened to the words stored colours use.
pub(super) fn apply_exclusions(e: &Exclusions, filter: &mut CarFilter) {
    filter.exclude_brands = e.brand.clone();
    filter.exclude_models = e.model.clone();
    filter.exclude_transmissions = e.transmission.iter().filter_map(|t| t.parse::<Transmission>().ok()).collect();
    filter.exclude_fuels = e.fuel.iter().filter_map(|t| t.parse::<Fuel>().ok()).collect();
    filter.exclude_body_types = e.body_type.iter().filter_map(|t| t.parse::<BodyType>().ok()).collect();
    filter.exclude_colors = e.color.iter().flat_map(|c| colour_words(c)).map(str::to_owned).collect();
}

/// The cars a relative refinement compares with: the car in focus when it is in the list, else the whole list.
fn reference(t: &Turn) -> Vec<&ShownCar> {
    let shown = &t.memory.shown;
    match t.memory.focus.and_then(|n| shown.iter().find(|s| s.stock_no == n)) {
        Some(car) => vec![car],
        None => shown.iter().collect(),
    }
}

/// Narrows `filters` (what is remembered) and `filter` (what is searched) relative to the cars last shown.
/// Returns the order to show the results in; `None` when nothing was shown to compare with, in which case the
/// search is only sorted that way.
pub(super) fn apply_relative(t: &Turn, rel: Relative, filters: &mut Filters, filter: &mut CarFilter) -> CarSort {
    let refs = reference(t);
    let prices: Vec<i64> = refs.iter().map(|s| s.price).filter(|p| *p > 0).collect();
    let years: Vec<i64> = refs.iter().map(|s| s.year).filter(|y| *y > 0).collect();
    let kms: Vec<i64> = refs.iter().filter_map(|s| s.mileage_km).collect();
    let ccs: Vec<i64> = refs.iter().filter_map(|s| s.engine_cc).collect();
    match rel {
        Relative::Cheaper => {
            if let Some(p) = prices.iter().min() {
                filters.price_max = Some(p - 1);
                filters.price_min = None;
            }
            filter.price_max = filters.price_max;
            filter.price_min = filters.price_min;
            CarSort::PriceDesc
        }
        Relative::Pricier => {
            if let Some(p) = prices.iter().max() {
                filters.price_min = Some(p + 1);
                filters.price_max = None;
            }
            filter.price_max = filters.price_max;
            filter.price_min = filters.price_min;
            CarSort::PriceAsc
        }
        Relative::Newer => {
            if let Some(y) = years.iter().max() {
                filters.year_min = Some(y + 1);
                filters.year_max = None;
            }
            filter.year_min = filters.year_min;
            filter.year_max = filters.year_max;
            CarSort::YearAsc
        }
        Relative::Older => {
            if let Some(y) = years.iter().min() {
                filters.year_max = Some(y - 1);
                filters.year_min = None;
            }
            filter.year_min = filters.year_min;
            filter.year_max = filters.year_max;
            CarSort::YearDesc
        }
        Relative::LowerKm => {
            if let Some(km) = kms.iter().min() {
                filter.mileage_max = Some((km - 1).max(0));
            }
            CarSort::MileageAsc
        }
        Relative::Thriftier => {
            if let Some(cc) = ccs.iter().min() {
                filter.engine_cc_max = Some(cc - 1);
            }
            CarSort::PriceAsc
        }
    }
}

fn extreme(cars: &[ShownCar], s: Superlative) -> Option<&ShownCar> {
    match s {
        Superlative::Cheapest => cars.iter().filter(|c| c.price > 0).min_by_key(|c| c.price),
        Superlative::Priciest => cars.iter().max_by_key(|c| c.price),
        Superlative::Newest => cars.iter().max_by_key(|c| c.year),
        Superlative::Oldest => cars.iter().filter(|c| c.year > 0).min_by_key(|c| c.year),
        Superlative::LowestKm => cars.iter().filter(|c| c.mileage_km.is_some()).min_by_key(|c| c.mileage_km),
        Superlative::Thriftiest => cars.iter().filter(|c| c.engine_cc.is_some()).min_by_key(|c| c.engine_cc),
    }
}

fn sort_for(s: Superlative) -> CarSort {
    match s {
        Superlative::Cheapest | Superlative::Thriftiest => CarSort::PriceAsc,
        Superlative::Priciest => CarSort::PriceDesc,
        Superlative::Newest => CarSort::YearDesc,
        Superlative::Oldest => CarSort::YearAsc,
        Superlative::LowestKm => CarSort::MileageAsc,
    }
}

/// Whether a remembered car has the attributes a reference names ("yang 2019 itu", "yang avanza tadi").
fn has_attributes(s: &ShownCar, f: &Filters) -> bool {
    let year_ok = (f.year_min.is_none() && f.year_max.is_none())
        || (s.year > 0 && f.year_min.is_none_or(|y| s.year >= y) && f.year_max.is_none_or(|y| s.year <= y));
    let price_ok = (f.price_min.is_none() && f.price_max.is_none())
        || (s.price > 0 && f.price_min.is_none_or(|p| s.price >= p) && f.price_max.is_none_or(|p| s.price <= p));
    let model_ok = match &f.model {
        None => true,
        Some(m) => {
            let wanted: Vec<String> = match m {
                ModelFilter::One(m) => vec![garasi_domain::car::model_key(m)],
                ModelFilter::Many(ms) => ms.iter().map(|m| garasi_domain::car::model_key(m)).collect(),
            };
            wanted.contains(&garasi_domain::car::model_key(&s.model))
        }
    };
    year_ok && price_ok && model_ok
}

async fn load(t: &Turn, picks: &[i64]) -> StoreResult<Vec<Car>> {
    let mut cars = Vec::new();
    for n in picks {
        if let Some(c) = t.car(*n).await? {
            cars.push(c);
        }
    }
    Ok(cars)
}

fn one_or_many(mut cars: Vec<Car>) -> Target {
    match cars.len() {
        0 => Target::Nothing,
        1 => Target::One(Box::new(cars.remove(0))),
        _ => Target::Many(cars),
    }
}

/// A car (or cars) picked from memory: the previous list, an extreme of the last list, or the cars of the last
/// list with the attributes named. `None` when the message picks nothing this way.
pub(super) async fn pick(t: &mut Turn, u: &Understanding) -> StoreResult<Option<Target>> {
    if u.extras.previous && !t.memory.prior.is_empty() {
        let prior: Vec<i64> = match t.memory.prior_focus {
            Some(n) if t.memory.prior.iter().any(|s| s.stock_no == n) => vec![n],
            _ => t.memory.prior.iter().map(|s| s.stock_no).collect(),
        };
        let cars = load(t, &prior).await?;
        if !cars.is_empty() {
            // The earlier list is the current one again.
            let listed = load(t, &t.memory.prior.iter().map(|s| s.stock_no).collect::<Vec<_>>()).await?;
            t.remember_list(&listed);
            return Ok(Some(one_or_many(cars)));
        }
    }
    if let Some(s) = u.extras.superlative {
        if let Some(n) = extreme(&t.memory.shown, s).map(|c| c.stock_no)
            && let Some(car) = t.car(n).await?
        {
            return Ok(Some(Target::One(Box::new(car))));
        }
        // Nothing shown yet: the catalogue's extreme, within what was asked.
        let filters = merge_follow_up(&u.filters, t.memory.filters.as_ref(), true);
        let mut filter = car_filter(&filters, &u.extras);
        filter.stock_no = None;
        let (mut cars, _) = t.cars(filter, sort_for(s), 1).await?;
        return Ok(Some(if cars.is_empty() { Target::Nothing } else { Target::One(Box::new(cars.remove(0))) }));
    }
    let named = u.filters.year_min.is_some()
        || u.filters.year_max.is_some()
        || u.filters.price_min.is_some()
        || u.filters.price_max.is_some()
        || u.filters.model.is_some();
    // "yang 2019 itu", "foto yang 2018", "detail avanza yang tadi": the cars of the last list with those attributes.
    if named && !t.memory.shown.is_empty() {
        let picks: Vec<i64> =
            t.memory.shown.iter().filter(|s| has_attributes(s, &u.filters)).map(|s| s.stock_no).collect();
        if !picks.is_empty() {
            return Ok(Some(one_or_many(load(t, &picks).await?)));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlu::Role;

    #[test]
    fn a_new_search_does_not_keep_the_old_brand() {
        let prev = nlu::understand("toyota matic", Role::Customer).filters;
        let u = nlu::understand("cari suv diesel 7 seater", Role::Customer);
        let f = merge_follow_up(&u.filters, Some(&prev), u.extras.follow_up);
        assert_eq!((f.brand, f.transmission, f.seats_min), (None, None, Some(7)));
        let u = nlu::understand("yang diesel aja", Role::Customer);
        let f = merge_follow_up(&u.filters, Some(&prev), u.extras.follow_up);
        assert_eq!((f.brand.as_deref(), f.fuel.as_deref()), (Some("Toyota"), Some("diesel")));
        let u = nlu::understand("jangan yang matic", Role::Customer);
        let f = merge_follow_up(&u.filters, Some(&prev), u.extras.follow_up);
        assert_eq!((f.brand.as_deref(), f.transmission), (Some("Toyota"), None));
        assert_eq!(f.exclude.transmission, ["AT"]);
    }
}
