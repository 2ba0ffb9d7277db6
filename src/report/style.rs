//! Shared look of the plots: embedded font, Okabe-Ito palette, sizes,
//! titles and legends.

use anyhow::{Result, ensure};
use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};
use std::sync::OnceLock;

/// DejaVu Sans, embedded so that no system font or fontconfig is needed.
pub const FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// Family name under which the font is registered (plotters' default).
const FAMILY: &str = "sans-serif";

/// The Okabe-Ito palette, distinguishable with common colour-vision deficiencies.
mod okabe_ito {
    use plotters::style::RGBColor;

    pub const BLACK: RGBColor = RGBColor(0, 0, 0);
    pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
    pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
    pub const BLUISH_GREEN: RGBColor = RGBColor(0, 158, 115);
    pub const YELLOW: RGBColor = RGBColor(240, 228, 66);
    pub const BLUE: RGBColor = RGBColor(0, 114, 178);
    pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
    pub const REDDISH_PURPLE: RGBColor = RGBColor(204, 121, 167);
}

/// Okabe-Ito colours, in the order arms receive them (black first).
const ARM_COLOURS: [RGBColor; 8] = {
    use okabe_ito::*;
    [
        BLACK,
        BLUE,
        VERMILLION,
        BLUISH_GREEN,
        REDDISH_PURPLE,
        ORANGE,
        SKY_BLUE,
        YELLOW,
    ]
};

/// Okabe-Ito colours for categories (no black, which is kept for text).
const CATEGORY_COLOURS: [RGBColor; 7] = {
    use okabe_ito::*;
    [
        BLUE,
        ORANGE,
        BLUISH_GREEN,
        REDDISH_PURPLE,
        SKY_BLUE,
        VERMILLION,
        YELLOW,
    ]
};

/// Neutral grey for "others", grids and reference lines.
pub const GREY: RGBColor = RGBColor(150, 150, 150);

/// Registers the embedded font once; plotters panics drawing text without it.
pub fn ensure_font() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok =
        *REGISTERED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, FONT_BYTES).is_ok());
    ensure!(ok, "the embedded DejaVu Sans font could not be loaded");
    Ok(())
}

/// Colour of the arm at `index` in the scenario order.
pub fn arm_colour(index: usize) -> RGBColor {
    ARM_COLOURS[index % ARM_COLOURS.len()]
}

/// Colour of the category at `index`.
pub fn category_colour(index: usize) -> RGBColor {
    CATEGORY_COLOURS[index % CATEGORY_COLOURS.len()]
}

/// Sizes in logical (SVG) pixels, multiplied by `scale` for bitmaps.
#[derive(Clone, Copy)]
pub struct Style {
    scale: f64,
}

impl Style {
    /// Title font size.
    pub const TITLE: f64 = 27.0;
    /// Axis description font size.
    pub const LABEL: f64 = 25.0;
    /// Tick label and legend font size.
    pub const TICK: f64 = 23.0;

    /// A style drawing at `scale` times the logical size.
    pub fn new(scale: f64) -> Self {
        Self { scale }
    }

    /// A length in backend pixels.
    pub fn px(&self, logical: f64) -> i32 {
        (logical * self.scale).round() as i32
    }

    /// A stroke width in backend pixels (at least 1).
    pub fn stroke(&self, logical: f64) -> u32 {
        ((logical * self.scale).round() as u32).max(1)
    }

