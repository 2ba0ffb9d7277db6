//! The page's files, embedded in the binary: nothing is fetched from the
//! network or the disk to show the page.

/// The page.
pub const INDEX: &str = include_str!("assets/index.html");

/// An embedded asset by name: its bytes and content type (`None`: no such
/// asset).
pub fn asset(name: &str) -> Option<(&'static [u8], &'static str)> {
    match name {
        "app.js" => Some((
            include_str!("assets/app.js").as_bytes(),
            "text/javascript; charset=utf-8",
        )),
        "app.css" => Some((
            include_str!("assets/app.css").as_bytes(),
            "text/css; charset=utf-8",
        )),
        "DejaVuSans.ttf" => Some((
            include_bytes!("../../assets/fonts/DejaVuSans.ttf"),
            "font/ttf",
        )),
        _ => None,
    }
}
