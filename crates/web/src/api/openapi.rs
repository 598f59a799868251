//! The OpenAPI 3.1 description of the JSON API, served at `/api/openapi.json`.
//! A unit test reads the route definitions in this crate's source and fails when
//! a route is missing here or a documented one no longer exists.

use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn body(name: &str) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": r(name) } } })
}

fn ok(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

fn err(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": r("Error") } } })
}

fn list_of(name: &str) -> Value {
    json!({
        "type": "object",
        "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": { "type": "array", "items": r(name) },
            "total": { "type": "integer" }, "page": { "type": "integer" }, "per_page": { "type": "integer" },
        },
    })
}

fn id_param(name: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } })
}

fn query(name: &str, description: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false, "schema": { "type": "string" }, "description": description })
}

/// An operation with the error responses every authenticated route shares.
fn op(tag: &str, summary: &str, mut responses: Value, extra: Value) -> Value {
    responses["401"] = err("Belum masuk atau sesi habis.");
    responses["404"] = err("Tidak ditemukan, termasuk data milik showroom lain.");
    let mut o = json!({ "tags": [tag], "summary": summary, "responses": responses });
    if let Value::Object(extra) = extra {
        for (k, v) in extra {
            o[k] = v;
        }
    }
    o
}

fn car_filters() -> Vec<Value> {
    vec![
        query("brand", "Merek, tanpa membedakan huruf besar."),
        query("model", "Satu model atau beberapa dipisah koma; 'HR-V' = 'hrv'."),
        query("price_min", "Rupiah."),
        query("price_max", "Rupiah."),
        query("year_min", ""),
        query("year_max", ""),
        query("mileage_max", "Kilometer."),
        query("transmission", "AT | MT"),
        query("fuel", "bensin | diesel | hybrid | listrik"),
        query("body_type", "MPV | SUV | LCGC | sedan | hatchback | pickup | double_cabin"),
        query("plate_parity", "ganjil | genap"),
        query("status", "draft | available | booked | sold | hidden, dipisah koma."),
        query("q", "Teks bebas pada merek, model dan varian."),
        query("sort", "newest | price_asc | price_desc | year_desc | year_asc | mileage_asc"),
        query("page", ""),
        query("per_page", "1–100"),
    ]
}