    /// The embedded font at a logical size.
    pub fn font(&self, size: f64) -> TextStyle<'static> {
        (FAMILY, size * self.scale).into_font().color(&BLACK)
    }

    /// Width of `text` in backend pixels at a logical font size.
    pub fn text_width(&self, text: &str, size: f64) -> i32 {
        self.font(size)
            .font
            .box_size(text)
            .map_or(0, |(w, _)| w as i32)
    }

    /// `text`, or its end after an ellipsis, as long as fits in `width`
    /// backend pixels at a logical font size.
    pub fn fit_start(&self, text: &str, size: f64, width: i32) -> String {
        let chars: Vec<char> = text.chars().collect();
        let tails = (1..chars.len()).map(|i| format!("…{}", String::from_iter(&chars[i..])));
        self.first_fitting(text, tails, size, width)
    }

    /// A parameter path at tick size as long as fits in `width` backend
    /// pixels: its end, after an ellipsis, without the dot where it was cut.
    pub fn fit_key(&self, path: &str, width: i32) -> String {
        self.fit_start(path, Self::TICK, width)
            .replacen("….", "…", 1)
    }

    /// `text`, or its start before an ellipsis, as long as fits in `width`
    /// backend pixels at a logical font size.
    pub fn fit_end(&self, text: &str, size: f64, width: i32) -> String {
        let chars: Vec<char> = text.chars().collect();
        let heads = (1..chars.len())
            .rev()
            .map(|i| format!("{}…", String::from_iter(&chars[..i])));
        self.first_fitting(text, heads, size, width)
    }

    fn first_fitting(
        &self,
        text: &str,
        shorter: impl Iterator<Item = String>,
        size: f64,
        width: i32,
    ) -> String {
        std::iter::once(text.to_string())
            .chain(shorter)
            .find(|t| self.text_width(t, size) <= width)
            .unwrap_or_else(|| "…".into())
    }
}

/// What a legend entry shows next to its label.
pub enum Swatch {
    /// A line in a colour, dashed or solid.
    Line(RGBColor, bool),
    /// A filled box (areas, bars, bands).
    Fill(RGBAColor),
    /// A filled dot (point estimates).
    Dot(RGBColor),
    /// An open circle on white (observed values).
    Ring(RGBColor),
}

/// One legend entry.
pub struct LegendItem {
    /// Text of the entry.
    pub label: String,
    /// Mark drawn before the text.
    pub swatch: Swatch,
}

/// Draws a centred title and returns the area below it.
pub fn title<DB: DrawingBackend<ErrorType: 'static>>(
    root: &DrawingArea<DB, Shift>,
    st: &Style,
    text: &str,
) -> Result<DrawingArea<DB, Shift>> {
    let (top, rest) = root.split_vertically(st.px(Style::TITLE * 1.7));
    let (w, h) = top.dim_in_pixel();
    let font = st
        .font(Style::TITLE)
        .pos(Pos::new(HPos::Center, VPos::Center));
    top.draw_text(text, &font, (w as i32 / 2, h as i32 / 2))?;
    Ok(rest)
}

/// Writes a centred note in `area`, for plots without data.
pub fn note<DB: DrawingBackend<ErrorType: 'static>>(
    area: &DrawingArea<DB, Shift>,
    st: &Style,
    text: &str,
) -> Result<()> {
    let (w, h) = area.dim_in_pixel();
    let font = st
        .font(Style::LABEL)
        .pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text(text, &font, (w as i32 / 2, h as i32 / 2))?;
    Ok(())
}

/// Lays legend items out in rows; returns (x, row) per item and the row count.
fn layout(items: &[LegendItem], st: &Style, width: i32) -> (Vec<(i32, i32)>, i32) {
    let gap = st.px(28.0);
    let (mut x, mut row) = (0, 0);
    let mut places = Vec::with_capacity(items.len());
    for item in items {
        let w = st.px(40.0) + st.text_width(&item.label, Style::TICK);
        if x > 0 && x + w > width {
            x = 0;
            row += 1;
        }
        places.push((x, row));
        x += w + gap;
    }
    (places, row + 1)
}

