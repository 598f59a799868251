//! The LLM's tools: server-side functions bound to (tenant, role, sender) through
//! [`Turn`]. The schemas have no tenant, role or phone parameters for the model to fill
//! in; a customer's tool list does not contain the sales tools, and a sales tool called
//! from a customer's conversation is refused. Cars reach the model as JSON built from
//! [`PublicCar`] for customers (no floor price, internal notes or plate number).

use garasi_domain::car::{Car, CarFilter, CarSort, CarStatus, PublicCar};
use garasi_domain::credit::{self, DownPayment};
use serde_json::{Value, json};

use crate::format;
use crate::llm::{ToolDef, ToolExecutor};
use crate::offline::car_filter;
use crate::turn::{CarChange, Turn, soft_error};

const SALES_TOOLS: &[&str] = &["inventory_summary", "mark_car_status", "update_price"];
/// Longest tool result handed to the model.
const MAX_RESULT_CHARS: usize = 6000;

fn stock_no_param() -> Value {
    json!({"type": "integer", "description": "Nomor stok mobil (no. N)"})
}

/// The tools a sender of `role` may use.
pub(crate) fn definitions(sales: bool) -> Vec<ToolDef> {
    let mut tools = vec![
        ToolDef {
            name: "search_cars",
            description: "Cari mobil di stok showroom ini dengan filter. Semua filter opsional.",
            parameters: json!({"type": "object", "properties": {
                "brand": {"type": "string", "description": "Merek, mis. Toyota"},
                "model": {"type": "string", "description": "Model, mis. Avanza"},
                "price_min": {"type": "integer", "description": "Harga minimal dalam rupiah"},
                "price_max": {"type": "integer", "description": "Harga maksimal dalam rupiah"},
                "year_min": {"type": "integer"},
                "year_max": {"type": "integer"},
                "transmission": {"type": "string", "enum": ["AT", "MT"]},
                "fuel": {"type": "string", "enum": ["bensin", "diesel", "hybrid", "listrik"]},
                "body_type": {"type": "string", "enum": ["MPV", "SUV", "LCGC", "sedan", "hatchback", "pickup", "double_cabin"]},
                "text": {"type": "string", "description": "Kata kunci bebas (merek, model, varian)"}
            }, "required": []}),
        },
        ToolDef {
            name: "list_cars",
            description: "Daftar mobil terbaru yang tersedia di showroom ini.",
            parameters: json!({"type": "object", "properties": {}, "required": []}),
        },
        ToolDef {
            name: "get_car_details",
            description: "Detail lengkap satu mobil berdasarkan nomor stoknya.",
            parameters: json!({"type": "object", "properties": {"stock_no": stock_no_param()}, "required": ["stock_no"]}),
        },
        ToolDef {
            name: "send_car_photos",
            description: "Kirim foto-foto satu mobil ke chat ini (maksimal 5 foto).",
            parameters: json!({"type": "object", "properties": {"stock_no": stock_no_param()}, "required": ["stock_no"]}),
        },
        ToolDef {
            name: "credit_simulation",
            description: "Simulasi kredit (bunga flat per tahun dari leasing showroom) untuk satu mobil. \
                          Isi dp_percent atau dp_amount. Tanpa tenor: tenor 3, 4 dan 5 tahun.",
            parameters: json!({"type": "object", "properties": {
                "stock_no": stock_no_param(),
                "dp_percent": {"type": "number", "description": "DP dalam persen, mis. 30"},
                "dp_amount": {"type": "integer", "description": "DP dalam rupiah"},
                "tenor_years": {"type": "integer", "description": "Tenor 1 sampai 5 tahun"}
            }, "required": ["stock_no"]}),
        },
        ToolDef {
            name: "handoff_to_sales",
            description: "Sambungkan chat ini ke sales manusia (pelanggan minta bicara dengan orang, tukar tambah, \
                          jual mobilnya, komplain). Bot lalu berhenti membalas chat ini sementara.",
            parameters: json!({"type": "object", "properties": {
                "reason": {"type": "string", "description": "Alasan singkat untuk sales"}
            }, "required": ["reason"]}),
        },
    ];
    let mut lead_props = json!({
        "name": {"type": "string", "description": "Nama pembeli bila disebut"},
        "interested_stock_no": {"type": "integer", "description": "No. stok mobil yang diminati"},
        "budget": {"type": "integer", "description": "Budget dalam rupiah bila disebut"},
        "payment_method": {"type": "string", "enum": ["cash", "credit"]},
        "notes": {"type": "string", "description": "Catatan singkat: apa yang diinginkan"}
    });
    if sales {
        lead_props["customer_phone"] = json!({"type": "string", "description": "Nomor WhatsApp pembeli"});
    }
    tools.push(ToolDef {
        name: "create_lead",
        description: if sales {
            "Catat prospek pembeli yang disebut sales (wajib nomor HP pembeli)."
        } else {
            "Catat pelanggan ini sebagai prospek (mau lihat langsung, test drive, booking, minta dihubungi)."
        },
        parameters: json!({"type": "object", "properties": lead_props, "required": ["notes"]}),
    });
    if sales {
        tools.push(ToolDef {
            name: "inventory_summary",
            description: "Ringkasan seluruh stok dengan status dan harga internal (khusus sales).",
            parameters: json!({"type": "object", "properties": {}, "required": []}),
        });
        tools.push(ToolDef {
            name: "mark_car_status",
            description: "Ubah status mobil: available (tersedia), booked, sold (terjual). Khusus sales.",
            parameters: json!({"type": "object", "properties": {
                "stock_no": stock_no_param(),
                "status": {"type": "string", "enum": ["available", "booked", "sold"]}
            }, "required": ["stock_no", "status"]}),
        });
        tools.push(ToolDef {
            name: "update_price",
            description: "Ubah harga jual (cash) mobil, dalam rupiah. Khusus sales.",
            parameters: json!({"type": "object", "properties": {
                "stock_no": stock_no_param(),
                "price": {"type": "integer", "description": "Harga baru dalam rupiah"}
            }, "required": ["stock_no", "price"]}),
        });
    }
    tools
}

