//! Converting a plot's SVG to a one-page vector PDF for LaTeX
//! (`\includegraphics{plots/output.pdf}`), in-process with `krilla-svg`.
//!
//! The SVG's `sans-serif` text is set in the embedded DejaVu Sans (the font
//! the SVG and PNG are drawn with), never a system font, and stays real
//! text: the PDF embeds a subset of the font, so the labels can be selected
//! and extracted. The page is the plot's size with a CSS pixel taken as
//! 1/96 inch, so [`PT_PER_PX`] PDF points per SVG pixel: an 800 × 520 px
//! plot is a 600 × 390 pt page. The same SVG always gives the same bytes:
//! no creation date, and krilla derives the document id from the content.

use super::style::FONT_BYTES;
use anyhow::{Context, Result, anyhow, ensure};
use krilla::Document;
use krilla::geom::Size;
use krilla::page::PageSettings;
use krilla_svg::{SurfaceExt, SvgSettings};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, OnceLock};
use usvg::fontdb::Database;

/// PDF points per SVG pixel: 72 points per inch over 96 CSS pixels per inch.
pub const PT_PER_PX: f32 = 72.0 / 96.0;

/// The PDF of the standalone SVG document `svg`, one page of its size.
pub fn from_svg(svg: &str) -> Result<Vec<u8>> {
    let fonts = fonts()?;
    catch_unwind(AssertUnwindSafe(|| write(&read(svg, fonts)?)))
        .map_err(|_| anyhow!("the PDF library panicked"))
        .and_then(|r| r)
}

/// The font database and the family name of the embedded font in it.
type Fonts = (Arc<Database>, String);

/// `svg` parsed, its text laid out in `fonts`.
fn read(svg: &str, (fonts, family): &Fonts) -> Result<usvg::Tree> {
    let options = usvg::Options {
        font_family: family.clone(),
        fontdb: fonts.clone(),
        ..Default::default()
    };
    usvg::Tree::from_str(svg, &options).context("the SVG cannot be read")
}

/// A one-page PDF of `tree`, the page its size.
fn write(tree: &usvg::Tree) -> Result<Vec<u8>> {
    let (w, h) = (tree.size().width(), tree.size().height());
    let (w, h) = (w * PT_PER_PX, h * PT_PER_PX);
    let size = Size::from_wh(w, h).context("the SVG has no area")?;
    let page_size = PageSettings::from_wh(w, h).context("the SVG has no area")?;
    let mut document = Document::new();
    let mut page = document.start_page_with(page_size);
    let mut surface = page.surface();
    let drawn = surface.draw_svg(tree, size, SvgSettings::default());
    surface.finish();
    page.finish();
    ensure!(drawn.is_some(), "the SVG cannot be drawn");
    document
        .finish()
        .map_err(|e| anyhow!("cannot write the PDF: {e}"))
}

/// A font database holding only the embedded DejaVu Sans, which also
/// serves the generic family `sans-serif` of the SVGs' text, and its
/// family name; built once.
fn fonts() -> Result<&'static Fonts> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    let fonts = FONTS.get_or_init(|| {
        let mut db = Database::new();
        db.load_font_data(FONT_BYTES.to_vec());
        let family = db.faces().next()?.families.first()?.0.clone();
        db.set_sans_serif_family(&family);
        Some((Arc::new(db), family))
    });
    fonts
        .as_ref()
        .context("the embedded DejaVu Sans font could not be loaded for the PDFs")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plot-like SVG: text in the generic family, translucent shapes.
    const SVG: &str = r##"<svg width="800" height="520" viewBox="0 0 800 520" xmlns="http://www.w3.org/2000/svg">
<rect x="0" y="0" width="800" height="520" opacity="1" fill="#FFFFFF" stroke="none"/>
<rect x="10" y="10" width="300" height="200" opacity="0.25" fill="#0072B2" stroke="none"/>
<rect x="20" y="20" width="300" height="200" opacity="0.18" fill="#D55E00" stroke="none"/>
<polyline fill="none" opacity="0.35" stroke="#000000" stroke-width="3" points="16,63 48,63 "/>
<text x="400" y="23" dy="0.5ex" text-anchor="middle" font-family="sans-serif" font-size="21.8" opacity="1" fill="#000000">
campaigns (seat-days per day) − baseline
</text>
</svg>"##;

    /// The glyphs laid out for the text of `tree`.
    fn glyphs(tree: &usvg::Tree) -> usize {
        fn count(group: &usvg::Group) -> usize {
            (group.children().iter())
                .map(|node| match node {
                    usvg::Node::Group(g) => count(g),
                    usvg::Node::Text(t) => (t.layouted().iter())
                        .map(|s| s.positioned_glyphs.len())
                        .sum(),
                    _ => 0,
                })
                .sum()
        }
        count(tree.root())
    }

    #[test]
    fn the_generic_family_is_set_in_the_embedded_font() {
        let text = "campaigns (seat-days per day) − baseline";
        let tree = read(SVG, fonts().unwrap()).unwrap();
        assert_eq!(glyphs(&tree), text.chars().count());
        let no_fonts = (Arc::new(Database::new()), "DejaVu Sans".to_string());
        let bare = read(SVG, &no_fonts).unwrap();
        assert_eq!(glyphs(&bare), 0, "without the font the text is lost");
    }

    #[test]
    fn the_same_svg_gives_the_same_bytes_on_a_page_of_its_size_in_points() {
        let first = from_svg(SVG).unwrap();
        assert!(first.starts_with(b"%PDF-"));
        let media_box = b"/MediaBox[0 0 600 390]";
        assert!(
            first.windows(media_box.len()).any(|w| w == media_box),
            "the page is not 800 x 520 px at 0.75 pt per px"
        );
        for _ in 0..3 {
            assert!(from_svg(SVG).unwrap() == first, "the PDF differs");
        }
    }

    #[test]
    fn a_damaged_svg_is_an_error() {
        let err = from_svg("<svg width=\"10\"").unwrap_err();
        assert!(
            format!("{err:#}").contains("the SVG cannot be read"),
            "{err:#}"
        );
    }
}
