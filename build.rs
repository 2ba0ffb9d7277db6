//! Records the target triple for the manifest.

fn main() {
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_string());
    println!("cargo:rustc-env=CAASIM_TARGET={target}");
    // The target depends on nothing in the package: without this line any
    // changed file (the README, a scenario) would rerun the script and
    // rebuild the crate.
    println!("cargo:rerun-if-changed=build.rs");
}