/// A car as a buyer may see it.
fn public_json(p: &PublicCar, base_url: &str) -> Value {
    json!({
        "stock_no": p.stock_no,
        "title": p.title,
        "brand": p.brand,
        "model": p.model,
        "variant": p.variant,
        "year": p.year,
        "price": p.price,
        "price_text": format::rp(p.price),
        "credit_price": p.credit_price,
        "negotiable": p.negotiable,
        "mileage_km": p.mileage_km,
        "transmission": p.transmission,
        "fuel": p.fuel,
        "body_type": p.body_type,
        "color": p.color,
        "engine_cc": p.engine_cc,
        "seats": p.seats,
        "plate_region": p.plate_region,
        "plate_parity": p.plate_parity,
        "tax_paid_until": p.tax_paid_until.map(|t| format!("{}-{:02}", t.year, t.month)),
        "stnk": p.stnk,
        "bpkb": p.bpkb,
        "first_owner": p.first_owner,
        "status": p.status,
        "description": format::truncate(&p.description, 300),
        "photos": p.photos.len(),
        "url": format::car_url(base_url, &p.slug),
    })
}

fn car_json(t: &Turn, car: &Car) -> Value {
    let mut v = public_json(&car.public_view(), &t.tenant.base_url);
    if t.is_sales() {
        v["floor_price"] = json!(car.fields.floor_price);
        v["internal_notes"] = json!(car.fields.internal_notes);
        v["plate_number"] = json!(car.fields.plate_number);
    }
    v
}

fn error(msg: &str) -> String {
    json!({ "error": msg }).to_string()
}

/// An integer argument, also when sent as text ("12").
fn int_arg(args: &Value, key: &str) -> Option<i64> {
    match &args[key] {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f.round() as i64)),
        Value::String(s) => s.trim().trim_start_matches('#').parse().ok(),
        _ => None,
    }
}