fn schemas() -> Value {
    let car_fields = json!({
        "brand": { "type": "string" }, "model": { "type": "string" }, "variant": { "type": "string" },
        "year": { "type": "integer" }, "price": { "type": "integer", "description": "Harga tunai, rupiah." },
        "credit_price": { "type": ["integer", "null"] }, "negotiable": { "type": "boolean" },
        "mileage_km": { "type": "integer" }, "transmission": { "enum": ["AT", "MT"] },
        "fuel": { "enum": ["bensin", "diesel", "hybrid", "listrik"] },
        "body_type": { "enum": ["MPV", "SUV", "LCGC", "sedan", "hatchback", "pickup", "double_cabin"] },
        "color": { "type": "string" }, "engine_cc": { "type": ["integer", "null"] }, "seats": { "type": ["integer", "null"] },
        "tax_paid_until": { "type": ["string", "null"], "pattern": "^\\d{4}-\\d{2}$" },
        "stnk": { "type": "boolean" }, "bpkb": { "type": "boolean" }, "first_owner": { "type": "boolean" },
        "condition": { "enum": ["new", "used"] }, "description": { "type": "string" },
        "status": { "enum": ["draft", "available", "booked", "sold", "hidden"] }, "featured": { "type": "boolean" },
        "specs": { "type": "object", "additionalProperties": { "type": "string" } },
        "floor_price": { "type": ["integer", "null"], "description": "Harga net: hanya untuk staf." },
        "internal_notes": { "type": "string", "description": "Hanya untuk staf." },
        "plate_number": { "type": ["string", "null"], "description": "Nomor polisi lengkap: hanya untuk staf." },
    });
    let mut car = car_fields.clone();
    for (k, v) in [
        ("id", json!({ "type": "string", "format": "uuid", "readOnly": true })),
        ("stock_no", json!({ "type": "integer", "readOnly": true })),
        ("slug", json!({ "type": "string", "readOnly": true })),
        ("url", json!({ "type": "string", "format": "uri", "readOnly": true })),
        ("title", json!({ "type": "string", "readOnly": true })),
        ("plate_region", json!({ "type": ["string", "null"], "readOnly": true })),
        ("plate_parity", json!({ "enum": ["ganjil", "genap", null], "readOnly": true })),
        ("photos", json!({ "type": "array", "items": r("Photo"), "readOnly": true })),
        ("created_at", json!({ "type": "string", "format": "date-time", "readOnly": true })),
        ("updated_at", json!({ "type": "string", "format": "date-time", "readOnly": true })),
    ] {
        car[k] = v;
    }
    json!({
        "Error": {
            "type": "object", "required": ["error"],
            "properties": { "error": { "type": "object", "required": ["code", "message"], "properties": {
                "code": { "type": "string" }, "message": { "type": "string" },
                "fields": { "type": "object", "additionalProperties": { "type": "string" } },
            } } },
        },
        "CarInput": { "type": "object", "properties": car_fields, "required": ["brand", "model", "year", "price", "transmission", "fuel", "body_type"] },
        "Car": { "type": "object", "properties": car },
        "Photo": { "type": "object", "properties": {
            "id": { "type": "string", "format": "uuid" }, "position": { "type": "integer" },
            "width": { "type": "integer" }, "height": { "type": "integer" },
            "urls": { "type": "object", "properties": {
                "thumb": { "type": "string", "format": "uri" }, "card": { "type": "string", "format": "uri" },
                "large": { "type": "string", "format": "uri" }, "large_jpeg": { "type": "string", "format": "uri" },
            } },
        } },
        "PhotoOrder": { "type": "object", "required": ["order"], "properties": { "order": { "type": "array", "items": { "type": "string", "format": "uuid" } } } },
        "ImportReport": { "type": "object", "properties": {
            "dry_run": { "type": "boolean" }, "rows": { "type": "integer" }, "valid": { "type": "integer" },
            "created": { "type": "integer" }, "updated": { "type": "integer" },
            "errors": { "type": "array", "items": { "type": "object", "properties": {
                "row": { "type": "integer" }, "fields": { "type": "object", "additionalProperties": { "type": "string" } } } } },
            "ignored_columns": { "type": "array", "items": { "type": "string" } },
        } },
        "SalesPerson": { "type": "object", "properties": {
            "id": { "type": "string", "format": "uuid" }, "name": { "type": "string" },
            "phone": { "type": "string", "description": "E.164, contoh +6281234567890" },
            "active": { "type": "boolean" }, "created_at": { "type": "string", "format": "date-time" },
        } },
        "SalesInput": { "type": "object", "required": ["name", "phone"], "properties": { "name": { "type": "string" }, "phone": { "type": "string" } } },
        "Lead": { "type": "object", "properties": {
            "id": { "type": "string", "format": "uuid" }, "phone": { "type": "string" }, "name": { "type": "string" },
            "status": { "enum": ["new", "contacted", "qualified", "converted", "lost"] },
            "car_id": { "type": ["string", "null"], "format": "uuid" }, "stock_no": { "type": ["integer", "null"] },
            "conversation_id": { "type": ["string", "null"], "format": "uuid" },
            "assigned_sales_id": { "type": ["string", "null"], "format": "uuid" },
            "budget": { "type": ["integer", "null"] }, "payment_method": { "enum": ["cash", "credit", null] },
            "notes": { "type": "string" }, "created_at": { "type": "string", "format": "date-time" },
            "events": { "type": "array", "items": { "type": "object" } },
        } },
        "LeadStatusInput": { "type": "object", "required": ["status"], "properties": {
            "status": { "enum": ["new", "contacted", "qualified", "converted", "lost"] }, "note": { "type": "string" } } },
        "LeadNoteInput": { "type": "object", "required": ["note"], "properties": { "note": { "type": "string" } } },
        "Tenant": { "type": "object", "properties": {
            "id": { "type": "string", "format": "uuid" }, "slug": { "type": "string" }, "name": { "type": "string" },
            "status": { "enum": ["active", "suspended", "deleted"] }, "whatsapp_number": { "type": ["string", "null"] },
            "primary_domain": { "type": "string" }, "custom_domain": { "type": ["string", "null"] },
            "url": { "type": "string", "format": "uri" }, "domains": { "type": "array", "items": { "type": "string" } },
            "created_at": { "type": "string", "format": "date-time" }, "updated_at": { "type": "string", "format": "date-time" },
            "deleted_at": { "type": ["string", "null"], "format": "date-time" },
        } },
        "TenantInput": { "type": "object", "required": ["name", "slug", "owner_email", "owner_password"], "properties": {
            "name": { "type": "string" }, "slug": { "type": "string" }, "owner_email": { "type": "string", "format": "email" },
            "owner_password": { "type": "string", "minLength": 10 }, "whatsapp_number": { "type": "string" }, "domain": { "type": "string" },
        } },
        "TenantPatch": { "type": "object", "additionalProperties": false, "properties": {
            "name": { "type": "string" }, "status": { "enum": ["active", "suspended", "deleted"] },
            "whatsapp_number": { "type": ["string", "null"] }, "domain": { "type": ["string", "null"] },
        } },
        "Login": { "type": "object", "required": ["email", "password"], "properties": { "email": { "type": "string" }, "password": { "type": "string" } } },
        "Session": { "type": "object", "properties": {
            "token": { "type": "string", "description": "Juga dikirim sebagai cookie sesi; pakai sebagai Bearer di host yang sama." },
            "user": r("User"), "tenant": { "oneOf": [r("Tenant"), { "type": "null" }] },
        } },
        "User": { "type": "object", "properties": {
            "id": { "type": "string", "format": "uuid" }, "email": { "type": "string" }, "name": { "type": "string" },
            "role": { "enum": ["root", "owner", "admin", "staff"] },
        } },
    })
}

