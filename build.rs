//! Records the target triple for the manifest.

fn main() {
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_string());
    println!("cargo:rustc-env=CAASIM_TARGET={target}");
}
