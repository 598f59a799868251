//! What the public templates see: display-ready shapes built from `PublicCar` (never
//! `Car`, so sales-only fields cannot reach a page), the tenant and its settings.

use garasi_domain::car::{CarPhoto, CarStatus, PublicCar, Transmission, YearMonth};
use garasi_domain::credit::{CreditTerms, DownPayment, simulate};
use garasi_domain::{PhoneNumber, TenantSettings};
use garasi_media::Variant;
use garasi_store::platform::Tenant;
use serde::Serialize;

use super::format::{month_year, rupiah, rupiah_short, rupiah_words, thousands, url_encode};
use crate::views::photo_path;

/// One photo as `<img>` attributes: WebP in three widths, intrinsic size for layout.
#[derive(Debug, Clone, Serialize)]
pub struct Img {
    pub src: String,
    pub srcset: String,
    pub width: i64,
    pub height: i64,
    /// Absolute URL of the large JPEG (Open Graph, JSON-LD, WhatsApp previews).
    pub jpeg: String,
    pub thumb: String,
}

/// The size the media pipeline gives a variant (it scales down to fit, never up).
fn fit(w: i64, h: i64, (max_w, max_h): (u32, u32)) -> (i64, i64) {
    let (mw, mh) = (i64::from(max_w), i64::from(max_h));
    if w <= mw && h <= mh {
        return (w, h);
    }
    let scale = f64::min(mw as f64 / w as f64, mh as f64 / h as f64);
    (
        ((w as f64) * scale).round().clamp(1.0, mw as f64) as i64,
        ((h as f64) * scale).round().clamp(1.0, mh as f64) as i64,
    )
}

pub fn image(base_url: &str, car_id: uuid::Uuid, p: &CarPhoto) -> Img {
    let (w, h) = (p.width.max(1), p.height.max(1));
    let path = |file: &str| photo_path(car_id, p.id, file);
    let mut srcset = Vec::new();
    let mut last_width = 0;
    for (variant, file) in
        [(Variant::Thumb, "thumb.webp"), (Variant::Card, "card.webp"), (Variant::Large, "large.webp")]
    {
        let (vw, _) = fit(w, h, variant.max_size());
        // Small originals give identical widths; list each width once.
        if vw > last_width {
            srcset.push(format!("{} {vw}w", path(file)));
            last_width = vw;
        }
    }
    Img {
        src: path("card.webp"),
        srcset: srcset.join(", "),
        width: w,
        height: h,
        jpeg: format!("{base_url}{}", path("large.jpg")),
        thumb: path("thumb.webp"),
    }
}

/// The showroom as the layout shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Showroom {
    pub name: String,
    pub initial: String,
    pub about: String,
    pub address: String,
    pub city: String,
    pub full_address: String,
    pub maps_url: String,
    pub opening_hours: String,
    pub phone: Option<String>,
    pub phone_href: Option<String>,
    /// `wa.me/<digits>` without a message; pages add `?text=`.
    pub wa_url: Option<String>,
    pub wa_display: Option<String>,
    pub base_url: String,
    pub year: i32,
}

impl Showroom {
    pub fn new(tenant: &Tenant, settings: &TenantSettings, base_url: String) -> Showroom {
        let p = &settings.profile;
        let wa = tenant.whatsapp_number.as_deref().and_then(|n| PhoneNumber::parse(n).ok());
        let phone = PhoneNumber::parse(&p.phone).ok().or_else(|| wa.clone());
        let full_address =
            [p.address.trim(), p.city.trim()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", ");
        // Only a real https link goes into an href; anything else becomes a maps search.
        let maps_url = if p.maps_url.starts_with("https://") && !p.maps_url.contains(char::is_whitespace) {
            p.maps_url.clone()
        } else if !full_address.is_empty() {
            format!("https://www.google.com/maps/search/?api=1&query={}", url_encode(&full_address))
        } else {
            String::new()
        };
        Showroom {
            name: tenant.name.clone(),
            initial: tenant
                .name
                .chars()
                .find(|c| c.is_alphanumeric())
                .map(|c| c.to_uppercase().to_string())
                .unwrap_or_default(),
            about: p.about.trim().to_owned(),
            address: p.address.trim().to_owned(),
            city: p.city.trim().to_owned(),
            full_address,
            maps_url,
            opening_hours: p.opening_hours.trim().to_owned(),
            phone: phone.as_ref().map(PhoneNumber::display),
            phone_href: phone.as_ref().map(|n| format!("tel:+{}", n.digits())),
            wa_url: wa.as_ref().map(|n| format!("https://wa.me/{}", n.digits())),
            wa_display: wa.as_ref().map(PhoneNumber::display),
            base_url,
            year: garasi_domain::time::current_year(),
        }
    }