/// Draws a legend strip at the top of `area` and returns the area below it.
pub fn legend<DB: DrawingBackend<ErrorType: 'static>>(
    area: &DrawingArea<DB, Shift>,
    st: &Style,
    items: &[LegendItem],
) -> Result<DrawingArea<DB, Shift>> {
    let margin = st.px(16.0);
    let width = area.dim_in_pixel().0 as i32 - 2 * margin;
    let (places, rows) = layout(items, st, width);
    let row_h = st.px(Style::TICK * 1.5);
    let (strip, rest) = area.split_vertically(rows * row_h + st.px(8.0));
    for (item, (x, row)) in items.iter().zip(places) {
        let y = row * row_h + row_h / 2;
        swatch(&strip, st, &item.swatch, margin + x, y)?;
        let font = st.font(Style::TICK).pos(Pos::new(HPos::Left, VPos::Center));
        strip.draw_text(&item.label, &font, (margin + x + st.px(40.0), y))?;
    }
    Ok(rest)
}

/// Draws the title and, below it, the legend; returns the area below both.
pub fn heading<DB: DrawingBackend<ErrorType: 'static>>(
    root: &DrawingArea<DB, Shift>,
    st: &Style,
    text: &str,
    items: &[LegendItem],
) -> Result<DrawingArea<DB, Shift>> {
    legend(&title(root, st, text)?, st, items)
}

/// The mesh of `chart` with the look shared by every plot: faint grid at the
/// ticks only, short tick marks, and the embedded font for labels.
pub fn mesh<'a, 'b, X, Y, XT, YT, DB>(
    chart: &'b mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    st: &Style,
) -> MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged<ValueType = XT> + ValueFormatter<XT>,
    Y: Ranged<ValueType = YT> + ValueFormatter<YT>,
    DB: DrawingBackend,
{
    let mut mesh = chart.configure_mesh();
    mesh.bold_line_style(GREY.mix(0.25))
        .light_line_style(TRANSPARENT)
        .set_all_tick_mark_size(st.px(6.0))
        .label_style(st.font(Style::TICK))
        .axis_desc_style(st.font(Style::LABEL));
    mesh
}

fn swatch<DB: DrawingBackend<ErrorType: 'static>>(
    area: &DrawingArea<DB, Shift>,
    st: &Style,
    swatch: &Swatch,
    x: i32,
    y: i32,
) -> Result<()> {
    let (x0, x1) = (x, x + st.px(32.0));
    match swatch {
        Swatch::Line(colour, dashed) => {
            let style = colour.stroke_width(st.stroke(3.0));
            for (a, b) in segments(st, x0, x1, *dashed) {
                area.draw(&PathElement::new(vec![(a, y), (b, y)], style))?;
            }
        }
        Swatch::Fill(colour) => {
            let half = st.px(9.0);
            area.draw(&Rectangle::new(
                [(x0, y - half), (x1, y + half)],
                colour.filled(),
            ))?;
        }
        Swatch::Dot(colour) => {
            area.draw(&Circle::new(
                ((x0 + x1) / 2, y),
                st.px(7.0),
                colour.filled(),
            ))?;
        }
        Swatch::Ring(colour) => ring(area, st, ((x0 + x1) / 2, y), *colour)?,
    }
    Ok(())
}

/// An open circle of `colour` on white at the backend point `at` of `area`.
fn ring<DB: DrawingBackend<ErrorType: 'static>>(
    area: &DrawingArea<DB, Shift>,
    st: &Style,
    at: (i32, i32),
    colour: RGBColor,
) -> Result<()> {
    area.draw(&Circle::new(at, st.px(7.0), WHITE.filled()))?;
    area.draw(&Circle::new(
        at,
        st.px(7.0),
        colour.stroke_width(st.stroke(2.5)),
    ))?;
    Ok(())
}

/// The strokes of a legend line from `x0` to `x1`: three dashes, or one.
fn segments(st: &Style, x0: i32, x1: i32, dashed: bool) -> Vec<(i32, i32)> {
    if !dashed {
        return vec![(x0, x1)];
    }
    (0..3)
        .map(|k| {
            let start = 12.0 * f64::from(k);
            (x0 + st.px(start), x0 + st.px(start + 8.0))
        })
        .collect()
}