fn float_arg(args: &Value, key: &str) -> Option<f64> {
    match &args[key] {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().trim_end_matches('%').replace(',', ".").parse().ok(),
        _ => None,
    }
}

fn str_arg<'a>(args: &'a Value, key: &str) -> Option<&'a str> {
    args[key].as_str().map(str::trim).filter(|s| !s.is_empty())
}

impl ToolExecutor for Turn {
    async fn execute(&mut self, name: &str, arguments: &Value) -> String {
        let args = if arguments.is_object() { arguments.clone() } else { json!({}) };
        if SALES_TOOLS.contains(&name) && !self.is_sales() {
            tracing::warn!(tool = name, "sales-only tool refused in a customer conversation");
            return error("Tool ini tidak tersedia untuk percakapan ini.");
        }
        let result = match name {
            "search_cars" => self.tool_search(&args).await,
            "list_cars" => self.tool_search(&json!({})).await,
            "get_car_details" => self.tool_details(&args).await,
            "send_car_photos" => self.tool_photos(&args).await,
            "credit_simulation" => self.tool_credit(&args).await,
            "create_lead" => self.tool_lead(&args).await,
            "handoff_to_sales" => self.tool_handoff(&args).await,
            "inventory_summary" => self.tool_inventory().await,
            "mark_car_status" => self.tool_status(&args).await,
            "update_price" => self.tool_price(&args).await,
            _ => Ok(error("Tool tidak dikenal.")),
        };
        let text = match result {
            Ok(text) => text,
            Err(e) => match soft_error(&e) {
                Some(msg) => error(msg),
                None => {
                    tracing::warn!(tool = name, error = %e, "tool failed");
                    error("Sistem sedang sibuk, coba lagi.")
                }
            },
        };
        format::truncate(&text, MAX_RESULT_CHARS)
    }
}

type ToolResult = garasi_store::StoreResult<String>;

impl Turn {
    async fn visible_car(&self, args: &Value) -> garasi_store::StoreResult<Result<Car, String>> {
        let Some(n) = int_arg(args, "stock_no") else { return Ok(Err(error("stock_no wajib berupa angka."))) };
        Ok(match self.car(n).await? {
            Some(car) => Ok(car),
            None => Err(error(&format!("Mobil no. {n} tidak ada di stok showroom ini."))),
        })
    }

    async fn tool_search(&mut self, args: &Value) -> ToolResult {
        let mut filters = crate::nlu::Filters {
            brand: str_arg(args, "brand").map(str::to_owned),
            model: str_arg(args, "model").map(|m| crate::nlu::ModelFilter::One(m.to_owned())),
            price_min: int_arg(args, "price_min"),
            price_max: int_arg(args, "price_max"),
            year_min: int_arg(args, "year_min"),
            year_max: int_arg(args, "year_max"),
            transmission: str_arg(args, "transmission").map(str::to_owned),
            fuel: str_arg(args, "fuel").map(str::to_owned),
            body_type: str_arg(args, "body_type").map(str::to_owned),
            ..crate::nlu::Filters::default()
        };
        // Small bare numbers are juta ("price_max": 200).
        for p in [&mut filters.price_min, &mut filters.price_max] {
            if let Some(v) = *p
                && (1..=5000).contains(&v)
            {
                *p = Some(v * 1_000_000);
            }
        }
        let mut filter: CarFilter = car_filter(&filters, &crate::nlu::Extras::default());
        filter.text = str_arg(args, "text").map(|s| format::truncate(s, 60));
        let sort = if filter.price_max.is_some() { CarSort::PriceDesc } else { CarSort::Newest };
        let (cars, total) = self.cars(filter, sort, format::MAX_CARDS as i64).await?;
        self.remember_list(&cars);
        let cars: Vec<Value> = cars.iter().map(|c| car_json(self, c)).collect();
        Ok(json!({ "total": total, "shown": cars.len(), "cars": cars }).to_string())
    }

    async fn tool_details(&mut self, args: &Value) -> ToolResult {
        Ok(match self.visible_car(args).await? {
            Ok(car) => {
                self.focus(&car);
                car_json(self, &car).to_string()
            }
            Err(e) => e,
        })
    }

