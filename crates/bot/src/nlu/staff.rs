//! A salesperson writing about a customer: "ada customer cari xpander matic, ada unit?" is a search,
//! "kirim foto stok 45, cust minta lihat interior" is a photo request. Without these rules any staff message that
//! mentions stock or units reads as an inventory summary.

use super::Intent;
use super::text::Tok;

/// Who the salesperson is talking about.
const CUSTOMER_WORDS: &[&str] = &[
    "customer",
    "cust",
    "costumer",
    "kustomer",
    "konsumen",
    "pelanggan",
    "klien",
    "client",
    "buyer",
    "pembeli",
    "calon",
    "tamu",
    "prospek",
];

/// The intent of a staff message about a customer's wish, if it is one. `photos` and `has_filters` come from the
/// intent rules; `stock_no` from the number passes.
pub(crate) fn for_customer(
    toks: &[Tok],
    photos: bool,
    has_filters: bool,
    stock_no: bool,
    search_verb: bool,
) -> Option<Intent> {
    let about_customer = toks.iter().any(|t| CUSTOMER_WORDS.contains(&t.w.as_str()));
    let new_photo = toks.windows(2).any(|w| w[0].w == "foto" && w[1].w == "baru");
    if photos
        && !new_photo
        && (about_customer || stock_no)
        && toks.iter().any(|t| matches!(t.w.as_str(), "kirim" | "minta" | "kirimin" | "share" | "bagi" | "mana"))
    {
        return Some(Intent::Photos);
    }
    if has_filters && (about_customer || search_verb) {
        return Some(Intent::Search);
    }
    None
}
