//! `report --format html`: one self-contained page (inline CSS and SVG, no scripts,
//! nothing fetched), readable in a browser and on paper. The page is made of `Html` alone:
//! a text reaches it only escaped, markup only as a literal written in this source, so an
//! escape cannot be forgotten.

use super::markup::{Html, html};
use super::svg;
use crate::cli::document::{Align, Block, Table};
use crate::i18n::Lang;

/// The report as one HTML page.
pub fn write(lang: Lang, title: &str, blocks: &[Block]) -> String {
    page(lang, title, blocks).into_string()
}

fn page(lang: Lang, title: &str, blocks: &[Block]) -> Html {
    let mut out = html!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"generator\" content=\"kartlegg {}\">\n<title>{}</title>\n<style>{}</style>\n\
         </head>\n<body>\n<main>\n<h1>{}</h1>\n",
        Html::trusted(lang.code()),
        Html::trusted(env!("CARGO_PKG_VERSION")),
        Html::text(title),
        Html::trusted(STYLE),
        Html::text(title),
    );
    let mut labels = table_labels(title, blocks).into_iter();
    let mut open = false;
    for block in blocks {
        match block {
            Block::Heading(text, id) => {
                if open {
                    out.push(&Html::trusted("</section>\n"));
                }
                open = true;
                out.push(&html!(
                    "<section id=\"{0}\" aria-labelledby=\"{0}-heading\">\n<h2 id=\"{0}-heading\">{1}</h2>\n",
                    Html::trusted(id),
                    Html::text(text)
                ));
            }
            Block::Subheading(text) => out.push(&html!("<h3>{}</h3>\n", Html::text(text))),
            Block::Paragraph(text) => {
                let class = Html::trusted(if open { "" } else { " class=\"meta\"" });
                out.push(&html!("<p{}>{}</p>\n", class, Html::text(text)));
            }
            Block::Note(text) => {
                out.push(&html!("<p class=\"note\">{}</p>\n", Html::text(text)));
            }
            Block::Table(table, class) => {
                let label = labels.next().unwrap_or_default();
                out.push(&table_html(table, class, &label));
            }
            Block::Chart(chart) => out.push(&svg::chart(lang, chart)),
            Block::Stacked(chart) => out.push(&svg::stacked(lang, chart)),
        }
    }
    if open {
        out.push(&Html::trusted("</section>\n"));
    }
    out.push(&Html::trusted("</main>\n</body>\n</html>\n"));
    out
}

/// The name of each table's scroll region, in order: the heading the table stands under,
/// and where a heading holds several tables, the table's first column header too.
fn table_labels(title: &str, blocks: &[Block]) -> Vec<String> {
    let mut heading = (0, title);
    let mut tables = Vec::new();
    for block in blocks {
        match block {
            Block::Heading(text, _) | Block::Subheading(text) => heading = (heading.0 + 1, text),
            Block::Table(table, _) => tables.push((heading, table)),
            _ => {}
        }
    }
    tables
        .iter()
        .map(|&((n, text), table)| {
            let shared = tables.iter().filter(|((m, _), _)| *m == n).count() > 1;
            match table.header.first() {
                Some(first) if shared => format!("{text}: {first}"),
                _ => text.to_string(),
            }
        })
        .collect()
}

/// A table in a focusable, named box that scrolls sideways when the screen is narrower than
/// the table; a group, not a region, so that the landmarks stay the report's sections.
/// Paper does not scroll: a table wider than the printed page is printed in parts instead,
/// each with the row headers and as many of the other columns as fit.
fn table_html(table: &Table, class: &str, label: &str) -> Html {
    let parts = print_parts(table);
    let split = parts.len() > 1;
    let mut out = html!(
        "<div class=\"scroll{}\" role=\"group\" tabindex=\"0\" aria-label=\"{}\">\n{}</div>\n",
        Html::trusted(if split { " screen-only" } else { "" }),
        Html::text(label),
        table.html(class)
    );
    if split {
        out.push(&Html::trusted("<div class=\"print-only\">\n"));
        for part in &parts {
            out.push(&table.columns(part).html(class));
        }
        out.push(&Html::trusted("</div>\n"));
    }
    out
}