fn csv_response(description: &str) -> Value {
    json!({ "description": description, "content": { "text/csv": { "schema": { "type": "string" } } } })
}

/// The whole document.
pub fn document() -> Value {
    let car_id = id_param("id");
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Garasi API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "API JSON Garasi. Rute showroom dipanggil di host showroom itu sendiri \
                            (mis. sinarjaya.localhost); rute /api/admin hanya di host admin platform. \
                            Semua data dibatasi pada showroom dari host; id milik showroom lain dijawab 404.",
        },
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer" },
                "cookie": { "type": "apiKey", "in": "cookie", "name": "garasi_session" },
            },
        },
        "security": [{ "bearer": [] }, { "cookie": [] }],
        "paths": {
            "/api/auth/login": { "post": op("auth", "Masuk (pengguna showroom di host showroom, root di host admin)",
                json!({ "200": ok("Berhasil masuk", r("Session")), "429": err("Terlalu banyak percobaan gagal.") }),
                json!({ "requestBody": body("Login"), "security": [] })) },
            "/api/auth/logout": { "post": op("auth", "Keluar; sesi diakhiri di server", json!({ "204": { "description": "Sudah keluar" } }), json!({})) },
            "/api/auth/me": { "get": op("auth", "Pengguna dan showroom saat ini", json!({ "200": ok("Pengguna", r("Session")) }), json!({})) },
            "/api/admin/tenants": {
                "get": op("admin", "Daftar showroom (root)", json!({ "200": ok("Daftar", list_of("Tenant")) }),
                    json!({ "parameters": [query("page", ""), query("per_page", ""), query("include_deleted", "true untuk ikut menampilkan yang dihapus")] })),
                "post": op("admin", "Buat showroom beserta pemiliknya (root)",
                    json!({ "201": ok("Dibuat", r("Tenant")), "422": err("Isian tidak valid.") }), json!({ "requestBody": body("TenantInput") })),
            },
            "/api/admin/tenants/{id}": {
                "get": op("admin", "Detail showroom (root)", json!({ "200": ok("Showroom", r("Tenant")) }), json!({ "parameters": [id_param("id")] })),
                "put": op("admin", "Ubah showroom (root)", json!({ "200": ok("Diubah", r("Tenant")), "422": err("Isian tidak valid.") }),
                    json!({ "parameters": [id_param("id")], "requestBody": body("TenantPatch") })),
                "delete": op("admin", "Hapus showroom (lunak) (root)", json!({ "200": ok("Dihapus", r("Tenant")) }), json!({ "parameters": [id_param("id")] })),
            },
            "/api/cars": {
                "get": op("cars", "Daftar mobil dengan filter", json!({ "200": ok("Daftar", list_of("Car")), "422": err("Filter tidak valid.") }),
                    json!({ "parameters": car_filters() })),
                "post": op("cars", "Tambah mobil", json!({ "201": ok("Dibuat", r("Car")), "422": err("Isian tidak valid.") }),
                    json!({ "requestBody": body("CarInput") })),
            },
            "/api/cars/{id}": {
                "get": op("cars", "Detail mobil", json!({ "200": ok("Mobil", r("Car")) }), json!({ "parameters": [car_id.clone()] })),
                "put": op("cars", "Ubah mobil (kolom yang dikirim saja)", json!({ "200": ok("Diubah", r("Car")), "422": err("Isian tidak valid.") }),
                    json!({ "parameters": [car_id.clone()], "requestBody": body("CarInput") })),
                "delete": op("cars", "Hapus mobil (pemilik/admin)", json!({ "204": { "description": "Dihapus" }, "403": err("Bukan pemilik/admin.") }),
                    json!({ "parameters": [car_id.clone()] })),
            },
            "/api/cars/export.csv": { "get": op("cars", "Ekspor stok ke CSV", json!({ "200": csv_response("File CSV") }), json!({})) },
            "/api/cars/import.csv": { "post": op("cars", "Impor stok dari CSV (multipart `file` atau text/csv); baris dengan stock_no mengubah mobil itu",
                json!({ "200": ok("Laporan per baris", r("ImportReport")), "403": err("Bukan pemilik/admin."), "422": err("File tidak valid.") }),
                json!({ "parameters": [query("dry_run", "1 untuk memeriksa tanpa menyimpan")],
                        "requestBody": { "required": true, "content": {
                            "text/csv": { "schema": { "type": "string" } },
                            "multipart/form-data": { "schema": { "type": "object", "properties": { "file": { "type": "string", "format": "binary" } } } } } } })) },
            "/api/cars/{id}/photos": { "post": op("photos", "Unggah foto (multipart, bagian `files`, JPEG/PNG/WebP, maks. 15 MB per foto)",
                json!({ "201": ok("Mobil beserta fotonya", r("Car")), "413": err("Terlalu besar."), "422": err("Bukan foto yang didukung.") }),
                json!({ "parameters": [car_id.clone()], "requestBody": { "required": true, "content": { "multipart/form-data": { "schema": {
                    "type": "object", "properties": { "files": { "type": "array", "items": { "type": "string", "format": "binary" } } } } } } } })) },
            "/api/cars/{id}/photos/order": { "put": op("photos", "Atur urutan foto (foto pertama jadi sampul)",
                json!({ "200": ok("Mobil", r("Car")), "422": err("Urutan tidak lengkap.") }),
                json!({ "parameters": [car_id.clone()], "requestBody": body("PhotoOrder") })) },
            "/api/cars/{id}/photos/{photo_id}": { "delete": op("photos", "Hapus foto", json!({ "204": { "description": "Dihapus" } }),
                json!({ "parameters": [car_id.clone(), id_param("photo_id")] })) },
            "/api/sales": {
                "get": op("sales", "Daftar sales", json!({ "200": ok("Daftar", list_of("SalesPerson")) }), json!({ "parameters": [query("page", ""), query("per_page", "")] })),
                "post": op("sales", "Tambah sales (pemilik/admin)", json!({ "201": ok("Dibuat", r("SalesPerson")), "422": err("Isian tidak valid.") }),
                    json!({ "requestBody": body("SalesInput") })),
            },
            "/api/sales/{id}": { "delete": op("sales", "Hapus sales (pemilik/admin)", json!({ "204": { "description": "Dihapus" } }), json!({ "parameters": [id_param("id")] })) },
            "/api/leads": { "get": op("leads", "Daftar leads", json!({ "200": ok("Daftar", list_of("Lead")), "422": err("Filter tidak valid.") }),
                json!({ "parameters": [query("status", ""), query("sales_id", ""), query("from", "YYYY-MM-DD (WIB)"), query("to", "YYYY-MM-DD (WIB)"), query("page", ""), query("per_page", "")] })) },
            "/api/leads/export.csv": { "get": op("leads", "Ekspor leads ke CSV (pemilik/admin)", json!({ "200": csv_response("File CSV") }),
                json!({ "parameters": [query("status", ""), query("sales_id", ""), query("from", ""), query("to", "")] })) },
            "/api/leads/{id}": { "get": op("leads", "Detail lead dengan riwayat", json!({ "200": ok("Lead", r("Lead")) }), json!({ "parameters": [id_param("id")] })) },
            "/api/leads/{id}/status": { "put": op("leads", "Ubah status lead", json!({ "200": ok("Lead", r("Lead")), "422": err("Status tidak valid.") }),
                json!({ "parameters": [id_param("id")], "requestBody": body("LeadStatusInput") })) },
            "/api/leads/{id}/notes": { "post": op("leads", "Tambah catatan pada lead", json!({ "200": ok("Lead", r("Lead")), "422": err("Catatan kosong.") }),
                json!({ "parameters": [id_param("id")], "requestBody": body("LeadNoteInput") })) },
            "/api/openapi.json": { "get": { "tags": ["meta"], "summary": "Dokumen ini", "security": [],
                "responses": { "200": { "description": "OpenAPI 3.1" } } } },
        },
    });
    if let (Some(paths), Value::Object(more)) = (doc["paths"].as_object_mut(), bot_and_whatsapp_paths()) {
        paths.extend(more);
    }
    if let (Some(schemas), Value::Object(more)) =
        (doc["components"]["schemas"].as_object_mut(), bot_and_whatsapp_schemas())
    {
        schemas.extend(more);
    }
    doc
}

