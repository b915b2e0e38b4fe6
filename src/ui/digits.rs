//! The cadence in seven-segment digits, the way a treadmill console shows its numbers.
//!
//! The digits are a few convex polygons each, filled where the ink is and nowhere else. Drawn
//! as font glyphs at 40 % of the window's height, they cost software OpenGL a quarter of a
//! frame (every pixel of every glyph's box is sampled and blended, on every step) and held a
//! font atlas of glyphs 300 px tall, once for every size the window passed through; the
//! segments are a few dozen triangles at any size.

use eframe::egui::{self, Color32, Pos2, Rect, Shape, Stroke, Vec2, pos2, vec2};

/// A digit's width, the stroke, the space between digits and the gap between two segments, as
/// shares of the digits' height.
const WIDTH: f32 = 0.52;
const STROKE: f32 = 0.13;
const SPACING: f32 = 0.16;
const GAP: f32 = 0.008;
/// The decimal point's advance (its square is a stroke wide).
const POINT: f32 = 0.26;

/// Segments of a digit: bits a (top), b (top right), c (bottom right), d (bottom), e (bottom
/// left), f (top left), g (middle).
fn segments(c: char) -> u8 {
    const A: u8 = 1;
    const B: u8 = 2;
    const C: u8 = 4;
    const D: u8 = 8;
    const E: u8 = 16;
    const F: u8 = 32;
    const G: u8 = 64;
    match c {
        '0' => A | B | C | D | E | F,
        '1' => B | C,
        '2' => A | B | G | E | D,
        '3' => A | B | G | C | D,
        '4' => F | G | B | C,
        '5' => A | F | G | C | D,
        '6' => A | F | G | E | D | C,
        '7' => A | B | C,
        '8' => A | B | C | D | E | F | G,
        '9' => A | B | C | D | F | G,
        '-' => G,
        _ => 0,
    }
}

/// Each character of `text` with its left edge and advance, at digits `height` tall: digits
/// stand [`SPACING`] apart, a decimal point sits in the space before the next digit.
fn advances(text: &str, height: f32) -> impl Iterator<Item = (char, f32, f32)> + '_ {
    let mut x = 0.0;
    text.chars().enumerate().map(move |(i, c)| {
        if i > 0 && c != '.' {
            x += SPACING * height;
        }
        let advance = if c == '.' { POINT } else { WIDTH } * height;
        let left = x;
        x += advance;
        (c, left, advance)
    })
}

/// How wide `text` is at digits `height` tall.
pub fn width(text: &str, height: f32) -> f32 {
    advances(text, height)
        .last()
        .map_or(0.0, |(_, left, advance)| left + advance)
}

/// The height at which `text` fills a box of `size` (as tall as it allows, no wider).
pub fn fitting_height(text: &str, size: Vec2) -> f32 {
    let w = width(text, 1.0);
    if w <= 0.0 {
        return size.y;
    }
    size.y.min(size.x / w)
}

/// The shapes of `text` in digits `height` tall, its top left corner at `at`.
pub fn shapes(text: &str, at: Pos2, height: f32, colour: Color32) -> Vec<Shape> {
    let mut out = Vec::new();
    for (c, left, advance) in advances(text, height) {
        let x = at.x + left;
        if c == '.' {
            let t = STROKE * height;
            let square = Rect::from_min_size(
                pos2(x + (advance - t) / 2.0, at.y + height - t),
                Vec2::splat(t),
            );
            out.push(Shape::rect_filled(square, 0.0, colour));
            continue;
        }
        let bits = segments(c);
        let digit = Rect::from_min_size(pos2(x, at.y), vec2(advance, height));
        for (bit, points) in digit_segments(digit).into_iter().enumerate() {
            if bits & (1 << bit) != 0 {
                out.push(Shape::convex_polygon(points, colour, Stroke::NONE));
            }
        }
    }
    out
}

/// The seven segments of a digit in `r`, in the order a–g, as hexagons with pointed ends.
fn digit_segments(r: Rect) -> [Vec<Pos2>; 7] {
    let h = r.height();
    let t = STROKE * h;
    let g = GAP * h;
    let across = |yc: f32| {
        let (x0, x1) = (r.left(), r.right());
        vec![
            pos2(x0 + t / 2.0 + g, yc),
            pos2(x0 + t + g, yc - t / 2.0),
            pos2(x1 - t - g, yc - t / 2.0),
            pos2(x1 - t / 2.0 - g, yc),
            pos2(x1 - t - g, yc + t / 2.0),
            pos2(x0 + t + g, yc + t / 2.0),
        ]
    };
    let down = |xc: f32, y0: f32, y1: f32| {
        vec![
            pos2(xc, y0 + t / 2.0 + g),
            pos2(xc + t / 2.0, y0 + t + g),
            pos2(xc + t / 2.0, y1 - t - g),
            pos2(xc, y1 - t / 2.0 - g),
            pos2(xc - t / 2.0, y1 - t - g),
            pos2(xc - t / 2.0, y0 + t + g),
        ]
    };
    let (top, middle, bottom) = (r.top(), r.center().y, r.bottom());
    let (left, right) = (r.left() + t / 2.0, r.right() - t / 2.0);
    [
        across(top + t / 2.0),
        down(right, top, middle),
        down(right, middle, bottom),
        across(bottom - t / 2.0),
        down(left, middle, bottom),
        down(left, top, middle),
        across(middle),
    ]
}

/// Paints `text` as large as it fits in `rect`, centred in it.
pub fn paint(painter: &egui::Painter, rect: Rect, text: &str, colour: Color32) {
    let height = fitting_height(text, rect.size());
    let at = pos2(
        rect.center().x - width(text, height) / 2.0,
        rect.center().y - height / 2.0,
    );
    painter.extend(shapes(text, at, height, colour));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tempo_fits_its_box_on_one_line() {
        let size = vec2(600.0, 280.0);
        for text in ["88", "170", "172.5", "188.5", "240"] {
            let h = fitting_height(text, size);
            assert!(h <= size.y && width(text, h) <= size.x + 0.01, "{text}");
        }
        // The widest tempo sets the box; a narrower one is as tall.
        let wide = vec2(width("888.8", 280.0), 280.0);
        for text in ["888.8", "172.5", "170"] {
            assert!((fitting_height(text, wide) - 280.0).abs() < 0.01, "{text}");
        }
    }

    #[test]
    fn digits_light_the_segments_a_display_would() {
        let count = |c| segments(c).count_ones();
        let lit: Vec<u32> = "0123456789".chars().map(count).collect();
        assert_eq!(lit, [6, 2, 5, 5, 4, 5, 6, 3, 7, 6]);
        // Every shape stays inside the text's box.
        let shapes = shapes("188.5", pos2(10.0, 20.0), 100.0, Color32::WHITE);
        let bounds = shapes
            .iter()
            .map(Shape::visual_bounding_rect)
            .reduce(|a, b| a.union(b))
            .unwrap();
        assert!(bounds.left() >= 10.0 && bounds.top() >= 20.0, "{bounds:?}");
        assert!(
            bounds.right() <= 10.0 + width("188.5", 100.0) + 0.01,
            "{bounds:?}"
        );
        assert!(bounds.bottom() <= 120.01, "{bounds:?}");
    }
}