impl Table {
    /// Rows are headed by their first cell; section rows get the class `main` when the
    /// table has subdomain rows.
    pub fn html(&self, class: &str) -> Html {
        let has_sub = self.rows.iter().any(|r| r.sub);
        let align = |i: usize| {
            Html::trusted(match self.align_of(i) {
                Align::Left => "",
                Align::Right => " class=\"num\"",
            })
        };
        // Headers wrap between words, never inside one: "(2026-02-10)" stays whole.
        let header = |text: &str| {
            let mut out = Html::default();
            for (n, word) in text.split(' ').enumerate() {
                if n > 0 {
                    out.push(&Html::trusted(" "));
                }
                if word.contains(['-', '–', '—', '/']) {
                    out.push(&html!("<span class=\"nobr\">{}</span>", Html::text(word)));
                } else {
                    out.push(&Html::text(word));
                }
            }
            out
        };
        let mut out = html!("<table class=\"{}\">\n<thead><tr>", Html::text(class));
        for (i, cell) in self.header.iter().enumerate() {
            out.push(&html!(
                "<th scope=\"col\"{}>{}</th>",
                align(i),
                header(cell)
            ));
        }
        out.push(&Html::trusted("</tr></thead>\n<tbody>\n"));
        for row in &self.rows {
            let class = Html::trusted(match (row.sub, has_sub) {
                (true, _) => " class=\"sub\"",
                (false, true) => " class=\"main\"",
                (false, false) => "",
            });
            out.push(&html!("<tr{}>", class));
            for (i, cell) in row.cells.iter().enumerate() {
                if i == 0 {
                    out.push(&html!("<th scope=\"row\">{}</th>", Html::text(cell)));
                } else {
                    out.push(&html!("<td{}>{}</td>", align(i), Html::text(cell)));
                }
            }
            out.push(&Html::trusted("</tr>\n"));
        }
        out.push(&Html::trusted("</tbody>\n</table>\n"));
        out
    }
}