fn bot_and_whatsapp_schemas() -> Value {
    json!({
        "SimulateInput": { "type": "object", "required": ["from", "text"], "properties": {
            "from": { "type": "string", "description": "Nomor pengirim, contoh +6281234567890; nomor sales mendapat perilaku sales." },
            "text": { "type": "string", "maxLength": 4096 }, "name": { "type": "string", "maxLength": 80 },
            "message_id": { "type": "string", "description": "ID pesan penyedia (untuk menguji deduplikasi); dibuat otomatis bila kosong." },
        } },
        "SimulateResult": { "type": "object", "properties": {
            "replies": { "type": "array", "items": { "type": "object", "properties": {
                "text": { "type": "string" }, "images": { "type": "array", "items": { "type": "string", "format": "uri" } } } } },
            "notifications": { "type": "array", "items": { "type": "object", "properties": {
                "to": { "type": "string" }, "name": { "type": "string" }, "text": { "type": "string" } } } },
            "status": { "type": "string" }, "role": { "type": "string" },
            "handled_by": { "type": ["string", "null"] }, "intent": { "type": ["string", "null"] },
            "conversation_id": { "type": ["string", "null"], "format": "uuid" },
        } },
        "ChannelInput": { "type": "object", "required": ["kind"], "properties": {
            "kind": { "enum": ["waweb", "cloud_api", "simulator"] },
            "phone_number_id": { "type": "string", "description": "Cloud API saja." },
            "access_token": { "type": "string", "description": "Cloud API saja; disimpan terenkripsi." },
            "app_secret": { "type": "string", "description": "Cloud API saja; disimpan terenkripsi." },
            "verify_token": { "type": "string", "description": "Cloud API saja." },
        } },
        "ChannelStatus": { "type": "object", "properties": {
            "kind": { "type": "string" }, "status": { "type": "string" }, "status_label": { "type": "string" },
            "alert": { "type": "boolean" }, "phone": { "type": ["string", "null"] },
            "cloud_phone_number_id": { "type": ["string", "null"] },
            "status_changed_at": { "type": ["string", "null"], "format": "date-time" },
            "last_inbound_at": { "type": ["string", "null"], "format": "date-time" },
            "last_outbound_at": { "type": ["string", "null"], "format": "date-time" },
            "last_error": { "type": ["string", "null"] }, "pairing": { "type": ["object", "null"] },
            "credentials_set": { "type": "boolean" }, "dead_letters": { "type": "integer" },
        } },
        "PairInput": { "type": "object", "properties": {
            "phone": { "type": "string", "description": "Dengan nomor: pasangkan dengan kode, bukan QR." } } },
        "DeadLetter": { "type": "object", "properties": {
            "id": { "type": "string", "format": "uuid" }, "to": { "type": "string" }, "text": { "type": ["string", "null"] },
            "image": { "type": ["string", "null"] }, "attempts": { "type": "integer" }, "last_error": { "type": ["string", "null"] },
            "created_at": { "type": "string", "format": "date-time" }, "failed_at": { "type": "string", "format": "date-time" },
        } },
    })
}