    /// A WhatsApp link to the showroom with a prefilled message.
    pub fn wa_link(&self, message: &str) -> Option<String> {
        self.wa_url.as_ref().map(|u| format!("{u}?text={}", url_encode(message)))
    }
}

/// A car as a catalogue card.
#[derive(Debug, Clone, Serialize)]
pub struct CarCard {
    #[serde(skip)]
    pub id: uuid::Uuid,
    /// The cash price, rupiah (the price-drop check compares it with the history).
    #[serde(skip)]
    pub price_value: i64,
    pub slug: String,
    pub url: String,
    pub title: String,
    pub year: i64,
    pub price: String,
    pub price_words: String,
    pub mileage: String,
    pub transmission: &'static str,
    pub fuel: &'static str,
    pub body_type: &'static str,
    pub plate: Option<String>,
    pub status: &'static str,
    pub status_label: &'static str,
    pub featured: bool,
    pub cover: Option<Img>,
    /// Lowest monthly instalment of the showroom's simulation (longest tenor, lowest DP).
    pub instalment_from: Option<String>,
    /// The price before a recent drop ("Harga turun"), from the price history; see
    /// [`super::mark_price_drops`].
    pub dropped_from: Option<String>,
}

/// The price leasing works from: the credit price when there is one.
pub fn credit_base(car: &PublicCar) -> i64 {
    car.credit_price.unwrap_or(car.price)
}

fn instalment_from(car: &PublicCar, terms: &CreditTerms) -> Option<String> {
    if !car.status.is_for_sale() {
        return None;
    }
    let dp = DownPayment::Percent(terms.min_dp_percent.max(0) as f64);
    simulate(credit_base(car), dp, 5, terms).ok().map(|s| rupiah_short(s.instalment))
}

pub fn plate_text(car: &PublicCar) -> Option<String> {
    match (&car.plate_region, car.plate_parity) {
        (Some(r), Some(p)) => Some(format!("{r} · {}", p.label())),
        (Some(r), None) => Some(r.clone()),
        (None, Some(p)) => Some(p.label().to_owned()),
        (None, None) => None,
    }
}

fn status_label(s: CarStatus) -> &'static str {
    match s {
        CarStatus::Available => "Tersedia",
        CarStatus::Booked => "Sudah dipesan",
        CarStatus::Sold => "Terjual",
        other => other.label(),
    }
}

pub fn transmission_label(t: Transmission) -> &'static str {
    t.label()
}

impl CarCard {
    pub fn new(base_url: &str, car: &PublicCar, terms: &CreditTerms) -> CarCard {
        CarCard {
            id: car.id,
            price_value: car.price,
            slug: car.slug.clone(),
            url: format!("/mobil/{}", car.slug),
            title: car.title.clone(),
            year: car.year,
            price: rupiah(car.price),
            price_words: rupiah_words(car.price),
            mileage: format!("{} km", thousands(car.mileage_km)),
            transmission: transmission_label(car.transmission),
            fuel: car.fuel.label(),
            body_type: car.body_type.label(),
            plate: plate_text(car),
            status: car.status.as_str(),
            status_label: status_label(car.status),
            featured: car.featured,
            cover: car.photos.first().map(|p| image(base_url, car.id, p)),
            instalment_from: instalment_from(car, terms),
            dropped_from: None,
        }
    }
}

/// One labelled fact on the car page.
#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

/// Everything the car page shows.
#[derive(Debug, Clone, Serialize)]
pub struct CarDetail {
    #[serde(flatten)]
    pub card: CarCard,
    pub brand: String,
    pub model: String,
    pub variant: String,
    pub stock_no: i64,
    pub credit_price: Option<String>,
    pub negotiable: bool,
    pub description: String,
    pub photos: Vec<Img>,
    pub facts: Vec<Fact>,
    pub documents: Vec<Fact>,
    pub specs: Vec<(String, String)>,
    pub for_sale: bool,
    pub sold: bool,
    pub booked: bool,
}