    async fn tool_photos(&mut self, args: &Value) -> ToolResult {
        Ok(match self.visible_car(args).await? {
            Ok(car) => {
                self.focus(&car);
                let urls = self.photo_urls(&car);
                let n = urls.len();
                self.attach_images(urls);
                json!({ "sent": n, "title": car.title(), "note": "Foto dikirim otomatis bersama jawabanmu." })
                    .to_string()
            }
            Err(e) => e,
        })
    }

    async fn tool_credit(&mut self, args: &Value) -> ToolResult {
        let car = match self.visible_car(args).await? {
            Ok(car) => car,
            Err(e) => return Ok(e),
        };
        self.focus(&car);
        if !self.is_sales() {
            self.memory.revealed.payment_method = Some("credit".into());
        }
        let terms = self.settings.credit.clone();
        let dp = match (float_arg(args, "dp_percent"), int_arg(args, "dp_amount")) {
            (Some(p), _) if p > 0.0 && p < 100.0 => DownPayment::Percent(p),
            (_, Some(a)) if a > 0 => DownPayment::Amount(a),
            _ => DownPayment::Percent(terms.min_dp_percent.max(30) as f64),
        };
        let tenors = match int_arg(args, "tenor_years") {
            Some(y) => vec![y],
            None => vec![3, 4, 5],
        };
        let price = car.fields.credit_price.unwrap_or(car.fields.price);
        let mut out = Vec::new();
        for y in tenors {
            match credit::simulate(price, dp, y, &terms) {
                Ok(s) => out.push(json!({
                    "tenor_years": s.tenor_years,
                    "months": s.tenor_years * 12,
                    "dp": s.dp,
                    "dp_percent": (s.dp_percent * 10.0).round() / 10.0,
                    "instalment_per_month": s.instalment,
                    "instalment_text": format::rp(s.instalment),
                    "tdp": s.tdp,
                    "tdp_text": format::rp(s.tdp),
                    "flat_rate_percent_per_year": s.flat_rate_percent,
                    "first_instalment_in_tdp": s.first_instalment_upfront,
                    "min_monthly_income": s.min_monthly_income,
                })),
                Err(e) => return Ok(error(&e.to_string())),
            }
        }
        Ok(json!({
            "stock_no": car.stock_no,
            "title": car.title(),
            "price_used": price,
            "price_used_is_credit_price": car.fields.credit_price.is_some(),
            "simulations": out,
            "disclaimer": "Simulasi; keputusan akhir dari leasing.",
        })
        .to_string())
    }

    async fn tool_lead(&mut self, args: &Value) -> ToolResult {
        let notes = str_arg(args, "notes").map(|n| format::truncate(n, 300)).unwrap_or_default();
        let car = match int_arg(args, "interested_stock_no") {
            Some(n) => match self.car(n).await? {
                Some(car) => Some(car),
                None => return Ok(error(&format!("Mobil no. {n} tidak ada di stok showroom ini."))),
            },
            None => None,
        };
        if self.is_sales() {
            let Some(phone) = str_arg(args, "customer_phone").and_then(|p| garasi_domain::PhoneNumber::parse(p).ok())
            else {
                return Ok(error("customer_phone (nomor HP pembeli) wajib diisi dengan benar."));
            };
            let name = str_arg(args, "name").map(|n| format::truncate(n, 80));
            let o = self
                .record_sales_lead(&phone, name, car.as_ref(), &format!("Dari sales lewat WhatsApp: {notes}"))
                .await?;
            return Ok(
                json!({ "lead": if o.created { "created" } else { "updated" }, "phone": o.lead.phone }).to_string()
            );
        }
        if let Some(car) = &car {
            self.focus(car);
        }
        if let Some(name) = str_arg(args, "name") {
            self.memory.revealed.name = Some(format::truncate(name, 80));
        }
        if let Some(b) = int_arg(args, "budget").filter(|b| *b >= 1_000_000) {
            self.memory.revealed.budget = Some(b);
        }
        if let Some(p) = str_arg(args, "payment_method").filter(|p| matches!(*p, "cash" | "credit")) {
            self.memory.revealed.payment_method = Some(p.to_owned());
        }
        let note = if notes.is_empty() { "Prospek dari chat".to_owned() } else { notes };
        let o = self.open_lead(&note, true).await?;
        if let Some(s) = &o.sales {
            let text = self.lead_notice("Prospek baru dari chat", &o.lead, &note, None).await?;
            self.notify(s, text);
        }
        let p = &self.settings.profile;
        Ok(json!({
            "lead": if o.created { "created" } else { "updated" },
            "sales": o.sales.as_ref().map(|s| json!({"name": s.name, "whatsapp": format::phone_local(&s.phone)})),
            "showroom": {"name": self.tenant.name, "address": p.address, "city": p.city,
                         "opening_hours": p.opening_hours, "maps_url": p.maps_url, "phone": p.phone},
        })
        .to_string())
    }

