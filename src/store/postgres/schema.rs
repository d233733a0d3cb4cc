//! The one schema (`schema.sql`), as PostgreSQL takes it. Its tables and indexes are
//! translated word for word, so that the server holds the same columns, keys and checks as
//! the embedded database; its triggers, written in SQLite's own language, have their
//! PL/pgSQL twins in `rules.sql`. `tests/postgres_store.rs` compares the two catalogs.
//!
//! SQLite's `rowid` (the order rows were added in, which some queries sort by) becomes a
//! column of that name on every table that has one in SQLite.

/// The statements that make kartlegg's tables and indexes on an empty PostgreSQL schema:
/// tables first, then their foreign keys (SQLite takes a reference to a table made later,
/// PostgreSQL does not), then the indexes.
pub fn statements(sqlite_schema: &str) -> Vec<String> {
    let text = without_comments(sqlite_schema);
    let mut tables = Vec::new();
    let mut keys = Vec::new();
    let mut indexes = Vec::new();
    for statement in split_statements(&text) {
        let statement = statement.trim();
        if statement.starts_with("CREATE TABLE") {
            let (table, foreign_keys) = table(statement);
            tables.push(table);
            keys.extend(foreign_keys);
        } else if statement.starts_with("CREATE INDEX") {
            indexes.push(statement.to_string());
        } else if statement.starts_with("CREATE TRIGGER") {
            // In `rules.sql`.
        } else if !statement.is_empty() {
            panic!(
                "schema.sql has a statement the server's translation does not know: {statement}"
            );
        }
    }
    tables.into_iter().chain(keys).chain(indexes).collect()
}

fn without_comments(sql: &str) -> String {
    sql.lines()
        .map(|line| match line.find("--") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The statements of a script; a trigger's body (`BEGIN … END;`) stays whole.
fn split_statements(sql: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut in_body = false;
    for piece in sql.split_inclusive(';') {
        current.push_str(piece);
        let words: Vec<&str> = current.split_whitespace().collect();
        if words.first() == Some(&"CREATE") && words.get(1) == Some(&"TRIGGER") {
            in_body = true;
        }
        let ends = !in_body || current.trim_end().ends_with("END;");
        if ends {
            statements.push(
                std::mem::take(&mut current)
                    .trim_end_matches(';')
                    .to_string(),
            );
            in_body = false;
        }
    }
    statements.push(current);
    statements
}

/// One `CREATE TABLE`: its columns in PostgreSQL's words, and its columns' references as
/// statements of their own.
fn table(statement: &str) -> (String, Vec<String>) {
    let open = statement.find('(').expect("a table has columns");
    let close = statement.rfind(')').expect("a table's columns end");
    let name = statement["CREATE TABLE".len()..open]
        .trim()
        .trim_matches('"');
    let options = &statement[close + 1..];
    let has_rowid = !options.contains("WITHOUT ROWID");
    let mut columns = Vec::new();
    let mut keys = Vec::new();
    for part in split_top_level(&statement[open + 1..close]) {
        let part = part.split_whitespace().collect::<Vec<_>>().join(" ");
        let column = part.split(' ').next().unwrap_or_default().to_string();
        let is_constraint = matches!(column.as_str(), "UNIQUE" | "CHECK" | "PRIMARY" | "FOREIGN");
        let (definition, reference) = match part.find(" REFERENCES ") {
            Some(at) if !is_constraint => {
                (part[..at].to_string(), Some(part[at + 1..].to_string()))
            }
            _ => (part.clone(), None),
        };
        if let Some(reference) = reference {
            keys.push(format!(
                "ALTER TABLE {name} ADD FOREIGN KEY ({column}) {reference}"
            ));
        }
        columns.push(column_types(&definition));
    }
    if has_rowid && !columns.iter().any(|c| c.starts_with("rowid ")) {
        columns.push("rowid BIGINT GENERATED ALWAYS AS IDENTITY".into());
    }
    (
        format!("CREATE TABLE {name} (\n    {}\n)", columns.join(",\n    ")),
        keys,
    )
}

/// Splits at the commas outside parentheses.
fn split_top_level(body: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in body.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// SQLite's storage classes as PostgreSQL's types (its integers are 64 bits), and its
/// `date(x) = x`, which holds for a day written YYYY-MM-DD alone.
fn column_types(definition: &str) -> String {
    let words: Vec<String> = definition
        .split(' ')
        .map(|word| match word {
            "INTEGER" => "BIGINT".to_string(),
            "REAL" => "DOUBLE PRECISION".to_string(),
            "BLOB" => "BYTEA".to_string(),
            other => other.to_string(),
        })
        .collect();
    let mut text = words.join(" ");
    // SQLite's alias of the rowid: the numbers the database gives.
    text = text.replace(
        "BIGINT PRIMARY KEY",
        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    );
    let mut from = 0;
    while let Some(found) = text[from..].find("date(") {
        let at = from + found;
        let rest = &text[at + "date(".len()..];
        let column = &rest[..rest.find(')').expect("date( closes")];
        let sqlite = format!("date({column}) = {column}");
        assert!(
            text[at..].starts_with(&sqlite),
            "a date check the translation does not know: {text}"
        );
        let server = format!(
            "{column} ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$' \
             AND to_char(to_date({column}, 'YYYY-MM-DD'), 'YYYY-MM-DD') = {column}"
        );
        text.replace_range(at..at + sqlite.len(), &server);
        from = at + server.len();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_keeps_its_checks_gets_a_rowid_and_gives_its_references_apart() {
        let (table, keys) = table(
            "CREATE TABLE round (\n id TEXT PRIMARY KEY,\n service_id TEXT NOT NULL REFERENCES service (id),\n held_on TEXT NOT NULL CHECK (date(held_on) = held_on),\n n INTEGER CHECK (n BETWEEN 0 AND 9)\n, g TEXT REFERENCES gathering (id) ON DELETE SET NULL) STRICT",
        );
        assert!(table.contains("service_id TEXT NOT NULL,"), "{table}");
        assert!(
            table.contains("n BIGINT CHECK (n BETWEEN 0 AND 9)"),
            "{table}"
        );
        assert!(table.contains("to_date(held_on, 'YYYY-MM-DD')"), "{table}");
        assert!(
            table.contains("rowid BIGINT GENERATED ALWAYS AS IDENTITY"),
            "{table}"
        );
        assert_eq!(
            keys,
            [
                "ALTER TABLE round ADD FOREIGN KEY (service_id) REFERENCES service (id)",
                "ALTER TABLE round ADD FOREIGN KEY (g) REFERENCES gathering (id) ON DELETE SET NULL",
            ]
        );
    }

    #[test]
    fn a_table_without_rowid_gets_none() {
        let (table, _) = table(
            "CREATE TABLE t (\n a TEXT NOT NULL,\n b INTEGER,\n PRIMARY KEY (a, b)\n) STRICT, WITHOUT ROWID",
        );
        assert!(!table.contains("rowid"), "{table}");
        assert!(table.contains("PRIMARY KEY (a, b)"), "{table}");
    }

    #[test]
    fn triggers_are_left_to_the_rules_and_comments_dropped() {
        let statements = statements(crate::store::sqlite::SCHEMA);
        assert!(
            statements
                .iter()
                .all(|s| !s.contains("TRIGGER") && !s.contains("--"))
        );
        assert!(
            statements
                .iter()
                .any(|s| s.starts_with("CREATE TABLE cluster"))
        );
    }
}
