//! Rendering a figure to SVG markup and PNG bytes.

use super::pngenc;
use super::style::{Style, ensure_font};
use anyhow::{Context, Result, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// PNG pixels per logical (SVG) pixel.
pub const PNG_SCALE: u32 = 2;
/// Logical width of every figure; `report.css` shows figures at most this
/// wide, so the page draws them at their logical size or smaller.
pub const WIDTH: u32 = 800;
/// Logical height of the plots with a time axis.
pub const TIME_HEIGHT: u32 = 520;
/// Logical height of a figure that only says there is nothing to plot.
pub const NOTE_HEIGHT: u32 = 240;

/// A plot that can draw itself on any plotters backend.
pub trait Figure {
    /// Logical size in SVG pixels (the PNG is `PNG_SCALE` times larger).
    fn size(&self) -> (u32, u32);

    /// Draws the figure on a white `root` with sizes taken from `st`.
    fn draw<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        root: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> Result<()>;
}

/// A rendered figure.
pub struct Image {
    /// Standalone SVG document.
    pub svg: String,
    /// PNG file contents.
    pub png: Vec<u8>,
}

/// Renders `figure` as SVG and PNG; `name` is used in error messages.
pub fn render<F: Figure>(name: &str, figure: &F) -> Result<Image> {
    ensure_font()?;
    catch_unwind(AssertUnwindSafe(|| render_both(figure)))
        .map_err(|_| anyhow!("the plotting library panicked"))
        .and_then(|r| r)
        .with_context(|| format!("cannot draw plot {name}"))
}

fn render_both<F: Figure>(figure: &F) -> Result<Image> {
    let (w, h) = figure.size();
    let mut svg = String::new();
    paint(
        figure,
        &SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area(),
        1,
    )?;
    let (pw, ph) = (w * PNG_SCALE, h * PNG_SCALE);
    let mut rgb = vec![0u8; pw as usize * ph as usize * 3];
    let root = BitMapBackend::with_buffer(&mut rgb, (pw, ph)).into_drawing_area();
    paint(figure, &root, PNG_SCALE)?;
    drop(root);
    Ok(Image {
        svg: xml_safe(svg),
        png: pngenc::encode_rgb(pw, ph, &rgb),
    })
}

/// `svg` with each character XML 1.0 does not allow (the control characters
/// but tab, line feed and carriage return, and U+FFFE, U+FFFF) replaced by
/// U+FFFD: plotters writes labels as given, and a name with such a character
/// (an arm named `nul\0byte`) would leave a document no XML reader (the
/// PDF converter, a browser) accepts.
fn xml_safe(svg: String) -> String {
    let allowed = |c: char| match c {
        '\t' | '\n' | '\r' => true,
        '\u{FFFE}' | '\u{FFFF}' => false,
        c => c >= ' ',
    };
    match svg.chars().all(allowed) {
        true => svg,
        false => svg
            .chars()
            .map(|c| if allowed(c) { c } else { '\u{FFFD}' })
            .collect(),
    }
}

fn paint<F: Figure, DB: DrawingBackend<ErrorType: 'static>>(
    figure: &F,
    root: &DrawingArea<DB, Shift>,
    scale: u32,
) -> Result<()> {
    root.fill(&WHITE)?;
    figure.draw(root, &Style::new(f64::from(scale)))?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::xml_safe;

    #[test]
    fn characters_xml_forbids_are_replaced() {
        let svg = "<text>nul\0byte\u{1}\tok\u{7F}\u{FFFF}</text>\n".to_string();
        assert_eq!(
            xml_safe(svg),
            "<text>nul\u{FFFD}byte\u{FFFD}\tok\u{7F}\u{FFFD}</text>\n"
        );
        let plain = "<text>café − 5%</text>".to_string();
        assert_eq!(xml_safe(plain.clone()), plain);
    }
}