    async fn tool_handoff(&mut self, args: &Value) -> ToolResult {
        if self.is_sales() {
            return Ok(error("Pengirim adalah sales; tidak perlu disambungkan."));
        }
        let reason = str_arg(args, "reason").map(|r| format::truncate(r, 200)).unwrap_or_else(|| "Minta sales".into());
        Ok(match self.hand_off(&reason).await? {
            Some(s) => json!({"handed_off": true, "sales": {"name": s.name, "whatsapp": format::phone_local(&s.phone)},
                               "note": "Sales akan membalas di chat ini; bot berhenti membalas sementara."})
            .to_string(),
            None => json!({"handed_off": false, "showroom_phone": self.settings.profile.phone,
                            "note": "Belum ada sales aktif."})
            .to_string(),
        })
    }

    async fn tool_inventory(&mut self) -> ToolResult {
        let (counts, cars, total) = self.inventory(40).await?;
        self.remember_list(&cars);
        let cars: Vec<Value> = cars
            .iter()
            .map(|c| {
                json!({"stock_no": c.stock_no, "title": c.title(), "status": c.fields.status, "price": c.fields.price,
                       "credit_price": c.fields.credit_price, "floor_price": c.fields.floor_price})
            })
            .collect();
        Ok(json!({"by_status": counts.by_status, "not_sold_total": total, "cars": cars}).to_string())
    }

    async fn tool_status(&mut self, args: &Value) -> ToolResult {
        let Some(n) = int_arg(args, "stock_no") else { return Ok(error("stock_no wajib berupa angka.")) };
        let status = match str_arg(args, "status").map(str::to_lowercase).as_deref() {
            Some("available" | "tersedia") => CarStatus::Available,
            Some("booked" | "booking") => CarStatus::Booked,
            Some("sold" | "terjual") => CarStatus::Sold,
            _ => return Ok(error("status harus available, booked atau sold.")),
        };
        Ok(match self.set_status(n, status).await? {
            CarChange::Done(car, before) => {
                json!({"stock_no": n, "title": car.title(), "from": before, "to": car.fields.status}).to_string()
            }
            CarChange::NotFound => error(&format!("Mobil no. {n} tidak ada.")),
            CarChange::Refused(why) => error(&why),
        })
    }

    async fn tool_price(&mut self, args: &Value) -> ToolResult {
        let Some(n) = int_arg(args, "stock_no") else { return Ok(error("stock_no wajib berupa angka.")) };
        let Some(price) = int_arg(args, "price").filter(|p| *p >= 1_000_000) else {
            return Ok(error("price harus dalam rupiah, minimal 1.000.000."));
        };
        Ok(match self.set_price(n, price).await? {
            CarChange::Done(car, before) => {
                json!({"stock_no": n, "title": car.title(), "from": before, "to": car.fields.price}).to_string()
            }
            CarChange::NotFound => error(&format!("Mobil no. {n} tidak ada.")),
            CarChange::Refused(why) => error(&why),
        })
    }
}