/// "Mei 2026", marked when the month has passed (the owner must renew before driving).
fn tax_text(paid_until: Option<YearMonth>) -> String {
    let Some(ym) = paid_until else { return "Tanyakan ke kami".into() };
    let now = garasi_domain::time::jakarta_now();
    let current = YearMonth { year: chrono::Datelike::year(&now), month: chrono::Datelike::month(&now) as u8 };
    if ym < current { format!("{} (perlu diperpanjang)", month_year(ym)) } else { month_year(ym) }
}

fn yes_no(b: bool, yes: &str, no: &str) -> String {
    if b { yes.to_owned() } else { no.to_owned() }
}

impl CarDetail {
    pub fn new(base_url: &str, car: &PublicCar, terms: &CreditTerms) -> CarDetail {
        let mut facts = vec![
            Fact { label: "Tahun", value: car.year.to_string() },
            Fact { label: "Kilometer", value: format!("{} km", thousands(car.mileage_km)) },
            Fact { label: "Transmisi", value: transmission_label(car.transmission).to_owned() },
            Fact { label: "Bahan bakar", value: car.fuel.label().to_owned() },
            Fact { label: "Tipe bodi", value: car.body_type.label().to_owned() },
        ];
        if !car.color.is_empty() {
            facts.push(Fact { label: "Warna", value: car.color.clone() });
        }
        if let Some(cc) = car.engine_cc {
            facts.push(Fact { label: "Mesin", value: format!("{} cc", thousands(cc)) });
        }
        if let Some(seats) = car.seats {
            facts.push(Fact { label: "Kursi", value: format!("{seats} penumpang") });
        }
        facts.push(Fact { label: "Kondisi", value: car.condition.label().to_owned() });
        let mut documents = Vec::new();
        if let Some(region) = &car.plate_region {
            documents.push(Fact { label: "Wilayah plat", value: region.clone() });
        }
        if let Some(parity) = car.plate_parity {
            documents.push(Fact { label: "Ganjil/genap", value: format!("Plat {}", parity.label().to_lowercase()) });
        }
        documents.push(Fact { label: "Pajak berlaku s.d.", value: tax_text(car.tax_paid_until) });
        documents.push(Fact { label: "STNK", value: yes_no(car.stnk, "Ada", "Tidak ada") });
        documents.push(Fact { label: "BPKB", value: yes_no(car.bpkb, "Ada", "Tidak ada / dalam proses") });
        documents.push(Fact {
            label: "Kepemilikan",
            value: yes_no(car.first_owner, "Tangan pertama", "Bukan tangan pertama"),
        });
        CarDetail {
            card: CarCard::new(base_url, car, terms),
            brand: car.brand.clone(),
            model: car.model.clone(),
            variant: car.variant.clone(),
            stock_no: car.stock_no,
            credit_price: car.credit_price.filter(|c| *c != car.price).map(rupiah),
            negotiable: car.negotiable,
            description: car.description.trim().to_owned(),
            photos: car.photos.iter().map(|p| image(base_url, car.id, p)).collect(),
            facts,
            documents,
            specs: car.specs.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            for_sale: car.status.is_for_sale(),
            sold: car.status == CarStatus::Sold,
            booked: car.status == CarStatus::Booked,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srcset_lists_the_three_webp_widths() {
        let p = CarPhoto { id: uuid::Uuid::nil(), position: 0, width: 1280, height: 800 };
        let img = image("https://a.example", uuid::Uuid::nil(), &p);
        assert!(img.srcset.contains("thumb.webp 320w"), "{}", img.srcset);
        assert!(img.srcset.contains("card.webp 640w"));
        assert!(img.srcset.contains("large.webp 1280w"));
        assert!(img.jpeg.starts_with("https://a.example/media/cars/") && img.jpeg.ends_with("/large.jpg"));
        let small = CarPhoto { width: 300, height: 200, ..p };
        assert_eq!(image("", uuid::Uuid::nil(), &small).srcset.matches("w,").count(), 0);
    }

    #[test]
    fn lapsed_road_tax_is_marked() {
        assert_eq!(tax_text(Some(YearMonth { year: 2001, month: 5 })), "Mei 2001 (perlu diperpanjang)");
        assert_eq!(tax_text(Some(YearMonth { year: 2099, month: 12 })), "Desember 2099");
        assert_eq!(tax_text(None), "Tanyakan ke kami");
    }

    #[test]
    fn indonesian_numbers_display_locally() {
        assert_eq!(PhoneNumber::display(&PhoneNumber::parse("+6281200000001").unwrap()), "0812-0000-0001");
    }
}