fn bot_and_whatsapp_paths() -> Value {
    let admin_only = || err("Bukan pemilik/admin.");
    let unavailable = || err("Bot atau WhatsApp tidak aktif di server ini.");
    json!({
        "/api/bot/simulate": { "post": op("bot", "Simulasi percakapan WhatsApp dengan bot (pemilik/admin); balasan ada di jawaban",
            json!({ "200": ok("Balasan bot", r("SimulateResult")), "403": admin_only(), "422": err("Isian tidak valid."), "503": unavailable() }),
            json!({ "requestBody": body("SimulateInput") })) },
        "/api/whatsapp/channel": { "put": op("whatsapp", "Pilih saluran WhatsApp (WhatsApp Web, Cloud API, simulator) (pemilik/admin)",
            json!({ "200": ok("Status saluran", r("ChannelStatus")), "403": admin_only(), "409": err("Tidak bisa diterapkan."), "422": err("Isian tidak valid."), "503": unavailable() }),
            json!({ "requestBody": body("ChannelInput") })) },
        "/api/whatsapp/status": { "get": op("whatsapp", "Status koneksi WhatsApp (pemilik/admin)",
            json!({ "200": ok("Status saluran", r("ChannelStatus")), "403": admin_only(), "503": unavailable() }), json!({})) },
        "/api/whatsapp/pair": { "post": op("whatsapp", "Mulai memasangkan nomor (QR, atau kode bila `phone` diisi) (pemilik/admin)",
            json!({ "200": ok("Status saluran", r("ChannelStatus")), "403": admin_only(), "409": err("Saluran tidak mendukung."), "422": err("Nomor tidak valid."), "503": unavailable() }),
            json!({ "requestBody": { "required": false, "content": { "application/json": { "schema": r("PairInput") } } } })) },
        "/api/whatsapp/pair/events": { "get": op("whatsapp", "Perubahan status dan QR sebagai Server-Sent Events (`status` JSON, `pairing` HTML) (pemilik/admin)",
            json!({ "200": { "description": "Aliran SSE", "content": { "text/event-stream": { "schema": { "type": "string" } } } }, "403": admin_only(), "503": unavailable() }), json!({})) },
        "/api/whatsapp/disconnect": { "post": op("whatsapp", "Putuskan koneksi (sesi tetap tersimpan) (pemilik/admin)",
            json!({ "200": ok("Status saluran", r("ChannelStatus")), "403": admin_only(), "503": unavailable() }), json!({})) },
        "/api/whatsapp/logout": { "post": op("whatsapp", "Keluarkan nomor dan hapus sesi (pemilik/admin)",
            json!({ "200": ok("Status saluran", r("ChannelStatus")), "403": admin_only(), "503": unavailable() }), json!({})) },
        "/api/whatsapp/dead-letters": { "get": op("whatsapp", "Pesan keluar yang gagal terkirim (pemilik/admin)",
            json!({ "200": ok("Daftar", list_of("DeadLetter")), "403": admin_only() }),
            json!({ "parameters": [query("page", ""), query("per_page", "")] })) },
        "/api/whatsapp/dead-letters/{id}/retry": { "post": op("whatsapp", "Kirim ulang pesan yang gagal (pemilik/admin)",
            json!({ "200": ok("Diantrikan lagi", json!({ "type": "object", "properties": { "id": { "type": "string", "format": "uuid" }, "status": { "const": "queued" } } })), "403": admin_only() }),
            json!({ "parameters": [id_param("id")] })) },
    })
}