const STYLE: &str = r#"
:root { --ink: #1b1b1b; --muted: #4a4a4a; --rule: #c8c8c8; --accent: #0b4f6c; --shade: #eef3f6; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", "DejaVu Sans", Arial, sans-serif; }
main { max-width: 62rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.75rem; margin: 0 0 .3rem; line-height: 1.2; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
p { margin: .4rem 0 .8rem; max-width: 48rem; }
.meta, .note, figcaption { color: var(--muted); }
.note { font-size: .92rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.2rem; font-size: .92rem; }
th, td { padding: .28rem .55rem; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); font-weight: 600; vertical-align: bottom; }
tbody th { font-weight: normal; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
thead th.num { white-space: normal; }
.nobr { white-space: nowrap; }
tr.main th, tr.main td { font-weight: 600; background: var(--shade); }
tr.sub th { padding-left: 1.6rem; }
tbody th[scope="row"] { min-width: 13em; }
table.plan-barriers, table.plan-strategies, table.plan-measures { table-layout: fixed; }
table.plan-barriers thead th:first-child, table.plan-measures thead th:first-child { width: 50%; }
table.plan-measures td:last-child { white-space: nowrap; }
.scroll { overflow-x: auto; margin: .5rem 0 1.2rem;
  /* A shadow at each edge with more table beyond it: white covers that travel with the
     table hide the shadow once its end is in view. */
  background: linear-gradient(to right, #fff 30%, rgba(255,255,255,0)) left / 2rem 100% no-repeat local,
    linear-gradient(to left, #fff 30%, rgba(255,255,255,0)) right / 2rem 100% no-repeat local,
    radial-gradient(farthest-side at 0 50%, rgba(0,0,0,.2), rgba(0,0,0,0)) left / .8rem 100% no-repeat scroll,
    radial-gradient(farthest-side at 100% 50%, rgba(0,0,0,.2), rgba(0,0,0,0)) right / .8rem 100% no-repeat scroll; }
.scroll > table { margin: 0; }
.scroll:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
@media (max-width: 30rem) {
  main { padding: 1rem .75rem 2rem; }
  tbody th[scope="row"] { min-width: 8em; }
  /* The table scrolls sideways: a row keeps to one line but for its header. */
  td { white-space: nowrap; }
  table.plan-barriers, table.plan-strategies, table.plan-measures { table-layout: auto; }
}
@media not print { .print-only { display: none; } }
figure { margin: 1rem 0 .4rem; }
figcaption { font-size: .88rem; margin-top: .2rem; }
svg { display: block; width: 100%; max-width: 760px; height: auto; font-family: inherit; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; margin-top: 1.2rem; }
  h3 { break-after: avoid; page-break-after: avoid; }
  figure, tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  svg { max-width: 100%; }
  .screen-only { display: none; }
  .scroll { overflow: visible; background: none; }
  .print-only table { break-inside: avoid; }
  table { font-size: 9pt; }
  th, td { padding: .15em .45em; }
  tr.sub th { padding-left: 1.6em; }
}
"#;

/// What a printed table has room for, in ems of its 9 pt type: A4 less the `@page`
/// margins, 186 mm. The constants below follow the print rules of `STYLE`.
const PRINT_WIDTH_EM: f64 = 186.0 / 25.4 * 72.0 / 9.0;
/// The padding either side of a printed cell, .45em.
const PRINT_PADDING_EM: f64 = 0.9;
/// A subdomain's row header is indented by 1.6em rather than .45em.
const PRINT_SUB_INDENT_EM: f64 = 1.15;
/// `tbody th[scope="row"] { min-width: 13em; }`
const ROW_HEADER_MIN_EM: f64 = 13.0;
/// A column of words is given this much before it wraps, so that it wraps by phrases, not
/// word by word.
const TEXT_COLUMN_EM: f64 = 8.0;
/// Bold type (headers, section rows) is about this much wider.
const BOLD: f64 = 1.12;

/// The columns of each printed part of a table: the first column (the row headers) and then
/// as many others, in order, as the page holds, the parts about even; one part when the
/// whole table fits.
fn print_parts(table: &Table) -> Vec<Vec<usize>> {
    let widths: Vec<f64> = (0..table.header.len())
        .map(|i| print_column_em(table, i))
        .collect();
    let all: Vec<usize> = (0..widths.len()).collect();
    if widths.len() < 3 || widths.iter().sum::<f64>() <= PRINT_WIDTH_EM {
        return vec![all];
    }
    let room = PRINT_WIDTH_EM - widths[0];
    // As many parts as filling each in turn needs ...
    let mut greedy: Vec<(Vec<usize>, f64)> = Vec::new();
    for (i, &width) in widths.iter().enumerate().skip(1) {
        match greedy.last_mut() {
            Some((part, used)) if *used + width <= room => {
                part.push(i);
                *used += width;
            }
            _ => greedy.push((vec![i], width)),
        }
    }
    // ... then the columns spread evenly over them, where that fits too.
    let fits = |columns: &[usize]| columns.iter().map(|&i| widths[i]).sum::<f64>() <= room;
    let (count, others) = (greedy.len(), widths.len() - 1);
    let mut even = Vec::with_capacity(count);
    let mut next = 1;
    for part in 0..count {
        let size = others / count + usize::from(part < others % count);
        even.push((next..next + size).collect::<Vec<_>>());
        next += size;
    }
    let parts = if even.iter().all(|part| fits(part)) {
        even
    } else {
        greedy.into_iter().map(|(part, _)| part).collect()
    };
    parts
        .into_iter()
        .map(|part| std::iter::once(0).chain(part).collect())
        .collect()
}

/// The width a column needs on paper, in ems: numbers and symbols never wrap; headers and
/// words wrap between words.
fn print_column_em(table: &Table, column: usize) -> f64 {
    let has_sub = table.rows.iter().any(|row| row.sub);
    let header = table
        .header
        .get(column)
        .map_or(0.0, |h| longest_word_em(h) * BOLD);
    let right = table.align.get(column) == Some(&Align::Right);
    let cells = table.rows.iter().map(|row| {
        let text = row.cells.get(column).map_or("", String::as_str);
        let width = if right {
            text_em(text)
        } else {
            longest_word_em(text).max(text_em(text).min(TEXT_COLUMN_EM))
        };
        let weight = if has_sub && !row.sub { BOLD } else { 1.0 };
        let indent = if column == 0 && row.sub {
            PRINT_SUB_INDENT_EM
        } else {
            0.0
        };
        width * weight + indent
    });
    let least = if column == 0 { ROW_HEADER_MIN_EM } else { 0.0 };
    cells.fold(header.max(least), f64::max) + PRINT_PADDING_EM
}

fn longest_word_em(text: &str) -> f64 {
    text.split(' ').map(text_em).fold(0.0, f64::max)
}

/// A text's width in ems, on the wide side: after DejaVu Sans, the widest of the common
/// sans-serif faces and what a bare Linux machine prints with, so that what fits by this
/// measure fits in any of the faces `STYLE` names.
fn text_em(text: &str) -> f64 {
    text.chars()
        .map(|c| match c {
            ' ' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | 'i' | 'j' | 'l' | 'I' | '·' => 0.32,
            'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '-' | '/' | '"' => 0.45,
            'w' => 0.82,
            'm' | 'M' | 'W' | 'æ' | 'Æ' | '%' => 1.0,
            c if c.is_ascii_digit() => 0.64,
            c if c.is_uppercase() => 0.75,
            c if c.is_alphabetic() => 0.62,
            // Symbols: ◐ ● ○ ⚑ ★ → − –
            _ => 1.0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::report::markup::escape_html;

    #[test]
    fn user_text_is_inert_in_html() {
        let nasty = "A <b>&</b> \"x\" 'y' | *z* [l](u)\n#\u{202E}";
        assert_eq!(
            escape_html(nasty),
            "A &lt;b&gt;&amp;&lt;/b&gt; &quot;x&quot; &#39;y&#39; | *z* [l](u) #"
        );
        assert_eq!(Html::text(nasty).as_str(), escape_html(nasty));
        assert_eq!(
            html!("<p>{}</p>", Html::text("<b>")).as_str(),
            "<p>&lt;b&gt;</p>"
        );
    }

    /// A table like the trend: areas down, one column per round across.
    fn by_round(rounds: usize, cell: &str) -> Table {
        let mut header = vec!["Area".to_string()];
        header.extend((1..=rounds).map(|r| format!("Etter fellessamling {r} (2026-10-13)")));
        let mut align = vec![Align::Left];
        align.extend((0..rounds).map(|_| Align::Right));
        let mut table = Table::new(header, align);
        for area in ["Readiness for change", "Organisation drivers"] {
            let mut cells = vec![area.to_string()];
            cells.extend((0..rounds).map(|_| cell.to_string()));
            table.row(cells);
        }
        table
    }

    fn width(table: &Table, part: &[usize]) -> f64 {
        part.iter().map(|&i| print_column_em(table, i)).sum()
    }

    #[test]
    fn a_table_the_page_holds_prints_whole() {
        let table = by_round(2, "76 % ◐ · n 12");
        assert_eq!(print_parts(&table), vec![vec![0, 1, 2]]);
    }

    #[test]
    fn a_wide_table_prints_in_even_parts_that_each_fit_the_page() {
        // Today's cells, and wider ones with more in them, up to ten rounds and beyond.
        for cell in [
            "76 % ◐ · n 12",
            "n 12 · 76 % (50–100 %)",
            "n 12 · 76 % ◐ (61–88 %) · paired 10: +12 ★",
        ] {
            for rounds in 3..=14 {
                let table = by_round(rounds, cell);
                let parts = print_parts(&table);
                let label = format!("{rounds} rounds of {cell:?}: {parts:?}");
                for part in &parts {
                    assert_eq!(part[0], 0, "the row headers in every part: {label}");
                    assert!(width(&table, part) <= PRINT_WIDTH_EM, "{label}");
                }
                let rest: Vec<usize> = parts.iter().flat_map(|p| p[1..].to_vec()).collect();
                assert_eq!(rest, (1..=rounds).collect::<Vec<_>>(), "{label}");
                let sizes: Vec<usize> = parts.iter().map(Vec::len).collect();
                let (least, most) = (sizes.iter().min(), sizes.iter().max());
                assert!(most.unwrap() - least.unwrap() <= 1, "{label}");
                let whole = width(&table, &(0..=rounds).collect::<Vec<_>>());
                assert_eq!(parts.len() > 1, whole > PRINT_WIDTH_EM, "{label}");
            }
        }
    }
}
