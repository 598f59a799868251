// sqlx::migrate! embeds the migrations at compile time but cannot track the folder on
// stable Rust: rebuild this crate whenever a migration is added or changed.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