pub async fn serve() -> Response {
    axum::Json(document()).into_response()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    /// (method, path) of every `.route("/api/…", method(handler)…)` in this crate's source.
    fn routes_in_source() -> BTreeSet<(String, String)> {
        fn walk(dir: &Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(std::fs::read_to_string(&p).unwrap());
                }
            }
        }
        let mut sources = Vec::new();
        walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut sources);
        let mut found = BTreeSet::new();
        for src in sources {
            for (i, _) in src.match_indices(".route(\"/api/") {
                let rest = &src[i + 8..];
                let Some(end) = rest.find('"') else { continue };
                let path = &rest[..end];
                // The route's methods are the method-router calls before the closing of `.route(`.
                let tail = &rest[end..];
                let mut depth = 1;
                let mut stop = tail.len();
                for (j, c) in tail.char_indices() {
                    match c {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                stop = j;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let call = &tail[..stop];
                for m in ["get", "post", "put", "delete", "patch"] {
                    let direct = format!(", {m}(");
                    let chained = format!(".{m}(");
                    if call.contains(&direct) || call.contains(&chained) || call.starts_with(&format!("\", {m}(")) {
                        found.insert((m.to_owned(), path.to_owned()));
                    }
                }
            }
        }
        found
    }

    fn routes_in_document() -> BTreeSet<(String, String)> {
        let doc = super::document();
        let mut out = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                out.insert((method.clone(), path.clone()));
            }
        }
        out
    }

    #[test]
    fn every_api_route_is_documented_and_every_documented_route_exists() {
        let source = routes_in_source();
        let doc = routes_in_document();
        assert!(source.len() > 15, "route scan found too little: {source:?}");
        let undocumented: Vec<_> = source.difference(&doc).collect();
        let stale: Vec<_> = doc.difference(&source).collect();
        assert!(undocumented.is_empty(), "routes missing from openapi.json: {undocumented:?}");
        assert!(stale.is_empty(), "documented routes that do not exist: {stale:?}");
    }

    #[test]
    fn every_reference_resolves() {
        let doc = super::document();
        let text = doc.to_string();
        for (i, _) in text.match_indices("#/components/schemas/") {
            let name: String = text[i + 21..].chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(doc["components"]["schemas"].get(&name).is_some(), "missing schema {name}");
        }
    }
}
