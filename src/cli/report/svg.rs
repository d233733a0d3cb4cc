//! The report's charts as inline SVG, made of `Html` like the rest of the page.

use super::markup::{Html, html};
use crate::cli::document::{Bar, Chart, Stacked};
use crate::i18n::{Lang, tr};
use crate::present::{fit, percent};

/// Okabe–Ito colours, told apart by people with colour vision deficiency; every bar is
/// also labelled in words, so colour never carries meaning alone.
const SERIES_COLOURS: [&str; 7] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7F7F7F",
];

/// A chart as inline SVG: `role="img"`, a `<title>` and a `<desc>` that says every number
/// the bars show; the table after it has the same numbers.
pub fn chart(lang: Lang, chart: &Chart) -> Html {
    const WIDTH: f64 = 760.0;
    const LABEL: f64 = 230.0;
    const PLOT: f64 = 430.0;
    const TOP: f64 = 26.0;
    const GROUP_LABEL: f64 = 22.0;
    const BAR: f64 = 15.0;
    const BAR_GAP: f64 = 4.0;
    const GROUP_GAP: f64 = 12.0;
    let x = |percent: f64| LABEL + PLOT * percent.clamp(0.0, 100.0) / 100.0;
    let group_height = GROUP_LABEL + chart.series.len() as f64 * (BAR + BAR_GAP) + GROUP_GAP;
    let plot_bottom = TOP + chart.groups.len() as f64 * group_height;
    let height = plot_bottom + 24.0;

    let value_text = |bar: Bar| match bar {
        Bar::Score(p) => percent(Some(p)),
        Bar::NoScore => tr(lang, "band.none").to_string(),
        Bar::TooFew => tr(lang, "report.too_few").to_string(),
    };
    let desc = chart
        .groups
        .iter()
        .map(|(name, bars)| {
            let values: Vec<String> = chart
                .series
                .iter()
                .zip(bars)
                .map(|(series, bar)| format!("{series} {}", value_text(*bar)))
                .collect();
            format!("{name}: {}", values.join(", "))
        })
        .collect::<Vec<_>>()
        .join(". ");

    let mut svg = opening(&chart.id, WIDTH, height, &chart.title, &desc);
    // Band zones behind the bars, named at the top.
    for (from, to, fill, key) in [
        (0.0, 50.0, "#fbeaea", "band.priority"),
        (50.0, 80.0, "#fdf6e3", "band.partly"),
        (80.0, 100.0, "#e8f4ec", "band.in_place"),
    ] {
        svg.push(&html!(
            "<rect x=\"{:.1}\" y=\"{}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#4a4a4a\" text-anchor=\"middle\">{}</text>\n",
            x(from),
            TOP,
            x(to) - x(from),
            plot_bottom - TOP,
            Html::trusted(fill),
            (x(from) + x(to)) / 2.0,
            TOP - 8.0,
            Html::text(tr(lang, key))
        ));
    }
    for tick in [0.0, 50.0, 80.0, 100.0] {
        svg.push(&html!(
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{3}\" y2=\"{4:.1}\" stroke=\"#9a9a9a\" stroke-width=\"1\"/>\
             <text x=\"{0:.1}\" y=\"{1:.1}\" font-size=\"11\" fill=\"#4a4a4a\" text-anchor=\"middle\">{2} %</text>\n",
            x(tick),
            plot_bottom + 16.0,
            tick,
            TOP,
            plot_bottom
        ));
    }
    for (g, (name, bars)) in chart.groups.iter().enumerate() {
        let top = TOP + g as f64 * group_height;
        svg.push(&html!(
            "<text x=\"0\" y=\"{:.1}\" font-size=\"13\" font-weight=\"600\" fill=\"#1b1b1b\">{}</text>\n",
            top + 16.0,
            Html::text(name)
        ));
        for (s, (series, bar)) in chart.series.iter().zip(bars).enumerate() {
            let y = top + GROUP_LABEL + s as f64 * (BAR + BAR_GAP);
            svg.push(&html!(
                "<text x=\"8\" y=\"{:.1}\" font-size=\"11.5\" fill=\"#1b1b1b\">{}</text>",
                y + BAR - 3.5,
                Html::text(&fit(series, 34))
            ));
            match bar {
                Bar::Score(p) => {
                    svg.push(&html!(
                        "<rect x=\"{}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{}\" fill=\"{}\"/>\
                         <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11.5\" font-weight=\"600\" fill=\"#1b1b1b\">{}</text>\n",
                        LABEL,
                        y,
                        (x(*p) - LABEL).max(1.0),
                        BAR,
                        Html::trusted(
                            SERIES_COLOURS[chart.colours.get(s).copied().unwrap_or(s)
                                % SERIES_COLOURS.len()]
                        ),
                        x(*p) + 5.0,
                        y + BAR - 3.5,
                        Html::text(&percent(Some(*p)))
                    ));
                }
                Bar::NoScore | Bar::TooFew => {
                    svg.push(&html!(
                        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11.5\" font-style=\"italic\" fill=\"#4a4a4a\">{}</text>\n",
                        LABEL + 5.0,
                        y + BAR - 3.5,
                        Html::text(&value_text(*bar))
                    ));
                }
            }
        }
    }
    closing(lang, svg)
}

/// A chart's figure and SVG opened: an image named by its `<title>` and described by its
/// `<desc>`, which says every number the chart shows.
fn opening(id: &str, width: f64, height: f64, title: &str, desc: &str) -> Html {
    html!(
        "<figure>\n<svg role=\"img\" aria-labelledby=\"{0}-title {0}-desc\" \
         viewBox=\"0 0 {1} {2}\" xmlns=\"http://www.w3.org/2000/svg\">\n\
         <title id=\"{0}-title\">{3}</title>\n<desc id=\"{0}-desc\">{4}</desc>\n",
        Html::text(id),
        width,
        height,
        Html::text(title),
        Html::text(desc)
    )
}

