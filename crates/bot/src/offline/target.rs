//! Which car a message is about: a stock number, a position or colour in the last list,
//! a model named, else the car in focus.

use super::*;

/// What a question about "a car" refers to.
pub(super) enum Target {
    One(Box<Car>),
    Many(Vec<Car>),
    /// A stock number that is not (visible) in this showroom.
    NotFound(i64),
    /// A model or filter that matches nothing.
    NoMatch(String),
    Nothing,
}

/// Resolves which car a message is about: a stock number, a position or colour in the
/// last list, a model named, else the car in focus.
pub(super) async fn target(t: &mut Turn, u: &Understanding) -> StoreResult<Target> {
    if u.filters.stock_no.is_none()
        && u.extras.ordinal.is_none()
        && let Some(picked) = refine::pick(t, u).await?
    {
        return Ok(picked);
    }
    if let Some(n) = u.filters.stock_no {
        return Ok(match t.car(n).await? {
            Some(c) => Target::One(Box::new(c)),
            None => Target::NotFound(n),
        });
    }
    if let Some(ord) = u.extras.ordinal {
        let shown = &t.memory.shown;
        let pick = if ord == ORDINAL_LAST { shown.last() } else { ord.checked_sub(1).and_then(|i| shown.get(i)) };
        if let Some(n) = pick.map(|s| s.stock_no)
            && let Some(c) = t.car(n).await?
        {
            return Ok(Target::One(Box::new(c)));
        }
    }
    if let Some(color) = &u.extras.color {
        let picks: Vec<i64> =
            t.memory.shown.iter().filter(|s| colour_matches(&s.color, color)).map(|s| s.stock_no).collect();
        if !picks.is_empty() {
            let mut cars = Vec::new();
            for n in picks {
                if let Some(c) = t.car(n).await? {
                    cars.push(c);
                }
            }
            return Ok(match cars.len() {
                0 => Target::Nothing,
                1 => Target::One(Box::new(cars.remove(0))),
                _ => Target::Many(cars),
            });
        }
    }
    if has_vehicle(&u.filters) {
        let filter = car_filter(&u.filters, &u.extras);
        let key = filter.models.first().map(|m| garasi_domain::car::model_key(m));
        if let Some(key) = key {
            let in_list: Vec<i64> = t
                .memory
                .shown
                .iter()
                .filter(|s| garasi_domain::car::model_key(&s.model) == key)
                .map(|s| s.stock_no)
                .collect();
            if in_list.len() == 1
                && let Some(c) = t.car(in_list[0]).await?
            {
                return Ok(Target::One(Box::new(c)));
            }
        }
        let (mut cars, _) = t.cars(filter.clone(), CarSort::Newest, 6).await?;
        return Ok(match cars.len() {
            0 => Target::NoMatch(format::describe_filter(&filter)),
            1 => Target::One(Box::new(cars.remove(0))),
            _ => Target::Many(cars),
        });
    }
    if let Some(n) = t.memory.focus
        && let Some(c) = t.car(n).await?
    {
        return Ok(Target::One(Box::new(c)));
    }
    if t.memory.shown.len() == 1
        && let Some(c) = t.car(t.memory.shown[0].stock_no).await?
    {
        return Ok(Target::One(Box::new(c)));
    }
    Ok(Target::Nothing)
}

pub(super) fn colour_matches(car_colour: &str, wanted: &str) -> bool {
    let c = car_colour.to_lowercase();
    colour_words(wanted).iter().any(|a| c.contains(a))
}

/// The words a stored colour may use for a canonical colour ("hitam" → "hitam", "black").
pub(super) fn colour_words(wanted: &str) -> Vec<&str> {
    match wanted {
        "putih" => vec!["putih", "white"],
        "hitam" => vec!["hitam", "black"],
        "abu-abu" => vec!["abu", "grey", "gray"],
        "silver" => vec!["silver", "perak"],
        "merah" => vec!["merah", "red", "maroon", "marun"],
        "biru" => vec!["biru", "blue"],
        "cokelat" => vec!["coklat", "cokelat", "brown"],
        other => vec![other],
    }
}