/// The SVG and its figure closed, with the caption that points to the table.
fn closing(lang: Lang, mut svg: Html) -> Html {
    svg.push(&Html::trusted("</svg>\n"));
    svg.push(&html!(
        "<figcaption>{}</figcaption>\n</figure>\n",
        Html::text(tr(lang, "report.chart_note"))
    ));
    svg
}

/// The parts of a stacked bar in order: in place, partly, priority, then what has no band
/// (no score, too few) in greys. Every segment also carries its count and a `<title>`, so
/// colour never carries meaning alone.
const PART_COLOURS: [&str; 5] = ["#009E73", "#E69F00", "#D55E00", "#BDBDBD", "#7F7F7F"];

/// Stacked bars as inline SVG: `role="img"`, a `<title>` and a `<desc>` that say every count,
/// a `<title>` on each segment, and the count written in every segment wide enough for it;
/// the table after it has the same numbers.
pub fn stacked(lang: Lang, chart: &Stacked) -> Html {
    const WIDTH: f64 = 760.0;
    const LABEL: f64 = 260.0;
    const PLOT: f64 = 480.0;
    const TOP: f64 = 8.0;
    const BAR: f64 = 16.0;
    const GAP: f64 = 6.0;
    const LEGEND: f64 = 30.0;
    let plot_bottom = TOP + chart.rows.len() as f64 * (BAR + GAP);
    let height = plot_bottom + LEGEND;
    let counts_text = |counts: &[usize]| -> String {
        chart
            .parts
            .iter()
            .zip(counts)
            .filter(|(_, n)| **n > 0)
            .map(|(part, n)| format!("{part} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let desc = chart
        .rows
        .iter()
        .map(|(name, _, counts)| format!("{name}: {}", counts_text(counts)))
        .collect::<Vec<_>>()
        .join(". ");
    let mut svg = opening(&chart.id, WIDTH, height, &chart.title, &desc);
    let fill = |part: usize| Html::trusted(PART_COLOURS[part.min(PART_COLOURS.len() - 1)]);
    for (r, (name, sub, counts)) in chart.rows.iter().enumerate() {
        let y = TOP + r as f64 * (BAR + GAP);
        let (indent, weight) = if *sub { (14.0, "400") } else { (0.0, "600") };
        svg.push(&html!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11.5\" font-weight=\"{}\" fill=\"#1b1b1b\">{}</text>\n",
            indent,
            y + BAR - 4.0,
            Html::trusted(weight),
            Html::text(&fit(name, 40))
        ));
        let whole: usize = counts.iter().sum();
        if whole == 0 {
            continue;
        }
        let mut x = LABEL;
        for (part, &n) in counts.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let width = PLOT * n as f64 / whole as f64;
            let part_name = chart.parts.get(part).map(String::as_str).unwrap_or("");
            svg.push(&html!(
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{}\" fill=\"{}\" \
                 stroke=\"#ffffff\" stroke-width=\"1\"><title>{}</title></rect>",
                x,
                y,
                width,
                BAR,
                fill(part),
                Html::text(&format!("{name}: {part_name} {n}"))
            ));
            let mark = chart.marks.get(part).copied().unwrap_or("");
            let label = match width {
                w if w >= 32.0 && !mark.is_empty() => Some(format!("{mark} {n}")),
                w if w >= 14.0 => Some(n.to_string()),
                _ => None,
            };
            if let Some(label) = label {
                svg.push(&html!(
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" font-weight=\"600\" fill=\"#1b1b1b\" text-anchor=\"middle\">{}</text>",
                    x + width / 2.0,
                    y + BAR - 4.0,
                    Html::text(&label)
                ));
            }
            x += width;
        }
        svg.push(&Html::trusted("\n"));
    }
    // The legend: each part's swatch and name, left to right.
    let mut x = LABEL;
    for (part, name) in chart.parts.iter().enumerate() {
        svg.push(&html!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#1b1b1b\">{}</text>\n",
            x,
            plot_bottom + 8.0,
            fill(part),
            x + 16.0,
            plot_bottom + 18.0,
            Html::text(name)
        ));
        x += 24.0 + 6.5 * name.chars().count() as f64;
    }
    closing(lang, svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stacked_bar_is_its_row_whole_with_every_count_in_words() {
        let chart = Stacked {
            id: "s".into(),
            title: "Spread <1>".into(),
            parts: vec!["● in place".into(), "○ priority".into(), "too few".into()],
            marks: vec!["●", "○"],
            rows: vec![
                ("Fit".into(), false, vec![1, 3, 0]),
                ("Nobody".into(), true, vec![0, 0, 0]),
            ],
        };
        let svg = stacked(Lang::En, &chart).into_string();
        assert!(svg.contains("<title id=\"s-title\">Spread &lt;1&gt;</title>"));
        assert!(
            svg.contains("<desc id=\"s-desc\">Fit: ● in place 1, ○ priority 3. Nobody: </desc>")
        );
        // 1 of 4 is a quarter of the 480 wide plot, 3 of 4 the rest; a part of 0 is no
        // segment, and a row without services has none.
        assert!(
            svg.contains("x=\"260.0\" y=\"8.0\" width=\"120.0\""),
            "{svg}"
        );
        assert!(
            svg.contains("x=\"380.0\" y=\"8.0\" width=\"360.0\""),
            "{svg}"
        );
        assert_eq!(svg.matches("<title>").count(), 2);
        assert!(svg.contains("<title>Fit: ○ priority 3</title>"));
        assert!(
            svg.contains(">○ 3</text>"),
            "a wide segment says its band: {svg}"
        );
    }
}
